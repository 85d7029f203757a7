"""The index schema, derived from the template, and the index document of an entry."""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from mistakes.domain.naming import snake_key
from mistakes.domain.occurrences import resolved_on, seen_count
from mistakes.domain.template import FieldKind, Template
from mistakes.search.analysis import count_positions, make_analyzer
from mistakes.search.answer_fields import (
    ERROR_LINES,
    ERROR_SIZE,
    ERROR_TERMS,
    FIX_TEXT,
    ROOT_CAUSE_TEXT,
)
from mistakes.search.answer_fields import FIELDS as SIMILAR_FIELDS
from mistakes.storage.folder import StoredEntry

# 5: NFC text, CJK letter pairs; 6: error signature, fix, root cause; 7: seen, resolved;
# 8: listing and record columns; 9: follow-up and link columns
SCHEMA_VERSION = 9
TITLE_BOOST = 3.0
SEEN = "seen"  # how many occurrences the entry records (``seen:>2``)
RESOLVED = "resolved"  # the day it became Resolved, as the frontmatter has it
RESERVED = {
    "path", "number", "datestr", "body", "ranges", "listing", "record", "follow_ups",
    "links", SEEN, RESOLVED, *SIMILAR_FIELDS,
}  # fmt: skip
_GENERIC_GROUP_WORDS = ("analysis", "process", "strategy", "assessment", "details", "description")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True)
class SearchFields:
    """Which index field holds what, for one template.

    A plain query searches the title and ``body`` (every section, the environment values,
    extra sections and keys, the checklist), with positions. Each text is indexed once:
    a per-entry column (``ranges``) records the span of positions each section has in
    ``body``, and a section field query such as ``fix:restart`` matches ``restart`` only
    at positions inside The Fix. The section fields exist in the schema (so the parser
    knows them) but hold no postings; a section group (``root_cause:``, ``solution:``)
    stands for the sections in it.
    """

    title: str
    tags: str | None
    date: str | None
    choice_fields: tuple[str, ...]
    text_fields: tuple[str, ...]  # other top-level text fields (reporter, ...)
    leaves: dict[str, str]  # index field -> leaf key
    groups: dict[str, str]  # environment group key -> index field
    virtual: dict[str, tuple[str, ...]]  # group name -> index fields it stands for

    def default_fields(self) -> list[str]:
        return [self.title, BODY]

    def section_numbers(self, name: str) -> tuple[int, ...]:
        """Marker numbers of a section or section group field; () for any other field."""
        order = list(self.leaves)
        if name in self.leaves:
            return (order.index(name),)
        if name in self.virtual:
            return tuple(order.index(leaf) for leaf in self.virtual[name])
        return ()

    def section_field_names(self) -> list[str]:
        return [*self.leaves, *self.virtual]


BODY = "body"
RANGES = "ranges"
LISTING = "listing"  # column: the entry's facts as typed (JSON), for list and stats
RECORD = "record"  # column: the entry's --json object (UTF-8), when the index was given one

# columns the services layer fills (see ColumnsOf); b"": not kept (the index was given no
# columns_of), and the file is read instead
FOLLOW_UPS = "follow_ups"  # the checklist items with their file lines (JSON)
LINKS = "links"  # the links written in the entry, with their file lines (JSON)

RecordOf = Callable[[StoredEntry], bytes]
"""The ``--json`` object of an entry, serialised: stored as is, so that ``list --json`` need
not parse the file (the services layer, which defines that object, hands it in)."""
ColumnsOf = Callable[[StoredEntry], dict[str, bytes]]
"""Other per-entry columns the services layer defines (:data:`FOLLOW_UPS`, ``todo``'s
items; :data:`LINKS`, ``show``'s backlinks), serialised, never empty: stored as they are."""
_RANGE = struct.Struct("<II")


def pack_ranges(ranges: list[tuple[int, int]]) -> bytes:
    return b"".join(_RANGE.pack(start, end) for start, end in ranges)


