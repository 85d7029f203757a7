"""The Stats screen (F9, "Stats" in the palette): bar charts at 80x24, in 16 colours and in
ASCII, with the numbers of ``mistakes stats``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import textual.constants
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from mistakes.services.listing import from_files
from mistakes.services.stats import compute
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.ui.app import MistakesApp, make_app
from mistakes.ui.commands import app_commands
from mistakes.ui.screens.stats import StatsScreen

from .conftest import SIZE, settle, started, wait_until

ENTRIES = Path(__file__).resolve().parent / "snapshot_entries"
FOLDER = "team-mistakes"


async def stats_shown(app: MistakesApp, pilot: Pilot) -> StatsScreen:
    await started(app, pilot)
    await pilot.press("f10")

    def shown() -> bool:
        screen = app.screen
        return isinstance(screen, StatsScreen) and screen.stats is not None

    assert await wait_until(pilot, shown, timeout=10), app.screen
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, StatsScreen)
    return screen


def shown_text(screen: StatsScreen, selector: str) -> str:
    content = screen.query_one(selector, Static).content
    return content.plain if isinstance(content, Content) else str(content)


def chart_rows(text: str, title: str) -> dict[str, tuple[int, int]]:
    """label -> (bar length, count) of one chart of the screen's text."""
    block = text.split(title, 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in block.splitlines()[1:]:
        match = re.match(r"^  (\S.*?)\s{2,}([█#]*)\s*(\d+)$", line)
        assert match, line
        rows[match.group(1)] = (len(match.group(2)), int(match.group(3)))
    return rows


@pytest.fixture
def sixteen_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    # what TERM=linux / TERM=xterm give: Textual's "standard" colour system, the ANSI theme
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    monkeypatch.delenv("NO_COLOR", raising=False)


async def test_stats_screen_at_80x24_in_16_colours(
    build, samples_copy: Path, sixteen_colours
) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        screen = await stats_shown(app, pilot)
        assert app.theme == "ansi-dark"
        text = shown_text(screen, "#stats-charts")
        expected = compute(
            from_files(EntryFolder(samples_copy, load_template())).entries, load_template()
        )
        for title, counts in (
            ("By severity", expected.by_severity),
            ("By status", expected.by_status),
        ):
            rows = chart_rows(text, title)
            assert {k: c for k, (_n, c) in rows.items()} == counts
            top = max(counts.values())
            for label, (length, count) in rows.items():
                assert length > 0 or count == 0, label  # bars visible
                if count == top:
                    assert length == max(n for n, _c in rows.values())
        tags = chart_rows(text, "By tag")
        assert list(tags)[:3] == list(expected.by_tag)[:3]
        months = chart_rows(text, "By month")
        assert {k: c for k, (_n, c) in months.items()} == dict(
            list(expected.by_month.items())[-24:]
        )
        summary = shown_text(screen, "#stats-summary")
        assert f"{expected.entries} entries" in summary
        assert f"{expected.open} open · {expected.resolved} resolved" in summary
        assert screen.numbers() == expected.to_json()
        # every line fits 80 columns
        assert all(len(line) <= 78 for line in text.splitlines())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


async def test_stats_screen_in_ascii_draws_hashes(build, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTAKES_ASCII", "1")
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await stats_shown(app, pilot)
        shot = app.export_screenshot()
        assert "####" in shot
        assert "█" not in shot


async def test_stats_is_a_palette_command(build) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        titles = [command.title for command in app_commands(app)]
        assert any(title.startswith("Stats") for title in titles)


# -- snapshot ------------------------------------------------------------------------------------


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MistakesApp]:
    shutil.copytree(ENTRIES, tmp_path / FOLDER)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(Path(FOLDER), cache_root=tmp_path / "cache", data_dir=tmp_path / "data")
    app.animation_level = "none"
    yield app
    app.workspace.close()


def test_stats_screen_snapshot(snap_compare, snap_app: MistakesApp) -> None:
    async def run_before(pilot: Pilot) -> None:
        await stats_shown(pilot.app, pilot)  # type: ignore[arg-type]

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=run_before)
