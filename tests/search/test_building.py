"""Searching while this process builds the index: an answer at once, never a lock wait."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from mistakes.search import locking
from mistakes.search.index import IndexNotReady, SearchIndex
from mistakes.services.workspace import Workspace
from tests.conftest import SAMPLES


def test_a_search_during_a_first_build_is_pending_not_blocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "entries"
    shutil.copytree(SAMPLES, root)
    workspace = Workspace.open(root, cache_root=tmp_path / "cache", data_dir=tmp_path / "data")
    index: SearchIndex = workspace.search.index
    started, release = threading.Event(), threading.Event()
    real = SearchIndex._rebuild_locked

    def slow_rebuild(self: SearchIndex, report: object, progress: object) -> None:
        started.set()
        assert release.wait(10)
        real(self, report, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchIndex, "_rebuild_locked", slow_rebuild)
    seen: list[tuple[int, int]] = []
    builder = threading.Thread(target=lambda: workspace.sync(lambda d, t: seen.append((d, t))))
    builder.start()
    try:
        assert started.wait(10)
        assert not workspace.open_as_is()  # nothing built yet
        # the build holds the lock: a search that waited for it would fail at once here
        monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.01)
        results = workspace.find("connection")
        assert results.pending and results.hits == []
        with pytest.raises(IndexNotReady):
            index.searcher()
    finally:
        release.set()
        builder.join(30)
    assert seen and seen[-1][0] == seen[-1][1] == 24
    assert not workspace.find("connection").pending
    assert workspace.find("connection").hits
    workspace.close()


def test_an_existing_index_opens_as_it_is_before_the_sync(tmp_path: Path) -> None:
    root = tmp_path / "entries"
    shutil.copytree(SAMPLES, root)
    cache = tmp_path / "cache"
    first = Workspace.open(root, cache_root=cache, data_dir=tmp_path / "data")
    first.sync()
    first.close()
    (root / sorted(p.name for p in root.iterdir())[0]).unlink()  # changed behind its back
    second = Workspace.open(root, cache_root=cache, data_dir=tmp_path / "data")
    assert second.open_as_is()
    assert second.find("").total == 24  # as it was left: listed at once
    report = second.sync()
    assert report.deleted == 1
    assert second.find("").total == 23
    second.close()


def test_a_time_budget_answers_with_what_it_scored_then_the_full_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mistakes.search import searching as index_module

    root = tmp_path / "entries"
    shutil.copytree(SAMPLES, root)
    workspace = Workspace.open(root, cache_root=tmp_path / "cache", data_dir=tmp_path / "data")
    workspace.sync()
    full = workspace.find("connection")
    assert full.complete and len(full.hits) > 2
    monkeypatch.setattr(index_module, "BUDGET_EVERY", 1)  # look at the clock every match
    quick = workspace.find("connection", budget=0.0)
    assert not quick.complete and not quick.exact
    assert len(quick.hits) < len(full.hits)
    assert {h.name for h in quick.hits} <= {h.name for h in full.hits}
    again = workspace.find("connection", budget=None)
    assert again.complete and [h.name for h in again.hits] == [h.name for h in full.hits]
    workspace.close()
