"""Issue 10: recurrences (``seen``, ``capture --seen-before``), ``seen`` in lists and
queries, capture's "seen before" lines, and the Resolved gate (``set``, ``check --strict``)."""

from __future__ import annotations

import difflib
import re
import shutil
import socket
import sys
from datetime import date
from pathlib import Path

import pytest

from mistakes.services.answers import seen_before_line
from mistakes.services.config import open_folder
from mistakes.services.search import SearchService
from tests.conftest import SAMPLES

OCCURRENCE = re.compile(
    r"^- (?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}) host=(?P<host>\S+)"
    r"(?: version=(?P<version>\S+))?(?:: (?P<note>.*))?$"
)
POOL_ERROR = "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached"


@pytest.fixture
def entries(cwd: Path) -> Path:
    """The sample entries as ./mistakes (the default folder of every command)."""
    target = cwd / "mistakes"
    shutil.copytree(SAMPLES, target)
    return target


def only_appended(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if any line of ``before`` changed or
    moved, or if anything was added anywhere but at the end."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    assert all(tag == "insert" for tag, *_ in ops), ops
    assert new[: len(old)] == old, "a line before the new ones changed"
    return new[len(old) :]


def entry_path(folder: Path, number: int) -> Path:
    (found,) = folder.glob(f"{number:03d}-*.md")
    return found


# -- mistakes seen -------------------------------------------------------------------------------


def test_seen_appends_lines_and_rewrites_none(run, entries: Path) -> None:
    path = entry_path(entries, 7)
    before = path.read_text("utf-8")
    result = run("seen", "7", "--note", "CrashLoopBackOff again on orders-api")
    assert result.code == 0, result.err
    assert result.out.strip().endswith(path.name)
    added = only_appended(before, path.read_text("utf-8"))
    assert [line.rstrip("\n") for line in added[:3]] == ["", "## Occurrences", ""]
    match = OCCURRENCE.match(added[3].rstrip("\n"))
    assert match is not None, added
    assert match["note"] == "CrashLoopBackOff again on orders-api"
    assert match["host"] == socket.gethostname().replace(" ", "-")
    assert match["date"] == date.today().isoformat()

    second = path.read_text("utf-8")
    assert run("seen", "7", "--note", "and again").code == 0
    (line,) = only_appended(second, path.read_text("utf-8"))
    assert OCCURRENCE.match(line.rstrip("\n"))["note"] == "and again"
    assert run("check").code == 0


def test_seen_stdin_takes_the_first_error_line(run, entries: Path) -> None:
    log = (
        "INFO starting worker 12\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/users.py", line 41, in load\n'
        "    return row['user_id']\n"
        "KeyError: 'user_id'\n"
        "ERROR request failed\n"
    )
    assert run("seen", "3", "--stdin", stdin=log).code == 0
    data = run("show", "3", "--json").json
    assert [o["note"] for o in data["occurrences"]] == ["KeyError: 'user_id'"]


def test_show_json_reads_the_occurrences_back(run, entries: Path) -> None:
    assert run("seen", "7", "--note", "first: with a colon").code == 0
    assert run("seen", "7").code == 0
    data = run("show", "7", "--json").json
    assert data["seen"] == 2
    first, second = data["occurrences"]
    assert first["note"] == "first: with a colon"
    assert second["note"] == ""
    assert first["date"] == second["date"] == date.today().isoformat()
    assert set(first) >= {"date", "time", "host", "version", "note"}


def test_hand_written_occurrences_are_read_and_kept(run, entries: Path) -> None:
    path = entry_path(entries, 8)
    text = path.read_text("utf-8").rstrip("\n")
    text += "\n\n## Occurrences\n\n- 2026-01-05: seen by hand\nSome words, not an occurrence.\n"
    path.write_text(text, "utf-8")
    data = run("show", "8", "--json").json
    assert [(o["date"], o["note"]) for o in data["occurrences"]] == [("2026-01-05", "seen by hand")]
    assert run("seen", "8", "--note", "third").code == 0
    (added,) = only_appended(text, path.read_text("utf-8"))
    assert added.rstrip("\n").endswith(": third")
    assert run("show", "8", "--json").json["seen"] == 2


def test_seen_note_and_stdin_together_is_a_usage_error(run, entries: Path) -> None:
    before = entry_path(entries, 7).read_bytes()
    result = run("seen", "7", "--note", "x", "--stdin", stdin="boom")
    assert result.code == 2
    assert result.err == "mistakes: seen takes --note or --stdin, not both\n"
    assert entry_path(entries, 7).read_bytes() == before


def test_seen_of_a_resolved_entry_warns_and_reopen_sets_it_active(run, entries: Path) -> None:
    assert run("set", "5", "extra.resolved=2025-04-10").code == 0
    path = entry_path(entries, 5)
    before = path.read_text("utf-8")
    result = run("seen", "5", "--note", "pool exhausted again")
    assert result.code == 0
    assert "005 was resolved on 2025-04-10; it happened again" in result.err
    assert "--reopen" in result.err
    only_appended(before, path.read_text("utf-8"))  # the status stays
    assert run("show", "5", "--json").json["status"] == "resolved"

    result = run("seen", "5", "--reopen", "--note", "third time")
    assert result.code == 0
    assert "005 was resolved on 2025-04-10; it happened again" in result.err
    data = run("show", "5", "--json").json
    assert data["status"] == "active"
    assert data["resolved"] == ""
    assert data["seen"] == 2


# -- seen in list, search and queries --------------------------------------------------------------


def test_list_shows_seen_and_sorts_by_it(run, entries: Path) -> None:
    for number in (3, 7, 7, 12, 12, 12):
        assert run("seen", str(number)).code == 0
    rows = run("list", "--sort", "seen").out.splitlines()
    assert [row[:3] for row in rows[:4]] == ["012", "007", "003", "001"]
    assert "[seen 3x] " in rows[0] and "[seen 2x] " in rows[1] and "[seen" not in rows[3]
    data = run("list", "--sort", "seen", "--json").json
    assert [d["seen"] for d in data[:4]] == [3, 2, 1, 0]
    plain = run("list").out.splitlines()
    assert [row[:3] for row in plain[:3]] == ["001", "002", "003"]


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("seen:>2", {12}),
        ("seen:>1", {7, 12}),
        ("seen:>=1", {3, 7, 12}),
        ("seen:2", {7}),
        ("Seen:<2 seen:>0", {3}),
        ("seen:>=2 tag:kubernetes", {7}),
    ],
)
def test_seen_in_queries(run, entries: Path, query: str, numbers: set[int]) -> None:
    for number in (3, 7, 7, 12, 12, 12):
        assert run("seen", str(number)).code == 0
    result = run("search", query, "--json", "--limit", "50")
    assert result.code == 0, result.err
    assert "could not" not in result.err
    found = {hit["number"]: hit["seen"] for hit in result.json}
    assert set(found) == numbers
    assert all(found[n] >= 1 for n in found)


