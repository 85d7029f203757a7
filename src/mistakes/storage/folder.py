"""The entries folder: one ``NNN-slug.md`` file per entry. The files are the truth."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mistakes.domain.entry import Entry
from mistakes.domain.naming import entry_filename, parse_entry_filename
from mistakes.domain.template import Template
from mistakes.storage.atomic import NotDurableError, SaveError, create_file, replace_file
from mistakes.storage.document import Document, new_document
from mistakes.storage.errors import EntryParseError, RefError
from mistakes.storage.hashing import content_hash
from mistakes.storage.parse import parse_document
from mistakes.storage.reading import MAX_ENTRY_BYTES, FileRefused, kind_of, read_regular

try:
    import fcntl

    HAVE_FLOCK = True
except ImportError:  # pragma: no cover - not POSIX
    HAVE_FLOCK = False

MAX_NAME_BYTES = 255
_LINK_SKIPPED = "is a symbolic link; skipped (entries are never read or written through links)"


@dataclass
class StoredEntry:
    """An entry read from a file, with what is needed to save it back safely."""

    path: Path
    number: int
    document: Document
    entry: Entry
    digest: str  # content hash of the bytes as read


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class EntryFolder:
    def __init__(self, root: Path, template: Template) -> None:
        self.root = root
        self.template = template
        self._kept: dict[Path, bytes] | None = None  # see read_once

    @contextlib.contextmanager
    def read_once(self) -> Iterator[None]:
        """Within it, each entry file is read from disk once and its bytes kept (``check``
        looks at every file three ways: parsed, for links, for secrets). A file that
        cannot be read is tried again each time, as without it."""
        kept, self._kept = self._kept, {}
        try:
            yield
        finally:
            self._kept = kept

    # -- listing --------------------------------------------------------------------------
    def paths(self) -> list[Path]:
        """Entry files, by number then name. A missing folder has none."""
        return self.scan()[0]

    def scan(self) -> tuple[list[Path], list[Problem]]:
        """Entry files (by number then name), and a problem for each entry name that is
        skipped: a symbolic link (a clone could point ``001-x.md`` at ``~/.ssh/id_rsa``),
        a FIFO, a device. Skipped files are never read, indexed or written."""
        found, problems = self.scan_names()
        root = self.root
        return [root / name for _number, name in found], problems

    def scan_names(self) -> tuple[list[tuple[int, str]], list[Problem]]:
        """:meth:`scan` as (number, file name) pairs, without a ``Path`` per file (a
        reference is looked up among 10,000 names in a few ms)."""
        if not self.root.is_dir():
            return [], []
        found: list[tuple[int, str]] = []
        problems: list[Problem] = []
        with os.scandir(self.root) as it:
            for item in it:
                if item.name.startswith("."):
                    continue
                number = parse_entry_filename(item.name)
                if number is None:
                    continue
                try:
                    if item.is_file(follow_symlinks=False):
                        found.append((number, item.name))
                    elif item.is_symlink():
                        problems.append(Problem(Path(item.path), 0, _LINK_SKIPPED))
                    elif not item.is_dir(follow_symlinks=False):
                        mode = item.stat(follow_symlinks=False).st_mode
                        kind = f"is {kind_of(mode)}; skipped"
                        problems.append(Problem(Path(item.path), 0, kind))
                except OSError as exc:
                    message = f"cannot read: {exc.strerror or exc}"
                    problems.append(Problem(Path(item.path), 0, message))
        found.sort()
        problems.sort(key=lambda p: p.path.name)
        return found, problems

    def read(self, path: Path) -> bytes:
        """An entry file's bytes: never through a link, never a FIFO or device, never more
        than the size cap (checked before reading). Raises EntryParseError (located at the
        file) for those, OSError when the file cannot be read."""
        kept = self._kept
        if kept is not None:
            data = kept.get(path)
            if data is not None:
                return data
        try:
            data = read_regular(path, MAX_ENTRY_BYTES)
        except FileRefused as exc:
            raise EntryParseError(exc.reason, 0, path) from None
        if kept is not None:
            kept[path] = data
        return data

    def load(self, path: Path) -> StoredEntry:
        return self.load_bytes(path, self.read(path))

    def load_bytes(self, path: Path, data: bytes) -> StoredEntry:
        """An entry from bytes already read from ``path``."""
        number = parse_entry_filename(path.name)
        try:
            document = parse_document(data, self.template, str(path))
        except EntryParseError as exc:
            raise exc.located(path) from None
        return StoredEntry(path, number or 0, document, document.to_entry(), content_hash(data))

    def load_all(self) -> tuple[list[StoredEntry], list[Problem]]:
        """Every entry that can be read, and a problem for each file that cannot (or that
        is skipped unread: see ``scan``)."""
        entries: list[StoredEntry] = []
        paths, problems = self.scan()
        for path in paths:
            try:
                entries.append(self.load(path))
            except EntryParseError as exc:
                problems.append(Problem(path, exc.line, exc.message))
            except OSError as exc:
                problems.append(Problem(path, 1, f"cannot read: {exc.strerror or exc}"))
        return entries, problems

    # -- references -----------------------------------------------------------------------
    def resolve(self, ref: str) -> Path:
        """A number (``7``, ``007``), a file stem or name, or a path -> the entry's path."""
        ref = ref.strip()
        if not ref:
            raise RefError("an empty reference names no entry")
        found, skipped = self.scan_names()
        root = self.root
        if ref.isdigit():
            wanted = int(ref)
            matches = [name for number, name in found if number == wanted]
            if len(matches) == 1:
                return root / matches[0]
            if len(matches) > 1:
                names = ", ".join(Path(name).stem for name in matches)
                raise RefError(f"{ref} is the number of several entries ({names}); use the name")
            for problem in skipped:  # say why the file that is there does not count
                if parse_entry_filename(problem.path.name) == wanted:
                    raise RefError(str(problem))
            raise RefError(f"no entry number {ref} in {self.root}")
        # an entry name ends in .md (any case): its stem is the name less those 3 characters
        by_name = [name for _number, name in found if ref in (name[:-3], name)]
        if by_name:
            return root / by_name[0]
        for problem in skipped:
            if ref in (problem.path.stem, problem.path.name):
                raise RefError(str(problem))
        candidate = Path(ref).expanduser()
        if candidate.is_file():
            return candidate
        if (self.root / ref).is_file():
            return self.root / ref
        prefix = [name for _number, name in found if name[:-3].startswith(ref)]
        if len(prefix) == 1:
            return root / prefix[0]
        raise RefError(f"no entry '{ref}' in {self.root}")

    # -- writing --------------------------------------------------------------------------
    def next_number(self) -> int:
        """One more than the highest number in use, skipped files (links, FIFOs) included:
        a new entry never shares a number with a file that is there."""
        paths, skipped = self.scan()
        numbers = [parse_entry_filename(p.name) or 0 for p in [*paths, *(s.path for s in skipped)]]
        return max(numbers, default=0) + 1

    def create(self, entry: Entry) -> StoredEntry:
        """Write a new entry under the next free number; never overwrites another file."""
        document = new_document(self.template)
        data = document.render(entry).encode("utf-8")
        with contextlib.ExitStack() as stack:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                # the number is claimed with the name, not after
                stack.enter_context(_folder_lock(self.root))
            except OSError as exc:
                reason = f"cannot write a new entry: {exc.strerror or exc}"
                raise SaveError(self.root, reason) from None
            for _attempt in range(100):
                number = self.next_number()
                path = self.root / safe_filename(number, entry.title)
                try:
                    create_file(path, data)
                except FileExistsError:
                    continue  # taken by a process that does not lock (an editor, git)
                except NotDurableError as exc:
                    exc.saved = self.load(path)
                    raise
                return self.load(path)
        raise SaveError(self.root, "could not find a free file name")

    def save(self, stored: StoredEntry, entry: Entry) -> StoredEntry:
        """Write ``entry`` over the file it was read from, changing as little as possible.

        Raises ConflictError (and writes nothing) if the file changed on disk since it was
        read.
        """
        text = stored.document.render(entry)
        data = text.encode("utf-8")
        if content_hash(data) == stored.digest:
            return stored
        try:
            replace_file(stored.path, data, stored.digest)
        except NotDurableError as exc:  # written: the caller may carry on with it
            exc.saved = self.load(stored.path)
            raise
        return self.load(stored.path)


def safe_filename(number: int, title: str) -> str:
    """``NNN-slug.md`` within the byte limit of file names; the slug is ASCII only."""
    name = entry_filename(number, title)
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:  # only with enormous numbers
        name = name[:-4].rstrip("-") + ".md"
    return name


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Serialise entry creation between processes: a lock on the folder itself (no file)."""
    if not HAVE_FLOCK:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
