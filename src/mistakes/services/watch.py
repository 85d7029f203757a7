"""Seeing files change behind the app's back (a git pull, vim, another process).

``FolderWatch`` polls the entries folder: one ``scandir`` and a stat per entry file, compared
with the previous poll. It does not read any file; the caller brings the index in step (the
index's own sync) and re-reads the open entry only when its file is among the changes.
Polling is meant for a worker thread, never the UI's event loop.
"""

from __future__ import annotations

import os
import time
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
        """True when ``path`` was changed or removed. Matched by the whole path: with several
        folders open, a file of the same name in another folder is another entry."""
        return any(same_file(p, path) for p in (*self.changed, *self.removed))

    def removed_path(self, path: Path) -> bool:
        return any(same_file(p, path) for p in self.removed)


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same name in the same folder (however
    the folder was written: relative, through a symlink). Needs no file to exist."""
    if a.name != b.name:
        return False
    if a.parent == b.parent:
        return True
    try:
        return os.path.samefile(a.parent, b.parent)
    except OSError:  # a folder gone: compare the paths as written, made absolute
        return os.path.abspath(a.parent) == os.path.abspath(b.parent)


class FolderWatch:
    """Polls the folder. A full scan stats every entry file; in a big folder that takes a
    while (about 0.4 s of CPU for 50,000 files), so after a scan that took ``t`` the next
    full one waits ``SCAN_FACTOR * t``. Meanwhile each poll still looks at the folder's own
    mtime (a file added, deleted or renamed, which is how git and most editors write) and
    at the one file named by ``also`` (the open entry), and scans in full when either moved.
    """

    SCAN_FACTOR = 20.0  # a full scan uses at most about 5% of the time

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: Snapshot | None = None
        self._folder_mtime: int | None = None
        self._next_scan = 0.0

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
        self._folder_mtime = self._mtime()
        started = time.monotonic()
        self._seen = self.snapshot()
        self._next_scan = time.monotonic() + self.SCAN_FACTOR * (time.monotonic() - started)

    def poll(self, also: Path | None = None) -> FolderChanges:
        """What changed since the previous poll (nothing on the first)."""
        before = self._seen
        if before is None:
            self.prime()
            return FolderChanges()
        folder_mtime = self._mtime()
        if (
            folder_mtime == self._folder_mtime
            and time.monotonic() < self._next_scan
            and not self._moved(also, before)
        ):
            return FolderChanges()
        self.prime()
        now = self._seen or {}
        names = sorted(set(before) | set(now))
        return FolderChanges(
            added=tuple(self.root / n for n in names if n not in before),
            changed=tuple(
                self.root / n for n in names if n in before and n in now and before[n] != now[n]
            ),
            removed=tuple(self.root / n for n in names if n not in now),
        )

    def _mtime(self) -> int | None:
        try:
            return self.root.stat().st_mtime_ns
        except OSError:
            return None

    def _moved(self, path: Path | None, seen: Snapshot) -> bool:
        if path is None:
            return False
        try:
            info = path.stat()
        except OSError:
            return path.name in seen
        return seen.get(path.name) != (info.st_size, info.st_mtime_ns)
