"""Moving around: the search box, Esc, tabs and sections by name, the sidebar's size."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from mistakes.ui.base import AppBase
from mistakes.ui.widgets.sidebar import WIDTH_STEP


class NavigationActions(AppBase):
    def action_focus_search(self) -> None:
        """ctrl+f and /: the search box with its query selected, so typing replaces it."""
        sidebar = self.sidebar
        sidebar.display = True
        box = sidebar.search_box
        box.focus()
        box.select_all()
        self.call_after_refresh(box.select_all)  # after the focus handler placed the cursor

    def key_slash(self) -> None:
        if not isinstance(self.focused, Input | TextArea):
            self.action_focus_search()

    def action_escape(self) -> None:
        """Esc: in the search box, clear it; anywhere else, back to the search box."""
        box = self.sidebar.search_box
        if box.has_focus:
            if box.value:
                self.sidebar.clear_search()
            return
        self.sidebar.display = True
        box.focus()

    # -- tabs -------------------------------------------------------------------------------------
    def action_next_tab(self) -> None:
        self.editor.step_tab(1)

    def action_prev_tab(self) -> None:
        self.editor.step_tab(-1)

    def action_show_tab(self, index: int) -> None:
        self.editor.show_tab(index)

    def pane_ids(self) -> list[str]:
        return [pane.id or "" for pane in self.editor.panes()]

    def show_pane(self, pane_id: str) -> bool:
        """Show the editor's tab ``pane_id`` and focus its first field."""
        if not self.need_entry():
            return False
        ids = self.pane_ids()
        if pane_id not in ids:
            return False
        self.editor.show_tab(ids.index(pane_id))
        return True

    def show_section(self, key: str) -> None:
        """The tab a section is on, with the cursor in that section's pane."""
        template = self.workspace.template
        spec = next((s for s in template.sections if s.key == key), None)
        if spec is None:
            return
        if self.show_pane(f"tab-{spec.parent or spec.key}"):
            for area in self.editor.query(f"#section-{key}").results(TextArea):
                area.focus()

    def action_follow_up(self) -> None:
        if not self.show_pane("tab-checklist") and self.entry_open:
            self.notify("This template has no checklist.")

    def action_similar(self) -> None:
        self.show_pane("tab-similar")

    # -- the sidebar ------------------------------------------------------------------------------
    def action_toggle_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.display = not sidebar.display

    def action_sidebar_width(self, direction: int) -> None:
        self.sidebar.display = True
        self.sidebar.widen(direction * WIDTH_STEP, self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self.sidebar.fit(event.size.width)
