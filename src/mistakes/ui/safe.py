"""Text from files on screen: never markup, never a control sequence."""

from __future__ import annotations

from textual.content import Content

from mistakes.domain.text import visible


def plain(text: str) -> Content:
    """A Content that shows the text literally (``[bold]`` stays ``[bold]``)."""
    return Content(visible(text))
