"""Helpers for driving the real app headless with Textual's Pilot."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.content import Content
from textual.notifications import Notifications
from textual.pilot import Pilot
from textual.widgets import OptionList, Static, TextArea
from textual.worker import WorkerCancelled

import mistakes.ui.app as app_module
from mistakes.ui.app import MistakesApp, make_app
from mistakes.ui.widgets.peek import EntryPeek
from mistakes.ui.widgets.sidebar import Sidebar

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def quiet_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autosave, the file watcher and the similar-entries lookup run on timers; tests call
    them when they mean to (a lookup running mid-test also slows every key press down)."""
    monkeypatch.setattr(app_module, "AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr(app_module, "WATCH_SECONDS", 3600.0)
    monkeypatch.setattr(app_module, "SIMILAR_DELAY", 3600.0, raising=False)


@pytest.fixture(autouse=True)
def notifications_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read what the app said from ``app._notifications``; Textual drops a notification
    from it once its timeout (5-8 s) has passed, which a slow ``settle`` on a loaded machine
    outlasts (two tests failed so now and then). Kept for the test's length; the toasts on
    screen still go when their own timers say."""
    monkeypatch.setattr(Notifications, "_reap", lambda self: self)


@pytest.fixture
def build(samples_copy: Path, tmp_path: Path) -> Iterator[Callable[..., MistakesApp]]:
    """``build()`` makes an app on the samples copy with its own cache and data folders.

    The fixture closes each app's workspace afterwards too (a no-op when the app did), so that
    a test failing mid-way does not leave index files open (ResourceWarning is an error here).
    """
    apps: list[MistakesApp] = []

    def factory(folder: Path | None = None) -> MistakesApp:
        app = make_app(
            folder or samples_copy,
            cache_root=tmp_path / "cache",
            data_dir=tmp_path / "data",
        )
        app.animation_level = "none"  # tab underlines etc.: pilot waits for every animation
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.workspace.close()


REPLACED_AT_MOST = 50  # waits restarted after a replaced worker, per round


async def settle(app: MistakesApp, pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and the messages they post be handled (a few hops deep).

    ``wait_for_complete`` raises ``WorkerCancelled`` when a worker is cancelled meanwhile,
    and the app starts its search, snippet, tags, drafts and sync workers exclusive: a newer
    one cancels the older one of its group, as meant. Whether that happens inside a wait
    depends on timing (tests failed now and then in whole runs on a busy machine), so the
    wait goes on with the workers that are left."""
    await workers_done(app, pilot, rounds)
    # the whole ranking of a partial answer comes after a pause once typing stops (a timer,
    # then a search worker): the rounds above could end before that timer fired
    if refine_pending(app):
        assert await wait_until(pilot, lambda: not refine_pending(app), TIMER_TIMEOUT), (
            "the sidebar's whole ranking never came"
        )
        await workers_done(app, pilot, rounds)
    # the preview of the highlighted entry is read after a short pause (a timer, then a
    # worker): on a busy machine the rounds above could end before that timer fired, and
    # the screen was taken with the preview of the entry before (or none)
    assert await wait_until(pilot, lambda: not preview_pending(app), TIMER_TIMEOUT), (
        "the preview of the highlighted entry was never shown",
        [(w.name, w.state.name, repr(w.error)) for w in app.workers],
    )
    await pilot.pause()


async def workers_done(app: MistakesApp, pilot: Pilot, rounds: int) -> None:
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


TIMER_TIMEOUT = 20.0  # seconds of pauses (a bound, not a timing: it ends as soon as done)


def preview_pending(app: MistakesApp) -> bool:
    """Whether the preview pane has an entry still to show (see ``EntryPeek.pending``)."""
    return any(peek.pending for screen in app.screen_stack for peek in screen.query(EntryPeek))


def refine_pending(app: MistakesApp) -> bool:
    """Whether the sidebar's partial answer waits for its whole ranking (a timer)."""
    return any(bar.refine_pending for screen in app.screen_stack for bar in screen.query(Sidebar))


async def wait_until(
    pilot: Pilot, check: Callable[[], bool], timeout: float = 3.0, step: float = 0.05
) -> bool:
    waited = 0.0
    while not check():
        if waited >= timeout:
            return False
        await pilot.pause(step)
        waited += step
    return True


async def dialog(app: MistakesApp, pilot: Pilot, screen_type: type, timeout: float = 3.0) -> str:
    """Wait for a modal of ``screen_type`` to be up and composed; its question text."""

    def up() -> bool:
        screen = app.screen
        return isinstance(screen, screen_type) and bool(screen.query("Static"))

    assert await wait_until(pilot, up, timeout), f"no {screen_type.__name__} (on {app.screen!r})"
    await pilot.pause()
    return str(app.screen.query_one(Static).content)


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)


async def started(app: MistakesApp, pilot: Pilot) -> None:
    await settle(app, pilot)
    listed = await wait_until(pilot, lambda: results(app).option_count > 0)
    assert listed, (
        static_text(app, "#status-line"),
        [(w.name, w.state.name, repr(w.error)) for w in app.workers],
    )


def results(app: MistakesApp) -> OptionList:
    return app.query_one("#results", OptionList)


def prompts(app: MistakesApp) -> list[str]:
    listing = results(app)
    out = []
    for index in range(listing.option_count):
        prompt = listing.get_option_at_index(index).prompt
        out.append(prompt.plain if isinstance(prompt, Content) else str(prompt))
    return out


def static_text(app: MistakesApp, selector: str) -> str:
    content = app.query_one(selector, Static).content
    return content.plain if isinstance(content, Content) else str(content)


def topbar(app: MistakesApp) -> str:
    return static_text(app, "#topbar")


def area(app: MistakesApp, key: str) -> TextArea:
    return app.query_one(f"#section-{key}", TextArea)


def entry_file(folder: Path, number: int) -> Path:
    (found,) = folder.glob(f"{number:03d}-*.md")
    return found


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


def changed_lines(before: str, after: str) -> list[tuple[str, int, int]]:
    """(tag, i1, i2) of each non-equal opcode, in ``before``'s line numbers."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    return [(tag, i1, i2) for tag, i1, i2, _j1, _j2 in matcher.get_opcodes() if tag != "equal"]


def section_range(text: str, heading: str) -> tuple[int, int]:
    """Line numbers [start, end) of a section: its heading up to the next heading."""
    lines = text.splitlines()
    start = lines.index(heading)
    end = start + 1
    fenced = False
    while end < len(lines):
        line = lines[end]
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            break
        end += 1
    return start, end


def diff_text(before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), n=1)
    )
