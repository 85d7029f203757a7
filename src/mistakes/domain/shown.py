"""Text edited as it is shown: control characters are shown as ``^[`` or ``<U+202E>`` (see
``text.visible``); what the user did not touch goes back to the file as it was.

``restore(raw, shown)`` maps an edited copy of ``visible(raw)`` back onto ``raw``: lines the
user did not change keep their bytes, a placeholder still whole on an edited line is the
control character again, and what the user typed is kept as typed (a ``^[`` typed by hand
stays two characters; a placeholder the user broke, say by deleting its ``^``, is text).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from mistakes.domain.text import _UNSAFE as UNSAFE  # the characters visible() replaces
from mistakes.domain.text import visible


def _units(raw: str) -> list[tuple[str, str]]:
    """(raw character, what it shows as) for each character of ``raw``."""
    return [(char, visible(char)) for char in raw]


def _restore_chars(raw: str, shown: str) -> str:
    """Character-level restore of one block (a few lines the user edited)."""
    units = _units(raw)
    reference: list[str] = []
    owner: list[int] = []  # for each character of the reference: the unit it belongs to
    starts: list[int] = []  # the reference offset where each unit starts
    for index, (_char, seen) in enumerate(units):
        starts.append(len(reference))
        reference.extend(seen)
        owner.extend([index] * len(seen))
    matcher = SequenceMatcher(None, reference, list(shown), autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            if tag in ("replace", "insert"):
                out.append(shown[j1:j2])
            continue
        position = i1
        while position < i2:
            unit = owner[position]
            char, seen = units[unit]
            start = starts[unit]
            if start == position and start + len(seen) <= i2:
                out.append(char)  # the whole placeholder is still there: the character
                position += len(seen)
            else:
                out.append(reference[position])  # part of a broken placeholder: as shown
                position += 1
    return "".join(out)


def restore(raw: str, shown: str) -> str:
    """The text to save for ``shown``, an edited copy of ``visible(raw)``."""
    reference = visible(raw)
    if shown == reference:
        return raw
    if reference == raw:
        return shown  # nothing was replaced for showing
    raw_lines = raw.split("\n")
    old_lines = reference.split("\n")  # visible() keeps newlines: the lines pair up
    new_lines = shown.split("\n")
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raw_lines[i1:i2])
        elif tag == "insert":
            out.extend(new_lines[j1:j2])
        elif tag == "replace":
            old = "\n".join(raw_lines[i1:i2])
            new = "\n".join(new_lines[j1:j2])
            out.append(_restore_chars(old, new) if old != visible(old) else new)
    return "\n".join(out)


def raw_offset(raw: str, shown_offset: int) -> int:
    """The offset in ``raw`` of an offset in ``visible(raw)``; an offset inside a
    placeholder (between ``^`` and ``[``) goes to the placeholder's end."""
    shift = 0  # how much longer the shown text is than the raw up to here
    for match in UNSAFE.finditer(raw):
        start = match.start()
        if shown_offset <= start + shift:
            break
        width = len(visible(match.group(0)))
        if shown_offset < start + shift + width:
            return start + 1
        shift += width - 1
    return min(len(raw), shown_offset - shift)
