"""The search index: a cache of the entries folder that can always be rebuilt from it.

One index per entries folder, in the user's cache directory, in a directory named with the
schema version. Whoosh opens its files with pickle, so only a directory this program made
(marker file), owned by the user and writable by nobody else is ever opened; anything else
is discarded and rebuilt. On open the index is brought in step with the folder: new,
changed (size, mtime, then content hash) and deleted files are applied, nothing else is
read again. A missing, corrupt or outdated index is rebuilt with a notice.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import re
import shutil
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import collectors, sorting
from whoosh import index as windex
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.query import spans
from whoosh.searching import Searcher

from mistakes.domain.errors import MistakesError
from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import Template
from mistakes.search.analysis import fold, query_words, term_of
from mistakes.search.query import OPERATORS, ParsedQuery, QueryBuilder, section_numbers
from mistakes.search.schema import (
    BODY,
    SCHEMA_VERSION,
    SearchFields,
    build_schema,
    index_document,
    schema_signature,
    search_fields,
)
from mistakes.search.similar import explain, extract, weighted_terms
from mistakes.search.snippets import Snippet, make_snippet
from mistakes.storage.document import content_hash
from mistakes.storage.errors import EntryParseError
from mistakes.storage.folder import EntryFolder, Problem, StoredEntry

try:
    import fcntl

    HAVE_FLOCK = True
except ImportError:  # pragma: no cover - not POSIX: Whoosh's own lock still guards writes
    HAVE_FLOCK = False

MARKER = "mistakes-index.json"
MANIFEST = "manifest.json"
LOCK = "write.lock"
LOCK_TIMEOUT = 60.0
MAX_SEGMENTS = 8
Progress = Callable[[int, int], None]


FORK_MIN_ENTRIES = 500  # a smaller build is quicker in one process than in two
BUDGET_EVERY = 64  # matches between two looks at the clock under a time budget


class _OutOfTime(Exception):
    pass


class _ShutDown(Exception):
    """Raised inside a build or sync when the index was shut down meanwhile."""


class _Budget(collectors.WrappingCollector):  # type: ignore[misc]
    """Stops a search after ``seconds`` of collecting (checked every 64 matches); the
    hits collected so far stay in the child collector."""

    def __init__(self, child: Any, seconds: float) -> None:
        super().__init__(child)
        self.seconds = seconds
        self.deadline = 0.0
        self.stopped = False

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.deadline = time.perf_counter() + self.seconds

    def collect_matches(self) -> None:
        for count, sub_docnum in enumerate(self.matches(), 1):
            if not count % BUDGET_EVERY and time.perf_counter() > self.deadline:
                self.stopped = True
                raise _OutOfTime
            self.collect(sub_docnum)


class IndexNotReady(MistakesError):
    """The index is being built by this process; searches come back when it is done."""


class IndexUnavailable(MistakesError):
    """The index cannot be used; the message says why (it is rebuilt when possible)."""


@dataclass
class Hit:
    name: str
    path: Path
    number: int
    title: str
    severity: str
    status: str
    date: str
    score: float
    snippet: Snippet | None = None
    terms: frozenset[str] = frozenset()
    reason: str = ""
    prefer: tuple[str, ...] = ()  # section keys the query named: snippets come from them

    @property
    def section(self) -> str:
        return self.snippet.section if self.snippet else ""


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    notice: str = ""
    exact: bool = True  # False: ``total`` is Whoosh's estimate (a page of hits was full)
    pending: bool = False  # the index is being built: no answer yet
    complete: bool = True  # False: the time budget ran out; the best of what was scored


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    notices: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def index_dir_for(folder: Path, cache_root: Path) -> Path:
    key = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:20]
    return cache_root / f"index-v{SCHEMA_VERSION}" / key


def _trusted(path: Path, folder: Path) -> bool:
    """Made by us, owned by the user, writable by nobody else (files opened with pickle)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode):
        return False
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is not None and info.st_uid != uid:
        return False
    if info.st_mode & 0o022:
        return False
    try:
        marker = json.loads((path / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if marker.get("folder") != str(folder.resolve()) or marker.get("version") != SCHEMA_VERSION:
        return False
    for item in path.iterdir():
        try:
            item_info = item.lstat()
        except OSError:
            return False
        if stat.S_ISLNK(item_info.st_mode) or item_info.st_mode & 0o022:
            return False
        if uid is not None and item_info.st_uid != uid:
            return False
    return True


class _FileLock:
    """An exclusive lock between processes (flock: released when a process dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None
        self._umask = 0o022

    def __enter__(self) -> _FileLock:
        self._umask = os.umask(0o077)  # what is written under the lock is private
        if not HAVE_FLOCK:
            return self
        self.handle = self.path.open("a")
        deadline = time.monotonic() + LOCK_TIMEOUT
        delay = 0.01
        while True:
            try:
                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.handle.close()
                    os.umask(self._umask)
                    raise IndexUnavailable(
                        f"the index is locked by another process ({self.path})"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def __exit__(self, *exc: object) -> None:
        os.umask(self._umask)
        if self.handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


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


class SearchIndex:
    def __init__(
        self, folder: EntryFolder, cache_root: Path, *, forking_allowed: bool = True
    ) -> None:
        self.forking_allowed = forking_allowed  # False in a threaded process (the app)
        self.folder = folder
        self.template = folder.template
        self.fields: SearchFields = search_fields(folder.template)
        self.schema = build_schema(self.fields)
        self.signature = schema_signature(self.fields)
        self.dir = index_dir_for(folder.root, cache_root)
        self.queries = QueryBuilder(self.schema, self.fields)
        self._similar_fields = [BODY, self.fields.title]
        self._text_fields = {
            *self.fields.default_fields(),
            *self.fields.text_fields,
            *([self.fields.tags] if self.fields.tags else []),
        }
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._stale = True
        self._busy = 0  # threads of this process opening or building the index
        self._closed = False  # shut down: nothing is opened again
        self._retired: list[Searcher] = []  # replaced searchers, closed a little later
        self._read_lock = threading.RLock()  # see _reading
        self._guard = threading.Lock()

    # -- opening --------------------------------------------------------------------------
    def _lock(self) -> _FileLock:
        """Held while writing; it lives beside the index directory, which a rebuild
        replaces, so that a second process waits for the first instead of racing it."""
        self.dir.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return _FileLock(self.dir.with_name(f"{self.dir.name}.lock"))

    def _discard(self) -> None:
        self.close()
        if self.dir.is_symlink() or self.dir.is_file():
            self.dir.unlink()
        elif self.dir.exists():
            aside = self.dir.with_name(f"{self.dir.name}.discarded-{os.getpid()}")
            try:
                self.dir.rename(aside)
                shutil.rmtree(aside, ignore_errors=True)
            except OSError:
                shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.dir, 0o700)

    def _create(self) -> windex.Index:
        self._discard()
        (self.dir / MARKER).write_text(
            json.dumps(
                {
                    "folder": str(self.folder.root.resolve()),
                    "version": SCHEMA_VERSION,
                    "signature": self.signature,
                }
            ),
            "utf-8",
        )
        os.chmod(self.dir / MARKER, 0o600)
        return FileStorage(str(self.dir), supports_mmap=False).create_index(self.schema)

    def _open_existing(self) -> windex.Index | None:
        if not _trusted(self.dir, self.folder.root):
            return None
        # Whoosh leaves the files of a half-opened corrupt segment open; they are let go
        # quietly here rather than warn as unclosed files at some later collection
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                marker = json.loads((self.dir / MARKER).read_text("utf-8"))
                if marker.get("signature") != self.signature:
                    return None
                if not windex.exists_in(str(self.dir)):
                    return None
                ix = FileStorage(str(self.dir), supports_mmap=False).open_index()
                with ix.searcher() as searcher:  # read something: a corrupt index fails here
                    searcher.doc_count()
                return ix
            except Exception:  # any failure of Whoosh: rebuild
                pass
            gc.collect()
        return None

    # -- bringing in step -----------------------------------------------------------------
    def open_as_is(self) -> bool:
        """Open an existing index without bringing it in step (searching can start while a
        sync runs). False when there is no usable index: ``open`` builds one."""
        with self._guard:
            if self._ix is not None:
                return True
            if self._busy or self._closed:
                return False
            ix = self._open_existing()
            if ix is None:
                return False
            self._ix = ix
            self._stale = True
            return True

    @contextlib.contextmanager
    def _working(self) -> Iterator[None]:
        with self._guard:
            self._busy += 1
        try:
            yield
        finally:
            with self._guard:
                self._busy -= 1
                last = not self._busy and self._closed
            if last:
                self.close()  # deferred by shutdown() while this thread worked

    def open(self, progress: Progress | None = None) -> SyncReport:
        """Open (or build) the index and bring it in step with the folder."""
        if self._closed:
            return SyncReport()
        with self._working():
            try:
                return self._open(progress)
            except _ShutDown:  # the app closed meanwhile: given up, nothing half-written
                return SyncReport()

    def _open(self, progress: Progress | None = None) -> SyncReport:
        report = SyncReport()
        with self._lock():
            existed = self.dir.exists() and any(self.dir.iterdir())  # lock is outside
            ix = self._ix if self._ix is not None else self._open_existing()
            if ix is None:
                if existed:
                    report.notices.append(
                        "the search index was missing, outdated or unreadable: rebuilt it"
                    )
                self._rebuild_locked(report, progress)
            else:
                self._ix = ix
                self._sync_locked(report, progress)
        self._stale = True
        return report

    def sync(self, progress: Progress | None = None) -> SyncReport:
        if self._closed:
            return SyncReport()
        if self._ix is None:
            return self.open(progress)
        report = SyncReport()
        with self._working(), self._lock():
            try:
                self._sync_locked(report, progress)
            except _ShutDown:
                return report
            except Exception as exc:  # a corrupt index: start again
                if isinstance(exc, IndexUnavailable) or self._closed:
                    raise
                report.notices.append(f"the search index failed ({exc}): rebuilt it")
                with contextlib.suppress(_ShutDown):
                    self._rebuild_locked(report, progress)
        self._stale = True
        return report

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        report = SyncReport()
        with self._working(), self._lock(), contextlib.suppress(_ShutDown):
            self._rebuild_locked(report, progress)
        self._stale = True
        return report

    def _scan(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for path in self.folder.paths():
            try:
                info = path.stat()
            except OSError:
                continue
            found[path.name] = (info.st_size, info.st_mtime_ns)
        return found

    def _read_manifest(self) -> dict[str, list[Any]]:
        try:
            data = json.loads((self.dir / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        files = data.get("files", {}) if isinstance(data, dict) else {}
        return files if isinstance(files, dict) else {}

    def _write_manifest(self, files: dict[str, list[Any]]) -> None:
        tmp = self.dir / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps({"files": files}, separators=(",", ":")), "utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.dir / MANIFEST)

    def _load(self, name: str) -> tuple[StoredEntry | None, str, Problem | None]:
        path = self.folder.root / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            return None, "", Problem(path, 0, f"cannot read: {exc.strerror or exc}")
        digest = content_hash(data)
        try:
            stored = self.folder.load_bytes(path, data)
        except EntryParseError as exc:
            return None, digest, Problem(path, exc.line, exc.message)
        return stored, digest, None

    def _rebuild_locked(self, report: SyncReport, progress: Progress | None) -> None:
        if self._closed:
            raise _ShutDown
        ix = self._create()
        current = self._scan()
        manifest: dict[str, list[Any]] = {}
        total = len(current)
        # a second process halves a big build, but it is forked: never from a process with
        # other threads running (the app), where the child can inherit a held lock and hang
        procs = 2 if self.forking_allowed and total >= FORK_MIN_ENTRIES else 1
        writer = ix.writer(procs=procs, multisegment=procs > 1, limitmb=64)
        try:
            for done, (name, (size, mtime)) in enumerate(sorted(current.items()), 1):
                if self._closed:
                    raise _ShutDown
                stored, digest, problem = self._load(name)
                manifest[name] = [size, mtime, digest]
                if problem is not None:
                    report.problems.append(problem)
                elif stored is not None:
                    writer.add_document(**index_document(stored, self.template, self.fields))
                    report.added += 1
                if progress is not None and (done % 50 == 0 or done == total):
                    progress(done, total)
            writer.commit(optimize=False)  # two segments, one per process: fast enough
        except BaseException:
            writer.cancel()
            raise
        self._ix = ix
        self._write_manifest(manifest)
        report.rebuilt = True

    def _sync_locked(self, report: SyncReport, progress: Progress | None) -> None:
        assert self._ix is not None
        manifest = self._read_manifest()
        current = self._scan()
        deleted = [name for name in manifest if name not in current]
        known = set(manifest)
        changed: list[tuple[str, StoredEntry | None]] = []
        candidates = [
            name
            for name, stat_key in current.items()
            if name not in manifest or list(stat_key) != manifest[name][:2]
        ]
        total = len(candidates)
        for done, name in enumerate(candidates, 1):
            if self._closed:
                raise _ShutDown
            size, mtime = current[name]
            stored, digest, problem = self._load(name)
            old = manifest.get(name)
            manifest[name] = [size, mtime, digest]
            if problem is not None:
                report.problems.append(problem)
            if old is not None and len(old) > 2 and old[2] == digest:
                report.unchanged += 1  # touched, not changed
                continue
            changed.append((name, stored))
            if progress is not None and (done % 50 == 0 or done == total):
                progress(done, total)
        report.unchanged += len(current) - total
        if changed or deleted:
            writer = self._ix.writer(timeout=LOCK_TIMEOUT)
            try:
                for name in deleted:
                    writer.delete_by_term("path", name)
                    report.deleted += 1
                for name, stored in changed:
                    if stored is None:
                        writer.delete_by_term("path", name)
                        continue
                    writer.update_document(**index_document(stored, self.template, self.fields))
                    if name in known:
                        report.updated += 1
                    else:
                        report.added += 1
                writer.commit(optimize=self._segment_count() >= MAX_SEGMENTS)
            except BaseException:
                writer.cancel()
                raise
            for name in deleted:
                manifest.pop(name, None)
        if changed or deleted or candidates:
            self._write_manifest(manifest)

    def _segment_count(self) -> int:
        assert self._ix is not None
        try:
            with self._ix.reader() as reader:
                return len(reader.leaf_readers()) if not reader.is_atomic() else 1
        except Exception:
            return 0

    def update_entry(self, stored: StoredEntry) -> None:
        """Index one saved entry now (the app and the CLI call this after a save)."""
        if self._ix is None:
            self.open()
            return
        info = stored.path.stat()
        with self._lock():
            writer = self._ix.writer(timeout=LOCK_TIMEOUT)
            try:
                writer.update_document(**index_document(stored, self.template, self.fields))
                writer.commit(optimize=self._segment_count() >= MAX_SEGMENTS)
            except BaseException:
                writer.cancel()
                raise
            manifest = self._read_manifest()
            manifest[stored.path.name] = [info.st_size, info.st_mtime_ns, stored.digest]
            self._write_manifest(manifest)
        self._stale = True

    def update_if_built(self, stored: StoredEntry) -> bool:
        """Index one saved entry in an index built before, without bringing the rest in
        step (the CLI after ``new``/``set``). False when there is no usable index."""
        with self._lock():
            ix = self._open_existing()
            if ix is None:
                return False
            self._ix = ix
        self.update_entry(stored)
        return True

    def remove_entry(self, name: str) -> None:
        if self._ix is None:
            self.open()
            return
        with self._lock():
            writer = self._ix.writer(timeout=LOCK_TIMEOUT)
            writer.delete_by_term("path", name)
            writer.commit()
            manifest = self._read_manifest()
            manifest.pop(name, None)
            self._write_manifest(manifest)
        self._stale = True

    # -- searching ------------------------------------------------------------------------
    def searcher(self) -> Searcher:
        if self._closed:
            raise IndexNotReady("the search index is closed")
        if self._ix is None:
            if self._busy:  # another thread builds it: do not wait on the lock it holds
                raise IndexNotReady("the search index is being built")
            self.open()
        with self._guard:  # search, snippet and similar threads ask at once: one searcher
            if self._closed or self._ix is None:
                raise IndexNotReady("the search index is closed")
            if self._searcher is not None and self._stale:
                # a fresh searcher: Searcher.refresh() does not see deletions. The old one
                # may still be in use by another thread's search: it is closed two
                # generations later (closing it at once broke searches running on it)
                self._retired.append(self._searcher)
                while len(self._retired) > 2:
                    with contextlib.suppress(Exception):
                        self._retired.pop(0).close()
                self._searcher = None
            if self._searcher is None:
                self._searcher = self._ix.searcher()
                _preload_lengths(self._searcher)
            self._stale = False
            return self._searcher

    def parse(
        self, text: str, partial: bool = False, searcher: Searcher | None = None
    ) -> ParsedQuery:
        reader = (searcher or self.searcher()).reader()
        return self.queries.parse(text, partial=partial, reader=reader)

    @_reading
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
        the best of the documents scored so far come back with ``complete=False``.
        """
        try:
            return self._search(text, limit, partial, snippets, budget)
        except (IndexUnavailable, IndexNotReady):
            raise
        except Exception:
            # an index that fails while reading: rebuild it and try once more
            self.close()
            report = self.rebuild()
            report.notices.append("the search index failed while reading: rebuilt it")
            results = self._search(text, limit, partial, snippets)
            results.notice = "; ".join(filter(None, [*report.notices, results.notice]))
            return results

    def _healthy(self) -> bool:
        try:
            assert self._ix is not None
            with self._ix.searcher() as searcher:
                searcher.doc_count()
            return True
        except Exception:
            return False

    def _search(
        self, text: str, limit: int, partial: bool, snippets: int, budget: float | None = None
    ) -> SearchResults:
        try:
            return self._run_search(text, limit, partial, snippets, budget)
        except Exception:
            if not self._healthy():
                raise
            # the index is fine: this query shape is not; search its plain words instead
            words = " ".join(w for w in query_words(text) if w not in OPERATORS)
            results = self._run_search(words, limit, partial, snippets) if words else None
            notice = f"could not run the query; searched the words: {words}"
            if results is None:
                return SearchResults(text, [], 0, "could not run the query")
            results.notice = notice
            return results

    def _run_search(
        self, text: str, limit: int, partial: bool, snippets: int, budget: float | None = None
    ) -> SearchResults:
        searcher = self.searcher()
        parsed = self.parse(text, partial=partial, searcher=searcher)
        if not text.strip():
            return SearchResults(text, self.recent(limit), searcher.doc_count(), parsed.notice)
        if parsed.query is wq.NullQuery or type(parsed.query).__name__ == "_NullQuery":
            return SearchResults(text, [], 0, parsed.notice)
        # matched terms per hit (terms=True) cost more than the search: the query's own
        # terms (prefixes and fuzzy terms already expanded) mark the snippets instead
        # optimize=False: Whoosh's block-quality skipping costs more than it saves on these
        # short unions of expanded terms (measured: 47 ms instead of 73 for "timeout" at 10k)
        complete = True
        if budget is None:
            results = searcher.search(parsed.query, limit=limit + 10, optimize=False)
        else:
            collector = _Budget(searcher.collector(limit=limit + 10, optimize=False), budget)
            with contextlib.suppress(_OutOfTime):
                searcher.search_with_collector(parsed.query, collector)
            results = collector.results()
            complete = not collector.stopped
        title_only, terms = self._positive_terms(parsed)
        query_terms = frozenset(terms)
        hits = [self._hit(hit.fields(), hit.score or 0.0, query_terms) for hit in results]
        tied = (
            complete and len(hits) > limit and round(hits[0].score, 6) == round(hits[-1].score, 6)
        )
        if tied and self.fields.date:
            # equal scores past the page (filters, ranges, NOT): newest first over them all
            facet = sorting.FieldFacet(self.fields.date, reverse=True)
            ordered = searcher.search(parsed.query, limit=limit, sortedby=facet)
            score = hits[0].score  # a sorted search reports the sort key as the score
            hits = [self._hit(hit.fields(), score, query_terms) for hit in ordered]
        hits.sort(key=lambda h: (-round(h.score, 6), _date_key(h.date)))
        hits = hits[:limit]
        leaves = list(self.fields.leaves.values())
        prefer = tuple(leaves[n] for n in sorted(section_numbers(parsed.query)))
        for hit in hits[:snippets]:
            hit.prefer = prefer
            if title_only:
                text_, spans = _title_marks(hit.title, query_terms)
                hit.snippet = Snippet("Title", text_, spans)
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
                    found.append(_text(q.text))
                return
            if isinstance(q, wq.Phrase):
                fields.add(q.fieldname)
                found.extend(_text(w) for w in q.words)
                return
            if isinstance(q, spans.SpanQuery):
                for fieldname, term in q.iter_all_terms():
                    if fieldname in self._text_fields:
                        fields.add(fieldname)
                        found.append(_text(term))
                return
            if q.is_leaf():
                return
            for child in q.children():
                walk(child)

        walk(parsed.query)
        if parsed.fallback:
            found.extend(_query_terms(parsed))
        return fields == {self.fields.title}, found

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
        )

    def attach_snippet(self, hit: Hit) -> None:
        """Read the hit's file and make its snippet (the app calls this for the highlighted
        result only)."""
        try:
            stored = self.folder.load(hit.path)
        except (OSError, EntryParseError):
            return
        hit.snippet = make_snippet(stored.entry, self.template, hit.terms, prefer=hit.prefer)

    @_reading
    def similar(self, text: str, limit: int = 10, exclude: str | None = None) -> list[Hit]:
        """Past entries most like a pasted traceback or log, best first, with the reason."""
        signals = extract(text)
        if signals.empty:
            return []
        searcher = self.searcher()
        reader = searcher.reader()
        total = max(1, searcher.doc_count())
        rare: set[str] = set()  # words that say something: in few entries (error lines: some)
        for words, share in ((signals.other_words, 20), (signals.error_words, 3)):
            for word in words:
                term = term_of(word)
                frequency = max(reader.doc_frequency(f, term) for f in self._similar_fields)
                if 0 < frequency <= max(2, total // share):
                    rare.add(term)
        weights = weighted_terms(signals, rare)
        top = sorted(weights.items(), key=lambda kv: -kv[1])[:48]
        if not top:
            return []
        subqueries: list[wq.Query] = [
            wq.Term(name, t, boost=w / 2 if name == self.fields.title else w)
            for t, w in top
            for name in self._similar_fields
        ]
        results = searcher.search(wq.Or(subqueries), limit=limit * 3 + 1, terms=True)
        hits: list[Hit] = []
        for result in results:
            stored_fields = result.fields()
            if exclude is not None and stored_fields.get("path") == exclude:
                continue
            matched = frozenset(
                t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t)
                for _f, t in (result.matched_terms() or [])
            )
            hit = self._hit(stored_fields, result.score or 0.0, matched)
            try:
                entry = self.folder.load(hit.path).entry
            except (OSError, EntryParseError):
                continue
            other = "\n".join(
                [entry.title, *entry.sections.values(), *entry.extra_sections.values()]
            )
            reason = explain(signals, set(matched), other, rare)
            hit.score = hit.score * (1.0 + 0.15 * reason.strength())
            hit.reason = reason.text()
            hit.snippet = make_snippet(entry, self.template, matched)
            hits.append(hit)
        hits.sort(key=lambda h: (-round(h.score, 6), _date_key(h.date)))
        return hits[:limit]

    @_reading
    def recent(self, limit: int) -> list[Hit]:
        """The newest entries (by date, then number): what the sidebar shows with no query."""
        searcher = self.searcher()
        if self.fields.date:
            facet = sorting.FieldFacet(self.fields.date, reverse=True)
            results = searcher.search(wq.Every(), limit=limit * 2, sortedby=facet)
        else:
            results = searcher.search(wq.Every(), limit=None)
        hits = [self._hit(hit.fields(), 0.0, frozenset()) for hit in results]
        hits.sort(key=lambda h: (_date_key(h.date), -h.number))
        return hits[:limit]

    @_reading
    def known_tags(self) -> list[str]:
        """Every tag in use, most used first (for completion while typing tags)."""
        if not self.fields.tags:
            return []
        reader = self.searcher().reader()
        counted = [
            (info.doc_frequency(), _text(term))
            for term, info in reader.iter_field(self.fields.tags)
        ]
        return [tag for _count, tag in sorted(counted, key=lambda pair: (-pair[0], pair[1]))]

    @_reading
    def doc_count(self) -> int:
        return int(self.searcher().doc_count())

    def shutdown(self) -> None:
        """Close for good: threads still running (a sync, a late search) open nothing more,
        and a build or sync under way gives up at its next entry (without committing)."""
        with self._guard:
            self._closed = True
            busy = self._busy
        if not busy:
            self.close()

    def close(self) -> None:
        while self._retired:
            with contextlib.suppress(Exception):
                self._retired.pop().close()
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            with contextlib.suppress(Exception):
                self._ix.close()
            self._ix = None


def _preload_lengths(searcher: Searcher) -> None:
    """Read each segment's field-length column into memory once.

    BM25F asks for a document's field length for every match it scores, and with mmap off
    Whoosh reads each one from the file: a third of the time of a broad query (measured:
    "timeout" at 10,000 entries 38 ms -> 27 ms). The column holds one byte per document, so
    this is one read per field and segment. Anything unexpected leaves Whoosh's own path.
    """
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        for leaf, _offset in searcher.reader().leaf_readers():
            perdoc = getattr(leaf, "_perdoc", None)
            if perdoc is None or not hasattr(perdoc, "_cached_reader"):
                continue
            for name in leaf.schema.scorable_names():
                key = _lenfield(name)
                column = perdoc._cached_reader(key, LENGTHS_COLUMN)
                if getattr(column, "_typecode", None) != "B" or column._fixedlen != 1:
                    continue
                data = column._dbfile.get(column._basepos, column._count)
                data += bytes(max(0, column._doccount - column._count))  # the default, 0
                perdoc._readers[key] = data  # bytes[docnum] is the length byte, as before
    except Exception:  # another Whoosh layout: keep its reader
        return


def _date_key(date: str) -> str:
    """Sort key putting newer dates first when sorting ascending."""
    return "".join(chr(0x10FFFF - ord(c)) if c.isdigit() else c for c in date) or "\U0010ffff"


def _query_terms(parsed: ParsedQuery) -> Iterator[str]:
    for word in parsed.words:
        yield term_of(word)


def _text(term: object) -> str:
    return term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)


def _title_marks(title: str, terms: frozenset[str]) -> tuple[str, list[tuple[int, int]]]:
    spans = [
        (m.start(), m.end())
        for m in re.finditer(r"\w+", title)
        if term_of(m.group()) in terms or fold(m.group()) in terms
    ]
    return title, spans


def query_fields(template: Template) -> list[str]:
    """The field names a query can use with this template (for help)."""
    fields = search_fields(template)
    return QueryBuilder(build_schema(fields), fields).field_names()