def test_seen_is_listed_with_the_query_fields(run, entries: Path) -> None:
    assert "seen:" in run("search", "--fields").out.splitlines()


def test_seen_below_counts_entries_never_seen(run, entries: Path) -> None:
    assert run("seen", "3").code == 0
    hits = run("search", "seen:<1", "--json", "--limit", "50").json
    assert len(hits) == 23 and 3 not in {h["number"] for h in hits}


def test_search_marks_entries_seen_again(run, entries: Path) -> None:
    assert run("seen", "7").code == 0
    out = run("search", "CrashLoopBackOff").out
    assert "[seen 1x] Pods in CrashLoopBackOff" in out


# -- capture -------------------------------------------------------------------------------------


def _failing_command(text: str, code: int = 4) -> list[str]:
    return [sys.executable, "-c", f"import sys; print({text!r}); sys.exit({code})"]


POOL_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/app/.venv/lib/python3.11/site-packages/sqlalchemy/pool/impl.py", line 168, '
    "in _do_get\n"
    "    raise exc.TimeoutError(\n"
    f"{POOL_ERROR}, connection timed out, timeout 30.00\n"
)


def test_capture_prints_the_seen_before_lines_of_the_shared_lookup(run, entries: Path) -> None:
    result = run("capture", "--", *_failing_command(POOL_TRACE))
    assert result.code == 4  # the command's exit code is kept
    recorded = re.search(r"mistakes: recorded (\S+)", result.err)
    assert recorded is not None
    new_name = Path(recorded.group(1)).name
    # the same lookup the command made, asked again here: its lines, in its order
    folder = open_folder(entries)
    search = SearchService(folder)
    search.open()
    stored = folder.load(folder.resolve(new_name))
    hits = search.similar(stored.entry.sections["error_messages"], 3, exclude=new_name)
    search.close()
    assert 5 in {hit.number for hit in hits}  # the sample entry with this very error
    lines = [line for line in result.err.splitlines() if line.startswith("mistakes: seen before")]
    assert lines == [f"mistakes: {seen_before_line(hit)}" for hit in hits]
    assert any(line.startswith("mistakes: seen before: 005 Connection pool") for line in lines)


