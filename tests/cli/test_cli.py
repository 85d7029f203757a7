"""The `mistakes` command line, driven in-process through main() and as a real process."""

from __future__ import annotations

import io
import json
import os
import platform
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mistakes.cli.main import main
from tests.conftest import Result

JSON_KEYS = {
    "path",
    "number",
    "title",
    "date",
    "reporter",
    "severity",
    "status",
    "tags",
    "environment",
    "sections",
    "follow_up",
    "extra",
    "extra_sections",
    "fields",
    "resolved",
    "seen",
    "occurrences",
}
SEVERITIES = "critical, high, medium, low"
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>.+)$")

BUG_TEMPLATE = """\
# Bug Log

A small log for one team.

## Bug: [Title]

**Severity:** P1 | P2 | P3
**Team:** [team name]

## Symptoms

What you saw.

## Fix

What fixed it.

**Checklist:**
- [ ] item
"""


def entries_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def write_entry(
    root: Path,
    name: str,
    *,
    title: str = "An entry",
    severity: str = "high",
    status: str = "active",
    tags: str = "[]",
    more: str = "",
    body: str = "\n## Error Description\n\n### What Happened\n\nIt broke.\n",
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(
        f"---\ntitle: {title}\ndate: 2025-01-02\nreporter: mk\nseverity: {severity}\n"
        f"status: {status}\ntags: {tags}\n{more}---\n{body}",
        encoding="utf-8",
    )
    return path


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


# -- no command, help, version -------------------------------------------------------------------


def test_no_command_without_the_launcher_says_the_app_is_missing(run, cwd: Path) -> None:
    result = run()  # cli.main alone: the CLI layer never imports the UI
    assert result.code == 2
    assert "terminal app" in result.err
    assert not (cwd / "mistakes").exists()


def test_the_launcher_opens_the_app_with_no_command(
    monkeypatch: pytest.MonkeyPatch, cwd: Path
) -> None:
    import mistakes.launch

    opened: list[tuple[str | None, str | None]] = []

    def fake_app(folder: str | None, template: str | None) -> int:
        opened.append((folder, template))
        return 0

    monkeypatch.setattr(mistakes.launch, "run_app", fake_app)
    assert mistakes.launch.main(["--dir", "somewhere"]) == 0
    assert opened == [("somewhere", None)]
    assert mistakes.launch.main(["list", "--dir", str(cwd / "x")]) == 0
    assert len(opened) == 1


def test_help_and_version(run) -> None:
    result = run("--help")
    assert result.code == 0
    for command in ("new", "capture", "list", "show", "set", "check"):
        assert command in result.out
    result = run("--version")
    assert result.code == 0
    assert result.out.startswith("mistakes ")


@pytest.mark.parametrize("command", ["new", "capture", "list", "show", "set", "check"])
def test_every_command_takes_dir(run, command: str) -> None:
    result = run(command, "--help")
    assert result.code == 0
    assert "--dir" in result.out


def test_unknown_option_is_usage_error(run, cwd: Path) -> None:
    result = run("list", "--bogus")
    assert result.code == 2
    assert no_traceback(result.err)


# -- the entries folder: --dir, $MISTAKES_DIR, ./mistakes ----------------------------------------


def test_default_folder_created_on_first_write(run, cwd: Path) -> None:
    for command in (["list"], ["list", "--json"], ["check"], ["show", "1"]):
        run(*command)
        assert not (cwd / "mistakes").exists(), command
    result = run("list")
    assert result.code == 0
    assert result.out == ""
    assert "no entries yet" in result.err
    result = run("new", "--title", "DB timeout")
    assert result.code == 0
    assert result.out == f"{Path('mistakes') / '001-db-timeout.md'}\n"
    assert entries_in(cwd / "mistakes") == ["001-db-timeout.md"]


def test_list_json_on_missing_folder_is_empty_array(run, cwd: Path) -> None:
    result = run("list", "--json")
    assert result.code == 0
    assert result.json == []
    assert not (cwd / "mistakes").exists()


def test_check_on_missing_folder_is_clean(run, cwd: Path) -> None:
    result = run("check")
    assert result.code == 0
    assert result.out == ""
    assert not (cwd / "mistakes").exists()


@pytest.mark.parametrize("where", ["before", "after", "short-before", "short-after"])
def test_dir_before_or_after_command(run, tmp_path: Path, cwd: Path, where: str) -> None:
    target = tmp_path / "elsewhere"
    flag = "-d" if where.startswith("short") else "--dir"
    if where.endswith("before"):
        args = [flag, str(target), "new", "--title", "Placed"]
    else:
        args = ["new", "--title", "Placed", flag, str(target)]
    result = run(*args)
    assert result.code == 0, result.err
    assert result.out.strip() == str(target / "001-placed.md")
    assert entries_in(target) == ["001-placed.md"]
    assert not (cwd / "mistakes").exists()
    listing = (
        run("list", flag, str(target))
        if where.endswith("after")
        else run(flag, str(target), "list")
    )
    assert "Placed" in listing.out


def test_dir_after_arguments_of_every_command(run, tmp_path: Path, cwd: Path) -> None:
    target = str(tmp_path / "t")
    assert run("new", "-t", "One", "--no-env", "--dir", target).code == 0
    assert run("show", "1", "--dir", target).code == 0
    assert run("show", "--dir", target, "1", "--json").json["title"] == "One"
    assert run("set", "1", "status=resolved", "--force", "--dir", target).code == 0
    assert run("list", "--status", "resolved", "--dir", target, "--json").json[0]["title"] == "One"
    assert run("check", "--dir", target).code == 0
    assert run("capture", "--dir", target, "--", *FAIL).code == 3
    assert len(entries_in(Path(target))) == 2
    assert not (cwd / "mistakes").exists()


def test_dir_after_command_wins_over_before(run, tmp_path: Path) -> None:
    result = run("--dir", str(tmp_path / "a"), "new", "-t", "X", "--dir", str(tmp_path / "b"))
    assert result.code == 0
    assert entries_in(tmp_path / "b") == ["001-x.md"]
    assert not (tmp_path / "a").exists()


def test_mistakes_dir_environment(run, tmp_path: Path, cwd: Path, monkeypatch) -> None:
    env_dir = tmp_path / "from-env"
    monkeypatch.setenv("MISTAKES_DIR", str(env_dir))
    assert run("new", "--title", "From env").code == 0
    assert entries_in(env_dir) == ["001-from-env.md"]
    assert not (cwd / "mistakes").exists()
    assert "From env" in run("list").out
    # --dir wins over the environment
    assert run("new", "--title", "Flag", "--dir", str(tmp_path / "flag")).code == 0
    assert entries_in(tmp_path / "flag") == ["001-flag.md"]
    assert entries_in(env_dir) == ["001-from-env.md"]


# -- new ------------------------------------------------------------------------------------------


def test_new_with_every_option(run, tmp_path: Path) -> None:
    folder = tmp_path / "e"
    result = run(
        "new",
        "--dir",
        str(folder),
        "--title",
        "  Pool   exhausted after deploy ",
        "--severity",
        "HIGH",
        "--status",
        "Investigating",
        "--reporter",
        "mk",
        "--date",
        "2025-03-04",
        "--tag",
        "db",
        "--tag",
        "api",
        "--section",
        "What Happened=Requests timed out.",
        "--section",
        "fix=Raised the pool size.",
        "--section",
        "Solution > Code Changes=pool_size = 20",
        "--field",
        "environment.os=Plan 9",
        "--field",
        "Environment=production",
        "--no-env",
        "--json",
    )
    assert result.code == 0, result.err
    data = result.json
    assert set(data) == JSON_KEYS
    path = folder / "001-pool-exhausted-after-deploy.md"
    assert data["path"] == str(path)
    assert path.is_file()
    assert data["number"] == 1
    assert data["title"] == "Pool exhausted after deploy"
    assert data["date"] == "2025-03-04"
    assert data["reporter"] == "mk"
    assert data["severity"] == "high"
    assert data["status"] == "investigating"
    assert data["tags"] == ["db", "api"]
    assert data["environment"]["os"] == "Plan 9"
    assert data["environment"]["environment"] == "production"
    assert data["environment"]["python_version"] == ""  # --no-env
    assert data["sections"]["What Happened"] == "Requests timed out."
    assert data["sections"]["The Fix"] == "Raised the pool size."
    assert "pool_size = 20" in data["sections"]["Solution > Code Changes"]
    assert data["sections"]["Expected Behavior"] == ""
    text = path.read_text()
    assert "severity: high\n" in text
    assert "status: investigating\n" in text
    assert "tags: [db, api]\n" in text
    assert "\n### What Happened\n\nRequests timed out.\n" in text
    assert "\n### The Fix\n\nRaised the pool size.\n" in text


def test_new_defaults(run, cwd: Path) -> None:
    result = run("new", "--title", "Defaults", "--json")
    data = result.json
    assert data["date"] == date.today().isoformat()
    assert data["status"] == "active"  # the first status choice
    assert data["severity"] == ""
    assert data["tags"] == []
    assert [item["done"] for item in data["follow_up"]] == [False] * 4
    assert data["follow_up"][0] == {
        "text": "Update documentation to prevent recurrence",
        "done": False,
    }
    assert data["extra"] == {}
    assert data["extra_sections"] == {}
    assert isinstance(data["environment"], dict)
    assert isinstance(data["sections"], dict)
    assert set(data["fields"]) >= {"title", "date", "severity", "status", "tags"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--severity", "urgent"], SEVERITIES),
        (["--status", "done"], "active, investigating, resolved"),
        (["--date", "2025-02-30"], "YYYY-MM-DD"),
        (["--date", "yesterday"], "YYYY-MM-DD"),
        (["--date", "2025-1-2"], "YYYY-MM-DD"),
        (["--section", "Nope=text"], "Nope"),
        (["--section", "no equals sign"], "NAME=TEXT"),
        (["--field", "bogus=1"], "bogus"),
        (["--field", "no-equals"], "FIELD=VALUE"),
        (["--field", "severity+=high"], None),
        (["--stdin", "Nope"], "Nope"),
    ],
)
def test_new_bad_input_is_usage_error_and_writes_nothing(
    run, cwd: Path, args: list[str], needle: str | None
) -> None:
    result = run("new", "--title", "Bad", *args, stdin="")
    assert result.code == 2
    assert result.err.startswith("mistakes: ")
    if needle:
        assert needle in result.err
    assert no_traceback(result.err)
    assert not (cwd / "mistakes").exists()


