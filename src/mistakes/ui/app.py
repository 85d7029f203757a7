"""The terminal app: sidebar search on the left, the entry editor on the right."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static, TabbedContent, TextArea

from mistakes.domain.entry import Entry
from mistakes.domain.text import one_line
from mistakes.search.index import IndexUnavailable, query_fields
from mistakes.services import secrets
from mistakes.services.entries import ResolveRefused, UsageError
from mistakes.services.watch import same_file
from mistakes.services.workspace import MergePlan, Workspace
from mistakes.storage.atomic import NotDurableError
from mistakes.storage.errors import ConflictError, StorageError
from mistakes.storage.folder import StoredEntry
from mistakes.ui.collector import IdleCollector
from mistakes.ui.commands import EntryCommands, app_commands
from mistakes.ui.entry_actions import EntryActions, run_editor
from mistakes.ui.keys import APP_BINDINGS, OTHER_KEYS, check_keymap, read_escape_digit_as_alt
from mistakes.ui.link_actions import LinkActions
from mistakes.ui.navigation import NavigationActions
from mistakes.ui.save_flow import DraftsFound, FolderChanged, OpenFileChanged
from mistakes.ui.screens.dialogs import ConfirmScreen, HelpScreen
from mistakes.ui.screens.drafts import Answer, DraftPicker
from mistakes.ui.screens.folders import FolderPicker
from mistakes.ui.screens.merge import MergeScreen
from mistakes.ui.similar import SimilarFinder
from mistakes.ui.styles import stylesheets
from mistakes.ui.terminal import fit_terminal
from mistakes.ui.topbar import topbar_text
from mistakes.ui.widgets.editor import EntryEditor
from mistakes.ui.widgets.footer import KeyFooter
from mistakes.ui.widgets.peek import EntryPeek
from mistakes.ui.widgets.sidebar import Sidebar

AUTOSAVE_SECONDS = 3.0
FIRST_LISTING_WAIT = 2.0  # seconds the startup sync waits at most for the first listing
COLLECT_TICK_SECONDS = 0.1  # how often the idle collector looks (see ui/collector.py)
PREBUILD_DELAY = 0.3  # after the first listing is painted: build the editor's form
PROGRESS_SECONDS = 0.25  # how often the index build's progress is shown
SIMILAR_DELAY = 0.8  # seconds of quiet typing before the similar list is looked up
WATCH_SECONDS = 2.0
WARM_IDLE_SECONDS = 2.0  # no key or paste this long: load the secret patterns (a thread)
THEMES = {"textual-dark": "textual-light", "ansi-dark": "ansi-light"}  # ctrl+p Toggle theme


class MistakesApp(EntryActions, NavigationActions, LinkActions):
    CSS_PATH = [str(path) for path in stylesheets()]
    TITLE = "mistakes"
    COMMANDS = App.COMMANDS | {EntryCommands}
    BINDINGS = APP_BINDINGS

    @dataclass
    class Saved(Message):
        stored: StoredEntry
        entry: Entry
        unchanged: bool = False
        merged: bool = False  # their changes were kept: the form shows the file again
        warnings: list[str] = field(default_factory=list)  # said beside "Saved"

    @dataclass
    class Failed(Message):
        message: str
        conflict: bool = False
        plan: MergePlan | None = None
        after: object = None

    @dataclass
    class IndexOpened(Message):
        """The index as it was left is open: entries can be listed before the sync."""

    @dataclass
    class Indexing(Message):
        done: int
        total: int

    @dataclass
    class Waiting(Message):
        text: str  # "waiting for the search index: it is locked by process 123 (...)"

    @dataclass
    class Synced(Message):
        notices: list[str]

    def __init__(self, workspace: Workspace) -> None:
        check_keymap(workspace.config.keymap, workspace.config.path)
        super().__init__()
        self.workspace = workspace
        self.stored: StoredEntry | None = None
        self.draft_key: str | None = None
        self._from_draft = False  # the open entry came from a draft (others may wait)
        self._topbar_shown: Content | None = None
        self._prebuilt = False
        self._asked_about_change = False
        self._listed = threading.Event()  # the first listing is painted: the sync may start
        self._painted = threading.Event()  # the first frame is painted: the index may open
        self._last_input = time.monotonic()  # the last key or paste (the warm-up waits)
        self._warm_timer: Timer | None = None
        self.collector = IdleCollector(lambda: self._last_input)
        read_escape_digit_as_alt()
        if workspace.config.keymap:
            self.set_keymap(workspace.config.keymap)
        # the theme for the terminal is chosen before the stylesheet is first read: chosen on
        # mount (16 colours: ansi-dark), every style was parsed and applied again before the
        # first frame (a tenth of it at 5,000 entries); MISTAKES_ASCII beats the config
        asked = None if os.environ.get("MISTAKES_ASCII") else workspace.config.ascii
        fit_terminal(self, asked)
        self.stylesheet.set_variables(self.get_css_variables())
        self._first_css: dict[str, str] | None = self.get_css_variables()

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="main"):
            yield Sidebar(self.workspace, id="sidebar")
            yield EntryPeek(self.workspace, id="peek")
            yield EntryEditor(self.workspace.template, id="editor")
        yield SimilarFinder(
            self.workspace,
            lambda: self.editor,
            lambda: self.workspace.key_of(self.stored.path) if self.stored is not None else None,
            SIMILAR_DELAY,
        )
        yield KeyFooter()

    @property
    def similar(self) -> SimilarFinder:
        return self.query_one(SimilarFinder)

    @property
    def peek(self) -> EntryPeek:
        return self.query_one(EntryPeek)

    def on_mount(self) -> None:
        # from here the cyclic garbage collector runs only while the user waits for nothing
        # (its passes cost 7-9 ms inside a first open, and walked the modules at startup)
        self.collector.start()
        self.set_interval(COLLECT_TICK_SECONDS, self.collector.tick, name="collect garbage")
        self._install_signals()
        self.workspace.search.on_wait = self._waiting  # whose lock a worker waits for
        self.editor.renderer = self.workspace.render
        self.set_interval(AUTOSAVE_SECONDS, self._autosave)
        self.set_interval(WATCH_SECONDS, self.check_open_file)
        self.sidebar.fit(self.size.width)
        self._update_topbar()
        self.sidebar.search_box.focus()
        if self.sidebar.show_saved_listing():  # the newest entries as last listed, at once
            # the index is opened once they are painted: its thread held the first frame
            # back (the GIL), and the list is on the screen already
            self.call_after_refresh(self._painted.set)
        else:
            self._painted.set()
        self._sync(sidebar=self.sidebar)
        self._offer_drafts()

    def refresh_css(self, animate: bool = True) -> None:
        """The theme change made in ``__init__`` asks for a refresh once the app runs: the
        stylesheet was first read with that theme's variables already, so there is nothing
        to refresh (a later theme change refreshes as usual)."""
        first, self._first_css = self._first_css, None
        if first is not None and first == self.get_css_variables():
            with contextlib.suppress(Exception):  # (no screen yet: nothing to mark)
                self.screen._css_update_count = self._css_update_count
            return
        super().refresh_css(animate)

    def _waiting(self, message: str) -> None:
        """Told from a worker thread: a wait for another process's index lock began."""
        self.post_message(self.Waiting(message))

    @on(Waiting)
    def _waiting_shown(self, message: Waiting) -> None:
        self.notify(one_line(message.text), markup=False, severity="warning", timeout=10)

    def on_unmount(self) -> None:
        self.collector.stop()
        self._listed.set()  # a sync still waiting for the first listing: no need now
        self._painted.set()
        with contextlib.suppress(Exception):
            self.workspace.close()
        with contextlib.suppress(Exception):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _update_topbar(self) -> None:
        self._show_editor_or_peek()
        bar = self.query_one("#topbar", Static)
        width = bar.content_size.width or self.size.width - 2
        folder = str(self.workspace.root)
        if self.workspace.several:  # the open entry's folder; else every folder's name
            if self.stored is not None:
                folder = str(self.stored.path.parent)
            elif self.editor.original is not None:
                folder = str(self.workspace.entries_for(folder=self.new_folder).root)
            else:
                folder = " + ".join(self.workspace.folder_names)
        if self.editor.original is None:
            text = topbar_text(folder, None, "", False, width)
        else:
            number = f"{self.stored.number:03d}" if self.stored is not None else "new"
            title = self.editor.current_title()
            text = topbar_text(folder, number, title, self.editor.modified, width)
        if text != self._topbar_shown:  # the bar's size never depends on its text
            self._topbar_shown = text
            bar.update(text, layout=False)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.call_after_refresh(self._update_topbar)  # the bar's new width is known then

    def _show_editor_or_peek(self) -> None:
        """With no entry open the right side previews the highlighted result."""
        peeking = self.editor.original is None
        self.peek.display = peeking
        self.editor.display = not peeking
        self.sidebar.set_class(peeking, "-peeking")
        stored = self.stored
        self.sidebar.mark_open(self.workspace.key_of(stored.path) if stored is not None else None)

    @on(Sidebar.HitHighlighted)
    def _hit_highlighted(self, message: Sidebar.HitHighlighted) -> None:
        if self.is_running and self.query(EntryPeek) and self.editor.original is None:
            self.peek.show(message.hit)

    @on(Sidebar.SnippetReady)
    def _snippet_read(self, message: Sidebar.SnippetReady) -> None:
        if self.is_running and self.query(EntryPeek) and self.editor.original is None:
            self.peek.refresh_snippet(message.hit)

    # -- the index -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="sync", exit_on_error=False, description="Sync")
    def _sync(self, rebuild: bool = False, sidebar: Sidebar | None = None) -> None:
        # the index as it was left lists the entries at once; bringing it in step (a stat of
        # every file, in this thread) follows once that listing is painted: run beside it,
        # it held the first frame back (0.58 s against 0.38 s at 5,000 entries)
        if not rebuild:
            self._painted.wait(FIRST_LISTING_WAIT)
            with contextlib.suppress(Exception):
                generation = sidebar.generation if sidebar is not None else None
                if self.workspace.open_as_is():
                    # at startup the newest entries are listed from here, in this thread:
                    # a message to the loop and a search worker after it came ~70 ms later
                    if sidebar is None or not sidebar.list_newest_from_thread(generation):
                        self.post_message(self.IndexOpened())
                    self._listed.wait(FIRST_LISTING_WAIT)
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS or done >= total:
                last[0] = now
                self.post_message(self.Indexing(done, total))

        try:
            if rebuild:
                report = self.workspace.search.reindex(progress)
            else:
                report = self.workspace.sync(progress)
            notices = list(report.notices) + [str(p) for p in report.problems[:3]]
        except Exception as exc:  # the app stays usable; search says why it is empty
            notices = [f"search index unavailable: {exc}"]
        self.post_message(self.Synced(notices))

    def reindex(self) -> None:
        """ctrl+p Reindex: rebuild the index from the files (in a thread, with progress)."""
        self.notify("Rebuilding the search index from the files…")
        self._sync(rebuild=True)

    async def _prebuild(self) -> None:
        editors = self.query(EntryEditor)
        if not editors or not self.is_running:
            return  # the app is closing (the timer fired as its widgets went)
        await editors.first().prebuild()
        # the form lives as long as the app: the cyclic garbage collector never walks it
        # (its full passes over it showed as 60-80 ms stalls on open)
        self.collector.freeze()
        # the quiet is counted from here: the start itself had no keys, but the user may be
        # about to type (a benchmark's first keys came as the thread started)
        self._last_input = max(self._last_input, time.monotonic())
        self._warm_timer = self.set_interval(WARM_IDLE_SECONDS / 4, self._warm_when_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _warm_when_idle(self) -> None:
        """Once the user has left the keys alone a while: a thread that imports modules holds
        the GIL for much of its run, and keys typed meanwhile would wait on it."""
        if time.monotonic() - self._last_input < WARM_IDLE_SECONDS:
            return
        if self._warm_timer is not None:
            self._warm_timer.stop()
            self._warm_timer = None
        self._warm_secrets()

    @work(thread=True, group="warm", exit_on_error=False, description="Loading secret patterns")
    def _warm_secrets(self) -> None:
        """The patterns a paste is masked with, loaded here rather than on the event loop
        at the first paste (70-400 ms once: detect-secrets pulls in requests)."""
        secrets.warm_up()

    @on(IndexOpened)
    def _index_opened(self) -> None:
        self.sidebar.refresh_results()

    @work(thread=True, exclusive=True, group="tags", exit_on_error=False)
    def _load_tags(self) -> None:
        """The folder's tags for completion in the tags field (after a sync or a save)."""
        tags = self.workspace.known_tags()  # the index is read here, in the thread
        self.call_from_thread(self._set_tags, tags)

    def _set_tags(self, tags: list[str]) -> None:
        self.editor.tag_suggester.tags = tags

    @on(Sidebar.Results)
    def _prebuild_editor(self, message: Sidebar.Results) -> None:
        """The editor's form is built once the entries are listed (after that frame is
        painted), not on the first open; the startup sync starts then too."""
        if not self._listed.is_set() and not message.results.pending:
            self.call_after_refresh(self._listed.set)
        if not self._prebuilt and message.results.hits:
            self._prebuilt = True
            self.set_timer(PREBUILD_DELAY, self._prebuild)

    @on(Indexing)
    def _indexing(self, message: Indexing) -> None:
        self.sidebar.show_indexing(message.done, message.total)

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self.sidebar.show_indexing(1, 1)
        self._load_tags()
        for notice in message.notices:
            self.notify(one_line(notice), markup=False, severity="warning")
        self.sidebar.refresh_results()

    # -- signals and drafts --------------------------------------------------------------------
    def _install_signals(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: int) -> None:
        """A dropped connection or a kill: keep what was typed, then leave."""
        self.save_draft()
        self.exit(return_code=128 + int(sig))

    def _draft(self) -> tuple[str, Path | None, str | None, Entry, Entry] | None:
        """What a draft of the open entry holds now (key, path, digest, the form, the entry as
        read), or None when nothing is unsaved."""
        editor = self.editor
        if editor.original is None or not editor.modified:
            return None
        if self.draft_key is None:
            self.draft_key = self.workspace.draft_key(self.stored.path if self.stored else None)
        try:
            entry = editor.collect()
        except Exception:
            return None
        path = self.stored.path if self.stored else None
        digest = self.stored.digest if self.stored else None
        return self.draft_key, path, digest, entry, editor.original

    def save_draft(self) -> Path | None:
        """Write the draft now (a signal: before the process ends)."""
        draft = self._draft()
        if draft is None:
            return None
        key, path, digest, entry, base = draft
        folder = self.workspace.draft_folder(path, self.new_folder)
        return self.workspace.drafts.save(key, path, digest, entry, base=base, folder=folder)

    def _autosave(self) -> None:
        self.editor.check_dirty()
        draft = self._draft()
        if draft is not None:
            # a few KB, replaced atomically; no fsync here (it could stall the event loop):
            # the signal path and explicit saves are the durable ones
            key, path, digest, entry, base = draft
            folder = self.workspace.draft_folder(path, self.new_folder)
            self.workspace.drafts.save(
                key, path, digest, entry, durable=False, base=base, folder=folder
            )
        elif self.draft_key is not None and not self.editor.modified:
            # back to the saved state (the edit undone): nothing is unsaved, no draft
            self.workspace.drafts.discard(self.draft_key)

    @work(
        thread=True,
        exclusive=True,
        group="drafts",
        exit_on_error=False,
        description="Looking for drafts",
    )
    def _offer_drafts(self) -> None:
        """Drafts worth restoring (read in a thread: it compares them with their files)."""
        drafts = self.workspace.drafts_to_offer()
        if drafts:
            self.post_message(DraftsFound(drafts))

    @on(DraftsFound)
    def _drafts_found(self, message: DraftsFound) -> None:
        if not isinstance(self.screen, DraftPicker):
            self.push_screen(DraftPicker(message.drafts), self._drafts_answer)

    def _drafts_answer(self, answer: Answer | None) -> None:
        what, key = answer or ("later", None)
        if what == "discard-all":
            for draft in self.workspace.drafts.all():
                self.workspace.drafts.discard(draft.key)
            self.notify("Drafts discarded.")
        elif what == "discard" and key is not None:
            self.workspace.drafts.discard(key)
            self.notify("Draft discarded.")
            self._offer_drafts()  # the others, if any
        elif what == "restore" and key is not None:
            self._restore(key)

    @work(exclusive=True, group="open", exit_on_error=False, description="Restoring a draft")
    async def _restore(self, key: str) -> None:
        draft = self.workspace.drafts.get(key)
        if draft is None:
            return
        try:  # its file may have been renamed, deleted or changed since
            restoring = await asyncio.to_thread(self.workspace.prepare_restore, draft)
        except (StorageError, OSError) as exc:
            self.notify(one_line(str(exc)), markup=False, severity="error")
            return
        if restoring.note:
            self.notify(one_line(restoring.note), markup=False, severity="warning")
        self.stored = restoring.stored
        # a restored new entry goes to the folder chosen for it (old drafts: the first)
        self.new_folder = self.workspace.draft_folder_name(draft) if draft.path is None else None
        self.draft_key = draft.key
        self._from_draft = True
        await self.editor.load(restoring.base)
        await self._fill(draft.entry)
        self._remember_stat()
        self._update_topbar()

    async def _fill(self, entry: Entry) -> None:
        """Show ``entry`` in the form while the original stays the file's (dirty if differ)."""
        original = self.editor.original
        await self.editor.load(entry)
        if original is not None:
            self.editor.original = original
        self.editor.check_dirty()
        self._update_topbar()

    # -- opening and creating ------------------------------------------------------------------
    @on(Sidebar.OpenRequested)
    def _open_requested(self, message: Sidebar.OpenRequested) -> None:
        self.open_path(message.path)

    def open_path(self, path: Path) -> None:
        """Open an entry, once unsaved work in the current one is dealt with."""
        self._when_safe(lambda: self._open(path))

    @on(Sidebar.CreateRequested)
    def _create_requested(self, message: Sidebar.CreateRequested) -> None:
        self._when_safe(lambda: self._new_from_query(message.title))

    def _when_safe(self, then: Callable[[], object]) -> None:
        """Run ``then`` once unsaved work is saved, kept as a draft, or the user cancels."""
        if not self.editor.modified:
            then()
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self._save(after=then)
            elif answer == "discard":
                if self.draft_key:
                    self.workspace.drafts.discard(self.draft_key)
                self.editor.modified = False
                then()

        self.push_screen(
            ConfirmScreen(
                "This entry has unsaved changes.",
                [
                    ("save", "Save", "s"),
                    ("discard", "Discard", "d"),
                    ("cancel", "Cancel", "escape"),
                ],
            ),
            answered,
        )

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _open(self, path: Path, pane: str | None = None, item: int | None = None) -> None:
        """Open the entry at ``path`` on tab ``pane`` (the checklist: with item ``item``,
        1-based, highlighted), else on its first section; the entry open already, opened
        again, stays on the tab it shows. The tab is chosen once, here: a second switch
        after the open (the first section, then the checklist) raced with the first one's
        focus, and the first section could end up shown."""

        def load() -> tuple[StoredEntry, list[str]]:
            stored = self.workspace.load(path)
            return stored, self.workspace.entries.editing_hints(stored)

        try:
            stored, hints = await asyncio.to_thread(load)
        except (StorageError, OSError) as exc:
            self.notify(one_line(str(exc)), markup=False, severity="error")
            return
        again = self.stored is not None and same_file(self.stored.path, path)
        tabs = self.editor.tabs
        if pane is None and again and self.editor.original is not None and tabs is not None:
            pane = tabs.active or None  # the same entry again: its tab stays
        self.stored = stored
        self.draft_key = None
        self.new_folder = None
        await self.editor.load(stored.entry)
        self._remember_stat()
        self._update_topbar()
        self._show_opened(pane, item)
        self.similar.opened()
        for hint in hints:  # vim's swap file, an Emacs lock, git at work: said on open too
            self.notify(one_line(hint), markup=False, severity="warning", timeout=8)

    def _show_opened(self, pane: str | None, item: int | None) -> None:
        """The tab an open shows: ``pane`` when the form has it, else the first section."""
        ids = self.pane_ids()
        if pane is None or pane not in ids:
            self.editor.show_tab(1 if len(self.editor.template.sections) else 0)
            return
        self.editor.show_tab(ids.index(pane))
        if pane == "tab-checklist" and item is not None:
            for listing in self.editor.query("#checklist").results(OptionList):
                listing.highlighted = item - 1
                listing.focus()

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _new(self, title: str = "") -> None:
        await self._show_new(await asyncio.to_thread(self.workspace.new_entry, title))

    @work(exclusive=True, group="open", exit_on_error=False, description="New entry")
    async def _new_from_query(self, text: str) -> None:
        """Enter on "no match": a new entry titled with the query's words, its field terms
        (``tag:redis``, ``severity:high``) set as fields rather than copied into the title."""
        entry, left_out = await asyncio.to_thread(self.workspace.new_entry_from_query, text)
        self.new_folder = None  # the first folder (ctrl+n asks which)
        await self._show_new(entry)
        if left_out:
            unused = one_line(", ".join(left_out))
            self.notify(f"Not used for the new entry: {unused}", markup=False)

    async def _show_new(self, entry: Entry) -> None:
        self.stored = None
        self.draft_key = None
        await self.editor.load(entry)
        self._update_topbar()
        self.editor.focus_title()

    # -- saving --------------------------------------------------------------------------------
    def _save(self, after: object = None, force: bool = False) -> None:
        editor = self.editor
        if editor.original is None:
            self.notify("Nothing to save.")
            return
        if not editor.ready_to_save(self.stored is None):
            return  # a new entry without a severity: the list is open to pick one
        entry = editor.collect()
        if not force and self.confirm_resolved(entry, lambda: self._save(after, force=True)):
            return  # Resolved with the root cause or the fix empty: asked first
        force = force or self.resolve_confirmed()
        self._save_worker(self.stored, entry, after, editor.original.copy(), force=force)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False, description="Saving")
    def _save_worker(
        self,
        stored: StoredEntry | None,
        entry: Entry,
        after: object,
        base: Entry,
        merged: bool = False,
        write_back: bool = False,
        force: bool = False,
    ) -> None:
        """Save ``entry`` over ``stored``; when the file changed meanwhile, work out what
        saving mine over it would keep and replace (``base``: the entry as read)."""
        # another program at work on the file (vim's swap file, an Emacs lock, git): say so
        warnings = self.workspace.entries.editing_hints(stored) if stored is not None else []
        try:
            if write_back and stored is not None:
                saved = self.workspace.write_back(stored, entry)
            else:
                saved = self.workspace.save(stored, entry, force=force, folder=self.new_folder)
        except NotDurableError as exc:  # written, but a crash now could lose it
            if exc.saved is None:
                self.post_message(self.Failed(str(exc)))
                return
            saved = exc.saved
            warnings.append(str(exc))
        except (ConflictError, FileExistsError) as exc:
            assert stored is not None  # a new entry never conflicts
            try:
                plan = self.workspace.plan_merge(stored, base, entry)
            except (StorageError, OSError) as error:
                self.post_message(self.Failed(f"{exc}; {error}"))
                return
            self.post_message(self.Failed(str(exc), conflict=True, plan=plan, after=after))
            return
        except (UsageError, ResolveRefused, StorageError, OSError) as exc:
            self.post_message(self.Failed(str(exc)))
            return
        pending = self.workspace.search.pending()
        if pending is not None:  # the file is saved; the index catches up on its own
            warnings.append(f"the search index is not updated yet ({pending.reason})")
        unchanged = saved is stored
        self.post_message(self.Saved(saved, entry, unchanged, merged, warnings))
        if pending is not None:
            self.call_from_thread(self._flush_index)
        if after is not None:
            self.call_from_thread(after)  # type: ignore[arg-type]

    def _flush_index(self) -> None:
        if not any(w.group == "flush" and not w.is_finished for w in self.workers):
            self._flush_worker()

    @work(thread=True, group="flush", exit_on_error=False, description="Index catch-up")
    def _flush_worker(self) -> None:
        """Apply the index updates a busy lock held back (waits for the lock here, in a
        thread; a shutdown makes the wait give up at once)."""
        try:
            report = self.workspace.search.flush()
        except IndexUnavailable as exc:
            self.post_message(self.Failed(f"search index: {exc} (kept for the next start)"))
            return
        self.post_message(self.Synced(list(report.notices)))

    @on(Saved)
    async def _saved(self, message: Saved) -> None:
        self.stored = message.stored
        if self.draft_key:
            self.workspace.drafts.discard(self.draft_key)
        self.draft_key = None
        if message.merged:  # their changes were kept: show the entry as saved
            await self.editor.load(message.stored.entry)
        else:
            self.editor.mark_saved(message.stored.entry)
        if self._from_draft:
            self._from_draft = False
            self._offer_drafts()  # drafts of other entries still wait
        self._remember_stat()
        self._update_topbar()
        self._load_tags()  # a new tag completes from now on
        for warning in message.warnings:
            self.notify(one_line(warning), markup=False, severity="warning", timeout=8)
        if message.unchanged:
            self.notify("No changes to save.", markup=False)
        else:
            self.notify(f"Saved {one_line(message.stored.path.name)}", markup=False)
        self.sidebar.refresh_results()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        plan = message.plan
        if not message.conflict or plan is None:
            self.notify(one_line(message.message), markup=False, severity="error")
            return

        def answered(answer: str | None) -> None:
            if answer == "reload":
                self.editor.modified = False
                self._reload(plan.path)
            elif answer == "overwrite" and plan.stored is not None and plan.result is not None:
                # mine over theirs: my changes since I opened it, their others kept
                merged = bool(plan.result.kept)
                # force: the save that met the conflict asked about Resolved already
                self._save_worker(
                    plan.stored,
                    plan.result.entry,
                    message.after,
                    plan.stored.entry,
                    merged,
                    force=True,
                )
            elif answer == "writeback" and self.stored is not None:
                entry, base = self.editor.collect(), self.stored.entry
                self._save_worker(self.stored, entry, message.after, base, write_back=True)

        self.push_screen(MergeScreen(plan), answered)

    # -- watching the folder and the open file ---------------------------------------------
    def _remember_stat(self) -> None:
        """The open entry is as read: a later change of its file is news again."""
        self._asked_about_change = False

    def check_open_file(self) -> None:
        """Look for changes behind the app's back, in a thread (not on the loop)."""
        if not any(w.group == "watch" and not w.is_finished for w in self.workers):
            self._watch_worker(self.stored)

    @work(thread=True, group="watch", exit_on_error=False, description="Watching the folder")
    def _watch_worker(self, stored: StoredEntry | None) -> None:
        also = stored.path if stored is not None else None
        changes = self.workspace.poll_folder(also)  # the index is brought in step here
        if changes:
            self.post_message(FolderChanged(changes))
        if stored is not None and changes.touches(stored.path):
            gone = not stored.path.is_file()
            if gone or self.workspace.changed_on_disk(stored):
                self.post_message(OpenFileChanged(stored, gone))

    @on(FolderChanged)
    def _folder_changed(self, message: FolderChanged) -> None:
        self.sidebar.refresh_results()
        self._load_tags()

    @on(OpenFileChanged)
    def _open_file_changed(self, message: OpenFileChanged) -> None:
        stored = message.stored
        if stored is not self.stored or self._asked_about_change:
            return  # saved or another entry opened meanwhile, or asked already
        if any(w.group == "save" and not w.is_finished for w in self.workers):
            return  # our own save, seen before it is done (a change of theirs: it asks)
        name = stored.path.name
        self._asked_about_change = True
        if message.gone:
            self.notify(
                f"{name} was deleted on disk (another editor, a git pull). "
                "Saving asks before writing it back.",
                markup=False,
                severity="warning",
            )
            return
        if not self.editor.modified:  # nothing of mine to lose: show theirs
            self.notify(f"{name} changed on disk; reloaded.", markup=False)
            self._reload(stored.path)
            return

        def answered(answer: str | None) -> None:
            if answer == "reload":
                self.editor.modified = False
                self._reload(stored.path)

        self.push_screen(
            ConfirmScreen(
                f"{name} changed on disk (another editor, a git pull). "
                "Keep yours and saving keeps their other changes.",
                [("reload", "Reload theirs", "r"), ("keep", "Keep mine", "k")],
            ),
            answered,
        )

    @work(exclusive=True, group="open", exit_on_error=False, description="Reloading the entry")
    async def _reload(self, path: Path) -> None:
        """The open entry read again from its file (the tab shown stays)."""
        try:
            stored = await asyncio.to_thread(self.workspace.load, path)
        except (StorageError, OSError) as exc:
            self.notify(one_line(str(exc)), markup=False, severity="error")
            return
        self.stored = stored
        if self.draft_key:
            self.workspace.drafts.discard(self.draft_key)
        self.draft_key = None
        await self.editor.load(stored.entry)
        self._remember_stat()
        self._update_topbar()

    # -- actions -------------------------------------------------------------------------------
    def action_new_entry(self) -> None:
        if not self.workspace.several:
            self._when_safe(lambda: self._new(""))
            return

        def chosen(name: str | None) -> None:
            if name is None:
                return  # escape: no new entry

            def start() -> None:
                self.new_folder = name
                self._new("")

            self._when_safe(start)

        # several folders: which one (the last one chosen is highlighted first)
        self.push_screen(FolderPicker(self.workspace.folder_names, self.new_folder), chosen)

    def action_save(self) -> None:
        self._save()

    def action_quit_app(self) -> None:
        if not self.editor.modified:
            if self.draft_key:  # an edit undone since the last autosave
                self.workspace.drafts.discard(self.draft_key)
            self.exit(0)
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self._save(after=lambda: self.exit(0))
            elif answer == "discard":
                if self.draft_key:
                    self.workspace.drafts.discard(self.draft_key)
                self.exit(0)

        self.push_screen(
            ConfirmScreen(
                "Quit with unsaved changes?",
                [
                    ("save", "Save and quit", "s"),
                    ("discard", "Quit without saving", "d"),
                    ("cancel", "Cancel", "escape"),
                ],
            ),
            answered,
        )

    def action_help(self) -> None:
        keymap = self.workspace.config.keymap
        keys: dict[str, list[str]] = {}  # description -> its keys (ctrl+pagedown, ctrl+down)
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if (binding.id or "").startswith("tab-") or binding.id == "escape":
                continue  # alt+N on one line below; escape is listed by place
            key = keymap.get(binding.id or "", binding.key_display or binding.key)
            keys.setdefault(binding.description, []).append(key)
        lines = [(", ".join(k), description) for description, k in keys.items()]
        lines.append(("alt+1 .. alt+9", "Tab 1 to 9"))
        fields = query_fields(self.workspace.template)
        self.push_screen(HelpScreen(lines, fields, AUTOSAVE_SECONDS, OTHER_KEYS))

    def action_stats(self) -> None:
        from mistakes.ui.screens.stats import StatsScreen

        self.push_screen(StatsScreen(self.workspace))

    def run_editor(self, path: Path) -> int:
        return run_editor(path)  # the module's, which tests replace

    def toggle_theme(self) -> None:
        back = {light: dark for dark, light in THEMES.items()}
        self.theme = THEMES.get(self.theme) or back.get(self.theme) or "textual-dark"

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from app_commands(self)

    @on(EntryEditor.DirtyChanged)
    @on(Input.Changed, "#field-title")
    def _dirty_changed(self) -> None:
        self._update_topbar()

    # -- similar past entries (SimilarFinder), following the error sections ----------------------
    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        # a change that arrives while the app exits finds the form half removed: nothing
        # to look up then (it raised NoMatches and turned a clean quit into a traceback)
        with contextlib.suppress(NoMatches):
            self.similar.text_changed(event.text_area.id)

    @on(TabbedContent.TabActivated, "#tabs")
    def _similar_tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-similar":
            self.similar.tab_shown()

    @on(OptionList.OptionSelected, "#similar-list")
    def _similar_chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.similar.hits.get(event.option_id or "")
        if hit is not None:
            self.open_path(hit.path)


def make_app(
    folder: str | Path | list[str] | None = None,
    template: str | Path | None = None,
    cache_root: Path | None = None,
    data_dir: Path | None = None,
) -> MistakesApp:
    """The app on an entries folder: one factory for the CLI and the tests."""
    workspace = Workspace.open(folder, template, cache_root=cache_root, data_dir=data_dir)
    try:
        return MistakesApp(workspace)
    except BaseException:
        workspace.close()
        raise
