"""Printing for people (columns that fit the terminal, no escape sequences) and for scripts."""

from __future__ import annotations

import json
import shutil
import sys
from typing import Any, TextIO

from mistakes.domain.template import Template
from mistakes.domain.text import one_line
from mistakes.storage.folder import StoredEntry


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


def entry_rows(entries: list[StoredEntry], template: Template, stream: TextIO) -> list[str]:
    """One line per entry: number, date, severity, status, title (fits the terminal)."""
    tty = is_tty(stream)
    width = shutil.get_terminal_size((80, 24)).columns if tty else 0
    rows = []
    number_width = max([3, *(len(str(e.number)) for e in entries)])
    for stored in entries:
        entry = stored.entry
        severity = entry.text("severity")
        status = entry.text("status")
        head = (
            f"{stored.number:0{number_width}d}  {one_line(entry.date)[:10]:<10}  "
            f"{one_line(severity)[:8]:<8}  {one_line(status)[:13]:<13}  "
        )
        # to a pipe as well: `list | head` in a terminal must not run a title's escapes
        title = one_line(entry.title)
        if tty:
            title = _cut(title, width - len(head) - 1)
        rows.append(head + title)
    return rows
