"""Where a folder's index lives: a directory of the user's cache that only the user can reach.

Whoosh opens its files with pickle, so only a directory this program made (marker file),
owned by the user and reachable by nobody else is ever opened; anything else is discarded
and rebuilt. When the cache directory cannot be used at all (``XDG_CACHE_HOME`` names a
file, the lock cannot be opened, the directory belongs to someone else), the index is made
in a private temporary directory instead, removed at exit, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mistakes.search.locking import probe
from mistakes.search.schema import SCHEMA_VERSION

MARKER = "mistakes-index.json"


def index_dir_for(folder: Path, cache_root: Path) -> Path:
    key = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:20]
    return cache_root / f"index-v{SCHEMA_VERSION}" / key


def lock_path_for(index_dir: Path) -> Path:
    """The lock lives beside the index directory, which a rebuild replaces, so that a
    second process waits for the first instead of racing it."""
    return index_dir.with_name(f"{index_dir.name}.lock")


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def private_dir(path: Path) -> str:
    """Why ``path`` is not a directory only this user can reach ("" when it is)."""
    try:
        info = path.lstat()
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return "not a directory"
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        return f"owned by user {info.st_uid}"
    if info.st_mode & 0o077:
        return f"open to others (mode {stat.S_IMODE(info.st_mode):o})"
    return ""


def trusted(path: Path, folder: Path) -> bool:
    """An index directory made by us for this folder, that nobody else can reach.

    The directory must be the user's with mode 0700: files in it cannot be reached by
    anyone else, so the umask they were written under does not matter (group-writable
    files of a umask 002 are fine). Symlinks, files of another owner and world-writable
    files are still refused: they were not made by this program."""
    if private_dir(path):
        return False
    try:
        marker = json.loads((path / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict):
        return False
    if marker.get("folder") != str(folder.resolve()) or marker.get("version") != SCHEMA_VERSION:
        return False
    uid = _uid()
    for item in path.iterdir():
        try:
            item_info = item.lstat()
        except OSError:
            return False
        if stat.S_ISLNK(item_info.st_mode) or item_info.st_mode & 0o002:
            return False
        if uid is not None and item_info.st_uid != uid:
            return False
    return True


@dataclass(frozen=True)
class IndexLocation:
    dir: Path  # the index directory (made, replaced and checked by the store)
    lock: Path  # its lock file
    warning: str = ""  # set when the user's cache could not be used: a temporary index
    temporary: Path | None = None  # the temporary directory to remove when done


def locate(folder: Path, cache_root: Path) -> IndexLocation:
    """The index directory for ``folder`` under ``cache_root``, or a private temporary one
    (with a warning saying why) when the cache cannot be used."""
    wanted = index_dir_for(folder, cache_root)
    problem = _prepare(wanted.parent) or probe(lock_path_for(wanted))
    if not problem:
        return IndexLocation(wanted, lock_path_for(wanted))
    temporary = Path(tempfile.mkdtemp(prefix="mistakes-index-"))
    directory = temporary / wanted.name
    return IndexLocation(
        directory,
        lock_path_for(directory),
        f"cannot use the search index cache {wanted.parent} ({problem}): "
        "using a temporary index, rebuilt each time",
        temporary,
    )


def remove_temporary(location: IndexLocation) -> None:
    if location.temporary is not None:
        shutil.rmtree(location.temporary, ignore_errors=True)


def _prepare(parent: Path) -> str:
    """Make ``parent`` (the schema's directory of the cache); why it cannot be used, or ""."""
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        return _reason(exc)
    problem = private_dir(parent)
    if problem.startswith("open to others"):  # ours, made under some other program's umask
        with contextlib.suppress(OSError):
            os.chmod(parent, 0o700)
        problem = private_dir(parent)
    if problem:
        return problem
    probe = parent / f".probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        return _reason(exc)
    os.close(fd)
    with contextlib.suppress(OSError):
        probe.unlink()
    return ""


def _reason(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"
