"""The command line never imports the terminal UI stack (textual, rich): it must start fast."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    from mistakes.cli.main import main

    code = main(sys.argv[1:])
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
    assert not heavy, f"imported: {heavy}"
    assert "textual" not in sys.modules and "rich" not in sys.modules
    print(f"exit={code}", file=sys.stderr)
    """
)


def run_cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "mistakes"
    folder.mkdir()
    (folder / "001-first.md").write_text(
        "---\ntitle: First\ndate: 2025-01-02\nseverity: high\nstatus: active\n---\n\n"
        "## Error Description\n\n### What Happened\n\nIt broke.\n"
    )
    (folder / "002-bad.md").write_text("---\ntitle: Bad\nseverity: urgent\n---\n")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["list"], 0),
        (["list", "--json", "--severity", "high"], 0),
        (["show", "1"], 0),
        (["show", "001-first", "--json"], 0),
        (["new", "--title", "Another", "--tag", "db", "--no-env"], 0),
        (["new", "--title", "With env", "--stdin", "Error Messages"], 0),
        (["set", "1", "status=investigating"], 0),
        (["check"], 1),
        (["check", "--json"], 1),
        (["show", "99"], 1),
        (["new", "--title", "x", "--severity", "urgent"], 2),
    ],
)
def test_cli_does_not_import_textual_or_rich(work: Path, args: list[str], code: int) -> None:
    done = run_cli(work, *args, stdin="Traceback: boom\n")
    assert "AssertionError" not in done.stderr, done.stderr
    assert f"exit={code}" in done.stderr, done.stderr