def unpack_range(blob: bytes, number: int) -> tuple[int, int]:
    """The (start, end) positions of section ``number`` in body; (0, 0) when absent."""
    offset = number * _RANGE.size
    if len(blob) < offset + _RANGE.size:
        return (0, 0)
    start, end = _RANGE.unpack_from(blob, offset)
    return int(start), int(end)


def _field_name(key: str, taken: set[str]) -> str:
    name = key if key not in RESERVED else f"f_{key}"
    while name in taken:
        name = f"{name}_"
    taken.add(name)
    return name


def _short_group_key(key: str) -> str:
    words = key.split("_")
    while len(words) > 1 and words[-1] in _GENERIC_GROUP_WORDS:
        words.pop()
    return "_".join(words)


def search_fields(template: Template) -> SearchFields:
    taken: set[str] = set(RESERVED)
    title = _field_name("title", taken)
    tags = date = None
    choices: list[str] = []
    texts: list[str] = []
    for spec in template.fields[1:]:
        name = _field_name(spec.key, taken)
        if spec.kind is FieldKind.TAGS and tags is None:
            tags = name
        elif spec.kind is FieldKind.DATE and date is None:
            date = name
        elif spec.kind is FieldKind.CHOICE:
            choices.append(name)
        else:
            texts.append(name)
    groups = {group.key: _field_name(group.key, taken) for group in template.groups}
    leaves: dict[str, str] = {}
    field_of_leaf: dict[str, str] = {}
    for section in template.leaves():
        name = _field_name(section.key, taken)
        leaves[name] = section.key
        field_of_leaf[section.key] = name
    virtual: dict[str, tuple[str, ...]] = {}
    for section in template.sections:
        if section.is_leaf:
            continue
        members = tuple(field_of_leaf[s.key] for s in template.children(section.key))
        for name in (section.key, _short_group_key(section.key)):
            if name in taken or name in virtual:
                continue
            virtual[name] = members
    return SearchFields(
        title=title,
        tags=tags,
        date=date,
        choice_fields=tuple(choices),
        text_fields=tuple(texts),
        leaves=leaves,
        groups=groups,
        virtual=virtual,
    )


def build_schema(fields: SearchFields) -> Schema:
    analyzer = make_analyzer()
    schema = Schema(
        path=ID(stored=True, unique=True),
        number=STORED(),
        datestr=STORED(),
        body=TEXT(analyzer=analyzer, phrase=True),
        ranges=COLUMN(VarBytesColumn()),
        seen=NUMERIC(int, stored=True, sortable=True),
        resolved=ID(stored=True),
        listing=COLUMN(VarBytesColumn()),
        record=COLUMN(VarBytesColumn()),
        follow_ups=COLUMN(VarBytesColumn()),
        links=COLUMN(VarBytesColumn()),
    )
    # "have we seen this?" (search/similar.py): the error signature, and the answer
    schema.add(ERROR_TERMS, KEYWORD())
    schema.add(ERROR_LINES, KEYWORD())
    schema.add(FIX_TEXT, STORED())
    schema.add(ROOT_CAUSE_TEXT, STORED())
    schema.add(ERROR_SIZE, STORED())
    schema.add(fields.title, TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST))
    if fields.tags:
        schema.add(fields.tags, KEYWORD(stored=True, commas=True, lowercase=True, scorable=True))
    if fields.date:
        schema.add(fields.date, DATETIME(sortable=True))
    for name in fields.choice_fields:
        schema.add(name, KEYWORD(stored=True, lowercase=True, commas=True))
    for name in fields.text_fields:
        schema.add(name, TEXT(analyzer=analyzer, stored=True))
    for name in fields.groups.values():
        schema.add(name, TEXT(analyzer=analyzer, phrase=False))
    # known to the parser, with no postings: queries on them become spans on body
    for name in [*fields.leaves, *fields.virtual]:
        schema.add(name, TEXT(analyzer=analyzer, phrase=True))
    return schema


