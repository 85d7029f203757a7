"""Where the entries of a file are: one per file, or repeated at one heading level.

A file holds many entries when two or more headings at one level look like entry headings
(``## Error: ...``, ``### 3. ...``, ``## [ERR-012] ...``, ``## 2026-01-07 - ...``, or a
heading whose own subheadings or bold labels are template sections). Headings above that
level which hold entries are groups (their names become tags); everything else outside the
entries (title, table of contents, statistics, a template kept in the file) is reported as
skipped, never dropped silently.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from mistakes.importing.source import Heading, Source
from mistakes.importing.vocabulary import (
    CORE_SECTIONS,
    Vocabulary,
    group_meaning,
    label_key,
    strip_symbols,
)

ENTRY_HEADING = re.compile(
    r"""^(?:
        (?:error|mistake|bug|issue|incident|problem|pitfall|gotcha|failure|lesson|post-?mortem
         |config|warning|regression|outage|defect|crash|错误|問題|问题|エラー|障害|chyba)
            \s*(?:\#?\s*\d+[a-z]?|id)?\s*[:：\-–—]            # Error: / Mistake 3: / Bug #2 -
      | (?:error|mistake|bug|issue|incident|lesson)\s*\#?\s*\d+\b   # Error #3, Mistake 12
      | \[?[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+\]?(?:\s|:|$)     # [ERR-012], BUG-003, A-ERR-2025-1
      | \[\d{1,5}\]\s*\S                                       # [014] Title
      | \d{1,4}[.)]\s+\S                                      # 1. Title
      | \[?\d{4}-\d{2}-\d{2}\]?                               # 2026-01-07 - ...
      | \[\d{1,2}/\d{4}\]                                     # [04/2026]
      | \#\d+\b                                               # #12 Title
    )""",
    re.X | re.I,
)

# a template's placeholder left at the start of a real entry's heading: "[Date] Error: x"
LEADING_PLACEHOLDER = re.compile(r"^\[[A-Za-z][^\]\d]{0,30}\]\s*[-–—:|]?\s*(?=\S)")
LEADING_STATUS = re.compile(r"^(?:FIXED|RESOLVED|SOLVED|DONE|CLOSED|OPEN|ACTIVE|WIP)\s+")
_DATE_ONLY = re.compile(r"^\[?\d{4}-\d{2}(?:-\d{2})?\]?$")
# headings of parts of a log that are not entries
NON_ENTRY = re.compile(
    r"(?:^|_)(?:template|templates|format|how_to|usage|instructions|contents|toc|overview|"
    r"statistics|stats|index|legend|example|examples|metrics|tracking_rules|guidelines|"
    r"quick_reference|cheatsheet|cheat_sheet|quick_lookup|session_status|key_lessons|"
    r"best_practices|recommendations|"
    r"vorlage|plantilla|模板|テンプレート)(?:_|$)"
)
# parts of a log that may be left out of its entries (see tests/importing/lossless.py)
CONTENTS = re.compile(r"^(?:table_of_)?contents$|^toc$|^index$|^inhalt|^目次$|^目录$")
HOW_TO = re.compile(
    r"^(?:how_to_(?:use|add|read|contribute|write|document|log)|usage|instructions"
    r"|adding_(?:a_)?new|when_to_add|contributing$|contributing_guide)"
)
TEMPLATE = re.compile(
    r"^(?:[a-z]+_)?(?:template|templates|vorlage|plantilla)(?:_|$)"
    r"|^(?:entry_|log_|entries_)?format(?:_for|_of|$)|模板|テンプレート"
)
_PLACEHOLDER_LINE = re.compile(r"\[[^\]]{2,}\]")
_FILE_LINK = re.compile(
    r"\](?!\((?:https?:|mailto:))\([^)#][^)]*\)|(?<![\w/:.-])[\w.-]+(?:/[\w.-]+)*\.mdx?\b"
)


def placeholder_share(lines: list[str]) -> float:
    """How many of the lines hold a ``[placeholder]`` (links aside), as a share."""
    if not lines:
        return 0.0
    found = sum(1 for line in lines if _PLACEHOLDER_LINE.search(re.sub(r"\[[^\]]*\]\(", "", line)))
    return found / len(lines)


def links_to_files(lines: list[str]) -> int:
    """How many lines link to another file (``[x](other.md)``, ``` `M01-x.md` ```)."""
    return sum(1 for line in lines if _FILE_LINK.search(line))


# the sections of a post-mortem or incident report, and the words that name one
_REPORT_WORDS = re.compile(
    r"(?:^|_)(?:summary|timeline|root|causes?|resolution|impact|lessons|learned|action_items"
    r"|investigation|problem|prevention|detection|conclusion|mitigation|trigger|follow_up"
    r"|what_happened|background|recovery|response|solutions?|fix|fixes|remediation"
    r"|learnings|takeaways)(?:_|$)"
)
_REPORT_TITLE = re.compile(r"post[- _]?mortem|incident|\bRCA\b|root cause analysis", re.I)
_FIELD_ITEM = re.compile(r"^[-*+]\s+[A-Za-z][\w /()-]{0,30}:\s")  # "- Date: 2026-02-19"
FIELD_LINE = re.compile(r"^\s*(?:[-*+]\s+)?(?P<label>[A-Za-z][\w /()-]{0,30}?):\s+(?P<rest>\S.*)$")
_RULE_LINE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BLANK_CELL = re.compile(r"^(?:_[^_]*_|\[[^\]]*\]|\.{3}|-|—|template|)$", re.I)


def table_cells(text: str) -> list[str] | None:
    """The cells of a Markdown table row (``\\|`` is a pipe inside a cell), or None."""
    stripped = text.strip()
    if not stripped.startswith("|") or len(stripped) < 2:
        return None
    inner = (
        stripped[1:-1] if stripped.endswith("|") and not stripped.endswith("\\|") else stripped[1:]
    )
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


_NUMBERED = re.compile(r"^\d{1,4}[.)]\s")
_SECTION_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<label>[^*]{1,60}?)\*\*")


@dataclass
class Part:
    kind: str  # "entry" | "skipped"
    start: int  # index into Source.lines, inclusive
    end: int  # exclusive
    heading: Heading | None = None  # the entry's heading (None: the whole file is one entry)
    groups: list[str] = field(default_factory=list)  # the group headings above it, as written
    reason: str = ""  # why a skipped part is not an entry
    # what a skipped part is: "preamble", "contents", "how-to", "template", "index", "group",
    # "blank"; or "notes" for text that is no entry but is kept (rules, lessons, statistics)
    skip_kind: str = ""
    ranges: list[tuple[int, int]] = field(default_factory=list)  # a notes part: its pieces
    # a table row that is an entry: the header's cells, and the row's line index
    columns: list[str] = field(default_factory=list)
    row: int = -1
    item: bool = False  # a list item whose fields are "Key: value" lines under it
    pattern: bool = False  # the heading is written as entry headings are ("Error: ...")


@dataclass
class Layout:
    parts: list[Part]
    level: int  # the heading level entries repeat at (0: one entry for the file)


class Splitter:
    def __init__(self, source: Source, vocab: Vocabulary) -> None:
        self.source = source
        self.vocab = vocab
        self.headings = source.headings

    # -- what headings are ---------------------------------------------------------------------
    def maps(self, heading: Heading) -> bool:
        return (
            self.vocab.section(heading.text) is not None
            or self.vocab.field(heading.text) is not None
        )

    def scope_end(self, position: int) -> int:
        """Index (into lines) where the heading at ``position`` in self.headings ends."""
        level = self.headings[position].level
        for later in self.headings[position + 1 :]:
            if later.level <= level:
                return later.index
        return len(self.source.lines)

    def parent(self, position: int) -> Heading | None:
        level = self.headings[position].level
        for earlier in reversed(self.headings[:position]):
            if earlier.level < level:
                return earlier
        return None

    def entry_like(self, position: int) -> bool:
        heading = self.headings[position]
        if self.maps(heading):
            return False
        parent = self.parent(position)
        if (
            parent is not None
            and parent.level > 1
            and NON_ENTRY.search(label_key(parent.text))
            and not (self.pattern(position) and self._named(position))
        ):
            return False  # "### 1. Verify first" under "## Key Lessons"
        if (
            parent is not None
            and parent.level > 1
            and self.vocab.section(parent.text) is not None
            and _NUMBERED.match(strip_symbols(heading.text))
        ):
            return False  # "### 1. Checked the logs" under "## Steps Taken" is a step
        text = strip_symbols(heading.text).replace("**", "")
        if _DATE_ONLY.match(text):
            return False  # "## 2026-04-19": a day's group of entries
        if self.pattern(position):
            return True
        if NON_ENTRY.search(label_key(text)):
            return False
        return self.structural(position)

    def pattern(self, position: int) -> bool:
        """A heading written the way entry headings are (``Error: ...``, ``[ERR-012] ...``)."""
        text = self._pattern_text(position)
        return bool(ENTRY_HEADING.match(text)) and not _DATE_ONLY.match(text)

    def _pattern_text(self, position: int) -> str:
        text = strip_symbols(self.headings[position].text).replace("**", "")
        text = LEADING_STATUS.sub("", text)  # "✅ FIXED ERROR #1 - ..."
        return LEADING_PLACEHOLDER.sub("", text)  # "[Date] Error: ..." (a template's date kept)

    def _named(self, position: int) -> bool:
        """An entry heading that says so in words (``Error: x``), not a number (``1. x``)."""
        return not _NUMBERED.match(self._pattern_text(position))

    def structural(self, position: int) -> bool:
        """A heading whose own subheadings (one level down) or own bold labels (before its
        first subheading) are two or more template sections."""
        heading = self.headings[position]
        end = self.scope_end(position)
        subs = [h for h in self.headings[position + 1 :] if h.index < end]
        child_level = min((h.level for h in subs), default=0)
        found: set[str] = set()
        for sub in subs:
            target = self.vocab.section(sub.text) if sub.level == child_level else None
            if target is not None:
                found.add(target.key)
        own_end = subs[0].index if subs else end
        for line in self.source.lines[heading.index + 1 : own_end]:
            if line.fenced:
                continue
            match = _SECTION_LABEL.match(line.text)
            if match:
                target = self.vocab.section(match.group("label"))
                if target is not None:
                    found.add(target.key)
        return len(found) >= 2 and bool(found & CORE_SECTIONS)

    # -- the layout ----------------------------------------------------------------------------
    def layout(self) -> Layout:
        body = [i for i, h in enumerate(self.headings) if h.index >= self.source.body_start]
        counts: dict[int, list[int]] = {}
        for position in body:
            if self.entry_like(position):
                counts.setdefault(self.headings[position].level, []).append(position)
        best_level = 0
        best: list[int] = []
        for level in sorted(counts):
            if len(counts[level]) > len(best):
                best_level, best = level, counts[level]
        total = len(self.source.lines)
        if len(best) >= 2 and self._one_report(best_level):
            # a post-mortem: its numbered hypotheses or measures are parts of one report
            return Layout([Part("entry", self.source.body_start, total, pattern=True)], 0)
        if len(best) < 2:
            rows = self._table_rows()
            if rows:
                return Layout(self._table_parts(rows), 0)
            items = self._field_items()
            if items:
                return Layout(self._fill(items), 0)
        if len(best) >= 2:
            return Layout(self._many(best_level, set(best)), best_level)
        return Layout(self._one(best), 0)

    # -- entries as list items ------------------------------------------------------------------
    def _field_items(self) -> list[Part]:
        """List items whose lines are ``Key: value`` fields (``- Date: 2026-02-19`` /
        ``  Mistake: ...`` / ``  Prevention: ...``), each naming a core section and three
        template fields or sections in all: one entry each, when there are two or more."""
        lines = self.source.lines
        found: list[Part] = []
        index = self.source.body_start
        while index < len(lines):
            line = lines[index]
            if line.fenced or not _FIELD_ITEM.match(line.text):
                index += 1
                continue
            end = index + 1
            while end < len(lines) and not lines[end].fenced:
                text = lines[end].text
                if text.strip() and (not text[:1].isspace() or _FIELD_ITEM.match(text)):
                    break
                end += 1
            keys = [FIELD_LINE.match(line.text) for line in lines[index:end]]
            labels = [m.group("label") for m in keys if m is not None]
            sections = {t.key for t in map(self.vocab.section, labels) if t is not None}
            fields = [label for label in labels if self.vocab.field(label) is not None]
            if sections & CORE_SECTIONS and len(sections) + len(fields) >= 3:
                while end > index + 1 and lines[end - 1].blank:
                    end -= 1
                found.append(Part("entry", index, end, item=True, pattern=True))
            index = end
        return found if len(found) >= 2 else []

    # -- entries as table rows -----------------------------------------------------------------
    def _table_rows(self) -> list[tuple[int, int, list[str], bool]]:
        """Rows of tables whose header names template fields and sections (``| Date | Error |
        Root Cause | Fix |``): (start, row index, header cells, placeholder row?) for each,
        where start is the header's index for a table's first row."""
        lines = self.source.lines
        found: list[tuple[int, int, list[str], bool]] = []
        index = self.source.body_start
        while index < len(lines) - 2:
            header = table_cells(lines[index].text) if not lines[index].fenced else None
            if header is None or not _TABLE_RULE.match(lines[index + 1].text):
                index += 1
                continue
            end = index + 2
            while end < len(lines) and table_cells(lines[end].text) is not None:
                end += 1
            body = [table_cells(line.text) or [] for line in lines[index + 2 : end]]
            if self._entry_columns(header) and links_to_files(
                [c for r in body for c in r]
            ) * 2 < len(body):
                start = index
                for row in range(index + 2, end):
                    cells = table_cells(lines[row].text) or []
                    blank = all(_BLANK_CELL.match(c) for c in cells)
                    found.append((start, row, header, blank))
                    start = row + 1
            index = end
        return found

    def _entry_columns(self, header: list[str]) -> bool:
        sections = {t.key for t in map(self.vocab.section, header) if t is not None}
        fields = [c for c in header if self.vocab.field(c) is not None]
        return bool(sections & CORE_SECTIONS) and len(sections) + len(fields) >= 3

    def _table_parts(self, rows: list[tuple[int, int, list[str], bool]]) -> list[Part]:
        bounds = []
        for start, row, header, blank in rows:
            part = Part("entry", start, row + 1, columns=header, row=row)
            if blank:  # "| _template_ | _describe error_ | ..." is the file's template
                part = Part(
                    "skipped",
                    start,
                    row + 1,
                    reason="the template (a placeholder row)",
                    skip_kind="template",
                )
            bounds.append(part)
        return self._fill(bounds)

    def _one_report(self, level: int) -> bool:
        """Is the file one report (Summary, Timeline, Root Cause, Resolution, ...) whose
        sections hold the headings that look like entries, one level or more down?"""
        body = [h for h in self.headings if h.index >= self.source.body_start]
        if sum(1 for h in body if h.level == 1) > 1:
            return False
        top = min((h.level for h in body if h.level > 1), default=0)
        if not top or level <= top:
            return False
        sections = [h for h in body if h.level == top]
        named = sum(
            1
            for h in sections
            if _REPORT_WORDS.search(label_key(h.text)) or self.vocab.section(h.text) is not None
        )
        titled = any(
            h.level == 1 and _REPORT_TITLE.search(strip_symbols(h.text)) for h in body
        ) or bool(_REPORT_TITLE.search(self.source.path.rsplit("/", 1)[-1]))
        return named * 2 >= len(sections) and (named >= 3 or (titled and named >= 2))

    def _one(self, entry_like: list[int]) -> list[Part]:
        if len(entry_like) == 1:
            return self._many(self.headings[entry_like[0]].level, set(entry_like), single=True)
        return [Part("entry", self.source.body_start, len(self.source.lines))]

    def _many(self, level: int, starts: set[int], *, single: bool = False) -> list[Part]:
        total = len(self.source.lines)
        # where each entry ends
        bounds: list[tuple[int, int, int]] = []  # (position, start index, end index)
        for position in sorted(starts):
            heading = self.headings[position]
            end = total
            deeper = False
            for later_position in range(position + 1, len(self.headings)):
                later = self.headings[later_position]
                if later.level < level:
                    end = later.index
                    break
                if later.level == level and self._ends_entry(
                    later_position, later_position in starts, single, deeper
                ):
                    end = later.index
                    break
                if later.level > level:
                    deeper = True
            bounds.append((position, heading.index, end))

        parts = [
            Part(
                "entry",
                begin,
                end,
                self.headings[position],
                pattern=self.pattern(position),
            )
            for position, begin, end in bounds
        ]
        return self._fill(parts)

    def _fill(self, entries: list[Part]) -> list[Part]:
        """The entries with the parts between them, and the group headings above them."""
        start = self.source.body_start
        total = len(self.source.lines)
        positions = [i for i, h in enumerate(self.headings) if h.index >= start]
        levels = [p.heading.level for p in entries if p.heading is not None]
        level = min(levels) if levels else 7
        h1_count = sum(1 for p in positions if self.headings[p].level == 1)
        groups = [
            p
            for p in positions
            if self.headings[p].level < level
            and not (self.headings[p].level == 1 and h1_count == 1)
            and any(
                self.headings[p].index < e.start < self.scope_end(p)
                for e in entries
                if e.kind == "entry"
            )
        ]
        parts: list[Part] = []
        cursor = start
        for part in entries:
            if part.start > cursor:
                parts.extend(self._gap(cursor, part.start, groups))
            part.groups = [
                self.headings[group].text
                for group in groups
                if self.headings[group].index < part.start < self.scope_end(group)
            ]
            parts.append(part)
            cursor = part.end
        if cursor < total:
            parts.extend(self._gap(cursor, total, groups))
        return parts

    def _ends_entry(self, position: int, starts_entry: bool, single: bool, deeper: bool) -> bool:
        """Does a heading at the entries' own level end the entry before it?"""
        heading = self.headings[position]
        if starts_entry:
            return True
        if self.vocab.section(heading.text) is not None:
            # "## Root Cause" beside "## Error: x" is that entry's; beside entries whose
            # sections sit one level down, it is the log's own (e.g. "## Key Learnings")
            return deeper
        if single and not deeper:
            return bool(NON_ENTRY.search(label_key(heading.text)))
        return True

    def _gap(self, start: int, end: int, groups: list[int]) -> list[Part]:
        """Lines between entries, cut at headings, each piece with what it is: a part that may
        be left out (the title, a table of contents, ...) or notes to keep."""
        if not self._has_text(start, end):
            return (
                [Part("skipped", start, end, reason="blank", skip_kind="blank")]
                if end > start
                else []
            )
        cuts = [h for h in self.headings if start < h.index < end]
        edges = [start, *[h.index for h in cuts], end]
        group_lines = {self.headings[g].index for g in groups}
        parts = []
        for begin, stop in itertools.pairwise(edges):
            heading = next((h for h in self.headings if h.index == begin), None)
            first = not any(
                not line.blank for line in self.source.lines[self.source.body_start : begin]
            )
            if first and (heading is None or heading.level == 1):
                kind, reason = "preamble", "preamble"  # the file's title and the words under it
            elif heading is None:
                kind, reason = self._kind(None, begin, stop, "text between entries")
            elif begin in group_lines:
                kind, value = group_meaning(heading.text, self.vocab.template)
                says = {
                    "date": f"the date {value}",
                    "status": f"the status {value}",
                    "tag": f"the tag '{value}'",
                }.get(kind, "nothing")
                reason = f"group heading '{heading.text}' (gives the entries under it {says})"
                kind = "group"
                if self._has_text(begin + 1, stop):
                    # the heading gives a tag; the words under it are notes
                    parts.append(Part("skipped", begin, begin + 1, reason=reason, skip_kind=kind))
                    kind, reason = "notes", f"text under the group heading '{heading.text}'"
                    begin += 1
            else:
                kind, reason = self._kind(heading, begin, stop, f"not an entry: {heading.text}")
            parts.append(Part("skipped", begin, stop, reason=reason, skip_kind=kind))
        return parts

    def _kind(self, heading: Heading | None, begin: int, stop: int, what: str) -> tuple[str, str]:
        """What a piece of a file outside the entries is, and the reason shown for it."""
        lines = [
            line.text
            for line in self.source.lines[begin:stop]
            if not line.blank and not line.text.lstrip().startswith("#")
        ]
        key = label_key(heading.text) if heading is not None else ""
        if key and CONTENTS.search(key):
            return "contents", f"table of contents: {heading.text if heading else ''}"
        if key and HOW_TO.search(key):
            return "how-to", f"how to use this file: {heading.text if heading else ''}"
        if (key and TEMPLATE.search(key)) or (lines and placeholder_share(lines) >= 0.6):
            return "template", f"the file's template: {heading.text if heading else what}"
        if links_to_files(lines) >= 3 and links_to_files(lines) * 2 >= len(lines):
            return "index", f"an index of other files: {heading.text if heading else what}"
        return "notes", what

    def _has_text(self, start: int, end: int) -> bool:
        """Any line but blank lines and thematic breaks (``---`` between entries)?"""
        return any(
            not line.blank and (line.fenced or not _RULE_LINE.match(line.text))
            for line in self.source.lines[start:end]
        )


def split(source: Source, vocab: Vocabulary) -> Layout:
    return Splitter(source, vocab).layout()
