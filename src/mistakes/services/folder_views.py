"""``list``, ``stats`` and ``todo`` over a set of folders: each folder's own listing (from its
index, as :mod:`mistakes.services.listing` serves it) or follow-ups, put together.

With one folder every function here returns what the folder's own service returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from mistakes.search.listing import Bytes
from mistakes.search.types import Notify
from mistakes.services.entries import EntryService
from mistakes.services.folders import FolderSet
from mistakes.services.followups import FollowUp, open_followups
from mistakes.services.listing import Listed, Listing, json_parts, listing_index, load_listing
from mistakes.storage.folder import Problem


def folder_listing(
    folders: FolderSet,
    *,
    records: bool = False,
    bare: bool = False,
    cache_root: Path | None = None,
    on_wait: Notify | None = None,
) -> Listing:
    """Every folder's entries (folder by folder, each by number), each folder's index brought
    in step first; notices start with the folder's name when there are several. ``bare``
    (one folder only): see :func:`~mistakes.services.listing.load_listing`."""
    merged = Listing([])
    for item in folders:
        index = listing_index(item.folder, cache_root, on_wait=on_wait)
        try:
            listing = load_listing(
                item.folder, index, records=records, bare=bare and not folders.several
            )
        finally:
            index.close()
        if listing.bare is not None:
            return listing  # one folder: nothing to put together
        merged.entries += listing.entries
        merged.problems += listing.problems
        merged.notices += [f"{item.name}: {n}" if folders.several else n for n in listing.notices]
    return merged


def folder_namer(folders: FolderSet) -> Callable[[Path], str]:
    """A listed entry's folder name, from its folder's path ("" with one folder)."""
    if not folders.several:
        return lambda _root: ""
    by_root = {item.root: item.name for item in folders}
    cache: dict[Path, str] = {}

    def name_of(root: Path) -> str:
        name = by_root.get(root)
        if name is None:
            name = cache.get(root)
            if name is None:
                name = cache[root] = folders.of_path(root / "x").name
        return name

    return name_of


def named_json_parts(rows: list[Listed], name_of: Callable[[Path], str]) -> Iterator[Bytes]:
    """``list --json`` with ``"folder"`` after each object's ``"path"`` (several folders);
    the objects are otherwise :func:`~mistakes.services.listing.json_parts`'s, byte for byte."""
    if not rows:
        yield b"[]\n"
        return
    separator = b"[\n"
    for row in rows:
        head, *rest = list(json_parts([row]))[:-1]  # without the closing "\n]\n"
        folder = json.dumps(name_of(row.root), ensure_ascii=False)
        line = ('    "folder": ' + folder + ",\n").encode("utf-8")
        yield separator + bytes(head)[2:] + line  # [2:]: json_parts' own "[\n"
        yield from rest
        separator = b",\n"
    yield b"\n]\n"


def folder_followups(
    folders: FolderSet,
    *,
    tags: list[str] | None = None,
    severities: list[str] | None = None,
    include_done: bool = False,
    on_wait: Notify | None = None,
    notices: list[str] | None = None,
) -> tuple[list[tuple[str, FollowUp]], list[Problem]]:
    """``todo`` over every folder: (folder name, item), grouped by entry, oldest entry first
    across the folders (as one folder orders them: by date, then number). Each folder is
    served from its index when it was indexed before (brought in step first), else from its
    files; what an index says of itself goes to ``notices``, named by folder when several."""
    from mistakes.services.listing import existing_index

    found: list[tuple[str, FollowUp]] = []
    problems: list[Problem] = []
    for item in folders:
        said: list[str] = []
        index = existing_index(item.folder, on_wait=on_wait, notices=said)
        try:
            items, bad = open_followups(
                EntryService(item.folder),
                tags=tags or (),
                severities=severities or (),
                include_done=include_done,
                index=index,
                sync=False,
            )
        finally:
            if index is not None:
                index.close()
        if notices is not None:
            notices += [f"{item.name}: {n}" if folders.several else n for n in said]
        found += [(item.name if folders.several else "", f) for f in items]
        problems += bad
    if folders.several:
        found.sort(key=lambda p: (not p[1].date, p[1].date, p[1].number, p[1].path.name))
    return found, problems
