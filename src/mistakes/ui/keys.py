"""Every key of the app, with an id (the user's ``[keymap]`` remaps by id), by concern."""

from __future__ import annotations

from pathlib import Path

from textual import _ansi_sequences
from textual.binding import Binding, BindingType

from mistakes.services.config import validate_keymap

SEARCH = [
    Binding("ctrl+f", "focus_search", "Search", id="search", priority=True),
    Binding("escape", "escape", "Back", show=False, id="escape"),
]
ENTRY = [
    Binding("ctrl+n", "new_entry", "New", id="new", priority=True),
    Binding("ctrl+s", "save", "Save", id="save", priority=True),
    Binding("f4", "set_status", "Status", id="set-status", priority=True),
    Binding("f5", "set_severity", "Severity", id="set-severity", priority=True),
    Binding("ctrl+o", "preview", "Preview", False, id="preview", priority=True),
    Binding("ctrl+e", "external_editor", "$EDITOR", False, id="external-editor", priority=True),
    Binding("ctrl+t", "toggle_check", "Toggle item", show=False, id="toggle-item", priority=True),
    Binding("f2", "copy_path", "Copy path", show=False, id="copy-path"),
    Binding("f3", "copy_pane", "Copy pane", show=False, id="copy-pane"),
]
# f4-f7 are priority keys: a text pane has its own f6 (select line) and f7 (select all)
TABS = [
    Binding("f6", "follow_up", "Follow-up", id="follow-up", priority=True),
    Binding("f7", "similar", "Similar", id="similar", priority=True),
    # a new entry that happened before: an occurrence of the highlighted similar entry
    Binding("f8", "seen_before", "Seen before", show=False, id="seen-before", priority=True),
    Binding("ctrl+pagedown", "next_tab", "Next tab", False, id="next-tab", priority=True),
    Binding("ctrl+pageup", "prev_tab", "Previous tab", show=False, id="prev-tab", priority=True),
    Binding("ctrl+down", "next_tab", "Next tab", show=False, id="next-pane", priority=True),
    Binding("ctrl+up", "prev_tab", "Previous tab", show=False, id="prev-pane", priority=True),
    # priority: alt+digit carries its digit as the character, which a text pane would type
    *[
        Binding(
            f"alt+{n}", f"show_tab({n - 1})", f"Tab {n}", show=False, id=f"tab-{n}", priority=True
        )
        for n in range(1, 10)
    ],
]
SCREEN = [
    Binding("ctrl+b", "toggle_sidebar", "Sidebar", False, id="sidebar", priority=True),
    Binding("alt+right", "sidebar_width(1)", "Wider sidebar", False, id="sidebar-wider"),
    Binding("alt+left", "sidebar_width(-1)", "Narrower sidebar", False, id="sidebar-narrower"),
    Binding("f1", "help", "Help", id="help"),
    Binding("f10", "stats", "Stats", show=False, id="stats"),
    Binding("ctrl+q", "quit_app", "Quit", id="quit", priority=True),
]
# links and follow-ups (ui/link_actions.py); not in the footer, listed by F1 and the palette
LINKS = [
    Binding("ctrl+g", "follow_link", "Go to link", show=False, id="follow-link", priority=True),
    Binding("ctrl+r", "go_back", "Back to previous entry", show=False, id="back", priority=True),
    Binding("f9", "followups", "Follow-ups", show=False, id="followups", priority=True),
]
BINDINGS: list[Binding] = [*SEARCH, *ENTRY, *TABS, *SCREEN, *LINKS]
APP_BINDINGS: list[BindingType] = list(BINDINGS)
BINDING_IDS: tuple[str, ...] = tuple(b.id for b in BINDINGS if b.id)

# what the F1 help lists besides the bindings: keys that belong to widgets
OTHER_KEYS = [
    ("Anywhere", ""),
    ("ctrl+p", "Palette: every command, tabs and sections by name"),
    ("Search box", ""),
    ("ctrl+f, /", "Search; the query is selected, typing replaces it"),
    ("enter", "Open the highlighted result (no match: a new entry)"),
    ("up down", "Move in the results"),
    ("pgup pgdn", "A page of results; at the end more are loaded"),
    ("home end", "First / last result"),
    ("escape", "Clear the query (the newest entries come back)"),
    ("Editor", ""),
    ("escape", "Back to the search box (the entry stays open)"),
    ("tab shift+tab", "Next / previous field"),
    ("right", "Accept the completed tag (tags field)"),
    ("Follow-up checklist", ""),
    ("space", "Done / not done"),
    ("a insert", "Add an item"),
    ("e enter", "Edit the item"),
    ("d delete", "Remove the item"),
    ("shift+up/down", "Move the item"),
    ("Follow-ups (F9)", ""),
    ("space", "Done / not done (written to the file)"),
    ("enter", "Open the entry at its checklist"),
]


def read_escape_digit_as_alt() -> None:
    """ESC then a digit is alt+digit (tmux, xterm with metaSendsEscape). Textual reads it as
    a macOS option character (ESC 4 is ``¢``), which a text pane would insert."""
    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    if isinstance(table, dict):
        for digit in "0123456789":
            table.pop(f"\x1b{digit}", None)


def known_binding_ids() -> tuple[str, ...]:
    """The app's binding ids and those of its widgets (the checklist's keys)."""
    from mistakes.ui.widgets.checklist import ChecklistList

    widget_ids = [
        binding.id
        for binding in ChecklistList.BINDINGS
        if isinstance(binding, Binding) and binding.id
    ]
    return BINDING_IDS + tuple(widget_ids)


def check_keymap(keymap: dict[str, str], path: Path | None) -> None:
    """Unknown binding ids in the user's ``[keymap]`` are an error naming them, the line in
    the config file and the known ids: the services' one rule, given the app's ids."""
    validate_keymap(keymap, known_binding_ids(), path)
