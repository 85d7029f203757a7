"""Editing existing entries: one-section diffs, the checklist, the quit prompt, the keymap."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.dialogs import ConfirmScreen, HelpScreen
from mistakes.ui.widgets.checklist import ChecklistEditor

from .conftest import (
    SIZE,
    area,
    changed_lines,
    dialog,
    diff_text,
    entry_file,
    open_entry,
    section_range,
    settle,
    topbar,
    type_text,
    wait_until,
)


async def append_to(app: MistakesApp, pilot, key: str, text: str) -> TextArea:
    """Show a section's tab, put the cursor at the end of its pane, type."""
    pane = area(app, key)
    tabs = app.editor.tabs
    assert tabs is not None
    tabs.active = pane.query_ancestor("TabPane").id or ""
    await pilot.pause()
    pane.focus()
    pane.move_cursor(pane.document.end)
    await pilot.pause()
    await type_text(pilot, text)
    await pilot.pause()
    return pane


async def saved(app: MistakesApp, pilot) -> None:
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: not app.editor.modified), "save did not finish"


def only_inside(before: str, after: str, heading: str) -> None:
    """Every changed line of the file is inside the section under ``heading``."""
    start, end = section_range(before, heading)
    changes = changed_lines(before, after)
    assert changes, "nothing changed"
    for _tag, i1, i2 in changes:
        assert start < i1 and i2 <= end, diff_text(before, after)


async def test_unchanged_save_then_one_section_edit(build, samples_copy: Path) -> None:
    """Type and take it back, save: the file stays as it was (bytes and mtime). Then edit
    one section and save: only that section's lines change."""
    path = entry_file(samples_copy, 5)
    before, mtime = path.read_text("utf-8"), path.stat().st_mtime_ns
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_entry(app, pilot, 5)
        await append_to(app, pilot, "initial_diagnosis", "x")
        assert app.editor.modified
        await pilot.press("backspace")
        await pilot.pause()
        assert not app.editor.modified
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app._notifications, "saving said nothing"
        assert not any(n.message.startswith("Saved") for n in app._notifications)
        assert path.read_text("utf-8") == before
        assert path.stat().st_mtime_ns == mtime

        await type_text(pilot, " M.")
        assert app.editor.modified
        assert topbar(app).endswith(" [modified]")
        await pilot.press("ctrl+s")
        await saved(app, pilot)
        assert not topbar(app).endswith(" [modified]")
        assert any(n.message.startswith("Saved 005-") for n in app._notifications)
    after = path.read_text("utf-8")
    only_inside(before, after, "### Initial Diagnosis")
    assert "pointed at the application holding connections. M.\n" in after


async def _checklist(app: MistakesApp, pilot) -> ChecklistEditor:  # type: ignore[no-untyped-def]
    tabs = app.editor.tabs
    assert tabs is not None
    panes = [pane.id for pane in tabs.query("TabPane")]
    app.editor.show_tab(panes.index("tab-checklist"))  # as the tab keys do
    await pilot.pause()
    editor = app.query_one(ChecklistEditor)
    assert app.focused is editor.listing  # not the hidden input under it
    return editor


