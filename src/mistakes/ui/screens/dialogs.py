"""Modal dialogs: a question with choices, the key help, drafts to restore."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from mistakes.ui.safe import plain


class ConfirmScreen(ModalScreen[str]):
    """A question and a few answers; dismisses with the chosen answer's id.

    Each choice is (id, label, key); escape answers ``cancel``.
    """

    BINDINGS = [Binding("escape", "dismiss('cancel')", "Cancel", show=False)]

    def __init__(self, question: str, choices: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.question))
            with Horizontal(classes="dialog-buttons"):
                for answer, label, key in self.choices:
                    yield Button(Content(f"{label} ({key})"), id=f"answer-{answer}")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event: events.Key) -> None:
        for answer, _label, choice_key in self.choices:
            if event.key == choice_key:
                self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "answer-cancel").removeprefix("answer-"))


class HelpScreen(ModalScreen[None]):
    """F1: every key, and the query language in short."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", show=False),
        Binding("f1", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str]], fields: list[str]) -> None:
        super().__init__()
        self.keys = keys
        self.fields = fields

    def compose(self) -> ComposeResult:
        lines = ["Keys", ""]
        lines += [f"  {key:<16} {description}" for key, description in self.keys]
        lines += [
            "",
            "Search",
            "",
            "  words              all must match (stemmed: connecting ~ connection)",
            '  "a phrase"         exact phrase        a OR b, a NOT b, (a OR b) c',
            "  prefix*  typo~     completions; one typo",
            "  field:value        " + " ".join(f"{name}:" for name in self.fields[:6]),
            "  date:2026-11       date:[2026-01 to 2026-06]",
            "  sections:          " + " ".join(f"{name}:" for name in self.fields[6:14]) + " ...",
            "",
            "Esc closes.",
        ]
        with VerticalScroll(classes="dialog"):
            yield Static(Content("\n".join(lines)))


class DraftsScreen(ModalScreen[str]):
    """Unsaved work found at start: restore it or discard it."""

    BINDINGS = [Binding("escape", "dismiss('later')", "Later", show=False)]

    def __init__(self, titles: list[str]) -> None:
        super().__init__()
        self.titles = titles

    def compose(self) -> ComposeResult:
        text = "Unsaved changes were kept from last time:\n\n" + "\n".join(
            f"  - {title}" for title in self.titles
        )
        with Vertical(classes="dialog"):
            yield Static(plain(text))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Restore (r)", id="restore")
                yield Button("Discard (d)", id="discard")
                yield Button("Later (esc)", id="later")

    def on_mount(self) -> None:
        self.query_one("#restore", Button).focus()

    def on_key(self, event: events.Key) -> None:
        if event.key in ("r", "d"):
            self.dismiss("restore" if event.key == "r" else "discard")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "later")
