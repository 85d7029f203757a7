"""Keys that act on the open entry: status, severity, preview, $EDITOR, copying."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import SuspendNotSupported
from textual.widgets import OptionList, Select

from mistakes.domain.entry import Entry
from mistakes.domain.errors import MistakesError
from mistakes.domain.occurrences import seen_count
from mistakes.domain.resolution import is_resolved, refusal
from mistakes.domain.template import FieldSpec
from mistakes.domain.text import one_line
from mistakes.search.types import Hit
from mistakes.services.external import edit_text
from mistakes.services.git import Change
from mistakes.services.recurrence import Recurrence, first_error_line
from mistakes.ui.base import AppBase
from mistakes.ui.screens.dialogs import ConfirmScreen, CopyScreen
from mistakes.ui.screens.history import HistoryScreen
from mistakes.ui.similar import SimilarFinder
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
        if key == "status" and is_resolved(choice):
            entry = self.editor.collect()
            entry.set_value(spec, choice)
            if self.confirm_resolved(entry, lambda: self._set_choice(spec, choice)):
                return
        self._set_choice(spec, choice)

    # -- Resolved means the write-up is done: asked before, when it is not ---------------------
    _resolve_confirmed_for: Entry | None = None

    def resolve_confirmed(self) -> bool:
        """The user said "resolve anyway" for the entry as it was opened (or last saved)."""
        original = self.editor.original
        return original is not None and self._resolve_confirmed_for is original

    def confirm_resolved(self, entry: Entry, then: Callable[[], object]) -> bool:
        """When ``entry`` would become Resolved with sections Resolved requires left empty,
        ask first (``then`` runs on "resolve anyway") and return True; False when there is
        nothing to ask."""
        entries = self.workspace.entries_for(
            self.stored.path if self.stored is not None else None, folder=self.new_folder
        )
        previous = self.stored.entry if self.stored is not None else None
        if self.resolve_confirmed() or not entries.becomes_resolved(entry, previous):
            return False
        empty = entries.missing_for_resolved(entry)
        if not empty:
            return False

        def answered(answer: str | None) -> None:
            if answer == "force":
                self._resolve_confirmed_for = self.editor.original
                then()

        self.push_screen(
            ConfirmScreen(
                f"Resolved means the write-up is done, but {refusal(empty)}.",
                [("force", "Resolve anyway", "f"), ("cancel", "Cancel", "escape")],
            ),
            answered,
        )
        return True

    def _set_choice(self, spec: FieldSpec, choice: str) -> None:
        for select in self.editor.query(f"#field-{spec.key}").results(Select):
            select.value = choice
            self.notify(f"{spec.label}: {choice} (ctrl+s saves)", markup=False)

    # -- a new entry that happened before: an occurrence of the similar entry -------------------
    def highlighted_similar(self) -> Hit | None:
        """The entry highlighted in the Similar tab's list, if any."""
        for listing in self.query("#similar-list").results(OptionList):
            index = listing.highlighted
            if index is None or index >= listing.option_count:
                return None
            option_id = listing.get_option_at_index(index).id
            return self.similar_hits().get(option_id or "")
        return None

    def similar_hits(self) -> dict[str, Hit]:
        return self.query_one(SimilarFinder).hits

    def action_seen_before(self) -> None:
        """Record the new entry being written as an occurrence of the similar entry
        highlighted in its Similar tab (its error line is the note), then discard it."""
        if not self.need_entry():
            return
        if self.stored is not None:
            self.notify(
                "Only a new entry can be recorded as an occurrence of another "
                "(mistakes seen REF records one for a saved entry).",
                markup=False,
            )
            return
        hit = self.highlighted_similar()
        if hit is None:
            self.notify("Highlight the past entry in the Similar tab (F7) first.", markup=False)
            return
        entry = self.editor.collect()
        note = first_error_line(self.editor.error_text()) or entry.title
        name = f"{hit.number:03d} {one_line(hit.title)[:50]}"
        question = f"Record this as an occurrence of {name}, and discard this draft?"
        choices = [("record", "Record and discard", "r"), ("cancel", "Cancel", "escape")]
        if is_resolved(hit.status):
            question += f" {hit.number:03d} is resolved: it happened again."
            choices.insert(1, ("reopen", "Record, reopen it, discard", "o"))

        def answered(answer: str | None) -> None:
            if answer in ("record", "reopen"):
                self._record_occurrence(hit.path, note, answer == "reopen")

        self.push_screen(ConfirmScreen(question, choices), answered)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False, description="Seen")
    def _record_occurrence(self, path: Path, note: str, reopen: bool) -> None:
        try:
            done = self.workspace.record_occurrence(path, note, reopen=reopen)
        except (MistakesError, OSError) as exc:
            self.call_from_thread(self.notify, one_line(str(exc)), markup=False, severity="error")
            return
        self.call_from_thread(self._occurrence_recorded, done)

    def _occurrence_recorded(self, done: Recurrence) -> None:
        if self.draft_key:
            self.workspace.drafts.discard(self.draft_key)
            self.draft_key = None
        self.editor.modified = False  # the draft is discarded: opening the entry is safe
        count = seen_count(done.stored.entry)
        self.notify(
            f"Recorded an occurrence of {done.stored.path.name} ({count} in all).", markup=False
        )
        if done.warning:
            self.notify(one_line(done.warning), markup=False, severity="warning", timeout=8)
        self.sidebar.refresh_results()
        self.open_path(done.stored.path)

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