@pytest.mark.parametrize("title", [None, "", "   "])
def test_new_needs_a_title(run, cwd: Path, title: str | None) -> None:
    args = ["new"] if title is None else ["new", "--title", title]
    result = run(*args)
    assert result.code == 2
    assert "title" in result.err
    assert not (cwd / "mistakes").exists()


@pytest.mark.parametrize(
    ("given", "stored"),
    [("critical", "critical"), ("CRITICAL", "critical"), ("Low", "low"), (" medium ", "medium")],
)
def test_new_severity_case_insensitive(run, cwd: Path, given: str, stored: str) -> None:
    result = run("new", "-t", "Sev", "-s", given, "--json")
    assert result.code == 0, result.err
    assert result.json["severity"] == stored
    assert f"severity: {stored}\n" in Path(result.json["path"]).read_text()


def test_new_fills_environment(run, cwd: Path) -> None:
    data = run("new", "-t", "Env", "--json").json
    env = data["environment"]
    assert env["python_version"] == platform.python_version()
    assert env["os"]
    assert env["app_version"] == ""  # the cwd is not in a git repository
    text = Path(data["path"]).read_text()
    assert f"python_version: {platform.python_version()}" in text or (
        f"python_version: '{platform.python_version()}'" in text
    )


def test_new_given_environment_is_kept(run, cwd: Path) -> None:
    data = run("new", "-t", "Env", "--field", "environment.python_version=2.7.18", "--json").json
    assert data["environment"]["python_version"] == "2.7.18"
    assert data["environment"]["os"]  # still filled


def test_new_no_env(run, cwd: Path) -> None:
    data = run("new", "-t", "No env", "--no-env", "--json").json
    assert set(data["environment"].values()) == {""}
    assert "environment:" not in Path(data["path"]).read_text()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.mark.parametrize("dirty", [False, True])
def test_new_app_version_is_git_describe(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dirty: bool
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "app.py").write_text("print(1)\n")
    _git(repo, "add", "app.py")
    _git(repo, "commit", "-q", "-m", "one")
    if dirty:
        (repo / "app.py").write_text("print(2)\n")
    monkeypatch.chdir(repo)
    expected = _git(repo, "describe", "--always", "--dirty")
    assert expected.endswith("-dirty") == dirty
    data = run("new", "-t", "In git", "--dir", str(tmp_path / "e"), "--json").json
    assert data["environment"]["app_version"] == expected


def test_new_stdin_error_messages_are_fenced(run, cwd: Path) -> None:
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad\n'
    result = run("new", "-t", "From stdin", "--stdin", "Error Messages", "--json", stdin=trace)
    assert result.code == 0, result.err
    section = result.json["sections"]["Error Messages"]
    assert section == f"```\n{trace.rstrip()}\n```"
    text = Path(result.json["path"]).read_text()
    assert f"## Error Messages\n\n```\n{trace}```\n" in text


def test_new_stdin_log_with_heading_lines_stays_in_its_section(run, cwd: Path) -> None:
    log = "## not a heading\n# nor this\n### nor this\n"
    result = run("new", "-t", "Hashes", "--stdin", "Error Messages", "--json", stdin=log)
    assert result.code == 0, result.err
    shown = run("show", "1", "--json").json
    assert shown["sections"]["Error Messages"] == f"```\n{log.rstrip()}\n```"
    assert shown["extra_sections"] == {}


def test_new_stdin_with_markdown_headings_stays_in_its_section(run, cwd: Path) -> None:
    log = "## not a heading\n# nor this\n```\nbackticks\n"
    result = run("new", "-t", "Tricky", "--stdin", "error_messages", "--json", stdin=log)
    assert result.code == 0, result.err
    shown = run("show", "1", "--json").json
    assert "## not a heading" in shown["sections"]["Error Messages"]
    assert shown["extra_sections"] == {}
    assert run("check").code == 0


