"""A one-shot command imports what it needs: ``search`` never loads the importer, capture,
the similar-entries finder, the multi-process index writer or the entry writer; ``list``
and ``stats`` not even the query parser (they read the index's columns)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from mistakes.launch import main

    code = main(sys.argv[1:])
    names = sorted(m for m in sys.modules if m.startswith("mistakes"))
    print(json.dumps({"code": code, "modules": names}), file=sys.stderr)
    """
)


def modules_after(tmp_path: Path, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--dir", str(SAMPLES), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    last = done.stderr.strip().splitlines()[-1]
    import json

    data = json.loads(last)
    assert data["code"] == 0, done.stderr
    return set(data["modules"])


NEVER_FOR_SEARCH = (
    "mistakes.importing",
    "mistakes.services.importer",
    "mistakes.services.capture",
    "mistakes.search.similar",
    "mistakes.search.building",
    "mistakes.storage.edit",  # the writer of entry files
    "mistakes.services.environment",  # what new entries are filled with (platform, git)
)


@pytest.mark.parametrize("args", [["search", "connection pool"], ["search", "pool", "--json"]])
def test_search_does_not_import_the_importer_or_capture(tmp_path: Path, args: list[str]) -> None:
    modules_after(tmp_path, "reindex")  # the build (a writer of its own) is not what is measured
    loaded = modules_after(tmp_path, *args)
    assert "mistakes.search.searching" in loaded  # it did search
    unwanted = sorted(m for m in loaded if m.startswith(NEVER_FOR_SEARCH))
    assert not unwanted


@pytest.mark.parametrize("args", [["list"], ["list", "--json"]])
def test_list_does_not_import_the_query_machinery(tmp_path: Path, args: list[str]) -> None:
    modules_after(tmp_path, "reindex")
    loaded = modules_after(tmp_path, *args)
    assert "mistakes.search.listing" in loaded
    unwanted = sorted(
        m
        for m in loaded
        if m.startswith((*NEVER_FOR_SEARCH, "mistakes.search.query", "mistakes.search.searching"))
    )
    assert not unwanted


def whoosh_and_libraries(tmp_path: Path, *args: str) -> set[str]:
    """Every module loaded by one command (not only this package's)."""
    script = SCRIPT.replace('if m.startswith("mistakes")', "if True")
    done = subprocess.run(
        [sys.executable, "-c", script, "--dir", str(SAMPLES), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    import json

    data = json.loads(done.stderr.strip().splitlines()[-1])
    assert data["code"] == 0, done.stderr
    return set(data["modules"])


NEVER_FOR_A_LISTING = ("whoosh.searching", "whoosh.qparser", "whoosh.query", "markdown_it", "yaml")


@pytest.mark.parametrize(
    "args", [["list"], ["list", "--json"], ["stats"], ["todo", "--json"], ["show", "5", "--json"]]
)
def test_views_from_the_index_load_no_searching_and_no_yaml(
    tmp_path: Path, args: list[str]
) -> None:
    """list, stats, todo and show's backlinks read the index's columns with an index reader:
    none of Whoosh's searching is loaded, nor the exporters' Markdown renderer, nor PyYAML
    (no file is parsed; show parses the one entry it shows, so it loads PyYAML)."""
    modules_after(tmp_path, "reindex")
    loaded = whoosh_and_libraries(tmp_path, *args)
    assert "mistakes.search.listing" in loaded  # it did read the index
    never = NEVER_FOR_A_LISTING[:-1] if args[0] == "show" else NEVER_FOR_A_LISTING
    assert not sorted(m for m in loaded if m.startswith(never))


def test_search_loads_no_yaml_and_no_markdown_renderer(tmp_path: Path) -> None:
    """A one-shot search reads the hits' sections for snippets, not their frontmatter."""
    modules_after(tmp_path, "reindex")
    loaded = whoosh_and_libraries(tmp_path, "search", "connection pool")
    assert "whoosh.searching" in loaded
    assert not sorted(m for m in loaded if m.startswith(("yaml", "markdown_it")))


OTHER_COMMANDS = (
    "mistakes.cli.links",  # link, todo, ...
    "mistakes.cli.teams",
    "mistakes.cli.export",
    "mistakes.cli.web",
    "mistakes.cli.history",
    "mistakes.cli.mcp_server",
    "mistakes.export",  # the exporters (a static site, OpenSearch, CSV)
    "mistakes.domain.links",
)


@pytest.mark.parametrize(
    "args", [["list"], ["list", "--json"], ["stats"], ["stats", "--json"], ["search", "pool"]]
)
def test_a_command_builds_only_its_own_parser(tmp_path: Path, args: list[str]) -> None:
    """The parser of one command is built, not every command's: ``list``, ``stats`` and
    ``search`` do not import the modules of link/todo, export, serve or history (nor, for
    the views, the module of new/capture/check)."""
    modules_after(tmp_path, "reindex")
    loaded = modules_after(tmp_path, *args)
    never = (*OTHER_COMMANDS, "mistakes.cli.commands") if args[0] != "search" else OTHER_COMMANDS
    assert not sorted(m for m in loaded if m.startswith(never))
