"""The app benchmark runs end to end on a small folder and prints its figures as JSON.

Speed is not asserted here (the benchmark prints its figures beside baselines measured in
the same run); this checks that every figure is there and is a positive number, that the
keys it timed found results (a search that lists nothing would be fast for the wrong
reason), that the bytes-per-character figure counted the echo of each typed key in both
apps, and that the figures under load were measured with the busy process running and
that it was ended. (--quick measures the bytes idle only.)
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "app_bench.py"
FIGURES = (
    "baseline_first_frame_s",
    "bare_list_first_frame_s",
    "bare_list_files_first_frame_s",
    "first_frame_s",
    "first_frame_ratio",
    "keystroke_p50_ms",
    "keystroke_p95_ms",
    "open_p50_ms",
    "open_p95_ms",
)
BYTES = ("key_bytes_median_b", "key_bytes_p95_b", "bare_key_bytes_median_b", "key_bytes_ratio")
PTY_CHARS = 3


@pytest.fixture(scope="module")
def pty_bytes() -> ModuleType:
    if str(SCRIPT.parent) not in sys.path:
        sys.path.insert(0, str(SCRIPT.parent))
    import pty_bytes as module

    return module


def _cell(row: int, column: int, text: str, style: str = "38;5;253;48;5;235") -> bytes:
    return f"\x1b[{row};{column}H\x1b[{style}m{text}\x1b[0m".encode()


def test_a_keys_bytes_are_told_apart_by_the_places_they_rewrite(pty_bytes: ModuleType) -> None:
    """The shape of a key in the app's title field at 80x24: the field's row, the top bar,
    and a one-column scrollbar of 14 rows painted twice, each row's cell followed by a line
    end; then the cursor put back."""
    scrollbar = b"".join(
        _cell(row, 31, " ", "7;38;5;23;48;5;234") + f"\x1b[{row};32H\r\n".encode()
        for row in range(4, 18)
    )
    data = (
        _cell(4, 51, "wcon" + " " * 23)
        + _cell(1, 1, " folder  new wcon [modified]" + " " * 52)
        + b"\r\n"
        + scrollbar
        + b"\x1b[4;55H"
        + scrollbar
        + b"\x1b[4;55H"
    )
    places = pty_bytes.rewritten(data)
    assert [(p["rows"], p["column"]) for p in places] == [
        ("4", 51),
        ("1", 1),
        ("4-17", 31),
        ("4", 55),
        ("4-17", 31),
        ("4", 55),
    ]
    assert sum(p["bytes"] for p in places) == len(data)  # every byte counted once
    assert places[2]["bytes"] == places[4]["bytes"] == len(scrollbar)
    assert places[0]["text"].startswith("wcon") and "new wcon" in places[1]["text"]
    assert pty_bytes.plain(data).count(" folder  new wcon [modified]") == 1


def _positive(figures: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        value = figures[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert math.isfinite(value) and value > 0, (key, value)


def _searched(figures: dict[str, Any]) -> None:
    """The keys timed in the search box listed results."""
    assert figures["keystroke_samples"] == len("kafka")
    assert figures["keystroke_hits"] > 0
    assert figures["keystroke_final_results"]["kafka"] > 0
    assert figures["open_samples"] == 2
    assert figures["errors"] == []


def _typed(figures: dict[str, Any]) -> None:
    """Each key typed in the pty was echoed, in the app and in the bare Input."""
    for prefix in ("key_bytes", "bare_key_bytes"):
        sizes = figures[f"{prefix}_all_b"]
        assert len(sizes) == PTY_CHARS and all(size > 0 for size in sizes), (prefix, sizes)
        assert figures[f"{prefix}_errors"] == []
        assert figures[f"{prefix}_rewrites"], prefix  # what a key rewrote, decoded
    # the keys reached the title field of a new entry: after the warm-up key (a "w"), the
    # typed text begins "con"; the field's row is rewritten with it
    assert any("wc" in place["text"] for place in figures["key_bytes_rewrites"])


def test_app_bench_runs_idle_and_under_load(tmp_path: Path, isolated_home: Path) -> None:
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
            "--pty-chars",
            str(PTY_CHARS),
            "--load",
            "--load-timeout",
            "300",
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
    assert out["entries"] == 30
    _positive(out, (*FIGURES, *BYTES, "cold_index_first_frame_s", "cold_index_listed_s"))
    _searched(out)
    _typed(out)
    assert out["cold_errors"] == []
    under = out["load"]
    _positive(under, FIGURES)  # (--quick: the bytes are measured idle only)
    _searched(under)
    # the busy process ran beside the figures and was ended with them, not left behind
    assert under["busy_cpu_s"] > 0 and not under["busy_ended_itself"]
    assert set(out["targets"]) >= {
        "first_frame_s",
        "keystroke_p95_ms",
        "open_p95_ms",
        "first_frame_ratio",
        "key_bytes_ratio",
        "load_first_frame_s",
        "load_keystroke_p95_ms",
        "load_open_p95_ms",
        "load_first_frame_ratio",
    }
    assert out["all_errors"] == []
    # the bench kept its index and drafts in its own dirs, not in the user's
    assert (work / "xdg" / "cache" / "mistakes").is_dir()
    assert not (isolated_home / ".cache" / "mistakes").exists()
