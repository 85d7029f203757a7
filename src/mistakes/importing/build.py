"""One part of a file made into an Entry: headings and bold labels mapped, metadata read.

Every line of the part ends up somewhere, and the report says where: in a section (mapped
or kept as an extra section under its own heading), in a field (with the wording kept in an
"Original Metadata" section when the value had to be normalised), in the checklist, or as
the entry's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mistakes.domain.entry import ChecklistItem, Entry, is_full_date, validate_value
from mistakes.domain.markdown import CHECKLIST_ITEM, parse_heading
from mistakes.domain.naming import snake_key
from mistakes.domain.occurrences import RESOLVED_KEY
from mistakes.domain.resolution import is_resolved
from mistakes.domain.template import DATE_KEY, TITLE_KEY, FieldKind, FieldSpec
from mistakes.importing.source import Heading, Line, Source
from mistakes.importing.split import (
    FIELD_LINE,
    LEADING_PLACEHOLDER,
    LEADING_STATUS,
    Part,
    table_cells,
)
from mistakes.importing.vocabulary import (
    CORE_SECTIONS,
    METADATA_HEADINGS,
    Target,
    Vocabulary,
    clean_value,
    field_value,
    group_meaning,
    label_key,
    normalize_date,
    status_from_words,
    strip_symbols,
    tag_slug,
)

ORIGINAL_METADATA = "Original Metadata"
NOTES_TAG = "imported-notes"  # an entry of a file's rules, lessons and notes, not a mistake
_METADATA_KEYS = frozenset(label_key(name) for name in METADATA_HEADINGS)

# "**Severity:** High", "**Severity**: High", "- **Date**: x", "**What happened.** text"
_BOLD_LABEL = re.compile(
    r"^(?P<lead>\s*(?:[-*+]\s+)?)\*\*(?P<label>[^*]{1,60}?)(?P<inner>[:：.]?)\s*\*\*"
    r"(?P<outer>\s*[:：.]?)(?P<rest>.*)$"
)
# "Severity: High" at the start of a line, in the lines right under an entry's heading
_PLAIN_FIELD = re.compile(
    r"^\s*(?:[-*+]\s+)?(?P<label>[A-Za-z][A-Za-z /_-]{1,30}?)\s*:\s+(?P<rest>\S.*)$"
)
_PLURAL = re.compile(r"\((?:e?s)\)", re.I)  # "File(s)" -> "Files"
_NAMES_A_DATE = re.compile(r"date|when|\bday\b|日|fecha|datum", re.I)
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_PLACEHOLDER = re.compile(r"^\s*(?:[-*+]|\d+\.)?\s*(?:\*\*[^*]+\*\*:?\s*)?\[[^\]]+\]\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")

_TITLE_PREFIX = re.compile(
    r"^(?:(?:error|mistake|bug|issue|incident|problem|pitfall|gotcha|failure|lesson"
    r"|错误|問題|问题|エラー|障害|chyba)s?(?![-_]?\d)"  # "ERROR-001: x" is an id: kept
    r"(?:\s*id)?\s*(?:\#?\s*\d+[a-z]?)?\s*[:：\-–—.]\s*"
    r"|(?:error|mistake|bug|issue|incident|lesson)\s*\#?\s*\d+\s*"
    r"|\d{1,4}[.)]\s+|\#\d+\s+)",
    re.I,
)
_TITLE_DATE = re.compile(
    r"^\[?(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}/\d{4})\]?\s*(?:[-–—:|]\s*)?(?P<rest>.*)$"
)
_BRACKET_STATUS = re.compile(r"\s*[-–—:|]?\s*[\(\[]\s*(?P<words>[^()\[\]]{1,30}?)\s*[\)\]]\s*$")
_CAPS_STATUS = re.compile(
    r"\s*[-–—:|]?\s*(?P<words>(?:[^\w\s]\ufe0f?\s*)*[A-Z][A-Z ]{1,20}[A-Z])\s*$"
)
_EMOJI_STATUS = re.compile(
    r"(?:^\s*(?P<lead>[✅❌🔄🔍🚧⏳✔☑])\ufe0f?\s*|\s*(?P<trail>[✅❌🔄🔍🚧⏳✔☑])\ufe0f?\s*$)"
)


@dataclass
class Mapping:
    line: int  # source line number of the heading, label or field line
    label: str  # as written
    target: str  # "section:fix", "field:severity", "extra:Fixed In", "checklist", "title", ...


@dataclass
class ImportedEntry:
    entry: Entry
    start_line: int
    end_line: int
    mappings: list[Mapping] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: bool = False  # the file's notes (rules, lessons, ...), not a mistake
    ranges: list[tuple[int, int]] = field(default_factory=list)  # source lines, when not one span

    @property
    def title(self) -> str:
        return self.entry.title


@dataclass
class _Chunk:
    kind: str  # "intro" | "section" | "extra" | "checklist" | "fieldbody"
    key: str  # section key, extra title, field dotted name
    label: str  # the heading or label as written
    level: int  # the source heading level (0 for bold-label chunks)
    line: int  # source line number where it starts
    bullet: bool = False  # opened by a "- **Label**: text" list item: it holds that item only
    lines: list[Line] = field(default_factory=list)


class EntryBuilder:
    def __init__(self, source: Source, vocab: Vocabulary, part: Part) -> None:
        self.source = source
        self.vocab = vocab
        self.template = vocab.template
        self.part = part
        self.entry = Entry()
        self.result = ImportedEntry(self.entry, part.start + 1, part.end)
        self.chunks: list[_Chunk] = []
        self.original: list[str] = []  # field lines whose wording a value does not keep
        self.headings = {h.index: h for h in source.headings}

    # -- the whole part ------------------------------------------------------------------------
    def build(self) -> ImportedEntry:
        if self.part.ranges:
            return self._build_pieces(self.part.ranges)
        if self.part.row >= 0:
            return self._build_row()
        if self.part.item:
            return self._build_item()
        lines = self.source.lines[self.part.start : self.part.end]
        first = 0
        heading = self.part.heading
        if heading is None:
            # a whole file: its first heading, when it is an H1, is the title
            head = next((h for h in self.source.headings if h.index >= self.part.start), None)
            lead_blank = (
                all(line.blank for line in self.source.lines[self.part.start : head.index])
                if head
                else False
            )
            only = len([h for h in self.source.headings if h.index >= self.part.start]) == 1
            if head is not None and (head.level == 1 or only) and lead_blank:
                heading = head
                first = head.index - self.part.start + 1
        else:
            first = 1
        if heading is not None:
            self._title_from(heading)
        current = _Chunk("intro", "", "", heading.level if heading else 0, lines[0].number)
        self.intro = current
        self.chunks.append(current)
        self._walk(lines, first, current)
        self._assemble()
        return self.result

    def _build_pieces(self, ranges: list[tuple[int, int]]) -> ImportedEntry:
        """Pieces of a file, each under its own heading (or "Notes"), as one entry."""
        self.result.ranges = [(start + 1, end) for start, end in ranges]
        current = _Chunk("intro", "", "", 0, ranges[0][0] + 1)
        self.intro = current
        self.chunks.append(current)
        for start, end in ranges:
            lines = self.source.lines[start:end]
            first = lines[0]
            if first.number - 1 not in self.headings or first.fenced:
                current = self._open(
                    _Chunk("extra", "Notes", "Notes", 0, first.number), "extra:Notes"
                )
            current = self._walk(lines, 0, current)
        self._assemble()
        return self.result

    def _build_row(self) -> ImportedEntry:
        """A table row under a header that names template fields and sections."""
        part = self.part
        row = self.source.lines[part.row]
        cells = table_cells(row.text) or []
        for line in self.source.lines[part.start : part.row]:
            if not line.blank:  # the table's header and its rule: the labels of the cells
                self.result.mappings.append(Mapping(line.number, "table header", "meta"))
        title = ""
        texts: list[tuple[str, str]] = []
        for label, cell in zip(part.columns, cells, strict=False):
            value = cell.replace("\\|", "|").strip()
            if not value:
                continue
            field_target = self._field_for(label, value)
            section = self.vocab.section(label)
            if field_target is not None and field_target.key == TITLE_KEY and not title:
                title = value
                self.result.mappings.append(Mapping(row.number, label, "title"))
                short = _short_title(clean_value(re.sub(r"\*\*|`", "", value)))
                if short != value and self.template.section("what_happened") is not None:
                    self.entry.sections["what_happened"] = value  # the title is cut from it
            elif field_target is not None and self._take_field(field_target, value, row, label):
                pass
            elif section is not None and section.kind == "checklist":
                self.entry.follow_up.append(ChecklistItem(value))
                self.result.mappings.append(Mapping(row.number, label, "checklist"))
            elif section is not None:
                if not title and section.key in CORE_SECTIONS:
                    title = value
                current = self.entry.sections.get(section.key)
                self.entry.sections[section.key] = (
                    f"{current}\n\n**{label}**\n\n{value}" if current else value
                )
                self.result.mappings.append(Mapping(row.number, label, f"section:{section.key}"))
            else:
                texts.append((label, value))
        for label, value in texts:
            name = strip_symbols(label) or label or "Notes"
            self.entry.extra_sections[self._extra_title(name)] = value
            self.result.mappings.append(Mapping(row.number, label, f"extra:{name}"))
        title = clean_value(re.sub(r"\*\*|`", "", title))
        self.entry.fields[TITLE_KEY] = _short_title(title) if title else ""
        return self.result

    def _build_item(self) -> ImportedEntry:
        """A list item whose lines are ``Key: value`` fields."""
        title = ""
        current: _Chunk | None = None
        for line in self.source.lines[self.part.start : self.part.end]:
            match = FIELD_LINE.match(line.text) if not line.fenced else None
            label = match.group("label") if match else ""
            rest = match.group("rest").strip() if match else ""
            section = self.vocab.section(label) if match else None
            target = self._field_for(label, rest) if match else None
            if target is not None and target.key == TITLE_KEY and not title:
                title = rest
                self.result.mappings.append(Mapping(line.number, label, "title"))
                continue
            if (
                target is not None
                and section is None
                and self._take_field(target, rest, line, label)
            ):
                continue
            if match is not None and section is not None and section.kind == "section":
                current = self._open(
                    _Chunk("section", section.key, label, 0, line.number), f"section:{section.key}"
                )
                current.lines.append(Line(line.number, rest))
                if not title and section.key in CORE_SECTIONS:
                    title = rest
                continue
            if match is not None and section is None and target is None:
                name = strip_symbols(label) or label
                current = self._open(_Chunk("extra", name, label, 0, line.number), f"extra:{name}")
                current.lines.append(Line(line.number, rest))
                continue
            if current is None:
                current = self.intro = _Chunk("intro", "", "", 0, line.number)
                self.chunks.append(current)
            current.lines.append(Line(line.number, line.text.strip(), line.fenced))
        if not hasattr(self, "intro"):
            self.intro = _Chunk("intro", "", "", 0, self.part.start + 1)
        self._assemble()
        title = clean_value(re.sub(r"\*\*|`", "", title))
        self.entry.fields[TITLE_KEY] = _short_title(title) if title else ""
        return self.result

    def _walk(self, lines: list[Line], position: int, current: _Chunk) -> _Chunk:
        while position < len(lines):
            line = lines[position]
            position += 1
            if line.fenced:
                current.lines.append(line)
                continue
            found = self.headings.get(line.number - 1)
            if found is not None:
                current = self._heading_chunk(found, current, lines, position)
                continue
            current = self._line(line, current)
        return current

    # -- titles --------------------------------------------------------------------------------
    def _title_from(self, heading: Heading) -> None:
        text = re.sub(r"\*\*|__|`", "", heading.text).strip()
        status_spec = self.template.top_field("status")
        for pattern in (_BRACKET_STATUS, _CAPS_STATUS):
            match = pattern.search(text)
            if match and status_spec is not None:
                status = status_from_words(match.group("words"), status_spec)
                if status is not None and match.start() > 0:
                    self.entry.fields["status"] = status
                    text = text[: match.start()]
                    break
        match = _EMOJI_STATUS.search(text)
        if match and status_spec is not None:
            status = status_from_words(match.group("lead") or match.group("trail"), status_spec)
            if status is not None:
                self.entry.fields.setdefault("status", status)
                text = (text[: match.start()] + " " + text[match.end() :]).strip()
        text = strip_symbols(text).strip(" -–—:|")
        leading = LEADING_STATUS.match(text)
        if leading and status_spec is not None:
            found = status_from_words(leading.group(0), status_spec)
            if found is not None:
                self.entry.fields.setdefault("status", found)
            text = text[leading.end() :]
        text = LEADING_PLACEHOLDER.sub("", text)  # "[Date] Error: x": no date is given
        dated = _TITLE_DATE.match(text)
        if dated and dated.group("rest").strip():
            value = normalize_date(dated.group("date"))
            if value:
                self.entry.fields[DATE_KEY] = value
            text = dated.group("rest")
        trimmed = _TITLE_PREFIX.sub("", text, count=1).strip()
        if trimmed and trimmed != text:
            text = trimmed
        text = clean_value(text.strip(" -–—:|")) or strip_symbols(heading.text) or heading.text
        self.entry.fields[TITLE_KEY] = " ".join(text.split())
        self.result.mappings.append(Mapping(heading.number, heading.text, "title"))

    # -- headings inside the part --------------------------------------------------------------
    def _heading_chunk(
        self, heading: Heading, current: _Chunk, lines: list[Line], position: int
    ) -> _Chunk:
        line = self.source.lines[heading.index]
        field_target = self.vocab.field(heading.text)
        section_target = self.vocab.section(heading.text)
        if field_target is not None and self._short_body(lines, position, field_target):
            return self._open(
                _Chunk("fieldbody", field_target.key, heading.text, heading.level, heading.number),
                f"field:{field_target.key}",
            )
        if label_key(heading.text) in _METADATA_KEYS:
            title = strip_symbols(heading.text) or heading.text
            return self._open(
                _Chunk("meta", title, heading.text, heading.level, heading.number), "meta"
            )
        if section_target is not None:
            kind = "checklist" if section_target.kind == "checklist" else "section"
            return self._open(
                _Chunk(kind, section_target.key, heading.text, heading.level, heading.number),
                f"{kind}:{section_target.key}" if kind == "section" else "checklist",
            )
        if current.kind in {"section", "extra", "checklist"} and heading.level > current.level > 0:
            current.lines.append(line)  # a subheading of the section it sits in
            return current
        title = strip_symbols(heading.text) or heading.text
        if title not in self.result.unmapped:
            self.result.unmapped.append(title)
        return self._open(
            _Chunk("extra", title, heading.text, heading.level, heading.number), f"extra:{title}"
        )

    def _open(self, chunk: _Chunk, target: str) -> _Chunk:
        self.chunks.append(chunk)
        self.result.mappings.append(Mapping(chunk.line, chunk.label, target))
        return chunk

    def _short_body(self, lines: list[Line], position: int, target: Target) -> bool:
        """``## Severity`` / ``Critical``: a heading whose body is one short value."""
        body: list[Line] = []
        for line in lines[position:]:
            if line.number - 1 in self.headings and not line.fenced:
                break
            if line.fenced:
                return False
            if not line.blank and not _RULE.match(line.text):
                body.append(line)
        if not body:
            return False
        spec = self.vocab.spec(target)
        if spec.kind is FieldKind.TAGS:
            return len(body) <= 12 and all(len(b.text) <= 200 for b in body)
        return len(body) == 1 and len(body[0].text.strip()) <= 80

    # -- lines ---------------------------------------------------------------------------------
    def _line(self, line: Line, current: _Chunk) -> _Chunk:
        if current.kind == "fieldbody":
            current.lines.append(line)
            return current
        bold = _BOLD_LABEL.match(line.text)
        if bold is not None and current.bullet and bold.group("lead").strip():
            current = self.intro  # the next "- **Label**:" item of a metadata list
        if bold is not None:
            label = bold.group("label")
            rest = bold.group("rest").strip()
            has_colon = bool(bold.group("inner") or bold.group("outer").strip())
            section = self.vocab.section(label)
            if section is not None and section.kind == "checklist" and (has_colon or not rest):
                chunk = self._open(
                    _Chunk("checklist", section.key, label, 0, line.number), "checklist"
                )
                chunk.bullet = bool(bold.group("lead").strip())
                if rest:
                    chunk.lines.append(Line(line.number, f"- {rest}"))
                return chunk
            target = self._field_for(label, rest)
            if (
                target is not None
                and rest
                and has_colon
                and self._take_field(target, rest, line, label)
            ):
                return current
            label_chunk = current.kind == "intro" or (
                current.kind == "section" and not current.level
            )
            if section is not None and label_chunk and (has_colon or not rest):
                chunk = self._open(
                    _Chunk("section", section.key, label, 0, line.number),
                    f"section:{section.key}",
                )
                if rest:
                    chunk.lines.append(Line(line.number, rest))
                chunk.bullet = bool(bold.group("lead").strip())
                return chunk
            if (
                current.kind == "intro"
                and section is None
                and target is None
                and has_colon
                and rest
                and len(rest) <= 100
                and not bold.group("lead").strip()[:1].isdigit()
            ):
                key = snake_key(_PLURAL.sub(lambda m: m.group(0)[1:-1], label), drop_articles=False)
                if key and key not in self.entry.extra and self._known(key) is None:
                    self.entry.extra[key] = clean_value(rest)
                    self.result.mappings.append(Mapping(line.number, label, f"extra_field:{key}"))
                    return current
        elif current.kind in {"intro", "meta"}:
            plain = _PLAIN_FIELD.match(line.text)
            if plain is not None:
                target = self._field_for(plain.group("label"), plain.group("rest"))
                if target is not None and self._take_field(
                    target, plain.group("rest"), line, plain.group("label")
                ):
                    return current
        row = _TABLE_ROW.match(line.text)
        if row is not None and current.kind in {"intro", "meta"}:
            cells = [c.strip() for c in row.group(1).split("|")]
            if len(cells) == 2 and cells[1]:
                target = self._field_for(clean_value(cells[0]), cells[1])
                if target is not None and self._take_field(
                    target, cells[1], line, clean_value(cells[0])
                ):
                    return current
        current.lines.append(line)
        return current

    def _field_for(self, label: str, value: str) -> Target | None:
        """The field a label sets; a date only when the label names a date or the value is
        one (``**Discovered:** in code review`` says how, not when)."""
        target = self.vocab.field(label)
        if target is None or self.vocab.spec(target).kind is not FieldKind.DATE:
            return target
        if _NAMES_A_DATE.search(label) or normalize_date(clean_value(value)) is not None:
            return target
        return None

    def _known(self, key: str) -> FieldSpec | None:
        return self.template.field_named(key)

    def _take_field(self, target: Target, text: str, line: Line, label: str) -> bool:
        """Set a field from a line; False leaves the line as text (a second, different value)."""
        spec = self.vocab.spec(target)
        value, whole = field_value(spec, text)
        if value is None:
            if clean_value(text):
                self._keep_original(line, f"'{clean_value(text)}' is not a valid {spec.label}")
                self.result.mappings.append(Mapping(line.number, label, "original"))
                return True
            return False
        current = self.entry.value(spec)
        if spec.kind is FieldKind.TAGS:
            assert isinstance(value, list)
            add_tags(self.entry, spec, value)
        elif current and current != value:
            return False
        else:
            self.entry.set_value(spec, value)
        if not whole:
            self._keep_original(line)
        self.result.mappings.append(Mapping(line.number, label, f"field:{spec.dotted}"))
        return True

    def _keep_original(self, line: Line, warning: str = "") -> None:
        text = line.text.strip()
        self.original.append(text if _BULLET.match(text) else f"- {text}")
        if warning:
            self.result.warnings.append(f"{self.source.where(line.number - 1)}: {warning}")

    # -- assembly ------------------------------------------------------------------------------
    def _assemble(self) -> None:
        texts: dict[str, list[tuple[str, str]]] = {}
        extras: dict[str, list[tuple[str, str]]] = {}
        checklist_notes: list[str] = []
        for chunk in self.chunks:
            if chunk.kind == "fieldbody":
                self._field_body(chunk)
                continue
            if chunk.kind == "checklist":
                before = len(self.entry.follow_up)
                notes = self._checklist(chunk)
                if notes:
                    checklist_notes.append(notes)
                elif len(self.entry.follow_up) == before:
                    self._mark_empty(chunk)
                continue
            if chunk.kind == "meta":
                text = self._text(chunk, 2)
                if text:
                    extras.setdefault(chunk.key, []).append((chunk.label, text))
                continue
            if chunk.kind == "extra":
                text = self._text(chunk, 2)
                if text:
                    extras.setdefault(chunk.key, []).append((chunk.label, text))
                else:
                    self._empty_heading(chunk)
                continue
            key = "what_happened" if chunk.kind == "intro" else chunk.key
            spec = self.template.section(key)
            if spec is None:  # a template without What Happened: keep the intro as it is
                text = self._text(chunk, 2)
                if text:
                    extras.setdefault("Summary", []).append(("Summary", text))
                continue
            text = self._text(chunk, spec.level)
            if text:
                texts.setdefault(key, []).append((chunk.label, text))
            elif chunk.kind == "section":
                self._mark_empty(chunk)
        for key, pieces in texts.items():
            self.entry.sections[key] = _join(pieces)
        for title, pieces in extras.items():
            self.entry.extra_sections[self._extra_title(title)] = _join(pieces)
        if checklist_notes:
            title = self.template.checklist.title if self.template.checklist else "Follow-up"
            self.entry.extra_sections[f"{title} Notes"] = "\n\n".join(checklist_notes)
        if self.original:
            self.entry.extra_sections[ORIGINAL_METADATA] = "\n".join(self.original)

    def _mark_empty(self, chunk: _Chunk) -> None:
        """A section heading with nothing under it: reported as an empty section."""
        for mapping in self.result.mappings:
            if mapping.line == chunk.line and mapping.target.startswith(("section:", "checklist")):
                mapping.target = "empty:" + (mapping.target.partition(":")[2] or "checklist")

    def _extra_title(self, title: str) -> str:
        name = title or "Notes"
        if self.vocab.is_structural_title(name) or name == ORIGINAL_METADATA:
            name = f"{name} (imported)"
        return name

    def _empty_heading(self, chunk: _Chunk) -> None:
        """A heading with nothing under it (a stray category): kept as a tag."""
        tags = self.template.tags_field
        slug = tag_slug(chunk.label)
        if tags is not None and slug:
            add_tags(self.entry, tags, [slug])
            self.result.mappings.append(Mapping(chunk.line, chunk.label, "tag"))
            if chunk.label in self.result.unmapped:
                self.result.unmapped.remove(chunk.label)
        else:
            self.entry.extra_sections[self._extra_title(chunk.key)] = f"({chunk.label})"

    def _field_body(self, chunk: _Chunk) -> None:
        spec = self.vocab.specs[chunk.key]
        body = [line for line in chunk.lines if not line.blank and not _RULE.match(line.text)]
        if spec.kind is FieldKind.TAGS:
            words = []
            for line in body:
                bullet = _BULLET.match(line.text)
                words.append(bullet.group("text") if bullet else line.text)
            text = ", ".join(words)
        else:
            text = body[0].text if body else ""
        value, whole = field_value(spec, text)
        current = self.entry.value(spec)
        if value is not None and (not current or spec.kind is FieldKind.TAGS):
            if isinstance(value, list):
                add_tags(self.entry, spec, value)
            else:
                self.entry.set_value(spec, value)
            if not whole:
                self.original.append(f"- {chunk.label}: {' / '.join(b.text.strip() for b in body)}")
        else:
            # no usable value: keep the heading and its text as a section of its own
            title = strip_symbols(chunk.label) or chunk.label
            self.entry.extra_sections[self._extra_title(title)] = "\n".join(b.text for b in body)
            if title not in self.result.unmapped:
                self.result.unmapped.append(title)

    def _checklist(self, chunk: _Chunk) -> str:
        """Checklist items into the entry's follow-up list; other lines returned as notes."""
        notes: list[str] = []
        for line in chunk.lines:
            if line.blank or _RULE.match(line.text):
                continue
            item = CHECKLIST_ITEM.match(line.text) if not line.fenced else None
            bullet = _BULLET.match(line.text) if not line.fenced else None
            if item is not None and item.group("text").strip():
                done = item.group("mark") in "xX"
                self.entry.follow_up.append(ChecklistItem(item.group("text").strip(), done))
            elif bullet is not None and bullet.group("text").strip():
                self.entry.follow_up.append(ChecklistItem(bullet.group("text").strip()))
            else:
                notes.append(line.text)
        return "\n".join(notes).strip("\n")

    def _text(self, chunk: _Chunk, level: int) -> str:
        """A chunk's lines as section text: subheadings placed below ``level``, rules trimmed."""
        out: list[str] = []
        for line in chunk.lines:
            text = line.text
            heading = None if line.fenced else parse_heading(text)
            if heading is not None and heading.text:
                depth = max(1, heading.level - chunk.level) if chunk.level else 1
                new_level = min(6, level + depth)
                if self.vocab.is_structural_title(heading.text) or new_level <= level:
                    text = f"**{heading.text}**"
                else:
                    text = f"{'#' * new_level} {heading.text}"
            out.append(text)
        while out and (not out[-1].strip() or _RULE.match(out[-1])):
            out.pop()
        while out and (not out[0].strip() or _RULE.match(out[0])):
            out.pop(0)
        return "\n".join(out)


