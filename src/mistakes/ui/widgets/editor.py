"""The entry editor: a Details tab (the template's fields), then one tab per section group
with one text pane per section, the follow-up checklist, and a Markdown preview."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.scalar import Scalar
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Input,
    Label,
    Markdown,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.widgets._content_switcher import ContentSwitcher
from textual.widgets._tabbed_content import ContentTabs

from mistakes.domain.code_sections import stored_section_text
from mistakes.domain.entry import ChecklistItem, Entry, normalize_section_text, split_tags
from mistakes.domain.shown import restore
from mistakes.domain.template import FieldKind, FieldSpec, SectionSpec, Template
from mistakes.domain.text import visible
from mistakes.search.similar import error_query
from mistakes.search.types import Hit
from mistakes.ui.widgets.checklist import ChecklistEditor
from mistakes.ui.widgets.section import SectionArea
from mistakes.ui.widgets.similar import SimilarPanel
from mistakes.ui.widgets.tags import TagSuggester

MIN_PANE = 4  # rows of a section pane, at least
VALID = "-valid"  # Input's class once validated (it has no validators: always)


def _field_id(spec: FieldSpec) -> str:
    return "field-" + spec.dotted.replace(".", "--")


def _label(spec: FieldSpec) -> str:
    """The field's label as the form shows it: whole up to 16 characters ("Date
    Encountered"); the title is "Title" whatever the template's heading calls it."""
    label = "Title" if spec.key == "title" and not spec.group else spec.label
    return label if len(label) <= 16 else label[:15] + "…"


def _section_id(spec: SectionSpec) -> str:
    return f"section-{spec.key}"


class SafeMarkdown(Markdown):
    """The preview: links are shown, never followed (the app may run on a server)."""

    async def _on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        message.prevent_default()
        message.stop()
        self.app.notify(f"link: {visible(message.href)}", markup=False)


class SectionBody(VerticalScroll):
    """A tab's section panes with their titles: the panes share the tab's height (at
    200x50 a pane of a three-section tab is a third of it); none is smaller than
    ``MIN_PANE`` rows: the tab scrolls then."""

    def on_resize(self) -> None:
        self.share_height()

    def share_height(self) -> None:
        areas = [child for child in self.children if isinstance(child, SectionArea)]
        if not areas:
            return
        titles = len(self.children) - len(areas)
        room = self.scrollable_content_region.height - titles
        each, spare = divmod(max(0, room), len(areas))
        if each < MIN_PANE:
            each, spare = MIN_PANE, 0
        for number, area in enumerate(areas):
            height = each + (1 if number < spare else 0)
            if area.styles.height != Scalar.from_number(height):
                area.styles.height = height


class FormTabs(TabbedContent):
    """The form's tabs. A pane whose widget was focused tells the tabs so by a message
    (TabPane.Focused) that arrives a few hops later; the tabs then show that pane. When the
    focus moved on meanwhile (an open shows its first section and focuses it, then "open at
    the checklist" or F6 shows another tab), that late message showed the first pane again
    over the one just chosen, with the focus left in a hidden pane. A pane is shown for its
    focus only while the focus is still in it."""

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused if self.is_attached else None
        if focused is None or event.tab_pane not in focused.ancestors_with_self:
            event.stop()
            event.prevent_default()  # the base class's handler (it runs after this one)


