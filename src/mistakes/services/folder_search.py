"""Search over a set of folders: each folder's own index, one merged answer.

With one folder this is the folder's :class:`SearchService` and nothing more: the same
hits, the same text. With several, each folder's index is opened and kept in step as
before (in the user's cache, one per folder path), and:

- ``search`` ranks across all of them at once when their templates have the same search
  fields (:class:`~mistakes.search.combined.CombinedIndex`: one ranking, as one folder
  holding every entry would give); otherwise each folder is searched and the hits merged by
  score (BM25F scores of different indexes compare only roughly; said in the notice);
- ``similar`` asks each folder and merges by score (a 0-1 share, comparable as it is);
- every hit names its folder (``Hit.folder``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mistakes.search.combined import CombinedIndex, combinable, merge_similar
from mistakes.search.searching import SearchIndex
from mistakes.search.types import Hit, Notify, Progress, SearchResults, SyncReport, date_key
from mistakes.services.folders import FolderSet
from mistakes.services.search import PendingUpdate, SearchService
from mistakes.storage.folder import StoredEntry

SEPARATE_NOTICE = (
    "the folders' templates differ: each was searched on its own and the hits merged by score"
)


def merge_reports(reports: Sequence[tuple[str, SyncReport]], *, named: bool) -> SyncReport:
    """One report of several folders' syncs (notices start with the folder's name)."""
    out = SyncReport()
    for name, report in reports:
        out.added += report.added
        out.updated += report.updated
        out.deleted += report.deleted
        out.unchanged += report.unchanged
        out.rebuilt = out.rebuilt or report.rebuilt
        out.notices += [f"{name}: {n}" if named else n for n in report.notices]
        out.problems += report.problems
    return out


class FolderSearch:
    """The indexes of a :class:`FolderSet`, searched as one (see the module docstring)."""

    def __init__(
        self,
        folders: FolderSet,
        cache_root: Path | None = None,
        *,
        threaded: bool = False,
        on_wait: Notify | None = None,
    ) -> None:
        self.folders = folders
        self.services = [
            (item.name, SearchService(item.folder, cache_root, threaded=threaded, on_wait=on_wait))
            for item in folders
        ]
        self._combined: CombinedIndex | None = None
        indexes = [service.index for _name, service in self.services]
        if folders.several and combinable(indexes):
            self._combined = CombinedIndex(
                [(name, service.index) for name, service in self.services]
            )

    @property
    def several(self) -> bool:
        return len(self.services) > 1

    @property
    def combined(self) -> bool:
        """True when several folders are ranked as one collection."""
        return self._combined is not None

    def service(self, name: str | None = None) -> SearchService:
        """The search service of folder ``name`` (the first one when None)."""
        if name is None:
            return self.services[0][1]
        for part, service in self.services:
            if part == name:
                return service
        raise KeyError(name)

    @property
    def index(self) -> SearchIndex:
        """The first folder's index (with one folder: the index)."""
        return self.services[0][1].index

    @property
    def cache_root(self) -> Path:
        """Where the indexes are kept (one root for every folder)."""
        return self.services[0][1].cache_root

    @property
    def on_wait(self) -> Notify | None:
        return self.services[0][1].on_wait

    @on_wait.setter
    def on_wait(self, notify: Notify | None) -> None:
        for _name, service in self.services:
            service.on_wait = notify

    @property
    def warning(self) -> str:
        return "; ".join(dict.fromkeys(s.warning for _n, s in self.services if s.warning))

    # -- keeping in step ---------------------------------------------------------------------
    def _each(self, how: str, progress: Progress | None) -> SyncReport:
        reports = []
        done_before = 0
        for name, service in self.services:
            step = _offset(progress, done_before) if progress and self.several else progress
            report = getattr(service, how)(step)
            done_before += report.added + report.updated + report.unchanged
            reports.append((name, report))
        return merge_reports(reports, named=self.several)

    def open(self, progress: Progress | None = None) -> SyncReport:
        return self._each("open", progress)

    def ensure_open(self, progress: Progress | None = None) -> SyncReport:
        return self._each("ensure_open", progress)

    def reindex(self, progress: Progress | None = None) -> SyncReport:
        return self._each("reindex", progress)

    def open_as_is(self) -> bool:
        return all([service.open_as_is() for _name, service in self.services])

    def exists(self) -> bool:
        return all(service.exists() for _name, service in self.services)

    def saved(self, stored: StoredEntry, folder: str | None = None) -> bool:
        """A saved entry into its folder's index (``folder``: its name; else found by path)."""
        name = folder or self.folders.of_path(stored.path).name
        return self.service(name).saved(stored)

    def pending(self) -> PendingUpdate | None:
        found = [p for _n, s in self.services if (p := s.pending()) is not None]
        if not found:
            return None
        names = tuple(n for p in found for n in p.names)
        return PendingUpdate(names, "; ".join(dict.fromkeys(p.reason for p in found)))

    def flush(self, timeout: float | None = None, progress: Progress | None = None) -> SyncReport:
        reports = [(name, s.flush(timeout, progress)) for name, s in self.services]
        return merge_reports(reports, named=self.several)

    # -- reading -----------------------------------------------------------------------------
    def search(
        self,
        text: str,
        limit: int = 20,
        *,
        partial: bool = False,
        snippets: int = 1,
        budget: float | None = None,
    ) -> SearchResults:
        if not self.several:
            return self.services[0][1].search(
                text, limit, partial=partial, snippets=snippets, budget=budget
            )
        if self._combined is not None:
            return self._combined.search(
                text, limit, partial=partial, snippets=snippets, budget=budget
            )
        return self._separately(text, limit, partial, snippets, budget)

    def _separately(
        self, text: str, limit: int, partial: bool, snippets: int, budget: float | None
    ) -> SearchResults:
        hits: list[Hit] = []
        total, exact, complete, notices = 0, True, True, []
        for name, service in self.services:
            results = service.search(text, limit, partial=partial, snippets=snippets, budget=budget)
            for hit in results.hits:
                hit.folder = name
            hits += results.hits
            total += results.total
            exact, complete = exact and results.exact, complete and results.complete
            if results.notice:
                notices.append(f"{name}: {results.notice}")
        if text.strip():
            hits.sort(key=lambda h: (-round(h.score, 6), date_key(h.date)))
            notices.append(SEPARATE_NOTICE)
        else:
            hits.sort(key=lambda h: (date_key(h.date), -h.number))
        notice = "; ".join(notices)
        return SearchResults(text, hits[:limit], total, notice, exact=exact, complete=complete)

    def similar(
        self,
        text: str,
        limit: int = 10,
        exclude: str | None = None,
        *,
        exclude_folder: str | None = None,
    ) -> list[Hit]:
        """Past entries close to a paste, across the folders (``exclude``: a file name in
        ``exclude_folder``, or in every folder when None)."""
        if not self.several:
            return self.services[0][1].similar(text, limit, exclude=exclude)
        parts = [(name, service.index) for name, service in self.services]
        return merge_similar(parts, text, limit, exclude, exclude_folder)

    def attach_snippet(self, hit: Hit) -> None:
        self.service(hit.folder or None).index.attach_snippet(hit)

    def recent(self, limit: int) -> list[Hit]:
        if self._combined is not None:
            return self._combined.recent(limit)
        hits = []
        for name, service in self.services:
            for hit in service.index.recent(limit):
                hit.folder = name if self.several else ""
                hits.append(hit)
        hits.sort(key=lambda h: (date_key(h.date), -h.number))
        return hits[:limit]

    def known_tags(self) -> list[str]:
        tags = (t for _n, s in self.services for t in s.index.known_tags())
        return list(dict.fromkeys(tags))

    def doc_count(self) -> int:
        return sum(service.index.doc_count() for _name, service in self.services)

    def close(self) -> None:
        if self._combined is not None:
            self._combined.close()
        for _name, service in self.services:
            service.close()

    def shutdown(self) -> None:
        if self._combined is not None:
            self._combined.close()
        for _name, service in self.services:
            service.shutdown()


def _offset(progress: Progress, before: int) -> Progress:
    def report(done: int, total: int) -> None:
        progress(before + done, before + total)

    return report
