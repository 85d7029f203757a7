"""Drafts kept on SIGHUP and restored at the next start; files changed behind the app's back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList

import mistakes.ui.app as app_module
from mistakes.domain.entry import Entry, new_entry
from mistakes.services.drafts import DraftStore
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.dialogs import ConfirmScreen
from mistakes.ui.screens.drafts import DraftPicker
from mistakes.ui.screens.merge import MergeScreen

from .conftest import (
    SIZE,
    area,
    dialog,
    entry_file,
    open_entry,
    prompts,
    results,
    settle,
    started,
    topbar,
    type_text,
    wait_until,
)

TYPED = " Ty"
DRAFTED = TYPED + "ped before the line dropped."


def draft_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "drafts").glob("*/*.json"))


def offered(app: MistakesApp) -> list[str]:
    """The drafts the start dialog lists (their labels)."""
    listing = app.screen.query_one("#draft-list", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


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
        await dialog(app, pilot, DraftPicker)
        (label,) = offered(app)
        assert label.startswith("Connection pool exhausted after deploy of v2.3")
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        assert not isinstance(app.screen, DraftPicker)
        assert area(app, "what_happened").text.endswith("completed." + DRAFTED)
        assert app.editor.modified
        assert topbar(app).endswith("005 Connection pool exhausted after deploy of v2.3 [modified]")
        assert app.stored is not None and app.stored.path == path
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        await settle(app, pilot)  # the refreshed listing lands before the app closes
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
        await dialog(app, pilot, DraftPicker)
        await pilot.press("d")
        await settle(app, pilot)
        assert not isinstance(app.screen, DraftPicker)
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


async def test_file_changed_on_disk_is_reloaded_when_nothing_is_unsaved(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch runs on its timer, in a thread: nothing is typed, so theirs is shown."""
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 0.2)
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_entry(app, pilot, 5)
        app.editor.show_tab(3)
        tab = app.editor.tabs.active if app.editor.tabs is not None else None
        rewrite(path, "From 14:40 UTC", "From 14:41 UTC (pulled)")
        assert await wait_until(
            pilot, lambda: area(app, "what_happened").text.startswith("From 14:41 UTC (pulled)")
        )
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("changed on disk; reloaded" in n.message for n in app._notifications)
        assert not app.editor.modified
        assert app.stored is not None and "(pulled)" in app.stored.entry.sections["what_happened"]
        assert app.editor.tabs is not None and app.editor.tabs.active == tab  # not moved
        # a second change is seen too
        rewrite(path, "(pulled)", "(pulled twice)")
        assert await wait_until(pilot, lambda: "(pulled twice)" in area(app, "what_happened").text)


async def test_external_change_with_unsaved_work_asks_and_save_keeps_theirs(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """I edit Initial Diagnosis, they edit What Happened: saving mine keeps both."""
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 0.2)
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "initial_diagnosis", " M.")
        theirs = rewrite(path, "From 14:40 UTC", "From 14:42 UTC")
        assert "changed on disk" in await dialog(app, pilot, ConfirmScreen)
        await pilot.press("k")
        await pilot.pause()
        assert area(app, "initial_diagnosis").text.endswith(" M.")
        # saving asks; escape keeps editing and writes nothing
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        question = await dialog(app, pilot, MergeScreen)
        assert "Nothing was saved" in question
        assert "Their changes stay: What Happened." in question
        assert "Both changed" not in question
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MergeScreen)
        assert app.editor.modified
        assert area(app, "initial_diagnosis").text.endswith(" M.")
        assert path.read_text("utf-8") == theirs
        # asked again, o saves mine over theirs
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await dialog(app, pilot, MergeScreen)
        assert path.read_text("utf-8") == theirs
        await pilot.press("o")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        await settle(app, pilot)  # the refreshed listing lands before the app closes
        # the form shows what was saved: their edit too
        assert area(app, "what_happened").text.startswith("From 14:42 UTC")
        assert area(app, "initial_diagnosis").text.endswith(" M.")
    text = path.read_text("utf-8")
    # mine lands, and their edit of a section I never touched survives
    assert "holding connections. M.\n" in text
    assert "From 14:42 UTC" in text and "From 14:40 UTC" not in text
    assert text == theirs.replace("holding connections.\n", "holding connections. M.\n")


