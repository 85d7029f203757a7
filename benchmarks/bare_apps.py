"""Bare Textual apps: the baselines the app benchmark measures beside the real app.

* ``BareInput``: an ``App`` with one ``Input`` (as Textual makes it: the default border and
  width), the floor for a key typed in a field;
* ``BareList``: an ``App`` with one ``OptionList`` that lists the same folder's newest
  entries, the floor for "first frame with entries listed". It gets them from the same
  index listing as the app (``Workspace.open`` before the app is made, then
  ``open_as_is`` and ``find("")`` in a thread worker, as the app's startup does), so the
  two differ in what they show, not in the data they read; ``source="files"`` reads the
  titles from the newest files instead (see ``newest_titles``).

* ``BareCompactInput``: one compact ``Input`` as wide as the app's title field (29 columns
  at 80x24), for reference: the app's field is compact, the default Input has a border.

Run as a script, ``python bare_apps.py input`` (or ``compact-input``) runs ``BareInput``
(``BareCompactInput``) in the terminal (the pty benchmark starts them so).
"""

# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList

__all__ = ["BareCompactInput", "BareInput", "BareList", "newest_titles"]

_NUMBERED = re.compile(r"^(\d+)-.*\.md$")
_TITLE = re.compile(r"^title:\s*(.*)$", re.MULTILINE)


class BareInput(App[None]):
    """One Input, focused (the screen focuses the first focusable widget)."""

    def compose(self) -> ComposeResult:
        yield Input(id="box")


class BareCompactInput(App[None]):
    """One compact Input (no border) as wide as the app's title field at 80 columns."""

    CSS = "Input { width: 29; }"

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Title", id="box", compact=True)


def newest_titles(folder: Path, count: int) -> list[str]:
    """The titles of the ``count`` highest-numbered entry files: the cheapest sensible
    read of a folder of entries (one ``scandir``, then the head of each of ``count``
    files, the ``title:`` line found by a regex, no YAML parse)."""
    numbered = []
    with os.scandir(folder) as found:
        for item in found:
            match = _NUMBERED.match(item.name)
            if match:
                numbered.append((int(match.group(1)), item.path))
    numbered.sort(reverse=True)
    titles = []
    for number, path in numbered[:count]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
        match = _TITLE.search(head)
        title = match.group(1).strip().strip("'\"") if match else ""
        titles.append(f"{number:03d} {title}")
    return titles


class BareList(App[None]):
    """One OptionList with the folder's newest entries, read in a thread worker."""

    def __init__(self, folder: Path, source: str = "index", count: int = 300) -> None:
        super().__init__()
        self.folder = folder
        self.source = source
        self.count = count
        self.workspace: Any = None
        if source == "index":  # the app opens its workspace before it is made, too
            from mistakes.services.workspace import Workspace

            self.workspace = Workspace.open(folder)

    def compose(self) -> ComposeResult:
        yield OptionList(id="list")

    def on_mount(self) -> None:
        self._read()

    def on_unmount(self) -> None:
        if self.workspace is not None:
            self.workspace.close()

    @work(thread=True, exit_on_error=False)
    def _read(self) -> None:
        if self.workspace is not None:
            self.workspace.open_as_is()
            titles = [f"{h.number:03d} {h.title}" for h in self.workspace.find("").hits]
        else:
            titles = newest_titles(self.folder, self.count)
        self.call_from_thread(self._show, titles)

    def _show(self, titles: list[str]) -> None:
        listing = self.query_one("#list", OptionList)
        listing.add_options(titles)
        listing.highlighted = 0


if __name__ == "__main__":
    if sys.argv[1:] == ["input"]:
        BareInput().run()
    elif sys.argv[1:] == ["compact-input"]:
        BareCompactInput().run()
    else:
        sys.exit("usage: bare_apps.py input | compact-input")
