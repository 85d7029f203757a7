"""``mistakes stats``: its numbers are what ``list --json`` implies, computed from the
index (no file parsed once the index is in step)."""

from __future__ import annotations

import math
import re
import shutil
import statistics
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mistakes.storage.folder import EntryFolder, StoredEntry
from tests.conftest import REPO, SAMPLES

BENCHMARKS = REPO / "benchmarks"


def implied(records: list[dict[str, Any]], since: str = "") -> dict[str, Any]:
    """The stats a reader of ``list --json`` would work out by hand."""
    if since:
        records = [
            r for r in records if re.match(r"\d{4}-\d{2}-\d{2}$", r["date"]) and r["date"] >= since
        ]

    def counted(values: list[str]) -> dict[str, int]:
        return dict(Counter(v.strip().lower() or "(none)" for v in values))

    resolved = [r for r in records if r["status"].strip().lower() == "resolved"]
    days = [
        (date.fromisoformat(r["resolved"]) - date.fromisoformat(r["date"])).days
        for r in resolved
        if r["resolved"] and r["date"]
    ]
    days = [d for d in days if d >= 0]
    ordered = sorted(days)
    seen = sorted(
        ((r["seen"], r["number"], r["title"]) for r in records),
        key=lambda t: (-t[0], t[1]),
    )
    return {
        "entries": len(records),
        "by_severity": counted([r["severity"] for r in records]),
        "by_status": counted([r["status"] for r in records]),
        "by_tag": dict(Counter(t.lower() for r in records for t in set(r["tags"]))),
        "by_month": dict(Counter(r["date"][:7] or "(no date)" for r in records)),
        "open": len(records) - len(resolved),
        "resolved": len(resolved),
        "days_to_resolve": {
            "entries": len(days),
            "median": statistics.median(days) if days else None,
            "p90": ordered[math.ceil(0.9 * len(ordered)) - 1] if ordered else None,
        },
        "most_recurring": [(n, s) for s, n, _t in seen if s > 0][:10],
        "follow_ups": {
            "open": sum(1 for r in records for i in r["follow_up"] if not i["done"]),
            "done": sum(1 for r in records for i in r["follow_up"] if i["done"]),
        },
    }


def assert_stats_match_list(run, root: Path, since: str = "") -> dict[str, Any]:
    listed = run("--dir", str(root), "list", "--json")
    assert listed.code == 0, listed.err
    result = run("--dir", str(root), "stats", "--json", *(["--since", since] if since else []))
    assert result.code == 0, result.err
    got = result.json
    expected = implied(listed.json, since)
    for key in ("by_severity", "by_status", "by_tag", "by_month"):
        got[key] = {k: v for k, v in got[key].items() if v}  # the template's choices at 0 too
    got["most_recurring"] = [(i["number"], i["seen"]) for i in got["most_recurring"]]
    got.pop("since")
    assert got == expected
    return got


def _resolved_and_seen(root: Path) -> None:
    """Give some entries a resolved date (the samples have theirs) and recorded occurrences
    (issue 10's fields)."""
    for i, path in enumerate(sorted(root.glob("*.md"))):
        text = path.read_text("utf-8")
        if "status: resolved" in text and "\nresolved: " not in text and i % 3:
            day = 1 + (i * 7) % 27
            match = re.search(r"^date: (\d{4})-(\d{2})-\d{2}", text, re.M)
            assert match
            year = int(match.group(1)) + 1
            text = text.replace(
                "status: resolved",
                f"status: resolved\nresolved: {year}-{match.group(2)}-{day:02d}",
                1,
            )
        if i % 4 == 1:  # occurrences as `mistakes seen` appends them
            items = "".join(
                f"- 2026-0{k + 1}-01 10:00 host=web-{k}: again\n" for k in range(i % 5 + 1)
            )
            text = text.rstrip("\n") + f"\n\n## Occurrences\n\n{items}"
        path.write_text(text, "utf-8")


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    _resolved_and_seen(root)
    return root


def test_stats_equal_what_list_json_implies_over_the_samples(run, samples: Path) -> None:
    got = assert_stats_match_list(run, samples)
    assert got["days_to_resolve"]["entries"] > 5 and got["most_recurring"]
    assert_stats_match_list(run, samples, since="2025-09-01")


@pytest.mark.parametrize("seed", [11, 99])
def test_stats_equal_what_list_json_implies_over_generated_folders(
    run, tmp_path: Path, seed
) -> None:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    import synth

    root = tmp_path / f"gen-{seed}"
    synth.generate(root, 80, seed=seed, workers=1)
    _resolved_and_seen(root)
    assert_stats_match_list(run, root)
    assert_stats_match_list(run, root, since="2024-01-01")


def test_stats_parse_no_file_once_the_index_is_in_step(run, samples: Path, monkeypatch) -> None:
    assert run("--dir", str(samples), "stats").code == 0
    parsed: list[str] = []
    load_bytes = EntryFolder.load_bytes

    def counting(self: EntryFolder, path: Path, data: bytes) -> StoredEntry:
        parsed.append(path.name)
        return load_bytes(self, path, data)

    monkeypatch.setattr(EntryFolder, "load_bytes", counting)
    assert run("--dir", str(samples), "stats", "--json").code == 0
    assert parsed == []
    # files are the truth: a changed file is read (once) and counted
    path = next(samples.glob("001-*.md"))
    path.write_text(
        path.read_text("utf-8").replace("severity: medium", "severity: critical"), "utf-8"
    )
    result = run("--dir", str(samples), "stats", "--json")
    assert parsed == [path.name]
    assert_stats_match_list(run, samples)
    assert result.json["by_severity"]["critical"] == 6


def test_stats_table_and_by(run, samples: Path) -> None:
    result = run("--dir", str(samples), "stats")
    assert result.code == 0
    assert re.search(r"^entries\s+24$", result.out, re.M)
    assert re.search(r"^  critical\s+5$", result.out, re.M)
    for name in ("severity", "status", "tag", "month"):
        assert f"by {name}" in result.out
    assert "most recurring" in result.out
    only = run("--dir", str(samples), "stats", "--by", "month")
    assert "by month" in only.out and "by tag" not in only.out and "by severity" not in only.out


@pytest.mark.parametrize("since", ["2025", "yesterday", "2025-13-01"])
def test_stats_since_must_be_a_date(run, samples: Path, since: str) -> None:
    result = run("--dir", str(samples), "stats", "--since", since)
    assert result.code == 2
    assert "YYYY-MM-DD" in result.err


def test_the_samples_say_how_long_they_took_to_resolve(run, tmp_path: Path) -> None:
    """Every Resolved sample entry keeps the day it was resolved, on or after the day it
    happened, so the example folder's stats (and the app's Stats screen) show a time to
    resolve instead of "-"."""
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    records = run("--dir", str(root), "list", "--json").json
    resolved = [run("--dir", str(root), "show", str(r["number"]), "--json").json for r in records]
    resolved = [r for r in resolved if r["status"] == "resolved"]
    assert len(resolved) >= 10
    for entry in resolved:
        assert entry["resolved"], entry["path"]
        assert date.fromisoformat(entry["resolved"]) >= date.fromisoformat(entry["date"])
    got = run("--dir", str(root), "stats", "--json").json
    assert got["days_to_resolve"]["entries"] == len(resolved)
    assert "days to resolve         median" in run("--dir", str(root), "stats").out
    assert run("--dir", str(root), "check", "--strict").code == 0
