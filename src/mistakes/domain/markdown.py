"""The few Markdown rules the app needs: ATX headings, code fences and checklist items."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
CHECKLIST_ITEM = re.compile(r"^(?P<indent>\s*)[-*+]\s+\[(?P<mark>[ xX])\]\s?(?P<text>.*)$")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


def parse_heading(line: str) -> Heading | None:
    """An ATX heading (``## Title``) or None. The line must not carry its line break."""
    match = _HEADING.match(line)
    if not match:
        return None
    return Heading(len(match.group(1)), (match.group(2) or "").strip())


@dataclass
class FenceTracker:
    """Follows code fences line by line, so that headings inside them are not structure."""

    marker: str = ""

    @property
    def inside(self) -> bool:
        return bool(self.marker)

    def feed(self, line: str) -> bool:
        """Take one line (without its line break); True if the line is part of a fence."""
        match = _FENCE.match(line)
        if self.marker:
            closes = (
                match is not None
                and match.group(1)[0] == self.marker[0]
                and len(match.group(1)) >= len(self.marker)
                and not match.group(2).strip()
            )
            if closes:
                self.marker = ""
            return True
        if match:
            if match.group(1)[0] == "`" and "`" in match.group(2):
                return False  # not a fence: an info string may not hold a backtick
            self.marker = match.group(1)
            return True
        return False


def structural_lines(lines: Iterable[str]) -> Iterator[tuple[int, str, bool]]:
    """Yield ``(index, line, in_code)`` for each line (line breaks already removed)."""
    fence = FenceTracker()
    for index, line in enumerate(lines):
        yield index, line, fence.feed(line)


def unclosed_fence(text: str) -> str:
    """The marker of a code fence the text opens and does not close, or ``""``."""
    fence = FenceTracker()
    for line in text.split("\n"):
        fence.feed(line)
    return fence.marker


def longest_backtick_run(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)


def fenced(text: str, info: str = "") -> str:
    """Wrap text in a code fence long enough not to be closed by the text itself."""
    marker = "`" * max(3, longest_backtick_run(text) + 1)
    return f"{marker}{info}\n{text.rstrip(chr(10))}\n{marker}"


def strip_blank_edges(text: str) -> str:
    """Remove blank lines at the start and the end; keep the indentation of the first line."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def is_one_code_block(text: str) -> bool:
    """True when the text is exactly one fenced code block (nothing outside it)."""
    lines = strip_blank_edges(text).split("\n")
    if len(lines) < 2:
        return False
    fence = FenceTracker()
    for index, line in enumerate(lines):
        fence.feed(line)
        if not fence.inside and index < len(lines) - 1:
            return False
    return not fence.inside and _FENCE.match(lines[0]) is not None
