"""Parsing: file bytes split into a Document without losing a byte.

The body is cut at its headings (outside code fences) and each block matched to the
template (a section group, a section, the checklist, or an extra section). Reading an
Entry from the result is ``Document.to_entry``; writing one back is storage/edit.py.
"""

from __future__ import annotations

import re

from mistakes.domain.markdown import FenceTracker, parse_heading
from mistakes.domain.naming import normalize_heading
from mistakes.domain.template import SectionSpec, Template
from mistakes.storage.document import BOM, Block, Document, bare_line, split_lines
from mistakes.storage.errors import EntryParseError
from mistakes.storage.reading import MAX_ENTRY_BYTES

MAX_FILE_BYTES = MAX_ENTRY_BYTES
MAX_FRONTMATTER_CHARS = 256 * 1024
_FM_OPEN = re.compile(r"^---[ \t]*\r?$")
_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$")


def parse_document(
    data: bytes, template: Template, source: str = "<text>", *, frontmatter: bool = True
) -> Document:
    """Split file bytes into a Document. Raises EntryParseError naming the line.
    ``frontmatter=False``: its YAML is not read (``data`` is empty; for what needs only the
    sections, such as a search snippet)."""
    if len(data) > MAX_FILE_BYTES:
        raise EntryParseError(
            f"the file is {len(data) // 1024} KiB; entries over {MAX_FILE_BYTES // 1024} KiB "
            "are not read",
            0,
            source,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EntryParseError("not UTF-8 text (a binary file?)", line, source) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise EntryParseError("the file holds a NUL byte (a binary file?)", line, source)
    return parse_text(text, template, source, frontmatter=frontmatter)


def parse_text(
    text: str, template: Template, source: str = "<text>", *, frontmatter: bool = True
) -> Document:
    doc = Document(template=template)
    doc.bom = text.startswith(BOM)
    if doc.bom:
        text = text[1:]
    doc.original = text
    first_break = text.find("\n")
    doc.newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    doc.final_newline = text.endswith("\n") or not text

    lines = split_lines(text)
    body_start = 0
    first = bare_line(lines[0]) if lines else ""
    if lines and _FM_OPEN.match(first) and not first.startswith("----"):
        close = next(
            (i for i in range(1, len(lines)) if _FM_CLOSE.match(bare_line(lines[i]))), None
        )
        if close is None:
            raise EntryParseError(
                "the frontmatter opened on line 1 is never closed with '---'", 1, source
            )
        doc.fm_open = lines[0]
        doc.fm_text = "".join(lines[1:close])
        doc.fm_close = lines[close]
        body_start = close + 1
        if len(doc.fm_text) > MAX_FRONTMATTER_CHARS:
            raise EntryParseError("the frontmatter is too large to read", 2, source)
        if frontmatter:
            _read_frontmatter(doc, source)

    doc.blocks = _split_blocks(lines[body_start:], template)
    assert doc.text() == (BOM if doc.bom else "") + text, "document split lost text"
    return doc


def _read_frontmatter(doc: Document, source: str) -> None:
    from mistakes.storage import yaml_text  # PyYAML: when a file's frontmatter is read

    try:
        doc.data, node = yaml_text.load_mapping(doc.fm_text)
    except EntryParseError as exc:
        raise EntryParseError(exc.message, exc.line + 1 if exc.line else 0, source) from None
    if node is not None:
        for key, line in yaml_text.duplicate_keys(node):
            doc.problems.append((line + 1, f"the key '{key}' is given twice (the last wins)"))


def _split_blocks(lines: list[str], template: Template) -> list[Block]:
    tops: dict[str, SectionSpec] = {}
    leaves: dict[str, list[SectionSpec]] = {}
    for spec in template.sections:
        norm = normalize_heading(spec.title)
        if spec.level == 2:
            tops.setdefault(norm, spec)
        if spec.is_leaf:
            leaves.setdefault(norm, []).append(spec)
    checklist_norm = normalize_heading(template.checklist.title) if template.checklist else None

    blocks: list[Block] = [Block("preamble", None, 0, "", "", "")]
    bodies: list[list[str]] = [[]]
    used: set[tuple[str, str]] = set()
    extra_titles: dict[str, int] = {}
    current_group: str | None = None
    fence = FenceTracker()
    for line in lines:
        bare = bare_line(line)
        in_code = fence.feed(bare)
        heading = None if in_code else parse_heading(bare)
        if heading is None:
            bodies[-1].append(line)
            continue
        norm = normalize_heading(heading.text)
        open_block = blocks[-1] if blocks[-1].kind in ("leaf", "checklist", "extra") else None
        if open_block is not None and open_block.kind == "extra" and open_block.level < 2:
            open_block = None
        kind, found = _classify(heading.level, norm, tops, leaves, checklist_norm, current_group)
        key = found.key if found is not None else None
        if kind == "checklist" and template.checklist is not None:
            key = template.checklist.key
        if kind and key and (kind, key) not in used:
            used.add((kind, key))
            blocks.append(Block(kind, key, heading.level, heading.text, line, ""))
            bodies.append([])
            if kind == "group":
                current_group = key
            elif found is not None:
                current_group = found.parent
            else:
                current_group = None
            continue
        if open_block is not None and heading.level > open_block.level:
            bodies[-1].append(line)
            continue
        count = extra_titles.get(heading.text, 0) + 1
        extra_titles[heading.text] = count
        extra_key = heading.text if count == 1 else f"{heading.text} ({count})"
        blocks.append(Block("extra", extra_key, heading.level, heading.text, line, ""))
        bodies.append([])
        if heading.level <= 2:
            current_group = None
    for block, body in zip(blocks, bodies, strict=True):
        block.body = "".join(body)
    if not blocks[0].body:  # no text before the first heading
        blocks.pop(0)
    return blocks


def _classify(
    level: int,
    norm: str,
    tops: dict[str, SectionSpec],
    leaves: dict[str, list[SectionSpec]],
    checklist_norm: str | None,
    current_group: str | None,
) -> tuple[str, SectionSpec | None]:
    if level == 1 or not norm:
        return "", None
    if level == 2 and norm in tops:
        spec = tops[norm]
        return ("leaf" if spec.is_leaf else "group"), spec
    if checklist_norm and norm == checklist_norm:
        return "checklist", None
    candidates = leaves.get(norm, [])
    in_group = [s for s in candidates if s.parent == current_group and current_group]
    if len(in_group) == 1:
        return "leaf", in_group[0]
    if len(candidates) == 1:
        return "leaf", candidates[0]
    if level != 2 and norm in tops and not tops[norm].is_leaf:
        return "group", tops[norm]
    return "", None
