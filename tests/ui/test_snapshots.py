"""SVG snapshots of the main screens at 80x24, and some at 120x40 and 200x50
(pytest-textual-snapshot).

The data is fixed (``snapshot_entries/``, fixed dates, no new entry, so no today's date and
no machine environment) and is opened as the relative path ``team-mistakes`` from inside
``tmp_path``, so the top bar shows the same folder name on every machine. Cursors are made
steady before the screenshot (Textual blinks them even headless) and the similar-entries
timer never fires (``quiet_timers`` in conftest.py).

Update after a deliberate change of the screens with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the SVGs in
``__snapshots__/`` before committing them.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from mistakes.ui.app import MistakesApp, make_app
from mistakes.ui.screens.dialogs import ConfirmScreen, HelpScreen

from .conftest import SIZE, dialog, open_entry, settle, started, type_text, wait_until

ENTRIES = Path(__file__).resolve().parent / "snapshot_entries"
FOLDER = "team-mistakes"  # what the top bar shows

RunBefore = Callable[[Pilot], Awaitable[None]]


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MistakesApp]:
    """The app on a copy of the fixed entries, shown under a fixed relative folder name, in
    the same colours whatever the terminal running the tests says about itself."""
    shutil.copytree(ENTRIES, tmp_path / FOLDER)
    monkeypatch.chdir(tmp_path)
    # TERM=xterm (no COLORTERM) means 16 colours and the app's ansi-dark theme; a truecolor
    # terminal means textual-dark. TEXTUAL_COLOR_SYSTEM is read when textual is imported.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(Path(FOLDER), cache_root=tmp_path / "cache", data_dir=tmp_path / "data")
    app.theme = "textual-dark"  # not TEXTUAL_THEME's
    app.animation_level = "none"
    yield app
    app.workspace.close()


async def steady(pilot: Pilot) -> None:
    """Workers done, and every cursor shown without blinking (the 0.5 s blink timer runs
    headless too: a slow machine would catch it hidden)."""
    app = pilot.app
    await settle(app, pilot)  # type: ignore[arg-type]
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            assert isinstance(widget, Input | TextArea)
            widget.cursor_blink = False
            if isinstance(widget, TextArea):
                # Textual 8's line cache keys the cursor only while blinking: a line drawn in
                # the blink's hidden half is reused as it is once blinking stops
                widget._line_cache.clear()
            widget.refresh()
    await pilot.pause()
    # a widget focused after its blink was stopped kept its cursor hidden (stopping the blink
    # shows the cursor only where the focus is at that moment): seen in whole tests/ui runs on
    # a busy machine, where the focus set by an open landed a moment later
    focused = app.focused
    if isinstance(focused, Input | TextArea):
        focused.cursor_blink = True
        focused.cursor_blink = False
    await pilot.pause()
    # resuming the blink's timer wakes its task, and pausing it again at once does not stop
    # it: a blink that fell due meanwhile still runs, once, and an Input draws its cursor
    # only while that blink says visible (a TextArea without blinking draws it always).
    # On a busy machine that hid the search box's cursor (one cell) in the snapshots
    for _ in range(CURSOR_ROUNDS):
        focused = app.focused
        if not isinstance(focused, Input) or focused._cursor_visible:
            break
        focused._cursor_visible = True  # the timer is paused: nothing hides it again
        await pilot.pause()
    else:
        raise AssertionError(f"the cursor of {app.focused!r} kept being hidden")


CURSOR_ROUNDS = 5


def preview_text(app: MistakesApp) -> str:
    content = app.query_one("#preview", Static).content
    return str(getattr(content, "plain", content))


async def start(pilot: Pilot) -> None:
    await started(pilot.app, pilot)  # type: ignore[arg-type]
    await steady(pilot)


async def search(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await started(app, pilot)
    await type_text(pilot, "connection pool")
    await settle(app, pilot)
    # the snippet of the highlighted result is read in a worker of its own
    assert await wait_until(pilot, lambda: ": " in preview_text(app)), preview_text(app)
    await steady(pilot)


async def details_tab(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await open_entry(app, pilot, 2)
    await pilot.press("alt+1")
    await steady(pilot)
    assert app.editor.tabs is not None and app.editor.tabs.active == "tab-details"


async def section_tab(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await open_entry(app, pilot, 2)  # opens on the first section tab
    await steady(pilot)
    assert app.editor.tabs is not None and app.editor.tabs.active == "tab-error_description"


async def markdown_preview(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await open_entry(app, pilot, 2)
    await pilot.press("ctrl+o")
    # the Markdown widget mounts its blocks after its update: wait until they stop coming
    preview = app.query_one("#preview-md")
    counts = [-1]

    def blocks_settled() -> bool:
        counts.append(len(preview.children))
        return counts[-1] > 0 and counts[-1] == counts[-2]

    assert await wait_until(pilot, blocks_settled)
    await steady(pilot)
    assert app.editor.tabs is not None and app.editor.tabs.active == "tab-preview"


async def help_screen(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await started(app, pilot)
    await pilot.press("f1")
    await dialog(app, pilot, HelpScreen)
    await steady(pilot)


async def quit_prompt(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await open_entry(app, pilot, 2)
    await type_text(pilot, "Edited. ")  # into What Happened, which has the focus
    await settle(app, pilot)
    assert app.editor.modified
    await pilot.press("ctrl+q")
    question = await dialog(app, pilot, ConfirmScreen)
    assert question == "Quit with unsaved changes?"
    await steady(pilot)


async def sidebar_hidden(pilot: Pilot) -> None:
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await open_entry(app, pilot, 2)
    await pilot.press("ctrl+b")
    await steady(pilot)
    assert not app.sidebar.display
    # The section panes widen from 44 to 76 columns, but whether Textual delivers their
    # Resize (and so rewraps the text) after ctrl+b depends on timing: sometimes the text
    # stays wrapped at the old width. A pane that is shown again always gets a Resize, so
    # go to Details and back, as a user would, for a screen that does not depend on luck.
    await pilot.press("alt+1")
    await pilot.pause()
    await pilot.press("alt+2")
    await steady(pilot)
    area = app.query_one("#section-what_happened", TextArea)
    assert area.wrapped_document.height == 2, "the text is not wrapped at the new width"


@pytest.mark.parametrize(
    "run_before",
    [
        pytest.param(start, id="start"),
        pytest.param(search, id="search"),
        pytest.param(details_tab, id="details_tab"),
        pytest.param(section_tab, id="section_tab"),
        pytest.param(markdown_preview, id="markdown_preview"),
        pytest.param(help_screen, id="help"),
        pytest.param(quit_prompt, id="quit_prompt"),
        pytest.param(sidebar_hidden, id="sidebar_hidden"),
    ],
)
def test_screen(snap_compare, snap_app: MistakesApp, run_before: RunBefore) -> None:
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(120, 40), (200, 50)], ids=["120x40", "200x50"])
@pytest.mark.parametrize(
    "run_before",
    [
        pytest.param(start, id="start"),
        pytest.param(search, id="search"),
        pytest.param(section_tab, id="section_tab"),
        pytest.param(help_screen, id="help"),
    ],
)
def test_screen_at_larger_sizes(
    snap_compare, snap_app: MistakesApp, run_before: RunBefore, size: tuple[int, int]
) -> None:
    """The sidebar grows with the terminal, the panes fill the height, F1 fits the screen."""
    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


ALIKE = """---
title: Connection pool exhausted again after async SQLAlchemy migration
date: 2025-06-02
reporter: Sam K.
severity: high
status: resolved
tags: [database, sqlalchemy]
---