async def test_both_changed_one_section_the_dialog_shows_what_is_replaced(
    build, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "what_happened", " Mine.")
        rewrite(path, "From 14:40 UTC", "From 14:42 UTC (theirs)")
        rewrite(path, "Rolled back to v2.2.4 at 15:12", "Rolled back to v2.2.4 at 15:13")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        question = await dialog(app, pilot, MergeScreen)
        assert "Their changes stay: Steps Taken." in question
        assert "Both changed What Happened." in question
        assert "Saving mine replaces theirs:" in question
        assert "    From 14:42 UTC (theirs), twenty minutes after v2.3.0 rolled out…" in question
        shown = [line for line in question.splitlines() if line.startswith("    ")]
        assert shown and all(len(line) <= 72 for line in shown)  # one row each at 80 columns
        # every button is on screen at 80 columns, inside the dialog
        dialog_box = app.screen.query_one(".dialog").region
        buttons = list(app.screen.query(Button))
        assert [str(b.label) for b in buttons] == [
            "Reload theirs (r)",
            "Save mine over it (o)",
            "Keep editing (esc)",
        ]
        for button in buttons:
            assert button.region.width >= len(str(button.label))
            assert dialog_box.contains_region(button.region), (button.label, button.region)
        await pilot.press("o")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        await settle(app, pilot)  # the refreshed listing lands before the app closes
    text = path.read_text("utf-8")
    assert "From 14:40 UTC, twenty" in text and "(theirs)" not in text  # mine replaced theirs
    assert "completed. Mine.\n" in text
    assert "Rolled back to v2.2.4 at 15:13" in text  # theirs elsewhere kept


async def test_reload_theirs_from_the_save_dialog(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "initial_diagnosis", " M.")
        theirs = rewrite(path, "From 14:40 UTC", "From 14:42 UTC")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await dialog(app, pilot, MergeScreen)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(
            pilot, lambda: area(app, "what_happened").text.startswith("From 14:42 UTC")
        )
        assert not area(app, "initial_diagnosis").text.endswith(" M.")
        assert not app.editor.modified
    assert path.read_text("utf-8") == theirs


