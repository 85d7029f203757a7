"""Counts across entries (``mistakes stats`` and the app's Stats screen).

Computed from a listing (:mod:`mistakes.services.listing`: the index's columns, no file
parsed): counts by severity, status, tag and month, open against resolved, the days from
``date`` to ``resolved`` (where an entry keeps a ``resolved:`` date), the entries seen most
often, and the follow-up items open and done.
"""

from __future__ import annotations

import functools
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mistakes.domain.template import Template
from mistakes.services.listing import Listed

NONE = "(none)"
NO_DATE = "(no date)"
RESOLVED = "resolved"
MOST_RECURRING = 10
BY = ("severity", "status", "tag", "month")
_MONTH = re.compile(r"^(\d{4})-(\d{2})")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Stats:
    entries: int
    since: str = ""
    by_severity: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_tag: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    open: int = 0
    resolved: int = 0
    resolve_days: list[int] = field(default_factory=list)  # one per entry with both dates
    most_recurring: list[dict[str, Any]] = field(default_factory=list)
    follow_ups_open: int = 0
    follow_ups_done: int = 0

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.resolve_days) if self.resolve_days else None

    @property
    def p90_days(self) -> int | None:
        """The 90th percentile (nearest rank: 90% of the entries took this long or less)."""
        if not self.resolve_days:
            return None
        ordered = sorted(self.resolve_days)
        return ordered[math.ceil(0.9 * len(ordered)) - 1]

    def by(self, name: str) -> dict[str, int]:
        return {
            "severity": self.by_severity,
            "status": self.by_status,
            "tag": self.by_tag,
            "month": self.by_month,
        }[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "since": self.since,
            "by_severity": self.by_severity,
            "by_status": self.by_status,
            "by_tag": self.by_tag,
            "by_month": self.by_month,
            "open": self.open,
            "resolved": self.resolved,
            "days_to_resolve": {
                "entries": len(self.resolve_days),
                "median": self.median_days,
                "p90": self.p90_days,
            },
            "most_recurring": self.most_recurring,
            "follow_ups": {"open": self.follow_ups_open, "done": self.follow_ups_done},
        }


def full_date(text: str) -> date | None:
    text = text.strip()
    if not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def month_of(text: str) -> str:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return NO_DATE
    return f"{match.group(1)}-{match.group(2)}"


class _Choices:
    """A choice field's values counted as the template's choice each stands for (``High`` is
    ``high``), else as typed in lowercase; no value is :data:`NONE`. Each distinct value is
    looked up once (10,000 entries have a handful)."""

    def __init__(self, template: Template, name: str) -> None:
        self.spec = template.field_named(name)
        self.seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        known = self.seen.get(value)
        if known is None:
            spec = self.spec
            choice = spec.choice_for(value) if spec is not None and spec.choices and value else None
            known = self.seen[value] = choice or value.strip().lower() or NONE
        return known


def _ordered(counts: Counter[str], first: list[str]) -> dict[str, int]:
    """``first`` (the template's choices, zero counts kept: a chart shows every choice),
    then the other values by count; :data:`NONE` last."""
    out = {name: counts.get(name, 0) for name in first}
    rest = sorted((n for n in counts if n not in out and n != NONE), key=lambda n: (-counts[n], n))
    out.update((name, counts[name]) for name in rest)
    if counts.get(NONE):
        out[NONE] = counts[NONE]
    return out


def compute(
    rows: list[Listed],
    template: Template,
    since: str = "",
    folder_of: Callable[[Path], str] | None = None,
) -> Stats:
    """The stats of ``rows``; ``since`` (``YYYY-MM-DD``): only entries dated that day or
    later (entries without a date are left out then). ``folder_of``: the folder name of an
    entry's folder (its ``root``), "" with one folder; a name is kept as ``folder`` (after
    ``path``) in each of ``most_recurring``."""
    if since:
        start = full_date(since)
        if start is None:
            raise ValueError(f"--since must be a date as YYYY-MM-DD (not '{since}')")
        rows = [r for r in rows if (d := full_date(r.date[:10])) is not None and d >= start]
    severities: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    months: Counter[str] = Counter()
    stats = Stats(entries=len(rows), since=since)
    severity_of, status_of = _Choices(template, "severity"), _Choices(template, "status")
    # each distinct value (10,000 entries have a handful of each) is folded once
    for value, count in Counter([row.severity for row in rows]).items():
        severities[severity_of(value)] += count
    resolved_as: set[str] = set()  # the values of status that stand for Resolved
    for value, count in Counter([row.status for row in rows]).items():
        status = status_of(value)
        statuses[status] += count
        if status == RESOLVED:
            resolved_as.add(value)
    for listed_tags, count in Counter([tuple(row.tags) for row in rows if row.tags]).items():
        for tag in {t.strip().lower() for t in listed_tags if t.strip()}:
            tags[tag] += count
    for value, count in Counter([row.date for row in rows]).items():
        months[month_of(value)] += count
    day_of = functools.lru_cache(maxsize=None)(full_date)  # 10,000 entries, fewer days
    for row in rows:
        if row.status in resolved_as:
            stats.resolved += 1
            began, ended = day_of(row.date[:10]), day_of(row.resolved[:10])
            if began is not None and ended is not None and ended >= began:
                stats.resolve_days.append((ended - began).days)
    stats.follow_ups_open = sum([row.follow_open for row in rows])
    stats.follow_ups_done = sum([row.follow_done for row in rows])
    stats.open = stats.entries - stats.resolved
    stats.by_severity = _ordered(severities, _choices(template, "severity"))
    stats.by_status = _ordered(statuses, _choices(template, "status"))
    stats.by_tag = _ordered(tags, [])
    dated = sorted(m for m in months if m != NO_DATE)
    stats.by_month = {m: months[m] for m in dated}
    if months.get(NO_DATE):
        stats.by_month[NO_DATE] = months[NO_DATE]
    recurring = sorted((r for r in rows if r.seen > 0), key=lambda r: (-r.seen, r.number))
    stats.most_recurring = []
    for r in recurring[:MOST_RECURRING]:
        item: dict[str, Any] = {"number": r.number, "title": r.title, "path": str(r.path)}
        folder = folder_of(r.root) if folder_of is not None else ""
        if folder:  # several folders: which one (one folder: as it always was)
            item["folder"] = folder
        item["seen"] = r.seen
        stats.most_recurring.append(item)
    return stats


def _choices(template: Template, name: str) -> list[str]:
    spec = template.field_named(name)
    return list(spec.choices) if spec is not None else []
