"""What opening an entry does, at 80x24: the work an open repeats for every section pane
(the speed itself is measured in benchmarks/app_bench.py)."""

from __future__ import annotations

from collections.abc import Callable

from mistakes.ui.app import MistakesApp
from mistakes.ui.widgets.section import LANGUAGE, SectionArea

from .conftest import SIZE, open_entry


async def test_every_pane_highlights_with_one_prepared_query(
    build: Callable[..., MistakesApp],
) -> None:
    """Each section pane of two opened entries highlights its Markdown (a code fence, a
    heading) with the same prepared tree-sitter query: it is prepared once, not once for
    every pane of every open (2 ms a pane, ~45 ms an open)."""
    assert LANGUAGE == "markdown"  # tree-sitter-markdown is a dependency of the app
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        queries = []
        for number in (1, 4):
            await open_entry(app, pilot, number)
            areas = list(app.query(SectionArea))
            assert areas
            queries += [area._highlight_query for area in areas]
            fenced = [area for area in areas if "```" in area.text]
            assert fenced, f"entry {number}: no section with a code fence"
            for area in fenced:
                assert area._highlights, f"{area.id} of {number}: no highlights"
        assert all(query is not None for query in queries)
        assert len({id(query) for query in queries}) == 1