class EntryEditor(Vertical):
    """Shows one entry; ``collect()`` gives the edited entry back."""

    @dataclass
    class DirtyChanged(Message):
        modified: bool

    def __init__(self, template: Template, id: str | None = None) -> None:
        super().__init__(id=id)
        self.template = template
        self.original: Entry | None = None
        self.modified = False
        self._loading = False
        self._asked_severity = False  # a new entry's save asks for a severity once
        self._raw: dict[str, str] = {}  # widget id -> the file's text, where shown changed
        self._previous_tab = ""
        self._built = False
        self.tag_suggester = TagSuggester()  # the app gives it the folder's tags
        self._build_lock = asyncio.Lock()
        self._extra_serial = 0  # extra-section tabs get fresh ids (a removed id may linger)
        self.renderer: Callable[[Entry], str] | None = None  # set by the app (preview)
        # the form's widgets, kept when it is built: the dirty check reads them on every key
        # and every Changed of an open (no CSS query per field: 7 ms a check at 11 fields)
        self._areas: dict[str, SectionArea] = {}  # section key -> its pane
        self._fields: dict[str, Input | Select[str]] = {}  # field (dotted) -> its input
        self._checklist: ChecklistEditor | None = None
        self._extras: list[SectionArea] = []  # the extra sections' panes, in order
        self._scrolls: list[VerticalScroll] = []  # scrolled home on each open
        # widgets an open updates, found once (a query walks the form's ~700 widgets)
        self._tabs: TabbedContent | None = None
        self._preview_md: Markdown | None = None
        self._position: Static | None = None
        self._similar: SimilarPanel | None = None
        self._select_values: dict[str, tuple[str, ...]] = {}  # the choices each Select has
        # Changed messages posted before this (monotonic, as Message.time) came from a load
        # filling the form, not from the user: one check after the load stands for them all
        self._filled_at = 0.0
        # the dirty check's caches, each for one original (compared by identity)
        self._baseline_of: Entry | None = None
        self._baseline: dict[str, str] = {}
        self._baseline_norm: dict[str, str] = {}
        self._normalised_of: Entry | None = None
        self._original_norm = Entry()

    def compose(self) -> ComposeResult:
        yield Static(
            Content(
                "No entry open.\n\nctrl+f search, enter opens; ctrl+n new entry; "
                "F1 help; ctrl+q quit."
            ),
            id="editor-empty",
        )

    # -- building the form --------------------------------------------------------------------
    def _field_widget(self, spec: FieldSpec, value: str | list[str]) -> Input | Select[str]:
        widget = self._make_field(spec, value)
        self._fields[spec.dotted] = widget
        return widget

    def _make_field(self, spec: FieldSpec, value: str | list[str]) -> Input | Select[str]:
        text = ", ".join(value) if isinstance(value, list) else value
        if spec.kind is FieldKind.CHOICE and spec.choices:
            options, current = self._choices(spec, text)
            return Select(
                options,
                value=current if current is not None else Select.NULL,
                prompt="",  # not set: an empty value (the label is beside it already)
                id=_field_id(spec),
                classes="field-input",
                compact=True,
            )
        placeholder = spec.hint or spec.label
        if spec.kind is FieldKind.TAGS and spec.suggestions:
            placeholder = "comma separated, e.g. " + ", ".join(spec.suggestions[:4])
        suggester = self.tag_suggester if spec.kind is FieldKind.TAGS else None
        return Input(
            self._shown(_field_id(spec), text),
            suggester=suggester,
            placeholder=placeholder,
            id=_field_id(spec),
            # "-valid": what Input's validation sets on the first value (no validators: always
            # valid); set from the start, the first open restyles none of the ~30 fields for
            # it (11% of the first open's event-loop time)
            classes=f"field-input {VALID}",
            compact=True,
            select_on_focus=False,  # focusing shows the start of the value, not all selected
        )

    def _choices(self, spec: FieldSpec, text: str) -> tuple[list[tuple[Content, str]], str | None]:
        options = [(Content(choice), choice) for choice in spec.choices]
        current = spec.choice_for(text) if text else None
        if text and current is None:  # a value outside the choices stays as it is
            options.append((Content(visible(text)), text))
            current = text
        return options, current

    def _details(self, entry: Entry) -> list[Widget]:
        return [
            Horizontal(
                Label(Content(_label(spec)), classes="field-label"),
                self._field_widget(spec, entry.value(spec)),
                classes="field-row",
            )
            for spec in self.template.all_fields()
        ]

    def _text_area(self, spec: SectionSpec) -> SectionArea:
        # the hint as the template has it, lines and all (a code block stays a block)
        hint = "\n".join(spec.hint.splitlines()[:12])[:600] if spec.hint else spec.title
        return SectionArea(
            placeholder=visible(hint),
            spec=spec,
            id=_section_id(spec),
            classes="section-text",
        )

    async def load(self, entry: Entry) -> None:
        """Show an entry (replacing what was shown); the caller checks for unsaved work.

        The form is built once, on the first open; later opens only put the new values in
        (and replace the tabs of extra sections), which keeps opening an entry fast."""
        self._loading = True
        self._asked_severity = False
        self.original = entry.copy()
        self._raw = {}
        await self._ensure_built()
        tabs = self.tabs
        assert tabs is not None
        tabs.display = True
        self.query_one("#editor-empty").display = False
        # the values put in are the entry's, not the user's edits: no Changed message per
        # field and pane (~300 dispatches an open, each bubbling up to the app, handled
        # before the entry's first frame; the check after the load stands for them all)
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed):
            self._fill_values(entry)
        await self._extra_tabs(entry)
        self.show_similar(None)
        if self._preview_md is not None:
            self._preview_md.update("")
        self._loading = False
        self._filled_at = time.monotonic()
        self._update_modified(False)
        self.call_after_refresh(self._show_position)

    async def prebuild(self) -> None:
        """Build the (hidden) form ahead of the first open, when the app is idle."""
        try:
            await self._ensure_built()
        except Exception:
            if self.is_attached and self.app.is_running:
                raise
            # the app is closing while the form was being built: nothing to keep

    async def _ensure_built(self) -> None:
        async with self._build_lock:  # an open during the prebuild waits for it
            if not self._built:
                await self._build()
                self._built = True

    async def _build(self) -> None:
        tabs = FormTabs(id="tabs")
        tabs.display = False
        await self.mount(tabs)
        template = self.template
        empty = Entry()
        details = TabPane(Content("Details"), id="tab-details")
        await tabs.add_pane(details)
        scroll = VerticalScroll()
        await details.mount(scroll)
        await scroll.mount_all(self._details(empty))
        for spec in template.sections:
            if spec.parent is not None:
                continue
            pane = TabPane(Content(spec.title), id=f"tab-{spec.key}")
            await tabs.add_pane(pane)
            body = SectionBody()
            await pane.mount(body)
            leaves = [spec] if spec.is_leaf else list(template.children(spec.key))
            widgets: list[Widget] = []
            for leaf in leaves:
                if not spec.is_leaf:
                    widgets.append(Label(Content(leaf.title), classes="section-label"))
                area = self._text_area(leaf)
                self._areas[leaf.key] = area
                widgets.append(area)
            await body.mount_all(widgets)
        if template.checklist is not None:
            pane = TabPane(Content(template.checklist.title), id="tab-checklist")
            await tabs.add_pane(pane)
            self._checklist = ChecklistEditor([], id="checklist-editor")
            await pane.mount(self._checklist)
        similar = TabPane(Content("Similar"), id="tab-similar")
        await tabs.add_pane(similar)
        self._similar = SimilarPanel()
        await similar.mount(self._similar)
        preview = TabPane(Content("Preview"), id="tab-preview")
        await tabs.add_pane(preview)
        self._preview_md = SafeMarkdown(id="preview-md")
        await preview.mount(VerticalScroll(self._preview_md, id="preview-pane"))
        # "‹ 4/18 ›" at the right of the tab bar: which tab, of how many, and on which side
        # more tabs are out of sight
        bar = tabs.query_one(ContentTabs)
        self._position = Static(id="tab-position")
        await bar.mount(self._position)
        scroller = bar.query_one("#tabs-scroll")
        self.watch(scroller, "scroll_x", self._show_position, init=False)
        self.watch(scroller, "virtual_size", self._show_position, init=False)
        self._scrolls = list(self.query(VerticalScroll))
        self._tabs = tabs

    def _fill_values(self, entry: Entry) -> None:
        for spec in self.template.all_fields():
            widget = self._fields[spec.dotted]
            value = entry.value(spec)
            text = ", ".join(value) if isinstance(value, list) else value
            if isinstance(widget, Select):
                options, current = self._choices(spec, text)
                values = tuple(value for _label, value in options)
                if self._select_values.get(spec.dotted) != values:  # (4 ms a set_options)
                    self._select_values[spec.dotted] = values
                    widget.set_options(options)
                widget.value = current if current is not None else Select.NULL
            elif isinstance(widget, Input):
                widget.value = self._shown(_field_id(spec), text)
                widget.cursor_position = 0
        for leaf in self.template.leaves():
            area = self._area(leaf.key)
            text = entry.sections.get(leaf.key, "")
            if area.saved_text() == text and area.text == visible(text):
                # the pane holds this text already (most often both empty): a new document
                # (a tree-sitter parse and query per pane) would show the same
                area.history.clear()
                area.move_cursor((0, 0))
                area.scroll_home(animate=False)
            else:
                area.show_text(text)
        if self._checklist is not None:
            self._checklist.set_items(entry.follow_up)
        for scroll in self._scrolls:
            scroll.scroll_home(animate=False)

    async def _extra_tabs(self, entry: Entry) -> None:
        tabs = self.tabs
        assert tabs is not None
        for pane in self.panes():
            if (pane.id or "").startswith("tab-extra-"):
                await tabs.remove_pane(pane.id or "")
        self._extras = []
        before = "tab-similar"
        for number, (key, text) in enumerate(entry.extra_sections.items()):
            pane = TabPane(Content(visible(key)[:24]), id=f"tab-extra-{self._extra_serial}")
            self._extra_serial += 1
            await tabs.add_pane(pane, before=before)
            area = SectionArea(placeholder="", id=f"extra-{number}", classes="section-text extra")
            area.extra_key = key  # type: ignore[attr-defined]
            await pane.mount(area)
            self._extras.append(area)
            area.show_text(text)

    def _shown(self, widget_id: str, text: str) -> str:
        """Text safe to show: control characters made visible. The file's text is kept and
        written back unless the user edits the field."""
        shown = visible(text)
        if shown != text:
            self._raw[widget_id] = text
        return shown

    def _kept(self, widget_id: str, value: str) -> str:
        """The field's text to save: what the user did not touch as the file had it."""
        raw = self._raw.get(widget_id)
        return restore(raw, value) if raw is not None else value

    # -- reading the form back ------------------------------------------------------------------
    def collect(self) -> Entry:
        return self._collect(sections=True)

    def _collect(self, sections: bool) -> Entry:
        """The form's entry; ``sections=False``: the sections as the original has them."""
        assert self.original is not None
        entry = self.original.copy()
        for spec in self.template.all_fields():
            widget = self._fields[spec.dotted]
            if isinstance(widget, Select):
                value = widget.value
                text = "" if value is Select.NULL or value is None else str(value)
            else:
                text = self._kept(_field_id(spec), widget.value)
            if spec.kind is FieldKind.TAGS and not spec.group:
                entry.set_value(spec, split_tags(text))
            elif spec.key == "title":
                entry.set_value(spec, " ".join(text.split()))
            else:
                entry.set_value(spec, text.strip() if spec.kind is not FieldKind.TEXT else text)
        for leaf in self.template.leaves() if sections else ():
            area = self._area(leaf.key)
            text = area.saved_text()
            if text != self.original.sections.get(leaf.key, ""):
                # what the user wrote in Error Messages or Configuration is stored fenced,
                # as the CLI stores it (untouched text stays as the file has it)
                text = stored_section_text(leaf, text, written=True)
            entry.sections[leaf.key] = text
        if self._checklist is not None:
            # items keep the file's own text unless the user edited them (ChecklistEditor)
            entry.follow_up = [ChecklistItem(i.text, i.done) for i in self._checklist.items]
        for area in self._extras:
            entry.extra_sections[str(getattr(area, "extra_key", ""))] = area.saved_text()
        return entry

    def _normalised(self, entry: Entry, sections: bool = True) -> Entry:
        copy = entry.copy()
        copy.sections = (
            {k: normalize_section_text(v) for k, v in copy.sections.items() if v.strip()}
            if sections
            else {}
        )
        copy.extra_sections = {k: normalize_section_text(v) for k, v in copy.extra_sections.items()}
        copy.groups = {
            g: {k: v for k, v in values.items() if v.strip()} for g, values in copy.groups.items()
        }
        copy.groups = {g: v for g, v in copy.groups.items() if v}
        copy.fields = {k: v for k, v in copy.fields.items() if v}
        return copy

    def check_dirty(self) -> None:
        """Every key: is the form different from the entry as opened (or last saved)?

        The section panes are compared with what they showed of the original (a string
        compare while a pane is as it was); the rest of the entry is small. A 5,000-line
        pane no longer costs a whole-entry copy and normalisation per key."""
        if self._loading or self.original is None:
            return
        try:
            dirty = self._sections_differ()
            if not dirty:
                current = self._collect(sections=False)
                dirty = self._normalised(current, sections=False) != self._original_normalised()
        except Exception:  # the form is being rebuilt
            return
        self._update_modified(dirty)

    def _area(self, key: str) -> SectionArea:
        return self._areas[key]

    def _baselines(self) -> dict[str, str]:
        """What each section pane showed of the original (or held when last saved)."""
        original = self.original
        if self._baseline_of is not original and original is not None:
            self._baseline_of = original
            self._baseline = {
                leaf.key: visible(original.sections.get(leaf.key, ""))
                for leaf in self.template.leaves()
            }
            self._baseline_norm = {}
        return self._baseline

    def _sections_differ(self) -> bool:
        baselines = self._baselines()
        for leaf in self.template.leaves():
            text = self._area(leaf.key).text
            before = baselines.get(leaf.key, "")
            if text == before:
                continue
            if leaf.key not in self._baseline_norm:
                self._baseline_norm[leaf.key] = normalize_section_text(before)
            if normalize_section_text(text) != self._baseline_norm[leaf.key]:
                return True
        return False

    def _original_normalised(self) -> Entry:
        assert self.original is not None
        if self._normalised_of is not self.original:
            self._normalised_of = self.original
            self._original_norm = self._normalised(self.original, sections=False)
        return self._original_norm

    def _update_modified(self, dirty: bool) -> None:
        if dirty != self.modified:
            self.modified = dirty
            self.post_message(self.DirtyChanged(dirty))

    def mark_saved(self, entry: Entry) -> None:
        self.original = entry.copy()
        # a pane that holds what was saved is clean, even where the file has it fenced (a
        # traceback shown as typed); one typed on since the save began is not
        self._baseline_of = self.original
        self._baseline = {}
        for leaf in self.template.leaves():
            area = self._area(leaf.key)
            saved = self.original.sections.get(leaf.key, "")
            text = area.saved_text()
            same = text == saved or stored_section_text(leaf, text, written=True) == saved
            self._baseline[leaf.key] = area.text if same else visible(saved)
        self._baseline_norm = {}
        self._update_modified(False)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self, event: Message) -> None:
        if event.time <= self._filled_at:
            return  # posted while a load filled the form (~77 of them an open): checked then
        self.check_dirty()

    # -- moving around ----------------------------------------------------------------------------
    @property
    def tabs(self) -> TabbedContent | None:
        return self._tabs  # (None until the form is built)

    def panes(self) -> list[TabPane]:
        """The form's tabs, in order: the children of its content switcher (a query for
        TabPane walked the form's ~700 widgets, three times an open)."""
        tabs = self.tabs
        if tabs is None:
            return []
        switcher = tabs.get_child_by_type(ContentSwitcher)
        return [child for child in switcher.children if isinstance(child, TabPane)]

    def show_tab(self, index: int) -> None:
        tabs = self.tabs
        if tabs is None:
            return
        panes = self.panes()
        if not panes:
            return
        pane = panes[index % len(panes)]
        tabs.active = pane.id or ""
        if pane.id == "tab-preview":
            self.update_preview()
        # (a hidden input, such as the checklist's, counts as focusable: skip it)
        fields = [
            w
            for w in pane.query("TextArea, Input, Select, OptionList")
            if w.focusable and w.display
        ]
        if fields:
            fields[0].focus()
        elif pane.id == "tab-preview":
            self.query_one("#preview-pane").focus()

    def step_tab(self, step: int) -> None:
        tabs = self.tabs
        if tabs is None:
            return
        ids = [p.id for p in self.panes()]
        current = ids.index(tabs.active) if tabs.active in ids else 0
        self.show_tab(current + step)

    def toggle_preview(self) -> None:
        """Show the preview; from the preview, go back to the tab it was opened from."""
        tabs = self.tabs
        if tabs is None:
            return
        if tabs.active == "tab-preview":
            panes = [p.id for p in self.panes()]
            back = self._previous_tab if self._previous_tab in panes else panes[0]
            self.show_tab(panes.index(back))
            return
        self._previous_tab = tabs.active
        tabs.active = "tab-preview"  # TabActivated fills the preview
        self.query_one("#preview-pane").focus()

    def update_preview(self) -> None:
        if self.renderer is None or self.original is None:
            return
        markdown = visible(self.renderer(self.collect()))  # no control sequence reaches the tty
        if self._preview_md is not None:
            self._preview_md.update(markdown)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-preview":
            self.update_preview()
        # the panes of a tab shown for the first time are wrapped at the width they have
        # now, once it is laid out (TextArea's own rewrap on resize was missed at times)
        self.call_after_refresh(self._wrap_panes, event.pane)
        self.call_after_refresh(self._show_position)

    def _show_position(self) -> None:
        tabs = self.tabs
        if tabs is None:
            return
        ids = [p.id for p in self.panes()]
        scroller = tabs.query_one(ContentTabs).query_one("#tabs-scroll")
        left = "‹" if scroller.scroll_x > 0 else " "
        right = "›" if scroller.scroll_x < scroller.max_scroll_x else " "
        number = ids.index(tabs.active) + 1 if tabs.active in ids else 0
        if self._position is not None:
            self._position.update(Content(f"{left} {number}/{len(ids)} {right}"))

    def _wrap_panes(self, pane: Widget) -> None:
        for area in pane.query(SectionArea):
            area.ensure_wrapped()

    def focus_title(self) -> None:
        self.show_tab(0)
        for widget in self.query(".field-input"):
            widget.focus()
            break

    def current_title(self) -> str:
        """The title as typed (for the top bar: no whole-entry collect per key)."""
        spec = self.template.top_field("title")
        if spec is None or self.original is None:
            return self.original.title if self.original is not None else ""
        widget = self._fields.get(spec.dotted)
        if not isinstance(widget, Input):
            return self.original.title
        return " ".join(self._kept(_field_id(spec), widget.value).split())

    def ready_to_save(self, new: bool) -> bool:
        """False (after asking for it) when a new entry has no severity yet: the app's save
        asks first rather than write an entry the list shows as ``-``."""
        spec = self.missing_choice("severity") if new else None
        if spec is None or self._asked_severity:
            return True  # asked once already: a second ctrl+s saves without one
        self._asked_severity = True
        self.ask_for(spec)
        return False

    def missing_choice(self, key: str = "severity") -> FieldSpec | None:
        """The template's choice field ``key`` when the form leaves it unset, else None."""
        spec = self.template.top_field(key)
        if spec is None or spec.kind is not FieldKind.CHOICE:
            return None
        widget = self._fields[spec.dotted]
        assert isinstance(widget, Select)
        return spec if widget.value is Select.NULL or widget.value is None else None

    def ask_for(self, spec: FieldSpec) -> None:
        """Ask for a choice before saving: its list opens on the Details tab."""
        self.show_tab(0)
        widget = self._fields[spec.dotted]
        assert isinstance(widget, Select)
        widget.focus()
        widget.expanded = True
        self.app.notify(
            f"Choose a {spec.label.lower()} (enter), then save again"
            " (ctrl+s again saves without one).",
            markup=False,
            severity="warning",
        )

    def focused_text_area(self) -> TextArea | None:
        focused = self.app.focused
        return (
            focused if isinstance(focused, TextArea) and focused in self.query(TextArea) else None
        )

    def toggle_checklist_line(self) -> None:
        """ctrl+t: toggle the highlighted follow-up item (when the checklist has focus)."""
        focused = self.app.focused
        for editor in self.query(ChecklistEditor):
            if focused is editor.listing:
                editor.toggle_item(editor.listing.highlighted)

    @on(ChecklistEditor.Changed)
    def _checklist_changed(self, event: ChecklistEditor.Changed) -> None:
        event.stop()
        self.check_dirty()

    def error_text(self) -> str:
        """What the similar-entries list follows: the Error Messages as typed, or while
        they are empty the error description (as ``mistakes similar REF`` looks up)."""
        texts = {}
        for key in ("what_happened", "error_messages", "actual_behavior"):
            area = self._areas.get(key)
            if area is not None:
                texts[key] = area.text
        return error_query(texts, "\n".join(texts.values()))

    def show_similar(self, hits: list[Hit] | None, *, looked_for: bool = True) -> None:
        """The similar entries (None: not looked up yet for this entry); ``looked_for``:
        there was error text to look for."""
        if self._similar is None:
            return
        self._similar.show(hits, looked_for=looked_for)
        tabs = self.tabs
        if tabs is not None:
            label = "Similar" if hits is None else f"Similar ({len(hits)})"
            with contextlib.suppress(Exception):
                tabs.get_tab("tab-similar").label = Content(label)
