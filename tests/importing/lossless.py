"""The "nothing lost" check: every non-blank line of a source is in what the import made of it.

It does not trust the importer's own accounting: a line counts as carried over when its words
(Markdown markers aside) appear in the rendered entry files or in the report's skipped text;
headings and field lines the report says it mapped are checked against the entry they went to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mistakes.domain.template import Template
from mistakes.importing.reader import FileImport
from mistakes.importing.source import read_source
from mistakes.importing.vocabulary import tag_slug
from mistakes.storage.document import new_document

_MARKUP = re.compile(r"[*_`~\\]")
_SPACERS = re.compile(r"[>#|]")
_LIST = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+(?:\[[ xX]\]\s*)?")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")


def normalize_line(line: str) -> str:
    line = _LIST.sub("", line)
    line = _SPACERS.sub(" ", _MARKUP.sub("", line))
    return " ".join(line.casefold().split())


def normalize_text(text: str) -> str:
    return " ".join(normalize_line(line) for line in text.split("\n"))


@dataclass
class Accounting:
    lines: int  # non-blank lines in the source
    lost: list[tuple[int, str]]

    @property
    def carried(self) -> int:
        return self.lines - len(self.lost)


def account(data: bytes, path: str, report: FileImport, template: Template) -> Accounting:
    source = read_source(data, path)
    rendered = [new_document(template).render(item.entry) for item in report.entries]
    blob = normalize_text("\n".join([*rendered, *(s.text for s in report.skipped)]))
    mapped: dict[int, list[tuple[str, object]]] = {}
    for item in report.entries:
        for mapping in item.mappings:
            if mapping.line:
                mapped.setdefault(mapping.line, []).append((mapping.target, item))
    lost = []
    counted = 0
    for line in source.lines[source.body_start :]:
        if line.blank or (not line.fenced and _RULE.match(line.text)):
            continue
        counted += 1
        norm = normalize_line(line.text)
        if not norm or norm in blob:
            continue
        if any(
            _mapping_holds(target, item, line.text) for target, item in mapped.get(line.number, [])
        ):
            continue
        lost.append((line.number, line.text))
    return Accounting(counted, lost)


def _mapping_holds(target: str, item: object, text: str) -> bool:
    entry = item.entry  # type: ignore[attr-defined]
    kind, _, key = target.partition(":")
    if kind == "title":
        return bool(entry.title) and normalize_line(entry.title) in normalize_line(text)
    if kind == "field":
        group, _, name = key.rpartition(".")
        value = entry.groups.get(group, {}).get(name) if group else entry.fields.get(name)
        return bool(value)
    if kind == "section":
        return bool(entry.sections.get(key))
    if kind == "checklist":
        return bool(entry.follow_up) or any("Notes" in t for t in entry.extra_sections)
    if kind == "extra":
        return key in entry.extra_sections or any(key in t for t in entry.extra_sections)
    if kind in {"empty", "meta"}:  # a heading with nothing under it / over field lines
        return True
    if kind == "extra_field":
        return key in entry.extra
    if kind == "tag":
        return tag_slug(text.lstrip("#")) in (entry.fields.get("tags") or [])
    return False
