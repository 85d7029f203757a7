"""A cloned repository must not be able to hurt the person who opens it (issue 13).

Links out of the folder, FIFOs and devices where files are expected, escape sequences in
titles and sections: each is refused or made inert, with a one-line message, never a hang
or a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import no_traceback, write_entry

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- secret-key-material"


@pytest.fixture
def linked(cwd: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A folder with one real entry and ``002-linked.md`` pointing at a file outside it
    (a "private key" that is also a valid entry, so only the link check keeps it out)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "id_rsa"
    secret.write_text(f"---\ntitle: {SECRET}\n---\n\n## What Happened\n\n{SECRET}\n")
    root = cwd / "mistakes"
    good = write_entry(root, "001-good.md", title="Connection pool exhausted")
    link = root / "002-linked.md"
    link.symlink_to(secret)
    return good, link, secret


def test_symlinked_entry_is_not_shown(run, linked: tuple[Path, Path, Path]) -> None:
    _good, link, _secret = linked
    for ref in ("2", "002-linked", "002-linked.md", str(link)):
        result = run("show", ref)
        assert result.code == 1, ref
        assert SECRET not in result.out + result.err
        assert result.err.startswith("mistakes: ") and no_traceback(result.err)
        assert "002-linked.md: is a symbolic link" in result.err, ref
    listed = run("list", "--json")
    assert [e["number"] for e in listed.json] == [1]
    assert SECRET not in listed.out


def test_symlinked_entry_is_not_written_by_set(run, linked: tuple[Path, Path, Path]) -> None:
    _good, link, secret = linked
    before = secret.read_bytes()
    for ref in ("2", str(link)):
        result = run("set", ref, "status=resolved")
        assert result.code == 1
        assert no_traceback(result.err)
    assert secret.read_bytes() == before
    assert link.is_symlink()
    assert sorted(p.name for p in secret.parent.iterdir()) == ["id_rsa"]
    # a new entry takes the next number after the link's, not the link's own
    assert run("new", "-t", "Third", "--no-env").out.strip().endswith("003-third.md")


def test_symlinked_entry_is_not_indexed(run, linked: tuple[Path, Path, Path]) -> None:
    result = run("search", "secret", "--json")
    assert result.code == 0
    assert result.json == []
    assert SECRET not in result.out
    found = run("search", "pool", "--json")
    assert [hit["number"] for hit in found.json] == [1]


def test_check_reports_the_symlink_with_its_path(run, linked: tuple[Path, Path, Path]) -> None:
    _good, link, _secret = linked
    result = run("check")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{Path('mistakes') / link.name}: is a symbolic link; skipped "
        "(entries are never read or written through links)"
    ]
    data = run("check", "--json").json
    assert [(p["path"], p["line"]) for p in data] == [(str(Path("mistakes") / link.name), 0)]


def test_a_link_inside_the_folder_is_skipped_too(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    good = write_entry(root, "001-good.md", title="Good")
    (root / "002-again.md").symlink_to(good.name)
    assert [e["number"] for e in run("list", "--json").json] == [1]
    assert "002-again.md: is a symbolic link" in run("check").out


# -- FIFOs and devices ----------------------------------------------------------------------------


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _mistakes(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A real process, so that a command that would block or eat memory cannot take the
    test run with it: the timeout turns a hang into a failure, and a 2 GiB address-space
    limit a runaway read (of /dev/zero) into a MemoryError."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "mistakes", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
        preexec_fn=_limit_memory if os.name == "posix" else None,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("command", [["list"], ["check"], ["new", "--title", "x"]])
def test_fifo_template_from_the_repo_is_refused_not_waited_on(
    cwd: Path, command: list[str]
) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md")
    os.mkfifo(root / "template.md")
    (root / ".mistakes.toml").write_text('template = "template.md"\n')
    done = _mistakes(*command, cwd=cwd)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines == [
        f"mistakes: {Path('mistakes') / 'template.md'}: not used as the template: is a FIFO, "
        "not a regular file; not read"
    ]
    assert sorted(p.name for p in root.iterdir()) == [
        ".mistakes.toml",
        "001-good.md",
        "template.md",
    ]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_template_is_refused(cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md")
    (root / ".mistakes.toml").write_text('template = "/dev/zero"\n')
    done = _mistakes("list", cwd=cwd)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "mistakes: /dev/zero: not used as the template: is a device, not a regular file; not read"
    ]


def test_oversized_template_is_refused_unread(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md")
    big = root / "big.md"
    with big.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: costs no disk, 64 MiB if read
    (root / ".mistakes.toml").write_text('template = "big.md"\n')
    result = run("list")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {Path('mistakes') / 'big.md'}: not used as the template: the file is "
        "65536 KiB; files over 1024 KiB are not read\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_config_and_fifo_entry_do_not_hang(cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-good.md")
    os.mkfifo(root / "002-pipe.md")
    done = _mistakes("check", cwd=cwd)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [f"{Path('mistakes') / '002-pipe.md'}: is a FIFO; skipped"]
    os.mkfifo(root / ".mistakes.toml")
    done = _mistakes("list", cwd=cwd)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"mistakes: {Path('mistakes') / '.mistakes.toml'}: is a FIFO, not a regular file; not read"
    ]


# -- control characters ---------------------------------------------------------------------------

# set the window title, write the clipboard (OSC 52), colour, a bidi override, a bell
NASTY = "\x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 \x1b[31mred\x1b[0m \u202eevil \x9b2J"
CONTROLS = set("\x1b\x07\x9b\u202e")


def _clean(text: str) -> bool:
    return not CONTROLS & set(text)


@pytest.fixture
def nasty(cwd: Path) -> Path:
    title = json.dumps(f"Pool {NASTY}")  # a YAML double-quoted string takes JSON escapes
    body = f"\n## Error Description\n\n### What Happened\n\nThe pool broke {NASTY} again.\n"
    return write_entry(cwd / "mistakes", "001-nasty.md", title=title, body=body)


def test_list_search_similar_show_never_print_controls(run, nasty: Path) -> None:
    for command in (
        ["list"],
        ["search", "pool"],
        ["show", "1"],
    ):
        result = run(*command)
        assert result.code == 0, command
        assert _clean(result.out), (command, result.out)
        assert "^[]0;pwned^G" in result.out, command
    similar = run("similar", "--stdin", stdin="ERROR: the pool broke again\n")
    assert similar.code == 0
    assert "001" in similar.out
    assert _clean(similar.out)


def test_the_fix_line_of_similar_never_prints_controls(run, cwd: Path) -> None:
    body = (
        "\n## Error Messages\n\n```\nFlibberError: the quux frobnicator overheated\n```\n"
        f"\n## Solution\n\n### The Fix\n\nCooled {NASTY} the quux.\n"
    )
    write_entry(cwd / "mistakes", "001-flibber.md", title="Flibber", body=body)
    similar = run("similar", "--stdin", stdin="FlibberError: the quux frobnicator overheated\n")
    assert similar.code == 0
    assert "fix: Cooled ^[]0;pwned^G" in similar.out
    assert _clean(similar.out)
    assert NASTY in run("similar", "--stdin", "--json", stdin="FlibberError: quux").json[0]["fix"]


def test_json_and_raw_stay_exact(run, nasty: Path) -> None:
    assert run("list", "--json").json[0]["title"] == f"Pool {NASTY}"
    assert run("show", "1", "--json").json["title"] == f"Pool {NASTY}"
    hits = run("search", "pool", "--json").json
    assert hits[0]["title"] == f"Pool {NASTY}"
    assert NASTY in run("show", "1", "--raw").out
    assert run("show", "1", "--raw").out == nasty.read_text()


# -- usage errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
@pytest.mark.parametrize("command", [["search", "pool"], ["similar", "1"]])
def test_limit_below_one_is_a_usage_error(run, nasty: Path, command: list[str], limit: str) -> None:
    result = run(*command, "--limit", limit)
    assert result.code == 2
    assert "--limit" in result.err
    assert no_traceback(result.err)


@pytest.mark.parametrize("assignment", ["follow_up+=", "follow_up+=   ", "follow_up-="])
def test_empty_checklist_item_is_a_usage_error(run, cwd: Path, assignment: str) -> None:
    path = write_entry(cwd / "mistakes", "001-x.md")
    before = path.read_bytes()
    result = run("set", "1", assignment)
    assert result.code == 2
    assert result.err == f"mistakes: '{assignment.split('=')[0]}=' needs an item's text\n"
    assert path.read_bytes() == before


def test_check_messages_quoting_the_file_are_made_visible(run, cwd: Path) -> None:
    path = write_entry(cwd / "mistakes", "001-x.md", severity='"\\e]0;pwned\\a"')
    result = run("check")
    assert result.code == 1
    assert _clean(result.out)
    assert result.out.startswith(f"{Path('mistakes') / path.name}:5: ")
    assert "^[]0;pwned^G" in result.out
    data = run("check", "--json").json
    assert "\x1b]0;pwned\x07" in data[0]["message"]
