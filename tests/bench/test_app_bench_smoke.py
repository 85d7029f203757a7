"""The app benchmark runs end to end on a small folder and prints its figures as JSON.

Speed is not asserted here (the benchmark prints its figures beside a baseline measured in
the same run); this only checks that every figure is there and is a positive number.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "app_bench.py"
KEYS = (
    "entries",
    "baseline_first_frame_s",
    "first_frame_s",
    "keystroke_p50_ms",
    "keystroke_p95_ms",
    "open_p50_ms",
    "open_p95_ms",
    "cold_index_first_frame_s",
)


def test_app_bench_runs_and_reports_positive_figures(tmp_path: Path, isolated_home: Path) -> None:
    work = tmp_path / "work"
    env = dict(os.environ)  # the isolated home: XDG dirs inside tmp_path
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        assert env[name].startswith(str(isolated_home))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--entries",
            "30",
            "--dir",
            str(work),
            "--repeat",
            "1",
            "--quick",
            "--cold-timeout",
            "120",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in KEYS:
        value = out[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert math.isfinite(value) and value > 0, (key, value)
    assert out["entries"] == 30
    assert out["keystroke_samples"] == len("kafka")
    assert out["open_samples"] == 2
    assert out["cold_index_listed_s"] > 0
    assert out["errors"] == [] and out["cold_errors"] == []
    assert set(out["targets"]) >= {"first_frame_s", "keystroke_p95_ms", "open_p95_ms"}
    # the bench kept its index and drafts in its own dirs, not in the user's
    assert (work / "xdg" / "cache" / "mistakes").is_dir()
    assert not (isolated_home / ".cache" / "mistakes").exists()
