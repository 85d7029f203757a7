"""Golden files: an Entry as JSON next to the exact file it is written as / read from.

``fresh-NAME``: the file ``new_document(template).render(entry)`` writes for the entry, and
parsing the file gives the entry back.
``lenient-NAME``: hand-written files in layouts the app did not write (comments, CRLF, a BOM,
unknown sections, an H1 title, deeper headings); parsing gives the entry and saving without
an edit gives the same bytes.

To regenerate after an intended format change, run with ``MISTAKES_UPDATE_GOLDEN=1`` (fresh
cases rewrite ``NAME.md``, lenient cases rewrite ``NAME.entry.json``) and review the diff.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
from typing import Any

import pytest

from mistakes.domain.entry import ChecklistItem, Entry
from mistakes.domain.template import Template
from mistakes.storage.document import new_document
from mistakes.storage.parse import parse_document
from tests.conftest import DATA

GOLDEN = DATA / "golden"
UPDATE = os.environ.get("MISTAKES_UPDATE_GOLDEN") == "1"
ENTRY_KEYS = {"fields", "groups", "sections", "follow_up", "extra", "extra_sections"}


def _names(prefix: str) -> list[str]:
    return sorted(p.name.removesuffix(".md") for p in GOLDEN.glob(f"{prefix}-*.md"))


FRESH = _names("fresh")
LENIENT = _names("lenient")


def entry_from_json(data: dict[str, Any]) -> Entry:
    assert set(data) == ENTRY_KEYS, f"golden JSON keys {sorted(data)} != {sorted(ENTRY_KEYS)}"
    return Entry(
        fields=data["fields"],
        groups=data["groups"],
        sections=data["sections"],
        follow_up=[ChecklistItem(i["text"], i["done"]) for i in data["follow_up"]],
        extra=data["extra"],
        extra_sections=data["extra_sections"],
    )


def entry_to_json(entry: Entry) -> dict[str, Any]:
    return dataclasses.asdict(entry)


def load_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / f"{name}.entry.json").read_text("utf-8"))
    return data


def write_json(name: str, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (GOLDEN / f"{name}.entry.json").write_text(text, encoding="utf-8")


def show_diff(expected: str, actual: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), "golden", "rendered"
        )
    )


def test_golden_cases_exist() -> None:
    assert len(FRESH) >= 5, FRESH
    assert len(LENIENT) >= 3, LENIENT
    for name in FRESH + LENIENT:
        assert (GOLDEN / f"{name}.entry.json").is_file(), f"{name}.md has no {name}.entry.json"


@pytest.mark.parametrize("name", FRESH)
def test_fresh_entry_renders_exactly_the_golden_file(template: Template, name: str) -> None:
    entry = entry_from_json(load_json(name))
    rendered = new_document(template).render(entry).encode("utf-8")
    path = GOLDEN / f"{name}.md"
    if UPDATE:
        path.write_bytes(rendered)
    expected = path.read_bytes()
    assert rendered == expected, show_diff(expected.decode("utf-8"), rendered.decode("utf-8"))


@pytest.mark.parametrize("name", FRESH + LENIENT)
def test_golden_file_parses_to_exactly_the_golden_entry(template: Template, name: str) -> None:
    data = (GOLDEN / f"{name}.md").read_bytes()
    doc = parse_document(data, template, f"{name}.md")
    got = entry_to_json(doc.to_entry())
    if UPDATE and name.startswith("lenient-"):
        write_json(name, got)
    expected = load_json(name)
    assert got == expected
    assert doc.problems == []


@pytest.mark.parametrize("name", FRESH + LENIENT)
def test_golden_file_saved_unchanged_gives_the_same_bytes(template: Template, name: str) -> None:
    data = (GOLDEN / f"{name}.md").read_bytes()
    doc = parse_document(data, template, f"{name}.md")
    assert doc.render(doc.to_entry()).encode("utf-8") == data
    # the entry from JSON, not the one the document just produced, gives the same bytes too
    assert doc.render(entry_from_json(load_json(name))).encode("utf-8") == data


@pytest.mark.parametrize("name", FRESH + LENIENT)
def test_golden_file_status_edit_changes_one_line(template: Template, name: str) -> None:
    data = (GOLDEN / f"{name}.md").read_bytes()
    text = data.decode("utf-8")
    doc = parse_document(data, template, f"{name}.md")
    entry = doc.to_entry()
    edited = entry.copy()
    old_status = entry.fields.get("status")
    edited.fields["status"] = "investigating" if old_status != "investigating" else "active"
    new = doc.render(edited)
    matcher = difflib.SequenceMatcher(None, text.splitlines(True), new.splitlines(True))
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += text.splitlines(True)[i1:i2]
            added += new.splitlines(True)[j1:j2]
    nl = "\r\n" if "\r\n" in text else "\n"
    expected_added = [f"status: {edited.fields['status']}{nl}"]
    expected_removed = [f"status: {old_status}{nl}"] if old_status else []
    assert (removed, added) == (expected_removed, expected_added), show_diff(text, new)
