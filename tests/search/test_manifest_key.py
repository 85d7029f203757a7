"""A sync of a folder nobody changed reads only the key at the head of the manifest; any
change to the files (an edit in place, a file added, one deleted, a save through
``update_entry``) is still seen by the next sync, in this process or another."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mistakes.search import manifest
from mistakes.search.index import SearchIndex
from mistakes.storage.folder import EntryFolder
from tests.search.conftest import entry_text, numbers, write_entry


@pytest.fixture
def small(folder: EntryFolder) -> EntryFolder:
    write_entry(folder.root, 1, "walrus", "Walrus stuck in the queue", what_happened="alpha one")
    write_entry(folder.root, 2, "otter", "Otter timeout", what_happened="beta two")
    write_entry(folder.root, 3, "heron", "Heron crash", what_happened="gamma three")
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def fresh(folder: EntryFolder, cache: Path) -> SearchIndex:
    """The index as the next one-shot command opens it (a process of its own)."""
    index = SearchIndex(folder, cache)
    index.open()
    return index


def find(index: SearchIndex, query: str) -> list[int]:
    return numbers(index.search(query, limit=50).hits)


def never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(raw: bytes) -> manifest.Files:
        raise AssertionError("the manifest was parsed although no file changed")

    monkeypatch.setattr(manifest, "parse", refuse)


def test_an_unchanged_folder_is_synced_from_the_key_alone(
    small: EntryFolder, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh(small, cache).close()
    never_parsed(monkeypatch)
    index = SearchIndex(small, cache)
    report = index.open()
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 3)
    assert find(index, "walrus") == [1]
    assert index.scanned == {"001-walrus.md": 1, "002-otter.md": 2, "003-heron.md": 3}
    index.close()


def test_an_edit_in_place_is_seen_by_the_next_command(small: EntryFolder, cache: Path) -> None:
    fresh(small, cache).close()
    fresh(small, cache).close()  # the manifest has its key now
    path = small.root / "001-walrus.md"
    with path.open("r+", encoding="utf-8") as handle:  # the same file, written in place
        text = handle.read()
        handle.seek(0)
        handle.write(text.replace("alpha one", "omega one"))  # same size
    later = time.time() + 100
    os.utime(path, (later, later))
    index = fresh(small, cache)
    assert find(index, "omega") == [1]
    assert find(index, "alpha") == []
    index.close()


def test_a_new_file_is_found_and_a_deleted_one_is_gone(small: EntryFolder, cache: Path) -> None:
    fresh(small, cache).close()
    write_entry(small.root, 4, "puffin", "Puffin overflow", what_happened="delta four")
    (small.root / "002-otter.md").unlink()
    index = SearchIndex(small, cache)
    report = index.open()
    assert (report.added, report.deleted, report.unchanged) == (1, 1, 2)
    assert find(index, "puffin") == [4]
    assert find(index, "otter") == []
    index.close()
    index = fresh(small, cache)  # and again, from the key written by that sync
    assert find(index, "puffin") == [4]
    assert find(index, "otter") == []
    assert index.doc_count() == 3
    index.close()


def test_a_save_then_an_edit_behind_its_back_is_seen(small: EntryFolder, cache: Path) -> None:
    """``update_entry`` writes the manifest without a key: the next sync compares file by
    file (and writes the key again)."""
    index = fresh(small, cache)
    path = small.root / "002-otter.md"
    path.write_text(entry_text("Otter", what_happened="zeta"), "utf-8")
    index.update_entry(small.load(path))
    index.close()
    assert manifest.key_of(manifest.read_raw(index.dir)) == ""
    (small.root / "003-heron.md").write_text(entry_text("Heron", what_happened="theta"), "utf-8")
    index = fresh(small, cache)
    assert find(index, "zeta") == [2]
    assert find(index, "theta") == [3]
    assert manifest.key_of(manifest.read_raw(index.dir)) != ""
    index.close()


def test_the_same_files_give_the_same_key_and_any_change_another() -> None:
    files = {"001-a.md": (10, 5), "002-b.md": (20, 6)}
    key = manifest.scan_key(files)
    assert manifest.scan_key(dict(files)) == key
    assert manifest.scan_key({**files, "002-b.md": (20, 7)}) != key  # mtime
    assert manifest.scan_key({**files, "002-b.md": (21, 6)}) != key  # size
    assert manifest.scan_key({"001-a.md": (10, 5)}) != key  # deleted
    assert manifest.scan_key({**files, "003-c.md": (1, 1)}) != key  # added
    assert manifest.scan_key({"001-a.md": (10, 5), "002-c.md": (20, 6)}) != key  # renamed


def test_a_manifest_without_a_key_still_reads(small: EntryFolder, cache: Path) -> None:
    """A manifest written before the key (by an older version) is compared file by file."""
    index = fresh(small, cache)
    index.close()
    files = manifest.read(index.dir)
    manifest.write(index.dir, files)  # no key
    write_entry(small.root, 5, "crane", "Crane", what_happened="eta")
    index = fresh(small, cache)
    assert find(index, "crane") == [5]
    index.close()
