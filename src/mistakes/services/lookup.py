""" "Have we seen this failure before?" for the places a failure happens: the pytest plugin
and the exception hook (:mod:`mistakes.pytest_plugin`, :mod:`mistakes.hook`).

One :class:`FailureLookup` per session or process: the folder and its search index are
opened on the first lookup and kept; each distinct failure text is looked up once (the
same traceback logged a hundred times costs one lookup). The answer is what ``mistakes
similar`` gives (:meth:`SearchService.similar`, with its confidence threshold), told in
the lines every integration shares (:func:`~mistakes.services.answers.seen_before_line`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from mistakes.services.answers import seen_before_lines
from mistakes.services.config import open_folder
from mistakes.services.search import SearchService

LIMIT = 3  # at most this many "seen before" lines per failure
TEXT_CHARS = 20_000  # of a failure's text, from its end (where the error is)
REMEMBERED = 1_000  # distinct failures whose answer is kept


class FailureLookup:
    """Past entries like a failure, as ``seen before: ...`` lines.

    ``folder`` as the CLI takes it (None: ``$MISTAKES_DIR``, else ``./mistakes``). Raises
    what opening the folder or its index raises (a missing folder is no error: it has no
    entries); callers turn that into a warning at most. Safe to call from several threads.
    """

    def __init__(
        self,
        folder: str | Path | None = None,
        limit: int = LIMIT,
        cache_root: Path | None = None,
        on_build: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.on_build = on_build  # told, once, when the first lookup must build the index
        self.limit = limit
        self.cache_root = cache_root
        self.lookups = 0  # how many times the index was asked (not answers from memory)
        self._search: SearchService | None = None
        self._answers: dict[str, list[str]] = {}
        self._guard = threading.Lock()

    def seen_before(self, text: str) -> list[str]:
        """``seen before: 019 Title… fix: …`` per past entry above the threshold, best
        first; [] when nothing is close or the folder has no entries."""
        key = text[-TEXT_CHARS:]
        with self._guard:
            if key in self._answers:
                return self._answers[key]
            search = self._open()
            if search is None:
                return []
            self.lookups += 1
            lines = seen_before_lines(search.similar(key, self.limit))
            if len(self._answers) >= REMEMBERED:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = lines
            return lines

    def _open(self) -> SearchService | None:
        if self._search is None:
            folder = open_folder(self.folder)
            if not folder.root.is_dir():
                return None
            search = SearchService(folder, self.cache_root)
            if self.on_build is not None and not search.exists():
                count = len(folder.paths())
                self.on_build(
                    f"building the search index of {folder.root} ({count} entries; "
                    "once: later runs reuse it)"
                )
            search.open()
            self._search = search
        return self._search

    def close(self) -> None:
        with self._guard:
            if self._search is not None:
                self._search.close()
                self._search = None
