"""Searching the index: ranked hits with snippets, the newest entries, similar ones, tags.

:class:`SearchIndex` is the index of one entries folder: its life on disk comes from
:class:`~mistakes.search.store.IndexStore`, the reading is here. An index that Whoosh finds
damaged while a search reads it (:func:`~mistakes.search.store.damaged`) is rebuilt and
the search runs again, with a notice; any other exception is a bug and is raised as is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import collectors, sorting
from whoosh import query as wq
from whoosh.query import spans
from whoosh.searching import Searcher

from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import TITLE_KEY, Template
from mistakes.search.analysis import nfc, query_words, term_of
from mistakes.search.answer_fields import FIX_TEXT, ROOT_CAUSE_TEXT
from mistakes.search.query import (
    OPERATORS,
    ParsedQuery,
    QueryBuilder,
    is_null,
    section_numbers,
    term_text,
)
from mistakes.search.schema import SEEN, build_schema, search_fields
from mistakes.search.snippets import Snippet, make_snippet, mark_spans
from mistakes.search.store import IndexStore, damaged
from mistakes.search.types import Hit, IndexNotReady, IndexUnavailable, SearchResults, date_key
from mistakes.storage.document import Document
from mistakes.storage.errors import EntryParseError
from mistakes.storage.parse import parse_document

BUDGET_EVERY = 64  # matches between two looks at the clock under a time budget
SNIPPET_FILES = 32  # files kept parsed for snippets (the top hits of the last keystrokes)
STORED_CACHE = 20_000  # documents' stored fields kept per searcher (typing asks the same ones)


class _OutOfTime(Exception):
    pass


def _never() -> bool:
    return False


class _Budget(collectors.WrappingCollector):  # type: ignore[misc]
    """Stops a search after ``seconds`` of collecting, or once ``superseded`` says a newer
    keystroke's search has begun (both checked every 64 matches); the hits collected so
    far stay in the child collector."""

    def __init__(self, child: Any, seconds: float, superseded: Callable[[], bool] = _never) -> None:
        super().__init__(child)
        self.seconds = seconds
        self.superseded = superseded
        self.deadline = 0.0
        self.stopped = False

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.deadline = time.perf_counter() + self.seconds

    def collect_matches(self) -> None:
        for count, sub_docnum in enumerate(self.matches(), 1):
            if not count % BUDGET_EVERY and (
                time.perf_counter() > self.deadline or self.superseded()
            ):
                self.stopped = True
                raise _OutOfTime
            self.collect(sub_docnum)


_F = TypeVar("_F", bound=Callable[..., Any])


def _reading(method: _F) -> _F:
    """Run a method that reads through the shared searcher under the index's read lock.

    With mmap off, Whoosh reads segment files through shared file objects (seek, then read):
    two threads reading at once (the sidebar's search and its snippet, the similar list, the
    tag completion) interleave their seeks and read garbage (seen: zlib errors on stored
    fields, an empty listing at start). Reads are short; taking turns costs little."""

    @functools.wraps(method)
    def locked(self: SearchIndex, *args: Any, **kwargs: Any) -> Any:
        with self._read_lock:
            return method(self, *args, **kwargs)

    return cast(_F, locked)


class SearchIndex(IndexStore):
    """The search index of one entries folder (a cache: rebuilt from the files at need)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queries = QueryBuilder(self.schema, self.fields)
        self._text_fields = {
            *self.fields.default_fields(),
            *self.fields.text_fields,
            *([self.fields.tags] if self.fields.tags else []),
        }
        self._reading_state()

    def _reading_state(self) -> None:
        """What searching keeps between calls (also a CombinedIndex's, which has no disk)."""
        self._stored: tuple[object, dict[int, dict[str, Any]]] = (None, {})
        self._recent: tuple[object, int, list[Hit]] = (None, 0, [])
        self._keystroke = 0  # the latest search with a budget (a keystroke's) begun
        self._keystroke_guard = threading.Lock()
        self._sections: OrderedDict[Path, tuple[tuple[int, ...], Document]] = OrderedDict()
        self._sections_guard = threading.Lock()

    def _prepare_searcher(self, searcher: Searcher) -> None:
        _preload_lengths(searcher)

    def parse(
        self, text: str, partial: bool = False, searcher: Searcher | None = None
    ) -> ParsedQuery:
        reader = (searcher or self.searcher()).reader()
        return self.queries.parse(text, partial=partial, reader=reader)

    def _begin_keystroke(self, budget: float | None) -> Callable[[], bool]:
        """A search with a budget answers a keystroke: once the next keystroke's search
        has begun, its answer is no longer wanted (the sidebar drops it). It says so
        through the function returned, which the search looks at as it scores: it stops
        early and frees the read lock the newer search waits for. Other searches are
        never superseded."""
        if budget is None:
            return _never
        with self._keystroke_guard:
            self._keystroke += 1
            mine = self._keystroke
        return lambda: self._keystroke != mine

    def search(
        self,
        text: str,
        limit: int = 20,
        *,
        partial: bool = False,
        snippets: int = 1,
        budget: float | None = None,
    ) -> SearchResults:
        """Ranked hits (BM25F, title above body, newer first on equal scores).

        ``snippets``: how many of the top hits get a snippet (reading their files).
        ``budget``: seconds of scoring at most (the sidebar's per-keystroke answer); past it
        the best of the documents scored so far come back with ``complete=False``, as they
        do (maybe none) once a newer search with a budget has begun on this index.
        """
        superseded = self._begin_keystroke(budget)
        with self._read_lock:
            return self._search_read(text, limit, partial, snippets, budget, superseded)

    def _search_read(
        self,
        text: str,
        limit: int,
        partial: bool,
        snippets: int,
        budget: float | None,
        superseded: Callable[[], bool],
    ) -> SearchResults:
        try:
            return self._search(text, limit, partial, snippets, budget, superseded)
        except (IndexUnavailable, IndexNotReady):
            raise
        except Exception as exc:
            if not damaged(exc):
                raise  # a bug: rebuilding would only hide it
            # Whoosh found the index damaged while reading: rebuild it and try once more
            self.close()
            report = self.rebuild()
            report.notices.append("the search index failed while reading: rebuilt it")
            results = self._search(text, limit, partial, snippets)
            results.notice = "; ".join(filter(None, [*report.notices, results.notice]))
            return results

    def _search(
        self,
        text: str,
        limit: int,
        partial: bool,
        snippets: int,
        budget: float | None = None,
        superseded: Callable[[], bool] = _never,
    ) -> SearchResults:
        try:
            return self._run_search(text, limit, partial, snippets, budget, superseded)
        except wq.QueryError:
            # Whoosh cannot run this query's shape: search its plain words instead
            words = " ".join(w for w in query_words(text) if w not in OPERATORS)
            if not words:
                return SearchResults(text, [], 0, "could not run the query")
            results = self._run_search(words, limit, partial, snippets, budget, superseded)
            results.notice = f"could not run the query; searched the words: {words}"
            return results

    def _run_search(
        self,
        text: str,
        limit: int,
        partial: bool,
        snippets: int,
        budget: float | None = None,
        superseded: Callable[[], bool] = _never,
    ) -> SearchResults:
        if superseded():  # the next keystroke's search began while this one waited
            return SearchResults(text, [], 0, exact=False, complete=False)
        searcher = self.searcher()
        parsed = self.parse(text, partial=partial, searcher=searcher)
        if not text.strip():
            return SearchResults(text, self.recent(limit), searcher.doc_count(), parsed.notice)
        if is_null(parsed.query):
            return SearchResults(text, [], 0, parsed.notice)
        # matched terms per hit (terms=True) cost more than the search: the query's own
        # terms (prefixes and fuzzy terms already expanded) mark the snippets instead
        # optimize=False: Whoosh's block-quality skipping costs more than it saves on these
        # short unions of expanded terms (measured: 47 ms instead of 73 for "timeout" at 10k)
        complete = True
        if budget is None:
            results = searcher.search(parsed.query, limit=limit + 10, optimize=False)
        else:
            collector = _Budget(
                searcher.collector(limit=limit + 10, optimize=False), budget, superseded
            )
            with contextlib.suppress(_OutOfTime):
                searcher.search_with_collector(parsed.query, collector)
            results = collector.results()
            complete = not collector.stopped
        title_only, terms = self._positive_terms(parsed)
        query_terms = frozenset(terms)
        hits = [self._hit_of(hit, hit.score or 0.0, query_terms) for hit in results]
        tied = (
            complete and len(hits) > limit and round(hits[0].score, 6) == round(hits[-1].score, 6)
        )
        if tied and self.fields.date:
            # equal scores past the page (filters, ranges, NOT): newest first over them all
            facet = sorting.FieldFacet(self.fields.date, reverse=True)
            ordered = searcher.search(parsed.query, limit=limit, sortedby=facet)
            score = hits[0].score  # a sorted search reports the sort key as the score
            hits = [self._hit_of(hit, score, query_terms) for hit in ordered]
        hits.sort(key=lambda h: (-round(h.score, 6), date_key(h.date)))
        hits = hits[:limit]
        leaves = list(self.fields.leaves.values())
        prefer = tuple(leaves[n] for n in sorted(section_numbers(parsed.query)))
        if superseded():
            snippets = 0  # nobody will see this answer: it reads no file
        for hit in hits[:snippets]:
            hit.prefer = prefer
            if title_only:
                text_, marks = _title_marks(hit.title, query_terms)
                hit.snippet = Snippet("Title", text_, marks)
            else:
                self.attach_snippet(hit)
        scored = results.scored_length()
        if complete and scored < limit + 10:  # every match was scored: the count is exact
            return SearchResults(text, hits, scored, parsed.notice)
        total = max(results.estimated_length(), scored)
        return SearchResults(text, hits, total, parsed.notice, exact=False, complete=complete)

    def _positive_terms(self, parsed: ParsedQuery) -> tuple[bool, list[str]]:
        """Text terms the query looks for (not under NOT), and whether only in titles."""
        fields: set[str] = set()
        found: list[str] = []

        def walk(q: wq.Query) -> None:
            if isinstance(q, wq.Not):
                return
            if isinstance(q, wq.AndNot):
                walk(q.a)
                return
            if isinstance(q, wq.Term):
                if q.fieldname in self._text_fields:
                    fields.add(q.fieldname)
                    found.append(term_text(q.text))
                return
            if isinstance(q, wq.Phrase):
                fields.add(q.fieldname)
                found.extend(term_text(w) for w in q.words)
                return
            if isinstance(q, spans.SpanQuery):
                for fieldname, term in q.iter_all_terms():
                    if fieldname in self._text_fields:
                        fields.add(fieldname)
                        found.append(term_text(term))
                return
            if q.is_leaf():
                return
            for child in q.children():
                walk(child)

        walk(parsed.query)
        if parsed.fallback:
            found.extend(term_of(word) for word in parsed.words)
        return fields == {self.fields.title}, found

    def _hit_of(self, result: Any, score: float, terms: frozenset[str]) -> Hit:
        """The hit of one Whoosh result (a combined index finds its folder by docnum)."""
        return self._hit(self._fields_of(result), score, terms)

    def _fields_of(self, result: Any) -> dict[str, Any]:
        """A result's stored fields, kept for as long as its searcher is the current one.

        Each keystroke asks for the stored fields of the 110 best documents, mostly the
        same ones as the key before (``kaf``, ``kafk``, ``kafka``); Whoosh reads and
        unpickles them every time (a fifth of a keystroke's search at 10,000 entries). A
        searcher reads one fixed state of the index, so what it read stays true for it; a
        new searcher (the index changed) starts an empty cache."""
        searcher = result.searcher
        owner, cache = self._stored
        if owner is not searcher:
            cache = {}
            self._stored = (searcher, cache)
        fields = cache.get(result.docnum)
        if fields is None:
            if len(cache) >= STORED_CACHE:
                cache.clear()
            fields = cache[result.docnum] = result.fields()
        return fields

    def _hit(self, stored: dict[str, Any], score: float, terms: frozenset[str]) -> Hit:
        name = str(stored.get("path", ""))
        return Hit(
            name=name,
            path=self.folder.root / name,
            number=int(stored.get("number") or parse_entry_filename(name) or 0),
            title=str(stored.get(self.fields.title, "")),
            severity=str(stored.get("severity", "")),
            status=str(stored.get("status", "")),
            date=str(stored.get("datestr", "")),
            score=score,
            terms=terms,
            fix=str(stored.get(FIX_TEXT) or ""),
            root_cause=str(stored.get(ROOT_CAUSE_TEXT) or ""),
            seen=int(stored.get(SEEN) or 0),
        )

    def attach_snippet(self, hit: Hit) -> None:
        """Read the hit's file and make its snippet (the app calls this for the highlighted
        result only)."""
        doc = self._sections_of(hit.path)
        if doc is None:
            return
        entry = doc.to_entry()
        entry.fields[TITLE_KEY] = hit.title
        hit.snippet = make_snippet(entry, self.template, hit.terms, prefer=hit.prefer)

    def _sections_of(self, path: Path) -> Document | None:
        """The file's sections (its YAML is not read: the title is the hit's), None when it
        cannot be read as an entry now.

        The top hit is mostly the same file from one keystroke to the next: the last few
        files read are kept, each with its size, times and inode, and read again once any
        of those changed (an edit, a save through a new file, a rename over it)."""
        try:
            st = os.lstat(path)
        except OSError:
            return None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        with self._sections_guard:
            kept = self._sections.get(path)
            if kept is not None and kept[0] == stamp:
                self._sections.move_to_end(path)
                return kept[1]
        try:
            data = self.folder.read(path)
            doc = parse_document(data, self.template, str(path), frontmatter=False)
        except (OSError, EntryParseError):
            return None
        with self._sections_guard:
            self._sections[path] = (stamp, doc)
            while len(self._sections) > SNIPPET_FILES:
                self._sections.popitem(last=False)
        return doc

    @_reading
    def similar(self, text: str, limit: int = 10, exclude: str | None = None) -> list[Hit]:
        """Past entries close to a pasted traceback or log, best first, with the reason, the
        fix and the root cause; [] when nothing is close (see :mod:`mistakes.search.similar`)."""
        from mistakes.search.similar import find_similar  # not loaded by a one-shot search

        return find_similar(
            self.searcher(),
            self.folder,
            self.template,
            self._hit,
            text,
            limit=limit,
            exclude=exclude,
        )

    @_reading
    def recent(self, limit: int) -> list[Hit]:
        """The newest entries (by date, then number): what the sidebar shows with no query.

        Kept for as long as the searcher is the current one: sorting every document by
        date costs 25-40 ms at 10,000 entries, and the sidebar asks again each time its box
        is cleared (Esc, backspace to empty). Each call gets its own copies of the hits (the
        app attaches snippets to them)."""
        searcher = self.searcher()
        owner, kept_limit, kept = self._recent
        if owner is not searcher or kept_limit < limit:
            if self.fields.date:
                facet = sorting.FieldFacet(self.fields.date, reverse=True)
                results = searcher.search(wq.Every(), limit=limit * 2, sortedby=facet)
            else:
                results = searcher.search(wq.Every(), limit=None)
            kept = [self._hit(hit.fields(), 0.0, frozenset()) for hit in results]
            kept.sort(key=lambda h: (date_key(h.date), -h.number))
            kept = kept[:limit]
            self._recent = (searcher, limit, kept)
        return [dataclasses.replace(hit) for hit in kept[:limit]]

    @_reading
    def known_tags(self) -> list[str]:
        """Every tag in use, most used first (for completion while typing tags)."""
        if not self.fields.tags:
            return []
        reader = self.searcher().reader()
        counted = [
            (info.doc_frequency(), term_text(term))
            for term, info in reader.iter_field(self.fields.tags)
        ]
        return [tag for _count, tag in sorted(counted, key=lambda pair: (-pair[0], pair[1]))]

    @_reading
    def doc_count(self) -> int:
        return int(self.searcher().doc_count())


