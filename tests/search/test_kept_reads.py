"""What a searcher has read is not read again while it is the current one (issue 9's
keystroke figures), and an index that changed is read afresh.

Each keystroke in the sidebar asks for the stored fields of the best hundred or so
documents, mostly the same ones as the key before; clearing the search box asks for the
newest entries again. These tests count the reads the real Whoosh searcher makes (its own
methods run; the counter only looks on).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mistakes.domain.template import Template
from mistakes.search.index import SearchIndex
from mistakes.search.types import SearchResults
from mistakes.storage.folder import EntryFolder
from tests.search.conftest import numbers, write_entry


@pytest.fixture
def index(tmp_path: Path, template: Template) -> Iterator[SearchIndex]:
    root = tmp_path / "entries"
    for n in range(1, 31):
        write_entry(
            root,
            n,
            f"pool-{n}",
            f"Connection pool exhausted {n}",
            date=f"2025-01-{n:02d}",
            what_happened=f"The pool ran dry in service {n}.",
        )
    built = SearchIndex(EntryFolder(root, template), cache_root=tmp_path / "cache")
    built.open()
    yield built
    built.close()


class Reads:
    """Counts calls of one method of the current searcher (the method itself runs)."""

    def __init__(self, index: SearchIndex, name: str) -> None:
        self.count = 0
        searcher = index.searcher()
        real = getattr(searcher, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        setattr(searcher, name, counted)


def test_typing_the_same_hits_again_does_not_read_their_stored_fields_again(
    index: SearchIndex,
) -> None:
    first = index.search("pool", limit=50, partial=True, snippets=0, budget=1.0)
    reads = Reads(index, "stored_fields")
    again = index.search("pool", limit=50, partial=True, snippets=0, budget=1.0)
    assert numbers(again.hits) == numbers(first.hits) and len(again.hits) == 30
    assert [h.title for h in again.hits] == [h.title for h in first.hits]
    assert reads.count == 0


def test_clearing_the_box_does_not_sort_the_folder_again(index: SearchIndex) -> None:
    first = index.recent(10)
    reads = Reads(index, "search")
    again = index.recent(10)
    fewer = index.recent(5)
    assert numbers(again) == numbers(first) == list(range(30, 20, -1))
    assert numbers(fewer) == list(range(30, 25, -1))
    assert reads.count == 0


def test_the_newest_entries_are_copies_the_app_may_change(index: SearchIndex) -> None:
    first = index.recent(3)
    first[0].folder = "changed by the caller"
    assert index.recent(3)[0].folder == ""


def test_a_changed_index_is_read_afresh(index: SearchIndex, template: Template) -> None:
    index.search("pool", limit=50, partial=True, snippets=0, budget=1.0)
    assert numbers(index.recent(3)) == [30, 29, 28]
    path = write_entry(
        index.folder.root,
        31,
        "pool-31",
        "Connection pool renamed",
        date="2025-02-01",
        what_happened="The pool ran dry again.",
    )
    index.update_entry(index.folder.load(path))
    assert numbers(index.recent(3)) == [31, 30, 29]
    titles = {h.number: h.title for h in index.search("pool", limit=50, snippets=0).hits}
    assert titles[31] == "Connection pool renamed" and len(titles) == 31


def _wait_for(check: Callable[[], bool]) -> None:
    for _ in range(2000):  # a thread that has not got there yet: up to 20 s, never timed
        if check():
            return
        time.sleep(0.01)
    raise AssertionError("the search thread never got there")


def test_a_keystroke_search_overtaken_by_the_next_one_stops_early(index: SearchIndex) -> None:
    """Typed 'poo' then 'pool' while the index was busy: the 'poo' search, whose answer
    the sidebar drops, gives way instead of scoring everything first (with the read lock
    the 'pool' search waits for); searches without a budget are never cut short."""
    answers: dict[str, SearchResults] = {}

    def search(name: str, text: str, budget: float | None) -> threading.Thread:
        def run() -> None:
            answers[name] = index.search(text, limit=50, partial=True, snippets=1, budget=budget)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    with index._read_lock:  # the index busy (a sync, a snippet, another search)
        begun = index._keystroke
        full = search("full", "pool", None)
        older = search("older", "poo", 60.0)
        _wait_for(lambda: index._keystroke == begun + 1)
        newer = search("newer", "pool", 60.0)
        _wait_for(lambda: index._keystroke == begun + 2)
    for thread in (full, older, newer):
        thread.join()
    assert not answers["older"].complete
    assert answers["newer"].complete and len(answers["newer"].hits) == 30
    assert answers["full"].complete and len(answers["full"].hits) == 30


class FileReads:
    """Counts the entry files the index reads (the folder's own read runs)."""

    def __init__(self, index: SearchIndex) -> None:
        self.paths: list[Path] = []
        real = index.folder.read

        def counted(path: Path) -> bytes:
            self.paths.append(path)
            return real(path)

        index.folder.read = counted  # type: ignore[method-assign]


def test_the_top_hit_of_the_next_keystroke_is_not_read_again(index: SearchIndex) -> None:
    first = index.search("exhausted", limit=5, partial=True, snippets=1, budget=1.0)
    reads = FileReads(index)
    again = index.search("exhausted pool", limit=5, partial=True, snippets=1, budget=1.0)
    assert first.hits[0].number == again.hits[0].number == 30
    assert again.hits[0].snippet is not None and "pool" in again.hits[0].snippet.marked()
    assert reads.paths == []


def test_a_snippet_shows_the_file_as_it_is_now(index: SearchIndex) -> None:
    hit = index.search("pool", limit=1, snippets=1).hits[0]
    assert hit.snippet is not None and "ran dry" in hit.snippet.text
    text = hit.path.read_text("utf-8").replace("The pool ran dry", "The pool overflowed")
    hit.path.write_text(text, "utf-8")
    reads = FileReads(index)
    again = index.search("pool", limit=1, snippets=1).hits[0]
    assert again.number == hit.number
    assert again.snippet is not None and "overflowed" in again.snippet.text
    assert reads.paths == [hit.path]
