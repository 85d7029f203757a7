"""Drafts kept on SIGHUP and restored at the next start; files changed behind the app's back."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from textual.widgets import Input

import mistakes.ui.app as app_module
from mistakes.domain.entry import Entry, new_entry
from mistakes.services.drafts import DraftStore
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.dialogs import ConfirmScreen, DraftsScreen

from .conftest import (
    SIZE,
    area,
    dialog,
    entry_file,
    open_entry,
    results,
    settle,
    topbar,
    type_text,
    wait_until,
)

TYPED = " Ty"
DRAFTED = TYPED + "ped before the line dropped."


def draft_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "drafts").glob("*/*.json"))


async def type_at_end(app: MistakesApp, pilot, key: str, text: str) -> None:
    pane = area(app, key)
    pane.focus()
    pane.move_cursor(pane.document.end)
    await pilot.pause()
    await type_text(pilot, text)
    await pilot.pause()


async def hang_up_with_an_edit(build, samples_copy: Path, tmp_path: Path) -> None:
    """Edit 005, then SIGHUP (what the handler runs): a draft, exit code 129, no save."""
    path = entry_file(samples_copy, 5)
    before = path.read_bytes()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "what_happened", TYPED)
        area(app, "what_happened").insert(DRAFTED.removeprefix(TYPED))  # a paste
        await pilot.pause()
        assert app.editor.modified
        app._on_signal(signal.SIGHUP)
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 128 + signal.SIGHUP == 129
    assert path.read_bytes() == before  # a draft, not a save
    (draft,) = draft_files(tmp_path)
    data = json.loads(draft.read_text("utf-8"))
    assert data["path"] == str(path)
    assert data["entry"]["sections"]["what_happened"].endswith("completed." + DRAFTED)
    assert draft.parent.stat().st_mode & 0o777 == 0o700


async def test_draft_restored_at_next_start_then_saved(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    await hang_up_with_an_edit(build, samples_copy, tmp_path)
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Connection pool exhausted after deploy of v2.3" in await dialog(
            app, pilot, DraftsScreen
        )
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        assert not isinstance(app.screen, DraftsScreen)
        assert area(app, "what_happened").text.endswith("completed." + DRAFTED)
        assert app.editor.modified
        assert topbar(app).endswith("005 Connection pool exhausted after deploy of v2.3 [modified]")
        assert app.stored is not None and app.stored.path == path
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
    assert ("completed." + DRAFTED + "\n") in path.read_text("utf-8")
    assert draft_files(tmp_path) == []


async def test_draft_discarded_at_next_start(build, samples_copy: Path, tmp_path: Path) -> None:
    path = entry_file(samples_copy, 5)
    drafted = EntryFolder(samples_copy, load_template(None)).load(path).entry
    drafted.sections["what_happened"] += DRAFTED
    plant_draft(samples_copy, tmp_path, 5, drafted)
    assert len(draft_files(tmp_path)) == 1
    before = path.read_bytes()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await dialog(app, pilot, DraftsScreen)
        await pilot.press("d")
        await settle(app, pilot)
        assert not isinstance(app.screen, DraftsScreen)
        assert draft_files(tmp_path) == []
        assert app.editor.original is None
        assert app.sidebar.search_box.has_focus
    assert entry_file(samples_copy, 5).read_bytes() == before


async def test_sigterm_on_a_new_entry_keeps_a_draft(build, tmp_path: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await type_text(pilot, "Half")
        assert app.editor.modified
        app._on_signal(signal.SIGTERM)
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 128 + signal.SIGTERM
    (draft,) = draft_files(tmp_path)
    data = json.loads(draft.read_text("utf-8"))
    assert data["path"] is None
    assert data["entry"]["fields"]["title"] == "Half"


def rewrite(path: Path, old: str, new: str) -> str:
    """Change the file the way another editor would (a new file renamed over it)."""
    text = path.read_text("utf-8")
    assert old in text
    text = text.replace(old, new)
    tmp = path.with_suffix(".swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return text


async def test_file_changed_on_disk_asks_and_reloads(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 0.2)
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        rewrite(path, "From 14:40 UTC", "From 14:41 UTC (pulled)")
        assert path.name in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(
            pilot, lambda: area(app, "what_happened").text.startswith("From 14:41 UTC (pulled)")
        )
        assert not app.editor.modified
        assert not isinstance(app.screen, ConfirmScreen)
        # a second change is noticed too
        rewrite(path, "(pulled)", "(pulled twice)")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("k")
        await pilot.pause()
        assert "(pulled twice)" not in area(app, "what_happened").text


async def test_external_change_keep_then_save_asks_before_overwriting(
    build, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "initial_diagnosis", " M.")
        theirs = rewrite(path, "From 14:40 UTC", "From 14:42 UTC")
        app._watch_file()
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("k")
        await pilot.pause()
        assert area(app, "initial_diagnosis").text.endswith(" M.")
        # saving asks; escape keeps editing and writes nothing
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Nothing was saved" in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.editor.modified
        assert area(app, "initial_diagnosis").text.endswith(" M.")
        assert path.read_text("utf-8") == theirs
        # asked again, o saves mine over theirs
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await dialog(app, pilot, ConfirmScreen)
        assert path.read_text("utf-8") == theirs
        await pilot.press("o")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
    text = path.read_text("utf-8")
    assert "holding connections. M.\n" in text
    # overwriting keeps the form's text: theirs is replaced where mine differs
    assert "From 14:40 UTC" in text


async def test_opening_another_entry_with_unsaved_work_asks(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    """The autosaved draft goes once the work is saved; then the other entry opens."""
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "what_happened", " M.")
        app._autosave()  # what the timer runs every few seconds
        assert len(draft_files(tmp_path)) == 1
        app.sidebar.search_box.focus()
        results(app).highlighted = 0  # 024, the newest
        await pilot.press("enter")
        await pilot.pause()
        assert "unsaved changes" in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 24)
        assert not app.editor.modified
    assert "completed. M.\n" in path.read_text("utf-8")
    assert draft_files(tmp_path) == []


def plant_draft(samples_copy: Path, tmp_path: Path, number: int | None, entry: Entry) -> None:
    """A draft as the app leaves it (DraftStore), without running an app to make it."""
    store = DraftStore(tmp_path / "data", samples_copy)
    if number is None:
        store.save("new-1", None, None, entry)
    else:
        path = entry_file(samples_copy, number)
        digest = EntryFolder(samples_copy, load_template(None)).load(path).digest
        store.save(path.stem, path, digest, entry)


async def test_restored_new_entry_draft_is_modified(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    plant_draft(samples_copy, tmp_path, None, new_entry(load_template(None), "Half"))
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await dialog(app, pilot, DraftsScreen)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        assert app.query_one("#field-title", Input).value == "Half"
        assert app.stored is None
        assert app.editor.modified
        assert topbar(app).endswith("new Half [modified]")


async def test_restored_draft_over_a_changed_file_asks_before_saving(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    path = entry_file(samples_copy, 5)
    drafted = EntryFolder(samples_copy, load_template(None)).load(path).entry
    drafted.sections["what_happened"] += " Drafted."
    plant_draft(samples_copy, tmp_path, 5, drafted)
    theirs = rewrite(path, "From 14:40 UTC", "From 14:45 UTC (theirs)")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await dialog(app, pilot, DraftsScreen)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.modified)
        assert any("saving will ask first" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert path.read_text("utf-8") == theirs, "saved without asking"
        assert "Nothing was saved" in await dialog(app, pilot, ConfirmScreen)
