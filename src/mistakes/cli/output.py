"""Printing for people (columns that fit the terminal, no escape sequences) and for scripts."""

from __future__ import annotations

import json
import shutil
import sys
from typing import TYPE_CHECKING, Any, TextIO

from mistakes.domain.text import one_line

if TYPE_CHECKING:
    from mistakes.search.types import Hit


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def print_json(data: Any, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _cut(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def seen_mark(seen: int) -> str:
    """``[seen 3x] `` before the title of an entry seen again; "" for one never seen again."""
    return f"[seen {seen}x] " if seen else ""


def hit_json(hit: Hit) -> dict[str, object]:
    """A hit for scripts; ``folder`` (after ``path``) only when several folders are open."""
    folder: dict[str, object] = {"folder": hit.folder} if hit.folder else {}
    return {
        "path": str(hit.path),
        **folder,
        "number": hit.number,
        "title": hit.title,
        "severity": hit.severity,
        "status": hit.status,
        "date": hit.date,
        "score": round(hit.score, 4),
        "section": hit.section,
        "snippet": hit.snippet.marked() if hit.snippet else "",
        "fix": hit.fix,
        "root_cause": hit.root_cause,
        "seen": hit.seen,
    }


def print_hits(hits: list[Hit], *, reasons: bool = False) -> None:
    """Hits for people: no control character from a file reaches the output, on a
    terminal or in a pipe (``search x | head`` in a terminal must not set its title).

    ``reasons`` (``similar``): under each hit, why it is close and a ``fix:`` line (the
    start of its fix, on one line)."""
    tty = is_tty(sys.stdout)
    width = shutil.get_terminal_size((80, 24)).columns if tty else 80
    labels = [f"{one_line(hit.folder)}:" if hit.folder else "" for hit in hits]
    room = max([0, *(len(label) for label in labels)])
    for hit, label in zip(hits, labels, strict=True):
        severity, status = one_line(hit.severity), one_line(hit.status)
        number = f"{label}{hit.number:03d}"  # payments:005 with several folders
        head = f"{number:<{room + 3}}  {severity[:8]:<8}  {status[:13]:<13}  "
        print(head + _cut(seen_mark(hit.seen) + one_line(hit.title), width - len(head)))
        indent = " " * (5 + room)
        if reasons:
            if hit.reason:
                print(indent + _cut(one_line(hit.reason), width - 6 - room))
            fix = " ".join(one_line(hit.fix).split()) or "(no fix written)"
            print(indent + "fix: " + _cut(fix, width - 11 - room))
        elif hit.snippet is not None:
            section = f"{one_line(hit.snippet.section)}: "
            space = width - 6 - room - len(section)
            print(indent + section + _marked_within(hit.snippet.text, hit.snippet.spans, space))


def _marked_within(text: str, spans: list[tuple[int, int]], width: int) -> str:
    """The snippet cut to ``width`` with its matches marked, never cutting inside a mark.
    The spans index ``text`` as it is; each piece is made visible (one line) as it is cut."""
    if spans and spans[0][0] > width // 4:  # bring the first match into view
        shift = spans[0][0] - 12
        space = text.find(" ", shift)
        shift = space + 1 if 0 <= space < spans[0][0] else shift
        text = "…" + text[shift:]
        spans = [(a - shift + 1, b - shift + 1) for a, b in spans]
    out: list[str] = []
    used = 0
    last = 0
    for start, end in spans:
        plain = text[last:start]
        if used + len(plain) + (end - start) + 4 > width - 1:
            break
        out.append(one_line(plain) + "**" + one_line(text[start:end]) + "**")
        used += len(plain) + (end - start) + 4
        last = end
    rest = text[last:]
    room = width - used
    out.append(one_line(rest if len(rest) <= room else rest[: max(0, room - 1)] + "…"))
    return "".join(out)
