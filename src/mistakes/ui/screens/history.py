"""The palette's "History of this entry": who changed it and when, from git log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mistakes.services.git import Change
from mistakes.ui.safe import plain


class HistoryScreen(ModalScreen[None]):
    """The commits that changed the open entry's file, newest first; esc closes."""

    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen .history-dialog { width: 100; }
    HistoryScreen #history-list { height: auto; max-height: 20; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, name: str, changes: list[Change]) -> None:
        super().__init__()
        self.file_name = name
        self.changes = changes

    def compose(self) -> ComposeResult:
        count = len(self.changes)
        if count:
            head = f"{self.file_name}: {count} commit{'s' * (count != 1)} (git log --follow)"
        else:
            head = f"{self.file_name}: not committed yet"
        with Vertical(classes="dialog history-dialog"):
            yield Static(plain(f"{head}. Esc closes."))
            with VerticalScroll(id="history-list"):
                for change in self.changes:
                    yield Static(plain(change.line()), classes="history-line")
