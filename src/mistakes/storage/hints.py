"""Signs that someone else is changing an entry right now: an editor's swap or lock file
next to it, or a git command running in the repository that holds it."""

from __future__ import annotations

import os
from pathlib import Path


def editing_hints(path: Path) -> list[str]:
    """Why saving ``path`` now may clash with another program, one sentence each ([] when
    nothing is seen): a vim swap file (``.NAME.md.swp``, ``.swo``, ...), an Emacs lock
    (``.#NAME.md``, usually a dangling link, so looked at with lstat) or a git
    ``index.lock`` in the repository around the folder. Only names are looked at."""
    hints: list[str] = []
    folder = path.parent
    name = path.name
    try:
        siblings = os.listdir(folder)
    except OSError:
        return hints
    swaps = sorted(n for n in siblings if n.startswith(f".{name}.sw") and len(n) == len(name) + 5)
    for swap in swaps:
        hints.append(f"{name} is being edited in vim (swap file {swap})")
    if f".#{name}" in siblings:
        hints.append(f"{name} is being edited in Emacs (lock .#{name})")
    git_lock = _git_index_lock(folder)
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
