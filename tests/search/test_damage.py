"""Only a damaged index is rebuilt: a bug raises, with its traceback, and keeps the index."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from mistakes.domain.template import Template
from mistakes.search import store
from mistakes.search.index import SearchIndex, damaged
from mistakes.storage.folder import EntryFolder
from tests.conftest import SAMPLES
from tests.search.conftest import whoosh_leaks
from tests.search.test_index import _corrupt


@pytest.fixture
def index(tmp_path: Path, template: Template) -> SearchIndex:
    root = tmp_path / "entries"
    shutil.copytree(SAMPLES, root)
    index = SearchIndex(EntryFolder(root, template), tmp_path / "cache")
    index.open()
    return index


@pytest.fixture
def rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the rebuilds of any index."""
    calls: list[int] = []
    real = SearchIndex.rebuild

    def counted(self: SearchIndex, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "rebuild", counted)
    return calls


def _bug(*_args: object, **_kwargs: object) -> object:
    raise TypeError("a bug in this program")


def test_a_bug_in_search_raises_and_rebuilds_nothing(
    index: SearchIndex, rebuilds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SearchIndex, "_hit", _bug)
    with pytest.raises(TypeError, match="a bug in this program"):
        index.search("connection pool")
    assert rebuilds == []
    monkeypatch.undo()
    assert index.search("connection pool").hits  # the index is as it was
    index.close()


def test_a_bug_in_a_snippet_raises_and_rebuilds_nothing(
    index: SearchIndex, rebuilds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SearchIndex, "attach_snippet", _bug)
    with pytest.raises(TypeError):
        index.search("deadlock")
    assert rebuilds == []
    index.close()


@whoosh_leaks
def test_a_damaged_segment_is_still_rebuilt(index: SearchIndex, rebuilds: list[int]) -> None:
    _corrupt(index.dir, "truncate-segments")
    results = index.search("deadlock")
    assert rebuilds == [1]
    assert "rebuilt" in results.notice
    assert 4 in [hit.number for hit in results.hits]
    index.close()


def test_a_bug_during_a_sync_keeps_the_index(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch, template: Template
) -> None:
    """A sync that meets a bug while indexing a changed file raises it; it does not throw
    the index away and rebuild (which met the same bug, after discarding everything)."""
    changed = next(index.folder.root.glob("001-*.md"))
    changed.write_text(changed.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    monkeypatch.setattr(store, "index_document", _bug)
    with pytest.raises(TypeError):
        index.sync()
    index.close()
    monkeypatch.undo()
    again = SearchIndex(EntryFolder(index.folder.root, template), index.dir.parents[1])
    report = again.open()
    assert not report.rebuilt and report.updated == 1
    again.close()


def test_damaged_tells_whoosh_failures_from_bugs() -> None:
    import whoosh

    assert damaged(EOFError("Ran out of input"))
    assert not damaged(TypeError("x"))
    assert not damaged(KeyError("x"))
    here = _raised(Exception("Block tag error"), __file__)
    inside = _raised(Exception("Block tag error"), str(Path(whoosh.__file__).parent / "x.py"))
    assert not damaged(here)  # a plain Exception of this program is a bug
    assert damaged(inside)  # Whoosh's way of saying a block is cut short


def _raised(exc: Exception, filename: str) -> Exception:
    """``exc`` as raised by code in ``filename``."""
    namespace: dict[str, Any] = {}
    exec(compile("def boom(exc):\n    raise exc\n", filename, "exec"), namespace)
    try:
        namespace["boom"](exc)
    except Exception as caught:
        return caught
    raise AssertionError("not raised")  # pragma: no cover
