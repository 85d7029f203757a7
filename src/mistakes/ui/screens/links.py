"""Links in the app: the list of an entry's links (ctrl+g where the cursor is on no link),
and "Link to…"'s entry picker, which searches as the sidebar does (Workspace.find)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from mistakes.domain.text import one_line
from mistakes.search.types import Hit
from mistakes.services.links import Link
from mistakes.services.workspace import Workspace

PICKER_LIMIT = 20


def link_prompt(link: Link) -> Content:
    arrow = "<-" if link.direction == "in" else "->"
    title = one_line(link.title) if link.path is not None else "(no such file)"
    return Content(f"{arrow} {link.type}: {link.number:03d} {title}")


class LinksScreen(ModalScreen[Link | None]):
    """An entry's links, written ones (->) then backlinks (<-); enter follows one."""

    DEFAULT_CSS = """
    LinksScreen #links-list { height: auto; max-height: 16; border: none; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", show=False)]

    def __init__(self, title: str, links: list[Link]) -> None:
        super().__init__()
        self.heading = title
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self.links:
                text = f"Links of {one_line(self.heading)} (enter opens, esc closes):"
            else:
                text = (
                    f"{one_line(self.heading)} has no links. ctrl+p 'Link to…' adds one; "
                    "esc closes."
                )
            yield Static(Content(text))
            options = [
                Option(link_prompt(link), id=str(i), disabled=link.path is None)
                for i, link in enumerate(self.links)
            ]
            yield OptionList(*options, id="links-list")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.focus()
        if listing.option_count:
            listing.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self.dismiss(self.links[int(event.option_id)])


class EntryPicker(ModalScreen[Path | None]):
    """Type to search (the sidebar's search), up/down to move, enter to pick."""

    DEFAULT_CSS = """
    EntryPicker #picker-list { height: auto; max-height: 12; border: none; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", show=False)]

    @dataclass
    class Found(Message):
        text: str
        hits: list[Hit]

    def __init__(self, workspace: Workspace, question: str, exclude: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.question = question
        self.exclude = exclude
        self.hits: list[Hit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question))
            yield Input(placeholder="search (as in the sidebar)", id="picker-query")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._find("")

    @on(Input.Changed, "#picker-query")
    def _typed(self, event: Input.Changed) -> None:
        self._find(event.value)

    @work(thread=True, exclusive=True, group="picker", exit_on_error=False, description="Search")
    def _find(self, text: str) -> None:
        results = self.workspace.find(text, PICKER_LIMIT)
        hits = [h for h in results.hits if h.path.name != self.exclude]
        self.post_message(self.Found(text, hits))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.text != self.query_one(Input).value:
            return  # an answer to an older query
        self.hits = message.hits
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(
            [
                Option(Content(f"{hit.number:03d} {one_line(hit.title)}"), id=str(i))
                for i, hit in enumerate(self.hits)
            ]
        )
        if self.hits:
            listing.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        listing = self.query_one(OptionList)
        if not self.query_one(Input).has_focus or not listing.option_count:
            return
        if event.key in ("down", "up"):
            event.stop()
            event.prevent_default()
            current = listing.highlighted or 0
            step = 1 if event.key == "down" else -1
            listing.highlighted = max(0, min(listing.option_count - 1, current + step))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None and self.hits:
            self.dismiss(self.hits[listing.highlighted].path)

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self.dismiss(self.hits[int(event.option_id)].path)
