"""A section's text pane: the file's text shown safely, saved back as it was where untouched."""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

from textual import events
from textual._tree_sitter import TREE_SITTER, get_language
from textual.content import Content
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._syntax_aware_document import (
    SyntaxAwareDocument,
    SyntaxAwareDocumentError,
)
from textual.document._wrapped_document import WrappedDocument
from textual.strip import Strip
from textual.widgets import TextArea

from mistakes.domain.code_sections import stored_section_text
from mistakes.domain.shown import raw_offset, restore
from mistakes.domain.template import SectionSpec
from mistakes.domain.text import visible
from mistakes.services.secrets import mask_secrets

# Markdown highlighting needs tree-sitter and its grammar (without the grammar Textual
# raises); plain text without them
LANGUAGE: str | None = (
    "markdown"
    if importlib.util.find_spec("tree_sitter") and importlib.util.find_spec("tree_sitter_markdown")
    else None
)
# tree-sitter parses the whole text again on every key: above this many lines the pane is
# plain text (a 5,000-line log cost ~150 ms a key highlighted, a few ms plain)
HIGHLIGHT_LINES = 1_000
# above this size the pane opens read-only: ctrl+e edits the section in $EDITOR
EDIT_LINES = 20_000
EDIT_CHARS = 2_000_000


class _WrappedDocument(WrappedDocument):
    """TextArea asks for the wrapped height once per row it draws, and Textual sums every
    line's wrap for each ask: at 5,000 lines that was 25 ms a key. The sum is kept until
    the wrapping changes (``wrap`` and ``wrap_range`` are its only writers)."""

    _height: int | None = None

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._height = None
        super().wrap(width, tab_width)

    def wrap_range(self, *args: object, **kwargs: object) -> None:
        self._height = None
        super().wrap_range(*args, **kwargs)  # type: ignore[arg-type]
        self._height = None

    @property
    def height(self) -> int:
        if self._height is None:
            self._height = super().height
        return self._height


@cache
def highlighting(language: str) -> tuple[Any, Any] | None:
    """The tree-sitter language and its highlight query, prepared once for every pane.

    TextArea reads the query's file and prepares it (``Query(language, source)``) for each
    document it makes: 2 ms a pane, ~45 ms an open of an entry with 22 sections. A prepared
    query holds no state of a run (a ``QueryCursor`` does), so one serves every document."""
    if not TREE_SITTER:
        return None
    tree_language = get_language(language)
    if tree_language is None:
        return None
    from tree_sitter import Query

    source = TextArea._get_builtin_highlight_query(language)
    try:
        return tree_language, Query(tree_language, source)
    except Exception:  # a query this tree-sitter refuses: TextArea's own path says why
        return None


def too_large(text: str) -> bool:
    return len(text) > EDIT_CHARS or text.count("\n") >= EDIT_LINES


