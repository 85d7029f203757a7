"""Search for the CLI and the app: the index of one entries folder, kept in step.

A save never fails because of the index. In the app (``threaded``) a save that finds the
index locked by another process, or damaged, is queued (:meth:`SearchService.pending`)
and applied by :meth:`SearchService.flush`, which waits for the lock in a worker thread;
any later sync applies it too, and so does the next start (it sees the file changed).
The CLI waits for the lock instead, and tells when it could not update the index.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from mistakes.search.cache import MARKER
from mistakes.search.locking import LockCancelled
from mistakes.search.searching import SearchIndex
from mistakes.search.types import (
    Hit,
    IndexUnavailable,
    Notify,
    Progress,
    SearchResults,
    SyncReport,
)
from mistakes.services.config import user_cache_dir
from mistakes.services.index_columns import keep_columns
from mistakes.storage.folder import EntryFolder, StoredEntry


@dataclass(frozen=True)
class PendingUpdate:
    """Saved files the index does not hold yet, and why (one line)."""

    names: tuple[str, ...]
    reason: str


class SearchService:
    def __init__(
        self,
        folder: EntryFolder,
        cache_root: Path | None = None,
        *,
        threaded: bool = False,
        on_wait: Notify | None = None,
    ) -> None:
        self.folder = folder
        self.cache_root = cache_root or user_cache_dir()
        self.threaded = threaded
        # a process with threads (the app) builds in one process: forking it can hang
        self.index = SearchIndex(folder, self.cache_root, forking_allowed=not threaded)
        self.index.on_wait = on_wait
        # each entry's --json object, checklist and links are kept in the index: list
        # --json, todo and show's backlinks parse no file
        keep_columns(self.index)
        self._opened = False
        self._pending: dict[str, str] = {}  # file name -> why its update waits
        self._pending_guard = threading.Lock()

    @property
    def on_wait(self) -> Notify | None:
        """Told, in one line, what a lock wait waits for (``waiting for the search index:
        it is locked by process 1234 (mistakes reindex)``)."""
        return self.index.on_wait

    @on_wait.setter
    def on_wait(self, notify: Notify | None) -> None:
        self.index.on_wait = notify

    @property
    def warning(self) -> str:
        """Why the index is a temporary one ("" when it lives in the user's cache); it is
        also the first notice of the first report."""
        return self.index.warning

    def exists(self) -> bool:
        """True when an index was built for this folder before (it may still be stale)."""
        return (self.index.dir / MARKER).exists()

    def open(self, progress: Progress | None = None) -> SyncReport:
        names = self._pending_names()
        report = self.index.open(progress)
        self._opened = True
        self._done(names)
        return report

    def open_as_is(self) -> bool:
        """The existing index, unsynced, for searching at once; False when there is none."""
        return self.index.open_as_is()

    def ensure_open(self, progress: Progress | None = None) -> SyncReport:
        if not self._opened:
            return self.open(progress)
        names = self._pending_names()
        report = self.index.sync(progress)
        self._done(names)
        return report

    def reindex(self, progress: Progress | None = None) -> SyncReport:
        names = self._pending_names()
        report = self.index.rebuild(progress)
        self._opened = True
        self._done(names)
        return report

    def search(
        self,
        text: str,
        limit: int = 20,
        *,
        partial: bool = False,
        snippets: int = 1,
        budget: float | None = None,
    ) -> SearchResults:
        return self.index.search(text, limit, partial=partial, snippets=snippets, budget=budget)

    def similar(self, text: str, limit: int = 10, exclude: str | None = None) -> list[Hit]:
        return self.index.similar(text, limit, exclude=exclude)

    # -- saves ----------------------------------------------------------------------------
    def saved(self, stored: StoredEntry) -> bool:
        """Bring one saved entry into the index, if there is an index to keep in step.

        True when the index holds it now (or there is no index yet: the next search builds
        it). In the app (``threaded``) this never waits for another process and never
        raises for the index: a locked or damaged index queues the update (False; see
        :meth:`pending` and :meth:`flush`). The CLI waits for the lock as long as
        :data:`~mistakes.search.locking.LOCK_TIMEOUT`, then raises :class:`IndexBusy`."""
        wait = 0.0 if self.threaded else None
        try:
            if self._opened:
                self.index.update_entry(stored, wait=wait)
            elif self.exists():
                self.index.update_if_built(stored, wait=wait)
        except LockCancelled:  # shutting down: the next start sees the file changed
            self._queue(stored.path.name, "the app is closing")
            return False
        except IndexUnavailable as exc:
            if not self.threaded:
                raise
            self._queue(stored.path.name, str(exc))
            return False
        return True

    def pending(self) -> PendingUpdate | None:
        """The saved files the index does not hold yet, and why; None when there are none."""
        with self._pending_guard:
            if not self._pending:
                return None
            reasons = list(dict.fromkeys(self._pending.values()))
            return PendingUpdate(tuple(self._pending), "; ".join(reasons))

    def flush(self, timeout: float | None = None, progress: Progress | None = None) -> SyncReport:
        """Apply the queued updates: wait for the lock (``timeout`` seconds, None: the
        default), then bring the index in step with the folder. Run it in a worker thread.

        Raises :class:`IndexBusy` when the lock stays held that long (the updates stay
        queued); returns an empty report when there was nothing queued or the app is
        shutting down (the wait gives up at once)."""
        names = self._pending_names()
        if not names:
            return SyncReport()
        if self._opened:
            report = self.index.sync(progress, wait=timeout)
        else:
            report = self.index.open(progress, wait=timeout)
            self._opened = not self.index.closed
        if not self.index.closed:
            self._done(names)
        return report

    def _queue(self, name: str, reason: str) -> None:
        with self._pending_guard:
            self._pending[name] = reason

    def _pending_names(self) -> tuple[str, ...]:
        with self._pending_guard:
            return tuple(self._pending)

    def _done(self, names: tuple[str, ...]) -> None:
        """A sync that started after these were queued has applied them."""
        if not names or self.index.closed:
            return
        with self._pending_guard:
            for name in names:
                self._pending.pop(name, None)

    def close(self) -> None:
        self.index.close()

    def shutdown(self) -> None:
        """Close for good (the app's exit): threads still running open nothing more, and a
        wait for the lock gives up at once."""
        self.index.shutdown()
