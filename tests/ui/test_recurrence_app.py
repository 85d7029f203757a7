"""Issue 10 in the app, at 80x24: F8 records a new entry as an occurrence of the highlighted
similar entry, the sidebar shows how often an entry was seen, occurrences survive a save
byte for byte, and Resolved asks first when the root cause or the fix is empty."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from textual.widgets import OptionList, Select

from mistakes.services.config import UserConfig, open_folder
from mistakes.services.entries import EntryService
from mistakes.services.recurrence import record_occurrence
from mistakes.ui.app import MistakesApp
from mistakes.ui.screens.dialogs import ConfirmScreen

from .conftest import (
    SIZE,
    area,
    changed_lines,
    dialog,
    entry_file,
    open_entry,
    prompts,
    settle,
    started,
    type_text,
    wait_until,
)

POOL_ERROR = "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached"


def screen_lines(app: MistakesApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def add_occurrences(folder: Path, number: int, *notes: str) -> None:
    service = EntryService(open_folder(folder), UserConfig())
    for note in notes:
        stored = service.get(str(number))
        when = datetime(2026, 12, 2, 10, 31)
        record_occurrence(service, stored, note=note, when=when, host="web-3", version="v1")


async def new_draft_with_error(app: MistakesApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await started(app, pilot)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await type_text(pilot, "Checkout 500s")
    errors = area(app, "error_messages")
    errors.focus()
    errors.insert(f"Traceback (most recent call last):\n{POOL_ERROR}\n")
    await pilot.pause()
    await pilot.press("f7")
    await settle(app, pilot)
    assert await wait_until(
        pilot, lambda: "005-connection-pool-exhausted" in " ".join(app.similar.hits)
    )


def highlight(app: MistakesApp, number: int) -> None:
    listing = app.query_one("#similar-list", OptionList)
    names = [listing.get_option_at_index(i).id or "" for i in range(listing.option_count)]
    listing.highlighted = next(i for i, n in enumerate(names) if n.startswith(f"{number:03d}-"))


# -- F8: a new entry that happened before -----------------------------------------------------


async def test_f8_records_the_draft_as_an_occurrence_and_discards_it(
    build, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_text("utf-8")
    count = len(list(samples_copy.glob("*.md")))
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await new_draft_with_error(app, pilot)
        highlight(app, 5)
        await pilot.press("f8")
        question = await dialog(app, pilot, ConfirmScreen)
        assert "occurrence of 005 Connection pool exhausted" in question
        assert "resolved: it happened again" in question
        await pilot.press("r")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 5)
        assert not app.editor.modified
        assert app.workspace.drafts.all() == []
    after = path.read_text("utf-8")
    assert after.startswith(before)
    added = after[len(before) :].splitlines()
    assert added[:3] == ["", "## Occurrences", ""]
    line = rf"- {date.today().isoformat()} \d\d:\d\d host=\S+.*: {re.escape(POOL_ERROR)}"
    assert re.fullmatch(line, added[3]), added
    assert len(list(samples_copy.glob("*.md"))) == count  # no new entry
    assert "status: resolved\n" in after


async def test_f8_can_reopen_the_resolved_entry(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await new_draft_with_error(app, pilot)
        highlight(app, 5)
        await pilot.press("f8")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("o")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 5)
    text = entry_file(samples_copy, 5).read_text("utf-8")
    assert "status: active\n" in text and "## Occurrences" in text


async def test_f8_cancelled_changes_nothing(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 5)
    before = path.read_bytes()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await new_draft_with_error(app, pilot)
        highlight(app, 5)
        await pilot.press("f8")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.stored is None and app.editor.modified
    assert path.read_bytes() == before


async def test_f8_on_a_saved_entry_says_what_it_is_for(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 19)
        await pilot.press("f7")
        await settle(app, pilot)
        await pilot.press("f8")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("Only a new entry" in str(n.message) for n in app._notifications)


# -- seen in the sidebar, occurrences through a save ---------------------------------------------


async def test_the_sidebar_shows_how_often_an_entry_was_seen(build, samples_copy: Path) -> None:
    add_occurrences(samples_copy, 7, "one", "two")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await type_text(pilot, "crashloopbackoff")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: any("seen 2x" in p for p in prompts(app)))
        (seven,) = [p for p in prompts(app) if p.startswith("007 ")]
        assert "seen 2x" in seven
        assert any("seen 2x" in line for line in screen_lines(app))


async def test_occurrences_survive_a_save_byte_for_byte(build, samples_copy: Path) -> None:
    add_occurrences(samples_copy, 7, "one: first", "two")
    path = entry_file(samples_copy, 7)
    before = path.read_text("utf-8")
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 7)
        await pilot.press("f5")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: "severity: low" in path.read_text("utf-8"))
    after = path.read_text("utf-8")
    (change,) = changed_lines(before, after)
    assert before.splitlines()[change[1]] == "severity: high"
    assert after.endswith("- 2026-12-02 10:31 host=web-3 version=v1: two\n")


# -- Resolved asks first ----------------------------------------------------------------------


def status_value(app: MistakesApp) -> str:
    return str(app.query_one("#field-status", Select).value)


async def test_f4_resolved_without_the_write_up_asks_first(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 24)  # active; no root cause, no fix
    before = path.read_bytes()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 24)
        await pilot.press("f4")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("r")
        question = await dialog(app, pilot, ConfirmScreen)
        assert "Root Cause Analysis and Solution > The Fix are empty" in question
        await pilot.press("escape")
        await settle(app, pilot)
        assert status_value(app) == "active"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert path.read_bytes() == before

        await pilot.press("f4")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("r")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("f")  # resolve anyway
        await pilot.pause()
        assert status_value(app) == "resolved"
        await pilot.press("ctrl+s")  # asked once: the save does not ask again
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert await wait_until(pilot, lambda: path.read_bytes() != before)
    text = path.read_text("utf-8")
    old = before.decode().splitlines()
    removed = [line for line in old if line not in text.splitlines()]
    added = [line for line in text.splitlines() if line not in old]
    assert removed == ["status: active"]
    assert added == ["status: resolved", f"resolved: {date.today().isoformat()}"]


async def test_saving_resolved_from_the_status_list_asks_and_cancel_keeps_the_file(
    build, samples_copy: Path
) -> None:
    path = entry_file(samples_copy, 24)
    before = path.read_bytes()
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 24)
        app.query_one("#field-status", Select).value = "resolved"  # as the list sets it
        await pilot.pause()
        await pilot.press("ctrl+s")
        question = await dialog(app, pilot, ConfirmScreen)
        assert "are empty" in question
        await pilot.press("escape")
        await settle(app, pilot)
        assert path.read_bytes() == before
        assert app.editor.modified
        await pilot.press("ctrl+s")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("f")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: b"status: resolved" in path.read_bytes())
    assert f"resolved: {date.today().isoformat()}" in path.read_text("utf-8")


async def test_resolving_a_written_up_entry_asks_nothing(build, samples_copy: Path) -> None:
    path = entry_file(samples_copy, 9)  # active, root cause and fix written
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 9)
        await pilot.press("f4")
        await dialog(app, pilot, ConfirmScreen)
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: b"status: resolved" in path.read_bytes())
