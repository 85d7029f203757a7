"""The sidebar: a search box, the results (virtualised), and a preview of the highlighted one."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len, get_character_cell_size
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import get_current_worker

from mistakes.domain.text import one_line, visible
from mistakes.search.index import Hit, SearchResults
from mistakes.services.workspace import Workspace, hit_key
from mistakes.ui.newest import newest_path, read_newest, write_newest

# severity and status as words, each with its colour (the F1 help shows the legend)
SEVERITY_STYLE = {
    "critical": "bold reverse $error",  # apart from high in 16 colours too
    "high": "bold $error",
    "medium": "$warning",
    "low": "$success",
}
STATUS_STYLE = {
    "active": "bold $warning",
    "investigating": "$accent",
    "resolved": "$success",
}

PROMPTS_KEPT = 1_000  # results' prompts kept for the next keys (see Sidebar._prompt)
KEY_BUDGET = 0.008  # seconds of scoring per keystroke; a broad query answers with what it has
REFINE_DELAY = 0.25  # then, once typing pauses this long, the whole ranking replaces it
PAGE = 100  # results asked for at a time; reaching the end of the list asks for more
MIN_WIDTH = 32  # the sidebar's width at 80 columns; it grows with the terminal
MAX_WIDTH = 72
WIDTH_SHARE = 0.35  # of the terminal's width
WIDTH_STEP = 8  # alt+right / alt+left
ELLIPSIS = "…"  # drawn as ~ where the terminal lacks it (ASCII glyphs)
NUMBER_CELLS = 4  # "005 " before each title
EDITOR_MIN = 30  # columns always left to the editor
# keys typed in the search box that move in the results (the OptionList's own actions)
LIST_KEYS = {
    "pagedown": "page_down",
    "pageup": "page_up",
    "home": "first",
    "end": "last",
}


def severity_text(severity: str) -> Content:
    word = severity.strip().lower()
    return Content.styled(one_line(word) or "no severity", SEVERITY_STYLE.get(word, "$text-muted"))


def status_text(status: str) -> Content:
    word = status.strip().lower()
    return Content.styled(one_line(word) or "no status", STATUS_STYLE.get(word, "$text-muted"))


FOLDER_LABEL = 12  # cells of a folder's name on a result's second line, at most


def result_prompt(hit: Hit, is_open: bool = False, title: str | None = None) -> Content:
    """Two lines: ``005 Title``, then the severity and status as coloured words, ``seen 3x``
    when the entry records occurrences, and the date. With several folders the second line
    starts with the entry's folder (``payments``, cut to 12 cells).
    The open entry's number is shown reversed and its second line ends in ``open``.
    ``title``: the title as cut to the list's width (``shown_titles``); else the whole one."""
    number_style = "reverse bold" if is_open else "$text-muted"
    parts: list[Content | tuple[str, str] | str] = [
        (f"{hit.number:03d}", number_style),
        " ",
        title if title is not None else one_line(hit.title) or "(untitled)",
        "\n    ",
        (f"{cut_end(one_line(hit.folder), FOLDER_LABEL)} " if hit.folder else "", "bold $accent"),
        severity_text(hit.severity),
        " ",
        status_text(hit.status),
        " " if hit.seen else "",
        (f"seen {hit.seen}x" if hit.seen else "", "bold $warning"),
        "  ",
        (one_line(hit.date), "$text-muted"),
    ]
    if is_open:
        parts.append(("  open", "bold $accent"))
    return Content.assemble(*parts)


