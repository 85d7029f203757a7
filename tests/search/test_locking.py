"""The index lock between processes: killed writers, dead holders, waits that give up, and
saves that never fail because another process holds the lock."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistakes.domain.template import Template
from mistakes.search import locking
from mistakes.search.index import FileLock, IndexBusy, IndexUnavailable, SearchIndex
from mistakes.services.search import SearchService
from mistakes.services.workspace import Workspace
from mistakes.storage.folder import EntryFolder, StoredEntry
from tests.conftest import REPO, SAMPLES

MISTAKES = [
    sys.executable,
    "-c",
    "import sys; from mistakes.cli.main import main; sys.exit(main())",
]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return env


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text("utf-8", "replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Exists and is not a zombie (a killed orphan waiting for init to reap it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("utf-8", "replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def entries(tmp_path: Path) -> Path:
    root = tmp_path / "entries"
    shutil.copytree(SAMPLES, root)
    return root


HOLDER = """
import os, subprocess, sys, time
from pathlib import Path
from mistakes.search.locking import FileLock
lock = FileLock(Path(sys.argv[1]))
lock.acquire()
if sys.argv[2] == "pass-on":  # a descendant keeps the lock's descriptor (and outlives us)
    child = subprocess.Popen(["sleep", "120"], pass_fds=[lock.fd])
    print(child.pid, flush=True)
elif sys.argv[2] == "fork":  # a forked child (as Whoosh's build workers are)
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        # os.fork has returned here, so the after-fork handlers have run: say so. Without
        # the wait the parent could print (and be killed) before the child ran at all,
        # while it still had the lock's descriptor the fork copied.
        os.close(ready_r)
        os.write(ready_w, b"x")
        os.close(ready_w)
        time.sleep(120)
        os._exit(0)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"x"
    os.close(ready_r)
    print(pid, flush=True)
else:
    print(os.getpid(), flush=True)
