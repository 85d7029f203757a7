"""What the search index hands out: hits, results, sync reports, and its errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mistakes.domain.errors import MistakesError

if TYPE_CHECKING:  # the types only: a listing loads none of the query machinery
    from mistakes.search.snippets import Snippet
    from mistakes.storage.folder import Problem

Progress = Callable[[int, int], None]
"""Called with (done, total) while a build or sync reads the files."""

Notify = Callable[[str], None]
"""Called with a one-line message (``waiting for the search index: ...``)."""


class IndexNotReady(MistakesError):
    """The index is being built by this process; searches come back when it is done."""


class IndexUnavailable(MistakesError):
    """The index cannot be used; the message says why (it is rebuilt when possible)."""


class IndexBusy(IndexUnavailable):
    """Another process held the index's lock for longer than this one would wait.

    ``holder`` describes that process (``process 1234 (mistakes reindex)``), or is empty
    when it could not be told."""

    def __init__(self, message: str, holder: str = "") -> None:
        super().__init__(message)
        self.holder = holder


@dataclass
class Hit:
    name: str
    path: Path
    number: int
    title: str
    severity: str
    status: str
    date: str
    score: float
    snippet: Snippet | None = None
    terms: frozenset[str] = frozenset()
    reason: str = ""
    prefer: tuple[str, ...] = ()  # section keys the query named: snippets come from them
    fix: str = ""  # the start of Solution > The Fix (Markdown kept); "" when none
    root_cause: str = ""  # the start of Root Cause Analysis; "" when none
    seen: int = 0  # recorded occurrences of the entry (issue 10's `seen`)
    folder: str = ""  # the folder's name when several folders are searched at once

    @property
    def section(self) -> str:
        return self.snippet.section if self.snippet else ""


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    notice: str = ""
    exact: bool = True  # False: ``total`` is Whoosh's estimate (a page of hits was full)
    pending: bool = False  # the index is being built: no answer yet
    complete: bool = True  # False: the time budget ran out; the best of what was scored


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    notices: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def date_key(date: str) -> str:
    """Sort key putting newer dates first when sorting ascending (no date: last)."""
    return "".join(chr(0x10FFFF - ord(c)) if c.isdigit() else c for c in date) or "\U0010ffff"
