"""The follow-up checklist: a list of items, space toggles, keys add, edit, move and remove."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from mistakes.domain.entry import ChecklistItem
from mistakes.domain.text import one_line, visible


class ChecklistList(OptionList):
    """The items. Keys act on the highlighted one."""

    BINDINGS = [
        Binding("space", "toggle_item", "Toggle", id="checklist-toggle"),
        Binding("a,insert", "add", "Add", id="checklist-add"),
        Binding("e,enter", "edit", "Edit", id="checklist-edit"),
        Binding("d,delete", "remove_item", "Remove", id="checklist-remove"),
        Binding("shift+up", "move(-1)", "Move up", show=False, id="checklist-move-up"),
        Binding("shift+down", "move(1)", "Move down", show=False, id="checklist-move-down"),
    ]

    def action_toggle_item(self) -> None:
        self._editor().toggle_item(self.highlighted)

    def action_add(self) -> None:
        self._editor().start_edit(None)

    def action_edit(self) -> None:
        if self.highlighted is not None:
            self._editor().start_edit(self.highlighted)

    def action_remove_item(self) -> None:
        self._editor().remove_item(self.highlighted)

    def action_move(self, step: int) -> None:
        self._editor().move_item(self.highlighted, step)

    def _editor(self) -> ChecklistEditor:
        parent = self.parent
        assert isinstance(parent, ChecklistEditor)
        return parent


class ChecklistEditor(Vertical):
    """Holds the items; posts Changed after every change so the editor can mark the entry."""

    @dataclass
    class Changed(Message):
        editor: ChecklistEditor

    def __init__(self, items: list[ChecklistItem], id: str | None = None) -> None:
        super().__init__(id=id)
        # the file's own text stays as it was unless the user edits that item
        self.items = [ChecklistItem(item.text, item.done) for item in items]
        self._editing: int | None = None  # index of the item being edited; None: a new one

    def compose(self) -> ComposeResult:
        yield Label(
            Content("space toggles · a adds · e edits · d removes · shift+up/down moves"),
            classes="checklist-help",
        )
        yield ChecklistList(*self._options(), id="checklist", compact=True)
        yield Input(placeholder="item text; enter keeps it, escape cancels", id="checklist-input")

    def on_mount(self) -> None:
        self.query_one("#checklist-input", Input).display = False
        listing = self.listing
        if self.items:
            listing.highlighted = 0

    def set_items(self, items: list[ChecklistItem]) -> None:
        """Show another entry's items (no Changed: nothing was edited)."""
        self.items = [ChecklistItem(item.text, item.done) for item in items]
        listing = self.listing
        listing.clear_options()
        listing.add_options(self._options())
        listing.highlighted = 0 if self.items else None

    @property
    def listing(self) -> ChecklistList:
        return self.query_one("#checklist", ChecklistList)

    def _options(self) -> list[Option]:
        return [
            Option(Content(f"[{'x' if item.done else ' '}] {one_line(visible(item.text))}"))
            for item in self.items
        ]

    def _refresh(self, highlight: int | None) -> None:
        listing = self.listing
        listing.clear_options()
        listing.add_options(self._options())
        if self.items:
            listing.highlighted = max(0, min(highlight or 0, len(self.items) - 1))
        self.post_message(self.Changed(self))

    # -- changes ------------------------------------------------------------------------------
    def toggle_item(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.items):
            return
        self.items[index].done = not self.items[index].done
        self._refresh(index)

    def remove_item(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.items):
            return
        del self.items[index]
        self._refresh(index)

    def move_item(self, index: int | None, step: int) -> None:
        if index is None:
            return
        target = index + step
        if not (0 <= index < len(self.items) and 0 <= target < len(self.items)):
            return
        self.items[index], self.items[target] = self.items[target], self.items[index]
        self._refresh(target)

    def start_edit(self, index: int | None) -> None:
        self._editing = index
        field = self.query_one("#checklist-input", Input)
        field.value = visible(self.items[index].text) if index is not None else ""
        field.display = True
        field.focus()

    @on(Input.Submitted, "#checklist-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = " ".join(event.value.split())
        index = self._editing
        if text:
            if index is None:
                position = (self.listing.highlighted or 0) + 1 if self.items else 0
                self.items.insert(position, ChecklistItem(text, False))
                index = position
            elif text != visible(self.items[index].text):
                self.items[index].text = text
        self._close_input()
        self._refresh(index)

    def _close_input(self) -> None:
        field = self.query_one("#checklist-input", Input)
        field.display = False
        field.value = ""
        self.listing.focus()

    def on_key(self, event: events.Key) -> None:
        field = self.query_one("#checklist-input", Input)
        if event.key == "escape" and field.display and field.has_focus:
            event.stop()
            self._close_input()
