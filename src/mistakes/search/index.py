"""The search index of an entries folder: the names the rest of the program uses.

The work is done in:

* :mod:`mistakes.search.cache`: where the index lives, and which directory is trusted;
* :mod:`mistakes.search.locking`: the lock between writing processes;
* :mod:`mistakes.search.manifest`: what the index holds of each file;
* :mod:`mistakes.search.building`: the (multi-process) writer of a full build;
* :mod:`mistakes.search.store`: open, build, sync, update one entry, close;
* :mod:`mistakes.search.searching`: search, recent, similar, tags (:class:`SearchIndex`);
* :mod:`mistakes.search.types`: hits, results, reports and the errors.
"""

from __future__ import annotations

from mistakes.search.cache import MARKER, index_dir_for
from mistakes.search.locking import FileLock
from mistakes.search.searching import SearchIndex, query_fields
from mistakes.search.store import CORRUPTION, MAX_SEGMENTS, damaged
from mistakes.search.types import (
    Hit,
    IndexBusy,
    IndexNotReady,
    IndexUnavailable,
    Notify,
    Progress,
    SearchResults,
    SyncReport,
)

__all__ = [
    "CORRUPTION",
    "MARKER",
    "MAX_SEGMENTS",
    "FileLock",
    "Hit",
    "IndexBusy",
    "IndexNotReady",
    "IndexUnavailable",
    "Notify",
    "Progress",
    "SearchIndex",
    "SearchResults",
    "SyncReport",
    "damaged",
    "index_dir_for",
    "query_fields",
]
