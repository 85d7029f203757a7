"""The newest entries as the app last listed them are shown at the next start before the
index is open, then replaced by the index's own listing (80x24)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from mistakes.ui.app import MistakesApp
from mistakes.ui.newest import newest_path

from .conftest import SIZE, entry_file, prompts, results, settle, started, wait_until


async def first_run(build) -> list[str]:  # type: ignore[no-untyped-def]
    """Start the app once (the index is built and listed), quit; what it listed."""
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await settle(app, pilot)
        listed = prompts(app)
        assert not app.sidebar.from_saved
        await pilot.press("ctrl+q")
    return listed


def held_index(app: MistakesApp) -> threading.Event:
    """Opening the index waits for the event (as behind a slow disk or another process)."""
    go = threading.Event()
    opened = app.workspace.open_as_is

    def open_as_is() -> bool:
        go.wait(10)
        return opened()

    app.workspace.open_as_is = open_as_is  # type: ignore[method-assign]
    return go


async def test_the_newest_entries_as_left_are_listed_before_the_index_opens(build) -> None:
    listed = await first_run(build)
    assert len(listed) == 24
    app: MistakesApp = build()
    go = held_index(app)
    async with app.run_test(size=SIZE) as pilot:
        try:
            assert await wait_until(pilot, lambda: results(app).option_count > 0)
            assert app.sidebar.from_saved
            assert prompts(app) == listed
            assert app.sidebar.highlighted_hit is not None
        finally:
            go.set()
        assert await wait_until(pilot, lambda: not app.sidebar.from_saved)
        await settle(app, pilot)
        assert prompts(app) == listed


async def test_an_entry_deleted_since_leaves_the_list_once_the_index_is_in_step(
    build, samples_copy: Path
) -> None:
    listed = await first_run(build)
    newest = listed[0].split()[0]
    entry_file(samples_copy, int(newest)).unlink()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert await wait_until(
            pilot, lambda: not any(p.startswith(newest + " ") for p in prompts(app)), timeout=10
        )
        await settle(app, pilot)
        assert not app.sidebar.from_saved
        assert prompts(app) == listed[1:]


async def test_a_damaged_saved_listing_is_ignored(build, samples_copy: Path) -> None:
    listed = await first_run(build)
    app: MistakesApp = build()
    path = newest_path(app.workspace.root, app.workspace.search.cache_root)
    assert path.is_file()
    path.write_text('{"version": 1, "total": 3, "hits": [{"name": "../../etc/passwd"}]}')
    go = held_index(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert results(app).option_count == 0  # nothing listed from the damaged file
        go.set()
        await started(app, pilot)
        assert not app.sidebar.from_saved
        assert prompts(app) == listed


async def test_several_folders_neither_show_nor_keep_one_folders_saved_listing(
    tmp_path: Path,
) -> None:
    """The saved file is one folder's and names no folder: over several folders it would
    list the first folder's entries as the whole list (and open them in the wrong folder)."""
    import shutil

    from mistakes.ui.app import make_app
    from tests.conftest import SAMPLES

    a, b = tmp_path / "payments", tmp_path / "search"
    a.mkdir()
    b.mkdir()
    for number, path in enumerate(sorted(SAMPLES.glob("*.md")), 1):
        shutil.copy(path, (a if number % 2 else b) / path.name)

    def make(*dirs: Path) -> MistakesApp:
        made = make_app(
            [str(d) for d in dirs], cache_root=tmp_path / "cache", data_dir=tmp_path / "data"
        )
        made.animation_level = "none"
        return made

    alone = make(a)  # the first folder alone keeps its listing
    async with alone.run_test(size=SIZE) as pilot:
        await started(alone, pilot)
        await settle(alone, pilot)
        await pilot.press("ctrl+q")
    alone.workspace.close()
    path = newest_path(a, tmp_path / "cache")
    assert path.is_file()
    kept = path.read_bytes()

    app = make(a, b)
    go = held_index(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            try:
                await pilot.pause(0.3)
                assert results(app).option_count == 0  # not the first folder's list alone
                assert not app.sidebar.from_saved
            finally:
                go.set()
            await started(app, pilot)
            await settle(app, pilot)
            assert any("\n    search " in p for p in prompts(app))
        assert path.read_bytes() == kept  # not overwritten with a merged list
    finally:
        app.workspace.close()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_the_saved_listing_is_cut_for_the_width_it_is_laid_out_at(
    build, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The saved listing is shown before the first layout: its titles are cut for the width
    the list then gets (the sidebar's border taken off), not cut again and all replaced
    once the list is laid out (100 prompts rebuilt in the first frame's time)."""
    await first_run(build)
    replaced = [0]
    replace = OptionList.replace_option_prompt_at_index

    def counted(self: OptionList, index: int, prompt: Any) -> OptionList:
        replaced[0] += 1
        return replace(self, index, prompt)

    monkeypatch.setattr(OptionList, "replace_option_prompt_at_index", counted)
    app: MistakesApp = build()
    go = held_index(app)
    async with app.run_test(size=size) as pilot:
        try:
            assert await wait_until(pilot, lambda: results(app).option_count > 0)
            await pilot.pause()
            assert app.sidebar.from_saved
            assert replaced[0] == 0
            await pilot.resize_terminal(size[0] + 20, size[1])  # a real change: cut again
            await pilot.pause()
            assert await wait_until(pilot, lambda: replaced[0] > 0)
        finally:
            go.set()
        await settle(app, pilot)