def _short_title(text: str, limit: int = 100) -> str:
    """A cell's text as a title: its first sentence, cut at a word when longer than limit."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    if len(first) <= limit:
        return first.rstrip(".") or first
    return first[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-") + "..."


def add_tags(entry: Entry, spec: FieldSpec, tags: list[str]) -> None:
    """Add tags to an entry's tags field, keeping its order and no tag twice."""
    current = entry.value(spec)
    merged = list(current) if isinstance(current, list) else []
    merged += [tag for tag in tags if tag not in merged]
    entry.set_value(spec, merged)


def _join(pieces: list[tuple[str, str]]) -> str:
    if len(pieces) == 1:
        return pieces[0][1]
    out = [pieces[0][1]]
    for label, text in pieces[1:]:
        out.append(f"**{strip_symbols(label) or label}**\n\n{text}" if label else text)
    return "\n\n".join(out)


def apply_frontmatter(
    result: ImportedEntry, data: dict[str, Any], vocab: Vocabulary, *, single: bool
) -> None:
    """A file's frontmatter into an entry: known keys to fields, the rest kept as it is."""
    entry = result.entry
    for key, raw in data.items():
        target = vocab.field(str(key))
        if target is not None and target.key == TITLE_KEY and not single:
            _keep_key(entry, vocab, str(key), raw)
            continue
        if target is None or isinstance(raw, dict):
            entry.extra.setdefault(str(key), raw)
            continue
        spec = vocab.spec(target)
        text = ", ".join(str(v) for v in raw) if isinstance(raw, list) else str(raw)
        value, whole = field_value(spec, text)
        current = entry.value(spec)
        if value is None:
            _keep_key(entry, vocab, str(key), raw)
            continue
        if isinstance(value, list):
            add_tags(entry, spec, value)
        elif not current:
            entry.set_value(spec, value)
        else:
            _keep_key(entry, vocab, str(key), raw)
            continue
        if not whole:
            _keep_key(entry, vocab, str(key), raw)
        result.mappings.append(Mapping(0, str(key), f"field:{spec.dotted}"))


