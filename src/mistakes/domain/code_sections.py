"""One rule for sections whose template hint is a code block (Error Messages,
Configuration): their text is stored inside a code fence. The CLI (``new --section``,
``--stdin``, ``set``) and the app's editor both follow it."""

from __future__ import annotations

import re

from mistakes.domain.markdown import fenced, is_one_code_block
from mistakes.domain.template import SectionSpec

_FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)


def stored_section_text(spec: SectionSpec | None, text: str, written: bool = False) -> str:
    """Text as stored in a section: fenced when the template's hint is a code block and the
    text is not one code block already (empty text stays empty).

    ``written``: the text was written in the app's editor, as Markdown; text that holds a
    code fence of its own already (a note above a fenced log) is kept as written rather
    than put, fences and all, inside another block."""
    if spec is None or not spec.hint_is_code or not text.strip():
        return text
    if is_one_code_block(text):
        return text
    if written and _FENCE_LINE.search(text):
        return text
    return fenced(text.strip("\n"))
