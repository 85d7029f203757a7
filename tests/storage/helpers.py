"""Helpers the storage tests share."""

from __future__ import annotations

from mistakes.storage.document import Block, Document


def block_line(doc: Document, target: Block) -> int:
    """1-based line where ``target`` starts in the file, or 0 (it was Document.block_line,
    which only tests used)."""
    line = doc.body_line_offset + 1
    for block in doc.blocks:
        if block is target:
            return line
        line += block.raw.count("\n")
    return 0
