"""Saving an edited entry gives the smallest git diff: one field, one section, one item."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import Template
from mistakes.storage.document import Block
from mistakes.storage.folder import EntryFolder, StoredEntry
from tests.conftest import SAMPLES
from tests.storage.helpers import block_line

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LC_ALL": "C",
    }
    done = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"git {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def first_sample() -> Path:
    """The first sample entry (sample_mistakes/ is part of the repo: it must be there)."""
    names = sorted(p for p in SAMPLES.glob("*.md") if parse_entry_filename(p.name) is not None)
    assert names, f"no sample entries in {SAMPLES}"
    return names[0]


@pytest.fixture
def repo(tmp_path: Path, template: Template) -> tuple[Path, EntryFolder, StoredEntry]:
    root = tmp_path / "repo"
    entries = root / "mistakes"
    entries.mkdir(parents=True)
    sample = first_sample()
    target = entries / sample.name
    target.write_bytes(sample.read_bytes())
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "add an entry")
    folder = EntryFolder(entries, template)
    return root, folder, folder.load(target)


def numstat(root: Path) -> list[tuple[int, int, str]]:
    rows = []
    for line in git(root, "diff", "--numstat").splitlines():
        added, deleted, name = line.split("\t")
        rows.append((int(added), int(deleted), name))
    return rows


def changed(root: Path) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Removed lines, added lines and old-side hunk ranges (1-based, inclusive start)."""
    removed: list[str] = []
    added: list[str] = []
    ranges: list[tuple[int, int]] = []
    for line in git(root, "diff", "-U0", "--no-color").splitlines():
        hunk = _HUNK.match(line)
        if hunk:
            start = int(hunk.group(1))
            count = int(hunk.group(2)) if hunk.group(2) is not None else 1
            ranges.append((start, count))
        elif line.startswith(("---", "+++")):
            continue
        elif line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return removed, added, ranges


def block_lines(stored: StoredEntry, block: Block) -> range:
    start = block_line(stored.document, block)
    return range(start, start + block.raw.count("\n") + 1)


def test_changing_status_is_a_one_line_diff(repo: tuple[Path, EntryFolder, StoredEntry]) -> None:
    root, folder, stored = repo
    old = stored.entry.fields.get("status")
    assert old, "the first sample has no status"
    new = "investigating" if old != "investigating" else "active"
    entry = stored.entry.copy()
    entry.fields["status"] = new
    folder.save(stored, entry)

    assert numstat(root) == [(1, 1, f"mistakes/{stored.path.name}")], git(root, "diff")
    removed, added, _ = changed(root)
    assert (removed, added) == ([f"status: {old}"], [f"status: {new}"]), git(root, "diff")


def test_changing_one_section_changes_only_its_lines(
    repo: tuple[Path, EntryFolder, StoredEntry],
) -> None:
    root, folder, stored = repo
    leaves = [b for b in stored.document.blocks if b.kind == "leaf" and b.key and b.text()]
    assert leaves, "the first sample has no section with text"
    block = leaves[len(leaves) // 2]
    assert block.key is not None
    entry = stored.entry.copy()
    entry.sections[block.key] = entry.sections[block.key] + "\n\nEdited in a test."
    folder.save(stored, entry)

    rows = numstat(root)
    assert rows == [(2, 0, f"mistakes/{stored.path.name}")], git(root, "diff")
    removed, added, ranges = changed(root)
    assert removed == []
    assert sorted(added) == ["", "Edited in a test."], git(root, "diff")
    allowed = block_lines(stored, block)
    for start, _count in ranges:
        # an insertion hunk "-N,0" adds after old line N
        assert start in allowed, (
            f"the hunk at old line {start} is outside the '{block.title}' section "
            f"(lines {allowed.start}-{allowed.stop - 1}):\n{git(root, 'diff')}"
        )


def test_rewriting_one_section_changes_only_its_lines(
    repo: tuple[Path, EntryFolder, StoredEntry],
) -> None:
    root, folder, stored = repo
    leaves = [b for b in stored.document.blocks if b.kind == "leaf" and b.key and b.text()]
    assert leaves, "the first sample has no section with text"
    block = leaves[0]
    assert block.key is not None
    entry = stored.entry.copy()
    entry.sections[block.key] = "Rewritten in a test.\n\n- one\n- two"
    folder.save(stored, entry)

    removed, added, ranges = changed(root)
    old_lines = block.text().split("\n")
    new_lines = ["Rewritten in a test.", "", "- one", "- two"]
    # git may keep a blank line both texts share; every other line is replaced
    assert not Counter(removed) - Counter(old_lines), git(root, "diff")
    assert not Counter(added) - Counter(new_lines), git(root, "diff")
    assert [x for x in old_lines if x.strip()] == [x for x in removed if x.strip()]
    assert [x for x in new_lines if x.strip()] == [x for x in added if x.strip()]
    allowed = block_lines(stored, block)
    for start, count in ranges:
        assert start in allowed and start + max(count, 1) - 1 in allowed, git(root, "diff")


def test_toggling_one_checklist_item_is_a_one_line_diff(
    repo: tuple[Path, EntryFolder, StoredEntry],
) -> None:
    root, folder, stored = repo
    assert stored.entry.follow_up, "the first sample has no follow-up checklist"
    entry = stored.entry.copy()
    item = entry.follow_up[-1]
    item.done = not item.done
    folder.save(stored, entry)

    assert numstat(root) == [(1, 1, f"mistakes/{stored.path.name}")], git(root, "diff")
    removed, added, _ = changed(root)
    assert len(removed) == len(added) == 1
    assert removed[0].replace("[x]", "[ ]").replace("[X]", "[ ]") == added[0].replace(
        "[x]", "[ ]"
    ), git(root, "diff")


def test_saving_without_an_edit_leaves_git_clean(
    repo: tuple[Path, EntryFolder, StoredEntry],
) -> None:
    root, folder, stored = repo
    folder.save(stored, stored.entry.copy())
    assert git(root, "status", "--porcelain") == ""
