"""Every entry the index holds, read from its columns: what ``list`` and ``stats`` need,
without opening a file.

Two columns per entry (see :mod:`mistakes.search.schema`): ``listing``, the facts as typed
(title, date, severity, status, tags, checklist counts, resolved, seen) in compact JSON,
and ``record``, the entry's ``--json`` object when the index was given one. Each column of
a segment is read in one piece and cut up here: with mmap off, Whoosh would seek and read
once per document.
"""

from __future__ import annotations

import json
from typing import Any

from whoosh.searching import Searcher

from mistakes.search.schema import LISTING, RECORD

Bytes = bytes | memoryview


def read_listing(searcher: Searcher, records: bool) -> dict[str, tuple[dict[str, Any], Bytes]]:
    """File name -> (facts, record) for every live document; record is ``b""`` when not
    asked for or not kept."""
    out: dict[str, tuple[dict[str, Any], Bytes]] = {}
    for leaf, _offset in searcher.reader().leaf_readers():
        if not leaf.has_column(LISTING):
            continue
        facts = _column_values(leaf, LISTING)
        kept = _column_values(leaf, RECORD) if records and leaf.has_column(RECORD) else None
        raw = [(n, value) for n in leaf.all_doc_ids() if (value := facts(n))]
        # one JSON text for the segment: one parse instead of one per entry
        joined = b"[" + b",".join(value for _n, value in raw) + b"]"
        values = json.loads(joined.decode("utf-8", "surrogatepass"))
        for (docnum, _value), data in zip(raw, values, strict=True):
            out[data["name"]] = (data, kept(docnum) if kept is not None else b"")
    return out


def _column_values(leaf: Any, name: str) -> Any:
    """A function docnum -> bytes over one segment's column (views of it, no copy), read
    whole when Whoosh's
    layout allows it (else one read per document, as Whoosh does)."""
    column = leaf.column_reader(name)
    needed = ("_dbfile", "_basepos", "_offsets", "_lengths")
    if not all(hasattr(column, attr) for attr in needed):
        return column.__getitem__
    lengths = column._lengths
    offsets = column._offsets
    size = max((offsets[i] + lengths[i] for i in range(len(lengths))), default=0)
    data = column._dbfile.get(column._basepos, size) if size else b""
    view = memoryview(data)

    def value(docnum: int) -> Bytes:
        length = lengths[docnum]
        if not length:
            return b""
        start = offsets[docnum]
        return view[start : start + length]

    return value
