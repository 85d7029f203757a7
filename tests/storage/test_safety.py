"""Saving and reading entry files safely: group and mode kept, hard links, big files,
failures that leave the file as it was, editors at work on the same file."""

from __future__ import annotations

import errno
import os
import stat
import tracemalloc
from pathlib import Path

import pytest

from mistakes.domain.entry import Entry, new_entry
from mistakes.storage.atomic import NotDurableError, SaveError, write_atomic
from mistakes.storage.errors import EntryParseError
from mistakes.storage.folder import EntryFolder, StoredEntry
from mistakes.storage.hints import editing_hints
from mistakes.storage.reading import FileRefused


def make(folder: EntryFolder, title: str) -> StoredEntry:
    return folder.create(new_entry(folder.template, title))


def resolved(stored: StoredEntry) -> Entry:
    entry = stored.entry.copy()
    entry.fields["status"] = "resolved"
    return entry


def other_group() -> int:
    """A group the current user may give a file: any one for root, else a supplementary
    group the user is in."""
    mine = os.getegid()
    if os.geteuid() == 0:
        return 4242 if mine != 4242 else 4243
    groups = [g for g in os.getgroups() if g != mine]
    if not groups:
        pytest.skip("the user is in no second group")
    return groups[0]


@pytest.mark.skipif(not hasattr(os, "chown"), reason="no groups on this platform")
def test_save_keeps_the_group_and_the_mode(folder: EntryFolder) -> None:
    stored = make(folder, "Shared with the team")
    gid = other_group()
    os.chown(stored.path, -1, gid)
    os.chmod(stored.path, 0o640)
    saved = folder.save(stored, resolved(stored))
    info = saved.path.stat()
    assert "status: resolved" in saved.path.read_text()
    assert info.st_gid == gid
    assert stat.S_IMODE(info.st_mode) == 0o640


def test_a_file_with_two_hard_links_is_not_saved(folder: EntryFolder, tmp_path: Path) -> None:
    stored = make(folder, "Linked twice")
    other = tmp_path / "backup.md"
    os.link(stored.path, other)
    before = stored.path.read_bytes()
    with pytest.raises(FileRefused, match="has 2 hard links") as info:
        folder.save(stored, resolved(stored))
    assert str(info.value).startswith(f"{stored.path}: ")
    assert stored.path.read_bytes() == before == other.read_bytes()
    assert os.stat(stored.path).st_ino == os.stat(other).st_ino  # still one file
    other.unlink()
    assert "status: resolved" in folder.save(stored, resolved(stored)).path.read_text()


def test_a_huge_sparse_file_is_refused_without_being_read(folder: EntryFolder) -> None:
    good = make(folder, "Good")
    huge = folder.root / "002-huge.md"
    with huge.open("wb") as handle:
        handle.write(b"---\ntitle: huge\n---\n")
        handle.truncate(256 * 1024 * 1024)  # sparse: no disk, 256 MiB of memory if read
    tracemalloc.start()
    try:
        entries, problems = folder.load_all()
        with pytest.raises(EntryParseError, match="262144 KiB"):
            folder.load(huge)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    assert [e.path for e in entries] == [good.path]
    assert [(p.path, p.line) for p in problems] == [(huge, 0)]
    assert "files over 4096 KiB are not read" in problems[0].message


def _fail_on_dir_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_failed_folder_fsync_is_reported(folder: EntryFolder, monkeypatch) -> None:
    stored = make(folder, "Durable")
    _fail_on_dir_fsync(monkeypatch)
    with pytest.raises(
        NotDurableError, match=r"syncing the folder failed \(Input/output error\)"
    ) as info:
        folder.save(stored, resolved(stored))
    saved = info.value.saved  # it was written: the caller can carry on with it
    assert isinstance(saved, StoredEntry) and saved.entry.fields["status"] == "resolved"
    assert saved.digest != stored.digest
    with pytest.raises(NotDurableError, match="may not survive a crash"):
        make(folder, "Another")


def test_write_atomic_durable_flag_and_cleanup(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "manifest.json"
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    write_atomic(target, b"one", durable=False, mode=0o600)
    assert target.read_bytes() == b"one" and synced == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and len(synced) == 2  # the file, then the folder

    def broken_write(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", broken_write)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"three", durable=False)
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_enospc_on_save_leaves_the_file_and_no_temp(folder: EntryFolder, monkeypatch) -> None:
    stored = make(folder, "Full disk")
    before = stored.path.read_bytes()

    def broken_write(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", broken_write)
    with pytest.raises(SaveError) as info:
        folder.save(stored, resolved(stored))
    assert str(info.value) == (
        f"{stored.path}: not saved: No space left on device (the file is unchanged)"
    )
    assert stored.path.read_bytes() == before
    assert sorted(p.name for p in folder.root.iterdir()) == [stored.path.name]


# -- someone else at work on the file ------------------------------------------------------------


def test_editing_hints_name_vim_emacs_and_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    folder = repo / "mistakes"
    folder.mkdir(parents=True)
    path = folder / "001-x.md"
    path.write_text("x")
    (folder / ".002-y.md.swp").write_text("")  # another entry's swap file: not this one
    assert editing_hints(path) == []
    (folder / ".001-x.md.swp").write_text("")
    (folder / ".#001-x.md").symlink_to("root@host.1234:1")  # Emacs: a dangling link
    (repo / ".git").mkdir()
    assert editing_hints(path) == [
        "001-x.md is being edited in vim (swap file .001-x.md.swp)",
        "001-x.md is being edited in Emacs (lock .#001-x.md)",
    ]
    (repo / ".git" / "index.lock").write_text("")
    assert editing_hints(path)[-1] == (
        f"a git command is running in {repo.resolve()} ({repo.resolve() / '.git/index.lock'} "
        "exists)"
    )


def test_editing_hints_find_every_vim_swap_name_without_listing_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vim's second and later sessions write .swo, .swn, ... .swa; the hints look the names
    up rather than list the folder (a listing cost 37 ms per open at 50,000 entries)."""
    path = tmp_path / "001-x.md"
    path.write_text("x")
    for suffix in ("swo", "swa", "swp"):
        (tmp_path / f".001-x.md.{suffix}").write_text("")
    (tmp_path / ".001-x.md.bak").write_text("")  # not vim's

    def no_listing(*args: object) -> list[str]:
        raise AssertionError("the folder was listed")

    monkeypatch.setattr(os, "listdir", no_listing)
    monkeypatch.setattr(os, "scandir", no_listing)
    assert editing_hints(path) == [
        f"001-x.md is being edited in vim (swap file .001-x.md.{suffix})"
        for suffix in ("swa", "swo", "swp")
    ]
