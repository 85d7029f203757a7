"""The index as a cache of the folder: where it lives, keeping it in step, rebuilding it when
it is corrupt or outdated, the pickle rule, locks, concurrent writers, merging, ranking."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.system import _FLOAT_SIZE, _INT_SIZE, _LONG_SIZE

from mistakes.search import locking
from mistakes.search.analysis import term_of
from mistakes.search.index import (
    MARKER,
    MAX_SEGMENTS,
    FileLock,
    IndexUnavailable,
    SearchIndex,
    index_dir_for,
)
from mistakes.services.search import SearchService
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from tests.search.conftest import SAMPLES, entry_text, numbers, whoosh_leaks, write_entry

TEMPLATE_FILE = (
    Path(__file__).resolve().parents[2] / "src" / "mistakes" / "templates" / "default.md"
)


@pytest.fixture
def small(folder: EntryFolder) -> EntryFolder:
    """Three small entries: quick to index."""
    write_entry(folder.root, 1, "walrus", "Walrus stuck in the queue", what_happened="alpha one")
    write_entry(folder.root, 2, "otter", "Otter timeout", what_happened="beta two")
    write_entry(folder.root, 3, "heron", "Heron crash", what_happened="gamma three")
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def opened(folder: EntryFolder, cache: Path) -> SearchIndex:
    index = SearchIndex(folder, cache)
    index.open()
    return index


def find(index: SearchIndex, query: str) -> list[int]:
    return numbers(index.search(query, limit=50).hits)


def segment_count(index: SearchIndex) -> int:
    """Segments of the index on disk, through a fresh reader."""
    with windex.open_dir(str(index.dir)).reader() as reader:
        return 1 if reader.is_atomic() else len(reader.leaf_readers())


def raw_find(index: SearchIndex, word: str) -> list[int]:
    """Entries whose title or body has the word, read straight from the index files (no
    sync, no cached searcher)."""
    term = term_of(word)
    query = wq.Or([wq.Term("body", term), wq.Term(index.fields.title, term)])
    with windex.open_dir(str(index.dir)).searcher() as searcher:
        return sorted(int(hit["number"]) for hit in searcher.search(query, limit=None))


def run_python(script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# -- where the index lives ------------------------------------------------------------------------


def test_index_lives_in_the_cache_not_in_the_folder(small: EntryFolder, cache: Path) -> None:
    before = sorted(p.name for p in small.root.iterdir())
    index = opened(small, cache)
    assert index.dir == index_dir_for(small.root, cache)
    assert index.dir.is_relative_to(cache)
    assert not index.dir.is_relative_to(small.root)
    assert sorted(p.name for p in small.root.iterdir()) == before
    assert (index.dir / MARKER).is_file()
    assert stat.S_IMODE(index.dir.stat().st_mode) == 0o700
    index.close()


def test_one_index_per_folder(tmp_path: Path, cache: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert index_dir_for(a, cache) != index_dir_for(b, cache)
    assert index_dir_for(a, cache) == index_dir_for(tmp_path / "b" / ".." / "a", cache)
    (tmp_path / "link").symlink_to(a)
    assert index_dir_for(tmp_path / "link", cache) == index_dir_for(a, cache)


def test_the_service_uses_the_user_cache(small: EntryFolder) -> None:
    service = SearchService(small)
    assert not service.exists()
    service.open()
    cache_home = Path(os.environ["XDG_CACHE_HOME"])
    assert service.index.dir.is_relative_to(cache_home)
    assert service.exists()
    service.close()


def test_the_service_indexes_a_save_only_when_there_is_an_index(small: EntryFolder) -> None:
    service = SearchService(small)
    service.saved(_save_section(small, "001-walrus.md", "first save"))
    assert not service.exists()
    assert not service.index.dir.exists()
    service.open()
    service.saved(_save_section(small, "001-walrus.md", "second save mu"))
    assert raw_find(service.index, "mu") == [1]
    service.close()
    later = SearchService(small)  # a new process: the index exists, not opened yet
    later.saved(_save_section(small, "002-otter.md", "third save nu"))
    assert raw_find(later.index, "nu") == [2]
    later.close()


# -- keeping in step ------------------------------------------------------------------------------


def test_first_open_indexes_everything(small: EntryFolder, cache: Path) -> None:
    index = SearchIndex(small, cache)
    report = index.open()
    assert report.rebuilt and report.added == 3 and not report.problems
    assert index.doc_count() == 3
    assert find(index, "walrus") == [1]
    index.close()


def test_first_open_has_no_notice(small: EntryFolder, cache: Path) -> None:
    report = SearchIndex(small, cache).open()
    assert report.notices == []


def test_second_open_reads_nothing_again(small: EntryFolder, cache: Path) -> None:
    opened(small, cache).close()
    report = SearchIndex(small, cache).open()
    assert not report.rebuilt and report.notices == []
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 3)


def _change_behind_the_back(root: Path) -> None:
    write_entry(root, 4, "puffin", "Puffin overflow", what_happened="delta four")
    (root / "001-walrus.md").write_text(
        entry_text("Walrus escaped the queue", what_happened="epsilon five"), "utf-8"
    )
    (root / "002-otter.md").unlink()


def test_changes_behind_the_apps_back_are_applied_by_sync(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    _change_behind_the_back(small.root)
    report = index.sync()
    assert (report.added, report.updated, report.deleted) == (1, 1, 1)
    assert report.unchanged == 1
    assert raw_find(index, "puffin") == [4]
    assert raw_find(index, "epsilon") == [1]
    assert raw_find(index, "alpha") == []
    assert raw_find(index, "otter") == []
    assert find(index, "puffin") == [4]  # the first searcher of this index object
    assert find(index, "epsilon") == [1]
    assert find(index, "alpha") == []
    assert index.doc_count() == 3
    index.close()


def test_changes_show_in_a_searcher_that_was_open(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    assert find(index, "walrus") == [1]  # the app has searched before
    _change_behind_the_back(small.root)
    index.sync()
    assert find(index, "puffin") == [4]
    assert find(index, "epsilon") == [1]
    assert find(index, "otter") == []
    assert find(index, "alpha") == []
    assert index.doc_count() == 3
    index.close()


def test_changes_while_closed_show_after_open(small: EntryFolder, cache: Path) -> None:
    opened(small, cache).close()
    (small.root / "003-heron.md").unlink()
    (small.root / "002-otter.md").write_text(entry_text("Otter", what_happened="zeta"), "utf-8")
    write_entry(small.root, 9, "crane", "Crane", what_happened="eta")
    index = SearchIndex(small, cache)
    report = index.open()
    assert not report.rebuilt
    assert (report.added, report.updated, report.deleted) == (1, 1, 1)
    assert find(index, "zeta") == [2]
    assert find(index, "crane") == [9]
    assert find(index, "heron") == []
    index.close()


def test_a_renamed_file_is_a_delete_and_an_add(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    (small.root / "003-heron.md").rename(small.root / "007-heron.md")
    report = index.sync()
    assert (report.added, report.deleted) == (1, 1)
    assert find(index, "heron") == [7]
    index.close()


def test_touching_a_file_is_unchanged(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    path = small.root / "001-walrus.md"
    later = time.time() + 100
    os.utime(path, (later, later))
    report = index.sync()
    assert (report.added, report.updated, report.deleted) == (0, 0, 0)
    assert report.unchanged == 3
    assert find(index, "walrus") == [1]
    index.close()


def test_same_size_edit_is_seen(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    path = small.root / "001-walrus.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace("alpha one", "omega one"), "utf-8")  # same length
    later = time.time() + 100
    os.utime(path, (later, later))
    assert index.sync().updated == 1
    assert find(index, "omega") == [1]
    index.close()


def test_unreadable_files_are_problems_not_failures(small: EntryFolder, cache: Path) -> None:
    (small.root / "004-broken.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    index = SearchIndex(small, cache)
    report = index.open()
    assert [p.path.name for p in report.problems] == ["004-broken.md"]
    assert index.doc_count() == 3
    (small.root / "004-broken.md").write_text(entry_text("Fixed now", what_happened="kappa"))
    report = index.sync()
    assert report.problems == []
    assert find(index, "kappa") == [4]
    index.close()


def _save_section(folder: EntryFolder, name: str, text: str):
    stored = folder.load(folder.root / name)
    entry = stored.entry.copy()
    entry.sections["what_happened"] = text
    return folder.save(stored, entry)


def test_update_entry_reaches_the_index(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    index.update_entry(_save_section(small, "001-walrus.md", "lambda nine"))
    assert raw_find(index, "lambda") == [1]
    assert raw_find(index, "alpha") == []
    assert find(index, "lambda") == [1]
    assert SearchIndex(small, cache).open().updated == 0  # the manifest knows the save
    index.close()


def test_update_entry_shows_in_an_open_searcher(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    assert find(index, "walrus") == [1]
    index.update_entry(_save_section(small, "001-walrus.md", "lambda nine"))
    assert find(index, "lambda") == [1]
    assert find(index, "alpha") == []
    index.close()


def test_progress_is_reported(small: EntryFolder, cache: Path) -> None:
    calls: list[tuple[int, int]] = []
    SearchIndex(small, cache).open(progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (3, 3)


# -- corrupt, missing or outdated: rebuilt with a notice ------------------------------------------


def _corrupt(directory: Path, kind: str) -> None:
    files = list(directory.iterdir())
    segs = [p for p in files if p.suffix == ".seg"]
    tocs = [p for p in files if p.suffix == ".toc"]
    if kind == "truncate-segments":
        assert segs
        for p in segs:
            with p.open("r+b") as handle:
                handle.truncate(50)
    elif kind == "garbage-segments":
        assert segs
        for p in segs:
            p.write_bytes(b"\xffgarbage\x00" * (p.stat().st_size // 9 + 1))
    elif kind == "delete-segments":
        for p in segs:
            p.unlink()
    elif kind == "delete-toc":
        assert tocs
        for p in tocs:
            p.unlink()
    elif kind == "garbage-toc":
        for p in tocs:
            p.write_bytes(b"not a table of contents")
    elif kind == "garbage-marker":
        (directory / MARKER).write_text("{nope", "utf-8")
    elif kind == "only-marker":
        for p in files:
            if p.name != MARKER:
                p.unlink()
    else:  # pragma: no cover
        raise AssertionError(kind)


CORRUPTIONS = [
    "truncate-segments",
    "garbage-segments",
    "delete-segments",
    "delete-toc",
    "garbage-toc",
    "garbage-marker",
    "only-marker",
]


@whoosh_leaks
@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_index_is_rebuilt_on_open(small: EntryFolder, cache: Path, kind: str) -> None:
    opened(small, cache).close()
    _corrupt(index_dir_for(small.root, cache), kind)
    index = SearchIndex(small, cache)
    report = index.open()
    assert report.rebuilt
    assert report.notices
    assert find(index, "walrus") == [1]
    assert index.doc_count() == 3
    index.close()
    assert not SearchIndex(small, cache).open().rebuilt


@whoosh_leaks
@pytest.mark.parametrize("kind", ["truncate-segments", "garbage-segments", "delete-toc"])
def test_corruption_between_open_and_search_still_answers(
    small: EntryFolder, cache: Path, kind: str
) -> None:
    index = opened(small, cache)
    _corrupt(index.dir, kind)
    results = index.search("walrus")
    assert numbers(results.hits) == [1]
    assert index.doc_count() == 3
    index.close()


@whoosh_leaks
@pytest.mark.parametrize("kind", ["truncate-segments", "garbage-segments", "delete-toc"])
def test_corruption_between_open_and_search_says_so(
    small: EntryFolder, cache: Path, kind: str
) -> None:
    index = opened(small, cache)
    _corrupt(index.dir, kind)
    results = index.search("walrus")
    assert numbers(results.hits) == [1]
    assert results.notice
    index.close()


@whoosh_leaks
def test_corruption_found_by_sync_is_rebuilt_with_a_notice(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    _corrupt(index.dir, "truncate-segments")
    write_entry(small.root, 4, "puffin", "Puffin", what_happened="delta")
    report = index.sync()
    assert report.rebuilt or report.added == 1
    assert find(index, "puffin") == [4]
    assert find(index, "walrus") == [1]
    index.close()


AFTER_A_SEARCH = """
import sys
from pathlib import Path
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.search.index import SearchIndex

