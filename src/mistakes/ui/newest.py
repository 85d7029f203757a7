"""The newest entries as the app last listed them, kept beside the index: the next start
lists them in its first frame, before the index is open.

Listing the newest entries from the index (opening it, then ``find("")``) is most of what
comes before the first frame with entries listed: ~90 ms of a thread at 10,000 entries.
The list as it was left is read in a millisecond and shown at once; the index's own listing
replaces it as soon as it is there (the index as it was left is no fresher: the startup
sync brings both in step). The file sits in the index's cache directory, named for the
folder, so a schema change or another folder never reads it; a file that cannot be read is
ignored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mistakes.search.index import index_dir_for
from mistakes.search.types import Hit, SearchResults
from mistakes.storage.atomic import write_atomic

VERSION = 1
FIELDS = ("number", "title", "severity", "status", "date", "seen")


def newest_path(folder: Path, cache_root: Path) -> Path:
    index_dir = index_dir_for(folder, cache_root)
    return index_dir.with_name(f"{index_dir.name}.newest.json")


def read_newest(path: Path, folder: Path) -> SearchResults | None:
    """The listing as it was left (query ""), or None when there is none to trust."""
    try:
        data = json.loads(path.read_bytes())
        if data.get("version") != VERSION:
            return None
        hits = [_hit(item, folder) for item in data["hits"]]
        total = int(data["total"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not hits:
        return None
    return SearchResults("", hits, max(total, len(hits)))


def _hit(item: dict[str, Any], folder: Path) -> Hit:
    name = str(item["name"])
    if Path(name).name != name or not name.endswith(".md"):
        raise ValueError(f"not an entry file name: {name!r}")
    return Hit(
        name=name,
        path=folder / name,
        number=int(item["number"]),
        title=str(item["title"]),
        severity=str(item["severity"]),
        status=str(item["status"]),
        date=str(item["date"]),
        score=0.0,
        seen=int(item.get("seen", 0)),
    )


def newest_bytes(hits: Sequence[Hit], total: int) -> bytes:
    listed = [{"name": hit.name, **{key: getattr(hit, key) for key in FIELDS}} for hit in hits]
    return json.dumps({"version": VERSION, "total": total, "hits": listed}).encode("utf-8")


def write_newest(path: Path, hits: Sequence[Hit], total: int) -> None:
    """Keep the listing (for a worker thread: a small file replaced atomically, no fsync:
    losing it costs one start its head start)."""
    write_atomic(path, newest_bytes(hits, total), durable=False)
