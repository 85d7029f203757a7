"""What every exporter starts from: the folder's readable entries, in number order, and
the files that could not be read (reported, never exported half-read)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mistakes.domain.naming import parse_entry_filename
from mistakes.services.entries import EntryService, UsageError
from mistakes.storage.folder import Problem, StoredEntry


@dataclass
class Exported:
    """What an export wrote: the files, how many entries, and what it left out and why."""

    files: list[Path] = field(default_factory=list)
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def readable_entries(service: EntryService) -> tuple[list[StoredEntry], list[Problem]]:
    entries, problems = service.all()
    entries.sort(key=lambda s: (s.number, s.path.name))
    return entries, list(problems)


def open_follow_ups(stored: StoredEntry) -> int:
    return sum(1 for item in stored.entry.follow_up if not item.done)


def refuse_entry_path(service: EntryService, out: Path) -> None:
    """An export never writes over an entry file (``--out mistakes/007-x.md``)."""
    try:
        inside = out.resolve().parent == service.root.resolve()
    except OSError:
        return
    if inside and parse_entry_filename(out.name) is not None:
        raise UsageError(f"{out}: is an entry's file name in the folder; not written over")


def one_per_line(items: Iterable[str]) -> str:
    return "".join(f"{item}\n" for item in items)
