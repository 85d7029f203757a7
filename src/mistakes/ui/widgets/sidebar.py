"""The sidebar: a search box, the results (virtualised), and a preview of the highlighted one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import get_current_worker

from mistakes.domain.text import one_line
from mistakes.search.index import Hit, SearchResults
from mistakes.services.workspace import Workspace

SEVERITY_MARK = {
    "critical": ("C", "bold $error"),
    "high": ("H", "$error"),
    "medium": ("M", "$warning"),
    "low": ("L", "$success"),
}
STATUS_MARK = {"active": "a", "investigating": "i", "resolved": "r"}


def result_prompt(hit: Hit) -> Content:
    """``005 C r Title``: number, severity and status letters, the title (literal)."""
    mark, style = SEVERITY_MARK.get(hit.severity.lower(), ("-", "$text-muted"))
    status = STATUS_MARK.get(hit.status.lower(), (hit.status[:1] or "-").lower())
    return Content.assemble(
        (f"{hit.number:03d} ", "$text-muted"),
        (mark, style),
        (f"{status} ", "$text-muted"),
        one_line(hit.title),
    )


KEY_BUDGET = 0.015  # seconds of scoring per keystroke; a broad query answers with what it has
REFINE_DELAY = 0.25  # then, once typing pauses this long, the whole ranking replaces it


class ResultList(OptionList):
    """Results; every option is one line (``text-wrap: nowrap`` in the stylesheet)."""

    BINDINGS = [Binding("slash", "app.focus_search", "Search", show=False)]


class Sidebar(Vertical):
    """Posts OpenRequested when a result is chosen, CreateRequested when none matches."""

    @dataclass
    class OpenRequested(Message):
        path: Path

    @dataclass
    class CreateRequested(Message):
        title: str

    @dataclass
    class Results(Message):
        generation: int
        results: SearchResults

    @dataclass
    class SnippetReady(Message):
        hit: Hit

    def __init__(self, workspace: Workspace, id: str | None = None) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.hits: list[Hit] = []
        self._generation = 0
        self._shown_generation = -1
        self._enter_pending = False  # enter pressed before the results for the text came
        self._indexing = ""  # the build's progress, while the index is built
        self._refine_timer: Timer | None = None  # the full ranking after a partial answer

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search (ctrl+f)", id="search", compact=True)
        yield Static(id="status-line")
        yield ResultList(id="results", compact=True)
        yield Static(id="preview")

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    def refresh_results(self) -> None:
        self._start(self.search_box.value)

    # -- searching (a thread; stale answers are dropped) ------------------------------------
    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self._start(event.value)

    def _start(self, text: str) -> None:
        self._generation += 1
        self._search(text, self._generation, KEY_BUDGET)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, text: str, generation: int, budget: float | None) -> None:
        results = self.workspace.find(text, budget=budget)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Results(generation, results))

    def _refine(self, text: str, generation: int) -> None:
        """Typing paused on a broad query answered within the key budget: rank it all."""
        if generation == self._generation and text == self.search_box.value:
            self._search(text, generation, None)

    @on(Results)
    def _show(self, message: Results) -> None:
        if message.generation != self._generation:
            return  # an older search answered late
        self._shown_generation = message.generation
        results = message.results
        if results.pending:  # the index is being built: the app refreshes when it is done
            self._enter_pending = False
            self._status(self._indexing or "indexing the folder: search works when it is done")
            return
        same_query = results.query == getattr(self, "_shown_query", None)
        self._shown_query = results.query
        self.hits = results.hits
        listing = self.results
        old = listing.highlighted_option if same_query else None  # a new query: its best first
        with self.app.batch_update():
            listing.set_options(Option(result_prompt(hit), id=hit.name) for hit in results.hits)
            if results.hits:
                index = 0
                if old is not None and old.id is not None:
                    try:
                        index = listing.get_option_index(old.id)
                    except OptionDoesNotExist:
                        index = 0
                listing.highlighted = index
        text = self.search_box.value.strip()
        if not text:
            status = f"{len(results.hits)} newest of {results.total}"
        elif results.hits:
            total = max(results.total, len(results.hits))
            if results.exact:
                status = f"{total} match" if total == 1 else f"{len(results.hits)} of {total}"
            else:
                status = f"{len(results.hits)} of about {total}"
        else:
            status = "no match: enter creates a new entry"
        if results.notice:
            status = f"{status} - {results.notice}"
        self._status(status)
        self._stop_refine()
        if not results.complete:
            self._refine_timer = self.set_timer(
                REFINE_DELAY, lambda: self._refine(results.query, message.generation)
            )
        if not results.hits:
            self.query_one("#preview", Static).update("")
        if self._enter_pending:
            self._enter_pending = False
            self._choose(self.search_box.value)

    def _status(self, text: str) -> None:
        self.query_one("#status-line", Static).update(Content(one_line(text)))

    def show_indexing(self, done: int, total: int) -> None:
        """Progress of a first build of the index (the list fills when it is done)."""
        self._indexing = f"indexing {done:,} of {total:,} entries…" if done < total else ""
        if self._indexing:
            self._status(self._indexing)

    # -- preview of the highlighted result ----------------------------------------------------
    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        if 0 <= index < len(self.hits):
            hit = self.hits[index]
            if hit.snippet is None:
                self._load_snippet(hit)
            self._preview(hit)

    @work(thread=True, group="snippet", exclusive=True, exit_on_error=False)
    def _load_snippet(self, hit: Hit) -> None:
        self.workspace.snippet(hit)
        self.post_message(self.SnippetReady(hit))

    @on(SnippetReady)
    def _snippet_ready(self, message: SnippetReady) -> None:
        listing = self.results
        index = listing.highlighted
        if index is not None and index < len(self.hits) and self.hits[index] is message.hit:
            self._preview(message.hit)

    def _preview(self, hit: Hit) -> None:
        preview = self.query_one("#preview", Static)
        if hit.snippet is None:
            preview.update(Content(one_line(f"{hit.date}  {hit.severity} {hit.status}")))
            return
        snippet = hit.snippet
        parts: list[tuple[str, str] | str] = [(one_line(snippet.section) + ": ", "bold")]
        last = 0
        text = snippet.text
        for start, end in snippet.spans:
            parts.append(one_line(text[last:start]))
            parts.append((one_line(text[start:end]), "reverse"))
            last = end
        parts.append(one_line(text[last:]))
        preview.update(Content.assemble(*parts))

    # -- choosing ---------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._stop_refine()
        index = event.option_index
        if 0 <= index < len(self.hits):
            self.post_message(self.OpenRequested(self.hits[index].path))

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._shown_generation != self._generation:
            self._enter_pending = True  # act on the results of what was typed, not older ones
            return
        self._choose(event.value)

    def _stop_refine(self) -> None:
        if self._refine_timer is not None:
            self._refine_timer.stop()
            self._refine_timer = None

    def _choose(self, text: str) -> None:
        self._stop_refine()  # the user chose from what is shown: no reshuffle under them
        index = self.results.highlighted
        if self.hits and index is not None:
            self.post_message(self.OpenRequested(self.hits[index].path))
        elif text.strip():
            self.post_message(self.CreateRequested(text.strip()))

    def on_key(self, event: events.Key) -> None:
        """Up and down in the search box move through the results."""
        if self.search_box.has_focus and event.key in ("down", "up") and self.hits:
            listing = self.results
            current = listing.highlighted or 0
            step = 1 if event.key == "down" else -1
            listing.highlighted = max(0, min(len(self.hits) - 1, current + step))
            event.stop()
