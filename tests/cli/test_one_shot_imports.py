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
