"""Fitting the app to the terminal it runs in: colours, NO_COLOR, and the glyphs it can draw.

``fit_terminal(app)`` is called once from the app's ``on_mount``:

- 16 colours (``TERM=xterm``, ``TERM=linux``, ``screen``): the ``ansi-dark`` theme, whose
  error, warning and accent colours stay apart (under textual-dark they all became red).
- ``NO_COLOR``: the same theme with every colour removed. Textual picks its no-colour filter
  when the app is created, for the theme of that moment: a greyscale one, which on a
  16-colour terminal under the ANSI theme drew black on black (``TERM=linux NO_COLOR=1``).
  Here text keeps the terminal's own colours, and bold, italic and reverse mark things.
- ASCII glyphs (``TERM=linux``, ``MISTAKES_ASCII=1``, or ``ascii=True`` from ``--ascii`` or
  the config): the Linux console's fonts lack the heavy and rounded box drawing, the
  ellipsis, the eighth blocks of scrollbars, ``⏎`` and ``🔎``; each is drawn as an ASCII
  character of the same width instead.
"""

from __future__ import annotations

import os
from typing import Any

from rich.segment import Segment
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor

# each glyph Textual draws that a Linux console font lacks -> ASCII of the same cell width
ASCII_GLYPHS: dict[str, str] = {
    # tab underline and heavy borders
    "━": "-",
    "╸": "-",
    "╺": "-",
    "┃": "|",
    "┏": "+",
    "┓": "+",
    "┗": "+",
    "┛": "+",
    # round borders (dialogs)
    "╭": "+",
    "╮": "+",
    "╰": "+",
    "╯": "+",
    # light box drawing: most console fonts have it, --ascii asks for none
    "─": "-",
    "│": "|",
    "┌": "+",
    "┐": "+",
    "└": "+",
    "┘": "+",
    "├": "+",
    "┤": "+",
    "┬": "+",
    "┴": "+",
    "┼": "+",
    # truncation, footer separator, scrollbar ends, keys, the palette's icon
    "…": "~",
    "▏": "|",
    "▕": "|",
    "▔": " ",
    "▁": " ",
    "▂": " ",
    "▃": " ",
    "▄": " ",
    "▅": " ",
    "▆": " ",
    "▇": " ",
    "▉": " ",
    "▊": " ",
    "▋": " ",
    "▌": " ",
    "▍": " ",
    "▎": " ",
    "█": "#",
    "⏎": "<",
    "▼": "v",
    "▲": "^",
    "·": ".",
    "‹": "<",
    "›": ">",
    "🔎": "> ",  # two cells wide: two characters
}
_TABLE = str.maketrans(ASCII_GLYPHS)


def ascii_text(text: str) -> str:
    return text.translate(_TABLE)


class AsciiGlyphs(LineFilter):
    """Draws the glyphs of ``ASCII_GLYPHS`` as ASCII, in every line the app paints."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        table = _TABLE
        out = []
        for text, style, control in segments:
            if control is None and not text.isascii():
                text = text.translate(table)
            out.append(Segment(text, style, control))
        return out


def wants_ascii(option: bool | None = None) -> bool:
    """ASCII glyphs: asked for (``--ascii`` / config), else ``MISTAKES_ASCII``, else on the
    Linux console."""
    if option is not None:
        return option
    setting = os.environ.get("MISTAKES_ASCII", "").strip().lower()
    if setting:
        return setting not in ("0", "no", "false", "off")
    return os.environ.get("TERM", "") == "linux"


def fit_terminal(app: App[Any], ascii: bool | None = None) -> None:
    """Theme, colour filter and glyphs for the terminal (call from ``on_mount``)."""
    sixteen = app.console.color_system in (None, "standard", "windows")
    if sixteen or app.no_color:
        app.theme = "ansi-dark"  # 16 colours: keep error, warning and success apart
    if app.no_color:
        filters = app._filters  # textual<9 (pinned): no public way to swap the filter
        filters[:] = [f for f in filters if not isinstance(f, Monochrome | NoColor)]
        filters.append(NoColor())
    if wants_ascii(ascii) and not any(isinstance(f, AsciiGlyphs) for f in app._filters):
        app._filters.append(AsciiGlyphs())
