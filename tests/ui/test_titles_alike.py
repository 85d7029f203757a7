"""Results whose titles start alike read apart in a narrow list (005 and 019 both read
"Connection pool exhausted…" at 80 columns)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from mistakes.ui.app import MistakesApp
from mistakes.ui.widgets.sidebar import cut_end, shown_titles

from .conftest import results, settle, started, type_text, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 50), id="200x50")]


# -- titles in a narrow list ----------------------------------------------------------------------
def list_rows(app: MistakesApp) -> list[str]:
    """The result list's rows as painted."""
    listing = results(app)
    strips = listing.render_lines(Region(0, 0, listing.size.width, listing.size.height))
    return [strip.text.rstrip() for strip in strips]


def title_row(app: MistakesApp, number: int) -> str:
    return next(row for row in list_rows(app) if row.startswith(f"{number:03d} "))


async def show_connection_pool(app: MistakesApp, pilot: Pilot) -> None:
    await started(app, pilot)
    await type_text(pilot, "connection pool")
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: {h.number for h in app.sidebar.hits} >= {5, 19})
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_entries_whose_titles_start_alike_read_apart(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    """005 and 019 both start "Connection pool exhausted". At 80 columns the list showed
    both as "Connection pool exhausted…"; the cut now keeps where they differ."""
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await show_connection_pool(app, pilot)
        five, nineteen = title_row(app, 5), title_row(app, 19)
        assert five[4:] != nineteen[4:]
        assert "after" in five
        assert "again" in nineteen
        if size == (200, 50):  # room for the whole titles
            assert five == "005 Connection pool exhausted after deploy of v2.3"
            assert (
                nineteen == "019 Connection pool exhausted again after async SQLAlchemy migration"
            )
        # the other titles read as before: cut at the end where they do not fit
        others = [
            row for row in list_rows(app) if row[:3].isdigit() and row[:3] not in ("005", "019")
        ]
        assert others
        assert all("…" not in row[4:-1] for row in others)


async def test_titles_are_cut_again_when_the_list_narrows(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=(200, 50)) as pilot:
        await show_connection_pool(app, pilot)
        assert title_row(app, 5) == "005 Connection pool exhausted after deploy of v2.3"
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: title_row(app, 5)[4:] != title_row(app, 19)[4:])
        assert "after" in title_row(app, 5)
        await pilot.press("alt+right")  # wider again: whole titles where they fit
        await settle(app, pilot)
        await pilot.resize_terminal(200, 50)
        await settle(app, pilot)
        assert await wait_until(
            pilot,
            lambda: title_row(app, 5) == "005 Connection pool exhausted after deploy of v2.3",
        )


# -- the cut itself -----------------------------------------------------------------------------
def test_cut_end_fits_the_width_in_cells() -> None:
    assert cut_end("short", 10) == "short"
    assert cut_end("Connection pool exhausted", 12) == "Connection…"
    assert cut_end("接続プールが枯渇", 7) == "接続プ…"  # two cells a character


def test_titles_apart_where_their_end_cuts_would_read_the_same() -> None:
    titles = [
        "Connection pool exhausted after deploy of v2.3",
        "Connection pool exhausted again after async SQLAlchemy migration",
        "TLS certificate expired on internal API gateway",
        "Flaky test",
    ]
    shown = shown_titles(titles, 26)
    assert shown[2:] == titles[2:]  # left whole: the list cuts them at the end
    assert shown[0] != shown[1]
    for cut in shown[:2]:
        assert len(cut) <= 26
        assert cut.startswith("Connection")
    assert "after deploy" in shown[0]
    assert "again after" in shown[1]
    # whole titles where they fit
    assert shown_titles(titles, 80) == titles


def test_same_titles_stay_as_they_are() -> None:
    """Two entries with the very same title: no cut tells them apart (the numbers do)."""
    titles = ["Disk full on the build runner again and again"] * 2
    assert shown_titles(titles, 20) == titles


def test_titles_differing_only_at_the_end_keep_their_end() -> None:
    titles = [
        "Nightly export job fails on customer names in region eu-west-1",
        "Nightly export job fails on customer names in region us-east-2",
    ]
    first, second = shown_titles(titles, 26)
    assert "eu-west-1" in first
    assert "us-east-2" in second
    assert len(first) <= 26 and len(second) <= 26


def test_a_short_difference_keeps_the_words_before_it() -> None:
    titles = [
        "Kafka TimeoutException in audit-events consumer v2.19.0",
        "Kafka TimeoutException in audit-events consumer v6.3",
    ]
    assert shown_titles(titles, 26) == ["Kafka…consumer v2.19.0", "Kafka…consumer v6.3"]
