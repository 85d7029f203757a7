"""Editing text in the user's $EDITOR through a temporary file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def edit_text(text: str, run: Callable[[Path], int], suffix: str = ".md") -> str | None:
    """Write ``text`` to a temporary file, ``run`` the editor on it and read it back.

    The file ends with a line break, as editors expect (vi adds one on save, and shows
    ``[noeol]`` without it); the line break the file gained is taken off again. Returns the
    new text, or None when the editor failed or nothing changed. The file is removed.
    """
    fd, name = tempfile.mkstemp(prefix="mistakes-", suffix=suffix)
    path = Path(name)
    added = "" if text.endswith("\n") else "\n"
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text + added)
        status = run(path)
        with open(path, encoding="utf-8", newline="") as handle:
            edited = handle.read()
    finally:
        path.unlink(missing_ok=True)
    if added and edited.endswith("\n"):
        edited = edited[:-1]
        if edited.endswith("\r"):
            edited = edited[:-1]
    if status != 0 or edited == text:
        return None
    return edited