time.sleep(120)
"""


@pytest.fixture
def hold_lock() -> Iterator[callable]:  # type: ignore[valid-type]
    """Start a process that takes a lock and holds it: (process, the pid it printed)."""
    started: list[subprocess.Popen[str]] = []
    extra: list[int] = []

    def start(path: Path, how: str = "hold") -> tuple[subprocess.Popen[str], int]:
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(HOLDER), str(path), how],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.isdigit(), line
        if how != "hold":
            extra.append(int(line))
        return proc, int(line)

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    for pid in extra:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# -- a killed reindex -----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_killing_reindex_leaves_no_workers_and_search_works(tmp_path: Path) -> None:
    """kill -9 of ``mistakes reindex`` while its two worker processes build: the workers go
    with it, and the next command finds the lock free (it used to wait 60 s, then fail)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from synth import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path / "synth"
    generate(root, 700, seed=7)  # above the size that builds in two processes
    env = _env()
    reindex = subprocess.Popen(
        [*MISTAKES, "--dir", str(root), "reindex"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert _wait_for(lambda: len(_children(reindex.pid)) >= 1, 60), "no worker started"
        workers = _children(reindex.pid)
        assert reindex.poll() is None, "the build ended before it could be killed"
    finally:
        reindex.kill()
        reindex.wait(10)
        if reindex.stderr is not None:
            reindex.stderr.close()
    assert _wait_for(lambda: not any(_running(pid) for pid in workers), 10), [
        pid for pid in workers if _running(pid)
    ]
    search = subprocess.run(
        [*MISTAKES, "--dir", str(root), "search", "--json", "timeout"],
        capture_output=True,
        text=True,
        env=env,
        timeout=50,  # under the 60 s that a lock kept by the workers made it wait
        check=False,
    )
    assert search.returncode == 0, search.stderr[-2000:]
    assert "Traceback" not in search.stderr
    assert json.loads(search.stdout), search.stderr


def test_a_cancelled_build_ends_its_workers(tmp_path: Path) -> None:
    """A build given up half-way (shutdown, an error) ends the worker processes it forked,
    rather than leave them waiting for work (and this process waiting on them at exit)."""
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import FileStorage

    from mistakes.search.building import build_writer

    ix = FileStorage(str(tmp_path)).create_index(Schema(path=ID(stored=True), body=TEXT))
    writer = build_writer(ix, 1000, forking_allowed=True)
    for n in range(250):  # two batches of 100 go to two workers
        writer.add_document(path=str(n), body=f"word{n} other text")
    tasks = list(writer.tasks)
    assert tasks and all(task.is_alive() for task in tasks)
    writer.cancel()
    assert not any(task.is_alive() for task in tasks)
    ix.close()


# -- a lock whose holder died ---------------------------------------------------------------------


def _edit(folder: EntryFolder, number: int, text: str) -> StoredEntry:
    """Save a new What Happened into entry ``number`` (the file only)."""
    stored = folder.load(next(folder.root.glob(f"{number:03d}-*.md")))
    entry = stored.entry.copy()
    entry.sections["what_happened"] = text
    return folder.save(stored, entry)


def test_a_lock_kept_by_a_descendant_of_a_dead_writer_does_not_block(
    entries: Path, tmp_path: Path, template: Template, hold_lock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = EntryFolder(entries, template)
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    holder, _child = hold_lock(index.location.lock, "pass-on")
    holder.kill()  # the writer dies; its child still has the lock's file open (and locked)
    holder.wait(10)
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 5.0)
    index.update_entry(_edit(folder, 1, "zanzibar after the writer died"))  # not IndexBusy
    assert [h.number for h in index.search("zanzibar").hits] == [1]
    index.close()


def test_a_forked_child_does_not_keep_the_lock(tmp_path: Path, hold_lock) -> None:
    """The writer dies, its forked child lives on: the lock file itself is free at once."""
    import fcntl

    lock = tmp_path / "x.lock"
    holder, child = hold_lock(lock, "fork")
    holder.kill()
    holder.wait(10)
    assert _running(child)
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: the child holds it
    finally:
        os.close(fd)


def test_a_lock_held_by_a_live_process_is_waited_for_and_named(
    entries: Path, tmp_path: Path, template: Template, hold_lock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = EntryFolder(entries, template)
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    _proc, pid = hold_lock(index.location.lock)
    told: list[str] = []
    index.on_wait = told.append
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.3)
    with pytest.raises(IndexBusy) as raised:
        index.update_entry(_edit(folder, 1, "never indexed"))
    message = str(raised.value)
    assert f"process {pid}" in message and "\n" not in message
    assert told == [f"waiting for the search index: it is locked by {raised.value.holder}"]
    assert f"process {pid}" in told[0]
    index.close()


# -- giving up a wait when the app closes ---------------------------------------------------------


def test_shutdown_ends_a_wait_for_the_lock(
    entries: Path, tmp_path: Path, template: Template, hold_lock
) -> None:
    """The app's exit while its sync waits for another process's lock: the wait gives up at
    once (the screen stayed blank for the rest of the 60 s)."""
    service = SearchService(EntryFolder(entries, template), tmp_path / "cache", threaded=True)
    service.open()
    hold_lock(service.index.location.lock)
    waiting = threading.Event()
    service.on_wait = lambda _message: waiting.set()
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(service.ensure_open()))
    thread.start()
    assert waiting.wait(20), "the sync did not say it waits"
    service.shutdown()
    thread.join(20)
    assert not thread.is_alive(), "the wait went on after shutdown"
    assert len(outcome) == 1  # it returned (an empty report), it did not raise


# -- a save while another process holds the lock --------------------------------------------------


def test_a_save_in_the_app_is_queued_while_the_index_is_locked(
    entries: Path, tmp_path: Path, hold_lock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is saved and the save returns at once; the index update waits in a queue,
    says why, and is applied by flush() once the other process lets go."""
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 5.0)
    workspace = Workspace.open(entries, cache_root=tmp_path / "cache", data_dir=tmp_path / "d")
    workspace.sync()
    holder, pid = hold_lock(workspace.search.index.location.lock)
    stored = workspace.load(next(entries.glob("001-*.md")))
    entry = stored.entry.copy()
    entry.sections["what_happened"] = "quokka while locked"
    saved = workspace.save(stored, entry)  # did not raise, did not wait for the lock
    assert "quokka while locked" in saved.path.read_text("utf-8")
    pending = workspace.search.pending()
    assert pending is not None
    assert pending.names == (saved.path.name,)
    assert f"process {pid}" in pending.reason
    assert workspace.find("quokka").hits == []
    with pytest.raises(IndexBusy):
        workspace.search.flush(timeout=0.2)
    assert workspace.search.pending() is not None  # still queued
    holder.kill()
    holder.wait(10)
    report = workspace.search.flush()
    assert report.updated == 1
    assert workspace.search.pending() is None
    assert [h.number for h in workspace.find("quokka").hits] == [1]
    workspace.close()


def test_a_save_from_the_cli_still_waits_and_says_why(
    entries: Path, tmp_path: Path, template: Template, hold_lock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.3)
    folder = EntryFolder(entries, template)
    service = SearchService(folder, tmp_path / "cache")
    service.open()
    _proc, pid = hold_lock(service.index.location.lock)
    with pytest.raises(IndexBusy, match=f"process {pid}"):
        service.saved(_edit(folder, 2, "wombat"))
    service.close()


# -- the lock file itself -------------------------------------------------------------------------


def test_a_lock_that_cannot_be_opened_leaves_the_umask_alone(tmp_path: Path) -> None:
    (tmp_path / "a-directory.lock").mkdir()
    before = os.umask(0o022)
    os.umask(before)
    with pytest.raises(IndexUnavailable) as raised, FileLock(tmp_path / "a-directory.lock"):
        pass  # pragma: no cover
    after = os.umask(0o022)
    os.umask(after)
    assert after == before
    assert "a-directory.lock" in str(raised.value) and "\n" not in str(raised.value)


def test_the_lock_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        with FileLock(tmp_path / "x.lock"):
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "x.lock").stat().st_mode & 0o777 == 0o600


def test_the_cli_says_who_holds_the_lock_in_one_line(
    samples_copy: Path, hold_lock, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from mistakes.cli.main import main
    from mistakes.search.cache import index_dir_for, lock_path_for
    from mistakes.services.config import user_cache_dir

    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.3)
    lock = lock_path_for(index_dir_for(samples_copy, user_cache_dir()))
    lock.parent.mkdir(parents=True, mode=0o700)
    _proc, pid = hold_lock(lock)
    code = main(["--dir", str(samples_copy), "search", "deadlock"])
    err = capsys.readouterr().err
    assert code == 1
    said = err.strip().splitlines()
    # while it waits it says for whom; when it gives up, one line says why
    assert said[0].startswith(
        f"mistakes: waiting for the search index: it is locked by process {pid} ("
    )
    assert said[-1].startswith(f"mistakes: the search index is locked by process {pid} (")
    assert len(said) == 2 and "Traceback" not in err
