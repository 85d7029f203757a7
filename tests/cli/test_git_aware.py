"""Git-aware entries: the reporter from git's user.name, and `mistakes history`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mistakes.services.workspace import Workspace
from tests.conftest import Result
from tests.gitrepo import git

Run = Callable[..., Result]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose own config names the user (HOME is a temp folder: no global
    config)."""
    root = tmp_path / "team"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "Priya Natarajan")
    git(root, "config", "user.email", "priya@example.com")
    return root


def frontmatter_value(path: Path, key: str) -> str | None:
    for line in path.read_text("utf-8").split("\n---", 1)[0].splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    return None


def test_new_takes_the_reporter_from_git(repo: Path, run: Run) -> None:
    result = run("new", "--dir", str(repo / "mistakes"), "--title", "Pool exhausted", "--no-env")
    assert result.code == 0, result.err
    assert frontmatter_value(Path(result.out.strip()), "reporter") == "Priya Natarajan"
    given = run("new", "--dir", str(repo / "mistakes"), "--title", "Two", "--reporter", "jl")
    assert frontmatter_value(Path(given.out.strip()), "reporter") == "jl"  # --reporter wins


def test_the_config_maps_git_names_to_initials(repo: Path, run: Run, isolated_home: Path) -> None:
    config = isolated_home / ".config" / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[reporters]\n"Priya Natarajan" = "PN"\n', "utf-8")
    result = run("new", "--dir", str(repo / "mistakes"), "--title", "Pool exhausted")
    assert frontmatter_value(Path(result.out.strip()), "reporter") == "PN"
    # the app's new entry (Workspace) and capture do the same
    workspace = Workspace.open(repo / "mistakes")
    try:
        assert workspace.new_entry("x").text("reporter") == "PN"
    finally:
        workspace.close()
    captured = run(
        "capture",
        "--dir",
        str(repo / "mistakes"),
        "--",
        sys.executable,
        "-c",
        "raise SystemExit(3)",
    )
    assert captured.code == 3
    newest = sorted((repo / "mistakes").glob("002-*.md"))
    assert newest and frontmatter_value(newest[0], "reporter") == "PN"


def test_a_reporters_setting_that_is_not_a_table_is_an_error(
    repo: Path, run: Run, isolated_home: Path
) -> None:
    config = isolated_home / ".config" / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('reporters = "PN"\n', "utf-8")
    result = run("new", "--dir", str(repo / "mistakes"), "--title", "x")
    assert result.code == 1 and "[reporters] maps git user names" in result.err


def test_no_git_name_no_reporter(tmp_path: Path, run: Run) -> None:
    result = run("new", "--dir", str(tmp_path / "loose"), "--title", "Outside git", "--no-env")
    assert result.code == 0, result.err
    assert frontmatter_value(Path(result.out.strip()), "reporter") is None


def test_history_lists_who_changed_the_entry_across_a_rename(repo: Path, run: Run) -> None:
    folder = repo / "mistakes"
    made = run("new", "--dir", str(folder), "--title", "Pool exhausted", "--no-env")
    path = Path(made.out.strip())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "Add the pool entry", date="2026-03-14T10:22:00+01:00")
    run("set", "--dir", str(folder), "1", "status=resolved", "The Fix=Raised pool_size.", "--force")
    git(
        repo, "commit", "-qam", "Resolve the pool entry", date="2026-03-15T09:00:00+01:00",
        author="Jo Lee",
    )  # fmt: skip
    git(repo, "mv", f"mistakes/{path.name}", "mistakes/001-pool-exhausted-in-checkout.md")
    git(repo, "commit", "-qm", "Rename", date="2026-03-16T09:00:00+01:00")

    result = run("history", "--dir", str(folder), "1", "--json")
    assert result.code == 0, result.err
    changes = result.json
    assert [c["subject"] for c in changes] == [
        "Rename",
        "Resolve the pool entry",
        "Add the pool entry",
    ]
    assert [c["author"] for c in changes] == ["Priya Natarajan", "Jo Lee", "Priya Natarajan"]
    assert changes[1]["date"] == "2026-03-15T09:00:00+01:00"
    assert changes[1]["email"] == "jo@example.com"
    assert changes[1]["added"] >= 2 and changes[1]["removed"] >= 1
    assert len(changes[0]["commit"]) == 40

    text = run("history", "--dir", str(folder), "1")
    lines = text.out.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("2026-03-15 09:00  Jo Lee  ")
    assert "Resolve the pool entry" in lines[1]


def test_history_outside_git_says_so(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "loose"
    run("new", "--dir", str(folder), "--title", "Outside git", "--no-env")
    result = run("history", "--dir", str(folder), "1")
    assert result.code == 1
    assert (
        result.err == f"mistakes: {folder}: not in a git repository "
        "(history comes from git log; put the folder under git to have it)\n"
    )


def test_history_of_an_uncommitted_entry(repo: Path, run: Run) -> None:
    made = run("new", "--dir", str(repo / "mistakes"), "--title", "Fresh", "--no-env")
    result = run("history", "--dir", str(repo / "mistakes"), "1", "--json")
    assert result.code == 0 and result.json == []
    assert f"{made.out.strip()}: not committed yet" in result.err
