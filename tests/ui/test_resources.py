"""What the app leaves behind and what it costs while idle."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll

from mistakes.ui.app import MistakesApp

from .conftest import SIZE, entry_file, started


async def test_app_closes_its_search_index_on_exit(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        index = app.workspace.search.index
        assert index._ix is not None
        await pilot.press("ctrl+q")
    assert index._searcher is None and index._ix is None


async def test_open_entry_layout_settles(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app._open(entry_file(samples_copy, 12))
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        scroll = app.query_one("#tab-error_description").query_one(VerticalScroll)
        states = set()
        for _ in range(10):
            await pilot.pause(0.02)
            states.add((scroll.show_vertical_scrollbar, scroll.virtual_size))
        assert len(states) == 1, states
