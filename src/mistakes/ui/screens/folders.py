"""Which folder a new entry goes to, when the app is open over several (ctrl+n)."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mistakes.ui.safe import plain


class FolderPicker(ModalScreen[str | None]):
    """A short list of the folders: up/down and enter, or the folder's number (1-9);
    escape cancels (dismisses with None). Fits 80x24 (the list scrolls past 12)."""

    DEFAULT_CSS = """
    FolderPicker { align: center middle; }
    FolderPicker > Vertical {
        width: 50; max-width: 90%; height: auto; max-height: 18;
        border: round $accent; background: $surface; padding: 0 1;
    }
    FolderPicker OptionList { height: auto; max-height: 12; border: none; }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", show=False)]

    def __init__(self, names: list[str], first: str | None = None) -> None:
        super().__init__()
        self.names = names
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain("New entry in which folder? (enter, or its number)"))
            yield OptionList(
                *(
                    Option(plain(f"{n}  {name}" if n <= 9 else f"   {name}"), id=name)
                    for n, name in enumerate(self.names, 1)
                ),
                id="folders",
            )

    def on_mount(self) -> None:
        listing = self.query_one("#folders", OptionList)
        listing.highlighted = self.names.index(self.first) if self.first in self.names else 0
        listing.focus()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            number = int(event.character)
            if 1 <= number <= min(9, len(self.names)):
                event.stop()
                event.prevent_default()
                self.dismiss(self.names[number - 1])

    @on(OptionList.OptionSelected, "#folders")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
