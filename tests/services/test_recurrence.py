"""Occurrences in an entry's file: the line format, reading it back, appending only, and the
service that the CLI and the app share (``record_occurrence``)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mistakes.domain.occurrences import (
    Occurrence,
    format_occurrence,
    occurrences,
    parse_occurrence,
    parse_occurrences,
)
from mistakes.domain.template import Template
from mistakes.services.config import UserConfig
from mistakes.services.entries import EntryService, ResolveRefused
from mistakes.services.recurrence import first_error_line, record_occurrence
from mistakes.storage.folder import EntryFolder
from tests.conftest import SAMPLES

WHEN = datetime(2026, 12, 2, 10, 31)


@pytest.fixture
def service(tmp_path: Path, template: Template) -> EntryService:
    root = tmp_path / "entries"
    shutil.copytree(SAMPLES, root)
    return EntryService(EntryFolder(root, template), UserConfig(), today=lambda: date(2026, 12, 2))


def record(service: EntryService, number: int, note: str = "", **kwargs: object) -> Path:
    stored = service.get(str(number))
    done = record_occurrence(
        service, stored, note=note, when=WHEN, host="web-3", version="v1.4.2-3-gabc", **kwargs
    )
    return done.stored.path


def test_the_line_format() -> None:
    occurrence = Occurrence("2026-12-02", "10:31", "web-3", "v1.4.2-3-gabc", "KeyError: 'id'")
    line = "- 2026-12-02 10:31 host=web-3 version=v1.4.2-3-gabc: KeyError: 'id'"
    assert format_occurrence(occurrence) == line
    assert parse_occurrence(line) == occurrence


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- 2026-01-05: by hand", Occurrence("2026-01-05", note="by hand")),
        ("* 2026-01-05 deploy broke", Occurrence("2026-01-05", note="deploy broke")),
        ("- 2026-01-05 12:00 host=a", Occurrence("2026-01-05", "12:00", "a")),
        ("- 2026-01-05T12:00:30 note: x", Occurrence("2026-01-05", "12:00:30", note="note: x")),
        ("Some words.", None),
        ("- not a date", None),
    ],
)
def test_hand_written_lines(line: str, expected: Occurrence | None) -> None:
    assert parse_occurrence(line) == expected


values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@given(host=values, version=values, note=values)
def test_what_is_written_is_read_back(host: str, version: str, note: str) -> None:
    occurrence = Occurrence("2026-12-02", "10:31", host, version, note)
    line = format_occurrence(occurrence)
    assert "\n" not in line and "\r" not in line
    (back,) = parse_occurrences(f"intro\n{line}\n")
    assert back.date == "2026-12-02" and back.time == "10:31"
    # what was written survives as one word (host, version) and one line (note)
    written_host = " ".join(host.split())
    if written_host and ":" not in host and host.isprintable():
        assert back.host == "-".join(host.split())
    if note.isprintable() and not host.strip() and not version.strip():
        assert back.note == " ".join(note.split())


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            'Traceback (most recent call last):\n  File "a.py", line 3, in f\n'
            "    raise KeyError('user_id')\nKeyError: 'user_id'\n",
            "KeyError: 'user_id'",
        ),
        (
            "2026-12-02 INFO start\n  raise exc.TimeoutError(\n"
            "sqlalchemy.exc.TimeoutError: QueuePool limit reached\n",
            "sqlalchemy.exc.TimeoutError: QueuePool limit reached",
        ),
        ("goroutine 1 [running]:\npanic: runtime error: nil\n", "panic: runtime error: nil"),
        ("\x1b[31mERROR\x1b[0m: disk full\nmore\n", "ERROR: disk full"),
        ("deploy step 3 failed on web-2\n", "deploy step 3 failed on web-2"),
        ("\n  just words\nmore words\n", "just words"),
        ("", ""),
    ],
)
def test_first_error_line(text: str, line: str) -> None:
    assert first_error_line(text) == line


def test_record_appends_one_line_and_nothing_else(service: EntryService) -> None:
    path = service.get("7").path
    before = path.read_bytes()
    record(service, 7, "again")
    first = path.read_bytes()
    assert first == before + (
        b"\n## Occurrences\n\n- 2026-12-02 10:31 host=web-3 version=v1.4.2-3-gabc: again\n"
    )
    record(service, 7, "and\nagain\x1b[31m")
    assert path.read_bytes() == first + (
        b"- 2026-12-02 10:31 host=web-3 version=v1.4.2-3-gabc: and again [31m\n"
    )
    assert [o.note for o in occurrences(service.get("7").entry)] == ["again", "and again [31m"]


def test_record_keeps_crlf_and_a_missing_final_newline(service: EntryService) -> None:
    path = service.get("7").path
    text = path.read_text("utf-8").rstrip("\n").replace("\n", "\r\n")
    path.write_bytes(text.encode())
    record(service, 7, "x")
    after = path.read_bytes()
    assert after.startswith(text.encode())
    added = after[len(text.encode()) :]
    assert added == (
        b"\r\n\r\n## Occurrences\r\n\r\n- 2026-12-02 10:31 host=web-3 version=v1.4.2-3-gabc: x"
    )


def test_occurrences_in_the_middle_of_the_file_grow_in_place(service: EntryService) -> None:
    path = service.get("7").path
    text = path.read_text("utf-8")
    head, sep, tail = text.partition("## Follow-up Actions")
    path.write_text(f"{head}## Occurrences\n\n- 2026-01-05: by hand\n\n{sep}{tail}", "utf-8")
    before = path.read_text("utf-8")
    record(service, 7, "two")
    after = path.read_text("utf-8")
    line = "- 2026-12-02 10:31 host=web-3 version=v1.4.2-3-gabc: two\n"
    assert after == before.replace("- 2026-01-05: by hand\n", f"- 2026-01-05: by hand\n{line}")


def test_saving_an_entry_with_occurrences_unchanged_keeps_its_bytes(
    service: EntryService,
) -> None:
    record(service, 7, "one")
    record(service, 7, "two")
    stored = service.get("7")
    before = stored.path.read_bytes()
    assert service.save(stored, stored.entry.copy()) is stored
    entry = stored.entry.copy()
    entry.fields["severity"] = "low"
    service.save(stored, entry)
    after = stored.path.read_bytes()
    assert after == before.replace(b"severity: high\n", b"severity: low\n")


def test_reopen(service: EntryService) -> None:
    stored = service.get("5")
    entry = stored.entry.copy()
    entry.extra["resolved"] = "2025-04-10"
    service.save(stored, entry)
    done = record_occurrence(service, service.get("5"), note="x", reopen=True, when=WHEN)
    assert done.was_resolved and done.reopened
    assert done.warning.startswith("005 was resolved on 2025-04-10; it happened again")
    assert done.stored.entry.fields["status"] == "active"
    assert "resolved" not in done.stored.entry.extra


def test_the_gate_leaves_the_file_alone(service: EntryService) -> None:
    stored = service.get("22")  # active, no root cause
    before = stored.path.read_bytes()
    entry = stored.entry.copy()
    entry.fields["status"] = "resolved"
    with pytest.raises(ResolveRefused) as info:
        service.save(stored, entry)
    assert info.value.missing
    assert stored.path.read_bytes() == before
    saved = service.save(stored, entry, force=True)
    assert saved.entry.extra["resolved"] == "2026-12-02"