def test_new_stdin_already_fenced_not_fenced_again(run, cwd: Path) -> None:
    text = "```python\nraise ValueError\n```"
    data = run("new", "-t", "Fenced", "--stdin", "Error Messages", "--json", stdin=text).json
    assert data["sections"]["Error Messages"] == text


def test_new_stdin_prose_section_not_fenced(run, cwd: Path) -> None:
    data = run("new", "-t", "Prose", "--stdin", "What Happened", "--json", stdin="It broke.\n")
    assert data.json["sections"]["What Happened"] == "It broke."


def test_new_section_option_fences_error_messages_too(run, cwd: Path) -> None:
    data = run("new", "-t", "S", "--section", "Error Messages=KeyError: 'x'", "--json").json
    assert data["sections"]["Error Messages"] == "```\nKeyError: 'x'\n```"


def test_new_numbers_grow_and_never_overwrite(run, cwd: Path) -> None:
    for _ in range(3):
        assert run("new", "-t", "Same title").code == 0
    assert entries_in(cwd / "mistakes") == [
        "001-same-title.md",
        "002-same-title.md",
        "003-same-title.md",
    ]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("../../etc/passwd", "001-etc-passwd.md"),
        ("/abs/path", "001-abs-path.md"),
        ("CON", "001-con.md"),
        ("é" * 300, f"001-{'e' * 60}.md"),
        ("🔥🔥", "001-untitled.md"),
    ],
)
def test_new_title_never_chooses_the_path(run, tmp_path: Path, cwd: Path, title, name) -> None:
    result = run("new", "-t", title, "--no-env")
    assert result.code == 0, result.err
    assert entries_in(cwd / "mistakes") == [name]
    assert entries_in(tmp_path) == ["work"]
    assert entries_in(cwd) == ["mistakes"]
    assert run("show", "1", "--json").json["title"] == title


def test_new_title_with_escape_sequence(run, cwd: Path) -> None:
    title = "red \x1b[31mALERT\x1b[0m"
    result = run("new", "-t", title, "--no-env")
    assert result.code == 0
    assert run("show", "1", "--json").json["title"] == title
    assert run("check").code == 0


# -- list -----------------------------------------------------------------------------------------


@pytest.fixture
def several(cwd: Path) -> Path:
    root = cwd / "mistakes"
    write_entry(root, "001-a.md", title="Alpha", severity="high", status="active", tags="[db]")
    write_entry(
        root, "002-b.md", title="Bravo", severity="low", status="resolved", tags="[db, api]"
    )
    write_entry(
        root, "003-c.md", title="Charlie", severity="HIGH", status="Resolved", tags="[API, ci]"
    )
    write_entry(
        root, "004-d.md", title="Delta", severity="critical", status="investigating", tags="[]"
    )
    write_entry(root, "010-e.md", title="Echo", severity="high", status="active", tags="[db, ci]")
    return root


def titles(result: Result) -> list[str]:
    return [row.split("  ")[-1].strip() for row in result.out.splitlines()]


def test_list_rows(run, several: Path) -> None:
    result = run("list")
    assert result.code == 0
    assert result.err == ""
    lines = result.out.splitlines()
    assert lines[0] == "001  2025-01-02  high      active         Alpha"
    assert lines[-1] == "010  2025-01-02  high      active         Echo"
    assert titles(result) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
        (["--severity", "high"], ["Alpha", "Charlie", "Echo"]),
        (["-s", "HIGH"], ["Alpha", "Charlie", "Echo"]),
        (["--severity", "high,critical"], ["Alpha", "Charlie", "Delta", "Echo"]),
        (["--severity", "low", "--severity", "critical"], ["Bravo", "Delta"]),
        (["--status", "resolved"], ["Bravo", "Charlie"]),
        (["--status", "Active"], ["Alpha", "Echo"]),
        (["--tag", "db"], ["Alpha", "Bravo", "Echo"]),
        (["--tag", "api"], ["Bravo", "Charlie"]),
        (["--tag", "db", "--tag", "api"], ["Bravo"]),
        (["--tag", "db,ci"], ["Echo"]),
        (["--severity", "high", "--status", "active"], ["Alpha", "Echo"]),
        (["--severity", "high", "--status", "active", "--tag", "ci"], ["Echo"]),
        (["--severity", "high", "--status", "resolved", "--tag", "ci"], ["Charlie"]),
        (["--severity", "medium"], []),
        (["--tag", "nope"], []),
    ],
)
def test_list_filters(run, several: Path, args: list[str], expected: list[str]) -> None:
    result = run("list", *args)
    assert result.code == 0
    assert titles(result) == expected
    listed = run("list", *args, "--json")
    assert [item["title"] for item in listed.json] == expected


def test_list_json_shape(run, several: Path) -> None:
    data = run("list", "--json").json
    assert isinstance(data, list)
    assert len(data) == 5
    for item in data:
        assert set(item) == JSON_KEYS
        assert isinstance(item["environment"], dict)
        assert isinstance(item["sections"], dict)
        assert isinstance(item["follow_up"], list)
        assert isinstance(item["tags"], list)
    assert [item["number"] for item in data] == [1, 2, 3, 4, 10]
    assert data[1]["tags"] == ["db", "api"]
    assert data[1]["sections"]["What Happened"] == "It broke."
    assert data[0]["path"] == str(Path("mistakes") / "001-a.md")


def test_list_reports_unreadable_file_and_lists_the_rest(run, several: Path) -> None:
    broken = several / "005-broken.md"
    shown_as = str(Path("mistakes") / "005-broken.md")
    broken.write_bytes(b"---\ntitle: x\nstatus: [active\n---\n")
    before = broken.read_bytes()
    result = run("list")
    assert result.code == 0
    assert titles(result) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    warnings = [line for line in result.err.splitlines() if shown_as in line]
    assert len(warnings) == 1
    assert re.search(rf"^mistakes: warning: {re.escape(shown_as)}:[34]: \S", warnings[0])
    assert broken.read_bytes() == before
    result = run("list", "--json")
    assert result.code == 0
    assert len(result.json) == 5
    assert shown_as in result.err


def test_list_title_escapes_made_visible_in_a_pipe_too(run, cwd: Path) -> None:
    write_entry(cwd / "mistakes", "001-esc.md", title='"red \\e[31mALERT\\e[0m"')
    result = run("list")
    assert "\x1b" not in result.out  # `list | head` in a terminal must not run it
    assert "red ^[[31mALERT^[[0m" in result.out
    listed = run("list", "--json")
    assert "\x1b" not in listed.out  # JSON escapes control characters
    assert listed.json[0]["title"] == "red \x1b[31mALERT\x1b[0m"
    shown = run("show", "1", "--json")
    assert "\x1b" not in shown.out
    assert shown.json["title"] == "red \x1b[31mALERT\x1b[0m"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_list_title_escapes_made_visible_on_a_tty(run, cwd: Path, monkeypatch) -> None:
    write_entry(cwd / "mistakes", "001-esc.md", title='"red \\e[31mALERT\\e[0m \\u202eevil"')
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(["list"]) == 0
    out = tty.getvalue()
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "^[[31mALERT" in out
    assert "<U+202E>" in out


