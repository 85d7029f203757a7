"""`mistakes import` end to end, in-process, on files written here and on corpus files."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from mistakes.cli.main import main
from tests.conftest import CORPUS, Result

LOG = """# Team error log

## Error: Pool exhausted
**Severity:** 🔴 High
**Status:** Fixed
### What Happened
Requests hung.
### Root Cause
A leak.

## Error: Clock skew
### What Happened
Tokens rejected.
### Timeline
09:00 paged.
"""


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)

    def call(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "incoming" / "errors.md"
    path.parent.mkdir()
    path.write_text(LOG, encoding="utf-8")
    return path


def test_import_writes_entries_numbered_after_the_existing_ones(run, tmp_path: Path, log: Path):
    assert run("--dir", "entries", "new", "--title", "Existing one", "--no-env").code == 0
    result = run("--dir", "entries", "import", str(log))
    assert result.code == 0, result.err
    names = sorted(p.name for p in (tmp_path / "entries").iterdir())
    assert names == [
        "001-existing-one.md",
        "002-pool-exhausted.md",
        "003-clock-skew.md",
    ]
    assert "2 entries" in result.out
    assert "Timeline" in result.out  # kept as an extra section, and said so
    assert "skipped line 1: preamble" in result.out
    text = (tmp_path / "entries" / "002-pool-exhausted.md").read_text("utf-8")
    assert "severity: high" in text and "status: resolved" in text
    assert "**Severity:** 🔴 High" in text  # the wording is kept
    assert run("--dir", "entries", "check").code == 0
    found = run("--dir", "entries", "search", "leak", "--json").json
    assert [hit["title"] for hit in found] == ["Pool exhausted"]


def test_dry_run_writes_nothing_and_json_reports_each_source(run, tmp_path: Path, log: Path):
    result = run("--dir", "entries", "import", str(log.parent), "--dry-run", "--json")
    assert result.code == 0, result.err
    assert not (tmp_path / "entries").exists()
    [report] = result.json
    assert report["source"] == str(log)
    assert [Path(p).name for p in report["entries"]] == [
        "001-pool-exhausted.md",
        "002-clock-skew.md",
    ]
    assert report["unmapped"] == ["Timeline"]
    assert report["warnings"] == []
    assert report["mapped"]["Root Cause"] == "section:why_it_happened"
    assert report["mapped"]["Severity"] == "field:severity"
    assert report["skipped"] == [{"lines": [1, 1], "reason": "preamble"}]


def test_json_lists_written_paths(run, tmp_path: Path, log: Path):
    result = run("--dir", "entries", "import", str(log), "--json")
    [report] = result.json
    assert all(Path(p).is_file() for p in report["entries"])


def test_bad_paths_and_binary_files_are_reported_not_fatal(run, tmp_path: Path, log: Path):
    (log.parent / "blob.md").write_bytes(b"\x00\x01binary")
    result = run("--dir", "entries", "import", str(log.parent), "nope.md")
    assert result.code == 0
    assert "blob.md: skipped: a binary file" in result.err
    assert "nope.md: skipped: no such file or folder" in result.err
    assert len(list((tmp_path / "entries").iterdir())) == 2
    assert run("--dir", "entries", "import").code == 2


def test_a_file_already_in_the_entries_folder_is_not_imported_again(run, tmp_path: Path):
    assert run("--dir", "entries", "new", "--title", "One", "--no-env").code == 0
    result = run("--dir", "entries", "import", "entries")
    assert "already in the entries folder" in result.err
    assert len(list((tmp_path / "entries").iterdir())) == 1


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_a_whole_corpus_folder_imports_and_passes_check(run, tmp_path: Path):
    source = CORPUS / "terrene-foundation__kailash-py"
    result = run("--dir", "entries", "import", str(source), "--json")
    assert result.code == 0, result.err
    written = [p for report in result.json for p in report["entries"]]
    assert len(written) > 200
    assert len(list((tmp_path / "entries").iterdir())) == len(written)
    check = run("--dir", "entries", "check", "--json")
    # duplicate numbers cannot happen: numbers are given by the folder, not taken from files.
    # What check may say: the logs' own links to their source repository's files (renumbered
    # here, or never in the corpus) - reported, never pointed at an unrelated entry
    problems = [p["message"] for p in check.json if not p["warning"]]
    assert problems and all(m.startswith("link to ") for m in problems), problems
    assert not [m for m in problems if "check --fix rewrites" in m]


def test_json_says_which_parts_were_kept_as_notes(run, tmp_path: Path):
    path = tmp_path / "rules.md"
    path.write_text(
        "# Log\n\n## Rules\nAlways run the tests.\n\n"
        "## Error: One\n### What Happened\nIt broke.\n\n"
        "## Error: Two\n### What Happened\nIt broke again.\n",
        encoding="utf-8",
    )
    result = run("--dir", "entries", "import", str(path), "--json")
    assert result.code == 0
    (report,) = result.json
    assert report["titles"] == ["One", "Two", "Notes from Log"]
    assert report["kept"] == [
        {
            "lines": [3, 4],
            "reason": "not an entry: Rules: kept in the entry 'Notes from Log'"
            " (tag imported-notes)",
        }
    ]
    assert run("--dir", "entries", "check").code == 0
    notes = (tmp_path / "entries" / "003-notes-from-log.md").read_text(encoding="utf-8")
    assert "imported-notes" in notes and "Always run the tests." in notes


def test_a_fifo_or_an_oversized_file_is_skipped_unread(run, tmp_path: Path) -> None:
    """A FIFO named like a log would hang `import` on read; a huge file would be read whole
    before being refused. Both are refused from their stat, with a warning naming them."""
    source = tmp_path / "logs"
    source.mkdir()
    (source / "a-real-log.md").write_text(LOG, encoding="utf-8")
    os.mkfifo(source / "pipe.md")
    with (source / "huge.md").open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MiB of nothing
    # named on the command line, the FIFO is looked at (in a folder, only files are)
    result = run("--dir", str(tmp_path / "m"), "import", str(source), str(source / "pipe.md"))
    assert result.code == 0, result.err
    said = result.out + result.err
    assert "pipe.md: skipped: is a FIFO" in said
    assert "huge.md: skipped:" in said
    assert len(list((tmp_path / "m").glob("*.md"))) == 2


def test_resolved_entries_without_the_write_up_are_written_and_counted(run, tmp_path: Path):
    """An import records history: a Resolved entry with no root cause is not refused (as
    `set` and `new` would refuse it), it is counted; `resolved:` comes from the source."""
    path = tmp_path / "log.md"
    path.write_text(
        "# Bugs\n\n## Bug: Pool exhausted\n**Status:** Fixed\n**Resolved:** 2025-08-03\n"
        "### What Happened\nHung.\n### Root Cause\nA leak.\n### Fix\nClosed the sessions.\n\n"
        "## Bug: Clock skew\n**Status:** Fixed\n### What Happened\nTokens rejected.\n"
        "### Fix\nNTP.\n\n"
        "## Bug: Flaky test\n**Status:** Open\n### What Happened\nRed build.\n",
        encoding="utf-8",
    )
    result = run("--dir", "entries", "import", str(path))
    assert result.code == 0, result.err
    assert "  resolved: 2, 1 with the day it was resolved; 1 without a root cause or fix" in (
        result.out
    )
    assert "wrote 3 entries (1 Resolved without a root cause or fix)" in result.err
    shown = [run("--dir", "entries", "show", str(n), "--json").json for n in (1, 2, 3)]
    assert [(s["status"], s["resolved"]) for s in shown] == [
        ("resolved", "2025-08-03"),
        ("resolved", ""),
        ("active", ""),
    ]
    strict = run("--dir", "entries", "check", "--strict")
    assert strict.code == 1 and "002-clock-skew.md" in strict.out
    assert "001-pool" not in strict.out
    report = run("--dir", "fresh", "import", str(path), "--json", "--dry-run").json[0]
    assert report["resolved"] == {"entries": 2, "with_day": 1, "without_write_up": 1}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_corpus_resolved_days_are_kept(run, tmp_path: Path):
    """.learnings/ERRORS.md writes `- **Resolved**: 2026-07-11T17:00:18Z` under each
    entry's Resolution: every Resolved entry keeps that day, so stats can tell how long."""
    source = CORPUS / "AdityaChaudhari901__ResumePilot" / ".learnings__ERRORS.md"
    result = run("--dir", "entries", "import", str(source), "--json")
    assert result.code == 0, result.err
    (report,) = result.json
    counts = report["resolved"]
    assert counts["entries"] >= 60 and counts["with_day"] == counts["entries"]
    first = run("--dir", "entries", "show", "1", "--json").json
    assert first["resolved"] == "2026-07-11"
    stats = run("--dir", "entries", "stats", "--json").json
    assert stats["days_to_resolve"]["entries"] == counts["entries"]
