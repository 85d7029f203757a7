"""The preview pane (no entry open) and the tests' ``settle``, which waits for it."""

from __future__ import annotations

import pytest

import mistakes.ui.widgets.peek as peek_module
from mistakes.ui.app import MistakesApp

from .conftest import SIZE, results, settle, started, static_text

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
