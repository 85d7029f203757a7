"""The terminal app: sidebar search on the left, the entry editor on the right."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static, TabbedContent, TextArea

from mistakes.domain.entry import Entry
from mistakes.domain.text import one_line
from mistakes.search.index import Hit, query_fields
from mistakes.services.entries import UsageError
from mistakes.services.external import edit_text
from mistakes.services.workspace import MergePlan, Workspace
from mistakes.storage.errors import ConflictError, StorageError
from mistakes.storage.folder import StoredEntry
from mistakes.ui.commands import EntryCommands
from mistakes.ui.save_flow import DraftsFound, FolderChanged, OpenFileChanged
from mistakes.ui.screens.dialogs import ConfirmScreen, HelpScreen
from mistakes.ui.screens.drafts import Answer, DraftPicker
from mistakes.ui.screens.merge import MergeScreen
from mistakes.ui.styles import stylesheet
from mistakes.ui.widgets.editor import EntryEditor
from mistakes.ui.widgets.sidebar import Sidebar

AUTOSAVE_SECONDS = 3.0
GC_THRESHOLDS = (10_000, 20, 20)  # fewer young-generation passes while typing (default 700)
PREBUILD_DELAY = 0.3  # after the first listing is painted: build the editor's form
PROGRESS_SECONDS = 0.25  # how often the index build's progress is shown
SIMILAR_DELAY = 0.8  # seconds of quiet typing before the similar list is looked up
SIMILAR_SOURCES = {"section-what_happened", "section-error_messages", "section-actual_behavior"}
WATCH_SECONDS = 2.0


def run_editor(path: Path) -> int:
    """Run $VISUAL/$EDITOR on a file (module level, so tests can replace it)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.run([*shlex.split(editor), str(path)], check=False).returncode


