"""The Follow-ups screen (F9): the open checklist items of every entry, grouped by entry,
oldest first. Space ticks the highlighted item in its file (the same service as
``mistakes done``); enter opens its entry at the checklist; escape closes.

The files are read and written in thread workers; the screen shows what they answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mistakes.domain.errors import MistakesError
from mistakes.domain.text import one_line
from mistakes.services.followups import FollowUp, set_done
from mistakes.services.workspace import Workspace

Opened = tuple[Path, int]  # what enter answers: the entry's file and the item (1-based)


def item_prompt(item: FollowUp) -> Content:
    return Content(f"  {item.item}. [{'x' if item.done else ' '}] {one_line(item.text)}")


def entry_prompt(item: FollowUp) -> Content:
    severity = f"  ({one_line(item.severity)})" if item.severity else ""
    return Content.from_markup(
        "[b]$head[/b]$rest", head=f"{item.number:03d} {one_line(item.title)}", rest=severity
    )


class FollowUpsScreen(Screen[Opened | None]):
    """Every entry's open follow-up items; ``written`` is told the file a tick wrote (the
    app looks at its open entry then, the way it sees any change on disk)."""

    DEFAULT_CSS = """
    FollowUpsScreen #followups-head { height: auto; padding: 0 1; background: $panel; }
    FollowUpsScreen #followups-list { height: 1fr; border: none; }
    FollowUpsScreen #followups-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("space", "tick", "Done / not done", show=False),
    ]

    @dataclass
    class Loaded(Message):
        items: list[FollowUp]
        problems: int

    @dataclass
    class Ticked(Message):
        index: int
        item: FollowUp

    @dataclass
    class Failed(Message):
        text: str

    def __init__(self, workspace: Workspace, written: Callable[[Path], None]) -> None:
        super().__init__()
        self.workspace = workspace
        self.written = written
        self.items: list[FollowUp] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content(
                    "Follow-ups: the open items of every entry, oldest first · "
                    "space done/not done · enter opens the entry · esc closes"
                ),
                id="followups-head",
            )
            yield OptionList(id="followups-list")
            yield Static(Content("Reading the entries…"), id="followups-status")

    @property
    def listing(self) -> OptionList:
        return self.query_one("#followups-list", OptionList)

    def on_mount(self) -> None:
        self.listing.focus()
        self._load()

    @work(
        thread=True,
        exclusive=True,
        group="followups",
        exit_on_error=False,
        description="Follow-ups",
    )
    def _load(self) -> None:
        items, problems = self.workspace.followups()
        self.post_message(self.Loaded(items, len(problems)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.items = message.items
        options: list[Option] = []
        current: Path | None = None
        for index, item in enumerate(self.items):
            if item.path != current:
                current = item.path
                options.append(Option(entry_prompt(item), disabled=True))
            options.append(Option(item_prompt(item), id=str(index)))
        listing = self.listing
        listing.clear_options()
        listing.add_options(options)
        entries = len({item.path for item in self.items})
        status = f"{len(self.items)} open items in {entries} entries"
        if message.problems:
            status += f" ({message.problems} files could not be read: mistakes check)"
        self._status(status)
        if self.items:
            listing.highlighted = 1

    def _status(self, text: str) -> None:
        self.query_one("#followups-status", Static).update(Content(text))

    def _highlighted_index(self) -> int | None:
        listing = self.listing
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return int(option.id) if option.id is not None else None

    def action_tick(self) -> None:
        index = self._highlighted_index()
        if index is not None:
            self._tick(index, self.items[index])

    @work(thread=True, group="tick", exit_on_error=False, description="Ticking a follow-up")
    def _tick(self, index: int, item: FollowUp) -> None:
        entries = self.workspace.entries_for(item.path)
        try:
            before = entries.get(str(item.path))
            saved, now = set_done(
                entries, str(item.path), item.item, not item.done, expect=item.text
            )
            if saved.digest != before.digest:
                self.workspace.search.saved(saved)
        except (MistakesError, OSError) as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Ticked(index, now))

    @on(Ticked)
    def _ticked(self, message: Ticked) -> None:
        self.items[message.index] = message.item
        listing = self.listing
        for position in range(listing.option_count):
            if listing.get_option_at_index(position).id == str(message.index):
                listing.replace_option_prompt_at_index(position, item_prompt(message.item))
        done = "done" if message.item.done else "not done"
        self._status(f"{message.item.path.name}:{message.item.line}: {done}")
        self.written(message.item.path)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(one_line(message.text), markup=False, severity="error")

    @on(OptionList.OptionSelected, "#followups-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            item = self.items[int(event.option_id)]
            self.dismiss((item.path, item.item))

    def action_close(self) -> None:
        self.dismiss(None)
