"""The Similar tab: past entries close to the open entry's error, and how they were fixed.

The list shows each hit on one line (number, title); under it, the highlighted hit's fix,
root cause (Markdown as written, made visible) and why it is close. Enter opens it (the
app handles ``OptionList.OptionSelected`` from ``#similar-list``). With nothing close it
says "No close matches". The lookup is :class:`mistakes.ui.similar.SimilarFinder`'s.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from mistakes.domain.text import one_line, visible
from mistakes.search.types import Hit
from mistakes.services.workspace import hit_key

NO_CLOSE_MATCHES = "No close matches"
NOTHING_TO_LOOK_FOR = "Write or paste the error (Error Messages) to look for past entries like it."


def hit_label(hit: Hit) -> Content:
    """One line of the list: number and title (``payments:005`` with several folders)."""
    label = f"{one_line(hit.folder)}:" if hit.folder else ""
    return Content(f"{label}{hit.number:03d} {one_line(hit.title)}")


def answer(hit: Hit | None) -> Content:
    """Why the hit is close, how it was fixed and why it happened (Markdown kept, control
    characters made visible)."""
    if hit is None:
        return Content("")
    fix = visible(hit.fix) if hit.fix else "(no fix written)"
    cause = visible(hit.root_cause) if hit.root_cause else "(no root cause written)"
    return Content.assemble(
        ("fix: ", "bold"),
        fix,
        "\n\n",
        ("root cause: ", "bold"),
        cause,
        "\n\n",
        ("why close: ", "dim bold"),
        (one_line(hit.reason), "dim"),
    )


class SimilarPanel(Vertical):
    """The Similar tab's content."""

    DEFAULT_CSS = """
    SimilarPanel { height: 1fr; }
    SimilarPanel #similar-list { height: auto; max-height: 5; text-wrap: nowrap;
        text-overflow: ellipsis; }
    SimilarPanel #similar-empty { color: $text-muted; height: auto; }
    SimilarPanel #similar-answer { height: 1fr; border-top: solid $primary-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="similar-panel")
        self.hits: dict[str, Hit] = {}

    def compose(self) -> ComposeResult:
        yield Label(Content("Past entries like this error (enter opens):"))
        yield OptionList(id="similar-list", compact=True)
        yield Static(id="similar-empty")
        with VerticalScroll(id="similar-answer"):
            yield Static(id="similar-answer-text")

    def show(self, hits: list[Hit] | None, *, looked_for: bool = True) -> None:
        """The hits of a lookup (None: not looked up yet for this entry); ``looked_for``:
        there was error text to look for (an empty list then means nothing is close)."""
        self.hits = {hit_key(hit): hit for hit in hits or []}
        listing = self.query_one("#similar-list", OptionList)
        listing.set_options(Option(hit_label(hit), id=hit_key(hit)) for hit in hits or [])
        if hits:
            listing.highlighted = 0  # enter opens the best match (set_options clears it)
        if hits is None or hits:
            empty = ""
        else:
            empty = NO_CLOSE_MATCHES if looked_for else NOTHING_TO_LOOK_FOR
        note = self.query_one("#similar-empty", Static)
        note.update(Content(empty))
        note.display = bool(empty)
        self.query_one("#similar-answer").display = bool(hits)
        self._show_answer(hits[0] if hits else None)

    @on(OptionList.OptionHighlighted, "#similar-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_answer(self.hits.get(event.option_id or ""))

    def _show_answer(self, hit: Hit | None) -> None:
        self.query_one("#similar-answer-text", Static).update(answer(hit))

    def answer_text(self) -> str:
        """What the answer pane shows (for tests and the clipboard)."""
        content = self.query_one("#similar-answer-text", Static).content
        return content.plain if isinstance(content, Content) else str(content)