def test_capture_seen_before_records_an_occurrence_instead(run, entries: Path) -> None:
    path = entry_path(entries, 5)
    before = path.read_text("utf-8")
    count = len(list(entries.glob("*.md")))
    result = run("capture", "--seen-before", "5", "--", *_failing_command(POOL_TRACE, 7))
    assert result.code == 7
    assert len(list(entries.glob("*.md"))) == count  # no new entry
    (*_, line) = only_appended(before, path.read_text("utf-8"))
    assert OCCURRENCE.match(line.rstrip("\n"))["note"].startswith(POOL_ERROR)
    assert "it happened again" in result.err  # 005 is resolved


def test_capture_seen_before_a_missing_entry_fails_before_running(run, entries: Path) -> None:
    marker = entries.parent / "ran"
    cmd = [sys.executable, "-c", f"open({str(marker)!r}, 'w'); raise SystemExit(3)"]
    result = run("capture", "--seen-before", "99", "--", *cmd)
    assert result.code == 1
    assert "no entry number 99" in result.err
    assert not marker.exists()


def test_capture_success_with_seen_before_records_nothing(run, entries: Path) -> None:
    before = entry_path(entries, 5).read_bytes()
    result = run("capture", "--seen-before", "5", "--", sys.executable, "-c", "print('ok')")
    assert result.code == 0
    assert entry_path(entries, 5).read_bytes() == before


# -- the Resolved gate -----------------------------------------------------------------------------


@pytest.fixture
def draft(run, cwd: Path) -> Path:
    """An active entry with nothing under Root Cause Analysis or Solution."""
    assert run("new", "-t", "Half written", "--no-env", "--section", "What Happened=x").code == 0
    return entry_path(cwd / "mistakes", 1)


def test_resolving_with_root_cause_and_fix_empty_is_refused(run, draft: Path) -> None:
    before = draft.read_bytes()
    result = run("set", "1", "status=resolved")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {Path('mistakes') / draft.name}: not set to resolved: Root Cause Analysis "
        "and Solution > The Fix are empty (write them first, or --force)\n"
    )
    assert draft.read_bytes() == before
    result = run("set", "1", "status=resolved", "fix=Restarted it.", "severity=low")
    assert result.code == 1
    assert "Root Cause Analysis is empty" in result.err
    assert "The Fix" not in result.err
    assert draft.read_bytes() == before


