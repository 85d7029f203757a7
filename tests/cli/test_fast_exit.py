"""A one-shot command that writes nothing ends its process without Python's teardown
(launch.leave_at_once), its output whole; a command that writes exits the usual way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import SAMPLES

# the console script as installed: main() with no argv reads sys.argv; an atexit handler
# shows whether the usual teardown ran
SCRIPT = textwrap.dedent(
    """
    import atexit, sys
    atexit.register(lambda: print("TEARDOWN", file=sys.stderr))
    from mistakes.launch import main
    sys.argv = ["mistakes", *sys.argv[1:]]
    sys.exit(main())
    """
)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_read_only_commands_skip_the_teardown_with_their_output_whole(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(SAMPLES, folder)
    listed = run(tmp_path, "--dir", str(folder), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "TEARDOWN" not in listed.stderr
    rows = json.loads(listed.stdout)  # the whole JSON array reached the pipe
    assert len(rows) == len(list(folder.glob("[0-9]*.md")))
    found = run(tmp_path, "--dir", str(folder), "search", "connection pool")
    assert found.returncode == 0 and "TEARDOWN" not in found.stderr
    assert "Connection pool exhausted" in found.stdout
    missing = run(tmp_path, "--dir", str(folder), "show", "999")
    assert missing.returncode == 1  # the exit code survives the early exit
    assert "mistakes:" in missing.stderr and "TEARDOWN" not in missing.stderr


def test_a_command_that_writes_exits_the_usual_way(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(SAMPLES, folder)
    done = run(tmp_path, "--dir", str(folder), "set", "5", "severity=high")
    assert done.returncode == 0, done.stderr
    assert "TEARDOWN" in done.stderr
    assert "severity: high" in next(folder.glob("005-*.md")).read_text("utf-8")
    # and help, or a mistake in the command line, goes the usual way too
    assert "TEARDOWN" in run(tmp_path, "--help").stderr
