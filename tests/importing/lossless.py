"""The "nothing lost" check: every line of a source is in an entry the import made of it.

It does not trust the importer's own accounting. A non-blank line counts as carried over when
its words (Markdown markers aside) appear in the rendered entry files; headings and field lines
the report says it mapped are checked against the entry they went to. A line the report
skipped is lost unless the skip is one of the kinds a file may leave out, and the part looks
like that kind here too:

- ``preamble``: the file's title and the words under it, before any entry (headings in it are
  H1s only);
- ``contents``: a table of contents (its heading says so);
- ``how-to``: how to use or add to the file (its heading says so);
- ``template``: the file's own blank template (its heading says so, or most of its lines are
  ``[placeholders]``);
- ``index``: a list of links to other files (a quarter of its lines or more link to one);
- ``group``: a group heading alone (one line, whose meaning is a tag, date or status of the
  entries under it).

Text skipped for any other reason (rules, lessons, statistics, a file "with no entry") is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mistakes.domain.template import Template
from mistakes.importing.reader import FileImport
from mistakes.importing.source import Source, read_source
from mistakes.importing.vocabulary import tag_slug
from mistakes.storage.document import new_document

_MARKUP = re.compile(r"[*_`~\\]")
_SPACERS = re.compile(r"[>#|]")
_LIST = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+(?:\[[ xX]\]\s*)?")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")

ALLOWED = ("preamble", "contents", "how-to", "template", "index", "group")
_CONTENTS_WORDS = re.compile(r"contents|\btoc\b|^\W*index\W*$|目次|目录", re.I)
_HOW_TO_WORDS = re.compile(
    r"how to (?:use|add|read|contribute|write|document|log)|usage|instructions|adding (?:a )?new"
    r"|when to add|^\W*contributing\W*$",
    re.I,
)
_TEMPLATE_WORDS = re.compile(
    r"template|vorlage|plantilla|模板|テンプレート|^\W*(?:entry |log )?format\b", re.I
)
_EXAMPLE = re.compile(r"^\W*(?:example|e\.g\.)\s*:", re.I)
_BLANK_CELL = re.compile(r"^(?:_[^_]*_|\[[^\]]*\]|\.{3}|-|template|)$", re.I)
_PLACEHOLDER = re.compile(r"\[[^\]]{2,}\]")
_FILE_LINK = re.compile(
    r"\](?!\((?:https?:|mailto:))\([^)#][^)]*\)|(?<![\w/:.-])[\w.-]+(?:/[\w.-]+)*\.mdx?\b"
)


def normalize_line(line: str) -> str:
    line = _LIST.sub("", line)
    line = _SPACERS.sub(" ", _MARKUP.sub("", line))
    return " ".join(line.casefold().split())


def normalize_text(text: str) -> str:
    return " ".join(normalize_line(line) for line in text.split("\n"))


@dataclass
class Accounting:
    lines: int  # non-blank lines in the source (rules and frontmatter aside)
    lost: list[tuple[int, str]]
    left_out: dict[str, int] = field(default_factory=dict)  # allowed skips: kind -> lines

    @property
    def carried(self) -> int:
        return self.lines - len(self.lost)

    @property
    def lost_share(self) -> float:
        return len(self.lost) / self.lines if self.lines else 0.0


def allowed_skip(kind: str, text: str, source: Source, first_entry: int | None) -> bool:
    """Does a skipped part look like the kind the report gives it (independently checked)?"""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines or kind not in ALLOWED:
        return False
    heading = _HEADING.match(lines[0])
    title = heading.group(2) if heading else ""
    body = [line for line in lines if not _HEADING.match(line)]
    if kind == "preamble":
        levels = {len(h.group(1)) for h in map(_HEADING.match, lines) if h}
        return levels <= {1}
    if kind == "group":
        return len(lines) == 1 and heading is not None
    if kind == "contents":
        return bool(_CONTENTS_WORDS.search(title))
    if kind == "how-to":
        return bool(_HOW_TO_WORDS.search(title))
    if kind == "template":
        placeholders = sum(1 for line in body if _PLACEHOLDER.search(line))
        example = any(_EXAMPLE.match(line) for line in body)  # "Example: ..." entry
        return (
            bool(_TEMPLATE_WORDS.search(title))
            or example
            or placeholders * 5 >= len(body) * 3
            or _placeholder_row(body)
        )
    if kind == "index":
        links = sum(1 for line in body if _FILE_LINK.search(line))
        return links >= 3 and links * 4 >= len(body)
    return False


def _placeholder_row(lines: list[str]) -> bool:
    """A table (header, rule, rows) whose rows are placeholders: ``| _template_ | ... |``."""
    rows = [line for line in lines if line.strip().startswith("|")]
    if len(rows) != len(lines) or len(rows) < 3 or not set(rows[1]) <= set("|-: "):
        return False
    cells = [c.strip() for row in rows[2:] for c in row.strip().strip("|").split("|")]
    return all(_BLANK_CELL.match(c) for c in cells)


def account(data: bytes, path: str, report: FileImport, template: Template) -> Accounting:
    source = read_source(data, path)
    # each line is looked for in the entry whose lines hold it (not anywhere in the file's)
    owner: dict[int, int] = {}
    blobs: list[str] = []
    for number, item in enumerate(report.entries):
        blobs.append(normalize_text(new_document(template).render(item.entry)))
        for start, end in getattr(item, "ranges", None) or [(item.start_line, item.end_line)]:
            for line in range(start, end + 1):
                owner.setdefault(line, number)
    mapped: dict[int, list[tuple[str, object]]] = {}
    for item in report.entries:
        for mapping in item.mappings:
            if mapping.line:
                mapped.setdefault(mapping.line, []).append((mapping.target, item))
    starts = [item.start_line for item in report.entries]
    first_entry = min(starts) if starts else None
    skipped_line: dict[int, bool] = {}  # line number -> may it be left out?
    left_out: dict[str, int] = {}
    for skip in report.skipped:
        kind = getattr(skip, "kind", "other")
        # the part as the source has it, not as the report quotes it
        text = "\n".join(line.text for line in source.lines[skip.start_line - 1 : skip.end_line])
        ok = allowed_skip(kind, text, source, first_entry)
        if ok and kind == "preamble" and first_entry is not None:
            ok = skip.end_line < first_entry
        for number in range(skip.start_line, skip.end_line + 1):
            skipped_line[number] = ok
        if ok:
            left_out[kind] = left_out.get(kind, 0) + sum(
                1 for line in text.split("\n") if line.strip()
            )
    lost = []
    counted = 0
    for line in source.lines[source.body_start :]:
        if line.blank or (not line.fenced and _RULE.match(line.text)):
            continue
        counted += 1
        if line.number in skipped_line:
            if not skipped_line[line.number]:
                lost.append((line.number, line.text))
            continue
        norm = normalize_line(line.text)
        if not norm:
            continue
        if line.number in owner and norm in blobs[owner[line.number]]:
            continue
        if any(
            _mapping_holds(target, item, line.text) for target, item in mapped.get(line.number, [])
        ):
            continue
        lost.append((line.number, line.text))
    return Accounting(counted, lost, left_out)


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
