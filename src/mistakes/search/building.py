"""The writer of a full build: a big build is shared with a second, forked process.

Whoosh's own multi-process writer leaves its workers behind when the parent is killed:
they wait on the job queue for ever, holding every lock descriptor they inherited, so that
each later command waited for the lock and timed out. Here a worker holds no lock (the
folder's lock is closed in forked children by :mod:`mistakes.search.locking`, Whoosh's own
as the worker starts), dies with its parent (``PR_SET_PDEATHSIG`` on Linux, and a look at
its parent whenever the queue is quiet elsewhere), and a cancelled build ends its workers
rather than leave them waiting.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import sys
from typing import Any

from whoosh import index as windex
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter

FORK_MIN_ENTRIES = 500  # a smaller build is quicker in one process than in two
PARENT_POLL = 0.5  # seconds between two looks at the parent while a worker waits for work
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before that: too late for the signal
        os._exit(1)


class _ParentWatch:
    """The job queue, seen by a worker: a wait for work also watches the parent."""

    def __init__(self, jobs: Any, parent: int) -> None:
        self.jobs = jobs
        self.parent = parent

    def get(self) -> Any:
        while True:
            try:
                return self.jobs.get(timeout=PARENT_POLL)
            except queue.Empty:
                if os.getppid() != self.parent:
                    os._exit(1)


class _Worker(SubWriterTask):  # type: ignore[misc]
    jobqueue: Any

    def __init__(self, *args: Any, inherited: tuple[int, ...]) -> None:
        super().__init__(*args)
        self.daemon = True  # a parent that exits early ends its workers, never waits on them
        self.inherited = inherited
        self.parent = os.getpid()

    def run(self) -> None:
        # ctrl+c reaches the whole process group: the parent cancels the build and ends its
        # workers itself (each would print a KeyboardInterrupt traceback of its own)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for fd in self.inherited:  # the parent's locks: they must go with the parent
            with contextlib.suppress(OSError):
                os.close(fd)
        _die_with_parent(self.parent)
        self.jobqueue = _ParentWatch(self.jobqueue, self.parent)
        super().run()


class _Writer(MpWriter):  # type: ignore[misc]
    def _new_task(self) -> _Worker:
        # the folder's lock is closed in every forked child already (locking.py); Whoosh's
        # own lock in the index directory is closed by the worker as it starts
        inherited: list[int] = []
        lock = getattr(self, "writelock", None)
        if lock is not None and getattr(lock, "fd", None) is not None:
            inherited.append(lock.fd)
        task = _Worker(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            inherited=tuple(inherited),
        )
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:  # Whoosh only flags its own copy: the worker never sees it
                task.terminate()
            for task in self.tasks:
                task.join(5)
        finally:
            super().cancel()


def build_writer(ix: windex.Index, total: int, *, forking_allowed: bool) -> IndexWriter:
    """A writer for a build of ``total`` documents into the empty index ``ix``.

    A second process halves a big build, but it is forked: never from a process with other
    threads running (the app), where the child can inherit a held lock and hang."""
    if forking_allowed and total >= FORK_MIN_ENTRIES:
        return _Writer(ix, procs=2, multisegment=True, limitmb=64)
    return ix.writer(limitmb=64)
