"""How a "have we seen this?" answer is told in one line per hit.

One formatter shared by ``capture``, the pytest plugin, the exception hook and anything
else that prints "seen before" lines, so that they all say it the same way."""

from __future__ import annotations

from mistakes.domain.text import visible
from mistakes.search.types import Hit

FIX_CHARS = 160  # of the fix, on the one line


def _one_line(text: str) -> str:
    return " ".join(visible(text).split())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def seen_before_line(hit: Hit, fix_chars: int = FIX_CHARS) -> str:
    """``seen before: 019 Connection pool exhausted… fix: raised pool_size to 40``."""
    line = f"seen before: {hit.number:03d} {_cut(_one_line(hit.title), 60)}"
    fix = _one_line(hit.fix)
    if fix:
        line += f" fix: {_cut(fix, fix_chars)}"
    else:
        line += " (no fix written)"
    return line


def seen_before_lines(hits: list[Hit], fix_chars: int = FIX_CHARS) -> list[str]:
    return [seen_before_line(hit, fix_chars) for hit in hits]