def _keep_key(entry: Entry, vocab: Vocabulary, key: str, raw: Any) -> None:
    """Keep a frontmatter value as written, under a key no template field reads."""
    name = key
    while vocab.field(name) is not None or name in entry.extra:
        name += "_original"
    entry.extra[name] = raw


def finish(result: ImportedEntry, vocab: Vocabulary, groups: list[str]) -> None:
    """What the group headings above say (a date, a status, a tag), then anything a field
    may not hold moved to the text."""
    entry = result.entry
    template = vocab.template
    tags_spec = template.tags_field
    for group in groups:
        kind, meaning = group_meaning(group, template)
        if kind == "date" and not entry.fields.get(DATE_KEY):
            entry.fields[DATE_KEY] = meaning
        elif kind == "status":
            entry.fields.setdefault("status", meaning)
        elif kind == "tag" and tags_spec is not None:
            add_tags(entry, tags_spec, [meaning])
    for spec in template.all_fields():
        value = entry.value(spec)
        problem = validate_value(spec, value)
        if problem is None:
            continue
        result.warnings.append(f"{problem}: kept in the text instead")
        text = ", ".join(value) if isinstance(value, list) else value
        extra = entry.extra_sections.get(ORIGINAL_METADATA, "")
        entry.extra_sections[ORIGINAL_METADATA] = (extra + "\n" if extra else "") + (
            f"- {spec.label}: {text}"
        )
        entry.set_value(spec, [] if spec.kind is FieldKind.TAGS else "")
    stamp_resolved(entry)


