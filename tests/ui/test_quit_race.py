"""A text change delivered while the app is being torn down (the watch reloaded the open
entry just as the user quit) must not turn the quit into a traceback. Seen once in CI:
``_text_changed`` asked the DOM for the Similar finder after it had been removed."""

from __future__ import annotations

from textual.widgets import TextArea

from mistakes.ui.app import MistakesApp
from mistakes.ui.similar import SimilarFinder

from .conftest import SIZE, settle, started


async def test_a_text_change_after_the_finder_is_gone_is_ignored(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        area = app.query_one("#section-error_messages", TextArea)
        await app.query_one(SimilarFinder).remove()  # as the app's teardown does
        app.post_message(TextArea.Changed(area))
        await pilot.pause()
        await pilot.pause()
    assert app.return_code in (0, None)