def schema_signature(fields: SearchFields) -> str:
    """Changes when the schema would: a new template means a new index."""
    parts = [
        str(SCHEMA_VERSION),
        fields.title,
        str(fields.tags),
        str(fields.date),
        *fields.choice_fields,
        *fields.text_fields,
        *(f"{k}={v}" for k, v in sorted(fields.leaves.items())),
        *(f"{k}>{v}" for k, v in sorted(fields.groups.items())),
        *(f"{k}~{','.join(v)}" for k, v in sorted(fields.virtual.items())),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def parse_date(text: str) -> datetime | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return datetime(int(year), int(month), int(day))
    except ValueError:
        return None


def listing_facts(stored: StoredEntry, template: Template) -> dict[str, Any]:
    """What ``list`` shows and filters on and what ``stats`` counts, as the file has it
    (values as typed: the listing prints them unchanged)."""
    entry = stored.entry
    done = sum(1 for item in entry.follow_up if item.done)
    return {
        "name": stored.path.name,
        "number": stored.number,
        "title": entry.title,
        "date": entry.date,
        "severity": entry.text("severity"),
        "status": entry.text("status"),
        "tags": entry.tags(template),
        "follow_up": [len(entry.follow_up) - done, done],
        "resolved": resolved_on(entry),  # the frontmatter's resolved: day (issue 10)
        "seen": seen_count(entry),  # the lines of its ## Occurrences (issue 10's `seen`)
    }


def index_document(
    stored: StoredEntry,
    template: Template,
    fields: SearchFields,
    record: RecordOf | None = None,
    columns: ColumnsOf | None = None,
) -> dict[str, Any]:
    """The Whoosh document of an entry (with its ``--json`` object when ``record`` is
    given, and the columns ``columns`` makes)."""
    entry = stored.entry
    doc: dict[str, Any] = {
        "path": stored.path.name,
        "number": stored.number,
        fields.title: entry.title,
        SEEN: seen_count(entry),
        RESOLVED: resolved_on(entry),
        LISTING: json.dumps(listing_facts(stored, template), ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        ),
    }
    if record is not None:
        doc[RECORD] = record(stored)
    if columns is not None:
        doc.update(columns(stored))
    for spec in template.fields[1:]:
        value = entry.value(spec)
        name = _lookup(fields, spec.key)
        if name is None:
            continue
        if name == fields.tags:
            tags = value if isinstance(value, list) else [value]
            doc[name] = ",".join(t.strip().lower() for t in tags if t.strip())
        elif name == fields.date:
            doc["datestr"] = value if isinstance(value, str) else ""
            parsed = parse_date(doc["datestr"])
            if parsed is not None:
                doc[name] = parsed
        elif name in fields.choice_fields:
            text = value if isinstance(value, str) else ", ".join(value)
            choice = spec.choice_for(text) if text else None
            doc[name] = (choice or snake_key(text)).lower()
        else:
            doc[name] = value if isinstance(value, str) else ", ".join(value)
    body: list[str] = []
    ranges: list[tuple[int, int]] = []
    position = 0
    for leaf in fields.leaves.values():
        text = entry.sections.get(leaf, "")
        count = count_positions(text) if text else 0
        ranges.append((position, position + count))
        position += count
        if text:
            body.append(text)
    doc[RANGES] = pack_ranges(ranges)
    for group_key, name in fields.groups.items():
        values = " ".join(entry.groups.get(group_key, {}).values())
        if values.strip():
            doc[name] = values
            body.append(values)
    body.extend([*entry.extra_sections.keys(), *entry.extra_sections.values()])
    body.extend(f"{k} {v}" for k, v in entry.extra.items() if isinstance(v, str))
    body.extend(item.text for item in entry.follow_up)
    doc[BODY] = "\n\n".join(body)
    from mistakes.search.similar import signature  # the lookup's code: when indexing only

    doc.update(signature(entry, template))
    return doc


def _lookup(fields: SearchFields, key: str) -> str | None:
    candidates = [fields.tags, fields.date, *fields.choice_fields, *fields.text_fields]
    for name in candidates:
        if name in (key, f"f_{key}"):
            return name
    return None
