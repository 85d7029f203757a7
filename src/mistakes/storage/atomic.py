"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from mistakes.storage.document import content_hash
from mistakes.storage.errors import ConflictError


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# read once, at import: other threads may change the umask for a moment (the index does)
_UMASK = _read_umask()


def _default_mode() -> int:
    return 0o666 & ~_UMASK


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(folder: Path, name: str, data: bytes, mode: int) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def replace_file(path: Path, data: bytes, expected_hash: str | None) -> None:
    """Write ``data`` over ``path`` atomically.

    ``expected_hash`` is the content hash of the file as it was read: when the file on disk
    no longer has it (another editor, a git pull), nothing is written and ConflictError is
    raised. ``None`` means the file must not exist yet.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        current = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        current = None
        mode = _default_mode()
    if expected_hash is None and current is not None:
        raise ConflictError(path)
    if expected_hash is not None and (current is None or content_hash(current) != expected_hash):
        raise ConflictError(path)
    tmp = _write_temp(folder, target.name, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def create_file(path: Path, data: bytes) -> None:
    """Write a new file atomically; FileExistsError if the name is taken (never overwrites)."""
    folder = path.parent
    tmp = _write_temp(folder, path.name, data, _default_mode())
    try:
        try:
            os.link(tmp, path)  # atomic and exclusive: fails when the name exists
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _default_mode())
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    _fsync_dir(folder)