def _rows(editor: ChecklistEditor) -> list[str]:
    listing = editor.listing
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_checklist_space_toggles_one_line(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_text("utf-8")
    item = "Add pool metrics to the default service dashboard template"
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        editor = await _checklist(app, pilot)
        row = _rows(editor).index(f"[ ] {item}")
        editor.listing.highlighted = row
        await pilot.press("space")
        await pilot.pause()
        assert _rows(editor)[row] == f"[x] {item}"
        assert editor.listing.highlighted == row
        assert app.editor.modified
        await pilot.press("ctrl+t")  # the older key toggles too, and back
        await pilot.pause()
        assert _rows(editor)[row] == f"[ ] {item}"
        assert not app.editor.modified
        await pilot.press("space", "ctrl+s")
        await saved(app, pilot)
    after = path.read_text("utf-8")
    changes = changed_lines(before, after)
    assert len(changes) == 1, diff_text(before, after)
    tag, i1, i2 = changes[0]
    assert (tag, i2 - i1) == ("replace", 1), diff_text(before, after)
    assert after.splitlines()[i1] == f"- [x] {item}"


async def test_checklist_keys_add_edit_move_and_remove_items(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        editor = await _checklist(app, pilot)
        first = _rows(editor)[0]
        count = len(_rows(editor))
        editor.listing.highlighted = 0
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Page the [bold]DB[/] owner")
        await pilot.press("enter")
        await pilot.pause()
        rows = _rows(editor)
        assert rows[1] == "[ ] Page the [bold]DB[/] owner"  # literal, added under the cursor
        assert editor.listing.highlighted == 1
        await pilot.press("e", "end", "!", "enter")
        await pilot.pause()
        assert _rows(editor)[1] == "[ ] Page the [bold]DB[/] owner!"
        await pilot.press("shift+up")
        await pilot.pause()
        assert _rows(editor)[:2] == ["[ ] Page the [bold]DB[/] owner!", first]
        await pilot.press("a")
        await type_text(pilot, "never mind")
        await pilot.press("escape")  # cancels: nothing added, the list has focus again
        await pilot.pause()
        assert len(_rows(editor)) == count + 1
        assert app.focused is editor.listing
        editor.listing.highlighted = len(_rows(editor)) - 1
        await pilot.press("d")
        await pilot.pause()
        assert len(_rows(editor)) == count
        await pilot.press("ctrl+s")
        await saved(app, pilot)
    text = path.read_text("utf-8")
    block = text[text.index("## Follow-up Actions") :]
    lines = [line for line in block.splitlines() if line.startswith("- [")]
    assert lines[0] == "- [ ] Page the [bold]DB[/] owner!"
    assert len(lines) == count


async def test_quit_prompt_escape_cancels_then_discard_quits(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_bytes()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        pane = await append_to(app, pilot, "what_happened", " E.")
        await pilot.press("ctrl+q")
        assert "Quit with unsaved changes?" in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.is_running and app.return_code is None
        assert pane.text.endswith(" E.")
        assert app.editor.modified
        assert app.focused is pane  # back where the typing was

        await pilot.press("ctrl+q")
        assert "Quit with unsaved changes?" in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("d")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    assert path.read_bytes() == before


async def test_quit_prompt_save_saves_then_quits(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_text("utf-8")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await append_to(app, pilot, "what_happened", " E.")
        await pilot.press("ctrl+q")
        assert "Quit with unsaved changes?" in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    after = path.read_text("utf-8")
    assert "until the rollback to v2.2.4 completed. E.\n" in after
    only_inside(before, after, "### What Happened")


async def test_keymap_from_config_moves_save_to_f5(
    build, samples_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\nsave = "f5"\n', encoding="utf-8")
    monkeypatch.setenv("MISTAKES_CONFIG", str(config))
    path = entry_file(samples_copy, 5)
    before = path.read_bytes()
    app: MistakesApp = build()
    assert app.workspace.config.keymap == {"save": "f5"}
    async with app.run_test(size=SIZE) as pilot:
        # the help lists the keys in force
        await pilot.press("f1")
        lines = (await dialog(app, pilot, HelpScreen)).splitlines()
        (save,) = [line.split() for line in lines if line.split()[1:] == ["Save"]]
        assert save[0] == "f5"
        await pilot.press("escape")
        await open_entry(app, pilot, 5)
        await append_to(app, pilot, "what_happened", "!")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert path.read_bytes() == before
        assert app.editor.modified
        await pilot.press("f5")
        await saved(app, pilot)
    assert "completed.!\n" in path.read_text("utf-8")


async def test_tags_complete_from_the_tags_already_used(build, samples_copy: Path) -> None:
    from textual.widgets import Input

    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        assert await wait_until(pilot, lambda: bool(app.editor.tag_suggester.tags)), [
            (w.name, w.state, w.error) for w in app.workers
        ]
        assert "postgres" in app.editor.tag_suggester.tags
        app.editor.show_tab(0)
        tags = app.query_one("#field-tags", Input)
        tags.focus()
        tags.value = ""
        await type_text(pilot, "ci, postg")
        # (the suggestion is computed asynchronously; Input keeps it in _suggestion)
        assert await wait_until(pilot, lambda: tags._suggestion == "ci, postgres")
        await pilot.press("right")  # accepts the suggestion
        await pilot.pause()
        assert tags.value == "ci, postgres"
        await type_text(pilot, ", postg")  # a tag already listed is not offered again
        await pilot.pause(0.3)
        assert tags._suggestion in ("", "ci, postgres, postg")
        await pilot.press("right")
        assert tags.value == "ci, postgres, postg"