folder = EntryFolder(Path(sys.argv[1]), load_template(None))
index = SearchIndex(folder, Path(sys.argv[2]))
index.open()
assert [h.number for h in index.search("walrus").hits] == [1]
for path in index.dir.glob("*.seg"):
    size = path.stat().st_size
    if sys.argv[3] == "truncate":
        with path.open("r+b") as handle:
            handle.truncate(50)
    else:
        with path.open("r+b") as handle:
            handle.write(b"\\xffgarbage\\x00" * (size // 9))
results = index.search("walrus")
print([h.number for h in results.hits], repr(results.notice))
"""


def test_corruption_after_a_search(small: EntryFolder, cache: Path) -> None:
    """Segments truncated under an open searcher: the search still answers right (from what
    it had read, or after a rebuild it says it made), and the next start rebuilds."""
    done = run_python(AFTER_A_SEARCH, str(small.root), str(cache), "truncate")
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.startswith("[1] "), done.stdout
    index = SearchIndex(small, cache)
    report = index.open()
    if "rebuilt" not in done.stdout:  # answered from what it had read: the next open rebuilds
        assert report.rebuilt and report.notices, done.stdout
    assert find(index, "walrus") == [1]
    index.close()


def test_garbage_in_a_segment_never_crashes(small: EntryFolder, cache: Path) -> None:
    """Garbage that makes Whoosh raise is rebuilt (as above); garbage that raises nothing
    can only give wrong hits until the next rebuild: a known limitation. Either way the
    process must not crash."""
    done = run_python(AFTER_A_SEARCH, str(small.root), str(cache), "garbage")
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr


def test_template_change_rebuilds(small: EntryFolder, cache: Path, tmp_path: Path) -> None:
    opened(small, cache).close()
    changed = tmp_path / "template.md"
    text = TEMPLATE_FILE.read_text("utf-8")
    changed.write_text(
        text.replace("## References", "## Workaround\n\n[How to live with it]\n\n## References"),
        "utf-8",
    )
    other = EntryFolder(small.root, load_template(changed))
    index = SearchIndex(other, cache)
    assert index.dir == index_dir_for(small.root, cache)
    report = index.open()
    assert report.rebuilt and report.notices
    assert find(index, "walrus") == [1]
    assert "workaround" in index.queries.field_names()
    index.close()
    report = SearchIndex(small, cache).open()  # and back
    assert report.rebuilt and report.notices


def test_rebuild(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    report = index.rebuild()
    assert report.rebuilt and report.added == 3
    assert find(index, "heron") == [3]
    index.close()


# -- the pickle rule ------------------------------------------------------------------------------


class _Payload:
    """Unpickling this makes a directory: the side effect that must never happen."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (self.path,))


def _plant_malicious_toc(directory: Path, sentinel: Path) -> None:
    """Replace the index's table of contents by one whose pickled schema runs code."""
    tocs = sorted(directory.glob("_MAIN_*.toc"))
    assert tocs
    name = tocs[-1].name
    generation = int(name.split("_")[2].split(".")[0])
    for toc in tocs:
        toc.unlink()
    stream = FileStorage(str(directory)).create_file(name)
    stream.write_varint(_INT_SIZE)
    stream.write_varint(_LONG_SIZE)
    stream.write_varint(_FLOAT_SIZE)
    stream.write_int(-12345)
    stream.write_int(windex._CURRENT_TOC_VERSION)
    for number in (2, 7, 5):
        stream.write_varint(number)
    stream.write_string(pickle.dumps(_Payload(sentinel), 2))
    stream.write_int(generation)
    stream.write_int(0)
    stream.write_pickle([])
    stream.close()
    os.chmod(directory / name, 0o600)


@whoosh_leaks
def test_the_planted_payload_is_live(small: EntryFolder, cache: Path, tmp_path: Path) -> None:
    """Control: Whoosh itself would run the payload, so the tests below mean something."""
    index = opened(small, cache)
    index.close()
    sentinel = tmp_path / "pwned"
    _plant_malicious_toc(index.dir, sentinel)
    with pytest.raises(Exception):  # noqa: B017 - the payload returns None, not a schema
        windex.open_dir(str(index.dir))
    assert sentinel.exists()


def _marker(directory: Path) -> dict[str, object]:
    return json.loads((directory / MARKER).read_text("utf-8"))


def _make_untrusted(directory: Path, how: str, tmp_path: Path) -> None:
    if how == "dir-world-writable":
        os.chmod(directory, 0o777)
    elif how == "dir-group-writable":
        os.chmod(directory, 0o770)
    elif how == "toc-world-writable":
        for toc in directory.glob("*.toc"):
            os.chmod(toc, 0o666)
    elif how == "marker-other-folder":
        marker = _marker(directory)
        marker["folder"] = str(tmp_path / "somewhere-else")
        (directory / MARKER).write_text(json.dumps(marker), "utf-8")
    elif how == "marker-other-version":
        marker = _marker(directory)
        marker["version"] = 999
        (directory / MARKER).write_text(json.dumps(marker), "utf-8")
    elif how == "marker-missing":
        (directory / MARKER).unlink()
    elif how == "marker-replaced-by-symlink":
        real = tmp_path / "elsewhere-marker.json"
        real.write_text((directory / MARKER).read_text("utf-8"), "utf-8")
        (directory / MARKER).unlink()
        (directory / MARKER).symlink_to(real)
    elif how == "foreign-writable-file":
        planted = directory / "planted.bin"
        planted.write_bytes(b"x")
        os.chmod(planted, 0o666)
    elif how == "foreign-symlink":
        (directory / "planted-link").symlink_to(tmp_path)
    else:  # pragma: no cover
        raise AssertionError(how)


UNTRUSTED = [
    "dir-world-writable",
    "dir-group-writable",
    "toc-world-writable",
    "marker-other-folder",
    "marker-other-version",
    "marker-missing",
    "marker-replaced-by-symlink",
    "foreign-writable-file",
    "foreign-symlink",
]


@pytest.mark.parametrize("how", UNTRUSTED)
def test_an_untrusted_index_is_never_unpickled(
    small: EntryFolder, cache: Path, tmp_path: Path, how: str
) -> None:
    opened(small, cache).close()
    directory = index_dir_for(small.root, cache)
    sentinel = tmp_path / "pwned"
    _plant_malicious_toc(directory, sentinel)
    _make_untrusted(directory, how, tmp_path)
    index = SearchIndex(small, cache)
    report = index.open()
    assert not sentinel.exists(), "the planted pickle was loaded"
    assert report.rebuilt
    assert report.notices
    assert find(index, "walrus") == [1]
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert not (directory / "planted-link").exists()
    index.close()
    assert not SearchIndex(small, cache).open().rebuilt
    assert not sentinel.exists()


def test_an_untrusted_index_met_by_search_is_never_unpickled(
    small: EntryFolder, cache: Path, tmp_path: Path
) -> None:
    """The same through search() on an index object that was never opened."""
    opened(small, cache).close()
    directory = index_dir_for(small.root, cache)
    sentinel = tmp_path / "pwned"
    _plant_malicious_toc(directory, sentinel)
    os.chmod(directory, 0o777)
    index = SearchIndex(small, cache)
    assert numbers(index.search("walrus").hits) == [1]
    assert not sentinel.exists()
    index.close()


def test_an_index_dir_that_is_a_symlink_is_replaced_not_followed(
    small: EntryFolder, cache: Path, tmp_path: Path
) -> None:
    opened(small, cache).close()
    directory = index_dir_for(small.root, cache)
    sentinel = tmp_path / "pwned"
    _plant_malicious_toc(directory, sentinel)
    target = tmp_path / "target"
    directory.rename(target)
    (target / "precious.txt").write_text("keep me", "utf-8")
    directory.symlink_to(target)
    index = SearchIndex(small, cache)
    report = index.open()
    assert not sentinel.exists()
    assert report.rebuilt
    assert not directory.is_symlink() and directory.is_dir()
    assert (target / "precious.txt").read_text("utf-8") == "keep me"
    assert find(index, "walrus") == [1]
    index.close()


def test_an_index_made_under_umask_002_is_reused(small: EntryFolder, cache: Path) -> None:
    old = os.umask(0o002)
    try:
        opened(small, cache).close()
        report = SearchIndex(small, cache).open()
    finally:
        os.umask(old)
    assert not report.rebuilt
    assert report.notices == []


# -- locks ----------------------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from mistakes.search.locking import FileLock
lock = FileLock(Path(sys.argv[1]))
lock.__enter__()
print("locked", flush=True)
time.sleep(120)
"""


def test_a_lock_held_by_a_killed_process_does_not_block(
    small: EntryFolder, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = opened(small, cache)
    lock_path = index.location.lock
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.3)
        with pytest.raises(IndexUnavailable, match="locked"), FileLock(lock_path):
            pass  # pragma: no cover - held by the other process
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
    # a dead holder's lock must not be waited for: a short timeout turns any wait into an error
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.5)
    index.update_entry(_save_section(small, "001-walrus.md", "after the kill"))
    assert raw_find(index, "kill") == [1]
    index.close()


UPDATE_FOREVER = """
import sys
from pathlib import Path
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.search.index import SearchIndex

folder = EntryFolder(Path(sys.argv[1]), load_template(None))
index = SearchIndex(folder, Path(sys.argv[2]))
index.open()
path = folder.root / sys.argv[3]
i = 0
while True:
    stored = folder.load(path)
    entry = stored.entry.copy()
    entry.sections["what_happened"] = f"loop{i} round"
    index.update_entry(folder.save(stored, entry))
    print(i, flush=True)
    i += 1
"""


def test_killing_a_writer_mid_update_does_not_block_or_break(
    small: EntryFolder, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened(small, cache).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", UPDATE_FOREVER, str(small.root), str(cache), "002-otter.md"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for _ in range(8):  # let it commit a few times, then kill it in the middle of one
            assert proc.stdout.readline().strip().isdigit()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
    # the killed writer's lock must not be waited for: a short timeout turns a wait into an error
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.5)
    index = SearchIndex(small, cache)
    index.open()  # whatever state the kill left: no traceback
    index.update_entry(_save_section(small, "001-walrus.md", "survivor"))
    assert raw_find(index, "survivor") == [1]
    assert raw_find(index, "round") == [2]
    assert index.doc_count() == 3
    index.close()


WRITER = """
import sys
from pathlib import Path
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.search.index import SearchIndex

root, cache, tag, rounds, *names = sys.argv[1:]
folder = EntryFolder(Path(root), load_template(None))
index = SearchIndex(folder, Path(cache))
index.open()
for i in range(int(rounds)):
    for name in names:
        stored = folder.load(folder.root / name)
        entry = stored.entry.copy()
        entry.sections["what_happened"] = f"{tag}{i} {tag}mark"
        index.update_entry(folder.save(stored, entry))
print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing(folder: EntryFolder, cache: Path) -> None:
    names = []
    for n in range(1, 5):
        names.append(write_entry(folder.root, n, f"e{n}", f"Entry {n}", what_happened="start").name)
    opened(folder, cache).close()
    rounds = "8"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder.root), str(cache), tag, rounds, *mine],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag, mine in (("apple", names[:2]), ("pear", names[2:]))
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        assert out.strip() == "done"
    index = SearchIndex(folder, cache)
    report = index.open()
    # nothing to catch up: every update of both processes reached the index itself
    assert not report.rebuilt
    assert (report.added, report.updated, report.deleted) == (0, 0, 0)
    assert find(index, "apple7") == [1, 2] or sorted(find(index, "apple7")) == [1, 2]
    assert sorted(find(index, "pear7")) == [3, 4]
    assert find(index, "apple6") == [] and find(index, "pear6") == []
    assert find(index, "start") == []
    assert index.doc_count() == 4
    index.close()


