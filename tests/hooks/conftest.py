"""Helpers of the integration tests: programs and pytest runs in a subprocess, with this
checkout's code first on the path and the test's own home and cache (from the autouse
fixture of tests/conftest.py, which sets them in os.environ)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

# reproduces the error of sample entry 003 ("Nightly export job fails with
# UnicodeDecodeError on customer names"), with other bytes and positions
FAILING_TEST = """\
import pytest


def read_staging(data: bytes) -> str:
    return data.decode("ascii")


def test_export_reads_customer_names():
    assert read_staging(b"Jos\\xc3\\xa9 Garc\\xc3\\xada\\tjose@example.com")


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_same_failure_three_times(n):
    assert read_staging(b"Zo\\xc3\\xab")


def test_passes():
    assert True
"""
ENTRY = "003 Nightly export job fails with UnicodeDecodeError"


def env() -> dict[str, str]:
    environ = dict(os.environ)
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    environ.pop("PYTEST_ADDOPTS", None)
    environ.pop("PYTEST_PLUGINS", None)
    return environ


def run(args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**env(), **extra},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a failing test file, an ini file of its own, and a copy of the
    sample entries in ``entries/``."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(SAMPLES, root / "entries")
    (root / "test_export.py").write_text(FAILING_TEST)
    (root / "pytest.ini").write_text("[pytest]\n")
    return root