def test_list_fits_the_terminal_on_a_tty(run, cwd: Path, monkeypatch) -> None:
    write_entry(cwd / "mistakes", "001-long.md", title="word " * 40)
    write_entry(cwd / "mistakes", "002-short.md", title="Short")
    monkeypatch.setenv("COLUMNS", "70")
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(["list"]) == 0
    rows = tty.getvalue().splitlines()
    assert len(rows) == 2
    assert all(len(row) < 70 for row in rows)
    assert rows[0].endswith("…")
    assert rows[1].endswith("Short")


# -- show -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["2", "002", "02", "002-b", "002-b.md", "mistakes/002-b.md", "ABS"])
def test_show_by_ref(run, several: Path, ref: str) -> None:
    if ref == "ABS":
        ref = str(several / "002-b.md")
    result = run("show", ref)
    assert result.code == 0, result.err
    assert result.out == (several / "002-b.md").read_text()


def test_show_json_shape(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(
        root,
        "007-full.md",
        title="Full",
        tags="[db, api]",
        more="environment:\n  os: Linux\n  python_version: '3.12'\nticket: OPS-12\n",
        body=(
            "\n## Error Description\n\n### What Happened\n\nIt *broke*.\n\n"
            "## Solution\n\n### The Fix\n\nRestarted.\n\n"
            "## Our Own Notes\n\nNot in the template.\n\n"
            "## Follow-up Actions\n\n- [x] Restart\n- [ ] Add alert\n"
        ),
    )
    result = run("show", "7", "--json")
    assert result.code == 0, result.err
    data = result.json
    assert set(data) == JSON_KEYS | {"links"}  # show adds the links, backlinks too
    assert data["path"] == str(Path("mistakes") / "007-full.md")
    assert data["number"] == 7
    assert data["title"] == "Full"
    assert data["date"] == "2025-01-02"
    assert data["reporter"] == "mk"
    assert data["severity"] == "high"
    assert data["status"] == "active"
    assert data["tags"] == ["db", "api"]
    assert data["environment"]["os"] == "Linux"
    assert data["environment"]["python_version"] == "3.12"
    assert data["environment"]["app_version"] == ""
    assert data["sections"]["What Happened"] == "It *broke*."
    assert data["sections"]["The Fix"] == "Restarted."
    assert data["sections"]["Error Messages"] == ""
    assert data["follow_up"] == [
        {"text": "Restart", "done": True},
        {"text": "Add alert", "done": False},
    ]
    assert data["extra"] == {"ticket": "OPS-12"}
    assert data["extra_sections"] == {"Our Own Notes": "Not in the template."}
    assert data["fields"]["severity"] == "high"


@pytest.mark.parametrize("ref", ["99", "nope", "mistakes/099-x.md", ""])
def test_show_missing_ref(run, several: Path, ref: str) -> None:
    result = run("show", ref)
    assert result.code == 1
    assert result.err.startswith("mistakes: ")
    assert no_traceback(result.err)


def test_show_body_escapes_visible_in_a_pipe_and_exact_with_raw(run, cwd: Path) -> None:
    body = "\n## Error Description\n\n### What Happened\n\nred \x1b[31mALERT\x1b[0m \u202eevil\n"
    path = write_entry(cwd / "mistakes", "001-esc.md", title="Esc", body=body)
    result = run("show", "1")
    assert "\x1b" not in result.out and "\u202e" not in result.out
    assert "red ^[[31mALERT^[[0m <U+202E>evil" in result.out
    raw = run("show", "1", "--raw")
    assert raw.out == path.read_text()
    assert "\x1b[31m" in raw.out


def test_show_body_escapes_made_harmless_on_a_tty(run, cwd: Path, monkeypatch) -> None:
    body = (
        "\n## Error Description\n\n### What Happened\n\n"
        "red \x1b[31mALERT\x1b[0m \x1b]0;pwned\x07 \u202eevil \x9b\n"
    )
    write_entry(cwd / "mistakes", "001-esc.md", title='"t \\e[2J"', body=body)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(["show", "1"]) == 0
    out = tty.getvalue()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out)
    assert "^[[31mALERT" in out
    assert "<U+202E>evil" in out
    assert "What Happened" in out


