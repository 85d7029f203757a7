"""Unsaved work kept from last time: every draft listed, each restored or discarded."""

from __future__ import annotations

import time

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from mistakes.domain.text import one_line
from mistakes.services.drafts import Draft
from mistakes.ui.safe import plain
from mistakes.ui.screens.merge import fit_buttons

# ("restore", key), ("discard", key), ("discard-all", None) or ("later", None)
Answer = tuple[str, str | None]
TITLE_WIDTH = 48  # the number and the time line up after it, within 80 columns


def draft_label(draft: Draft) -> str:
    """``title  005  Dec 02 07:37``: the entry, its number (or new), when it was kept."""
    where = draft.path.name[:3] if draft.path is not None else "new"
    when = time.strftime("%b %d %H:%M", time.localtime(draft.saved_at))
    title = one_line(draft.title)
    title = title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…"
    return f"{title:<{TITLE_WIDTH}}  {one_line(where)}  {when}"


class DraftPicker(ModalScreen[Answer]):
    """enter or r restores the highlighted draft, d discards it, a discards all, esc later."""

    BINDINGS = [Binding("escape", "dismiss(('later', None))", "Later", show=False)]

    def __init__(self, drafts: list[Draft]) -> None:
        super().__init__()
        self.drafts = list(drafts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._question()), id="draft-question")
            listing = OptionList(
                *[Option(plain(draft_label(d)), id=d.key) for d in self.drafts], id="draft-list"
            )
            listing.styles.max_height = 10
            listing.styles.margin = (1, 0, 0, 0)
            yield listing
            with Horizontal(classes="dialog-buttons"):
                yield Button("Restore (r)", id="restore")
                yield Button("Discard (d)", id="discard")
                if len(self.drafts) > 1:
                    yield Button("Discard all (a)", id="discard-all")
                yield Button("Later (esc)", id="later")

    def _question(self) -> str:
        if len(self.drafts) == 1:
            return "Unsaved changes were kept from last time:"
        return f"Unsaved changes to {len(self.drafts)} entries were kept from last time:"

    def on_mount(self) -> None:
        fit_buttons(self)
        listing = self.query_one("#draft-list", OptionList)
        listing.highlighted = 0
        listing.focus()

    def _current(self) -> str | None:
        listing = self.query_one("#draft-list", OptionList)
        if listing.highlighted is None:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    def _answer(self, what: str) -> None:
        if what in ("restore", "discard"):
            key = self._current()
            if key is not None:
                self.dismiss((what, key))
        elif what == "discard-all" and len(self.drafts) > 1:
            self.dismiss(("discard-all", None))
        elif what == "later":
            self.dismiss(("later", None))

    def on_key(self, event: events.Key) -> None:
        keys = {"r": "restore", "d": "discard", "a": "discard-all"}
        if event.key in keys:
            event.stop()
            self._answer(keys[event.key])

    @on(OptionList.OptionSelected, "#draft-list")
    def _selected(self) -> None:
        self._answer("restore")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self._answer(event.button.id or "later")