class SectionArea(TextArea):
    """One section of the entry.

    Control characters are shown as ``^[``/``<U+202E>`` (never sent to the terminal);
    ``saved_text()`` gives the text back with the characters the user did not touch as the
    file had them, and what they typed or pasted as typed (a pasted coloured log keeps its
    escapes). A section whose template hint is a code block takes a multi-line paste into
    an empty pane inside a code fence, as the file will store it. Secrets in a paste (keys,
    tokens, passwords) are masked as ``[REDACTED:kind]`` before they reach the pane."""

    _drawing_text = False  # see render_line

    def __init__(
        self,
        *,
        placeholder: str,
        spec: SectionSpec | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            "",
            language=LANGUAGE,
            soft_wrap=True,
            tab_behavior="focus",
            placeholder=Content(placeholder),
            id=id,
            classes=classes,
            compact=True,
        )
        self.spec = spec  # the template's section (None: an extra section)
        self._raw: str | None = None  # the text with its control characters, when any
        self.large = False
        self._wrapped_at = -1  # the width ensure_wrapped() last wrapped the text at

    def _set_document(self, text: str, language: str | None) -> None:
        prepared = highlighting(language) if language else None
        if prepared is None:
            super()._set_document(text, language)
        else:
            self._set_highlighted_document(text, *prepared)
        # textual<9 (pinned): the document TextArea made, with its height kept (see above)
        self.wrapped_document.__class__ = _WrappedDocument  # its height: the class default

    def _set_highlighted_document(self, text: str, tree_language: Any, query: Any) -> None:
        """TextArea._set_document (textual 8.2.8) for a built-in language, with the
        highlight query prepared once (``highlighting``) instead of once per document."""
        self._highlight_query = None
        document: Document
        try:
            document = SyntaxAwareDocument(text, tree_language)
        except SyntaxAwareDocumentError:
            document = Document(text)
        else:
            self._highlight_query = query
        self.document = document
        self.wrapped_document = WrappedDocument(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def render_line(self, y: int) -> Strip:
        # TextArea starts each row it draws with ``if not self.text`` (for the placeholder):
        # a join of the whole text per row. A pane with text answers that from here.
        document = self.document
        self._drawing_text = document.line_count > 1 or bool(document[0])
        try:
            return super().render_line(y)
        finally:
            self._drawing_text = False

    @property
    def text(self) -> str:
        if self._drawing_text:
            return " "  # only read as "not empty", while a row with text is drawn
        return self.document.text

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    # -- the text ---------------------------------------------------------------------------------
    def show_text(self, text: str) -> None:
        """Show a section's text (replacing what was shown, clearing undo)."""
        shown = visible(text)
        self._raw = text if shown != text else None
        lines = text.count("\n")
        language = LANGUAGE if lines < HIGHLIGHT_LINES else None
        if language != self.language:
            self.language = language
        self.large = too_large(text)
        self.read_only = self.large
        self.set_class(self.large, "-large")
        self.load_text(shown)
        self._wrapped_at = -1  # wrapped at the width it has now, which is 0 in a hidden tab

    def saved_text(self) -> str:
        """The text to save: what is shown, with untouched control characters put back."""
        if self._raw is None:
            return self.text
        return restore(self._raw, self.text)

    def replace_text(self, text: str) -> None:
        """Put edited text in (from $EDITOR): it is the text to save from now on."""
        shown = visible(text)
        self._raw = text if shown != text else None
        self.text = shown
        self.move_cursor(self.document.end)

    # -- pasting ----------------------------------------------------------------------------------
    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # instead of TextArea's own
        if self.read_only:
            if self.large:
                self.notify_large()
            return
        pasted = event.text.replace("\r\n", "\n").replace("\r", "\n")
        masked = mask_secrets(pasted)  # keys and passwords in a pasted log stay out of the file
        pasted = masked.text
        if masked.count:
            self.app.notify(
                f"{masked.summary().capitalize()} in the paste, as [REDACTED:kind].",
                markup=False,
                severity="warning",
            )
        if self.spec is not None and not self.text.strip() and "\n" in pasted.strip("\n"):
            # a traceback pasted into the empty Error Messages: shown fenced, as it is saved
            stored = stored_section_text(self.spec, pasted, written=True)
            if stored != pasted:
                pasted = stored + "\n"
                start, end = self.document.start, self.document.end  # the blank lines too
            else:
                start, end = sorted(self.selection)
        else:
            start, end = sorted(self.selection)
        shown = visible(pasted)
        if shown != pasted or self._raw is not None:
            before = self.saved_text()
            first, last = self._index(start), self._index(end)
            if self._raw is not None:
                first, last = raw_offset(before, first), raw_offset(before, last)
            raw = before[:first] + pasted + before[last:]
        else:
            raw = None
        result = self._replace_via_keyboard(shown, start, end)
        if result is None:
            return
        self._raw = raw if raw is not None and raw != visible(raw) else None
        self.move_cursor(result.end_location)
        self.focus()
        self.refresh(layout=True)  # a paste of many lines shows at once, not at the next key

    def _index(self, location: tuple[int, int]) -> int:
        """The offset in ``self.text`` of a (row, column) location."""
        row, column = location
        return sum(len(line) + 1 for line in self.document.lines[:row]) + column

    # -- large sections ---------------------------------------------------------------------------
    def notify_large(self) -> None:
        self.app.notify(
            f"This section has {self.document.line_count:,} lines: it is read-only here. "
            "ctrl+e edits it in $EDITOR.",
            markup=False,
            severity="warning",
        )

    def _on_focus(self, event: events.Focus) -> None:
        if self.large:
            self.notify_large()

    # -- wrapping at the width shown -------------------------------------------------------------
    def ensure_wrapped(self) -> None:
        """Wrap the text at the width the pane has now, if it was wrapped at another."""
        width = self.wrap_width
        if self.soft_wrap and width and width != self._wrapped_at:
            self._wrapped_at = width
            self._rewrap_and_refresh_virtual_size()
            self.scroll_cursor_visible()
            self.refresh()
