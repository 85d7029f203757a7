"""The lock that one process holds while it writes a folder's index.

An exclusive ``flock`` on a file beside the index directory. The kernel lets go of it when
the process dies, unless a child forked meanwhile still has the file open: such children
close it right after the fork (:func:`os.register_at_fork`), and the holder's process id is
written in the file, so that a lock still held after its writer died (a child of an older
version, a stray copy of the descriptor) is replaced rather than waited for.

A wait says what it waits for (``on_wait``), gives up when ``cancelled`` is set (the app
is shutting down) and after :data:`LOCK_TIMEOUT` seconds with :class:`IndexBusy`. The lock
file is created with mode 0600 of its own: nothing here changes the process's umask.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from types import TracebackType

from mistakes.search.types import IndexBusy, IndexUnavailable, Notify

try:
    import fcntl

    HAVE_FLOCK = True
except ImportError:  # pragma: no cover - not POSIX: Whoosh's own lock still guards writes
    HAVE_FLOCK = False

LOCK_TIMEOUT = 60.0  # seconds a writer waits for another process before giving up
_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

_held: set[int] = set()  # descriptors of the locks this process holds now
_held_guard = threading.Lock()


def _forget_in_child() -> None:
    """In a forked child: close the parent's lock descriptors, so that the lock goes
    with the parent (a child that outlived it would hold the lock for ever)."""
    for fd in list(_held):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def probe(path: Path) -> str:
    """Why the lock file ``path`` cannot be opened ("" when it can)."""
    try:
        fd = os.open(path, _FLAGS, 0o600)
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    os.close(fd)
    return ""


class LockCancelled(Exception):
    """The wait for a lock was given up because ``cancelled`` was set."""


def alive(pid: int) -> bool:
    """Whether a process with this id runs (a zombie, killed but not yet reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:  # pragma: no cover - no signals here: assume it runs
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("utf-8", "replace")
    except OSError:
        return True
    state = stat.rpartition(")")[2].split()[:1]
    return state not in (["Z"], ["X"])


def describe(pid: int) -> str:
    """``process 1234 (mistakes reindex)``: the command line where it can be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    if words and Path(words[0]).name.startswith("python") and len(words) > 1:
        words = words[1:]  # python .../mistakes reindex: the script is what tells
    if words:
        words[0] = Path(words[0]).name
    command = " ".join(" ".join(words).split())  # one line, whatever the arguments hold
    if len(command) > 60:
        command = command[:59] + "…"
    return f"process {pid} ({command})" if command else f"process {pid}"


def _read_pid(fd: int) -> int:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").split()
    except OSError:
        return 0
    return int(text[0]) if text and text[0].isdigit() else 0


class FileLock:
    """An exclusive lock between processes (and between threads: one holder at a time).

    ``timeout``: seconds to wait (None: :data:`LOCK_TIMEOUT`; 0: one try). ``cancelled``:
    set it to give up a wait (:class:`LockCancelled`). ``on_wait`` is called once, with
    what the wait is for, when another process holds the lock."""

    def __init__(
        self,
        path: Path,
        *,
        timeout: float | None = None,
        cancelled: threading.Event | None = None,
        on_wait: Notify | None = None,
    ) -> None:
        self.path = path
        self.timeout = timeout
        self.cancelled = cancelled
        self.on_wait = on_wait
        self.fd: int | None = None

    def _open(self) -> int:
        try:
            return os.open(self.path, _FLAGS, 0o600)
        except OSError as exc:
            raise IndexUnavailable(
                f"cannot open the search index lock {self.path}: {exc.strerror or exc}"
            ) from None

    def acquire(self) -> None:
        if not HAVE_FLOCK:  # pragma: no cover
            return
        timeout = LOCK_TIMEOUT if self.timeout is None else self.timeout
        deadline = time.monotonic() + timeout
        delay = 0.01
        told = False
        while True:
            if self.cancelled is not None and self.cancelled.is_set():
                raise LockCancelled
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                if holder and holder != os.getpid() and not alive(holder):
                    self._replace_stale(fd, holder)  # its writer died: a new lock file
                    os.close(fd)
                    continue
                os.close(fd)
                if holder == os.getpid():
                    who = "this process (another of its tasks is writing)"
                else:
                    who = describe(holder) if holder else "another process"
                if time.monotonic() >= deadline:
                    waited = f"; gave up after {timeout:g} s" if timeout else ""
                    raise IndexBusy(
                        f"the search index is locked by {who}{waited} ({self.path})", who
                    ) from None
                if not told and self.on_wait is not None:
                    told = True
                    self.on_wait(f"waiting for the search index: it is locked by {who}")
                if self.cancelled is not None:
                    self.cancelled.wait(delay)
                else:
                    time.sleep(delay)
                delay = min(delay * 2, 0.2)
                continue
            except OSError as exc:
                os.close(fd)
                raise IndexUnavailable(
                    f"cannot lock the search index {self.path}: {exc.strerror or exc}"
                ) from None
            if not self._still_the_file(fd):  # replaced since it was opened: again
                os.close(fd)
                continue
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            with _held_guard:
                _held.add(fd)
            self.fd = fd
            return

    def _still_the_file(self, fd: int) -> bool:
        try:
            return os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except OSError:
            return False

    def _replace_stale(self, fd: int, holder: int) -> None:
        """Unlink a lock file whose holder died (while a descendant keeps it locked).
        Breakers take turns on a second lock, and unlink only the very file they found."""
        try:
            guard = os.open(self.path.with_name(self.path.name + ".break"), _FLAGS, 0o600)
        except OSError:
            return
        try:
            fcntl.flock(guard, fcntl.LOCK_EX)
            if self._still_the_file(fd) and _read_pid(fd) == holder:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
        finally:
            os.close(guard)

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        with _held_guard:
            _held.discard(fd)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
