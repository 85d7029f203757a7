"""A key typed in the search box does not make the sidebar's fixed-size lines (the status
line, the snippet preview) or an unchanged query notice ask for a layout of the screen: at
10,000 entries each such layout cost ~7 ms of the keystroke's 50 ms budget (issue 9). What
they show still changes with every key."""

from __future__ import annotations

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
