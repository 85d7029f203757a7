"""``settle`` that survives a worker being replaced while it is waited for.

conftest's ``settle`` gathers every worker with ``app.workers.wait_for_complete()``, which
raises ``WorkerCancelled`` when one of them is cancelled meanwhile. The app starts its
search, snippet, tags, drafts and sync workers with ``exclusive=True``: a newer one (the
listing refreshed when the startup sync ends, a result highlighted again) cancels the
older one of its group, which is how the app is meant to work, not a failure. Whether that
happens inside a test's wait depends on timing, so tests failed now and then in whole
``tests/ui`` runs on a busy machine and passed alone (``test_draft_discarded_at_next_start``
was one). Here such a wait goes on with the workers that are left.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from mistakes.ui.app import MistakesApp

from .conftest import prompts, results, static_text, wait_until

REPLACED_AT_MOST = 50  # waits restarted after a replaced worker, per round


async def settle(app: MistakesApp, pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and the messages they post be handled (a few hops deep)."""
    for _ in range(rounds):
        for _replaced in range(REPLACED_AT_MOST):
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                await pilot.pause()  # the cancelled one leaves the manager; wait for the rest
        else:
            raise AssertionError(f"workers kept being replaced: {list(app.workers)}")
        await pilot.pause()


# conftest's started and open_entry, waiting with the settle above (until conftest's own
# settle does the same)
async def started(app: MistakesApp, pilot: Pilot) -> None:
    await settle(app, pilot)
    listed = await wait_until(pilot, lambda: results(app).option_count > 0)
    assert listed, (
        static_text(app, "#status-line"),
        [(w.name, w.state.name, repr(w.error)) for w in app.workers],
    )


async def open_entry(app: MistakesApp, pilot: Pilot, number: int) -> None:
    """Highlight the entry in the start listing and open it with enter."""
    await started(app, pilot)
    listing = results(app)
    index = next(i for i, p in enumerate(prompts(app)) if p.startswith(f"{number:03d} "))
    app.sidebar.search_box.focus()
    listing.highlighted = index
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)
    assert await wait_until(
        pilot, lambda: app.stored is not None and app.stored.number == number
    ), f"entry {number} did not open"
    await pilot.pause()
