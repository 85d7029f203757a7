"""A Markdown file as the importer reads it: numbered lines, code fences marked, headings found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mistakes.domain.markdown import FenceTracker, parse_heading
from mistakes.storage import yaml_text
from mistakes.storage.errors import EntryParseError

BOM = "\ufeff"
_FM_OPEN = re.compile(r"^---[ \t]*$")
_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor shows it
    text: str  # without the line break
    fenced: bool = False  # inside a code fence, or a fence line itself

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Heading:
    index: int  # position in Source.lines
    level: int
    text: str

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class Source:
    path: str
    lines: list[Line]  # every line of the file, frontmatter included
    body_start: int = 0  # index of the first line after the frontmatter
    frontmatter: dict[str, Any] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def where(self, index: int) -> str:
        return f"{self.path}:{index + 1}"


def decode(data: bytes, path: str, warnings: list[str]) -> str:
    """Text from bytes: a BOM dropped, CRLF and CR made LF, bad UTF-8 replaced (with a warning)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warnings.append(
            f"{path}:{line}: not valid UTF-8; undecodable bytes were replaced with U+FFFD"
        )
        text = data.decode("utf-8", errors="replace")
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\x00", "\ufffd")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(data: bytes, path: str) -> Source:
    warnings: list[str] = []
    text = decode(data, path, warnings)
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()  # the final line break
    source = Source(path=path, lines=[], warnings=warnings)

    start = 0
    if raw_lines and _FM_OPEN.match(raw_lines[0]):
        close = next((i for i in range(1, len(raw_lines)) if _FM_CLOSE.match(raw_lines[i])), None)
        if close is not None:
            try:
                data_map, _node = yaml_text.load_mapping("\n".join(raw_lines[1:close]) + "\n")
            except EntryParseError as exc:
                warnings.append(
                    f"{path}:{exc.line + 1 if exc.line else 1}: the frontmatter is not readable "
                    f"YAML ({exc.message}); it is imported as text"
                )
            else:
                source.frontmatter = data_map
                start = close + 1
    source.body_start = start

    fences = FenceTracker()
    for index, raw in enumerate(raw_lines):
        fenced = index >= start and fences.feed(raw)
        source.lines.append(Line(index + 1, raw, fenced))
        if index < start or fenced:
            continue
        heading = parse_heading(raw)
        if heading is not None and heading.text:
            source.headings.append(Heading(index, heading.level, heading.text))
    if fences.inside:
        warnings.append(f"{path}: a code fence is never closed; the rest of the file is code")
    return source
