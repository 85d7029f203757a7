"""An NDJSON file for the ``_bulk`` API of OpenSearch or Elasticsearch, and the index
mapping that goes with it. Plain JSON: no client library, nothing sent anywhere.

Each entry is two lines: ``{"index": {"_index": NAME, "_id": "<folder>-<number>"}}``
then the document. Loading the same folder again replaces its documents (same ids).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from mistakes.domain.entry import is_full_date
from mistakes.domain.template import DATE_KEY, FieldKind, Template
from mistakes.export.entries import open_follow_ups
from mistakes.storage.folder import StoredEntry

DEFAULT_INDEX = "mistakes"
ENGLISH_TEXT: dict[str, Any] = {"type": "text", "analyzer": "english"}
KEYWORD: dict[str, Any] = {"type": "keyword", "ignore_above": 1024}
DATE: dict[str, Any] = {"type": "date", "format": "yyyy-MM-dd", "ignore_malformed": True}


_NOT_IN_INDEX_NAMES = set('\\/*?"<>|,#:')


def index_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an OpenSearch/Elasticsearch index name, or None: lowercase,
    no spaces nor any of \\/*?"<>|,#:, not starting with - _ or +, not . or .., at most
    255 bytes."""
    if (
        name
        and name == name.lower()
        and not name.startswith(("-", "_", "+"))
        and name not in (".", "..")
        and not any(c in _NOT_IN_INDEX_NAMES or c.isspace() for c in name)
        and len(name.encode("utf-8")) <= 255
    ):
        return None
    return (
        f"'{name}' is not an index name (lowercase letters, digits, - and _; "
        "not starting with - _ or +)"
    )


def document_id(folder: str, stored: StoredEntry, shared_numbers: set[int]) -> str:
    """``<folder>-<number>``; an entry whose number another entry uses too (two branches
    both made 042) gets its file's stem instead, so that neither replaces the other."""
    if stored.number in shared_numbers:
        return f"{folder}-{stored.path.stem}"
    return f"{folder}-{stored.number:03d}"


def document(stored: StoredEntry, template: Template, folder: str) -> dict[str, Any]:
    """The entry as the index holds it. Field names are the template's keys (``fix``,
    ``what_happened``: the names the app's query language uses); an empty value is left
    out, so a date field never receives ``""``."""
    entry = stored.entry
    doc: dict[str, Any] = {"folder": folder, "number": stored.number, "file": stored.path.name}
    for spec in template.fields:
        value = entry.value(spec)
        if spec.kind is FieldKind.DATE and isinstance(value, str) and not is_full_date(value):
            if value:
                doc[f"{spec.key}_text"] = value  # kept, but not in the date field
            continue
        if value:
            doc[spec.key] = value
    for group in template.groups:
        values = {k: v for k, v in entry.groups.get(group.key, {}).items() if v}
        if values:
            doc[group.key] = values
    sections = {key: text for key, text in entry.sections.items() if text.strip()}
    if sections:
        doc["sections"] = sections
    extra_sections = [
        {"title": title, "text": text} for title, text in entry.extra_sections.items() if text
    ]
    if extra_sections:
        doc["extra_sections"] = extra_sections
    if entry.follow_up:
        doc["follow_up"] = [{"text": i.text, "done": i.done} for i in entry.follow_up]
    doc["follow_ups_open"] = open_follow_ups(stored)
    if entry.extra:
        doc["extra"] = entry.extra
    return doc


def bulk_lines(
    entries: list[StoredEntry], template: Template, folder: str, index: str = DEFAULT_INDEX
) -> Iterator[str]:
    """Action line, document line, for every entry (the file must end with a newline)."""
    counts = Counter(s.number for s in entries)
    shared = {number for number, count in counts.items() if count > 1}
    for stored in entries:
        action = {"index": {"_index": index, "_id": document_id(folder, stored, shared)}}
        yield json.dumps(action, ensure_ascii=False, separators=(",", ":"))
        body = document(stored, template, folder)
        yield json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def mapping(template: Template) -> dict[str, Any]:
    """The index mapping for :func:`document`: English-analysed text for the title and the
    sections, keywords for choices, tags and names, dates as dates. ``PUT /INDEX`` with
    this body before the first ``_bulk``."""
    properties: dict[str, Any] = {
        "folder": KEYWORD,
        "number": {"type": "integer"},
        "file": KEYWORD,
        "follow_ups_open": {"type": "integer"},
        "follow_up": {
            "properties": {"text": ENGLISH_TEXT, "done": {"type": "boolean"}},
        },
        "extra_sections": {"properties": {"title": ENGLISH_TEXT, "text": ENGLISH_TEXT}},
        "extra": {"type": "object", "enabled": False},  # kept, not indexed: any shape
    }
    for spec in template.fields:
        if spec.kind is FieldKind.DATE or spec.key == DATE_KEY:
            properties[spec.key] = DATE
            properties[f"{spec.key}_text"] = KEYWORD
        elif spec.kind in (FieldKind.CHOICE, FieldKind.TAGS):
            properties[spec.key] = KEYWORD
        else:  # the title, the reporter: words to search, and the whole value to sort by
            properties[spec.key] = {**ENGLISH_TEXT, "fields": {"raw": KEYWORD}}
    for group in template.groups:
        properties[group.key] = {
            "properties": {
                spec.key: {**ENGLISH_TEXT, "fields": {"raw": KEYWORD}} for spec in group.fields
            }
        }
    properties["sections"] = {"properties": {spec.key: ENGLISH_TEXT for spec in template.leaves()}}
    return {
        "mappings": {
            "dynamic_templates": [
                {"sections": {"path_match": "sections.*", "mapping": ENGLISH_TEXT}},
                {"strings": {"match_mapping_type": "string", "mapping": KEYWORD}},
            ],
            "properties": properties,
        }
    }
