"""Fixtures and helpers for the search tests.

The sample index (the 24 entries of sample_mistakes/) is built once per session in its own
cache directory and only ever read; tests that change an index build their own.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mistakes.domain.template import Template
from mistakes.search.index import SearchIndex
from mistakes.storage.folder import EntryFolder

SAMPLES = Path(__file__).resolve().parents[2] / "sample_mistakes"

SECTION_HEADINGS = {
    "what_happened": ("Error Description", "What Happened"),
    "expected_behavior": ("Error Description", "Expected Behavior"),
    "error_messages": ("Error Messages", None),
    "why_it_happened": ("Root Cause Analysis", "Why It Happened"),
    "fix": ("Solution", "The Fix"),
}


def entry_text(
    title: str,
    *,
    date: str = "2025-01-01",
    severity: str = "medium",
    status: str = "active",
    tags: tuple[str, ...] = (),
    reporter: str = "",
    **sections: str,
) -> str:
    """The text of a small entry file in the default template's format."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    if reporter:
        lines.append(f"reporter: {reporter}")
    lines += [f"severity: {severity}", f"status: {status}"]
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    lines += ["---", ""]
    current_h2 = None
    for key, text in sections.items():
        h2, h3 = SECTION_HEADINGS[key]
        if h2 != current_h2:
            lines += [f"## {h2}", ""]
            current_h2 = h2
        if h3:
            lines += [f"### {h3}", ""]
        if key == "error_messages":
            lines += ["```", text, "```", ""]
        else:
            lines += [text, ""]
    return "\n".join(lines)


def write_entry(root: Path, number: int, slug: str, title: str, **kwargs: object) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{number:03d}-{slug}.md"
    path.write_text(entry_text(title, **kwargs), "utf-8")
    return path


def numbers(hits: list) -> list[int]:
    return [hit.number for hit in hits]


@pytest.fixture(scope="session")
def sample_index(
    tmp_path_factory: pytest.TempPathFactory, template: Template
) -> Iterator[SearchIndex]:
    """A read-only index of a copy of the 24 sample entries."""
    base = tmp_path_factory.mktemp("sample-index")
    root = base / "samples"
    shutil.copytree(SAMPLES, root)
    index = SearchIndex(EntryFolder(root, template), cache_root=base / "cache")
    index.open()
    yield index
    index.close()


@pytest.fixture
def search_numbers(sample_index: SearchIndex):
    """Numbers of all hits of a query on the sample index, best first."""

    def run(query: str, *, partial: bool = False) -> list[int]:
        return numbers(sample_index.search(query, limit=50, partial=partial).hits)

    return run


def whoosh_leaks(test: Callable[..., None]) -> Callable[..., None]:
    """For tests that make Whoosh read corrupt files: it leaves them open (a ResourceWarning,
    an error under this project's warning filters)."""
    marks = (
        pytest.mark.filterwarnings("ignore::ResourceWarning"),
        pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
        pytest.mark.usefixtures("collect_garbage"),
    )
    for mark in marks:
        test = mark(test)
    return test


@pytest.fixture
def collect_garbage() -> Iterator[None]:
    """Whoosh leaves files open when it meets a corrupt file; close them within the test
    that made them (its filterwarnings marks ignore the ResourceWarning)."""
    yield
    gc.collect()  # the leaked files are closed now, under this test's warning filters
