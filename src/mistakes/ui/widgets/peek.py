"""With no entry open, the right side shows the highlighted result (as nvALT does)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from mistakes.domain.entry import Entry
from mistakes.domain.template import Template
from mistakes.domain.text import one_line, visible
from mistakes.search.index import Hit
from mistakes.services.workspace import Workspace
from mistakes.ui.widgets.sidebar import severity_text, snippet_text, status_text

PEEK_DELAY = 0.12  # holding down an arrow key reads only the entry it stops on
EMPTY = "No entry matches (the line under the search box says what enter does)."
HINT = "enter opens it; ctrl+n new entry; F1 help"


def peek_content(hit: Hit, entry: Entry | None, template: Template) -> Content:
    """The entry in short: title, facts, where the query matched, then its sections."""
    parts: list[Content | tuple[str, str] | str] = [
        (f"{hit.number:03d} {one_line(hit.title)}", "bold"),
        "\n",
        severity_text(hit.severity),
        "  ",
        status_text(hit.status),
        "  ",
        (one_line(hit.date), "$text-muted"),
    ]
    tags = entry.tags(template) if entry is not None else []
    if tags:
        parts.append(("  " + one_line(", ".join(tags)), "$text-muted"))
    parts.append(("\n" + HINT + "\n", "$text-muted italic"))
    if hit.snippet is not None:
        parts += ["\n", snippet_text(hit), "\n"]
    if entry is not None:
        for leaf in template.leaves():
            text = entry.sections.get(leaf.key, "").strip()
            if text:
                parts += ["\n", (leaf.title, "bold $accent"), "\n", visible(text), "\n"]
    return Content.assemble(*parts)


class EntryPeek(VerticalScroll):
    """Reads the highlighted entry in a thread (after a short pause) and shows it."""

    @dataclass
    class Read(Message):
        generation: int
        hit: Hit
        entry: Entry | None

    def __init__(self, workspace: Workspace, id: str | None = None) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.hit: Hit | None = None
        self._generation = 0
        self._timer: Timer | None = None
        self._shown = 0  # the generation whose entry is on show

    @property
    def pending(self) -> bool:
        """A highlighted entry waits to be shown: its timer or its read has not finished
        (tests wait on this before they look at the screen)."""
        return self._shown != self._generation

    def compose(self) -> ComposeResult:
        yield Static(Content(EMPTY), id="peek-text")

    def show(self, hit: Hit | None) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.hit = hit
        if hit is None:
            self.query_one("#peek-text", Static).update(Content(EMPTY))
            self._shown = self._generation
            return
        generation = self._generation
        self._timer = self.set_timer(
            PEEK_DELAY, lambda: self._read(hit.path, hit, generation), name="peek"
        )

    def refresh_snippet(self, hit: Hit) -> None:
        """The sidebar read the match's snippet: show it too."""
        if hit is self.hit:
            self.show(hit)

    @work(thread=True, exclusive=True, group="peek", exit_on_error=False, description="Peek")
    def _read(self, path: Path, hit: Hit, generation: int) -> None:
        try:
            entry: Entry | None = self.workspace.load(path).entry
        except Exception:  # gone or unreadable: the facts from the index still show
            entry = None
        self.post_message(self.Read(generation, hit, entry))

    def on_entry_peek_read(self, message: Read) -> None:
        if message.generation != self._generation:
            return
        content = peek_content(message.hit, message.entry, self.workspace.template)
        self.query_one("#peek-text", Static).update(content)
        self.scroll_home(animate=False)
        self._shown = message.generation
