"""Start, search, open, and create from the search box or with ctrl+n."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Input, Static, TabbedContent, TextArea

from mistakes.ui.app import MistakesApp

from .conftest import (
    SIZE,
    area,
    open_entry,
    prompts,
    results,
    settle,
    started,
    static_text,
    topbar,
    type_text,
    wait_until,
)

MATCHED = {"connection", "connections", "pool"}


def highlighted_words(app: MistakesApp) -> set[str]:
    """The words the preview shows in reverse video (the matched terms)."""
    content = app.query_one("#preview", Static).content
    assert isinstance(content, Content)
    return {
        content.plain[span.start : span.end].lower()
        for span in content.spans
        if "reverse" in str(span.style)
    }


async def test_start_lists_newest_first_and_focuses_search(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        shown = prompts(app)
        assert len(shown) == 24
        assert [int(p[:3]) for p in shown] == list(range(24, 0, -1))
        assert shown[0].splitlines() == [
            "024 Flaky test_webhook_retry times out in CI",
            "    low active  2026-11-03",
        ]
        assert results(app).highlighted == 0
        assert isinstance(app.focused, Input) and app.focused.id == "search"
        assert topbar(app) == str(samples_copy)
        assert static_text(app, "#status-line") == "24 newest of 24"
        assert app.editor.original is None
        # nothing open: ctrl+q leaves at once
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_search_preview_down_and_enter_opens(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    titles = {spec.title for spec in app.workspace.template.sections}
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await type_text(pilot, "connection pool")
        assert app.sidebar.search_box.value == "connection pool"
        await settle(app, pilot)
        assert [p[:3] for p in prompts(app)[:2]] == ["005", "019"]
        assert results(app).highlighted == 0
        # the preview: the section the match is in, then the text with the terms marked
        section, _, snippet = static_text(app, "#preview").partition(": ")
        assert section in titles
        assert "connection" in snippet.lower()
        assert highlighted_words(app) & MATCHED

        await pilot.press("down")
        await settle(app, pilot)
        assert results(app).highlighted == 1
        assert app.sidebar.search_box.has_focus  # the highlight moved, not the focus
        # 019's snippet is read when it is highlighted
        assert await wait_until(pilot, lambda: ": " in static_text(app, "#preview"))
        assert static_text(app, "#preview").partition(": ")[0] in titles
        assert highlighted_words(app) & MATCHED
        await pilot.press("up")
        assert results(app).highlighted == 0
        await pilot.press("down")

        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.number == 19
        bar = topbar(app)
        # the folder gives way (cut from the left) before the number and the title do
        assert bar.endswith("  019 Connection pool exhausted again after async SQLAlchemy migr…")
        assert bar.startswith("…") and samples_copy.name in bar
        assert "[modified]" not in bar
        what = area(app, "what_happened").text
        source = next(samples_copy.glob("019-*.md")).read_text("utf-8")
        assert what.startswith("Two days after orders-api v3.2.0")
        assert f"### What Happened\n\n{what.strip()}\n" in source
        assert app.editor.tabs is not None and app.editor.tabs.active == "tab-error_description"
        assert app.focused is area(app, "what_happened")
        assert not app.editor.modified


async def test_no_match_enter_creates_entry_then_save(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        await type_text(pilot, "quokka")
        await settle(app, pilot)
        assert prompts(app) == []
        assert static_text(app, "#status-line") == "no match: enter creates a new entry"
        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        assert app.editor.original is not None and app.editor.original.title == "quokka"
        assert app.stored is None
        assert app.query_one("#field-title", Input).value == "quokka"
        assert topbar(app).endswith("  new quokka") and samples_copy.name in topbar(app)

        # a new entry without a severity: the first save asks for one, a second saves anyway
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.stored is None
        assert any("Choose a severity" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        created = samples_copy / "025-quokka.md"
        assert created.is_file()
        assert len(list(samples_copy.glob("*.md"))) == 25
        assert "title: quokka\n" in created.read_text("utf-8")
        assert app.stored is not None and app.stored.path == created
        # the sidebar searched again: the new entry is the match now
        assert await wait_until(pilot, lambda: len(prompts(app)) == 1), prompts(app)
        assert prompts(app)[0].startswith("025 ")
        assert prompts(app)[0].splitlines()[0].endswith(" quokka")
        assert topbar(app).endswith(f"{samples_copy.name}  025 quokka")
        assert any("Saved 025-quokka.md" in n.message for n in app._notifications)


async def test_ctrl_n_title_section_and_save(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        assert isinstance(app.focused, Input) and app.focused.id == "field-title"
        assert topbar(app).endswith(f"{samples_copy.name}  new (untitled)")
        await type_text(pilot, "Stampede")
        assert topbar(app).endswith(f"{samples_copy.name}  new Stampede [modified]")  # as typed
        await pilot.press("alt+2")
        await pilot.pause()
        assert app.editor.tabs is not None and app.editor.tabs.active == "tab-error_description"
        # the tab key lands in the tab's first section: typing goes there
        assert isinstance(app.focused, TextArea) and app.focused.id == "section-what_happened"
        await type_text(pilot, "Raced.")
        await pilot.pause()
        assert area(app, "what_happened").text == "Raced."
        assert app.editor.modified
        assert "  new " in topbar(app)
        assert topbar(app).endswith(" [modified]")
        await pilot.press("f5", "h")  # the severity, in two keys
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        created = samples_copy / "025-stampede.md"
        assert created.is_file(), sorted(p.name for p in samples_copy.iterdir())
        text = created.read_text("utf-8")
        assert "title: Stampede\n" in text
        assert "### What Happened\n\nRaced.\n" in text
        assert not app.editor.modified
        assert topbar(app).endswith(f"{samples_copy.name}  025 Stampede")


async def test_opening_another_entry_refills_the_form(build, samples_copy: Path) -> None:
    """The form is built once; each open puts in the new entry's values, extra sections,
    checklist and a fresh undo history, and leaves it unmodified."""
    from mistakes.ui.widgets.checklist import ChecklistEditor

    from .conftest import entry_file, open_entry

    first = entry_file(samples_copy, 5)
    with first.open("a", encoding="utf-8") as handle:
        handle.write("\n## Timeline\n\n09:00 paged.\n")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        assert not app.editor.modified
        assert app.query_one("#extra-0", TextArea).text == "09:00 paged."
        what = app.query_one("#section-what_happened", TextArea)
        five_text = what.text
        five_items = list(app.query_one(ChecklistEditor).items)
        await open_entry(app, pilot, 7)
        await settle(app, pilot)
        assert app.stored is not None and app.stored.number == 7
        assert not app.editor.modified
        assert what.text != five_text and what.text == app.stored.entry.sections["what_happened"]
        assert not app.query("#extra-0")  # 007 has no extra sections: the tab went
        assert app.query_one(ChecklistEditor).items != five_items
        assert app.query_one("#field-title", Input).value == app.stored.entry.title
        what.focus()
        await pilot.press("ctrl+z")  # nothing to undo: the text is 007's as loaded
        await pilot.pause()
        assert what.text == app.stored.entry.sections["what_happened"]
        assert not app.editor.modified


async def test_while_the_index_is_built_the_status_says_so(build, samples_copy: Path) -> None:
    from mistakes.search.index import SearchResults

    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        before = prompts(app)
        app.post_message(MistakesApp.Indexing(1200, 10000))
        await pilot.pause()
        assert static_text(app, "#status-line") == "indexing 1,200 of 10,000 entries…"
        real = app.workspace.find
        app.workspace.find = lambda text, *a, **k: SearchResults(text, [], 0, pending=True)  # type: ignore[method-assign]
        await type_text(pilot, "pool")
        await pilot.press("enter")  # no answer yet: enter does not offer to create an entry
        await settle(app, pilot)
        assert static_text(app, "#status-line") == "indexing 1,200 of 10,000 entries…"
        assert prompts(app) == before
        assert not app.screen_stack[1:]
        app.workspace.find = real  # type: ignore[method-assign]
        app.post_message(MistakesApp.Synced([]))
        assert await wait_until(pilot, lambda: "indexing" not in static_text(app, "#status-line"))
        assert static_text(app, "#status-line") == f"{len(prompts(app))} of {len(prompts(app))}"


async def test_the_editor_form_is_built_while_idle_after_the_listing(
    build, samples_copy: Path
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert await wait_until(pilot, lambda: app.editor._built)
        tabs = app.editor.tabs
        assert tabs is not None and not tabs.display  # built, hidden until an entry opens
        assert app.query_one("#editor-empty").display


async def test_a_partial_answer_is_replaced_by_the_full_ranking(
    build, samples_copy: Path, monkeypatch
) -> None:
    from mistakes.search import searching as index_module
    from mistakes.ui.widgets import sidebar as sidebar_module

    monkeypatch.setattr(index_module, "BUDGET_EVERY", 1)
    monkeypatch.setattr(sidebar_module, "KEY_BUDGET", 0.0)  # every key: partial answers
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        full = app.workspace.find("connection")
        await type_text(pilot, "connection")
        assert await wait_until(
            pilot, lambda: static_text(app, "#status-line") == f"{len(full.hits)} of {full.total}"
        ), static_text(app, "#status-line")
        assert [p[:3] for p in prompts(app)] == [f"{h.number:03d}" for h in full.hits]


async def test_similar_tab_lists_past_entries_and_enter_opens_the_best(
    build, samples_copy: Path
) -> None:
    from textual.widgets import OptionList

    from .conftest import open_entry

    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 19)
        tabs = app.editor.tabs
        assert tabs is not None
        panes = [pane.id for pane in tabs.query("TabPane")]
        while tabs.active != "tab-similar":  # with the keys, as a user gets there
            await pilot.press("ctrl+pagedown")
            await pilot.pause()
        listing = app.query_one("#similar-list", OptionList)
        assert app.focused is listing
        assert await wait_until(pilot, lambda: listing.option_count > 0, timeout=10)
        assert str(tabs.get_tab("tab-similar").label) == f"Similar ({listing.option_count})"
        best = listing.get_option_at_index(0).id
        assert best is not None and not best.startswith("019-")
        assert "tab-similar" in panes
        await pilot.press("enter")  # the best match is highlighted: enter opens it
        assert await wait_until(
            pilot, lambda: app.stored is not None and app.stored.path.name == best
        )


async def test_opening_the_open_entry_again_keeps_its_tab(build) -> None:
    """Enter on the entry that is open already (the sidebar, a link to it) read it again and
    went back to its first section, away from the tab the user was on (and, before the open
    chose its tab itself, it reset the checklist that "open at item" had just shown)."""
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 3)
        tabs = app.query_one("#tabs", TabbedContent)
        await pilot.press("f6")
        await settle(app, pilot)
        assert tabs.active == "tab-checklist"
        await open_entry(app, pilot, 3)  # the sidebar's enter on it again
        assert tabs.active == "tab-checklist"
        await open_entry(app, pilot, 4)  # another entry: its first section
        assert tabs.active == "tab-error_description"
