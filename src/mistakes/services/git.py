"""What git knows about the entries folder: who the user is, who changed an entry and when,
and moving a file the way git sees it. The ``git`` command is run (no library); a folder
that is not in a repository, or a machine without git, gives a clear message.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mistakes.domain.errors import MistakesError

TIMEOUT = 30.0  # a git log over a long history on a slow disk; never forever


class GitError(MistakesError):
    """git could not answer (not installed, not a repository, a git error)."""


class NotInGit(GitError):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"{folder}: not in a git repository (history comes from git log; "
            "put the folder under git to have it)"
        )
        self.folder = folder


# a folder from an untrusted archive may carry its own .git/config: nothing it sets may run
# a program (fsmonitor hook, external diff); names stay as written (no \NNN quoting)
_SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "diff.external=", "-c", "core.quotepath=off")


def existing_dir(path: Path) -> Path:
    """``path`` or its nearest folder that exists (the entries folder may not yet)."""
    path = path.absolute()
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return Path.cwd()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"})
    return env


def run_git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd``; GitError when git cannot be run at all."""
    try:
        return subprocess.run(
            ["git", "--no-pager", *_SAFE_CONFIG, *args],
            cwd=existing_dir(cwd),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            check=False,
            env=_environment(),
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args[:2])} took more than {TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise GitError(f"git could not be run: {exc.strerror or exc}") from None


def repo_root(folder: Path) -> Path | None:
    """The top of the work tree holding ``folder``, or None when it is not in one."""
    try:
        result = run_git(["rev-parse", "--show-toplevel"], folder)
    except GitError:
        return None
    top = result.stdout.strip()
    return Path(top) if result.returncode == 0 and top else None


def user_name(folder: Path) -> str:
    """git's ``user.name`` as seen from ``folder`` (its repository's config, else the
    user's), or "" when git or the setting is missing."""
    try:
        result = run_git(["config", "--get", "user.name"], folder)
    except GitError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def reporter_name(folder: Path, names: Mapping[str, str]) -> str:
    """The reporter for a new entry: git's user.name, through the config's ``[reporters]``
    map (``"Priya Natarajan" = "PN"``), or "" when git has no name."""
    name = user_name(folder)
    return names.get(name, name) if name else ""


# -- history --------------------------------------------------------------------------------

_FIELD = "\x1f"
_RECORD = "\x1e"
_FORMAT = _RECORD + _FIELD.join(("%H", "%an", "%ae", "%aI", "%s"))


@dataclass(frozen=True)
class Change:
    """One commit that changed an entry's file."""

    commit: str
    author: str
    email: str
    date: str  # ISO 8601 with the author's offset
    subject: str
    added: int | None  # lines; None for a binary change
    removed: int | None
    path: str  # the file as that commit names it ("a.md => b.md" for a rename)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """``2026-03-14 10:22  Priya N.  a1b2c3d4e  Raise the pool size  (+12 -3)``, and the
        rename (``[a.md => b.md]``) where the commit renamed the file."""
        when = self.date[:16].replace("T", " ")
        lines = ""
        if self.added is not None and self.removed is not None:
            lines = f"  (+{self.added} -{self.removed})"
        renamed = f"  [{self.path}]" if "=>" in self.path else ""
        return f"{when}  {self.author}  {self.commit[:9]}  {self.subject}{lines}{renamed}"


def history(path: Path) -> list[Change]:
    """The commits that changed ``path``, newest first, across renames (``git log
    --follow``). [] when the file was never committed; NotInGit outside a repository."""
    folder = path.parent
    if repo_root(folder) is None:
        raise NotInGit(folder)
    result = run_git(
        ["log", "--follow", "--no-color", "--no-ext-diff", f"--format={_FORMAT}", "--numstat",
         "--", path.name],
        folder,
    )  # fmt: skip
    if result.returncode != 0:
        if run_git(["rev-parse", "--verify", "--quiet", "HEAD"], folder).returncode != 0:
            return []  # a repository with no commit yet
        message = result.stderr.strip().splitlines()
        raise GitError(f"{path}: git log failed: {message[-1] if message else result.returncode}")
    changes = []
    for chunk in result.stdout.split(_RECORD)[1:]:
        head, _, rest = chunk.partition("\n")
        fields = head.split(_FIELD)
        if len(fields) != 5:
            continue
        added: int | None = None
        removed: int | None = None
        where = path.name
        for line in rest.splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3:
                added = int(parts[0]) if parts[0].isdigit() else None
                removed = int(parts[1]) if parts[1].isdigit() else None
                where = parts[2]
        commit, author, email, date, subject = fields
        changes.append(Change(commit, author, email, date, subject, added, removed, where))
    return changes


def tracked(path: Path) -> bool:
    """True when git tracks ``path`` (so a rename goes through ``git mv``)."""
    result = run_git(["ls-files", "--error-unmatch", "--", path.name], path.parent)
    return result.returncode == 0


def move(source: Path, target: Path) -> None:
    """``git mv source target`` (both in one folder); GitError with git's message."""
    result = run_git(["mv", "--", source.name, target.name], source.parent)
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        raise GitError(f"{source}: git mv failed: {message[-1] if message else result.returncode}")
