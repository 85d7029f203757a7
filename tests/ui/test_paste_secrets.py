"""A paste into a section pane masks secrets before they reach the pane (and the file)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual import events

import mistakes.ui.app as app_module
from mistakes.services import secrets
from mistakes.ui.app import MistakesApp

from .conftest import SIZE, settle, started, wait_until
from .test_section_panes import new_entry, pane, to_tab

AWS = "AKIAIOSFODNN7EXAMPLE"


async def test_a_pasted_log_is_saved_with_its_secrets_masked(build, samples_copy: Path) -> None:
    log = "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "/app/deploy.py", line 12, in push',
            f"botocore.exceptions.ClientError: key {AWS} is not authorised",
            "retrying with postgres://deploy:hunter2pass@db:5432/app at 0x7f3a2c1b9e80",
        ]
    )
    app: MistakesApp = build()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await new_entry(app, pilot, "Pasted secrets")
        await to_tab(app, pilot, "tab-error_messages")
        area = pane(app, "error_messages")
        app.post_message(events.Paste(log))
        await pilot.pause()
        await pilot.pause()
        assert AWS not in area.text
        assert "key [REDACTED:aws-key] is not authorised" in area.text
        messages = [n.message for n in app._notifications]
        assert "Masked 2 secrets (aws-key, url-password) in the paste, as [REDACTED:kind]." in (
            messages
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        saved = app.stored.path.read_text("utf-8")  # type: ignore[union-attr]
    assert AWS not in saved and "hunter2pass" not in saved
    assert "postgres://deploy:[REDACTED:url-password]@db:5432/app at 0x7f3a2c1b9e80" in saved
    assert '  File "/app/deploy.py", line 12, in push' in saved


async def test_a_paste_without_secrets_says_nothing(build) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await new_entry(app, pilot, "Plain paste")
        await to_tab(app, pilot, "tab-error_messages")
        app.post_message(events.Paste("KeyError: 'user' at commit 9e1ffc2b7a4c3d5e"))
        await pilot.pause()
        await pilot.pause()
        assert "9e1ffc2b7a4c3d5e" in pane(app, "error_messages").text
        assert not any("Masked" in n.message for n in app._notifications)


async def test_the_secret_patterns_are_loaded_in_a_thread_after_the_start(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """detect-secrets' plugins were imported on the event loop at the first paste (70-400
    ms once, the keys typed meanwhile waited): the app loads them in a worker thread once
    its first listing is painted and the form is built, once no key has come for a while
    (WARM_IDLE_SECONDS), before any paste."""
    caches = (
        secrets._detectors,
        secrets._keywords,
        secrets._names_not_values,
        secrets._indirect,
    )
    for loader in caches:
        loader.cache_clear()
    threads: list[int] = []
    warm_up = getattr(secrets, "warm_up", lambda: None)  # (none before: nothing warmed)

    def watched() -> None:
        threads.append(threading.get_ident())
        warm_up()

    monkeypatch.setattr(secrets, "warm_up", watched, raising=False)
    monkeypatch.setattr(app_module, "WARM_IDLE_SECONDS", 0.4, raising=False)
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert await wait_until(pilot, lambda: bool(threads), timeout=10.0)
        await settle(app, pilot)
        assert threads and threads[0] != threading.main_thread().ident
        assert all(loader.cache_info().currsize == 1 for loader in caches)
