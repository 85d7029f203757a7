"""The benchmark data generator: deterministic, valid for the app, realistic in shape."""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from mistakes.domain.template import Template
from mistakes.services.entries import EntryService
from mistakes.storage.folder import EntryFolder, StoredEntry
from tests.conftest import REPO

BENCHMARKS = REPO / "benchmarks"
N = 50


@pytest.fixture(scope="module")
def synth() -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    import synth as module

    return module


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def generated(synth: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "entries"
    synth.generate(folder, N, seed=1234)
    return folder


@pytest.fixture(scope="module")
def loaded(generated: Path, template: Template) -> list[StoredEntry]:
    entries, problems = EntryFolder(generated, template).load_all()
    assert problems == []
    return entries


def test_same_seed_gives_identical_bytes(
    synth: ModuleType, generated: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    paths = synth.generate(again, N, seed=1234)
    assert [p.name for p in paths] == sorted(p.name for p in again.iterdir())
    assert _snapshot(again) == _snapshot(generated)


def test_different_seed_differs(synth: ModuleType, generated: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    synth.generate(other, N, seed=99)
    ours, theirs = _snapshot(generated), _snapshot(other)
    assert len(theirs) == N
    assert set(ours) != set(theirs)
    assert sum(a != b for a, b in zip(ours.values(), theirs.values(), strict=True)) == N


def test_worker_processes_give_the_same_files(
    synth: ModuleType, generated: Path, tmp_path: Path
) -> None:
    """Chunks written by other processes are byte-identical to the in-process output."""
    parallel = tmp_path / "parallel"
    synth.generate(parallel, N, seed=1234, workers=2, chunk=7, parallel_from=0)
    assert _snapshot(parallel) == _snapshot(generated)


def test_file_names_numbers_and_return_value(synth: ModuleType, generated: Path) -> None:
    names = sorted(p.name for p in generated.iterdir())
    assert len(names) == N
    assert [int(name.split("-", 1)[0]) for name in names] == list(range(1, N + 1))
    assert all(name[:3].isdigit() and name[3] == "-" and name.endswith(".md") for name in names)


def test_every_file_loads_and_checks_clean(
    generated: Path, template: Template, loaded: list[StoredEntry]
) -> None:
    assert len(loaded) == N
    assert all(not stored.document.problems for stored in loaded)
    assert all(not stored.entry.extra and not stored.entry.extra_sections for stored in loaded)
    assert EntryService(EntryFolder(generated, template)).check() == []


def test_files_read_back_as_the_entries_that_were_written(
    synth: ModuleType, template: Template, loaded: list[StoredEntry]
) -> None:
    for stored in loaded[:10]:
        built = synth._build_entry(1234, stored.number, N, template)
        assert stored.entry.fields == built.fields
        assert stored.entry.groups == built.groups
        assert stored.entry.sections == built.sections
        assert stored.entry.follow_up == built.follow_up


def test_sizes_mostly_within_3_to_8_kb(generated: Path) -> None:
    sizes = [p.stat().st_size for p in generated.iterdir()]
    inside = sum(3000 <= size <= 8000 for size in sizes)
    assert inside >= 0.9 * len(sizes)
    assert 3500 <= statistics.median(sizes) <= 6500
    assert max(sizes) - min(sizes) > 1500  # a spread, not one size


def test_field_values_cover_every_choice(loaded: list[StoredEntry]) -> None:
    severities = Counter(s.entry.fields["severity"] for s in loaded)
    statuses = Counter(s.entry.fields["status"] for s in loaded)
    assert set(severities) == {"critical", "high", "medium", "low"}
    assert set(statuses) == {"active", "investigating", "resolved"}
    assert all(1 <= len(s.entry.fields["tags"]) <= 4 for s in loaded)
    assert len({s.entry.fields["reporter"] for s in loaded}) >= 15
    dates = [str(s.entry.fields["date"]) for s in loaded]
    assert dates == sorted(dates)
    assert dates[0] >= "2019-01-01"
    assert dates[-1] <= "2026-11-28"
    assert dates[-1] >= "2026-01-01"  # spread over the whole range


def test_content_looks_like_incident_writeups(loaded: list[StoredEntry]) -> None:
    text = "\n".join(s.document.text() for s in loaded)
    assert "Traceback (most recent call last):" in text
    assert '  File "/' in text
    assert "```python" in text or "```diff" in text
    assert "```bash" in text
    for stored in loaded:
        errors = stored.entry.sections["error_messages"]
        assert errors.startswith("```")
        assert errors.rstrip().endswith("```")
    titles = [str(s.entry.fields["title"]) for s in loaded]
    assert len(set(titles)) >= N - 2
    assert len({p.path.name.split("-", 1)[1] for p in loaded}) >= N - 2


def test_recurrences_share_the_exception_and_frames(synth: ModuleType, tmp_path: Path) -> None:
    n = 400
    folder = tmp_path / "many"
    paths = synth.generate(folder, n, seed=1234, workers=1)
    recurrences = [i for i in range(1, n + 1) if synth._origin(1234, i) is not None]
    assert 0.02 * n <= len(recurrences) <= 0.09 * n
    number = recurrences[0]
    origin = synth._origin(1234, number)
    scenario = synth._scenario(1234, origin)
    first = paths[origin - 1].read_text("utf-8")
    again = paths[number - 1].read_text("utf-8")
    assert scenario.exception in first and scenario.exception in again
    assert paths[origin - 1].name in again  # linked from Similar Past Issues
    assert first.split("## Error Messages")[1] != again.split("## Error Messages")[1]


def test_cli_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    command = [sys.executable, str(BENCHMARKS / "synth.py"), "--entries", "5", "--out", str(out)]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\n") == 1 and first.stdout.startswith("5 entries")
    assert len(list(out.iterdir())) == 5
    refused = subprocess.run(command, capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
    forced = subprocess.run(
        [*command[:3], "3", *command[4:], "--force", "--seed", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert forced.returncode == 0, forced.stderr
    assert len(list(out.iterdir())) == 3
