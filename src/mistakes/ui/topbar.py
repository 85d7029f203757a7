"""The top bar's line: folder, entry number and title, and ``[modified]``, in one row.

``[modified]`` and the number always show: when the row is too narrow the folder is cut
first (from the left, its end kept), then the title (with an ellipsis). At 80 columns a
title over ~45 characters used to push the mark off the row."""

from __future__ import annotations

from textual.content import Content

from mistakes.domain.text import one_line

MARK = " [modified]"
ELLIPSIS = "…"


def _cut_end(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + ELLIPSIS if width > 0 else ""


def _cut_start(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return ELLIPSIS + text[len(text) - max(0, width - 1) :] if width > 0 else ""


def topbar_text(folder: str, number: str | None, title: str, modified: bool, width: int) -> Content:
    """The row for a bar ``width`` cells wide (its padding taken off already).

    ``number``: ``"005"``, ``"new"``, or None when no entry is open."""
    folder = one_line(folder)
    if number is None:
        return Content(_cut_start(folder, width))
    title = one_line(title) or "(untitled)"
    mark = MARK if modified else ""
    fixed = f"  {number} "
    room = width - len(fixed) - len(mark)
    # the folder gives way first, down to its last 12 characters; then the title
    folder_room = max(min(len(folder), 12), room - len(title))
    shown_folder = _cut_start(folder, max(0, min(len(folder), folder_room)))
    shown_title = _cut_end(title, max(1, room - len(shown_folder)))
    if len(shown_folder) + len(shown_title) > room:
        shown_folder = _cut_start(folder, max(0, room - len(shown_title)))
    return Content(f"{shown_folder}{fixed}{shown_title}{mark}")
