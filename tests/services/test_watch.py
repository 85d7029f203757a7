"""Seeing outside changes: the folder poll, the open file's check, drafts whose file moved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mistakes.services.watch import FolderChanges, FolderWatch
from mistakes.services.workspace import EntryGone, Workspace


def entry_file(folder: Path, number: int) -> Path:
    (found,) = folder.glob(f"{number:03d}-*.md")
    return found


def bump(path: Path, text: str | None = None) -> None:
    """Write in place (like vim with backupcopy) and move the mtime on for sure."""
    if text is not None:
        path.write_text(text, encoding="utf-8")
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))


@pytest.fixture
def workspace(samples_copy: Path, tmp_path: Path) -> Workspace:
    ws = Workspace.open(samples_copy, cache_root=tmp_path / "cache", data_dir=tmp_path / "data")
    yield ws
    ws.close()


def test_folder_watch_sees_added_changed_and_removed_entry_files(samples_copy: Path) -> None:
    watch = FolderWatch(samples_copy)
    watch.SCAN_FACTOR = 0.0  # a full scan on every poll
    assert watch.poll() == FolderChanges()  # the first poll only looks
    assert not watch.poll()
    changed = entry_file(samples_copy, 5)
    bump(changed)
    removed = entry_file(samples_copy, 7)
    removed.unlink()
    added = samples_copy / "030-new.md"
    added.write_text("---\ntitle: New\n---\n", encoding="utf-8")
    (samples_copy / "notes.txt").write_text("not an entry", encoding="utf-8")
    (samples_copy / ".031-hidden.md").write_text("hidden", encoding="utf-8")
    changes = watch.poll()
    assert changes == FolderChanges((added,), (changed,), (removed,))
    assert changes.touches(changed) and changes.touches(removed) and not changes.touches(added)
    assert changes.removed_path(removed) and not changes.removed_path(changed)
    assert not watch.poll()  # seen once


def test_a_big_folder_is_scanned_less_often_but_adds_and_the_open_file_are_seen(
    samples_copy: Path,
) -> None:
    watch = FolderWatch(samples_copy)
    watch.SCAN_FACTOR = 1e9  # as if the last full scan had taken very long
    watch.prime()
    other, opened = entry_file(samples_copy, 3), entry_file(samples_copy, 5)
    bump(other)  # in place: the folder's mtime does not move
    assert not watch.poll(also=opened)  # not looked at until the next full scan
    bump(opened)
    assert watch.poll(also=opened).changed == (other, opened)  # the open one: at once
    bump(other)
    added = samples_copy / "030-new.md"
    added.write_text("x", encoding="utf-8")  # a new name moves the folder's mtime
    changes = watch.poll()
    assert changes.added == (added,) and changes.changed == (other,)
    assert not watch.poll(also=opened)


def test_folder_watch_on_a_missing_folder(tmp_path: Path) -> None:
    watch = FolderWatch(tmp_path / "none")
    watch.prime()
    assert not watch.poll()
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "001-a.md").write_text("x", encoding="utf-8")
    assert [p.name for p in watch.poll().added] == ["001-a.md"]


def test_changed_on_disk_compares_the_content(workspace: Workspace, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    stored = workspace.load(path)
    assert not workspace.changed_on_disk(stored)
    bump(path)  # touched, same bytes
    assert not workspace.changed_on_disk(stored)
    bump(path, path.read_text("utf-8").replace("14:40", "14:41"))
    assert workspace.changed_on_disk(stored)
    path.unlink()
    assert workspace.changed_on_disk(stored)


def test_poll_folder_brings_the_index_in_step(workspace: Workspace, samples_copy: Path) -> None:
    assert workspace.watch is not None
    workspace.watch.SCAN_FACTOR = 0.0
    workspace.sync()
    assert not workspace.poll_folder()
    text = entry_file(samples_copy, 5).read_text("utf-8")
    (samples_copy / "025-quokka.md").write_text(
        text.replace("Connection pool exhausted", "Quokka stampede"), encoding="utf-8"
    )
    entry_file(samples_copy, 24).unlink()
    path = entry_file(samples_copy, 3)
    bump(path, path.read_text("utf-8").replace("UnicodeDecodeError", "UnicodeDecodeError wombat"))
    changes = workspace.poll_folder()
    assert [p.name for p in changes.added] == ["025-quokka.md"]
    assert [p.name[:3] for p in changes.removed] == ["024"]
    assert [p.name[:3] for p in changes.changed] == ["003"]
    assert [h.number for h in workspace.find("quokka", partial=False).hits] == [25]
    assert [h.number for h in workspace.find("wombat", partial=False).hits] == [3]
    assert 24 not in [h.number for h in workspace.find("").hits]


def test_load_of_a_deleted_entry_says_so(workspace: Workspace, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    path.unlink()
    with pytest.raises(EntryGone, match=r"005-.*\.md: no longer in the folder"):
        workspace.load(path)


# -- drafts whose file changed, moved or went away ---------------------------------------------


def draft_of(workspace: Workspace, path: Path, edit: str = " Drafted.") -> None:
    stored = workspace.load(path)
    mine = stored.entry.copy()
    mine.sections["what_happened"] += edit
    workspace.drafts.save(path.stem, path, stored.digest, mine, base=stored.entry)


def test_a_draft_that_holds_what_its_file_holds_is_not_offered(
    workspace: Workspace, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    stored = workspace.load(path)
    workspace.drafts.save(path.stem, path, stored.digest, stored.entry, base=stored.entry)
    draft_of(workspace, entry_file(samples_copy, 6))
    workspace.drafts.save("new-1", None, None, stored.entry)
    assert [d.key for d in workspace.drafts_to_offer()] == [
        "006-tls-certificate-expired-on-internal-api-gateway",
        "new-1",
    ]
    assert [d.key for d in workspace.drafts.all()] == [
        "006-tls-certificate-expired-on-internal-api-gateway",
        "new-1",
    ]  # the stale one is gone


def test_restoring_a_draft_of_a_renamed_file_follows_it(
    workspace: Workspace, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    draft_of(workspace, path)
    renamed = samples_copy / "005-pool-exhausted.md"
    path.rename(renamed)
    (draft,) = workspace.drafts.all()
    restoring = workspace.prepare_restore(draft)
    assert restoring.stored is not None and restoring.stored.path == renamed
    assert restoring.note is not None and "renamed to 005-pool-exhausted.md" in restoring.note
    saved = workspace.save(restoring.stored, draft.entry)
    assert saved.path == renamed
    assert sorted(p.name for p in samples_copy.glob("0*.md"))[-1].startswith("024-")


def test_a_renamed_file_found_by_content_when_its_number_changed(
    workspace: Workspace, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    draft_of(workspace, path)
    renamed = samples_copy / "040-pool.md"
    path.rename(renamed)
    (draft,) = workspace.drafts.all()
    restoring = workspace.prepare_restore(draft)
    assert restoring.stored is not None and restoring.stored.path == renamed


def test_restoring_a_draft_of_a_deleted_file_saves_nothing_new(
    workspace: Workspace, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_text("utf-8")
    draft_of(workspace, path)
    path.unlink()
    (draft,) = workspace.drafts.all()
    restoring = workspace.prepare_restore(draft)
    assert restoring.stored is not None and restoring.stored.path == path
    assert restoring.note is not None and "was deleted" in restoring.note
    assert restoring.base == workspace.entries.folder.load_bytes(path, before.encode()).entry
    plan = workspace.plan_merge(restoring.stored, restoring.base, draft.entry)
    assert plan.stored is None and plan.result is None  # deleted: ask to write it back
    saved = workspace.write_back(restoring.stored, draft.entry)
    assert saved.path == path
    assert "completed. Drafted.\n" in path.read_text("utf-8")
    assert len(list(samples_copy.glob("0*.md"))) == 24


def test_restoring_a_draft_over_a_changed_file_saves_against_the_draft_s_base(
    workspace: Workspace, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    draft_of(workspace, path)
    theirs = path.read_text("utf-8").replace("holding connections.", "holding connections (t).")
    path.write_text(theirs, encoding="utf-8")
    (draft,) = workspace.drafts.all()
    restoring = workspace.prepare_restore(draft)
    assert restoring.stored is not None and restoring.stored.digest == draft.digest
    assert restoring.base == draft.base
    plan = workspace.plan_merge(restoring.stored, restoring.base, draft.entry)
    assert plan.result is not None and plan.result.kept == ["Initial Diagnosis"]
    assert plan.stored is not None
    workspace.save(plan.stored, plan.result.entry)
    text = path.read_text("utf-8")
    assert "holding connections (t)." in text and "completed. Drafted.\n" in text