async def test_entry_deleted_while_edited_is_written_back_when_asked(
    build, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_text("utf-8")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        await type_at_end(app, pilot, "initial_diagnosis", " M.")
        path.unlink()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "was deleted on disk" in await dialog(app, pilot, MergeScreen)
        assert not path.exists()
        await pilot.press("w")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        await settle(app, pilot)  # the refreshed listing lands before the app closes
    assert path.read_text("utf-8") == before.replace(
        "holding connections.\n", "holding connections. M.\n"
    )
    assert sorted(p.name[:3] for p in samples_copy.glob("*.md"))[-1] == "024"  # no new number


async def test_folder_changes_behind_the_apps_back_are_listed(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git pull adds one entry and deletes another: the list and the search follow."""
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 0.2)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        assert any(p.startswith("024 ") for p in prompts(app))
        gone = entry_file(samples_copy, 24)
        added = samples_copy / "025-zanzibar-quokka-outage.md"
        text = entry_file(samples_copy, 5).read_text("utf-8")
        added.write_text(
            text.replace(
                "Connection pool exhausted after deploy of v2.3", "Zanzibar quokka outage"
            ),
            encoding="utf-8",
        )
        gone.unlink()
        assert await wait_until(
            pilot,
            lambda: any(p.startswith("025 ") and "Zanzibar" in p for p in prompts(app)),
            timeout=6,
        )
        assert not any(p.startswith("024 ") for p in prompts(app))
        await pilot.click("#search")
        await type_text(pilot, "quokka")
        assert await wait_until(
            pilot, lambda: [p[:3] for p in prompts(app)] == ["025"], timeout=6
        ), prompts(app)


async def test_opening_an_entry_deleted_behind_the_apps_back_says_so(
    build, samples_copy: Path
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        entry_file(samples_copy, 24).unlink()  # listed first (the newest)
        app.sidebar.search_box.focus()
        results(app).highlighted = 0
        await pilot.press("enter")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("no longer in the folder (deleted or renamed on disk)" in m for m in messages)
        assert not any("Errno" in m for m in messages), messages
        assert app.stored is None


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
        stored = EntryFolder(samples_copy, load_template(None)).load(path)
        store.save(path.stem, path, stored.digest, entry, base=stored.entry)


async def test_restored_new_entry_draft_is_modified(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    plant_draft(samples_copy, tmp_path, None, new_entry(load_template(None), "Half"))
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await dialog(app, pilot, DraftPicker)
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
        await dialog(app, pilot, DraftPicker)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.modified)
        assert any("saving will ask first" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert path.read_text("utf-8") == theirs, "saved without asking"
        question = await dialog(app, pilot, MergeScreen)
        assert "Nothing was saved" in question
        assert "Their changes stay: What Happened." not in question  # both changed it
        assert "Both changed What Happened." in question
        assert "From 14:45 UTC (theirs)" in question


async def drafts_looked_up(app: MistakesApp, pilot) -> None:
    """The start's look for drafts (a thread) is done, and the entries are listed."""
    assert await wait_until(pilot, lambda: results(app).option_count > 0)
    assert await wait_until(
        pilot, lambda: not any(w.group == "drafts" and not w.is_finished for w in app.workers)
    )
    await pilot.pause()


async def undo_until(app: MistakesApp, pilot, key: str, text: str) -> None:
    for _ in range(10):
        if area(app, key).text == text:
            break
        await pilot.press("ctrl+z")
        await pilot.pause()
    assert area(app, key).text == text


async def test_an_undone_edit_leaves_no_draft(build, samples_copy: Path, tmp_path: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        before = area(app, "what_happened").text
        await type_at_end(app, pilot, "what_happened", " M.")
        app._autosave()  # what the timer runs every few seconds
        assert len(draft_files(tmp_path)) == 1
        await undo_until(app, pilot, "what_happened", before)
        assert not app.editor.modified
        app._autosave()
        assert draft_files(tmp_path) == []
    # and the next start offers nothing
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await drafts_looked_up(app, pilot)
        assert not isinstance(app.screen, DraftPicker)


async def test_a_clean_quit_leaves_no_draft(build, samples_copy: Path, tmp_path: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        before = area(app, "what_happened").text
        await type_at_end(app, pilot, "what_happened", " M.")
        app._autosave()
        assert len(draft_files(tmp_path)) == 1
        await undo_until(app, pilot, "what_happened", before)
        await pilot.press("ctrl+q")  # undone within the autosave's few seconds
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    assert draft_files(tmp_path) == []


async def test_a_draft_that_holds_the_saved_text_is_not_offered(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    """Left by an older version: an undone edit kept by the timer."""
    path = entry_file(samples_copy, 5)
    plant_draft(
        samples_copy, tmp_path, 5, EntryFolder(samples_copy, load_template(None)).load(path).entry
    )
    assert len(draft_files(tmp_path)) == 1
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await drafts_looked_up(app, pilot)
        assert not isinstance(app.screen, DraftPicker)
    assert draft_files(tmp_path) == []


async def test_a_draft_of_a_renamed_file_saves_to_it(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    path = entry_file(samples_copy, 5)
    drafted = EntryFolder(samples_copy, load_template(None)).load(path).entry
    drafted.sections["what_happened"] += DRAFTED
    plant_draft(samples_copy, tmp_path, 5, drafted)
    renamed = samples_copy / "005-pool-exhausted.md"
    path.rename(renamed)  # git mv, pulled
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await dialog(app, pilot, DraftPicker)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.modified)
        assert any("renamed to 005-pool-exhausted.md" in n.message for n in app._notifications)
        assert topbar(app).endswith("005 Connection pool exhausted after deploy of v2.3 [modified]")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        await settle(app, pilot)
    assert ("completed." + DRAFTED + "\n") in renamed.read_text("utf-8")
    assert sorted(p.name[:3] for p in samples_copy.glob("*.md"))[-1] == "024"  # no new entry
    assert draft_files(tmp_path) == []


async def test_a_draft_of_a_deleted_file_asks_to_write_it_back(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    path = entry_file(samples_copy, 5)
    drafted = EntryFolder(samples_copy, load_template(None)).load(path).entry
    drafted.sections["what_happened"] += DRAFTED
    plant_draft(samples_copy, tmp_path, 5, drafted)
    path.unlink()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await dialog(app, pilot, DraftPicker)
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.modified)
        assert any("was deleted since the draft" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "was deleted on disk" in await dialog(app, pilot, MergeScreen)
        assert not path.exists()
        await pilot.press("w")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        await settle(app, pilot)
    assert ("completed." + DRAFTED + "\n") in path.read_text("utf-8")
    assert sorted(p.name[:3] for p in samples_copy.glob("*.md"))[-1] == "024"  # no new number
    assert draft_files(tmp_path) == []


async def test_every_draft_is_offered_one_after_the_other(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    folder = EntryFolder(samples_copy, load_template(None))
    for number in (5, 6):
        drafted = folder.load(entry_file(samples_copy, number)).entry
        drafted.sections["what_happened"] += f" Draft {number}."
        plant_draft(samples_copy, tmp_path, number, drafted)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        question = await dialog(app, pilot, DraftPicker)
        assert "Unsaved changes to 2 entries" in question
        labels = offered(app)
        assert labels[0].startswith("Connection pool exhausted") and "005" in labels[0]
        assert labels[1].startswith("TLS certificate expired") and "006" in labels[1]
        assert labels[0].index("005") == labels[1].index("006")  # in a column
        box = app.screen.query_one(".dialog").region
        assert all(box.contains_region(b.region) for b in app.screen.query(Button))
        await pilot.press("down")
        await pilot.press("enter")  # the second
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 6)
        assert area(app, "what_happened").text.endswith(" Draft 6.")
        await pilot.press("ctrl+s")
        await dialog(app, pilot, DraftPicker)  # the one left is offered again
        assert [label[:14] for label in offered(app)] == ["Connection poo"]
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 5)
        assert area(app, "what_happened").text.endswith(" Draft 5.")
        assert app.editor.modified


async def test_ctrl_e_gives_the_editor_a_file_that_ends_with_a_line_break(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_editor(path: Path) -> int:
        text = path.read_text("utf-8")
        seen.append(text)
        path.write_text(text + "Added in $EDITOR.\n", encoding="utf-8")  # vi-like
        return 0

    monkeypatch.setattr(app_module, "run_editor", fake_editor)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        pane = area(app, "what_happened")
        before = pane.text
        app.suspend = contextlib.nullcontext  # type: ignore[method-assign]
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert seen == [before + "\n"]
        assert pane.text == before + "\nAdded in $EDITOR."
        assert app.editor.modified


async def test_the_whole_file_in_editor_is_read_back(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = entry_file(samples_copy, 5)

    def fake_editor(edited: Path) -> int:
        assert edited == path
        rewrite(edited, "status: resolved", "status: active")
        rewrite(edited, "From 14:40 UTC", "From 14:40 UTC (in vim)")
        return 0

    monkeypatch.setattr(app_module, "run_editor", fake_editor)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_entry(app, pilot, 5)
        app.suspend = contextlib.nullcontext  # type: ignore[method-assign]
        app.action_edit_file()
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: "(in vim)" in area(app, "what_happened").text)
        assert app.stored is not None and app.stored.entry.fields["status"] == "active"
        assert not app.editor.modified
        assert not isinstance(app.screen, ConfirmScreen)
        # a new entry has no file yet
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is None), app.stored
        app.action_edit_file()
        await pilot.pause()
        assert any("no file yet" in n.message for n in app._notifications), [
            n.message for n in app._notifications
        ]


async def test_waiting_for_workers_survives_one_replaced_by_a_newer_one(build) -> None:
    """Why test_draft_discarded_at_next_start failed now and then in whole runs: the wait
    for the app's workers raised WorkerCancelled when one of them was replaced by a newer
    worker of its group (exclusive=True: the listing refreshed after the startup sync, a
    result highlighted again). Here that happens on purpose, in the middle of the wait."""
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, lambda: results(app).option_count > 0, timeout=10)
        gate = threading.Event()
        app.run_worker(lambda: gate.wait(10), thread=True, group="probe", exclusive=True)

        async def replace_it() -> None:
            await asyncio.sleep(0.2)
            app.run_worker(lambda: None, thread=True, group="probe", exclusive=True)
            gate.set()

        replacing = asyncio.create_task(replace_it())
        await settle(app, pilot)
        await replacing
        assert not [w for w in app.workers if w.group == "probe" and not w.is_finished]
