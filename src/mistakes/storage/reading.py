"""Reading files a shared repository put there, without being hurt by them.

A clone can hold anything under an entry's or a template's name: a symbolic link to
``~/.ssh/id_rsa``, a FIFO that blocks every ``open``, ``/dev/zero``, a 1 GB sparse file.
:func:`read_regular` opens without following a final link and without blocking, then
looks at what it opened before reading: only a regular file under the size cap is read,
and never more than the cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from mistakes.storage.errors import StorageError

MAX_ENTRY_BYTES = 4 * 1024 * 1024
MAX_TEMPLATE_BYTES = 1024 * 1024
MAX_CONFIG_BYTES = 256 * 1024

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_LINK = "is a symbolic link; not followed (it could point anywhere)"


class FileRefused(StorageError):
    """A file that is not read: a link, not a regular file, or over the size cap."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words ('a FIFO', 'a device', ...)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refusal(path: Path, info: os.stat_result, max_bytes: int) -> str | None:
    """Why a file with this ``lstat`` would be refused, or None."""
    if stat.S_ISLNK(info.st_mode):
        return _LINK
    if not stat.S_ISREG(info.st_mode):
        return f"is {kind_of(info.st_mode)}, not a regular file; not read"
    if info.st_size > max_bytes:
        return (
            f"the file is {info.st_size // 1024} KiB; files over {max_bytes // 1024} KiB "
            "are not read"
        )
    return None


def read_regular(path: Path, max_bytes: int, *, follow_links: bool = False) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` that is not a link
    (``follow_links``: that a link points to; for templates and config files, which name
    any path anyway).

    Raises FileRefused (nothing read) for a link, a FIFO, a device, a folder or a file over
    the cap, and OSError when the file cannot be opened or read (FileNotFoundError, ...).
    """
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow_links else _NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise FileRefused(path, _LINK) from None
        raise
    try:
        info = os.fstat(fd)
        reason = refusal(path, info, max_bytes)
        if reason:
            raise FileRefused(path, reason)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:  # the file may grow after fstat: never read past the cap
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise FileRefused(path, f"the file grew over {max_bytes // 1024} KiB; not read")
        return b"".join(chunks)
    finally:
        os.close(fd)
