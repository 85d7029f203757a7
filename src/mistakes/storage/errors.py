"""Errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

from mistakes.domain.errors import MistakesError


class StorageError(MistakesError):
    """Base of the errors this layer raises on purpose."""


class EntryParseError(StorageError):
    """A file that cannot be read as an entry. It is reported, and never rewritten."""

    def __init__(self, message: str, line: int = 0, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = Path(path) if path is not None else None

    def located(self, path: Path | str) -> EntryParseError:
        return EntryParseError(self.message, self.line, path)

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<text>"
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class ConflictError(StorageError):
    """The file changed on disk since it was read; saving would overwrite someone's work."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path}: changed on disk since it was read; not saved (reload it or save elsewhere)"
        )
        self.path = path


class RefError(StorageError):
    """An entry reference (number, stem, path) that finds no entry, or more than one."""