def _preload_lengths(searcher: Searcher) -> None:
    """Read each segment's field-length column into memory once.

    BM25F asks for a document's field length for every match it scores, and with mmap off
    Whoosh reads each one from the file: a third of the time of a broad query (measured:
    "timeout" at 10,000 entries 38 ms -> 27 ms). The column holds one byte per document, so
    this is one read per field and segment. Another Whoosh layout (no such private
    attributes) keeps its own reader.
    """
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    except ImportError:  # pragma: no cover - another Whoosh
        return
    for leaf, _offset in searcher.reader().leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):
            continue
        for name in leaf.schema.scorable_names():
            key = _lenfield(name)
            column = perdoc._cached_reader(key, LENGTHS_COLUMN)
            if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", 0) != 1:
                continue
            if not all(hasattr(column, a) for a in ("_dbfile", "_basepos", "_count", "_doccount")):
                continue
            data = column._dbfile.get(column._basepos, column._count)
            data += bytes(max(0, column._doccount - column._count))  # the default, 0
            perdoc._readers[key] = data  # bytes[docnum] is the length byte, as before


def _title_marks(title: str, terms: frozenset[str]) -> tuple[str, list[tuple[int, int]]]:
    """The title (in NFC) and where the query's terms are in it, marked as snippets are
    (stems, folded letters, CamelCase parts, CJK letter pairs)."""
    text = nfc(title)
    return text, mark_spans(text, terms)


def query_fields(template: Template) -> list[str]:
    """The field names a query can use with this template (for help)."""
    fields = search_fields(template)
    return QueryBuilder(build_schema(fields), fields).field_names()
