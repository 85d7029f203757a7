"""The app as a daily tool (issue 9): moving around, the palette, status and severity keys,
the sidebar's size and what it shows, F1, notices, enter on "no match", the keymap.

Every test runs at 80x24 and at 200x50, through the keys a user presses, and asserts on what
is on screen (the compositor's lines) or on disk."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual._xterm_parser import XTermParser
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Select, TextArea

from mistakes.cli.main import main as cli_main
from mistakes.domain.errors import MistakesError
from mistakes.search.index import SearchResults
from mistakes.services.config import user_config_path
from mistakes.ui.app import MistakesApp, make_app
from mistakes.ui.screens.dialogs import ConfirmScreen, HelpScreen

from .conftest import (
    area,
    dialog,
    entry_file,
    prompts,
    results,
    settle,
    started,
    static_text,
    topbar,
    type_text,
    wait_until,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 50), id="200x50")]


def screen_lines(app: MistakesApp) -> list[str]:
    """What the terminal shows now, line by line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def on_screen(app: MistakesApp, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


def search_box(app: MistakesApp) -> Input:
    return app.sidebar.search_box


async def search(app: MistakesApp, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await type_text(pilot, text)
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: app.sidebar._shown_query == text), text


async def open_with_keys(app: MistakesApp, pilot, query: str, number: int) -> None:  # type: ignore[no-untyped-def]
    """Type the query, move down to the entry with the arrow keys, press enter."""
    await search(app, pilot, query)
    for _ in range(len(prompts(app))):
        highlighted = results(app).highlighted
        if highlighted is not None and prompts(app)[highlighted].startswith(f"{number:03d} "):
            break
        await pilot.press("down")
    await pilot.press("enter")
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == number)
    await pilot.pause()


def option_text(app: MistakesApp, number: int) -> str:
    return next(p for p in prompts(app) if p.startswith(f"{number:03d} "))


# -- moving around ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_f_and_slash_select_the_query_so_typing_replaces_it(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await search(app, pilot, "connection pool")
        await pilot.press("ctrl+f")
        await pilot.pause()
        await search(app, pilot, "cron")
        assert search_box(app).value == "cron"
        assert prompts(app)[0].startswith("015 ")
        # from the results list, / also selects the query
        await pilot.press("tab")
        assert isinstance(app.focused, OptionList)
        await pilot.press("slash")
        await pilot.pause()
        await search(app, pilot, "helm")
        assert search_box(app).value == "helm"
        assert prompts(app)[0].startswith("020 ")


