"""Text from files is shown literally: never markup, never a control sequence."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TabPane, TextArea

from mistakes.domain.entry import new_entry
from mistakes.domain.text import visible
from mistakes.storage.folder import EntryFolder
from mistakes.ui.app import MistakesApp

from .conftest import SIZE, prompts, results, settle, started, topbar, wait_until

ESCAPED = "\x1b[31mred\u202e txt"
TITLES = ["[bold]x[/]", "[@click=app.quit]y", "a [/b] c", ESCAPED]
SHOWN = ["[bold]x[/]", "[@click=app.quit]y", "a [/b] c", "^[[31mred<U+202E> txt"]
UNSAFE = ("\x1b", "\u202e")


@pytest.fixture
def hostile(samples_copy: Path, template) -> Path:
    """Entries 025-028 with hostile titles; 028 has an extra section with a markup heading."""
    folder = EntryFolder(samples_copy, template)
    for title in TITLES:
        entry = new_entry(template, title)
        entry.sections["what_happened"] = f"[b]not bold[/b] {title}"
        folder.create(entry)
    (last,) = samples_copy.glob("028-*.md")
    with last.open("a", encoding="utf-8") as handle:
        handle.write("\n## Notes [/b] [@click=app.quit]\n\nliteral [i]text[/i]\n")
    return samples_copy


def no_control_characters_on_screen(app: MistakesApp) -> bool:
    svg = app.export_screenshot()
    return not any(bad in svg for bad in UNSAFE)


async def open_index(app: MistakesApp, pilot, index: int) -> None:
    app.sidebar.search_box.focus()
    results(app).highlighted = index
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)
    number = 28 - index
    assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == number)


async def test_hostile_titles_listed_opened_and_saved_literally(build, hostile: Path) -> None:
    (escaped_file,) = hostile.glob("028-*.md")
    before = escaped_file.read_bytes()
    app: MistakesApp = build(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        shown = prompts(app)
        assert len(shown) == 28
        for number, title in zip((25, 26, 27, 28), SHOWN, strict=True):
            assert shown[28 - number].splitlines()[0] == f"{number:03d} {title}"
        assert not any(bad in prompt for prompt in shown for bad in UNSAFE)
        assert no_control_characters_on_screen(app)

        for index in range(4):
            number = 28 - index
            if number == 26:
                # clicking the [@click=app.quit] row opens that entry; the action never runs
                app.sidebar.search_box.focus()
                await pilot.click("#results", offset=(20, 2 * index))  # two rows a result
                await settle(app, pilot)
                assert await wait_until(
                    pilot, lambda: app.stored is not None and app.stored.number == 26
                )
            else:
                await open_index(app, pilot, index)
            assert app.is_running
            bar = topbar(app)
            assert bar.endswith(f"  {number:03d} {SHOWN[number - 25]}")
            assert not any(bad in bar for bad in UNSAFE)
            pane = app.query_one("#section-what_happened", TextArea)
            # shown with control characters visible; the file's text is kept unless edited
            assert pane.text == visible(f"[b]not bold[/b] {TITLES[number - 25]}")
            assert app.query_one("#field-title", Input).value == visible(TITLES[number - 25])
            assert app.editor.collect().title == TITLES[number - 25]
            assert not app.editor.modified
            assert no_control_characters_on_screen(app)
            if number == 28:
                # the Details tab (the title Input) shows no control character either
                await pilot.press("alt+1")
                await pilot.pause()
                assert no_control_characters_on_screen(app)
                # the extra section: a tab labelled literally, its text kept
                extra = [p for p in app.query(TabPane) if (p.id or "").startswith("tab-extra-")]
                assert len(extra) == 1
                label = app.editor.tabs.get_tab(extra[0]).label  # type: ignore[union-attr]
                assert label.plain == "Notes [/b] [@click=app.quit]"[:24]
                assert extra[0].query_one(TextArea).text.strip() == "literal [i]text[/i]"
                # saving what was opened writes the same bytes (the escape kept, not ^[)
                await pilot.press("ctrl+s")
                await settle(app, pilot)
                assert escaped_file.read_bytes() == before


async def test_no_control_characters_in_a_section_pane(build, samples_copy: Path) -> None:
    """Coloured log output pasted into Error Messages: shown as ^[, kept in the file."""
    (path,) = samples_copy.glob("005-*.md")
    text = path.read_text("utf-8")
    path.write_text(
        text.replace("[2025-04-09 15:01:44,118] ERROR", "\x1b[31m[2025-04-09] ERROR\x1b[0m"),
        encoding="utf-8",
    )
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app._open(path)
        await settle(app, pilot)
        await pilot.press("alt+4")
        await pilot.pause()
        assert app.editor.tabs is not None and app.editor.tabs.active == "tab-error_messages"
        shown = app.query_one("#section-error_messages", TextArea).text
        assert "\x1b" not in shown and "^[[31m" in shown
        assert "\x1b" not in app.export_screenshot()
        assert "\x1b[31m" in app.editor.collect().sections["error_messages"]  # kept on save
        # an edit elsewhere saves the untouched section's escape as it was
        what = app.query_one("#section-what_happened", TextArea)
        what.focus()
        what.move_cursor(what.document.end)
        await pilot.press("exclamation_mark")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
    saved = path.read_text("utf-8")
    assert "completed.!\n" in saved
    assert "\x1b[31m[2025-04-09] ERROR\x1b[0m" in saved


async def test_no_control_characters_in_the_preview(build, samples_copy: Path) -> None:
    (path,) = samples_copy.glob("005-*.md")
    text = path.read_text("utf-8")
    text = text.replace("title: Connection pool", 'title: "Connection \\u202epool')
    text = text.replace("after deploy of v2.3\n", 'after deploy of v2.3"\n', 1)
    text = text.replace("[2025-04-09 15:01:44,118] ERROR", "\x1b[31m[2025-04-09] ERROR\x1b[0m")
    text = text.replace("From 14:40 UTC", "From \x1b]52;c;aGVsbG8=\x1b\\14:40 UTC")
    path.write_text(text, encoding="utf-8")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app._open(path)
        await settle(app, pilot)
        assert app.editor.original is not None
        assert app.editor.original.title == "Connection \u202epool exhausted after deploy of v2.3"
        await pilot.press("ctrl+b", "ctrl+o")
        await pilot.pause()
        assert app.editor.tabs is not None and app.editor.tabs.active == "tab-preview"
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\u202e" not in svg
