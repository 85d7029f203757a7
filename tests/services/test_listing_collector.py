"""``list`` and ``stats`` read every entry's columns with the cyclic garbage collector paused
(10,000 rows all kept alive: the collector would walk them again and again for nothing),
and the listing is still what reading every file gives."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path
from typing import Any

import pytest

from mistakes.search.store import IndexStore
from mistakes.services.listing import from_files, listing_index, load_listing
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from tests.conftest import SAMPLES


@pytest.mark.parametrize("records", [False, True])
def test_the_index_is_read_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: bool
) -> None:
    root = tmp_path / "mistakes"
    shutil.copytree(SAMPLES, root)
    folder = EntryFolder(root, load_template())
    collecting: list[bool] = []
    read = IndexStore.listing

    def listing(self: IndexStore, records: bool = False) -> Any:
        collecting.append(gc.isenabled())
        return read(self, records)

    monkeypatch.setattr(IndexStore, "listing", listing)
    assert gc.isenabled()
    index = listing_index(folder, tmp_path / "cache")
    try:
        got = load_listing(folder, index, records=records)
    finally:
        index.close()
    assert collecting == [False]  # read once, the collector paused meanwhile
    assert gc.isenabled()  # and on again after
    expected = from_files(folder, records=records)
    assert [(r.name, r.title, bytes(r.record)) for r in got.entries] == [
        (r.name, r.title, bytes(r.record)) for r in expected.entries
    ]
    assert got.entries