## Error Description

### What Happened

The pool ran dry again, this time in the async workers.
"""


async def titles_alike(pilot: Pilot) -> None:
    """Two entries whose titles start "Connection pool exhausted", with an entry open: at 80
    columns each keeps where it differs ("…after deploy…", "…again after…")."""
    app: MistakesApp = pilot.app  # type: ignore[assignment]
    await open_entry(app, pilot, 1)
    await pilot.press("ctrl+f")
    await type_text(pilot, "connection pool")
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: {h.number for h in app.sidebar.hits} >= {2, 5})
    await steady(pilot)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_titles_alike(
    snap_compare, snap_app: MistakesApp, tmp_path: Path, size: tuple[int, int]
) -> None:
    (tmp_path / FOLDER / "005-connection-pool-exhausted-again-after-async.md").write_text(
        ALIKE, encoding="utf-8"
    )
    assert snap_compare(snap_app, terminal_size=size, run_before=titles_alike)


BLINK_DUE = 1.1  # seconds: more than the 0.5 s blink of an Input, so one falls due


async def test_steady_shows_the_cursor_when_a_blink_fell_due_while_it_was_paused(
    snap_app: MistakesApp,
) -> None:
    """steady() stops every cursor blinking and shows it. Its resume-and-pause of the
    focused widget's blink let a blink due meanwhile run once more and hide the cursor of
    the search box: 3 or 4 snapshots in 5 differed by that cell on a busy machine, where a
    blink falls due during steady's pauses. Waiting here while it is paused makes it due."""
    app = snap_app
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        box = app.sidebar.search_box
        box.focus()
        await pilot.pause(BLINK_DUE)  # it blinks (a focus's restart of the blink is over)
        box.cursor_blink = False
        await pilot.pause(BLINK_DUE)  # the next blink falls due while it is paused
        await steady(pilot)
        assert app.focused is box
        assert box._cursor_visible
