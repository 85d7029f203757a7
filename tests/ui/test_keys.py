"""Keys: help, palette, sidebar, preview, tabs, the search key, $EDITOR."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Markdown, OptionList, Static, TextArea

import mistakes.ui.app as app_module
from mistakes.domain.entry import Entry
from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.dialogs import CopyScreen, HelpScreen

from .conftest import (
    SIZE,
    area,
    dialog,
    open_entry,
    settle,
    started,
    type_text,
    wait_until,
)


async def test_f1_help_and_ctrl_p_palette_opens_an_entry(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f1")
        await dialog(app, pilot, HelpScreen)
        shown = "\n".join(str(w.content) for w in app.screen.query(Static))
        assert "Save" in shown and "Quit" in shown and "title:" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.sidebar.search_box.has_focus

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        assert app.is_running

        # the palette finds entries by title
        await pilot.press("ctrl+p")
        await type_text(pilot, "helm rollback")
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.number == 20


async def test_ctrl_b_sidebar_ctrl_o_preview_and_back(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not app.sidebar.display
        assert app.editor.size.width == 80
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.sidebar.display
        assert app.editor.size.width < 80
        # ctrl+f brings a hidden sidebar back, into the search box
        await pilot.press("ctrl+b", "ctrl+f")
        await pilot.pause()
        assert app.sidebar.display and app.sidebar.search_box.has_focus

        tabs = app.editor.tabs
        assert tabs is not None
        pane = area(app, "what_happened")
        pane.focus()
        pane.move_cursor(pane.document.end)
        await pilot.press("exclamation_mark")
        assert tabs.active == "tab-error_description"
        renders: list[str] = []
        render = app.editor.renderer
        assert render is not None

        def counted(entry: Entry) -> str:
            renders.append(entry.title)
            return render(entry)

        app.editor.renderer = counted
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert tabs.active == "tab-preview"
        assert len(renders) == 1  # one render per ctrl+o (a render costs ~0.4 s of CPU)
        markdown = app.query_one("#preview-md", Markdown)
        assert "Connection pool exhausted after deploy of v2.3" in markdown.source
        assert "### What Happened" in markdown.source
        assert "completed.!\n" in markdown.source  # what is typed, not the file
        # the YAML front matter does not become a heading (a setext heading: the lines
        # before the closing '---')
        headings = [
            getattr(block, "source", "")
            for block in markdown.children
            if re.fullmatch(r"MarkdownH[1-6]", type(block).__name__)
        ]
        assert headings
        assert not [h for h in headings if "severity:" in h or "date:" in h], headings
        # ctrl+o again: back to the tab it left, where the typing was
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert tabs.active == "tab-error_description"
        assert app.focused is pane
        # the preview reached by tab keys is filled too (from Details back round)
        app.query_one("#preview-md", Markdown).update("")
        await pilot.press("alt+1", "ctrl+pageup")
        await pilot.pause()
        assert tabs.active == "tab-preview"
        assert "### What Happened" in app.query_one("#preview-md", Markdown).source


async def test_tab_keys_and_slash(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        tabs = app.editor.tabs
        assert tabs is not None
        area(app, "initial_diagnosis").focus()
        await pilot.press("alt+1")
        await pilot.pause()
        assert tabs.active == "tab-details"
        assert isinstance(app.focused, Input) and app.focused.id == "field-title"
        await pilot.press("alt+3")
        await pilot.pause()
        assert tabs.active == "tab-environment_details"
        assert app.focused is area(app, "configuration")
        await pilot.press("ctrl+pagedown")
        await pilot.pause()
        assert tabs.active == "tab-error_messages"
        assert app.focused is area(app, "error_messages")
        await pilot.press("ctrl+pageup", "ctrl+pageup")
        await pilot.pause()
        assert tabs.active == "tab-error_description"
        pane = area(app, "what_happened")
        assert app.focused is pane

        # in a text pane, / is a character
        pane.move_cursor(pane.document.end)
        await pilot.press("slash")
        await pilot.pause()
        assert pane.text.endswith("completed./")
        assert app.focused is pane
        # in the results list, / goes to the search box
        app.query_one("#results", OptionList).focus()
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert app.sidebar.search_box.has_focus
        assert app.sidebar.search_box.value == ""


async def test_ctrl_e_edits_the_focused_section_in_editor(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_editor(path: Path) -> int:
        text = path.read_text("utf-8")
        seen.append(text)
        path.write_text(text + "\nAdded in $EDITOR.\n", encoding="utf-8")
        return 0

    monkeypatch.setattr(app_module, "run_editor", fake_editor)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        # no section focused: it only says so
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert seen == []
        assert any("section pane" in n.message for n in app._notifications)

        await open_entry(app, pilot, 5)
        await pilot.press("alt+8")
        await pilot.pause()
        assert app.editor.tabs is not None and app.editor.tabs.active == "tab-solution"
        pane = area(app, "fix")
        before = pane.text
        assert app.focused is pane
        # headless, the real suspend cannot work: a warning, no crash, nothing run
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.is_running and seen == [] and pane.text == before
        assert any("No terminal" in n.message for n in app._notifications)

        app.suspend = contextlib.nullcontext  # type: ignore[method-assign]
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert seen == [before + "\n"]  # the temp file ends with a newline, as editors expect
        assert pane.text == before + "\n\nAdded in $EDITOR."
        assert app.editor.modified
        assert pane.cursor_location == pane.document.end


async def test_ctrl_up_down_move_between_tabs_and_f2_f3_copy(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        tabs = app.editor.tabs
        assert tabs is not None
        area(app, "what_happened").focus()
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert tabs.active == "tab-environment_details"
        await pilot.press("ctrl+up", "ctrl+up")
        await pilot.pause()
        assert tabs.active == "tab-details"
        await pilot.press("f2")
        await pilot.pause()
        assert app.stored is not None
        assert copied == [str(app.stored.path.resolve())]
        # OSC 52 may be blocked by the terminal: the text is offered to copy by hand too
        assert isinstance(app.screen, CopyScreen)
        assert app.screen.query_one("#copy-text", TextArea).text == copied[-1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CopyScreen)
        await pilot.press("ctrl+down")
        await pilot.pause()
        pane = area(app, "what_happened")
        assert app.focused is pane
        await pilot.press("f3")
        await pilot.pause()
        assert copied[-1] == pane.text and pane.text
        assert isinstance(app.screen, CopyScreen)
        assert app.screen.query_one("#copy-text", TextArea).text == pane.text
        await pilot.press("escape")
