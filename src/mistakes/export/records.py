"""JSON Lines and CSV: one entry per line or row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from mistakes.domain.template import Template
from mistakes.export.entries import open_follow_ups
from mistakes.storage.folder import StoredEntry


def jsonl_lines(records: list[dict[str, Any]]) -> Iterator[str]:
    """One ``show --json`` object per line (``services.links.show_records`` builds them, as
    ``show_record`` builds show's)."""
    for item in records:
        yield json.dumps(item, ensure_ascii=False, separators=(",", ":"))


# a cell a spreadsheet would run as a formula (CSV injection): shown as text instead
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_header(template: Template) -> list[str]:
    """``number``, ``file``, every metadata field of the template (``environment.os`` for a
    grouped one), then ``follow_ups_open``: the columns come from the template."""
    return ["number", "file", *(spec.dotted for spec in template.all_fields()), "follow_ups_open"]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_text(entries: list[StoredEntry], template: Template) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header(template))
    for stored in entries:
        row = [str(stored.number), stored.path.name]
        for spec in template.all_fields():
            value = stored.entry.value(spec)
            row.append(_cell(", ".join(value) if isinstance(value, list) else value))
        row.append(str(open_follow_ups(stored)))
        writer.writerow(row)
    return out.getvalue()
