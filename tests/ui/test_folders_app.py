"""The app over several folders, at 80x24: a folder label per result, the ctrl+n picker,
opening and saving the right file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mistakes.ui.app import MistakesApp, make_app
from mistakes.ui.screens.folders import FolderPicker
from tests.conftest import SAMPLES

from .conftest import SIZE, prompts, results, settle, started, topbar, type_text, wait_until


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "payments" / "mistakes", tmp_path / "search"
    a.mkdir(parents=True)
    b.mkdir()
    for number, path in enumerate(sorted(SAMPLES.glob("*.md")), 1):
        shutil.copy(path, (a if number % 2 else b) / path.name)
    shutil.copy(next(a.glob("005-*.md")), b / next(a.glob("005-*.md")).name)  # same name
    return a, b


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