# where logs write the day a mistake was resolved: a metadata key (``**Resolved**:``,
# ``**Date Resolved:**``, frontmatter ``resolved_on``) or a labelled line in its text
# (``- **Resolved**: 2026-07-11T17:00:18Z`` under Resolution)
_RESOLVED_KEYS = frozenset(
    f"{before}{word}{after}"
    for word in ("resolved", "fixed", "closed")
    for before, after in (("", ""), ("date_", ""), ("", "_on"), ("", "_date"), ("", "_at"))
) | {"resolution_date"}
_RESOLVED_LINE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)(?:date[ \t]+)?(?:resolved|fixed|closed)"
    r"(?:[ \t]+(?:on|at|date))?[ \t]*:?(?:\*\*|__)[ \t]*:?[ \t]*(?P<value>[^\n]+)$",
    re.IGNORECASE | re.MULTILINE,
)


def resolved_day(entry: Entry) -> str | None:
    """The day the source says the entry was resolved (``YYYY-MM-DD``), or None when it
    says no day (a month alone is not one)."""
    for key, raw in entry.extra.items():
        if snake_key(str(key)) in _RESOLVED_KEYS and raw is not None:
            day = normalize_date(str(raw))
            if day is not None and is_full_date(day):
                return day
    for text in (*entry.sections.values(), *entry.extra_sections.values()):
        for match in _RESOLVED_LINE.finditer(text):
            day = normalize_date(match.group("value"))
            if day is not None and is_full_date(day):
                return day
    return None


