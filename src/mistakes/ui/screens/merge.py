"""The file changed on disk while the entry was edited: what saving mine would do to theirs."""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from mistakes.domain.text import one_line
from mistakes.services.workspace import MergePlan
from mistakes.ui.safe import plain

DIALOG_WIDTH = 78  # the three answers fit on one row at 80 columns


def fit_buttons(screen: Screen[Any]) -> None:
    """A dialog a little wider than the app's, its buttons closer (inline styles: the app's
    stylesheet sizes every .dialog)."""
    screen.query_one(".dialog").styles.width = DIALOG_WIDTH
    screen.query_one(".dialog").styles.max_width = "100%"
    for button in screen.query(Button):
        button.styles.margin = (0, 1, 0, 0)
        button.styles.min_width = 0


SHOWN_LINES = 3  # of each part of theirs that saving replaces
SHOWN_CLASHES = 4
LINE_WIDTH = 64  # a line of theirs, indented, within the dialog at 80 columns


def merge_question(plan: MergePlan) -> str:
    """What happened, and what "save mine over it" keeps and replaces."""
    name = plan.path.name
    if plan.result is None:
        return (
            f"{name} was deleted on disk (another editor, a git pull). Nothing was saved. "
            "Write it back with your changes?"
        )
    result = plan.result
    lines = [
        f"{name} changed on disk since it was opened (another editor, a git pull). "
        "Nothing was saved."
    ]
    if result.kept:
        lines.append(f"Their changes stay: {', '.join(result.kept)}.")
    if result.clashes:
        lines.append("Both changed " + ", ".join(c.label for c in result.clashes) + ".")
        lines.append("Saving mine replaces theirs:")
        for clash in result.clashes[:SHOWN_CLASHES]:
            shown = [_cut(one_line(line)) for line in clash.theirs.splitlines() if line.strip()]
            if not shown:
                shown = ["(empty)"]
            more = len(shown) - SHOWN_LINES
            lines.append(f"  {clash.label}:")
            lines += [f"    {line}" for line in shown[:SHOWN_LINES]]
            if more > 0:
                lines.append(f"    ... {more} more line(s)")
        if len(result.clashes) > SHOWN_CLASHES:
            lines.append(f"  ... and {len(result.clashes) - SHOWN_CLASHES} more")
    elif result.applied:
        lines.append(f"Saving writes yours over it: {', '.join(result.applied)}.")
    return "\n".join(lines)


def _cut(line: str, width: int = LINE_WIDTH) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


class MergeScreen(ModalScreen[str]):
    """Answers ``reload``, ``overwrite`` (save mine, merged), ``writeback`` or ``cancel``."""

    BINDINGS = [Binding("escape", "dismiss('cancel')", "Keep editing", show=False)]

    def __init__(self, plan: MergePlan) -> None:
        super().__init__()
        self.plan = plan
        if plan.result is None:
            self.choices = [("writeback", "Write it back", "w"), ("cancel", "Keep editing", "esc")]
        else:
            self.choices = [
                ("reload", "Reload theirs", "r"),
                ("overwrite", "Save mine over it", "o"),
                ("cancel", "Keep editing", "esc"),
            ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            with VerticalScroll(id="merge-text"):
                yield Static(plain(merge_question(self.plan)))
            with Horizontal(classes="dialog-buttons"):
                for answer, label, key in self.choices:
                    yield Button(Content(f"{label} ({key})"), id=f"answer-{answer}")

    def on_mount(self) -> None:
        fit_buttons(self)
        text = self.query_one("#merge-text")
        text.styles.height = "auto"
        text.styles.max_height = 14
        self.query(Button).first().focus()

    def on_key(self, event: events.Key) -> None:
        for answer, _label, key in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "answer-cancel").removeprefix("answer-"))