def test_force_resolves_and_keeps_the_day(run, draft: Path) -> None:
    before = draft.read_text("utf-8").splitlines()
    assert run("set", "1", "status=resolved", "--force").code == 0
    after = draft.read_text("utf-8").splitlines()
    today = date.today().isoformat()
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    assert (removed, added) == (["status: active"], ["status: resolved", f"resolved: {today}"])
    assert after.index(f"resolved: {today}") < after.index("---", 1)  # in the frontmatter
    assert run("show", "1", "--json").json["resolved"] == today


def test_resolving_a_written_up_entry_needs_no_force(run, draft: Path) -> None:
    result = run("set", "1", "status=resolved", "Why It Happened=A typo.", "fix=Fixed the typo.")
    assert result.code == 0, result.err
    data = run("show", "1", "--json").json
    assert (data["status"], data["resolved"]) == ("resolved", date.today().isoformat())
    # setting it to active again drops the day; resolving again sets it again
    assert run("set", "1", "status=active").code == 0
    assert run("show", "1", "--json").json["resolved"] == ""
    assert "resolved:" not in draft.read_text("utf-8")


def test_a_resolved_day_set_in_the_same_edit_is_kept(run, draft: Path) -> None:
    args = ("status=resolved", "extra.resolved=2026-03-01", "--force")
    assert run("set", "1", *args).code == 0
    assert run("show", "1", "--json").json["resolved"] == "2026-03-01"


def test_required_sections_come_from_the_folder_config(run, draft: Path) -> None:
    config = draft.parent / ".mistakes.toml"
    config.write_text('resolved_requires = ["The Fix", "Verification Steps"]\n')
    result = run("set", "1", "status=resolved", "Why It Happened=x")
    assert result.code == 1
    assert "Solution > The Fix and Testing the Fix > Verification Steps are empty" in result.err
    config.write_text("resolved_requires = []\n")
    assert run("set", "1", "status=resolved").code == 0


def test_required_sections_from_the_user_config(run, draft: Path, isolated_home: Path) -> None:
    user = isolated_home / ".config" / "mistakes" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('resolved_requires = ["Root Cause Analysis"]\n')
    result = run("set", "1", "status=resolved", "fix=x")
    assert "Root Cause Analysis is empty" in result.err and result.code == 1
    assert run("set", "1", "status=resolved", "contributing_factors=y").code == 0


def test_an_unknown_required_section_names_the_config_line(run, draft: Path) -> None:
    config = draft.parent / ".mistakes.toml"
    config.write_text('\nresolved_requires = ["The Fixx"]\n')
    result = run("set", "1", "status=resolved")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {Path('mistakes') / '.mistakes.toml'}:2: resolved_requires: "
        "the template has no section 'The Fixx'\n"
    )


def test_check_strict_reports_resolved_entries_without_the_write_up(run, draft: Path) -> None:
    assert run("set", "1", "status=resolved", "--force").code == 0
    assert run("check").code == 0
    result = run("check", "--strict")
    assert result.code == 1
    line = draft.read_text("utf-8").splitlines().index("status: resolved") + 1
    assert result.out == (
        f"{Path('mistakes') / draft.name}:{line}: resolved, but Root Cause Analysis and "
        "Solution > The Fix are empty\n"
    )
    assert run("set", "1", "fix=x", "Why It Happened=y").code == 0
    assert run("check", "--strict").code == 0


def test_check_strict_on_the_samples(run, entries: Path) -> None:
    """Every Resolved sample entry has its root cause and fix written."""
    result = run("check", "--strict")
    assert result.code == 0, result.out


def test_seen_masks_secrets_in_the_note(run, entries: Path) -> None:
    path = entry_path(entries, 7)
    before = path.read_text("utf-8")
    stdin = "psycopg2.OperationalError: connection to postgres://app:hunter2secret@db:5432 failed\n"
    result = run("seen", "7", "--stdin", stdin=stdin)
    assert result.code == 0, result.err
    added = "".join(only_appended(before, path.read_text("utf-8")))
    assert "hunter2secret" not in added
    assert "[REDACTED:" in added and "postgres://app:" in added
    assert "masked 1 secret" in result.err