class MistakesApp(App[int]):
    CSS_PATH = str(stylesheet())
    TITLE = "mistakes"
    COMMANDS = App.COMMANDS | {EntryCommands}
    BINDINGS = [
        Binding("ctrl+f", "focus_search", "Search", id="search", priority=True),
        Binding("ctrl+n", "new_entry", "New", id="new", priority=True),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("ctrl+o", "preview", "Preview", False, id="preview", priority=True),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", False, id="sidebar", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", False, id="external-editor", priority=True),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+q", "quit_app", "Quit", id="quit", priority=True),
        Binding("ctrl+pagedown", "next_tab", "Next tab", False, id="next-tab", priority=True),
        Binding(
            "ctrl+pageup", "prev_tab", "Previous tab", show=False, id="prev-tab", priority=True
        ),
        Binding("ctrl+down", "next_tab", "Next tab", show=False, id="next-pane", priority=True),
        Binding("ctrl+up", "prev_tab", "Previous tab", show=False, id="prev-pane", priority=True),
        Binding(
            "ctrl+t", "toggle_check", "Toggle item", show=False, id="toggle-item", priority=True
        ),
        Binding("f2", "copy_path", "Copy path", show=False, id="copy-path"),
        Binding("f3", "copy_pane", "Copy pane", show=False, id="copy-pane"),
        *[
            Binding(f"alt+{n}", f"show_tab({n - 1})", f"Tab {n}", show=False, id=f"tab-{n}")
            for n in range(1, 10)
        ],
    ]

    @dataclass
    class Loaded(Message):
        stored: StoredEntry

    @dataclass
    class Saved(Message):
        stored: StoredEntry
        entry: Entry
        unchanged: bool = False
        merged: bool = False  # their changes were kept: the form shows the file again

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
    class Synced(Message):
        notices: list[str]

    @dataclass
    class SimilarFound(Message):
        generation: int
        hits: list[Hit]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.stored: StoredEntry | None = None
        self.draft_key: str | None = None
        self._from_draft = False  # the open entry came from a draft (others may wait)
        self._similar_timer: Timer | None = None
        self._similar_generation = 0
        self._prebuilt = False
        self._similar_basis: str | None = None  # the error text as the entry was opened
        self._similar_done: str | None = None  # the error text the list was made for
        self._asked_about_change = False
        if workspace.config.keymap:
            self.set_keymap(workspace.config.keymap)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="main"):
            yield Sidebar(self.workspace, id="sidebar")
            yield EntryEditor(self.workspace.template, id="editor")
        yield Footer()

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def editor(self) -> EntryEditor:
        return self.query_one(EntryEditor)

    def on_mount(self) -> None:
        if self.console.color_system in (None, "standard", "windows"):
            self.theme = "ansi-dark"  # 16 colours: keep error, warning and success apart
        self._install_signals()
        self.editor.renderer = self.workspace.render
        self.set_interval(AUTOSAVE_SECONDS, self._autosave)
        self.set_interval(WATCH_SECONDS, self._watch_file)
        self._update_topbar()
        self.sidebar.search_box.focus()
        self._sync()
        self._offer_drafts()

    def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            self.workspace.close()
        with contextlib.suppress(Exception):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _update_topbar(self) -> None:
        folder = one_line(str(self.workspace.root))
        if self.editor.original is None:
            text = f"{folder}"
        else:
            entry = self.editor.original
            with contextlib.suppress(Exception):  # the title as it is being typed
                entry = self.editor.collect()
            number = f"{self.stored.number:03d} " if self.stored is not None else "new "
            mark = " [modified]" if self.editor.modified else ""
            text = f"{folder}  {number}{one_line(entry.title) or '(untitled)'}{mark}"
        self.query_one("#topbar", Static).update(Content(text))

    # -- the index -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync(self) -> None:
        # the index as it was left lists the entries at once; bringing it in step follows
        with contextlib.suppress(Exception):
            if self.workspace.open_as_is():
                self.post_message(self.IndexOpened())
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS or done >= total:
                last[0] = now
                self.post_message(self.Indexing(done, total))

        try:
            report = self.workspace.sync(progress)
            notices = list(report.notices) + [str(p) for p in report.problems[:3]]
        except Exception as exc:  # the app stays usable; search says why it is empty
            notices = [f"search index unavailable: {exc}"]
        self.post_message(self.Synced(notices))

    async def _prebuild(self) -> None:
        await self.editor.prebuild()
        # the app's widgets live as long as it does: keep the cyclic garbage collector from
        # walking them again and again (its full passes showed as 60-80 ms stalls on open)
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)

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
    def _prebuild_editor(self) -> None:
        """The editor's form is built once the entries are listed (after that frame is
        painted), not on the first open."""
        if not self._prebuilt and self.sidebar.hits:
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
            self.draft_key = self.stored.path.stem if self.stored else f"new-{int(time.time())}"
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
        return self.workspace.drafts.save(key, path, digest, entry, base=base)

    def _autosave(self) -> None:
        self.editor.check_dirty()
        draft = self._draft()
        if draft is not None:
            # a few KB, replaced atomically; no fsync here (it could stall the event loop):
            # the signal path and explicit saves are the durable ones
            key, path, digest, entry, base = draft
            self.workspace.drafts.save(key, path, digest, entry, durable=False, base=base)
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
        self._when_safe(lambda: self._new(message.title))

    def _when_safe(self, then: object) -> None:
        """Run ``then`` once unsaved work is saved, kept as a draft, or the user cancels."""
        if not self.editor.modified:
            then()  # type: ignore[operator]
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self._save(after=then)
            elif answer == "discard":
                if self.draft_key:
                    self.workspace.drafts.discard(self.draft_key)
                self.editor.modified = False
                then()  # type: ignore[operator]

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
    async def _open(self, path: Path) -> None:
        try:
            stored = await asyncio.to_thread(self.workspace.load, path)
        except (StorageError, OSError) as exc:
            self.notify(one_line(str(exc)), markup=False, severity="error")
            return
        self.stored = stored
        self.draft_key = None
        await self.editor.load(stored.entry)
        self._remember_stat()
        self._update_topbar()
        self.editor.show_tab(1 if len(self.editor.template.sections) else 0)
        # similar entries are looked up when the Similar tab is shown or the error is edited,
        # not on every open (at 50,000 entries the lookup takes seconds of CPU)
        self._similar_basis = self.editor.error_text()

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _new(self, title: str = "") -> None:
        entry = await asyncio.to_thread(self.workspace.new_entry, title)
        self.stored = None
        self.draft_key = None
        await self.editor.load(entry)
        self._update_topbar()
        self.editor.focus_title()

    # -- saving --------------------------------------------------------------------------------
    def _save(self, after: object = None) -> None:
        editor = self.editor
        if editor.original is None:
            self.notify("Nothing to save.")
            return
        entry = editor.collect()
        self._save_worker(self.stored, entry, after, editor.original.copy())

    @work(thread=True, exclusive=True, group="save", exit_on_error=False, description="Saving")
    def _save_worker(
        self,
        stored: StoredEntry | None,
        entry: Entry,
        after: object,
        base: Entry,
        merged: bool = False,
        write_back: bool = False,
    ) -> None:
        """Save ``entry`` over ``stored``; when the file changed meanwhile, work out what
        saving mine over it would keep and replace (``base``: the entry as read)."""
        try:
            if write_back and stored is not None:
                saved = self.workspace.write_back(stored, entry)
            else:
                saved = self.workspace.save(stored, entry)
        except (ConflictError, FileExistsError) as exc:
            assert stored is not None  # a new entry never conflicts
            try:
                plan = self.workspace.plan_merge(stored, base, entry)
            except (StorageError, OSError) as error:
                self.post_message(self.Failed(f"{exc}; {error}"))
                return
            self.post_message(self.Failed(str(exc), conflict=True, plan=plan, after=after))
            return
        except (UsageError, StorageError, OSError) as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Saved(saved, entry, unchanged=saved is stored, merged=merged))
        if after is not None:
            self.call_from_thread(after)  # type: ignore[arg-type]

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
                self._save_worker(
                    plan.stored, plan.result.entry, message.after, plan.stored.entry, merged
                )
            elif answer == "writeback" and self.stored is not None:
                entry, base = self.editor.collect(), self.stored.entry
                self._save_worker(self.stored, entry, message.after, base, write_back=True)

        self.push_screen(MergeScreen(plan), answered)

    # -- watching the folder and the open file ---------------------------------------------
    def _remember_stat(self) -> None:
        """The open entry is as read: a later change of its file is news again."""
        self._asked_about_change = False

    def _watch_file(self) -> None:
        """Timer: look for changes behind the app's back, in a thread (not on the loop)."""
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
    def action_focus_search(self) -> None:
        self.sidebar.display = True
        self.sidebar.search_box.focus()

    def action_new_entry(self) -> None:
        self._when_safe(lambda: self._new(""))

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
        keys = [
            (keymap.get(binding.id or "", binding.key_display or binding.key), binding.description)
            for binding in self.BINDINGS
            if isinstance(binding, Binding)
            and binding.description
            and not (binding.id or "").startswith("tab-")
        ]
        keys.append(("alt+1 .. alt+9", "Tab 1 to 9"))
        keys += [
            ("/", "Search (outside text fields)"),
            ("enter", "Open the highlighted result"),
            ("ctrl+p", "Command palette"),
        ]
        self.push_screen(HelpScreen(keys, query_fields(self.workspace.template)))

    def action_preview(self) -> None:
        editor = self.editor
        if editor.original is None:
            return
        editor.toggle_preview()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.display = not sidebar.display

    def action_next_tab(self) -> None:
        self.editor.step_tab(1)

    def action_prev_tab(self) -> None:
        self.editor.step_tab(-1)

    def action_show_tab(self, index: int) -> None:
        self.editor.show_tab(index)

    def action_toggle_check(self) -> None:
        self.editor.toggle_checklist_line()

    def action_copy_path(self) -> None:
        if self.stored is not None:
            self.copy_to_clipboard(str(self.stored.path.resolve()))
            self.notify("Path copied (OSC 52).")

    def action_copy_pane(self) -> None:
        """The focused pane's whole text to the clipboard (OSC 52: works over SSH)."""
        area = self.editor.focused_text_area()
        if area is None:
            self.notify("Go to a section pane first (F3 copies its text).")
            return
        self.copy_to_clipboard(area.text)
        self.notify(f"Copied {len(area.text.splitlines())} lines (OSC 52).")

    def action_external_editor(self) -> None:
        area = self.editor.focused_text_area()
        if area is None:
            self.notify("Go to a section pane first (ctrl+e edits it in $EDITOR).")
            return
        try:
            text = edit_text(area.text, self._run_editor)
        except SuspendNotSupported:
            self.notify("No terminal to run an editor in.", severity="warning")
            return
        if text is not None:
            area.text = text
            area.move_cursor(area.document.end)

    def _run_editor(self, path: Path) -> int:
        with self.suspend():
            return run_editor(path)

    def action_edit_file(self) -> None:
        """The open entry's whole file in $EDITOR; what it changed comes back the way any
        outside change does (reloaded, or asked about when the form has unsaved work)."""
        stored = self.stored
        if stored is None:
            self.notify("Save the entry first: a new entry has no file yet.")
            return
        if self.editor.modified:
            self.notify("Your unsaved changes stay in the form; saving keeps the file's edits.")
        try:
            self._run_editor(stored.path)
        except SuspendNotSupported:
            self.notify("No terminal to run an editor in.", severity="warning")
            return
        self._watch_file()

    def key_slash(self) -> None:
        if not isinstance(self.focused, Input | TextArea):
            self.action_focus_search()

    @on(EntryEditor.DirtyChanged)
    @on(Input.Changed, "#field-title")
    def _dirty_changed(self) -> None:
        self._update_topbar()

    # -- similar past entries, following the error sections --------------------------------------
    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id in SIMILAR_SOURCES:
            if self.editor.error_text() == self._similar_basis:
                return  # the text as opened (the change is the form being filled)
            self._similar_basis = None
            self._schedule_similar()

    @on(TabbedContent.TabActivated, "#tabs")
    def _similar_tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-similar" and self._similar_done != self.editor.error_text():
            self._start_similar()

    def _schedule_similar(self) -> None:
        if self._similar_timer is not None:
            self._similar_timer.stop()
        self._similar_timer = self.set_timer(SIMILAR_DELAY, self._start_similar)

    def _start_similar(self) -> None:
        text = self.editor.error_text()
        self._similar_done = text
        self._similar_generation += 1
        exclude = self.stored.path.name if self.stored is not None else None
        self._find_similar(text, exclude, self._similar_generation)

    @work(thread=True, exclusive=True, group="similar", exit_on_error=False)
    def _find_similar(self, text: str, exclude: str | None, generation: int) -> None:
        hits = self.workspace.similar(text, exclude=exclude) if text.strip() else []
        self.post_message(self.SimilarFound(generation, hits))

    @on(SimilarFound)
    def _similar_found(self, message: SimilarFound) -> None:
        if message.generation != self._similar_generation:
            return
        self._similar_hits = {hit.name: hit for hit in message.hits}
        self.editor.show_similar(
            [
                (
                    hit.name,
                    Content(f"{hit.number:03d} {one_line(hit.title)} - {one_line(hit.reason)}"),
                )
                for hit in message.hits
            ]
        )

    @on(OptionList.OptionSelected, "#similar-list")
    def _similar_chosen(self, event: OptionList.OptionSelected) -> None:
        hit = getattr(self, "_similar_hits", {}).get(event.option_id or "")
        if hit is not None:
            self.open_path(hit.path)


def make_app(
    folder: str | Path | None = None,
    template: str | Path | None = None,
    cache_root: Path | None = None,
    data_dir: Path | None = None,
) -> MistakesApp:
    """The app on an entries folder: one factory for the CLI and the tests."""
    return MistakesApp(Workspace.open(folder, template, cache_root=cache_root, data_dir=data_dir))
