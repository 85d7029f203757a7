"""Several folders' indexes searched as one index: one ranking across all of them.

Each folder keeps its own index in the cache (brought in step as before). BM25F scores from
separate indexes do not compare: a word rare in one folder and common in another weighs
differently in each (IDF), and field lengths are averaged per index. A Whoosh
``MultiReader`` over the folders' segment readers makes one collection of them, so term
statistics (document frequencies, average field lengths) are those of all the folders
together: the ranking is the one a single folder holding every entry would give. The
folder of a hit is found from its document number (each folder's documents follow the
previous folder's).

This needs one schema: folders whose templates differ in their search fields are searched
one by one instead (see :class:`~mistakes.services.folder_search.FolderSearch`).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from whoosh.reading import MultiReader
from whoosh.searching import Searcher

from mistakes.search.searching import SearchIndex
from mistakes.search.types import Hit, SearchResults, date_key


class _AllLocks:
    """Each part's read lock, taken in one order (the combined searcher reads their files)."""

    def __init__(self, locks: Sequence[Any]) -> None:
        self.locks = list(locks)

    def __enter__(self) -> None:
        for lock in self.locks:
            lock.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for lock in reversed(self.locks):
            lock.release()


def combinable(indexes: Sequence[SearchIndex]) -> bool:
    """True when the indexes share one schema (the same search fields)."""
    return len({index.signature for index in indexes}) == 1


class CombinedIndex(SearchIndex):
    """The indexes of several folders read as one (``parts``: folder name and its index).

    It is no index on disk: opening, syncing and saving stay with each part. It borrows the
    first part's schema and query parser; searching, paging and snippets are SearchIndex's.
    """

    def __init__(self, parts: Sequence[tuple[str, SearchIndex]]) -> None:
        # IndexStore.__init__ is not called: nothing here lives on disk
        if not parts:
            raise ValueError("no index to combine")
        first = parts[0][1]
        self.parts = list(parts)
        self.folder = first.folder
        self.template = first.template
        self.fields = first.fields
        self.schema = first.schema
        self.signature = first.signature
        self.queries = first.queries
        self._text_fields = first._text_fields
        self._reading_state()
        self._read_lock = _AllLocks([index._read_lock for _name, index in self.parts])  # type: ignore[assignment]
        self._combined: Searcher | None = None
        self._sources: tuple[Searcher, ...] = ()
        self._starts: list[int] = []  # first document number of each folder with documents
        self._owners: list[int] = []  # the part each of those starts belongs to
        self._guard = threading.Lock()

    def searcher(self) -> Searcher:
        sources = tuple(index.searcher() for _name, index in self.parts)
        with self._guard:
            if self._combined is not None and all(
                a is b for a, b in zip(sources, self._sources, strict=True)
            ):
                return self._combined
            leaves: list[Any] = []
            starts: list[int] = []
            owners: list[int] = []
            base = 0
            for number, source in enumerate(sources):
                reader = source.reader()
                count = reader.doc_count_all()
                if not count:
                    continue
                starts.append(base)
                owners.append(number)
                leaves.extend(leaf for leaf, _offset in reader.leaf_readers())
                base += count
            if not leaves:  # every folder is empty: any one of them answers
                combined = sources[0]
            else:
                # closereader=False: the readers belong to the parts' searchers
                combined = Searcher(
                    MultiReader(leaves), weighting=sources[0].weighting, closereader=False
                )
            self._combined, self._sources = combined, sources
            self._starts, self._owners = starts, owners
            return combined

    def part_of(self, docnum: int) -> tuple[str, SearchIndex]:
        """The folder name and index a document number of the combined searcher is in."""
        at = bisect.bisect_right(self._starts, docnum) - 1
        return self.parts[self._owners[max(at, 0)] if self._owners else 0]

    def _hit_of(self, result: Any, score: float, terms: frozenset[str]) -> Hit:
        name, index = self.part_of(result.docnum)
        hit = index._hit(self._fields_of(result), score, terms)
        hit.folder = name
        return hit

    def _index_named(self, name: str) -> SearchIndex:
        for part_name, index in self.parts:
            if part_name == name:
                return index
        return self.parts[0][1]

    def attach_snippet(self, hit: Hit) -> None:
        self._index_named(hit.folder).attach_snippet(hit)

    def search(
        self,
        text: str,
        limit: int = 20,
        *,
        partial: bool = False,
        snippets: int = 1,
        budget: float | None = None,
    ) -> SearchResults:
        """As :meth:`SearchIndex.search`, over every folder (a damaged part is rebuilt by
        its own searches, not here)."""
        superseded = self._begin_keystroke(budget)
        with self._read_lock:
            return self._search(text, limit, partial, snippets, budget, superseded)

    def recent(self, limit: int) -> list[Hit]:
        """The newest entries of all the folders (by date, then number)."""
        hits: list[Hit] = []
        for name, index in self.parts:
            for hit in index.recent(limit):
                hit.folder = name
                hits.append(hit)
        hits.sort(key=lambda h: (date_key(h.date), -h.number))
        return hits[:limit]

    def similar(
        self,
        text: str,
        limit: int = 10,
        exclude: str | None = None,
        *,
        exclude_folder: str | None = None,
    ) -> list[Hit]:
        """Each folder's close entries, merged by score: similar's scores are a share of
        the paste's signals found in the entry (0 to 1, with one threshold), which compare
        across folders as they are. ``exclude`` (a file name) applies to ``exclude_folder``
        only (every folder when None)."""
        return merge_similar(self.parts, text, limit, exclude, exclude_folder)

    def known_tags(self) -> list[str]:
        return list(dict.fromkeys(t for _name, index in self.parts for t in index.known_tags()))

    def doc_count(self) -> int:
        return sum(index.doc_count() for _name, index in self.parts)

    def close(self) -> None:
        """Forget the combined searcher (the parts close their own)."""
        with self._guard:
            self._combined, self._sources = None, ()


def merge_similar(
    parts: Sequence[tuple[str, SearchIndex]],
    text: str,
    limit: int,
    exclude: str | None = None,
    exclude_folder: str | None = None,
) -> list[Hit]:
    """Each part's ``similar`` hits, best first across the parts (newest first on a tie)."""
    hits: list[Hit] = []
    for name, index in parts:
        skip = exclude if exclude_folder in (None, name) else None
        for hit in index.similar(text, limit, exclude=skip):
            hit.folder = name
            hits.append(hit)
    hits.sort(key=lambda h: (-round(h.score, 6), date_key(h.date)))
    return hits[:limit]
