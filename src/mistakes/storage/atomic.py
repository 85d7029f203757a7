"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target.

One writer for the whole package: :func:`write_atomic` (``durable=False`` for caches and
drafts, which skip the fsyncs), and the two entry writers built on it,
:func:`replace_file` (save over an entry read before) and :func:`create_file` (a new
entry, never overwriting).

What saving an entry refuses (StorageError, nothing written): a path that is a symbolic
link or not a regular file (a clone must not make a save write outside the folder), and a
file with more than one hard link (renaming over it would silently separate the names:
the other ones would keep the old text). A save keeps the file's mode and its group (and
its owner when run as root).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mistakes.storage.errors import ConflictError, StorageError
from mistakes.storage.hashing import content_hash
from mistakes.storage.reading import MAX_ENTRY_BYTES, FileRefused, read_regular, refusal

if TYPE_CHECKING:
    from mistakes.storage.folder import StoredEntry


class SaveError(StorageError):
    """A write that failed (no space, a read-only folder, ...); the old file is unchanged."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotDurableError(StorageError):
    """The file was written, but the folder could not be synced: a crash may lose it.

    ``saved`` is what was written, as read back (set by EntryFolder.save and create), so
    that a caller can carry on with it after telling the user."""

    saved: StoredEntry | None = None


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# read once, at import: the umask can only be read by setting it, which would race with
# threads creating files at that moment
_UMASK = _read_umask()


def _default_mode() -> int:
    return 0o666 & ~_UMASK


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable. Raises NotDurableError when that fails (a file
    system that cannot sync folders at all, EINVAL, is not an error)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise NotDurableError(
            f"{folder}: written, but the folder could not be opened to sync it ({_why(exc)}); "
            "the change may not survive a crash"
        ) from None
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise NotDurableError(
                f"{folder}: written, but syncing the folder failed ({_why(exc)}); "
                "the change may not survive a crash"
            ) from None
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_temp(
    folder: Path,
    name: str,
    data: bytes,
    mode: int,
    *,
    durable: bool,
    owner: tuple[int, int] | None = None,
) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if owner is not None:
            _keep_owner(tmp, owner)
        os.chmod(tmp, mode)  # after chown, which may clear set-id bits
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def _keep_owner(tmp: Path, owner: tuple[int, int]) -> None:
    """Give the temp file the owner (root only) and group of the file it replaces."""
    uid, gid = owner
    info = os.stat(tmp)
    if (info.st_uid, info.st_gid) == (uid, gid):
        return
    try:
        os.chown(tmp, uid, gid)
    except PermissionError:
        # not root: only the group can be kept, and only when the user is in it
        with contextlib.suppress(PermissionError):
            os.chown(tmp, -1, gid)


def write_atomic(path: Path, data: bytes, *, durable: bool = True, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` all at once: readers see the old or the new file.

    ``durable`` fsyncs the file and its folder (entries); without it a crash may lose the
    write but never leaves half a file (drafts, the index manifest). ``mode`` defaults to
    the umask's. The temp file is removed when anything fails. Raises OSError.
    """
    folder = path.parent
    tmp = _write_temp(
        folder, path.name, data, _default_mode() if mode is None else mode, durable=durable
    )
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_dir(folder)


def replace_file(path: Path, data: bytes, expected_hash: str | None) -> None:
    """Write ``data`` over ``path`` atomically.

    ``expected_hash`` is the content hash of the file as it was read: when the file on disk
    no longer has it (another editor, a git pull), nothing is written and ConflictError is
    raised. ``None`` means the file must not exist yet. A link, a non-regular file or a
    file with several hard links is refused (FileRefused); a failed write raises SaveError
    with the file unchanged.
    """
    folder = path.parent
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise SaveError(path, f"not saved: {_why(exc)}") from None
    if info is None:
        current = None
        mode = _default_mode()
        owner = None
    else:
        reason = refusal(path, info, MAX_ENTRY_BYTES)
        if reason:
            raise FileRefused(path, f"{reason}; not saved")
        if info.st_nlink > 1:
            raise FileRefused(
                path,
                f"has {info.st_nlink} hard links; saving would separate them (the other names "
                "would keep the old text), so it is not saved. Copy it over itself first "
                "(cp FILE FILE.new && mv FILE.new FILE) to save it on its own",
            )
        try:
            current = read_regular(path, MAX_ENTRY_BYTES)
        except FileNotFoundError:
            current = None
        mode = stat.S_IMODE(info.st_mode)
        owner = (info.st_uid, info.st_gid)
    if expected_hash is None and current is not None:
        raise ConflictError(path)
    if expected_hash is not None and (current is None or content_hash(current) != expected_hash):
        raise ConflictError(path)
    try:
        tmp = _write_temp(folder, path.name, data, mode, durable=True, owner=owner)
    except OSError as exc:
        raise SaveError(path, f"not saved: {_why(exc)} (the file is unchanged)") from None
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SaveError(path, f"not saved: {_why(exc)} (the file is unchanged)") from None
    fsync_dir(folder)


def create_file(path: Path, data: bytes) -> None:
    """Write a new file atomically; FileExistsError if the name is taken (never overwrites).
    Any other failure raises SaveError and leaves nothing behind."""
    folder = path.parent
    try:
        tmp = _write_temp(folder, path.name, data, _default_mode(), durable=True)
    except OSError as exc:
        raise SaveError(path, f"not written: {_why(exc)}") from None
    try:
        try:
            os.link(tmp, path)  # atomic and exclusive: fails when the name exists
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _default_mode())
            try:
                _write_all(fd, data)
                os.fsync(fd)
            except OSError:
                os.close(fd)
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
            os.close(fd)
    except FileExistsError:
        raise
    except OSError as exc:
        raise SaveError(path, f"not written: {_why(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_dir(folder)
