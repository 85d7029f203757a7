"""Similar past entries, following the open entry's error sections (the Similar tab).

The lookup (a debounce timer, a thread worker, a generation counter that drops stale
answers, the hits by name) lives here; the app forwards the editor's events to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from mistakes.search.types import Hit
from mistakes.services.workspace import Workspace
from mistakes.ui.widgets.editor import EntryEditor

SOURCES = {"section-what_happened", "section-error_messages", "section-actual_behavior"}


class SimilarFinder(Widget):
    """Looks similar entries up when the Similar tab is shown or the error text is edited
    (not on every open: at 50,000 entries a lookup takes seconds of CPU)."""

    DEFAULT_CSS = "SimilarFinder { display: none; }"

    @dataclass
    class Found(Message):
        generation: int
        hits: list[Hit]
        looked_for: bool  # there was error text (no hits then: "No close matches")

    def __init__(
        self,
        workspace: Workspace,
        editor: Callable[[], EntryEditor],
        exclude: Callable[[], str | None],
        delay: float,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self._editor = editor
        self._exclude = exclude
        self.delay = delay
        self.hits: dict[str, Hit] = {}
        self._timer: Timer | None = None
        self._generation = 0
        self._basis: str | None = None  # the error text as the entry was opened
        self._done: str | None = None  # the error text the list was made for

    def opened(self) -> None:
        """An entry was opened: its error text as loaded is no reason to look up."""
        self._basis = self._editor().error_text()

    def text_changed(self, area_id: str | None) -> None:
        if area_id not in SOURCES:
            return
        if self._editor().error_text() == self._basis:
            return  # the text as opened (the change is the form being filled)
        self._basis = None
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.delay, self.look_up)

    def tab_shown(self) -> None:
        if self._done != self._editor().error_text():
            self.look_up()

    def look_up(self) -> None:
        text = self._editor().error_text()
        self._done = text
        self._generation += 1
        self._find(text, self._exclude(), self._generation)

    @work(
        thread=True,
        exclusive=True,
        group="similar",
        exit_on_error=False,
        description="Similar entries",
    )
    def _find(self, text: str, exclude: str | None, generation: int) -> None:
        hits = self.workspace.similar(text, exclude=exclude) if text.strip() else []
        self.post_message(self.Found(generation, hits, bool(text.strip())))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.generation != self._generation:
            return
        self.hits = {hit.name: hit for hit in message.hits}
        self._editor().show_similar(message.hits, looked_for=message.looked_for)
