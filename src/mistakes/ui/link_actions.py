"""Keys for links and follow-ups: ctrl+g follows the link under the cursor (or lists the
entry's links, backlinks too), ctrl+r goes back, F9 shows the Follow-ups screen, and the
palette's "Link to…" writes a link into both files (the CLI's service, in a worker)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.worker import Worker

from mistakes.domain.errors import MistakesError
from mistakes.domain.links import LINK_TYPES, LinkSectionError, WrittenLink, link_at, link_place
from mistakes.domain.text import one_line
from mistakes.services.links import Link, LinkService
from mistakes.services.watch import same_file
from mistakes.ui.base import AppBase
from mistakes.ui.entry_actions import choice_keys
from mistakes.ui.screens.dialogs import ConfirmScreen
from mistakes.ui.screens.followups import FollowUpsScreen, Opened
from mistakes.ui.screens.links import EntryPicker, LinksScreen

HISTORY = 50  # entries remembered for ctrl+r


class LinkActions(AppBase):
    # the app's own (app.py): open a file once unsaved work is dealt with
    _when_safe: Callable[[Callable[[], object]], None]
    _open: Callable[..., Worker[None]]  # (path, pane=None, item=None)
    show_pane: Callable[[str], bool]  # NavigationActions'

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.link_history: list[Path] = []  # entries left by following a link (ctrl+r)

    @property
    def links(self) -> LinkService:
        stored = self.stored  # the open entry's folder
        return LinkService(self.workspace.entries_for(stored.path if stored else None))

    # -- following links --------------------------------------------------------------------
    def action_follow_link(self) -> None:
        """ctrl+g: the link under the cursor in a Related Issues pane; elsewhere, or on a
        line with no link, the list of the entry's links (backlinks too)."""
        if not self.need_entry():
            return
        try:
            place = link_place(self.workspace.template)
        except LinkSectionError as exc:
            self.notify(one_line(str(exc)), markup=False, severity="warning")
            return
        area = self.editor.focused_text_area()
        leaves = {f"section-{spec.key}" for spec in place.leaves}
        if area is not None and area.id in leaves:
            row, column = area.cursor_location
            stored = self.stored
            root = stored.path.parent if stored is not None else self.workspace.root
            link = link_at(area.document.get_line(row), column, root.name)
            if link is not None:
                self._resolve_link(link)
                return
        if self.stored is None:
            self.notify("Save the entry first: a new entry has no links yet.")
            return
        self._list_links(self.stored.path)

    @work(thread=True, group="links", exit_on_error=False, description="Following a link")
    def _resolve_link(self, link: WrittenLink) -> None:
        path = self.links.resolve(link)
        if path is None:
            shown = link.target or f"#{link.number}"
            self.call_from_thread(
                self.notify, f"No entry {shown} in the folder.", markup=False, severity="warning"
            )
            return
        self.call_from_thread(self.go_to_entry, path)

    @work(thread=True, group="links", exit_on_error=False, description="Reading links")
    def _list_links(self, path: Path) -> None:
        try:
            stored = self.workspace.load(path)
            links = self.links.links(stored)
        except (MistakesError, OSError) as exc:
            self.call_from_thread(self.notify, one_line(str(exc)), markup=False, severity="error")
            return
        self.call_from_thread(self._show_links, stored.entry.title, links)

    def _show_links(self, title: str, links: list[Link]) -> None:
        def chosen(link: Link | None) -> None:
            if link is not None and link.path is not None:
                self.go_to_entry(link.path)

        self.push_screen(LinksScreen(title, links), chosen)

    def go_to_entry(self, path: Path) -> None:
        """Open another entry, remembering this one for ctrl+r."""
        here = self.stored.path if self.stored is not None else None

        def go() -> None:
            if here is not None and here != path:
                self.link_history.append(here)
                del self.link_history[:-HISTORY]
            self._open(path)

        self._when_safe(go)

    def action_go_back(self) -> None:
        """ctrl+r: back to the entry a link was followed from."""
        if not self.link_history:
            self.notify("No entry to go back to (ctrl+g follows a link).")
            return
        path = self.link_history[-1]

        def go() -> None:
            if self.link_history and self.link_history[-1] == path:
                self.link_history.pop()
            self._open(path)

        self._when_safe(go)

    # -- Link to… -----------------------------------------------------------------------------
    def link_to(self) -> None:
        """The palette's "Link to…": pick an entry with the sidebar's search, then the type;
        the link is written into both files."""
        if not self.need_entry():
            return
        if self.stored is None:
            self.notify("Save the entry first: a link is written into its file.")
            return
        try:
            link_place(self.workspace.template)
        except LinkSectionError as exc:
            self.notify(one_line(str(exc)), markup=False, severity="warning")
            return
        here = self.stored.path
        question = f"Link {here.name[:40]} to… (type to search, enter picks, esc cancels)"

        def picked(path: Path | None) -> None:
            if path is not None:
                self._ask_type(here, path)

        self.push_screen(EntryPicker(self.workspace, question, exclude=here.name), picked)

    def _ask_type(self, here: Path, there: Path) -> None:
        keys = choice_keys(LINK_TYPES)

        def answered(answer: str | None) -> None:
            if answer in LINK_TYPES:
                self._when_safe(lambda: self._write_link(here, there, str(answer)))

        self.push_screen(
            ConfirmScreen(
                f"{here.name[:30]} is … {there.name[:30]} (esc cancels)",
                [(t, t, k) for t, k in zip(LINK_TYPES, keys, strict=True)],
            ),
            answered,
        )

    @work(thread=True, group="links", exit_on_error=False, description="Writing a link")
    def _write_link(self, here: Path, there: Path, link_type: str) -> None:
        if self.workspace.folder_of(here) != self.workspace.folder_of(there):
            message = f"{there.name} is in another folder; links join entries of one folder"
            self.call_from_thread(self.notify, message, markup=False, severity="error")
            return
        try:
            saved = self.links.link(here.name, there.name, link_type)
            for stored in saved:
                self.workspace.search.saved(stored)
        except (MistakesError, OSError) as exc:
            self.call_from_thread(self.notify, one_line(str(exc)), markup=False, severity="error")
            return
        self.call_from_thread(self._link_written, link_type, there)

    def _link_written(self, link_type: str, there: Path) -> None:
        self.notify(f"Linked: {link_type} {one_line(there.name)}", markup=False)
        self.check_open_file()  # the open entry's file changed: reloaded as any outside change

    # -- follow-ups ---------------------------------------------------------------------------
    def action_followups(self) -> None:
        """F9: the open follow-ups of every entry."""
        if len(self.screen_stack) > 1:
            return
        if self.workspace.template.checklist is None:
            self.notify("This template has no follow-up checklist.")
            return

        def chosen(answer: Opened | None) -> None:
            if answer is not None:
                self.open_at_item(*answer)

        self.push_screen(FollowUpsScreen(self.workspace, self._followup_written), chosen)

    def _followup_written(self, path: Path) -> None:
        if self.stored is not None and same_file(self.stored.path, path):
            self.check_open_file()  # reloaded, or asked about when the form has unsaved work

    def open_at_item(self, path: Path, item: int) -> None:
        """Open an entry on its checklist tab, with item ``item`` (1-based) highlighted."""
        self._when_safe(lambda: self._open(path, "tab-checklist", item))
