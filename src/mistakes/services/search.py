"""Search for the CLI and the app: the index of one entries folder, kept in step."""

from __future__ import annotations

from pathlib import Path

from mistakes.search.index import (
    MARKER,
    Hit,
    Progress,
    SearchIndex,
    SearchResults,
    SyncReport,
    index_dir_for,
)
from mistakes.services.config import user_cache_dir
from mistakes.storage.folder import EntryFolder, StoredEntry


class SearchService:
    def __init__(
        self, folder: EntryFolder, cache_root: Path | None = None, *, threaded: bool = False
    ) -> None:
        self.folder = folder
        self.cache_root = cache_root or user_cache_dir()
        # a process with threads (the app) builds in one process: forking it can hang
        self.index = SearchIndex(folder, self.cache_root, forking_allowed=not threaded)
        self._opened = False

    def exists(self) -> bool:
        """True when an index was built for this folder before (it may still be stale)."""
        return (index_dir_for(self.folder.root, self.cache_root) / MARKER).exists()

    def open(self, progress: Progress | None = None) -> SyncReport:
        report = self.index.open(progress)
        self._opened = True
        return report

    def open_as_is(self) -> bool:
        """The existing index, unsynced, for searching at once; False when there is none."""
        return self.index.open_as_is()

    def ensure_open(self, progress: Progress | None = None) -> SyncReport:
        return self.index.sync(progress) if self._opened else self.open(progress)

    def reindex(self, progress: Progress | None = None) -> SyncReport:
        report = self.index.rebuild(progress)
        self._opened = True
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

    def saved(self, stored: StoredEntry) -> None:
        """Bring one saved entry into the index, if there is an index to keep in step."""
        if self._opened:
            self.index.update_entry(stored)
        elif self.exists():
            self.index.update_if_built(stored)  # no index yet: the next search builds it

    def close(self) -> None:
        self.index.close()

    def shutdown(self) -> None:
        """Close for good (the app's exit): threads still running open nothing more."""
        self.index.shutdown()
