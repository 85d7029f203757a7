"""Every entry the index holds, read from its columns: what ``list``, ``stats``, ``todo`` and
``show``'s backlinks need, without opening a file.

Columns per entry (see :mod:`mistakes.search.schema`): ``listing``, the facts as typed
(title, date, severity, status, tags, checklist counts, resolved, seen) in compact JSON;
``record``, the entry's ``--json`` object when the index was given one; ``follow_ups`` and
``links``, the checklist items and the links written in it, with their file lines. Each
column of a segment is read in one piece and cut up here: with mmap off, Whoosh would seek
and read once per document. Only an index reader is needed (none of Whoosh's searching).
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mistakes.search.schema import LISTING, RECORD

Bytes = bytes | memoryview
Entries = dict[str, tuple[dict[str, Any], tuple[Bytes, ...]]]
"""File name -> (facts, the bytes of each column asked for; ``b""`` where none is kept)."""


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: reading 10,000 entries makes hundreds of
    thousands of objects that all stay alive, and the collector would walk them again and
    again (a third of the time of ``list``). Nothing read here makes a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _leaves(reader: Any) -> list[Any]:
    """The segment readers of a reader or a searcher."""
    if not hasattr(reader, "leaf_readers"):
        reader = reader.reader()
    return [leaf for leaf, _offset in reader.leaf_readers()]


def read_entries(reader: Any, columns: Sequence[str] = ()) -> Entries:
    """File name -> (facts, the ``columns``' bytes) for every live document of ``reader``
    (an index reader or a searcher)."""
    with gc_paused():
        return _read_entries(reader, columns)


def _read_entries(reader: Any, columns: Sequence[str]) -> Entries:
    out: Entries = {}
    for leaf in _leaves(reader):
        if not leaf.has_column(LISTING):
            continue
        facts = _column_values(leaf, LISTING)
        kept = [_column_values(leaf, name) if leaf.has_column(name) else None for name in columns]
        raw = [(n, value) for n in leaf.all_doc_ids() if (value := facts(n))]
        # one JSON text for the segment: one parse instead of one per entry
        joined = b"[" + b",".join(value for _n, value in raw) + b"]"
        values = json.loads(joined.decode("utf-8", "surrogatepass"))
        for (docnum, _value), data in zip(raw, values, strict=True):
            out[data["name"]] = (data, tuple(k(docnum) if k else b"" for k in kept))
    return out


def read_listing(searcher: Any, records: bool) -> dict[str, tuple[dict[str, Any], Bytes]]:
    """File name -> (facts, record) for every live document; record is ``b""`` when not
    asked for or not kept. ``searcher``: a searcher or an index reader."""
    held = read_entries(searcher, (RECORD,) if records else ())
    return {name: (facts, kept[0] if kept else b"") for name, (facts, kept) in held.items()}


_NAME_FIRST = re.compile(rb'\{"name": "([^"\\]*)"')
"""The head of a ``listing`` value (its facts begin with the file name): a name with
nothing escaped in its JSON."""


def read_records(reader: Any) -> dict[str, Bytes]:
    """File name -> the ``record`` column (the ``--json`` object; ``b""`` where none is
    kept) for every live document, without parsing the facts: each name is read from the
    head of its ``listing`` value (the whole value is parsed only for a name with an escape
    in its JSON). What ``list --json`` needs when it neither filters nor sorts."""
    with gc_paused():
        out: dict[str, Bytes] = {}
        name_first = _NAME_FIRST.match
        for leaf in _leaves(reader):
            if not leaf.has_column(LISTING):
                continue
            facts = _column_values(leaf, LISTING)
            kept = _column_values(leaf, RECORD) if leaf.has_column(RECORD) else None
            for docnum in leaf.all_doc_ids():
                value = facts(docnum)
                if not value:
                    continue
                head = name_first(value)
                if head is not None:
                    name = head[1].decode("utf-8", "surrogatepass")
                else:
                    name = json.loads(bytes(value).decode("utf-8", "surrogatepass"))["name"]
                out[name] = kept(docnum) if kept is not None else b""
        return out


def _column_values(leaf: Any, name: str) -> Callable[[int], Bytes]:
    """A function docnum -> bytes over one segment's column (views of it, no copy), read
    whole when Whoosh's layout allows it (else one read per document, as Whoosh does)."""
    column = leaf.column_reader(name, translate=False)  # the bytes, not a wrapper of them
    needed = ("_dbfile", "_basepos", "_offsets", "_lengths")
    if not all(hasattr(column, attr) for attr in needed):
        getter: Callable[[int], Bytes] = column.__getitem__
        return getter
    lengths = column._lengths
    offsets = column._offsets
    # values are written one after the other (a missing one takes no room): the last ends it
    size = offsets[len(lengths) - 1] + lengths[len(lengths) - 1] if len(lengths) else 0
    data = column._dbfile.get(column._basepos, size) if size else b""
    view = memoryview(data)

    def value(docnum: int) -> Bytes:
        length = lengths[docnum]
        if not length:
            return b""
        start = offsets[docnum]
        return view[start : start + length]

    return value
