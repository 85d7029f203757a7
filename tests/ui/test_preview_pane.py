"""The preview pane (no entry open), the sidebar's whole ranking after a partial answer, and
the tests' ``settle``, which waits for both."""

from __future__ import annotations

from pathlib import Path

import pytest

import mistakes.ui.widgets.peek as peek_module
import mistakes.ui.widgets.sidebar as sidebar_module
from mistakes.ui.app import MistakesApp

from .conftest import SIZE, results, settle, started, static_text, type_text
from .test_daily_use import many_entries

BROAD = "cron"  # in the title of every entry many_entries adds
SLOW_PREVIEW = 2.0  # seconds: longer than settle's rounds take, even on a busy machine


async def test_settle_waits_until_the_highlighted_entry_is_previewed(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pane reads the highlighted entry after a pause (a timer, then a worker). settle
    waited for the workers only, and the timer's worker had not started yet: on a busy
    machine the snapshots caught the pane before it was filled (3 or 4 runs in 5 failed).
    A longer pause than the usual 0.12 s made that happen on any machine."""
    monkeypatch.setattr(peek_module, "PEEK_DELAY", SLOW_PREVIEW)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        first = app.sidebar.highlighted_hit
        assert first is not None
        assert static_text(app, "#peek-text").startswith(f"{first.number:03d} ")
        assert not app.peek.pending
        results(app).highlighted = 1  # another entry: the pane follows it
        await settle(app, pilot)
        second = app.sidebar.highlighted_hit
        assert second is not None and second.number != first.number
        assert static_text(app, "#peek-text").startswith(f"{second.number:03d} ")
        assert not app.peek.pending


async def test_settle_waits_for_the_sidebars_whole_ranking(
    build, monkeypatch: pytest.MonkeyPatch, samples_copy: Path
) -> None:
    """A broad query is first answered with what a keystroke's budget scored, and the whole
    ranking replaces it once typing pauses (a timer, then a search worker). settle waited
    for the workers only: before the timer fired there was none, and a test could look at
    the partial list. No budget (every query partial) and a long pause make that certain."""
    monkeypatch.setattr(sidebar_module, "KEY_BUDGET", 0.0)
    monkeypatch.setattr(sidebar_module, "REFINE_DELAY", SLOW_PREVIEW)
    many_entries(samples_copy, 100)  # more matches than a look at the clock takes (64)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await type_text(pilot, BROAD)
        await settle(app, pilot)
        assert not app.sidebar.refine_pending
        whole = app.workspace.find(BROAD, len(app.sidebar.hits))
        assert whole.complete
        assert [h.path for h in app.sidebar.hits] == [h.path for h in whole.hits]
