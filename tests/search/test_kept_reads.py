"""What a searcher has read is not read again while it is the current one (issue 9's
keystroke figures), and an index that changed is read afresh.

Each keystroke in the sidebar asks for the stored fields of the best hundred or so
documents, mostly the same ones as the key before; clearing the search box asks for the
newest entries again. These tests count the reads the real Whoosh searcher makes (its own
methods run; the counter only looks on).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mistakes.domain.template import Template
from mistakes.search.index import SearchIndex
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
