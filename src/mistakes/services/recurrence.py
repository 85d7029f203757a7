"""Recording that a mistake happened again: one path for ``mistakes seen``, ``capture
--seen-before``, the app and the MCP server.

An occurrence is one line appended to the entry's ``## Occurrences`` list (see
domain/occurrences.py): the date and time, the host, the app version (``git describe`` of
the working directory, as ``new`` fills it) and a note. No other line of the file changes,
except the status when a Resolved entry is reopened.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mistakes.domain.occurrences import Occurrence, add_occurrence, make_occurrence, resolved_on
from mistakes.domain.resolution import is_resolved
from mistakes.services import environment
from mistakes.services.capture import clean_output
from mistakes.services.entries import EntryService
from mistakes.services.secrets import mask_secrets
from mistakes.storage.folder import StoredEntry

ACTIVE = "active"
# "KeyError: 'x'", "sqlalchemy.exc.TimeoutError: ...", "panic: ...", "error[E0382]: ..."
_RAISED = re.compile(
    r"^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Failure|Exit|Interrupt)\b(?::|$)"
    r"|^(?:panic|fatal|error|FATAL|ERROR|Error)(?:\[\w+\])?:\s"
)
_EXCEPTION_LINE = re.compile(r"\b[A-Za-z_][\w.]*(?:Error|Exception)\b")
_ERROR_WORD = re.compile(r"\b(?:error|fatal|panic|fail(?:ed|ure)?|exception)\b", re.IGNORECASE)
_CODE_LINE = re.compile(r"^(?:File \"|at |raise |throw |return |\^)")
_NOT_THE_ERROR = re.compile(
    r"^\s*(?:Traceback \(most recent call last\)|During handling of the above exception"
    r"|The above exception was the direct cause)",
)


@dataclass(frozen=True)
class Recurrence:
    """What recording an occurrence did."""

    stored: StoredEntry  # the entry as saved
    occurrence: Occurrence
    was_resolved: bool
    resolved_on: str  # the day it had been resolved ("" when not kept)
    reopened: bool
    masked: str = ""  # "masked 1 secret (password)" when the note held any

    @property
    def warning(self) -> str:
        """``005 was resolved on 2025-04-10; it happened again``, or "" when it was not
        resolved."""
        if not self.was_resolved:
            return ""
        number = f"{self.stored.number:03d}"
        when = f" on {self.resolved_on}" if self.resolved_on else ""
        text = f"{number} was resolved{when}; it happened again"
        if self.reopened:
            return f"{text} (reopened: its status is {self.stored.entry.text('status')} now)"
        return text


def first_error_line(text: str) -> str:
    """The line of a pasted log or traceback that says what went wrong: the first line that
    starts with an exception (``KeyError: 'x'``) or ``panic:``/``error:``, else the first
    naming an exception, else the first with an error word (stack frames and source lines
    left out), else the first line with text."""
    lines = [line.strip() for line in clean_output(text.encode("utf-8")).split("\n")]
    lines = [line for line in lines if line and not _NOT_THE_ERROR.match(line)]
    for pattern in (_RAISED, _EXCEPTION_LINE, _ERROR_WORD):
        for line in lines:
            if pattern.search(line) and not _CODE_LINE.match(line):
                return line
    return lines[0] if lines else ""


def record_occurrence(
    service: EntryService,
    stored: StoredEntry,
    *,
    note: str = "",
    reopen: bool = False,
    when: datetime | None = None,
    host: str | None = None,
    version: str | None = None,
    cwd: Path | None = None,
) -> Recurrence:
    """Append one occurrence to the entry in ``stored`` and save it (the usual safe save:
    nothing is written when the file changed since it was read). ``reopen``: a Resolved
    entry goes back to Active. ``host`` and ``version`` default to this machine's name and
    ``git describe`` of ``cwd`` (the current directory)."""
    entry = stored.entry.copy()
    masked = mask_secrets(note)  # a pasted error line may hold a password or a token
    occurrence = make_occurrence(
        when or datetime.now().astimezone(),
        host=socket.gethostname() if host is None else host,
        version=environment.git_describe(cwd) if version is None else version,
        note=masked.text,
    )
    add_occurrence(entry, occurrence)
    was_resolved = is_resolved(entry.text("status"))
    day = resolved_on(entry)
    reopened = False
    if was_resolved and reopen:
        status = service.template.top_field("status")
        if status is not None:
            entry.set_value(status, status.choice_for(ACTIVE) or next(iter(status.choices), ACTIVE))
            reopened = True
    saved = service.save(stored, entry)
    return Recurrence(saved, occurrence, was_resolved, day, reopened, masked.summary())