@pytest.mark.parametrize("size", SIZES)
async def test_escape_clears_the_search_and_leaves_the_editor(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await search(app, pilot, "cron")
        assert len(prompts(app)) == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert search_box(app).value == ""
        assert await wait_until(pilot, lambda: len(prompts(app)) == 24)
        assert static_text(app, "#status-line") == "24 newest of 24"
        assert on_screen(app, "24 newest of 24")

        await open_with_keys(app, pilot, "cron", 15)
        assert isinstance(app.focused, TextArea)
        await pilot.press("escape")
        await pilot.pause()
        assert search_box(app).has_focus
        assert app.stored is not None and app.stored.number == 15  # still open
        assert "015 Billing cron" in topbar(app)


@pytest.mark.parametrize("size", SIZES)
async def test_page_keys_home_and_end_move_in_the_results_from_the_search_box(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        listing = results(app)
        assert listing.highlighted == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert search_box(app).has_focus
        assert listing.highlighted is not None and listing.highlighted > 1
        assert search_box(app).value == ""
        await pilot.press("end")
        await pilot.pause()
        assert listing.highlighted == 23
        await pilot.press("pageup")
        await pilot.pause()
        assert listing.highlighted is not None and listing.highlighted < 23
        await pilot.press("home")
        await pilot.pause()
        assert listing.highlighted == 0
        await pilot.press("down", "down")
        assert listing.highlighted == 2
        assert search_box(app).has_focus


def many_entries(folder: Path, count: int) -> None:
    """``count`` more entries whose titles all say cron (after the samples' 24)."""
    source = next(folder.glob("015-*.md")).read_text("utf-8")
    for n in range(count):
        number = 25 + n
        text = source.replace(
            "title: Billing cron ran twice when clocks fell back for DST",
            f"title: Nightly cron job number {n} skipped",
        )
        (folder / f"{number:03d}-nightly-cron-job-number-{n}.md").write_text(text, "utf-8")


@pytest.mark.parametrize("size", SIZES)
async def test_more_than_a_hundred_results_can_be_reached(build, samples_copy, size) -> None:
    many_entries(samples_copy, 130)
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await search(app, pilot, "cron")
        await settle(app, pilot)
        listing = results(app)
        assert listing.option_count == 100
        # end, then end again once more are listed, until all 131 are there
        for _ in range(4):
            await pilot.press("end")
            await settle(app, pilot)
        assert await wait_until(pilot, lambda: listing.option_count == 131), listing.option_count
        await pilot.press("end")
        await pilot.pause()
        assert listing.highlighted == 130
        assert static_text(app, "#status-line") == "131 of 131"


@pytest.mark.parametrize("size", SIZES)
async def test_the_open_entry_is_marked_in_the_list(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        assert not [p for p in prompts(app) if p.endswith("  open")]
        await open_with_keys(app, pilot, "connection pool", 5)
        assert option_text(app, 5).endswith("  open")
        assert not option_text(app, 19).endswith("  open")
        await pilot.press("escape", "escape")  # back to the search box, then clear it
        await open_with_keys(app, pilot, "", 19)
        assert option_text(app, 19).endswith("  open")
        assert not option_text(app, 5).endswith("  open")


# -- status, severity, follow-up and similar: one key (or two) ------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_f4_and_f5_set_status_and_severity_then_ctrl_s_saves(
    build, samples_copy, size
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await open_with_keys(app, pilot, "connection pool", 5)
        path = entry_file(samples_copy, 5)
        assert "status: resolved\n" in path.read_text("utf-8")
        await pilot.press("f4")
        question = await dialog(app, pilot, ConfirmScreen)
        assert "Status" in question and "resolved" in question
        assert on_screen(app, "investigating (i)")
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("f5")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("l")
        await pilot.pause()
        assert app.editor.modified
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        text = path.read_text("utf-8")
        assert "status: investigating\n" in text and "severity: low\n" in text
        # the list says so, in words
        assert await wait_until(pilot, lambda: "low investigating" in option_text(app, 5))


@pytest.mark.parametrize("size", SIZES)
async def test_f6_follow_up_actions_and_f7_similar_from_a_text_pane(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await open_with_keys(app, pilot, "connection pool", 5)
        tabs = app.editor.tabs
        assert tabs is not None and isinstance(app.focused, TextArea)
        await pilot.press("f6")
        await pilot.pause()
        assert tabs.active == "tab-checklist"
        await pilot.press("f7")
        await settle(app, pilot)
        assert tabs.active == "tab-similar"
        assert app.focused is app.query_one("#similar-list", OptionList)
        assert await wait_until(pilot, lambda: app.similar.hits != {})


# -- the palette ----------------------------------------------------------------------------------
async def palette(app: MistakesApp, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    assert await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await type_text(pilot, text)
    await settle(app, pilot)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_the_palette_has_the_apps_commands(build, samples_copy, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await type_text(pilot, "severity")
        await settle(app, pilot)
        await pilot.pause(0.3)
        assert on_screen(app, "Set severity: critical")
        await pilot.press("escape")
        await pilot.pause()

        theme = app.theme
        await palette(app, pilot, "toggle theme")
        assert app.theme != theme and "light" in app.theme
        await palette(app, pilot, "new")
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        assert app.stored is None
        await pilot.press("escape")  # nothing typed: nothing to ask
        await open_with_keys(app, pilot, "connection pool", 5)
        await palette(app, pilot, "Go to section: fix")
        assert app.focused is area(app, "fix")
        await palette(app, pilot, "Go to tab: follow-up")
        assert app.editor.tabs is not None and app.editor.tabs.active == "tab-checklist"
        await palette(app, pilot, "Set status: active")
        assert app.query_one("#field-status", Select).value == "active"
        await palette(app, pilot, "Save")
        assert await wait_until(
            pilot, lambda: "status: active\n" in entry_file(samples_copy, 5).read_text("utf-8")
        )


# -- alt+digit in a real terminal -----------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_escape_digit_from_the_terminal_goes_to_a_tab_and_types_nothing(
    build, samples_copy, size
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await open_with_keys(app, pilot, "connection pool", 5)
        pane = area(app, "what_happened")
        before = pane.text
        assert app.focused is pane
        # what tmux sends for alt+4, read by Textual's own parser and posted as the driver does
        parser = XTermParser()
        events = [*parser.feed("\x1b4"), *parser.feed("")]  # "" flushes a lone escape
        for event in events:
            app.post_message(event)
        await settle(app, pilot)
        assert app.editor.tabs is not None
        assert app.editor.tabs.active == "tab-error_messages"
        assert pane.text == before and "¢" not in pane.text
        assert not app.editor.modified
        assert "[modified]" not in topbar(app)


# -- the screen at every size ---------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_the_sidebar_grows_with_the_terminal_and_by_key(build, size) -> None:
    app: MistakesApp = build()
    width = size[0]
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        sidebar = app.sidebar
        if width >= 200:
            assert sidebar.outer_size.width >= 45
            # the two connection-pool titles are told apart on screen
            assert on_screen(app, "005 Connection pool exhausted after deploy")
            assert on_screen(app, "019 Connection pool exhausted again")
        else:
            assert sidebar.outer_size.width == 32
        start = sidebar.size.width
        await pilot.press("alt+right")
        await pilot.pause()
        assert sidebar.size.width > start
        await pilot.press("alt+left", "alt+left")
        await pilot.pause()
        assert sidebar.size.width < start
        assert app.editor.size.width + sidebar.size.width <= width
        # words, not two-letter codes, on screen
        lines = screen_lines(app)
        assert any(re.search(r"\b(low|medium|high|critical)\b", line) for line in lines)
        assert any(re.search(r"\b(active|investigating|resolved)\b", line) for line in lines)
        assert any("2026-11-03" in line for line in lines)


@pytest.mark.parametrize("size", SIZES)
async def test_with_nothing_open_the_highlighted_result_is_previewed(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        assert not on_screen(app, "No entry open")
        await search(app, pilot, "connection pool")
        # the whole title (the list cuts it at 80 columns), the facts, the text
        assert await wait_until(pilot, lambda: on_screen(app, "From 14:40 UTC"))
        assert on_screen(app, "005 Connection pool exhausted after deploy")
        assert on_screen(app, "critical  resolved  2025-04-09")
        assert on_screen(app, "From 14:40 UTC")
        await pilot.press("down")
        assert await wait_until(pilot, lambda: on_screen(app, "Two days after"))
        assert on_screen(app, "high  resolved")
        assert app.editor.original is None and search_box(app).has_focus


@pytest.mark.parametrize("size", SIZES)
async def test_f1_help_fits_the_screen_and_lists_everything(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press("f1")
        await dialog(app, pilot, HelpScreen)
        box = app.screen.query_one("#help-box")
        assert size[0] - 6 <= box.outer_size.width <= size[0]
        assert box.outer_size.height <= size[1]
        text = "\n".join(str(w.content) for w in app.screen.query("Static"))
        for wanted in (
            "Follow-up checklist",
            "space",
            "Accept the completed tag",
            "pgup pgdn",
            "home end",
            "Clear the query",
            "Back to the search box",
            "Drafts",
            "critical",
            "investigating",
            "F4 sets the status",
        ):
            assert wanted in text, wanted
        if size[0] >= 200:
            assert on_screen(app, "Drafts")  # everything fits at once
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


# -- search in the sidebar ------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_query_notices_are_shown_whole(build, size) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await search(app, pilot, '"unbalanced pool')
        assert on_screen(app, "unbalanced")
        notice = static_text(app, "#notice")
        assert notice.startswith("unbalanced quotes, brackets or parentheses")
        assert notice.endswith("searched the words: unbalanced pool")
        await pilot.press("ctrl+f")
        await search(app, pilot, "foo:bar")
        assert on_screen(app, "no field foo")
        notice = static_text(app, "#notice")
        assert notice.startswith("no field foo (fields: title, tag, severity")
        assert notice.endswith(")")
        # a query the language refused is not a title: enter makes no entry of it
        assert static_text(app, "#status-line") == "no match (see below)"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.editor.original is None
        await pilot.press("escape")
        await settle(app, pilot)
        assert not app.query_one("#notice-box").display


@pytest.mark.parametrize("size", SIZES)
async def test_enter_on_no_match_searches_whole_words_before_creating(
    build, samples_copy, capsys, size
) -> None:
    assert cli_main(["--dir", str(samples_copy), "search", "policy", "--json"]) == 0
    found = [hit["number"] for hit in json.loads(capsys.readouterr().out)]
    assert found  # what `mistakes search policy` finds
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await search(app, pilot, "policy")
        # as you type, the sidebar finds what the CLI finds (the whole word, not a prefix)
        assert await wait_until(pilot, lambda: bool(prompts(app)))
        assert set(found) <= {int(p[:3]) for p in prompts(app)}
        # and should an as-you-type answer ever miss, enter checks the whole words first
        real = app.workspace.find

        def partial_misses(text: str, *args: object, **kwargs: object) -> SearchResults:
            if kwargs.get("partial", True):
                return SearchResults(text, [], 0)
            return real(text, *args, **kwargs)  # type: ignore[arg-type]

        app.workspace.find = partial_misses  # type: ignore[method-assign]
        await pilot.press("escape")  # clears the query
        await search(app, pilot, "policy")
        assert await wait_until(pilot, lambda: not prompts(app))
        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: bool(prompts(app)))
        assert [int(p[:3]) for p in prompts(app)] == found
        assert app.editor.original is None  # no entry was created
        assert on_screen(app, "The whole words match")
        assert len(list(samples_copy.glob("*.md"))) == 24
        await pilot.press("enter")  # now enter opens the best match
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.number == found[0]


# -- the keymap -----------------------------------------------------------------------------------
def test_unknown_keymap_ids_are_reported(samples_copy, tmp_path, capsys) -> None:
    config = user_config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    # known ids, the app's and the checklist's, are taken
    config.write_text('[keymap]\nsave = "ctrl+w"\nchecklist-add = "n"\n', "utf-8")
    make_app(samples_copy, cache_root=tmp_path / "c", data_dir=tmp_path / "d").workspace.close()
    config.write_text('[keymap]\nsaev = "ctrl+w"\nsave = "ctrl+w"\n', "utf-8")
    with pytest.raises(MistakesError) as caught:
        make_app(samples_copy, cache_root=tmp_path / "c", data_dir=tmp_path / "d")
    message = str(caught.value)
    assert "'saev'" in message and "save" in message.split("known:")[1]
    assert f"{config}:2:" in message  # the file and the line

    launched: list[str] = []

    def run_app(folder: str | None, template: str | None) -> int:
        launched.append("app")
        make_app(folder, template)
        return 0

    assert cli_main(["--dir", str(samples_copy)], run_app=run_app) == 1
    err = capsys.readouterr().err
    assert err.startswith("mistakes: ") and "names no binding 'saev'" in err
    assert "set-status" in err


@pytest.mark.parametrize("size", SIZES)
async def test_reindex_from_the_palette_finds_a_file_added_behind_the_apps_back(
    build, samples_copy, size
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        source = entry_file(samples_copy, 15).read_text("utf-8")
        (samples_copy / "025-quokka-cron.md").write_text(
            source.replace("Billing cron ran twice when clocks fell back for DST", "Quokka cron"),
            "utf-8",
        )
        await search(app, pilot, "quokka")
        assert prompts(app) == []
        await pilot.press("escape")
        await palette(app, pilot, "reindex")
        await settle(app, pilot)
        await search(app, pilot, "quokka")
        assert await wait_until(pilot, lambda: bool(prompts(app)))
        assert prompts(app)[0].startswith("025 Quokka cron")
