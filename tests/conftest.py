"""Shared fixtures. Every test runs with its own home, config, data and cache folders."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mistakes.domain.template import Template
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_mistakes"


def _find_corpus() -> Path:
    """``shared/corpus`` beside the repo, or beside a folder above it (a git worktree)."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "corpus"


CORPUS = _find_corpus()
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Result:
    """What a CLI run printed and returned (tests drive ``main([...])`` in-process)."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep the developer's home, config and environment out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    for name in ("MISTAKES_DIR", "MISTAKES_TEMPLATE", "MISTAKES_CONFIG", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def template() -> Template:
    return load_template(None)


@pytest.fixture
def folder(tmp_path: Path, template: Template) -> EntryFolder:
    return EntryFolder(tmp_path / "entries", template)


@pytest.fixture
def samples_copy(tmp_path: Path) -> Path:
    """A writable copy of sample_mistakes/."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    return target


def split_samples(root: Path, second_five: str | None = None) -> tuple[Path, Path]:
    """The samples split over ``root/payments/mistakes`` (odd places) and ``root/search``
    (even), with a copy of 005 in ``search`` too, named ``second_five`` (default: the same
    file name): two folders of one team, with one number in both."""
    a, b = root / "payments" / "mistakes", root / "search"
    a.mkdir(parents=True)
    b.mkdir()
    for number, path in enumerate(sorted(SAMPLES.glob("*.md")), 1):
        shutil.copy(path, (a if number % 2 else b) / path.name)
    five = next(a.glob("005-*.md"))
    shutil.copy(five, b / (second_five or five.name))
    return a, b


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On CI the corpus must be there: a test that would skip for want of it fails instead
    (a clone laid out differently would otherwise pass with the corpus tests unrun)."""
    if os.environ.get("CI") and not CORPUS.is_dir():
        raise pytest.UsageError(f"CI: no corpus at {CORPUS} (the corpus tests would skip)")
