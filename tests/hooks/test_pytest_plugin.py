"""The pytest plugin, in pytest runs of their own: off by default (and then loading next
to nothing), on with --mistakes or mistakes_dir, never changing outcomes or exit codes."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import tomllib
from pathlib import Path

from tests.conftest import REPO

from .conftest import ENTRY, run

# the plugin loads through the pytest11 entry point when the package is installed (CI's
# `pip install -e .`); a checkout run without that install names the module instead (the
# same module either way: naming it as well would register it twice, a usage error)
INSTALLED = any(
    ep.name == "mistakes" and ep.value == "mistakes.pytest_plugin"
    for ep in importlib.metadata.entry_points(group="pytest11")
)
PLUGIN = [
    "-m",
    "pytest",
    *([] if INSTALLED else ["-p", "mistakes.pytest_plugin"]),
    "-p",
    "no:cacheprovider",
    "-q",
]

# what the run imported of the package, and how often the index was opened and asked
PROBE = """\
import sys

import pytest


def pytest_unconfigure(config):
    plugin = config.pluginmanager.get_plugin("mistakes-seen-before")
    lookup = getattr(plugin, "lookup", None)
    print("MODULES", sorted(m for m in sys.modules if m.startswith("mistakes")))
    print("LOOKUPS", getattr(lookup, "lookups", None))
    print("OPENS", getattr(sys.modules.get("mistakes.services.search"), "OPENS", None))
"""
COUNT_OPENS = """
def pytest_configure(config):
    if config.getoption("mistakes_dir", None) is None:
        return
    from mistakes.services import search

    search.OPENS = 0
    opened = search.SearchService.open

    def counted(self, *args, **kwargs):
        search.OPENS += 1
        return opened(self, *args, **kwargs)

    search.SearchService.open = counted
"""


def _probe(out: str, name: str) -> object:
    line = next(line for line in out.splitlines() if line.startswith(f"{name} "))
    return ast.literal_eval(line.split(" ", 1)[1])


def test_the_entry_point_names_the_plugin_module() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    target = project["project"]["entry-points"]["pytest11"]["mistakes"]
    assert target == "mistakes.pytest_plugin"
    module = importlib.import_module(target)
    assert callable(module.pytest_addoption) and callable(module.pytest_configure)


def test_off_by_default_it_shows_nothing_and_loads_no_search(project: Path) -> None:
    (project / "conftest.py").write_text(PROBE)
    result = run([*PLUGIN, "-s"], project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "seen before" not in result.stdout + result.stderr
    assert "4 failed, 1 passed" in result.stdout
    assert _probe(result.stdout, "MODULES") == ["mistakes", "mistakes.pytest_plugin"]


def test_with_the_option_a_failure_like_a_past_entry_shows_it(project: Path) -> None:
    (project / "conftest.py").write_text(PROBE + COUNT_OPENS)
    result = run([*PLUGIN, "-s", "--mistakes=entries"], project)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "4 failed, 1 passed" in out
    section = out[out.index("seen before (mistakes)") :]
    assert "test_export.py::test_export_reads_customer_names\n" in section
    assert f"    seen before: {ENTRY}" in section
    # the parametrised test fails the same way three times: one lookup, one listing
    assert "test_the_same_failure_three_times[1] (and 2 more like it)" in section
    assert _probe(out, "LOOKUPS") == 2  # two distinct failures, four failed tests
    assert _probe(out, "OPENS") == 1
    # the summary of pytest itself is still there, after the section
    assert out.index("seen before (mistakes)") < out.index("short test summary info")


def test_the_ini_option_turns_it_on_with_a_folder_relative_to_the_ini_file(
    project: Path,
) -> None:
    (project / "pytest.ini").write_text("[pytest]\nmistakes_dir = entries\n")
    (project / "sub").mkdir()
    args = [*PLUGIN, "--rootdir", str(project), str(project / "test_export.py")]
    first = run(args, project / "sub")
    assert first.returncode == 1, first.stdout + first.stderr
    assert f"seen before: {ENTRY}" in first.stdout
    building = f"mistakes: building the search index of {project / 'entries'} (24 entries; "
    assert building in first.stdout  # said the first time; the next run reuses the index
    again = run(args, project / "sub")
    assert f"seen before: {ENTRY}" in again.stdout
    assert "building" not in again.stdout


def test_the_exit_code_is_pytests_own_with_the_plugin_on(project: Path) -> None:
    (project / "test_export.py").write_text("def test_ok():\n    assert True\n")
    result = run([*PLUGIN, "--mistakes=entries"], project)
    assert result.returncode == 0
    assert "seen before" not in result.stdout


def test_a_broken_configuration_is_one_line_and_changes_nothing(project: Path) -> None:
    """The user config cannot be read: the run is what it would be, plus one line."""
    bad = project / "config.toml"
    bad.write_text("this is = = not toml\n")
    result = run([*PLUGIN, "-W", "error", "--mistakes=entries"], project, MISTAKES_CONFIG=str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "4 failed, 1 passed" in result.stdout
    assert "seen before:" not in result.stdout
    [line] = [line for line in result.stdout.splitlines() if line.startswith("mistakes:")]
    assert line.startswith("mistakes: past failures not looked up (")
    assert "Traceback" not in result.stderr
