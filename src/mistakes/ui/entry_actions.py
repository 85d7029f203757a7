"""Keys that act on the open entry: status, severity, preview, $EDITOR, copying."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from textual.app import SuspendNotSupported
from textual.widgets import Select

from mistakes.domain.errors import MistakesError
from mistakes.domain.template import FieldSpec
from mistakes.services.external import edit_text
from mistakes.services.git import Change
from mistakes.ui.base import AppBase
from mistakes.ui.screens.dialogs import ConfirmScreen, CopyScreen
from mistakes.ui.screens.history import HistoryScreen
from mistakes.ui.widgets.section import SectionArea


def run_editor(path: Path) -> int:
    """Run $VISUAL/$EDITOR on a file (module level, so tests can replace it)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.run([*shlex.split(editor), str(path)], check=False).returncode


def choice_keys(choices: tuple[str, ...]) -> list[str]:
    """One key per choice: its first letter, or a digit when two start alike."""
    firsts = [c[:1].lower() for c in choices]
    if len(set(firsts)) == len(firsts) and all(f.isalpha() for f in firsts):
        return firsts
    return [str(n) for n in range(1, len(choices) + 1)]


class EntryActions(AppBase):
    # -- status and severity: one key for the chooser, one for the choice ------------------------
    def choice_field(self, key: str) -> FieldSpec | None:
        for spec in self.workspace.template.all_fields():
            if spec.key == key and not spec.group and spec.choices:
                return spec
        return None

    def action_set_status(self) -> None:
        self.choose_field("status")

    def action_set_severity(self) -> None:
        self.choose_field("severity")

    def choose_field(self, key: str) -> None:
        spec = self.choice_field(key)
        if spec is None or not self.need_entry():
            return
        keys = choice_keys(spec.choices)
        current = self.field_value(spec) or "not set"
        self.push_screen(
            ConfirmScreen(
                f"{spec.label} (now {current}); esc cancels:",
                [(choice, choice, k) for choice, k in zip(spec.choices, keys, strict=True)],
            ),
            lambda answer: self.set_field(key, answer) if answer in spec.choices else None,
        )

    def field_value(self, spec: FieldSpec) -> str:
        for select in self.editor.query(f"#field-{spec.key}").results(Select):
            value = select.value
            return "" if value is Select.NULL or value is None else str(value)
        return ""

    def set_field(self, key: str, value: str | None) -> None:
        """Set a choice field of the open entry (saved with ctrl+s, like any edit)."""
        spec = self.choice_field(key)
        if spec is None or value is None or not self.need_entry():
            return
        choice = spec.choice_for(value)
        if choice is None:
            return
        for select in self.editor.query(f"#field-{spec.key}").results(Select):
            select.value = choice
            self.notify(f"{spec.label}: {choice} (ctrl+s saves)", markup=False)

    # -- the rest ---------------------------------------------------------------------------------
    def action_preview(self) -> None:
        if self.entry_open:
            self.editor.toggle_preview()

    def action_toggle_check(self) -> None:
        self.editor.toggle_checklist_line()

    def action_copy_path(self) -> None:
        if self.stored is not None:
            path = str(self.stored.path.resolve())
            self.copy_to_clipboard(path)
            self.push_screen(CopyScreen("The entry's path was", path))

    def action_copy_pane(self) -> None:
        """The focused pane's whole text to the clipboard (OSC 52: works over SSH)."""
        area = self.editor.focused_text_area()
        if area is None:
            self.notify("Go to a section pane first (F3 copies its text).")
            return
        self.copy_to_clipboard(area.text)
        lines = len(area.text.splitlines())
        self.push_screen(CopyScreen(f"The pane's {lines} line{'s' * (lines != 1)} were", area.text))

    def action_external_editor(self) -> None:
        """The focused pane's text in $EDITOR (a temp file that ends with a newline)."""
        area = self.editor.focused_text_area()
        if area is None:
            self.notify("Go to a section pane first (ctrl+e edits it in $EDITOR).")
            return
        # the file's own text (control characters as they are, not their ^[ stand-ins)
        saved = area.saved_text() if isinstance(area, SectionArea) else area.text
        try:
            text = edit_text(saved, self.run_editor_suspended)
        except SuspendNotSupported:
            self.notify("No terminal to run an editor in.", severity="warning")
            return
        if text is not None:
            if isinstance(area, SectionArea):
                area.replace_text(text)
            else:
                area.text = text
            area.move_cursor(area.document.end)

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
            self.run_editor_suspended(stored.path)
        except SuspendNotSupported:
            self.notify("No terminal to run an editor in.", severity="warning")
            return
        self.check_open_file()

    def show_history(self) -> None:
        """Who changed the open entry and when (git log --follow), in a dialog."""
        stored = self.stored
        if stored is None:
            self.notify("Save the entry first: a new entry has no history.")
            return
        path = stored.path
        self.run_worker(
            lambda: self._history_worker(path),
            thread=True,
            group="history",
            exclusive=True,
            exit_on_error=False,
            description="git log of the entry",
        )

    def _history_worker(self, path: Path) -> None:
        try:
            changes = self.workspace.history(path)
        except MistakesError as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.call_from_thread(self._show_history, path.name, changes)

    def _show_history(self, name: str, changes: list[Change]) -> None:
        self.push_screen(HistoryScreen(name, changes))

    def run_editor_suspended(self, path: Path) -> int:
        with self.suspend():
            return self.run_editor(path)

    def run_editor(self, path: Path) -> int:
        return run_editor(path)