# -- merging --------------------------------------------------------------------------------------


def test_segments_are_merged(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    path = small.root / "001-walrus.md"
    most = 0
    for i in range(100):
        stored = small.load(path)
        entry = stored.entry.copy()
        entry.sections["what_happened"] = f"version{i}"
        index.update_entry(small.save(stored, entry))
        if i % 10 == 9:
            most = max(most, segment_count(index))
    assert segment_count(index) <= MAX_SEGMENTS
    assert most <= MAX_SEGMENTS
    assert raw_find(index, "version99") == [1]
    assert raw_find(index, "version98") == []
    assert index.doc_count() == 3
    index.close()


def test_segments_are_merged_by_sync_too(small: EntryFolder, cache: Path) -> None:
    index = opened(small, cache)
    path = small.root / "002-otter.md"
    for i in range(30):
        path.write_text(entry_text("Otter", what_happened=f"take{i}"), "utf-8")
        os.utime(path, ns=(time.time_ns() + i * 1_000_000, time.time_ns() + i * 1_000_000))
        assert index.sync().updated == 1
    assert segment_count(index) <= MAX_SEGMENTS
    assert raw_find(index, "take29") == [2]
    assert raw_find(index, "take28") == []
    index.close()


# -- ranking --------------------------------------------------------------------------------------


def test_equal_scores_put_the_newest_first(folder: EntryFolder, cache: Path) -> None:
    for number, date in (
        (1, "2026-05-01"),
        (2, "2024-01-01"),
        (3, "2025-06-01"),
        (4, "2026-05-02"),
    ):
        write_entry(
            folder.root,
            number,
            "same",
            "Walrus in the pipeline",
            date=date,
            what_happened="The walrus blocked the build.",
        )
    index = opened(folder, cache)
    hits = index.search("walrus").hits
    assert len({round(h.score, 6) for h in hits}) == 1
    assert numbers(hits) == [4, 1, 3, 2]
    index.close()


def test_title_is_weighted_above_body(folder: EntryFolder, cache: Path) -> None:
    write_entry(
        folder.root,
        1,
        "title",
        "Walrus blocked the build",
        date="2024-01-01",
        what_happened="The pipeline stopped at the deploy step for an hour.",
    )
    write_entry(
        folder.root,
        2,
        "body",
        "Pipeline blocked the build",
        date="2026-01-01",
        what_happened="The walrus stopped the deploy step for an hour, the walrus again.",
    )
    index = opened(folder, cache)
    assert find(index, "walrus") == [1, 2]
    index.close()


def test_sample_index_title_above_body(sample_index: SearchIndex) -> None:
    assert set(numbers(sample_index.search("deadlock").hits)[:1]) == {4}
    assert set(numbers(sample_index.search("pool exhausted").hits)) == {5, 19}


def test_samples_build(tmp_path: Path) -> None:  # how fast: benchmarks/search_bench.py
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    index = SearchIndex(EntryFolder(root, load_template(None)), tmp_path / "cache")
    index.open()
    assert index.doc_count() == 24
    index.close()


# -- two processes building the index at once -----------------------------------------------------

SLOW_REBUILD_A = """
import json, sys, time
from pathlib import Path
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.search.index import SearchIndex

dumps = json.dumps

def slow_dumps(obj, *args, **kwargs):
    if isinstance(obj, dict) and "signature" in obj:  # the marker: just after the discard
        print("discarded", flush=True)
        time.sleep(0.6)
    return dumps(obj, *args, **kwargs)

json.dumps = slow_dumps
index = SearchIndex(EntryFolder(Path(sys.argv[1]), load_template(None)), Path(sys.argv[2]))
index.open()
print("A", index.doc_count(), flush=True)
"""

SLOW_REBUILD_B = """
import sys, time
from pathlib import Path
import mistakes.search.store as store
from mistakes.search.index import SearchIndex
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template

document = store.index_document

def slow_document(*args, **kwargs):  # hold Whoosh's write lock a while
    time.sleep(0.4)
    return document(*args, **kwargs)

store.index_document = slow_document
index = SearchIndex(
    EntryFolder(Path(sys.argv[1]), load_template(None)), Path(sys.argv[2])
)
sys.stdin.readline()  # go
index.open()
print("B", index.doc_count(), flush=True)
"""


def test_two_processes_building_at_once_both_succeed(small: EntryFolder, cache: Path) -> None:
    b = subprocess.Popen(
        [sys.executable, "-c", SLOW_REBUILD_B, str(small.root), str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    a = subprocess.Popen(
        [sys.executable, "-c", SLOW_REBUILD_A, str(small.root), str(cache)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert a.stdout is not None and b.stdin is not None
    assert a.stdout.readline().strip() == "discarded"
    b.stdin.write("go\n")
    b.stdin.flush()
    a_out, a_err = a.communicate(timeout=60)
    b_out, b_err = b.communicate(timeout=60)
    assert b.returncode == 0, b_err[-1500:]
    assert a.returncode == 0, a_err[-1500:]
    assert a_out.strip() == "A 3" and b_out.strip() == "B 3"
