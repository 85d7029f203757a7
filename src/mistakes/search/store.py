"""The index's life: open, build, bring in step with the folder, update one entry, close.

One index per entries folder (see :mod:`mistakes.search.cache` for where, and why only a
directory nobody else can reach is opened). On open the index is brought in step with the
folder (:mod:`mistakes.search.manifest`); a missing, corrupt or outdated index is rebuilt
with a notice. Writers take turns on the folder's lock (:mod:`mistakes.search.locking`).

Only Whoosh's own failures on a damaged index (:func:`damaged`) lead to a rebuild: any
other exception is a bug and goes up to the caller with its traceback.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import pickle
import shutil
import struct
import threading
import warnings
import weakref
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import whoosh
from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage

from mistakes.search import manifest
from mistakes.search.cache import MARKER, IndexLocation, locate, remove_temporary, trusted
from mistakes.search.listing import Bytes, Entries, read_entries, read_listing, read_records
from mistakes.search.locking import FileLock, LockCancelled
from mistakes.search.schema import (
    SCHEMA_VERSION,
    ColumnsOf,
    RecordOf,
    SearchFields,
    build_schema,
    index_document,
    schema_signature,
    search_fields,
)
from mistakes.search.types import IndexNotReady, IndexUnavailable, Notify, Progress, SyncReport
from mistakes.storage.folder import EntryFolder, StoredEntry

if TYPE_CHECKING:  # a listing reads columns: none of Whoosh's searching is loaded for it
    from whoosh.searching import Searcher

_T = TypeVar("_T")
MAX_SEGMENTS = 8
WHOOSH_LOCK_TIMEOUT = 5.0  # Whoosh's own lock, taken under ours: held only by a dead writer

CORRUPTION: tuple[type[BaseException], ...] = (
    windex.IndexError,  # Whoosh's own: empty, outdated, other architecture, ...
    windex.LockError,  # its write lock kept by what a killed writer left behind
    struct.error,
    zlib.error,
    EOFError,
    OSError,  # a segment file missing or cut short
    pickle.UnpicklingError,
    UnicodeDecodeError,
)
"""What Whoosh raises on a damaged index (with its untyped errors: see :func:`damaged`)."""
_WHOOSH = os.path.dirname(whoosh.__file__) + os.sep


def damaged(exc: BaseException) -> bool:
    """Whether ``exc`` is Whoosh meeting a damaged index: one of :data:`CORRUPTION`, or a
    plain ``Exception`` raised inside Whoosh itself (``Block tag error``, its way of saying
    a block is cut short). Anything else (a TypeError, an error of this program) is a bug."""
    if isinstance(exc, CORRUPTION):
        return True
    if type(exc) is not Exception:
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith(_WHOOSH)


class _ShutDown(LockCancelled):
    """Raised inside a build or sync when the index was shut down meanwhile."""


class IndexStore:
    """A folder's index on disk, its searcher, and the writes that keep it in step."""

    def __init__(
        self, folder: EntryFolder, cache_root: Path, *, forking_allowed: bool = True
    ) -> None:
        self.forking_allowed = forking_allowed  # False in a threaded process (the app)
        self.folder = folder
        self.template = folder.template
        self.fields: SearchFields = search_fields(folder.template)
        self.schema = build_schema(self.fields)
        self.signature = schema_signature(self.fields)
        self.location: IndexLocation = locate(folder.root, cache_root)
        self.dir = self.location.dir
        # the cache could not be used: said once, in the first report
        self.warning = self.location.warning
        self._warn = bool(self.warning)
        if self.location.temporary is not None:
            weakref.finalize(self, remove_temporary, self.location)
        self.on_wait: Notify | None = None  # told what a lock wait waits for
        self.record_of: RecordOf | None = None  # kept with each entry when set (list --json)
        self.columns_of: ColumnsOf | None = None  # todo's items, show's links, when set
        # the folder's entry files as the last sync of this process saw them (name ->
        # number), and whether it met an entry name that is not a regular file
        self.scanned: dict[str, int] | None = None
        self.irregular = False
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._stale = True
        self._busy = 0  # threads of this process opening or building the index
        self._closed = False  # shut down: nothing is opened again
        self._cancel = threading.Event()  # set by shutdown(): lock waits give up
        self._retired: list[Searcher] = []  # replaced searchers, closed a little later
        self._read_lock = threading.RLock()  # see searching._reading
        self._guard = threading.Lock()

    # -- opening --------------------------------------------------------------------------
    def lock(self, timeout: float | None = None) -> FileLock:
        """The folder's write lock: ``timeout`` seconds of waiting for another process
        (None: :data:`~mistakes.search.locking.LOCK_TIMEOUT`; 0: one try), then
        :class:`IndexBusy`; a wait gives up at once on :meth:`shutdown`."""
        return FileLock(
            self.location.lock, timeout=timeout, cancelled=self._cancel, on_wait=self.on_wait
        )

    def _report(self) -> SyncReport:
        report = SyncReport()
        if self._warn:
            self._warn = False
            report.notices.append(self.warning)
        return report

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
        marker = {
            "folder": str(self.folder.root.resolve()),
            "version": SCHEMA_VERSION,
            "signature": self.signature,
        }
        (self.dir / MARKER).write_text(json.dumps(marker), "utf-8")
        os.chmod(self.dir / MARKER, 0o600)
        return FileStorage(str(self.dir), supports_mmap=False).create_index(self.schema)

    def _open_existing(self) -> windex.Index | None:
        if not trusted(self.dir, self.folder.root):
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
                with ix.reader() as reader:  # read something: a corrupt index fails here
                    reader.doc_count()
                return ix
            except ValueError:  # the marker is not JSON
                pass
            except Exception as exc:
                if not damaged(exc):
                    raise
            gc.collect()
        return None

    # -- bringing in step -----------------------------------------------------------------
    def _document(self, stored: StoredEntry) -> dict[str, Any]:
        return index_document(stored, self.template, self.fields, self.record_of, self.columns_of)

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

    @property
    def closed(self) -> bool:
        """Shut down: nothing is opened, built or written any more."""
        return self._closed

    def open(self, progress: Progress | None = None, *, wait: float | None = None) -> SyncReport:
        """Open (or build) the index and bring it in step with the folder (``wait``: see
        :meth:`lock`)."""
        if self._closed:
            return SyncReport()
        with self._working():
            try:
                return self._open(progress, wait)
            except LockCancelled:  # the app closed meanwhile: given up, nothing half-written
                return SyncReport()

    def _open(self, progress: Progress | None, wait: float | None) -> SyncReport:
        report = self._report()
        with self.lock(wait):
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
                self._sync_or_rebuild_locked(report, progress)
        self._stale = True
        return report

    def sync(self, progress: Progress | None = None, *, wait: float | None = None) -> SyncReport:
        """Bring the open index in step with the folder (open it first if need be)."""
        if self._closed:
            return SyncReport()
        if self._ix is None:
            return self.open(progress, wait=wait)
        report = self._report()
        try:
            with self._working(), self.lock(wait):
                self._sync_or_rebuild_locked(report, progress)
        except LockCancelled:
            return report
        self._stale = True
        return report

    def _sync_or_rebuild_locked(self, report: SyncReport, progress: Progress | None) -> None:
        try:
            self._sync_locked(report, progress)
        except Exception as exc:
            if not damaged(exc):
                raise
            if self._closed:  # a damaged index: start again, unless shut down
                raise _ShutDown from None
            report.notices.append(f"the search index failed ({_one_line(exc)}): rebuilt it")
            self._rebuild_locked(report, progress)

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        report = self._report()
        with contextlib.suppress(LockCancelled), self._working(), self.lock():
            self._rebuild_locked(report, progress)
        self._stale = True
        return report

    def _rebuild_locked(self, report: SyncReport, progress: Progress | None) -> None:
        if self._closed:
            raise _ShutDown
        ix = self._create()
        current = self._scan()
        files: manifest.Files = {}
        total = len(current)
        from mistakes.search.building import build_writer  # multiprocessing: builds only

        writer = build_writer(ix, total, forking_allowed=self.forking_allowed)
        try:
            for done, (name, (size, mtime)) in enumerate(sorted(current.items()), 1):
                if self._closed:
                    raise _ShutDown
                stored, digest, problem = manifest.load(self.folder, name)
                files[name] = [size, mtime, digest]
                if problem is not None:
                    report.problems.append(problem)
                elif stored is not None:
                    writer.add_document(**self._document(stored))
                    report.added += 1
                if progress is not None and (done % 50 == 0 or done == total):
                    progress(done, total)
            writer.commit(optimize=False)  # two segments, one per process: fast enough
        except BaseException:
            writer.cancel()
            raise
        self._ix = ix
        manifest.write(self.dir, files, manifest.scan_key(current))
        report.rebuilt = True

    def _sync_locked(self, report: SyncReport, progress: Progress | None) -> None:
        ix = self._ix
        if ix is None:  # pragma: no cover - callers open first
            raise IndexNotReady("the search index is not open")
        current = self._scan()
        key = manifest.scan_key(current)
        raw = manifest.read_raw(self.dir)
        if manifest.key_of(raw) == key:  # no file new, changed or gone since the last sync
            report.unchanged += len(current)
            return
        files = manifest.parse(raw)
        deleted = [name for name in files if name not in current]
        known = set(files)
        changed: list[tuple[str, StoredEntry | None]] = []
        candidates = [
            name
            for name, (size, mtime) in current.items()
            if (old := files.get(name)) is None or old[0] != size or old[1] != mtime
        ]
        total = len(candidates)
        for done, name in enumerate(candidates, 1):
            if self._closed:
                raise _ShutDown
            size, mtime = current[name]
            stored, digest, problem = manifest.load(self.folder, name)
            old = files.get(name)
            files[name] = [size, mtime, digest]
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
            writer = ix.writer(timeout=WHOOSH_LOCK_TIMEOUT)
            try:
                for name in deleted:
                    writer.delete_by_term("path", name)
                    report.deleted += 1
                for name, stored in changed:
                    if stored is None:
                        writer.delete_by_term("path", name)
                        continue
                    writer.update_document(**self._document(stored))
                    if name in known:
                        report.updated += 1
                    else:
                        report.added += 1
                writer.commit(optimize=self._segment_count() >= MAX_SEGMENTS)
            except BaseException:
                writer.cancel()
                raise
            for name in deleted:
                files.pop(name, None)
        manifest.write(self.dir, files, key)  # files is now what the scan found

    def _scan(self) -> dict[str, tuple[int, int]]:
        current, numbers, irregular = manifest.scan_numbered(self.folder)
        self.scanned, self.irregular = numbers, irregular
        return current

    def _segment_count(self) -> int:
        if self._ix is None:  # pragma: no cover
            return 0
        with self._ix.reader() as reader:
            return len(reader.leaf_readers()) if not reader.is_atomic() else 1

    def update_entry(self, stored: StoredEntry, *, wait: float | None = None) -> None:
        """Index one saved entry now (the app and the CLI call this after a save).

        ``wait``: seconds to wait for another process's lock (None: the default; 0: one
        try), then :class:`IndexBusy`. A damaged index raises :class:`IndexUnavailable`
        (the next sync rebuilds it)."""
        if self._ix is None:
            self.open(wait=wait)
            return
        info = stored.path.stat()
        with self.lock(wait):
            ix = self._ix
            if ix is None:  # closed meanwhile (shut down)
                raise _ShutDown
            try:
                writer = ix.writer(timeout=WHOOSH_LOCK_TIMEOUT)
                try:
                    writer.update_document(**self._document(stored))
                    writer.commit(optimize=self._segment_count() >= MAX_SEGMENTS)
                except BaseException:
                    writer.cancel()
                    raise
            except Exception as exc:
                if not damaged(exc):
                    raise
                self.close()
                raise IndexUnavailable(
                    f"the search index could not be updated ({_one_line(exc)})"
                ) from None
            files = manifest.read(self.dir)
            files[stored.path.name] = [info.st_size, info.st_mtime_ns, stored.digest]
            manifest.write(self.dir, files)
        self._stale = True

    def update_if_built(self, stored: StoredEntry, *, wait: float | None = None) -> bool:
        """Index one saved entry in an index built before, without bringing the rest in
        step (the CLI after ``new``/``set``). False when there is no usable index."""
        with self.lock(wait):
            ix = self._open_existing()
            if ix is None:
                return False
            self._ix = ix
        self.update_entry(stored, wait=wait)
        return True

    # -- the searcher ---------------------------------------------------------------------
    def listing(self, records: bool = False) -> dict[str, tuple[dict[str, Any], Bytes]]:
        """File name -> (the facts ``list`` and ``stats`` use, the ``--json`` object as
        kept or ``b""``) for every entry the index holds (see :mod:`.listing`)."""
        return self._read(lambda reader: read_listing(reader, records))

    def records(self) -> dict[str, Bytes]:
        """File name -> the ``--json`` object as kept (``b""`` where none is), the facts
        left unparsed (see :func:`~mistakes.search.listing.read_records`)."""
        return self._read(read_records)

    def entries(self, columns: tuple[str, ...] = ()) -> Entries:
        """File name -> (the facts ``list`` uses, the bytes of each of ``columns`` as kept,
        ``b""`` where none is) for every entry the index holds."""
        return self._read(lambda reader: read_entries(reader, columns))

    def _read(self, work: Callable[[Any], _T]) -> _T:
        """``work(reader)`` on the open searcher where there is one (the app), else on a
        reader of its own (a one-shot command: none of Whoosh's searching is loaded)."""
        with self._guard:
            ix = None if self._searcher is not None or self._closed else self._ix
        if ix is None:
            searcher = self.searcher()
            with self._read_lock:  # see searching._reading
                return work(searcher)
        with self._read_lock, ix.reader() as reader:
            return work(reader)

    def _prepare_searcher(self, searcher: Searcher) -> None:
        """Called once for each new searcher (the searching side preloads from it)."""

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
                    _close_quietly(self._retired.pop(0))
                self._searcher = None
            if self._searcher is None:
                self._searcher = self._ix.searcher()
                self._prepare_searcher(self._searcher)
            self._stale = False
            return self._searcher

    def shutdown(self) -> None:
        """Close for good: threads still running (a sync, a late search) open nothing more,
        a lock wait gives up at once, and a build or sync under way gives up at its next
        entry (without committing)."""
        self._cancel.set()
        with self._guard:
            self._closed = True
            busy = self._busy
        if not busy:
            self.close()

    def close(self) -> None:
        while self._retired:
            _close_quietly(self._retired.pop())
        if self._searcher is not None:
            _close_quietly(self._searcher)
            self._searcher = None
        if self._ix is not None:
            _close_quietly(self._ix)
            self._ix = None


def _close_quietly(thing: Any) -> None:
    """Close a searcher or index whose files may be damaged or gone already."""
    try:
        thing.close()
    except Exception as exc:
        if not damaged(exc):
            raise


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