def stamp_resolved(entry: Entry) -> None:
    """A Resolved entry keeps the day the source gives as ``resolved:`` (what ``set``
    writes, read by ``stats``); with no day given it gets none (the import is not the day
    it was resolved). A ``resolved`` value that is no day (``yes``) is kept under another
    key."""
    if not is_resolved(entry.text("status")):
        return
    current = entry.extra.get(RESOLVED_KEY)
    if isinstance(current, str) and is_full_date(current.strip()):
        return
    day = resolved_day(entry)
    if current is not None and str(current).strip() != day:
        name = f"{RESOLVED_KEY}_original"
        while name in entry.extra:
            name += "_original"
        entry.extra[name] = current
        del entry.extra[RESOLVED_KEY]
    if day is not None:
        entry.extra[RESOLVED_KEY] = day


def is_placeholder_only(result: ImportedEntry) -> bool:
    """An entry that is the template itself: placeholders such as ``[Brief Error Title]``."""
    entry = result.entry
    if re.search(r"\[[^\]]*\b(?:title|name|brief|description)\b[^\]]*\]", entry.title, re.I):
        return True
    lines = [
        line
        for text in (*entry.sections.values(), *entry.extra_sections.values())
        for line in text.split("\n")
        if line.strip() and not line.lstrip().startswith(("#", "```", "~~~"))
    ]
    if not lines:
        return False
    if re.match(r"^\W*(?:example|e\.g\.)\s*:", lines[0], re.I):
        return True  # "Example: Module initialization doesn't handle ..."
    placeholders = sum(1 for line in lines if _PLACEHOLDER.match(line))
    return placeholders / len(lines) >= 0.6


def has_content(result: ImportedEntry) -> bool:
    """True when a heading or label of the part maps to one of the sections that make an
    entry (what happened, the error, the cause, the fix)."""
    return any(
        m.target.startswith("section:") and m.target.split(":", 1)[1] in CORE_SECTIONS
        for m in result.mappings
    )
