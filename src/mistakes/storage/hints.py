"""Signs that someone else is changing an entry right now: an editor's swap or lock file
next to it, or a git command running in the repository that holds it."""

from __future__ import annotations

import os
import string
from pathlib import Path


def editing_hints(path: Path) -> list[str]:
    """Why saving ``path`` now may clash with another program, one sentence each ([] when
    nothing is seen): a vim swap file (``.NAME.md.swp``, ``.swo``, ...), an Emacs lock
    (``.#NAME.md``, usually a dangling link, so looked at with lstat) or a git
    ``index.lock`` in the repository around the folder. Only names are looked at."""
    hints: list[str] = []
    folder = os.fspath(path.parent)
    name = path.name
    # the names themselves, looked up (not a listing of the folder: 37 ms at 50,000 entries,
    # on every open); vim names its swap files .swp, then .swo, .swn, ... down to .swa
    for letter in string.ascii_lowercase:
        swap = f".{name}.sw{letter}"
        if os.path.lexists(os.path.join(folder, swap)):
            hints.append(f"{name} is being edited in vim (swap file {swap})")
    if os.path.lexists(os.path.join(folder, f".#{name}")):
        hints.append(f"{name} is being edited in Emacs (lock .#{name})")
    git_lock = _git_index_lock(path.parent)
    if git_lock is not None:
        hints.append(f"a git command is running in {git_lock.parent.parent} ({git_lock} exists)")
    return hints


def _git_index_lock(folder: Path) -> Path | None:
    try:
        start = folder.resolve()
    except OSError:
        return None
    for candidate in (start, *start.parents):
        git = candidate / ".git"
        if git.is_dir():
            lock = git / "index.lock"
            return lock if os.path.lexists(lock) else None
        if git.is_file():  # a worktree: "gitdir: PATH"
            try:
                text = git.read_text("utf-8", errors="replace")[:4096]
            except OSError:
                return None
            first = text.splitlines()[0] if text else ""
            if first.startswith("gitdir:") and first[7:].strip():
                target = Path(first[7:].strip())
                gitdir = target if target.is_absolute() else candidate / target
                lock = gitdir / "index.lock"
                return lock if os.path.lexists(lock) else None
            return None
    return None
