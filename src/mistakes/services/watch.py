"""Seeing files change behind the app's back (a git pull, vim, another process).

``FolderWatch`` polls the entries folder: one ``scandir`` and a stat per entry file, compared
with the previous poll. It does not read any file; the caller brings the index in step (the
index's own sync) and re-reads the open entry only when its file is among the changes.
Polling is meant for a worker thread, never the UI's event loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mistakes.domain.naming import parse_entry_filename

Snapshot = dict[str, tuple[int, int]]  # file name -> (size, mtime in ns)


@dataclass(frozen=True)
class FolderChanges:
    """Entry files added, changed and removed since the previous poll (names sorted)."""

    added: tuple[Path, ...] = ()
    changed: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def touches(self, path: Path) -> bool:
        """True when ``path`` was changed or removed."""
        return any(p.name == path.name for p in (*self.changed, *self.removed))

    def removed_path(self, path: Path) -> bool:
        return any(p.name == path.name for p in self.removed)


class FolderWatch:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        found: Snapshot = {}
        try:
            with os.scandir(self.root) as it:
                for item in it:
                    if item.name.startswith(".") or parse_entry_filename(item.name) is None:
                        continue
                    try:
                        info = item.stat()
                    except OSError:  # removed while listing
                        continue
                    if item.is_file():
                        found[item.name] = (info.st_size, info.st_mtime_ns)
        except OSError:  # no folder (yet), or it went away: no entries
            return {}
        return found

    def prime(self) -> None:
        """Remember the folder as it is now (before the index is brought in step with it)."""
        self._seen = self.snapshot()

    def poll(self) -> FolderChanges:
        """What changed since the previous poll (nothing on the first)."""
        now = self.snapshot()
        before, self._seen = self._seen, now
        if before is None:
            return FolderChanges()
        names = sorted(set(before) | set(now))
        return FolderChanges(
            added=tuple(self.root / n for n in names if n not in before),
            changed=tuple(
                self.root / n for n in names if n in before and n in now and before[n] != now[n]
            ),
            removed=tuple(self.root / n for n in names if n not in now),
        )
