"""The tests' record of what the app said outlasts the notification's timeout: a slow
``settle`` under load once let Textual drop a message before the test read it."""

from __future__ import annotations

import asyncio

from mistakes.ui.app import MistakesApp

from .conftest import started


async def test_a_notification_past_its_timeout_is_still_readable(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        app.notify("Saved 005-connection-pool.md", timeout=0.05)
        await asyncio.sleep(0.2)
        await pilot.pause()
        assert any("Saved 005" in n.message for n in app._notifications)