def cut_end(text: str, width: int) -> str:
    """``text`` in ``width`` cells: whole, or cut with an ellipsis at the end."""
    if text.isascii():  # one cell a character (one_line took the control characters out)
        return text if len(text) <= width else text[: width - 1].rstrip() + ELLIPSIS
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = get_character_cell_size(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ELLIPSIS


def _common_words(a: list[str], b: list[str]) -> int:
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count


def _cut_to_difference(words: list[str], differ: int, width: int) -> str:
    """The first words, an ellipsis, then the title from its ``differ``-th word on (cut at the
    end if need be): what tells this title apart stays in sight."""
    rest = " ".join(words[differ:])
    room = width - 1 - min(cell_len(rest), max(width // 2, width - 1 - cell_len(words[0])))
    head: list[str] = []
    for word in words[:differ]:
        if cell_len(" ".join([*head, word])) > room:
            break
        head.append(word)
    if not head:  # a first word longer than the room: part of it
        return cut_end(words[0], room + 1)[:-1] + ELLIPSIS + cut_end(rest, width - room - 1)
    # room left over (a short difference, "v2.19.0"): the words just before it, for context
    start, before = " ".join(head) + ELLIPSIS, words[len(head) : differ]
    while before and cell_len(start + before[-1] + " " + rest) <= width:
        rest = before.pop() + " " + rest
    return cut_end(start + rest, width)


def shown_titles(titles: list[str], width: int) -> list[str]:
    """Each title for a list ``width`` cells wide. A long title is left whole (the list cuts it
    at its end, with an ellipsis), unless another title in the list would then read the same
    ("Connection pool exhausted…" for 005 and 019 at 80 columns): those are cut here from
    the point where they differ ("Connection…after deploy o…", "Connection…again after
    as…"), so that the entries can be told apart."""
    shown = [one_line(title) or "(untitled)" for title in titles]
    cut = [cut_end(title, width) for title in shown]
    alike: dict[str, list[int]] = {}
    for index, (whole, short) in enumerate(zip(shown, cut, strict=True)):
        if short != whole:
            alike.setdefault(short.casefold(), []).append(index)
    for members in alike.values():
        if len(members) < 2:
            continue
        # a title's most words in common with another one: with a neighbour in sorted order
        keyed = sorted((shown[index].casefold().split(" "), index) for index in members)
        for place, (words, index) in enumerate(keyed):
            common = max(
                (
                    _common_words(words, keyed[near][0])
                    for near in (place - 1, place + 1)
                    if 0 <= near < len(keyed) and keyed[near][0] != words  # (same: no help)
                ),
                default=0,
            )
            if 0 < common < len(words):
                shown[index] = _cut_to_difference(shown[index].split(" "), common, width)
    return shown


def sidebar_width(screen_width: int, offset: int = 0) -> int:
    """The sidebar's width for a terminal ``screen_width`` wide (plus the user's offset)."""
    base = max(MIN_WIDTH, min(MAX_WIDTH, round(screen_width * WIDTH_SHARE)))
    return max(24, min(base + offset, screen_width - EDITOR_MIN))


class ResultList(OptionList):
    """Results; every option is two lines (``text-wrap: nowrap`` in the stylesheet)."""

    BINDINGS = [Binding("slash", "app.focus_search", "Search", show=False)]

    _scrollbars_for: tuple[Size, Size, Size] | None = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Textual 8.2.8 (pinned below 9) redraws a ScrollView's scrollbar on every layout
        # pass anywhere on the screen (the compositor's virtual size never equals the list's
        # own): each key typed in a field rewrote the list's scrollbar twice, 1,156 of the
        # 1,443 bytes a key sent to the terminal (benchmarks/app_bench.py, bytes per key).
        # Nothing of ours changed: nothing to redraw.
        key = (size, self.virtual_size, container_size)
        if key == self._scrollbars_for:
            return False
        self._scrollbars_for = key
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_resize(self) -> None:
        sidebar = self.parent
        if isinstance(sidebar, Sidebar):
            sidebar.fit_titles()  # wider or narrower: the titles are cut again


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
        keep: bool = False  # more of the same query: keep the highlighted result
        confirmed: bool = False  # the full search made before creating an entry

    @dataclass
    class SnippetReady(Message):
        hit: Hit

    @dataclass
    class HitHighlighted(Message):
        """The highlighted result changed (None: the list is empty)."""

        hit: Hit | None

    def __init__(self, workspace: Workspace, id: str | None = None) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.hits: list[Hit] = []
        self.open_name: str | None = None  # the entry open in the editor (marked in the list)
        self.width_offset = 0
        self._generation = 0
        self._shown_generation = -1
        self._shown_query: str | None = None
        self._limit = PAGE
        self._more = False  # the query has more results than are listed
        self._notice_text = ""  # the notice shown (#notice starts empty)
        self._loading_more = False
        self._pending = False  # the index is being built: the list is not of the query
        self._enter_pending = False  # enter pressed before the results for the text came
        self._indexing = ""  # the build's progress, while the index is built
        self._refine_timer: Timer | None = None  # the full ranking after a partial answer
        self._titles: dict[str, str] = {}  # entry name -> its title as cut to the list
        self._titles_width = 0  # the cells a title had when they were cut
        # a result's two lines, kept while it is listed key after key: made again, each
        # was assembled and measured anew (get_height wraps it) for every key's 100 results
        self._prompts: OrderedDict[tuple[object, ...], Content] = OrderedDict()
        # the newest entries as last listed (kept beside the index): the first frame shows
        # them while the index is opened; ``from_saved``: the list shown is that one
        self._newest = newest_path(workspace.root, workspace.search.cache_root)
        self._newest_kept: tuple[tuple[object, ...], ...] | None = None
        self.from_saved = False

    def compose(self) -> ComposeResult:
        # "-valid" from the start (Input sets it on the first key: a restyle of the box)
        yield Input(placeholder="Search (ctrl+f)", id="search", compact=True, classes="-valid")
        yield Static(id="status-line")
        with VerticalScroll(id="notice-box"):
            yield Static(id="notice")
        yield ResultList(id="results", compact=True)
        yield Static(id="preview")

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    @property
    def highlighted_hit(self) -> Hit | None:
        index = self.results.highlighted
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def refresh_results(self) -> None:
        self._start(self.search_box.value)

    def show_saved_listing(self) -> bool:
        """At startup, before the index is open: list the newest entries as the app last
        listed them (a small file read; nothing when there is none). The index's listing
        replaces it when it comes."""
        if self._shown_generation >= 0 or self.search_box.value:
            return False  # something was listed or typed already
        if self.workspace.search.several:
            return False  # the file is one folder's (its hits name no folder)
        saved = read_newest(self._newest, self.workspace.root)
        if saved is None:
            return False
        self._newest_kept = self._kept_key(saved)
        self._show(self.Results(self._generation, saved), saved=True)
        return True

    @staticmethod
    def _kept_key(results: SearchResults) -> tuple[tuple[object, ...], ...]:
        hits = tuple(
            (h.name, h.number, h.title, h.severity, h.status, h.date, h.seen) for h in results.hits
        )
        return ((results.total,), *hits)

    def _keep_newest(self, results: SearchResults) -> None:
        """The index listed the newest entries: keep them for the next start, if changed."""
        if self.workspace.search.several:
            return  # kept for one folder only: see show_saved_listing
        key = self._kept_key(results)
        if key != self._newest_kept:
            self._newest_kept = key
            self._write_newest(list(results.hits), results.total)

    @work(thread=True, exclusive=True, group="newest", exit_on_error=False)
    def _write_newest(self, hits: list[Hit], total: int) -> None:
        with contextlib.suppress(OSError):
            write_newest(self._newest, hits, total)

    # -- size -------------------------------------------------------------------------------------
    def fit(self, screen_width: int) -> None:
        """Grow with the terminal (32 columns at 80, 70 at 200), plus what alt+arrows added."""
        self.styles.width = sidebar_width(screen_width, self.width_offset)

    def widen(self, step: int, screen_width: int) -> None:
        """alt+right / alt+left: wider or narrower, within what the terminal allows."""
        self.width_offset += step
        self.width_offset = sidebar_width(screen_width, self.width_offset) - sidebar_width(
            screen_width
        )
        self.fit(screen_width)

    # -- searching (a thread; stale answers are dropped) ------------------------------------
    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self._start(event.value)

    def _start(self, text: str) -> None:
        self._generation += 1
        self._limit = PAGE
        self._loading_more = False
        self._search(text, self._generation, KEY_BUDGET, PAGE)

    @work(
        thread=True,
        exclusive=True,
        group="search",
        exit_on_error=False,
        description="Search as you type",
    )
    def _search(
        self,
        text: str,
        generation: int,
        budget: float | None,
        limit: int,
        keep: bool = False,
        partial: bool = True,
        confirmed: bool = False,
    ) -> None:
        results = self.workspace.find(text, limit, partial=partial, budget=budget)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Results(generation, results, keep=keep, confirmed=confirmed))

    @property
    def generation(self) -> int:
        """The number of the latest search begun (read from threads too: an int)."""
        return self._generation

    def list_newest_from_thread(self, generation: int | None) -> bool:
        """For a worker thread that has just opened the index (the app's startup): list the
        newest entries from that thread, as an empty search box would. ``generation``: the
        sidebar's as it was before the index was opened. False when a search began since
        (it may have found no index open): the caller refreshes then."""
        if generation is None or generation != self._generation:
            return False
        try:
            results = self.workspace.find("", PAGE)
        except Exception:
            return False
        if generation != self._generation:
            return False
        self.post_message(self.Results(generation, results))
        return True

    @property
    def refine_pending(self) -> bool:
        """A partial answer waits for its whole ranking: its timer has not fired yet (tests
        wait on this before they look at the list)."""
        return self._refine_timer is not None

    def _refine(self, text: str, generation: int) -> None:
        """Typing paused on a broad query answered within the key budget: rank it all."""
        self._refine_timer = None  # fired (a search follows, or nothing is left to rank)
        if generation == self._generation and text == self.search_box.value:
            self._search(text, generation, None, self._limit, keep=True)

    def _load_more(self) -> None:
        """The highlight reached the end of the list: ask for the next page."""
        if not self._more or self._loading_more:
            return
        self._loading_more = True
        self._stop_refine()
        self._limit += PAGE
        self._search(self.search_box.value, self._generation, None, self._limit, keep=True)

    @on(Results)
    def _show(self, message: Results, saved: bool = False) -> None:
        if message.generation != self._generation:
            return  # an older search answered late
        self._shown_generation = message.generation
        self.from_saved = saved
        self._loading_more = False
        results = message.results
        self._pending = results.pending
        if results.pending:  # the index is being built: the app refreshes when it is done
            self._enter_pending = False
            self._status(self._indexing or "indexing the folder: search works when it is done")
            return
        if message.confirmed and not results.hits and not results.notice:
            # the full search agrees there is no match: only now is an entry created
            text = self.search_box.value.strip()
            if text:
                self.post_message(self.CreateRequested(text))
            return
        if not saved and not results.query.strip() and results.hits and not results.notice:
            self._keep_newest(results)
        same_query = results.query == self._shown_query
        self._shown_query = results.query
        self.hits = results.hits
        listing = self.results
        old = listing.highlighted_option if (same_query or message.keep) else None
        self._cut_titles()
        with self.app.batch_update():
            listing.set_options(
                Option(
                    self._prompt(
                        hit, hit_key(hit) == self.open_name, self._titles.get(hit_key(hit))
                    ),
                    id=hit_key(hit),
                )
                for hit in results.hits
            )
            if results.hits:
                index = 0
                if old is not None and old.id is not None:
                    try:
                        index = listing.get_option_index(old.id)
                    except OptionDoesNotExist:
                        index = 0
                listing.highlighted = index
        text = self.search_box.value.strip()
        shown = len(results.hits)
        total = max(results.total, shown)
        self._more = bool(text) and (total > shown or not results.exact) and shown >= self._limit
        if not text:
            status = f"{shown} newest of {results.total}"
        elif results.hits:
            if results.exact:
                status = f"{total} match" if total == 1 else f"{shown} of {total}"
            else:
                status = f"{shown} of about {total}"
            if self._more:
                status += " (end: more)"
        elif results.notice:
            status = "no match (see below)"  # a query the language refused: not a title
        else:
            status = "no match: enter creates a new entry"
        self._status(status)
        notice = results.notice
        if message.confirmed and results.hits and not notice:
            notice = (
                "The whole words match these entries (enter opens one; ctrl+n makes a new one)."
            )
        self._notice(notice)
        self._stop_refine()
        if not results.complete:
            self._refine_timer = self.set_timer(
                REFINE_DELAY, lambda: self._refine(results.query, message.generation)
            )
        if not results.hits:
            self.query_one("#preview", Static).update("", layout=False)  # fixed size
            self.post_message(self.HitHighlighted(None))
        if self._enter_pending:
            self._enter_pending = False
            self._choose(self.search_box.value)

    def _status(self, text: str) -> None:
        # one fixed line: no layout of the screen for it (a reflow on every key cost ~7 ms)
        self.query_one("#status-line", Static).update(Content(one_line(text)), layout=False)

    def _notice(self, text: str) -> None:
        """What the query language said about the query, shown whole (it wraps)."""
        if text == self._notice_text:
            return  # the same notice (mostly none) as the key before: no layout for it
        self._notice_text = text
        self.query_one("#notice", Static).update(Content(visible(text)))
        self.query_one("#notice-box").display = bool(text)

    def show_indexing(self, done: int, total: int) -> None:
        """Progress of a first build of the index (the list fills when it is done)."""
        self._indexing = f"indexing {done:,} of {total:,} entries…" if done < total else ""
        if self._indexing:
            self._status(self._indexing)

    def _title_cells(self) -> int:
        """Cells for a title in the list (a scrollbar's column is always kept for it)."""
        width = self.results.size.width
        if not width and self.styles.width:  # before the first layout: as it will be laid out
            width = int(self.styles.width.value) - self.styles.gutter.width  # (its border)
        return max(8, width - 1 - NUMBER_CELLS)

    def _prompt(self, hit: Hit, is_open: bool, title: str | None) -> Content:
        """``result_prompt``, the same Content object for the same result as shown before
        (Content is immutable and keeps its measured height)."""
        key = (
            hit_key(hit), hit.number, title, hit.title, hit.folder, hit.severity, hit.status,
            hit.seen, hit.date, is_open,
        )  # fmt: skip
        prompt = self._prompts.get(key)
        if prompt is None:
            prompt = self._prompts[key] = result_prompt(hit, is_open, title)
            if len(self._prompts) > PROMPTS_KEPT:
                self._prompts.popitem(last=False)
        else:
            self._prompts.move_to_end(key)
        return prompt

    def _cut_titles(self) -> None:
        self._titles_width = self._title_cells()
        titles = shown_titles([hit.title for hit in self.hits], self._titles_width)
        self._titles = {hit_key(hit): title for hit, title in zip(self.hits, titles, strict=True)}

    def fit_titles(self) -> None:
        """The list's width changed: cut the titles for the new width."""
        if not self.hits or self._title_cells() == self._titles_width:
            return
        self._cut_titles()
        listing = self.results
        with self.app.batch_update():
            for index, hit in enumerate(self.hits):
                if index >= listing.option_count:
                    break
                key = hit_key(hit)
                prompt = self._prompt(hit, key == self.open_name, self._titles[key])
                listing.replace_option_prompt_at_index(index, prompt)

    def mark_open(self, name: str | None) -> None:
        """Mark the entry open in the editor (and unmark the one before)."""
        if name == self.open_name:
            return
        before, self.open_name = self.open_name, name
        listing = self.results
        for hit in self.hits:
            key = hit_key(hit)
            if key in (before, name):
                with contextlib.suppress(OptionDoesNotExist):
                    prompt = self._prompt(hit, key == name, self._titles.get(key))
                    listing.replace_option_prompt(key, prompt)

    # -- preview of the highlighted result ----------------------------------------------------
    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        if 0 <= index < len(self.hits):
            hit = self.hits[index]
            if hit.snippet is None and not self.from_saved:  # (the index may not be open)
                self._load_snippet(hit)
            self._preview(hit)
            self.post_message(self.HitHighlighted(hit))
            if index >= len(self.hits) - 1:
                self._load_more()

    @work(
        thread=True,
        group="snippet",
        exclusive=True,
        exit_on_error=False,
        description="The highlighted result's snippet",
    )
    def _load_snippet(self, hit: Hit) -> None:
        self.workspace.snippet(hit)
        self.post_message(self.SnippetReady(hit))

    @on(SnippetReady)
    def _snippet_ready(self, message: SnippetReady) -> None:
        if self.highlighted_hit is message.hit:
            self._preview(message.hit)

    def _preview(self, hit: Hit) -> None:
        self.query_one("#preview", Static).update(snippet_text(hit), layout=False)

    # -- choosing ---------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._stop_refine()
        index = event.option_index
        if 0 <= index < len(self.hits):
            self.post_message(self.OpenRequested(self.hits[index].path))

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._pending:
            return  # the list is not what was typed (the index is being built)
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
            # as-you-type search takes the last word as unfinished; before an entry is made,
            # the whole words are searched as the CLI would (its matches are listed instead)
            self._status("searching the whole words…")
            self._search(text, self._generation, None, PAGE, partial=False, confirmed=True)

    def clear_search(self) -> None:
        """Esc in the search box: empty it; the newest entries are listed again."""
        self.search_box.value = ""

    def on_key(self, event: events.Key) -> None:
        """Up, down, page up/down, home and end in the search box move in the results."""
        if not self.search_box.has_focus or not self.hits:
            return
        listing = self.results
        if event.key in ("down", "up"):
            current = listing.highlighted or 0
            step = 1 if event.key == "down" else -1
            listing.highlighted = max(0, min(len(self.hits) - 1, current + step))
        elif event.key in LIST_KEYS:
            getattr(listing, f"action_{LIST_KEYS[event.key]}")()
        else:
            return
        event.stop()
        event.prevent_default()


def snippet_text(hit: Hit) -> Content:
    """Where the query matched, the matched words reversed (or the facts until it is read)."""
    if hit.snippet is None:
        return Content(one_line(f"{hit.date}  {hit.severity} {hit.status}"))
    snippet = hit.snippet
    parts: list[tuple[str, str] | str] = [(one_line(snippet.section) + ": ", "bold")]
    last = 0
    text = snippet.text
    for start, end in snippet.spans:
        parts.append(one_line(text[last:start]))
        parts.append((one_line(text[start:end]), "reverse"))
        last = end
    parts.append(one_line(text[last:]))
    return Content.assemble(*parts)