def test_show_reports_unreadable_file(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    (root / "001-bad.md").write_bytes(b"---\ntitle: [x\n---\n")
    result = run("show", "1")
    assert result.code == 1
    assert re.match(
        rf"mistakes: {re.escape(str(Path('mistakes') / '001-bad.md'))}:[23]: ", result.err
    )
    assert no_traceback(result.err)


# -- duplicate numbers ---------------------------------------------------------------------------


@pytest.fixture
def duplicates(cwd: Path) -> Path:
    root = cwd / "mistakes"
    write_entry(root, "007-seven.md", title="Seven")
    write_entry(root, "008-a.md", title="From branch A")
    write_entry(root, "008-b.md", title="From branch B")
    return root


def test_duplicate_number_ref_names_both(run, duplicates: Path) -> None:
    before = snapshot(duplicates)
    for args in (["show", "8"], ["show", "008"], ["set", "8", "status=investigating"]):
        result = run(*args)
        assert result.code == 1
        assert "008-a" in result.err
        assert "008-b" in result.err
        assert no_traceback(result.err)
    assert snapshot(duplicates) == before
    assert run("show", "008-a", "--json").json["title"] == "From branch A"
    assert run("show", "008-b.md", "--json").json["title"] == "From branch B"
    assert titles(run("list")) == ["Seven", "From branch A", "From branch B"]


def test_check_reports_duplicate_numbers(run, duplicates: Path) -> None:
    result = run("check")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(str(Path("mistakes") / "008-a.md"))
    assert "008-b.md" in lines[0]
    assert lines[1].startswith(str(Path("mistakes") / "008-b.md"))
    assert "008-a.md" in lines[1]
    assert all("008" in line for line in lines)
    assert "007-seven" not in result.out
    assert run("new", "-t", "Next", "--no-env").out.strip().endswith("009-next.md")


def test_check_duplicate_lines_have_path_line_message(run, duplicates: Path) -> None:
    result = run("check")
    assert result.code == 1
    for line in result.out.splitlines():
        assert PROBLEM_LINE.match(line), line


# -- set ------------------------------------------------------------------------------------------


@pytest.fixture
def one(run, cwd: Path) -> Path:
    result = run("new", "-t", "Editable", "-s", "high", "--tag", "db", "--no-env")
    assert result.code == 0
    return cwd / result.out.strip()


@pytest.mark.parametrize(
    ("assignments", "check"),
    [
        (["status=resolved", "--force"], lambda d: d["status"] == "resolved"),
        (["status=RESOLVED", "--force"], lambda d: d["status"] == "resolved"),
        (["severity=Critical"], lambda d: d["severity"] == "critical"),
        (["tags=db,api"], lambda d: d["tags"] == ["db", "api"]),
        (["tags+=x"], lambda d: d["tags"] == ["db", "x"]),
        (["tags-=db"], lambda d: d["tags"] == []),
        (["tags="], lambda d: d["tags"] == []),
        (["tags+=x", "tags+=y", "tags-=db"], lambda d: d["tags"] == ["x", "y"]),
        (["The Fix=Restarted it."], lambda d: d["sections"]["The Fix"] == "Restarted it."),
        (["fix=By key."], lambda d: d["sections"]["The Fix"] == "By key."),
        (["what happened=lower"], lambda d: d["sections"]["What Happened"] == "lower"),
        (
            ["Solution > Code Changes=x = 1"],
            lambda d: d["sections"]["Solution > Code Changes"] == "```\nx = 1\n```",
        ),
        (["environment.os=Plan 9"], lambda d: d["environment"]["os"] == "Plan 9"),
        (["reporter=  ab  "], lambda d: d["reporter"] == "ab"),
        (["date=2024-02-29"], lambda d: d["date"] == "2024-02-29"),
        (["title=New   title"], lambda d: d["title"] == "New title"),
        (["extra.ticket=OPS-1"], lambda d: d["extra"] == {"ticket": "OPS-1"}),
        (
            ["follow_up+=Write a test"],
            lambda d: d["follow_up"][-1] == {"text": "Write a test", "done": False},
        ),
        (
            ["status=resolved", "severity=low", "Why It Happened=Config.", "fix=Reverted."],
            lambda d: (
                (d["status"], d["severity"], d["sections"]["Why It Happened"])
                == ("resolved", "low", "Config.")
            ),
        ),
    ],
)
def test_set(run, one: Path, assignments: list[str], check) -> None:
    result = run("set", "1", *assignments)
    assert result.code == 0, result.err
    assert result.out == f"{Path('mistakes') / one.name}\n"
    data = run("show", "1", "--json").json
    assert check(data), data
    assert run("check").code == 0


@pytest.mark.parametrize("ref", ["1", "001", "001-editable", "001-editable.md", "PATH"])
def test_set_by_ref(run, one: Path, ref: str) -> None:
    result = run("set", str(one) if ref == "PATH" else ref, "status=investigating")
    assert result.code == 0, result.err
    assert "status: investigating\n" in one.read_text()


def test_set_changes_only_that_line(run, one: Path) -> None:
    before = one.read_text()
    assert run("set", "1", "status=investigating").code == 0
    assert one.read_text() == before.replace("status: active\n", "status: investigating\n")


def test_set_keeps_a_hand_written_file_byte_for_byte(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    text = (
        "---\n# team comment\ntitle: Hand made  # note\ndate: 2025-01-02\nseverity: High\n"
        "status: active\nticket: OPS-9\n---\n\nIntro line.\n\n"
        "## Error Description\n\n### What Happened\n\n* odd   list\n\n"
        "## Whatever We Like\n\nKept.\n"
    )
    root.mkdir()
    path = root / "004-hand.md"
    path.write_text(text)
    assert run("set", "4", "status=investigating").code == 0
    assert path.read_text() == text.replace("status: active", "status: investigating")


def test_set_unchanged(run, one: Path) -> None:
    before = one.read_bytes()
    mtime = one.stat().st_mtime_ns
    for assignment in ("status=active", "severity=HIGH", "tags+=db", "title=Editable"):
        result = run("set", "1", assignment)
        assert result.code == 0, result.err
        assert result.out == f"{Path('mistakes') / one.name} (unchanged)\n"
    assert one.read_bytes() == before
    assert one.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    ("assignment", "needle"),
    [
        ("bogus=1", "bogus"),
        ("environment.bogus=1", "environment.bogus"),
        ("status=done", "active, investigating, resolved"),
        ("severity=urgent", SEVERITIES),
        ("date=2025-13-01", "YYYY-MM-DD"),
        ("date=2025-02-30", "YYYY-MM-DD"),
        ("date=tomorrow", "YYYY-MM-DD"),
        ("status", "FIELD=VALUE"),
        ("=x", "FIELD=VALUE"),
        ("status+=resolved", "+="),
        ("title=", "title"),
        ("Code Changes=ambiguous", "Code Changes"),
        ("What Happened-=x", "-="),
    ],
)
def test_set_bad_input_is_usage_error_and_changes_nothing(
    run, one: Path, assignment: str, needle: str
) -> None:
    before = one.read_bytes()
    result = run("set", "1", "status=resolved", assignment)
    assert result.code == 2
    assert result.err.startswith("mistakes: ")
    assert needle in result.err
    assert no_traceback(result.err)
    assert one.read_bytes() == before


def test_set_needs_an_assignment(run, one: Path) -> None:
    result = run("set", "1")
    assert result.code == 2


def test_set_json(run, one: Path) -> None:
    result = run("set", "1", "status=resolved", "--force", "--json")
    assert result.code == 0
    assert set(result.json) == JSON_KEYS
    assert result.json["status"] == "resolved"


BROKEN_FILES = {
    "unclosed": b"---\ntitle: x\nstatus: active\n\n## What Happened\n",
    "bad-yaml": b"---\ntitle: x\nstatus: [active\n---\n\n## What Happened\n\nx\n",
    "not-utf8": b"---\ntitle: x\n---\n\n\xff\xfe\n",
    "nul": b"---\ntitle: x\n---\n\n\x00\n",
    "python-tag": b"---\ntitle: !!python/object/apply:os.system ['true']\n---\n",
}


@pytest.mark.parametrize("kind", sorted(BROKEN_FILES))
def test_set_on_unreadable_file_fails_and_keeps_bytes(run, cwd: Path, kind: str) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    path = root / "003-broken.md"
    path.write_bytes(BROKEN_FILES[kind])
    for ref in ("3", "003-broken", str(path)):
        result = run("set", ref, "status=resolved", "The Fix=x")
        assert result.code == 1
        shown_as = str(path) if ref == str(path) else str(Path("mistakes") / path.name)
        assert re.match(rf"mistakes: {re.escape(shown_as)}:\d+: \S", result.err), result.err
        assert no_traceback(result.err)
        assert path.read_bytes() == BROKEN_FILES[kind]
    assert entries_in(root) == ["003-broken.md"]


def test_no_command_rewrites_an_unreadable_file(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md", title="Good")
    bad = root / "002-bad.md"
    bad.write_bytes(BROKEN_FILES["bad-yaml"])
    for args in (
        ["list"],
        ["list", "--json"],
        ["show", "2"],
        ["show", "2", "--json"],
        ["check"],
        ["check", "--json"],
        ["set", "2", "status=resolved"],
        ["set", "1", "status=resolved"],
        ["new", "-t", "Another", "--no-env"],
    ):
        run(*args)
        assert bad.read_bytes() == BROKEN_FILES["bad-yaml"], args
    assert entries_in(root) == ["001-good.md", "002-bad.md", "003-another.md"]


# -- check ----------------------------------------------------------------------------------------


def test_check_clean(run, several: Path) -> None:
    result = run("check")
    assert result.code == 0
    assert result.out == ""
    assert "5 entries checked, 0 problems" in result.err


def test_check_reports_each_problem_with_path_and_line(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md", title="Good")
    bad_severity = write_entry(root, "002-sev.md", severity="urgent")
    bad_date = root / "003-date.md"
    bad_date.write_text("---\ntitle: Date\ndate: last tuesday\nstatus: active\n---\n")
    no_title = root / "004-untitled.md"
    no_title.write_text("---\nseverity: low\n---\n\n## Error Messages\n\nx\n")
    broken = root / "005-broken.md"
    broken.write_bytes(b"---\ntitle: ok\nstatus: active\n  bad: indent\n---\n")
    bad_status = write_entry(root, "006-status.md", status="closed")
    result = run("check")
    assert result.code == 1
    lines = result.out.splitlines()
    assert result.out.endswith("\n")
    parsed = [PROBLEM_LINE.match(line) for line in lines]
    assert all(parsed), lines
    where = [(Path(m["path"]).name, int(m["line"])) for m in parsed if m]
    assert ("002-sev.md", 5) in where
    assert ("003-date.md", 3) in where
    assert "004-untitled.md" in [name for name, _ in where]
    assert "005-broken.md" in [name for name, _ in where]
    assert ("006-status.md", 6) in where
    assert "001-good.md" not in result.out
    assert f"{Path('mistakes') / bad_severity.name}:5: " in result.out
    assert "urgent" in result.out
    assert SEVERITIES in result.out
    assert "closed" in result.out
    assert f"{Path('mistakes') / bad_status.name}:6: " in result.out
    assert "6 entries checked" in result.err
    # one line per problem, sorted by path
    assert [Path(m["path"]).name for m in parsed if m] == sorted(
        Path(m["path"]).name for m in parsed if m
    )
    assert broken.read_bytes() == b"---\ntitle: ok\nstatus: active\n  bad: indent\n---\n"


def test_check_json(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md")
    write_entry(root, "002-sev.md", severity="urgent")
    result = run("check", "--json")
    assert result.code == 1
    data = result.json
    assert data == [
        {
            "path": str(Path("mistakes") / "002-sev.md"),
            "line": 5,
            "message": f"severity 'urgent' is not one of: {SEVERITIES}",
            "warning": False,
        }
    ]
    write_entry(root, "002-sev.md", severity="low")
    result = run("check", "--json")
    assert result.code == 0
    assert result.json == []


def test_check_duplicate_key_warning(run, cwd: Path) -> None:
    write_entry(cwd / "mistakes", "001-dup.md", more="status: resolved\n")
    result = run("check")
    assert result.code == 1
    assert re.search(r"001-dup\.md:8: the key 'status' is given twice", result.out)


# -- capture --------------------------------------------------------------------------------------

FAIL = [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]
OK = [sys.executable, "-c", "print('all good')"]


def test_capture_failure_records_entry(run, cwd: Path) -> None:
    result = run("capture", "--", *FAIL)
    assert result.code == 3
    assert "boom" in result.out  # the output is still shown
    files = entries_in(cwd / "mistakes")
    assert len(files) == 1
    assert f"mistakes: recorded {Path('mistakes') / files[0]}" in result.err
    data = run("show", "1", "--json").json
    assert data["title"] == f"{shlex.join(FAIL)} failed with exit code 3"
    errors = data["sections"]["Error Messages"]
    assert errors.startswith("```\nboom\n```")
    assert "Exit code 3." in errors
    steps = data["sections"]["Steps to Reproduce"]
    assert shlex.join(FAIL) in steps
    assert f"cd {shlex.quote(str(cwd))}" in steps
    assert "code 3" in steps
    assert data["environment"]["python_version"] == platform.python_version()
    assert run("check").code == 0


def test_capture_options(run, cwd: Path) -> None:
    result = run(
        "capture", "--title", "Deploy broke", "-s", "Critical", "--tag", "ci", "--tag", "deploy",
        "--", *FAIL,
    )  # fmt: skip
    assert result.code == 3
    data = run("show", "1", "--json").json
    assert data["title"] == "Deploy broke"
    assert data["severity"] == "critical"
    assert data["tags"] == ["ci", "deploy"]


def test_capture_options_after_double_dash_belong_to_the_command(run, cwd: Path) -> None:
    cmd = [sys.executable, "-c", "import sys; print(sys.argv[1:]); sys.exit(5)", "--title", "x"]
    result = run("capture", "--", *cmd)
    assert result.code == 5
    assert "['--title', 'x']" in result.out
    assert run("show", "1", "--json").json["title"].endswith("failed with exit code 5")


def test_capture_without_double_dash(run, cwd: Path) -> None:
    result = run("capture", "--title", "No dashes", *FAIL)
    assert result.code == 3
    assert run("show", "1", "--json").json["title"] == "No dashes"


def test_capture_success_records_nothing(run, cwd: Path) -> None:
    result = run("capture", "--", *OK)
    assert result.code == 0
    assert "all good" in result.out
    assert "nothing recorded" in result.err
    assert not (cwd / "mistakes").exists()


def test_capture_success_always(run, cwd: Path) -> None:
    result = run("capture", "--always", "--", *OK)
    assert result.code == 0
    assert entries_in(cwd / "mistakes") != []
    data = run("show", "1", "--json").json
    assert "all good" in data["sections"]["Error Messages"]
    assert "Exit code 0." in data["sections"]["Error Messages"]


def test_capture_missing_command(run, cwd: Path) -> None:
    result = run("capture", "--", "no-such-command-xyz", "--flag")
    assert result.code == 127
    assert no_traceback(result.err)
    data = run("show", "1", "--json").json
    assert "127" in data["title"]
    assert "no-such-command-xyz" in data["sections"]["Error Messages"]
    assert "Exit code 127." in data["sections"]["Error Messages"]
    assert "no-such-command-xyz --flag" in data["sections"]["Steps to Reproduce"]


@pytest.mark.parametrize(("lines", "first_kept"), [(3, 8), (1, 10), (20, 1)])
def test_capture_lines(run, cwd: Path, lines: int, first_kept: int) -> None:
    cmd = [
        sys.executable,
        "-c",
        "import sys\nfor i in range(1, 11): print(f'line {i}')\nsys.exit(1)",
    ]
    result = run("capture", "--lines", str(lines), "--", *cmd)
    assert result.code == 1
    assert result.out.count("line ") == 10  # everything shown
    errors = run("show", "1", "--json").json["sections"]["Error Messages"]
    kept = [int(n) for n in re.findall(r"^line (\d+)$", errors, re.MULTILINE)]
    assert kept == list(range(first_kept, 11))
    if first_kept > 1:
        assert f"(last {11 - first_kept} of 10 lines)" in errors


def test_capture_output_with_escapes_is_cleaned(run, cwd: Path) -> None:
    code = "import sys; print('\\x1b[31mred\\x1b[0m 50%\\r100%'); sys.exit(2)"
    result = run("capture", "--", sys.executable, "-c", code)
    assert result.code == 2
    errors = run("show", "1", "--json").json["sections"]["Error Messages"]
    assert "\x1b" not in errors
    assert "100%" in errors
    assert "50%" not in errors


def test_capture_output_with_fences_and_headings_stays_in_error_messages(
    run, cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = b"\xff\xfe bad\n\x00nul\n```\n## Heading\n# top\n"
    code = f"import sys; sys.stdout.buffer.write({raw!r}); sys.exit(1)"
    shown = io.BytesIO()
    stdout = io.TextIOWrapper(shown, encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", stdout)
        assert main(["capture", "--title", "Odd output", "--", sys.executable, "-c", code]) == 1
    stdout.flush()
    assert shown.getvalue() == raw  # echoed as it came
    data = run("show", "1", "--json").json
    errors = data["sections"]["Error Messages"]
    assert "## Heading" in errors
    assert "# top" in errors
    assert "\x00" not in errors
    assert "\ufffd" in errors  # undecodable bytes replaced, not fatal
    assert data["extra_sections"] == {}
    assert data["sections"]["Steps to Reproduce"].count("cd ") == 1
    assert run("check").code == 0


def test_capture_needs_a_command(run, cwd: Path) -> None:
    for args in (["capture"], ["capture", "--"]):
        result = run(*args)
        assert result.code == 2
        assert "command" in result.err
    assert not (cwd / "mistakes").exists()


def test_capture_json_on_stderr(run, cwd: Path) -> None:
    result = run("capture", "--json", "--", *FAIL)
    assert result.code == 3
    start = result.err.index("{")
    data = json.loads(result.err[start:])
    assert set(data) == JSON_KEYS
    assert data["number"] == 1
    assert "boom" in data["sections"]["Error Messages"]
    assert result.err.startswith(f"mistakes: recorded {data['path']}\n")


def test_capture_with_dir_before_command(run, tmp_path: Path, cwd: Path) -> None:
    target = tmp_path / "captured"
    result = run("--dir", str(target), "capture", "--", *FAIL)
    assert result.code == 3
    assert len(entries_in(target)) == 1
    assert not (cwd / "mistakes").exists()


def _marker_command(marker: Path) -> list[str]:
    return [sys.executable, "-c", f"open({str(marker)!r}, 'w').close(); raise SystemExit(1)"]


def test_capture_bad_severity_is_usage_error(run, cwd: Path) -> None:
    result = run("capture", "-s", "urgent", "--", *_marker_command(cwd / "ran"))
    assert result.code == 2
    assert SEVERITIES in result.err
    assert not (cwd / "mistakes").exists()


def test_capture_bad_severity_rejected_before_running(run, cwd: Path) -> None:
    result = run("capture", "-s", "urgent", "--", *_marker_command(cwd / "ran"))
    assert result.code == 2
    assert not (cwd / "ran").exists()


# -- config and templates -------------------------------------------------------------------------


def test_config_file_dir(run, tmp_path: Path, cwd: Path, monkeypatch) -> None:
    config = tmp_path / "conf" / "mistakes.toml"
    config.parent.mkdir()
    config.write_text(f'dir = "{tmp_path / "configured"}"\n')
    monkeypatch.setenv("MISTAKES_CONFIG", str(config))
    assert run("new", "-t", "Configured", "--no-env").code == 0
    assert entries_in(tmp_path / "configured") == ["001-configured.md"]
    assert not (cwd / "mistakes").exists()
    # $MISTAKES_DIR and --dir win over the config
    monkeypatch.setenv("MISTAKES_DIR", str(tmp_path / "env"))
    assert run("new", "-t", "Env", "--no-env").code == 0
    assert entries_in(tmp_path / "env") == ["001-env.md"]
    assert run("new", "-t", "Flag", "--no-env", "--dir", str(tmp_path / "flag")).code == 0
    assert entries_in(tmp_path / "flag") == ["001-flag.md"]


def test_config_relative_dir_is_relative_to_the_config(run, tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text('dir = "entries"\n')
    monkeypatch.setenv("MISTAKES_CONFIG", str(config))
    assert run("new", "-t", "Rel", "--no-env").code == 0
    assert entries_in(tmp_path / "conf" / "entries") == ["001-rel.md"]


def test_xdg_config_home(run, tmp_path: Path, cwd: Path, isolated_home: Path) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"dir = '{tmp_path / 'xdg'}'\n")
    assert run("new", "-t", "Xdg", "--no-env").code == 0
    assert entries_in(tmp_path / "xdg") == ["001-xdg.md"]


def test_folder_config_template_end_to_end(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    (root / "bug.md").write_text(BUG_TEMPLATE)
    (root / ".mistakes.toml").write_text('template = "bug.md"\n')
    result = run(
        "new", "-t", "Login loops", "-s", "p2", "--field", "team=infra",
        "--section", "Symptoms=Redirect loop.", "--section", "fix=Cookie path.", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    data = result.json
    assert set(data) == JSON_KEYS
    assert data["title"] == "Login loops"
    assert data["severity"] == "p2"
    assert data["status"] == ""
    assert data["tags"] == []
    assert data["environment"] == {}
    assert data["sections"] == {"Symptoms": "Redirect loop.", "Fix": "Cookie path."}
    assert data["follow_up"] == [{"text": "item", "done": False}]
    assert data["fields"] == {"title": "Login loops", "severity": "p2", "team": "infra"}
    text = (root / "001-login-loops.md").read_text()
    assert "team: infra\n" in text
    assert "## Symptoms\n\nRedirect loop.\n" in text
    assert "## Checklist\n\n- [ ] item\n" in text
    # the template is not an entry
    assert entries_in(root) == [".mistakes.toml", "001-login-loops.md", "bug.md"]
    assert [item["title"] for item in run("list", "--json").json] == ["Login loops"]

    assert titles(run("list", "-s", "P2")) == ["Login loops"]
    assert titles(run("list", "-s", "p1")) == []
    result = run("set", "1", "team=platform", "severity=P1", "Fix=New fix.", "checklist+=Test it")
    assert result.code == 0, result.err
    data = run("show", "1", "--json").json
    assert data["fields"]["team"] == "platform"
    assert data["severity"] == "p1"
    assert data["sections"]["Fix"] == "New fix."
    assert data["follow_up"][-1] == {"text": "Test it", "done": False}
    assert run("check").code == 0

    for args, needle in (
        (["new", "-t", "x", "-s", "high"], "p1, p2, p3"),
        (["new", "-t", "x", "--status", "active"], "status"),
        (["new", "-t", "x", "--tag", "db"], "tags"),
        (["set", "1", "status=resolved"], "status"),
        (["set", "1", "severity=P4"], "p1, p2, p3"),
    ):
        result = run(*args)
        assert result.code == 2, args
        assert needle in result.err

    result = run("capture", "--", *FAIL)
    assert result.code == 3
    data = run("show", "2", "--json").json
    assert "boom" in data["sections"]["Symptoms"]
    assert shlex.join(FAIL) in data["sections"]["Symptoms"]


def test_template_option_wins(run, cwd: Path, tmp_path: Path) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    (root / "bug.md").write_text(BUG_TEMPLATE)
    (root / ".mistakes.toml").write_text('template = "bug.md"\n')
    default = tmp_path / "default-like.md"
    from mistakes.storage.template_file import default_template_text

    default.write_text(default_template_text())
    result = run("new", "-t", "Default again", "-s", "high", "--template", str(default))
    assert result.code == 0, result.err
    result = run("--template", str(default), "show", "1", "--json")
    assert result.json["severity"] == "high"
    assert "What Happened" in result.json["sections"]


def test_user_config_template(run, tmp_path: Path, cwd: Path, monkeypatch) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    (config.parent / "bug.md").write_text(BUG_TEMPLATE)
    config.write_text('template = "bug.md"\n')
    monkeypatch.setenv("MISTAKES_CONFIG", str(config))
    result = run("new", "-t", "Via config", "-s", "P3", "--json")
    assert result.code == 0, result.err
    assert result.json["severity"] == "p3"


BROKEN_TEMPLATES = [
    ("No name here.\n\n## Bug: [Title]\n\n## Symptoms\n", 1, "Name"),
    ("# T\n\n## Bug: [Title]\n\n### Orphan\n\ntext\n", 5, "Orphan"),
    ("# T\n\n## Symptoms\n\ntext\n", 1, "title"),
]


@pytest.mark.parametrize(("text", "line", "needle"), BROKEN_TEMPLATES)
def test_broken_template_message(run, tmp_path: Path, cwd: Path, text, line, needle) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(text)
    for args in (["new", "-t", "x"], ["list"], ["check"]):
        result = run("--template", str(bad), *args)
        assert result.code == 1
        assert result.err.startswith(f"mistakes: {bad}:{line}: ")
        assert needle in result.err
        assert no_traceback(result.err)
    assert not (cwd / "mistakes").exists()


def test_missing_template_message(run, tmp_path: Path) -> None:
    result = run("--template", str(tmp_path / "nope.md"), "list")
    assert result.code == 1
    assert result.err.startswith(f"mistakes: {tmp_path / 'nope.md'}")
    assert "not found" in result.err


def test_broken_folder_config_template(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    (root / ".mistakes.toml").write_text('template = "missing.md"\n')
    result = run("list")
    assert result.code == 1
    assert result.err.startswith(f"mistakes: {Path('mistakes') / 'missing.md'}: ")
    assert no_traceback(result.err)


@pytest.mark.parametrize(
    ("text", "line"),
    [("dir = \n", 1), ('# ok\n\ndir = "x"\ndir = "y"\n', 4), ('[keymap\nsave = "x"\n', 1)],
)
def test_broken_user_config(run, tmp_path: Path, monkeypatch, text: str, line: int) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("MISTAKES_CONFIG", str(config))
    for args in (["list"], ["new", "-t", "x"]):
        result = run(*args)
        assert result.code == 1
        assert result.err.startswith(f"mistakes: {config}:{line}: ")
        assert no_traceback(result.err)


def test_broken_folder_config(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    (root / ".mistakes.toml").write_text('template = "x.md"\noops\n')
    result = run("list")
    assert result.code == 1
    assert result.err.startswith(f"mistakes: {Path('mistakes') / '.mistakes.toml'}:2: ")
    assert no_traceback(result.err)


@pytest.mark.parametrize("text", ["dir = 5\n", 'template = ""\n', "keymap = 3\n"])
def test_bad_config_values(run, tmp_path: Path, monkeypatch, text: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("MISTAKES_CONFIG", str(config))
    result = run("list")
    assert result.code == 1
    assert result.err.startswith(f"mistakes: {config}")
    assert no_traceback(result.err)


# -- real processes -------------------------------------------------------------------------------


def mistakes(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mistakes", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_mistakes(cwd: Path) -> None:
    made = mistakes("new", "-t", "From a process", "-s", "low", "--no-env", cwd=cwd)
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"{Path('mistakes') / '001-from-a-process.md'}\n"
    listed = mistakes("list", "--dir", "mistakes", cwd=cwd)
    assert listed.returncode == 0
    assert "From a process" in listed.stdout
    piped = mistakes("new", "-t", "Piped", "--stdin", "Error Messages", cwd=cwd, stdin="E: x\n")
    assert piped.returncode == 0, piped.stderr
    shown = json.loads(mistakes("show", "2", "--json", cwd=cwd).stdout)
    assert shown["sections"]["Error Messages"] == "```\nE: x\n```"


def test_process_exit_codes(cwd: Path) -> None:
    assert mistakes("check", cwd=cwd).returncode == 0
    usage = mistakes("new", "-t", "x", "-s", "urgent", cwd=cwd)
    assert usage.returncode == 2
    assert usage.stderr == f"mistakes: severity must be one of: {SEVERITIES} (not 'urgent')\n"
    assert mistakes("list", "--nope", cwd=cwd).returncode == 2
    missing = mistakes("show", "9", cwd=cwd)
    assert missing.returncode == 1
    assert no_traceback(missing.stderr)
    write_entry(cwd / "mistakes", "001-bad.md", severity="urgent")
    check = mistakes("check", cwd=cwd)
    assert check.returncode == 1
    assert check.stdout.startswith(f"{Path('mistakes') / '001-bad.md'}:5: ")
    nothing = mistakes(cwd=cwd)  # no terminal: the app does not start
    assert nothing.returncode == 2
    assert "needs a terminal" in nothing.stderr


def test_process_capture_exit_status(cwd: Path) -> None:
    done = mistakes("capture", "--", *FAIL, cwd=cwd)
    assert done.returncode == 3
    assert done.stdout == "boom\n"
    assert "recorded" in done.stderr
    missing = mistakes("capture", "--", "no-such-command-xyz", cwd=cwd)
    assert missing.returncode == 127
    assert no_traceback(missing.stderr)
    fine = mistakes("capture", "--", *OK, cwd=cwd)
    assert fine.returncode == 0
    assert len(entries_in(cwd / "mistakes")) == 2


def test_console_script(cwd: Path) -> None:
    script = Path(sys.executable).parent / "mistakes"
    # the README's test command installs the package (pip install -e): the script is there
    assert script.exists(), f"no console script at {script}: install with pip install -e ."
    done = subprocess.run(
        [str(script), "--dir", "e", "new", "-t", "Script", "--no-env"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (cwd / "e" / "001-script.md").is_file()


def _closed_early(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run like `mistakes ARGS | head -1`: read one line, then close the pipe."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mistakes", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    assert first
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    return process.wait(timeout=60), err


def test_broken_pipe_gives_no_traceback(cwd: Path) -> None:
    root = cwd / "mistakes"
    root.mkdir()
    long_title = "a fairly long title that makes each row of the listing wide " * 3
    for number in range(1, 601):
        (root / f"{number:03d}-x.md").write_text(
            f"---\ntitle: {long_title}{number}\nseverity: low\nstatus: active\n---\n"
        )
    big = "\n".join(f"line {i} " + "x" * 80 for i in range(2500))  # ~220 KiB
    (root / "900-big.md").write_text(
        f"---\ntitle: Big\n---\n\n## Error Messages\n\n```\n{big}\n```\n"
    )
    for args in (["list"], ["list", "--json"], ["show", "900"]):
        code, err = _closed_early(args, cwd)
        assert no_traceback(err), err
        assert "BrokenPipeError" not in err
        assert "Exception ignored" not in err
        assert code == 0, (args, code, err)
