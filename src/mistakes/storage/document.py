"""An entry file as text: the model, parsed without loss (storage/parse.py) and edited
with the smallest change (storage/edit.py).

A document is the file split into pieces whose concatenation is the file again: an
optional BOM, the frontmatter (``---`` YAML ``---``) and the body cut at its headings
(outside code fences) into blocks. Each block is matched to the template: a section group,
a section (leaf), the follow-up checklist, or an extra section the template does not know.

``to_entry`` reads an Entry from it; ``render`` writes an Entry back by changing only the
frontmatter values and blocks whose content differs, so loading and saving without an edit
gives the same bytes, and editing one field or section rewrites only that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mistakes.domain.entry import ChecklistItem, Entry, normalize_section_text, split_tags
from mistakes.domain.markdown import CHECKLIST_ITEM
from mistakes.domain.naming import snake_key
from mistakes.domain.template import FieldKind, FieldSpec, Template
from mistakes.storage.hashing import content_hash as content_hash  # moved; still importable

BOM = "\ufeff"


def split_lines(text: str) -> list[str]:
    """Lines with their ``\\n`` kept (``\\r`` stays before it); only ``\\n`` splits."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def bare_line(line: str) -> str:
    return line.rstrip("\n").rstrip("\r")


@dataclass
class Block:
    kind: str  # preamble | group | leaf | checklist | extra
    key: str | None
    level: int
    title: str
    heading: str  # the raw heading line, "" for the preamble
    body: str  # raw text after the heading, up to the next block

    @property
    def raw(self) -> str:
        return self.heading + self.body

    def text(self) -> str:
        return normalize_section_text(self.body)


@dataclass
class Document:
    template: Template
    bom: bool = False
    newline: str = "\n"
    fm_open: str = ""
    fm_text: str = ""
    fm_close: str = ""
    blocks: list[Block] = field(default_factory=list)
    final_newline: bool = True
    original: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    # -- whole text --------------------------------------------------------------------------
    def text(self) -> str:
        parts = [BOM if self.bom else "", self.fm_open, self.fm_text, self.fm_close]
        parts.extend(block.raw for block in self.blocks)
        return "".join(parts)

    def encode(self) -> bytes:
        return self.text().encode("utf-8")

    @property
    def body_line_offset(self) -> int:
        """How many lines come before the body (for 1-based line numbers in messages)."""
        return sum(s.count("\n") for s in (self.fm_open, self.fm_text, self.fm_close))

    def key_line(self, key: str) -> int:
        """1-based line of a top-level frontmatter key, or 0."""
        pattern = re.compile(rf"^{re.escape(key)}\s*:", re.MULTILINE)
        match = pattern.search(self.fm_text)
        if not match:
            return 0
        return self.fm_open.count("\n") + self.fm_text.count("\n", 0, match.start()) + 1

    # -- reading --------------------------------------------------------------------------
    def frontmatter_key(self, spec: FieldSpec) -> str | None:
        """The key a top-level field has in this file (``date_encountered`` for ``date``)."""
        return _match_key(self.data, spec.names())

    def group_key(self, group: str) -> str | None:
        group_spec = next((g for g in self.template.groups if g.key == group), None)
        names = {group}
        if group_spec is not None:
            names.add(snake_key(group_spec.title))
        key = _match_key(self.data, names)
        if key is not None and isinstance(self.data.get(key), dict):
            return key
        return None

    def to_entry(self) -> Entry:
        template = self.template
        entry = Entry()
        used: set[str] = set()
        for spec in template.fields:
            key = self.frontmatter_key(spec)
            if key is None:
                continue
            raw = self.data[key]
            if isinstance(raw, dict):
                continue  # not a value for this field: left in extra
            used.add(key)
            entry.fields[spec.key] = _field_value(spec, raw)
        for group in template.groups:
            gkey = self.group_key(group.key)
            if gkey is None:
                continue
            used.add(gkey)
            mapping = self.data[gkey]
            values: dict[str, str] = {}
            for sub_key, sub_value in mapping.items():
                sub_spec = next((f for f in group.fields if snake_key(sub_key) in f.names()), None)
                if isinstance(sub_value, str):
                    values[sub_spec.key if sub_spec else sub_key] = sub_value
                elif isinstance(sub_value, list) and sub_spec is not None:
                    values[sub_spec.key] = ", ".join(str(v) for v in sub_value)
            entry.groups[group.key] = values
        entry.extra = {k: v for k, v in self.data.items() if k not in used}

        for block in self.blocks:
            if block.kind == "leaf" and block.key:
                entry.sections[block.key] = block.text()
            elif block.kind == "extra" and block.key is not None:
                entry.extra_sections[block.key] = block.text()
            elif block.kind == "checklist":
                entry.follow_up = _checklist_items(block.body)
        return entry

    # -- writing --------------------------------------------------------------------------
    def render(self, entry: Entry) -> str:
        """The file text with ``entry`` written into it, changing as little as possible."""
        from mistakes.storage import edit  # the writer: loaded by the commands that write

        return edit.render(self, entry)


def new_document(template: Template) -> Document:
    return Document(template=template, original="")


# -- helpers ---------------------------------------------------------------------------------


def _match_key(data: dict[str, Any], names: set[str]) -> str | None:
    for key in data:
        if key in names:
            return key
    for key in data:
        if snake_key(key, drop_articles=False) in names:
            return key
    return None


def _field_value(spec: FieldSpec, raw: Any) -> str | list[str]:
    if spec.kind is FieldKind.TAGS:
        if isinstance(raw, list):
            return [str(v) for v in raw]
        return split_tags(str(raw))
    if isinstance(raw, list):
        return ", ".join(str(v) for v in raw)
    return str(raw)


def _checklist_items(body: str) -> list[ChecklistItem]:
    items = []
    for line in split_lines(body):
        match = CHECKLIST_ITEM.match(bare_line(line))
        if match:
            items.append(ChecklistItem(match.group("text").strip(), match.group("mark") != " "))
    return items


def __getattr__(name: str) -> object:
    """``parse_document`` and ``parse_text`` moved to storage/parse.py; old imports work."""
    if name in ("parse_document", "parse_text"):
        from mistakes.storage import parse

        return getattr(parse, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