# -- new goes through the same gate, and masks what it is given --------------------------------


def test_new_resolved_without_the_write_up_is_refused(run, cwd: Path) -> None:
    result = run("new", "-t", "Pool exhausted", "--status", "resolved", "--no-env")
    assert result.code == 1
    assert result.err == (
        "mistakes: not set to resolved: Root Cause Analysis and Solution > The Fix are empty "
        "(give them with --section, or --force)\n"
    )
    assert not list(cwd.glob("mistakes/*.md"))  # nothing written
    args = ("new", "-t", "Pool exhausted", "--status", "resolved", "--no-env")
    result = run(*args, "--section", "The Fix=Raised pool_size to 40.")
    assert result.code == 1 and "Root Cause Analysis is empty" in result.err


def test_new_resolved_with_the_write_up_keeps_the_day(run, cwd: Path) -> None:
    result = run(
        "new", "-t", "Pool exhausted", "--status", "resolved", "--no-env", "--json",
        "--section", "Why It Happened=pool_size 5 for 40 workers.",
        "--section", "The Fix=Raised pool_size to 40.",
    )  # fmt: skip
    assert result.code == 0, result.err
    today = date.today().isoformat()
    assert run("show", "1", "--json").json["resolved"] == today
    text = entry_path(cwd / "mistakes", 1).read_text("utf-8")
    assert text.index(f"resolved: {today}") < text.index("---", 4)  # in the frontmatter
    assert run("check", "--strict").code == 0


def test_new_resolved_with_force_and_a_day_of_its_own(run, cwd: Path) -> None:
    args = ("new", "--no-env", "--status", "resolved", "--force")
    assert run(*args, "-t", "Forced").code == 0
    assert run("show", "1", "--json").json["resolved"] == date.today().isoformat()
    assert run(*args, "-t", "Back-filled", "--field", "extra.resolved=2025-04-10").code == 0
    assert run("show", "2", "--json").json["resolved"] == "2025-04-10"
    assert run("new", "-t", "Still open", "--no-env", "--status", "active").code == 0
    assert run("show", "3", "--json").json["resolved"] == ""


FAKE_AWS_KEY = "AKIAZ7QX3MPLV4NRW2TC"  # the shape of an access key id; not a real one


def test_new_masks_secrets_in_sections_and_fields(run, cwd: Path) -> None:
    result = run(
        "new", "-t", "Deploy failed", "--no-env",
        "--section", f"Error Messages=botocore: invalid key {FAKE_AWS_KEY} for s3://logs",
        "--section", "What Happened=the job ran with password=hunter2secret in its env",
        "--field", "The Fix=rotated; the old DSN was postgres://app:s3cr3tpw@db:5432/app",
    )  # fmt: skip
    assert result.code == 0, result.err
    text = entry_path(cwd / "mistakes", 1).read_text("utf-8")
    for secret in (FAKE_AWS_KEY, "hunter2secret", "s3cr3tpw"):
        assert secret not in text
    assert "botocore: invalid key [REDACTED:aws-key] for s3://logs" in text
    assert "the job ran with password=[REDACTED:" in text
    assert "postgres://app:[REDACTED:" in text
    assert "masked 3 secrets" in result.err


def test_set_masks_secrets_in_sections(run, draft: Path) -> None:
    before = draft.read_text("utf-8")
    result = run("set", "1", f"The Fix=Revoked {FAKE_AWS_KEY}; set password=hunter2secret")
    assert result.code == 0, result.err
    after = draft.read_text("utf-8")
    assert FAKE_AWS_KEY not in after and "hunter2secret" not in after
    assert "Revoked [REDACTED:aws-key]; set password=[REDACTED:password]" in after
    assert "masked 2 secrets (aws-key, password)" in result.err
    assert before != after
    # a field that is not free text is not looked at (and says nothing)
    result = run("set", "1", "severity=high")
    assert result.code == 0 and "masked" not in result.err
