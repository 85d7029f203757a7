"""Recurrences: the times a mistake happened again, kept in the entry's own file.

They are a list under a ``## Occurrences`` heading (an extra section: the template does not
know it), one line per occurrence, oldest first::

    ## Occurrences

    - 2026-12-02 10:31 host=web-3 version=v1.4.2-3-gabc: KeyError: 'user_id'

Adding one appends a line and rewrites no other (a frontmatter list would have meant
rewriting YAML). Reading is lenient: any list item that starts with a date is an
occurrence (``- 2026-12-02: hand-written`` too); other lines in the section are notes and
are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from mistakes.domain.entry import Entry
from mistakes.domain.naming import normalize_heading

OCCURRENCES_TITLE = "Occurrences"
OCCURRENCES_KEY = normalize_heading(OCCURRENCES_TITLE)
RESOLVED_KEY = "resolved"  # frontmatter: the day the entry became Resolved
NOTE_CHARS = 300

_LINE = re.compile(
    r"^\s*[-*+]\s+(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[ T](?P<time>\d{2}:\d{2}(?::\d{2})?))?"
    r"(?P<rest>.*)$"
)
_PAIR = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)=(?P<value>\S*)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Occurrence:
    date: str  # YYYY-MM-DD
    time: str = ""  # HH:MM, "" when not given
    host: str = ""
    version: str = ""
    note: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "date": self.date,
            "time": self.time,
            "host": self.host,
            "version": self.version,
            "note": self.note,
        }


def _token(text: str) -> str:
    """A value written as ``key=value``: one word, no control characters, no ``: ``."""
    return "-".join(_CONTROL.sub(" ", text).split()).rstrip(":")


def one_line(text: str, limit: int = NOTE_CHARS) -> str:
    """A note as it is written on the occurrence line: one line, no control characters."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_occurrence(occurrence: Occurrence) -> str:
    """The list item of one occurrence (without a line break)."""
    parts = [occurrence.date]
    if occurrence.time:
        parts.append(occurrence.time)
    if occurrence.host:
        parts.append(f"host={_token(occurrence.host)}")
    if occurrence.version:
        parts.append(f"version={_token(occurrence.version)}")
    line = "- " + " ".join(parts)
    note = one_line(occurrence.note)
    return f"{line}: {note}" if note else line


def make_occurrence(
    when: datetime, host: str = "", version: str = "", note: str = ""
) -> Occurrence:
    return Occurrence(
        date=when.strftime("%Y-%m-%d"),
        time=when.strftime("%H:%M"),
        host=host,
        version=version,
        note=one_line(note),
    )


def parse_occurrence(line: str) -> Occurrence | None:
    """The occurrence on one line of the section, or None for any other line."""
    match = _LINE.match(line.rstrip("\r\n"))
    if match is None:
        return None
    rest = match.group("rest")
    head, sep, note = rest.partition(": ")
    if not sep:
        head, note = rest.rstrip().removesuffix(":"), ""
    values: dict[str, str] = {}
    leftover: list[str] = []
    for word in head.split():
        pair = _PAIR.match(word)
        if pair:
            values[pair.group("key").lower()] = pair.group("value")
        else:
            leftover.append(word)
    if leftover:  # not key=value words: part of a hand-written note
        words = " ".join(leftover)
        note = f"{words}: {note}" if sep else words
    return Occurrence(
        date=match.group("date"),
        time=match.group("time") or "",
        host=values.get("host", ""),
        version=values.get("version", ""),
        note=note.strip(),
    )


def parse_occurrences(text: str) -> list[Occurrence]:
    """Every occurrence in the text of an Occurrences section, in the order written."""
    found = []
    for line in text.split("\n"):
        occurrence = parse_occurrence(line)
        if occurrence is not None:
            found.append(occurrence)
    return found


def is_occurrences(heading: str) -> bool:
    """True for the heading (or extra section key) of an Occurrences list."""
    return normalize_heading(heading) == OCCURRENCES_KEY


def occurrences_section(entry: Entry) -> str | None:
    """The key of the entry's Occurrences section (in ``extra_sections``), or None."""
    for key in entry.extra_sections:
        if is_occurrences(key):
            return key
    return None


def occurrences(entry: Entry) -> list[Occurrence]:
    key = occurrences_section(entry)
    return parse_occurrences(entry.extra_sections[key]) if key is not None else []


def seen_count(entry: Entry) -> int:
    """How many times the entry was seen again (recorded occurrences)."""
    return len(occurrences(entry))


def add_occurrence(entry: Entry, occurrence: Occurrence) -> None:
    """Append the occurrence's line to the entry's Occurrences section (made if missing)."""
    key = occurrences_section(entry) or OCCURRENCES_TITLE
    current = entry.extra_sections.get(key, "").rstrip("\n")
    line = format_occurrence(occurrence)
    entry.extra_sections[key] = f"{current}\n{line}" if current.strip() else line


def resolved_on(entry: Entry) -> str:
    """The day the entry became Resolved (frontmatter ``resolved``), "" when not kept."""
    value = entry.extra.get(RESOLVED_KEY, "")
    return value.strip() if isinstance(value, str) else ""
