"""A key typed in the search box does not make the sidebar's fixed-size lines (the status
line, the snippet preview) or an unchanged query notice ask for a layout of the screen: at
10,000 entries each such layout cost ~7 ms of the keystroke's 50 ms budget (issue 9). What
they show still changes with every key."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from textual.widget import Widget

from mistakes.ui.app import MistakesApp

from .conftest import settle, started, static_text, type_text

FIXED = ("status-line", "preview", "notice")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_typing_asks_no_layout_for_the_sidebar_lines(
    build, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app: MistakesApp = build()
    asked: list[str] = []
    refresh = Widget.refresh

    def recorded(self: Widget, *args: Any, layout: bool = False, **kwargs: Any) -> Any:
        if layout and self.id in FIXED:
            asked.append(self.id or "")
        return refresh(self, *args, layout=layout, **kwargs)

    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        before = static_text(app, "#status-line")
        monkeypatch.setattr(Widget, "refresh", recorded)
        await type_text(pilot, "pool")
        await settle(app, pilot)
        status = static_text(app, "#status-line")
        monkeypatch.setattr(Widget, "refresh", refresh)
    assert status != before and ("of" in status or "match" in status)  # it still changed
    assert asked == []


async def test_a_result_listed_again_on_the_next_key_keeps_its_two_lines(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next key lists mostly the same results: each one's prompt is the Content made for
    it before (made anew, every key assembled and measured ~100 of them: 4 of a key's 8 ms
    on the event loop at 50,000 entries). A result whose facts change gets a new one."""
    from mistakes.ui.widgets import sidebar as sidebar_module

    app: MistakesApp = build()
    made: list[str] = []
    result_prompt = sidebar_module.result_prompt

    def counted(hit: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(hit.name)
        return result_prompt(hit, *args, **kwargs)

    monkeypatch.setattr(sidebar_module, "result_prompt", counted)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+f")
        await type_text(pilot, "pool")
        await settle(app, pilot)
        listed = [str(app.sidebar.results.get_option_at_index(i).prompt) for i in range(3)]
        assert made
        made.clear()
        await type_text(pilot, " ")  # the same query: the same results
        await settle(app, pilot)
        assert made == []
        assert [str(app.sidebar.results.get_option_at_index(i).prompt) for i in range(3)] == listed
        hit = app.sidebar.hits[0]
        shown = app.sidebar._prompt(hit, False, None)
        assert app.sidebar._prompt(hit, False, None) is shown
        status = "resolved" if hit.status != "resolved" else "active"
        changed = dataclasses.replace(hit, status=status)
        assert app.sidebar._prompt(changed, False, None) is not shown
        assert status in str(app.sidebar._prompt(changed, False, None))
        assert app.sidebar._prompt(hit, True, None) is not shown  # marked open
