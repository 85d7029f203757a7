"""What the app's action mixins share: the workspace, the open entry, the two panes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App

from mistakes.services.workspace import Workspace
from mistakes.storage.folder import StoredEntry
from mistakes.ui.widgets.editor import EntryEditor
from mistakes.ui.widgets.sidebar import Sidebar


class AppBase(App[int]):
    workspace: Workspace
    stored: StoredEntry | None
    draft_key: str | None  # the open entry's draft, once one was kept
    new_folder: str | None = None  # several folders: where the new entry open goes
    # look for changes behind the app's back now (the app also runs it on a timer)
    check_open_file: Callable[[], None]
    open_path: Callable[[Path], None]  # open an entry once unsaved work is dealt with

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def editor(self) -> EntryEditor:
        return self.query_one(EntryEditor)

    @property
    def entry_open(self) -> bool:
        return self.editor.original is not None

    def need_entry(self) -> bool:
        """True when an entry is open (and no dialog is up); otherwise says how to open one."""
        if len(self.screen_stack) > 1:
            return False  # a priority key pressed under a dialog
        if self.entry_open:
            return True
        self.notify("Open an entry first (type in the search box, enter opens).")
        return False
