"""``check`` reads each entry file once: it is parsed, looked at for links to files that are
gone and for secrets from the same bytes (it read every file three times). What it reports
is what it reported."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from mistakes.storage import folder as folder_module
from tests.conftest import SAMPLES


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()
    read_regular = folder_module.read_regular

    def counting(path: Path, limit: int) -> bytes:
        counted[Path(path).name] += 1
        return read_regular(path, limit)

    monkeypatch.setattr(folder_module, "read_regular", counting)
    return counted


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    next(root.glob("006-*.md")).unlink()  # 023 links to it: a link to a file that is gone
    secret = next(root.glob("003-*.md"))
    secret.write_text(secret.read_text("utf-8") + "\npassword = 'hunter2hunter2hunter2'\n")
    (root / "950-broken.md").write_text("---\ntitle: [x\n---\n", "utf-8")
    return root


def test_check_reads_each_file_once(run, samples: Path, reads: Counter[str]) -> None:
    result = run("--dir", str(samples), "check", "--strict")
    assert result.code == 1
    assert "950-broken.md" in result.out
    assert "no such file, and no entry numbered 006" in result.out
    files = {p.name for p in samples.glob("*.md")}
    assert set(reads) == files
    assert set(reads.values()) == {1}


def test_check_says_the_same_as_reading_each_time(
    run, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    once = run("--dir", str(samples), "check", "--strict", "--json")
    monkeypatch.setattr(folder_module.EntryFolder, "read_once", _no_keeping)
    again = run("--dir", str(samples), "check", "--strict", "--json")
    assert once.out == again.out and once.code == again.code == 1
    assert "secret" in once.out


def _no_keeping(self: folder_module.EntryFolder):  # type: ignore[no-untyped-def]
    import contextlib

    return contextlib.nullcontext()
