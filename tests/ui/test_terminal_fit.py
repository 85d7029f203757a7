"""The app on odd terminals (TERM=linux, NO_COLOR), the top bar, a new entry's severity."""

from __future__ import annotations

from pathlib import Path

import pytest
import textual.constants
from textual.filter import Monochrome, NoColor
from textual.pilot import Pilot
from textual.widgets import Select, Static

from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.dialogs import ConfirmScreen

from .conftest import dialog, entry_file, open_entry, settle, started, type_text, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 50), id="200x50")]
# what the Linux console's fonts lack (the list)
MISSING_ON_CONSOLE = "━╸╺╭╮╰╯…▏▁▂▃▅▆⏎🔎"


def screen_text(app: MistakesApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def look_everywhere(app: MistakesApp, pilot: Pilot) -> list[str]:
    """The screens of the app: an entry on a tab, a dialog, the command palette."""
    seen = [screen_text(app)]
    await pilot.press("ctrl+pagedown", "ctrl+pagedown")
    await pilot.pause()
    seen.append(screen_text(app))
    await type_text(pilot, "x")
    await pilot.press("ctrl+q")
    await dialog(app, pilot, ConfirmScreen)
    seen.append(screen_text(app))
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("ctrl+p")
    assert await wait_until(pilot, lambda: "CommandPalette" in type(app.screen).__name__)
    await pilot.pause()
    seen.append(screen_text(app))
    await pilot.press("escape")
    await pilot.pause()
    return seen


@pytest.mark.parametrize("size", SIZES)
async def test_the_linux_console_gets_glyphs_its_fonts_have(
    build, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("MISTAKES_ASCII", raising=False)
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 5)
        for screen in await look_everywhere(app, pilot):
            assert not [glyph for glyph in MISSING_ON_CONSOLE if glyph in screen], screen
        assert "-" * 10 in screen_text(app)  # the tab underline, in ASCII


async def test_ascii_can_be_asked_for_anywhere(build, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("MISTAKES_ASCII", "1")
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(app, pilot, 5)
        screen = screen_text(app)
        assert not [glyph for glyph in MISSING_ON_CONSOLE if glyph in screen], screen


@pytest.mark.parametrize("size", SIZES)
async def test_no_color_on_the_linux_console_keeps_text_readable(
    build, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """TERM=linux NO_COLOR=1 drew black on black (a greyscale filter over ANSI colours).
    Without colour, text keeps the terminal's own colours."""
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 5)
        filters = app.get_line_filters()
        assert not any(isinstance(f, Monochrome) for f in filters)
        assert any(isinstance(f, NoColor) for f in filters)
        strips = app.screen._compositor.render_strips()
        coloured = [
            segment.text
            for strip in strips
            for segment in strip
            if segment.style is not None
            and segment.text.strip()
            and segment.style.color is not None
            and not segment.style.color.is_default
        ]
        assert not coloured, coloured[:5]


@pytest.mark.parametrize("size", SIZES)
async def test_modified_stays_on_the_top_bar_with_a_long_title(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    path = entry_file(samples_copy, 5)
    long_title = "Connection pool exhausted after deploy of v2.3 while the canary was still at 10%"
    path.write_text(
        path.read_text("utf-8").replace(
            "title: Connection pool exhausted after deploy of v2.3", f"title: {long_title}"
        ),
        encoding="utf-8",
    )
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 5)
        await type_text(pilot, "x")
        await pilot.pause()
        assert app.editor.modified
        bar = app.query_one("#topbar", Static)
        row = screen_text(app).splitlines()[bar.region.y]
        assert row.rstrip().endswith("[modified]"), row
        assert "005 Connection pool" in row


@pytest.mark.parametrize("size", SIZES)
async def test_a_new_entry_without_a_severity_asks_for_one_on_save(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size, notifications=True) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        await type_text(pilot, "No severity yet")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.stored is None  # nothing written
        assert not list(samples_copy.glob("025-*.md"))
        severity = app.query_one("#field-severity", Select)
        assert app.focused is not None and severity in app.focused.ancestors_with_self
        assert severity.expanded
        assert any("severity" in n.message for n in app._notifications)
        await pilot.press("down", "down", "enter")  # past the blank row: critical
        await pilot.pause()
        assert severity.value == "critical"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
    (path,) = samples_copy.glob("025-*.md")
    assert "severity: critical" in path.read_text("utf-8")
