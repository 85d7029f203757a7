"""The palette's "History of this entry": the git log of the open entry, in a dialog."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.history import HistoryScreen
from tests.gitrepo import git
from tests.ui.conftest import settle, wait_until
from tests.ui.test_daily_use import palette, started


async def test_history_from_the_palette_lists_the_commits(build, samples_copy: Path) -> None:
    git(samples_copy, "init", "-q")
    git(samples_copy, "config", "user.name", "Priya Natarajan")
    git(samples_copy, "config", "user.email", "priya@example.com")
    git(samples_copy, "add", ".")
    git(samples_copy, "commit", "-qm", "Import the samples", date="2026-03-14T10:22:00+00:00")
    entry = next(samples_copy.glob("005-*.md"))
    entry.write_text(entry.read_text("utf-8").replace("status: resolved", "status: active"))
    git(
        samples_copy, "commit", "-qam", "Reopen <b>005</b> [bold]x[/]",
        date="2026-03-15T09:00:00+00:00", author="Jo Lee",
    )  # fmt: skip

    app: MistakesApp = build()
    async with app.run_test(size=(120, 30)) as pilot:
        await started(app, pilot)
        app.open_path(entry)
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 5)
        await palette(app, pilot, "history of this entry")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        lines = [str(s.content) for s in app.screen.query(".history-line").results(Static)]
        assert len(lines) == 2
        assert lines[0].startswith("2026-03-15 09:00  Jo Lee  ")
        assert "Reopen <b>005</b> [bold]x[/]" in lines[0]  # as written, not markup
        assert lines[1].startswith("2026-03-14 10:22  Priya Natarajan  ")
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
