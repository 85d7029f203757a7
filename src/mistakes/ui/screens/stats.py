"""The Stats screen (F10, or "Stats" in the palette): bar charts per severity, status, tag
and month, from the same numbers as ``mistakes stats``.

The bars are text drawn here (a label, a run of full blocks, the count), not a plotting
widget: at 80x24 over SSH a horizontal bar per value keeps every label and number
readable (a plotted chart of 20 months or tags has no room for its labels at that size),
the numbers are plain text (copyable, and what a test reads), the colours are the theme's
($error, $warning, $success: the ANSI theme in 16 colours), and the only glyph is the full
block, which the app's ASCII mode (``TERM=linux``, ``--ascii``) draws as ``#`` like every
other glyph it replaces. Partial blocks and braille, which plotting widgets draw with, are
not in the Linux console's fonts.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static

from mistakes.domain.text import one_line
from mistakes.search.types import IndexNotReady, IndexUnavailable
from mistakes.services.folder_views import folder_namer
from mistakes.services.stats import NO_DATE, NONE, Stats, compute
from mistakes.services.workspace import Workspace

BAR = "█"  # the one glyph: '#' in ASCII mode
MONTHS_SHOWN = 24  # the newest months (all of them: mistakes stats --by month)
TAGS_SHOWN = 12
LABEL_WIDTH = 16

SEVERITY_STYLE = {
    "critical": "bold $error",
    "high": "$error",
    "medium": "$warning",
    "low": "$success",
}
STATUS_STYLE = {"active": "$warning", "investigating": "$accent", "resolved": "$success"}
PLAIN = "$primary"


def bar_lines(
    counts: dict[str, int],
    width: int,
    styles: dict[str, str] | None = None,
    label_width: int = 0,
) -> list[Content]:
    """One line per value: ``  label  █████ 12``, the longest bar filling ``width``."""
    if not counts:
        return [Content.styled("  (none)", "$text-muted")]
    labels = {key: one_line(key)[:LABEL_WIDTH] for key in counts}
    label_width = max(label_width, *(len(label) for label in labels.values()))
    top = max(counts.values()) or 1
    count_width = len(str(top))
    room = max(1, width - label_width - count_width - 6)
    lines = []
    for key, count in counts.items():
        length = round(count / top * room)
        if count and not length:
            length = 1  # a value that exists is never an empty bar
        style = (styles or {}).get(key, PLAIN)
        if key in (NONE, NO_DATE):
            style = "$text-muted"
        lines.append(
            Content.assemble(
                f"  {labels[key]:<{label_width}}  ",
                (BAR * length, style),
                " " * (room - length),
                f" {count:>{count_width}}",
            )
        )
    return lines


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def summary(stats: Stats) -> Content:
    return Content.assemble(
        (f"{stats.entries} entries", "bold"),
        f" · {stats.open} open · {stats.resolved} resolved · days to resolve: median "
        f"{_days(stats.median_days)}, p90 {_days(stats.p90_days)} · follow-ups "
        f"{stats.follow_ups_open} open, {stats.follow_ups_done} done",
    )


def charts(stats: Stats, width: int) -> Content:
    """Every chart of the screen, one under the other, for ``width`` columns."""
    months = dict(list(stats.by_month.items())[-MONTHS_SHOWN:])
    tags = dict(list(stats.by_tag.items())[:TAGS_SHOWN])
    sections: list[tuple[str, dict[str, int], dict[str, str] | None]] = [
        ("By severity", stats.by_severity, SEVERITY_STYLE),
        ("By status", stats.by_status, STATUS_STYLE),
        (f"By tag (the {TAGS_SHOWN} most used)" if len(stats.by_tag) > TAGS_SHOWN else "By tag",
         tags, None),
        (f"By month (the last {MONTHS_SHOWN})" if len(stats.by_month) > MONTHS_SHOWN
         else "By month", months, None),
    ]  # fmt: skip
    parts: list[Content | str | tuple[str, str]] = []
    # one label column for every chart: the bars start at one place
    label_width = min(LABEL_WIDTH, max([1, *(len(k) for _t, c, _s in sections for k in c)]))
    for title, counts, styles in sections:
        if parts:
            parts.append("\n\n")
        parts.append((title, "bold $accent"))
        for line in bar_lines(counts, width, styles, label_width):
            parts += ["\n", line]
    if stats.most_recurring:
        parts += ["\n\n", ("Seen most often", "bold $accent")]
        for item in stats.most_recurring:
            title = one_line(str(item["title"]))
            number = f"{one_line(str(item['folder']))}:" if item.get("folder") else ""
            number += f"{item['number']:03d}"  # payments:005 with several folders
            parts.append(f"\n  {number}  seen {item['seen']:>3}  {title}")
    return Content.assemble(*parts)


class StatsScreen(Screen[None]):
    """Counts across the folder's entries, as bar charts (escape goes back)."""

    DEFAULT_CSS = """
    StatsScreen { layout: vertical; }
    StatsScreen #stats-summary { height: auto; padding: 0 1; background: $boost; }
    StatsScreen #stats-body { height: 1fr; padding: 0 1; }
    StatsScreen #stats-charts { width: 100%; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="stats-close"),
        Binding("q", "close", "Back", show=False),
        Binding("r", "refresh_stats", "Refresh", id="stats-refresh"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield Static("Counting the entries…", id="stats-summary")
        with VerticalScroll(id="stats-body"):
            yield Static("", id="stats-charts")
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh_stats()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_refresh_stats(self) -> None:
        self._count()

    @work(thread=True, exclusive=True, group="stats")
    def _count(self) -> None:
        """From the index as the app keeps it in step (no file is parsed)."""
        workspace = self.workspace
        try:
            listing = workspace.listing()
        except (IndexNotReady, IndexUnavailable) as exc:
            self.app.call_from_thread(self._unavailable, str(exc))
            return
        assert workspace.folders is not None
        stats = compute(
            listing.entries, workspace.template, folder_of=folder_namer(workspace.folders)
        )
        self.app.call_from_thread(self._show, stats)

    def _unavailable(self, why: str) -> None:
        self.query_one("#stats-summary", Static).update(
            Content(f"No stats yet: {one_line(why)} (r tries again)")
        )

    def _show(self, stats: Stats) -> None:
        self.stats = stats
        self.query_one("#stats-summary", Static).update(summary(stats))
        self._draw()

    def _draw(self) -> None:
        if self.stats is None:
            return
        body = self.query_one("#stats-body", VerticalScroll)
        width = max(20, body.size.width - 2 if body.size.width else self.app.size.width - 4)
        self.query_one("#stats-charts", Static).update(charts(self.stats, width))

    def on_resize(self, _event: Resize) -> None:
        self._draw()

    def numbers(self) -> dict[str, Any]:
        """What the screen shows, for tests and scripts (the numbers of ``stats --json``)."""
        return self.stats.to_json() if self.stats is not None else {}
