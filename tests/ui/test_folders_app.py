"""The app over several folders, at 80x24: a folder label per result, the ctrl+n picker,
opening and saving the right file."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import OptionList, Static

from mistakes.services.drafts import Draft
from mistakes.services.watch import FolderChanges
from mistakes.storage.folder import StoredEntry
from mistakes.ui.app import MistakesApp, make_app
from mistakes.ui.screens.dialogs import ConfirmScreen
from mistakes.ui.screens.drafts import DraftPicker
from mistakes.ui.screens.folders import FolderPicker
from mistakes.ui.screens.stats import StatsScreen
from tests.conftest import split_samples

from .conftest import (
    SIZE,
    area,
    dialog,
    prompts,
    results,
    settle,
    started,
    topbar,
    type_text,
    wait_until,
)


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    return split_samples(tmp_path)


@pytest.fixture
def app(two: tuple[Path, Path], tmp_path: Path):
    made = make_app(
        [str(two[0]), str(two[1])], cache_root=tmp_path / "cache", data_dir=tmp_path / "data"
    )
    made.animation_level = "none"
    yield made
    made.workspace.close()


async def test_results_name_their_folder(app: MistakesApp, two: tuple[Path, Path]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        # every folder's entries are listed, each with its folder on its second line
        shown = prompts(app)
        assert any("\n    payments " in p for p in shown)
        assert any("\n    search " in p for p in shown)
        await type_text(pilot, "pool exhausted")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: results(app).option_count >= 2)
        shown = prompts(app)
        fives = [p for p in shown if p.startswith("005 ")]
        assert len(fives) == 2  # the same file name in both folders: two rows
        assert {p.split("\n")[1].split()[0] for p in fives} == {"payments", "search"}
        ids = [results(app).get_option_at_index(i).id for i in range(results(app).option_count)]
        assert len(ids) == len(set(ids))
        # open the one in search: the file of that folder is opened
        index = next(i for i, p in enumerate(shown) if p.startswith("005 ") and "search" in p)
        results(app).highlighted = index
        results(app).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.path.parent == two[1]
        assert str(two[1]) in topbar(app) or topbar(app).startswith("…")


async def test_ctrl_n_asks_which_folder(app: MistakesApp, two: tuple[Path, Path]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        assert await wait_until(pilot, lambda: isinstance(app.screen, FolderPicker))
        await pilot.pause()
        picker = app.screen
        region = picker.query_one("Vertical").region
        assert region.right <= SIZE[0] and region.bottom <= SIZE[1]
        await pilot.press("escape")  # no new entry
        await settle(app, pilot)
        assert app.editor.original is None
        await pilot.press("ctrl+n")
        assert await wait_until(pilot, lambda: isinstance(app.screen, FolderPicker))
        await pilot.press("down", "enter")  # the second: search
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        await type_text(pilot, "Goes to search")
        await pilot.press("f5", "h")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.path.parent == two[1]
        assert not list(two[0].glob("*goes-to-search*"))
        # the number key picks too: 1 is payments
        await pilot.press("ctrl+n")
        assert await wait_until(pilot, lambda: isinstance(app.screen, FolderPicker))
        await pilot.press("1")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None and not app.stored)
        await type_text(pilot, "Goes to payments")
        await pilot.press("f5", "h")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.path.parent == two[0]


async def test_a_change_in_another_folder_is_not_the_open_entrys(
    app: MistakesApp, two: tuple[Path, Path]
) -> None:
    """payments/005 is open; search/005 (the same file name) changes on disk: the open entry
    is neither reloaded nor asked about, nor even read again to find out."""
    ours, theirs = next(two[0].glob("005-*.md")), next(two[1].glob("005-*.md"))
    assert ours.name == theirs.name
    seen: list[FolderChanges] = []
    reread: list[Path] = []
    poll, changed_on_disk = app.workspace.poll_folder, app.workspace.changed_on_disk

    def spy_poll(also: Path | None = None) -> FolderChanges:
        changes = poll(also)
        seen.append(changes)
        return changes

    def spy_changed(stored: StoredEntry) -> bool:
        reread.append(stored.path)
        return changed_on_disk(stored)

    app.workspace.poll_folder = spy_poll  # type: ignore[method-assign]
    app.workspace.changed_on_disk = spy_changed  # type: ignore[method-assign]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        app._open(ours)
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert app.stored is not None and app.stored.path == ours
        opened = app.stored
        app.check_open_file()  # the watch remembers the folders as they are
        await settle(app, pilot)
        text = theirs.read_text("utf-8").replace("\ntitle:", "\ntitle: Changed elsewhere ·", 1)
        theirs.write_text(text, encoding="utf-8")
        os.utime(theirs, ns=(theirs.stat().st_atime_ns, theirs.stat().st_mtime_ns + 10**9))
        app.check_open_file()
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: any(theirs in c.changed for c in seen))
        await settle(app, pilot)
        assert app.stored is opened  # not reloaded
        assert not isinstance(app.screen, ConfirmScreen)
        assert not any("changed on disk" in n.message for n in app._notifications)
        assert reread == []  # the open file was not even read again
        # its own file changing is still seen
        ours.write_text(ours.read_text("utf-8") + "\n", encoding="utf-8")
        os.utime(ours, ns=(ours.stat().st_atime_ns, ours.stat().st_mtime_ns + 10**9))
        app.check_open_file()
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: reread == [ours])
        assert await wait_until(
            pilot, lambda: any("changed on disk" in n.message for n in app._notifications)
        )


async def test_stats_screen_names_the_folder_of_recurring_entries(
    app: MistakesApp, two: tuple[Path, Path]
) -> None:
    """F10 over two folders that both have a 005: each recurring entry has its folder."""
    for folder, times in ((two[0], 1), (two[1], 2)):
        path = next(folder.glob("005-*.md"))
        lines = "".join(f"- 2026-11-0{n + 1} 10:00: again\n" for n in range(times))
        path.write_text(path.read_text("utf-8") + "\n## Occurrences\n\n" + lines, "utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f10")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.stats is not None
        )
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is not None
        assert [(r["folder"], r["seen"]) for r in screen.stats.most_recurring] == [
            ("search", 2),
            ("payments", 1),
        ]
        content = screen.query_one("#stats-charts", Static).content
        text = content.plain if isinstance(content, Content) else str(content)
        assert "  search:005  seen   2  " in text and "  payments:005  seen   1  " in text


async def _hang_up(made: MistakesApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """What SIGHUP runs: the unsaved work is kept as a draft and the app ends."""
    await pilot.pause()
    assert made.editor.modified
    made._on_signal(signal.SIGHUP)
    await wait_until(pilot, lambda: not made.is_running)


def _pick_draft(made: MistakesApp, which: Callable[[Draft], bool]) -> None:
    picker = made.screen
    assert isinstance(picker, DraftPicker)
    listing = picker.query_one("#draft-list", OptionList)
    (index,) = [i for i, d in enumerate(picker.drafts) if which(d)]
    listing.highlighted = index
    listing.focus()


async def test_drafts_go_back_to_their_own_folder(two: tuple[Path, Path], tmp_path: Path) -> None:
    """Drafts of payments/005, of search/005 (the same file name) and of a new entry meant
    for search are all kept, are offered when the folders are opened in the other order,
    and each is saved to its own folder."""
    a, b = two
    ours, theirs = next(a.glob("005-*.md")), next(b.glob("005-*.md"))
    before = ours.read_bytes()

    def build(*dirs: Path) -> MistakesApp:
        made = make_app(
            [str(d) for d in dirs], cache_root=tmp_path / "cache", data_dir=tmp_path / "data"
        )
        made.animation_level = "none"
        return made

    for path, text in ((ours, " (payments draft)"), (theirs, " (search draft)")):
        made = build(a, b)
        try:
            async with made.run_test(size=SIZE) as pilot:
                await started(made, pilot)
                if isinstance(made.screen, DraftPicker):
                    await pilot.press("escape")  # later
                    await settle(made, pilot)
                made._open(path)
                await settle(made, pilot)
                assert await wait_until(pilot, lambda m=made: m.stored is not None)  # type: ignore[misc]
                assert made.stored is not None and made.stored.path == path
                area(made, "what_happened").insert(text)
                await _hang_up(made, pilot)
        finally:
            made.workspace.close()
    made = build(a, b)
    try:
        async with made.run_test(size=SIZE) as pilot:
            await started(made, pilot)
            if isinstance(made.screen, DraftPicker):
                await pilot.press("escape")
                await settle(made, pilot)
            await pilot.press("ctrl+n")
            assert await wait_until(pilot, lambda: isinstance(made.screen, FolderPicker))
            await pilot.press("2")  # search
            await settle(made, pilot)
            assert await wait_until(pilot, lambda: made.editor.original is not None)
            await type_text(pilot, "Drafted for search")
            await _hang_up(made, pilot)
    finally:
        made.workspace.close()
    # the folders the other way round: every draft is offered
    made = build(b, a)
    try:
        async with made.run_test(size=SIZE) as pilot:
            await dialog(made, pilot, DraftPicker)
            picker = made.screen
            assert isinstance(picker, DraftPicker)
            assert sorted(str(d.path) for d in picker.drafts) == sorted(
                [str(ours), str(theirs), "None"]
            )
            _pick_draft(made, lambda d: d.path is None)
            await pilot.press("r")
            await settle(made, pilot)
            assert await wait_until(pilot, lambda: made.editor.original is not None)
            await pilot.press("f5", "h")
            await pilot.press("ctrl+s")
            await settle(made, pilot)
            assert await wait_until(pilot, lambda: made.stored is not None)
            assert made.stored is not None and made.stored.path.parent == b
            assert not list(a.glob("*drafted-for-search*"))
            await dialog(made, pilot, DraftPicker)  # the others
            _pick_draft(made, lambda d: d.path == theirs)
            await pilot.press("r")
            await settle(made, pilot)
            assert await wait_until(
                pilot, lambda: made.stored is not None and made.stored.path == theirs
            )
            await pilot.press("ctrl+s")
            await settle(made, pilot)
            assert await wait_until(pilot, lambda: not made.editor.modified)
            await settle(made, pilot)
    finally:
        made.workspace.close()
    assert "(search draft)" in theirs.read_text("utf-8")
    assert ours.read_bytes() == before  # its draft still waits
    assert "(payments draft)" not in theirs.read_text("utf-8")
