"""The entries of a folder as ``list`` and ``stats`` see them, from the search index.

The files are the truth: the index is brought in step with the folder first (as a search
does: only new and changed files are read), then each entry's facts (and, for
``list --json``, its JSON object) come from the index's columns. Files are read only for
what the index does not hold: entries that do not parse (to report why, as ``list`` always
did) and entries indexed without their JSON object. When the index cannot be used at all
(locked for longer than a command waits), every file is read, as before.

The listing is the same as reading every file (``from_files``): a test compares the two.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import Template
from mistakes.search.listing import Bytes, gc_paused
from mistakes.search.schema import listing_facts
from mistakes.search.store import IndexStore
from mistakes.search.types import IndexUnavailable, Notify
from mistakes.services.config import user_cache_dir
from mistakes.services.index_columns import keep_columns
from mistakes.services.records import record_json
from mistakes.storage.errors import EntryParseError
from mistakes.storage.folder import EntryFolder, Problem, StoredEntry


@dataclass(slots=True)
class Listed:
    """One entry in a listing: its values as the file has them."""

    root: Path
    name: str
    number: int
    title: str
    date: str
    severity: str
    status: str
    tags: list[str]
    follow_open: int
    follow_done: int
    resolved: str
    seen: int
    record: Bytes = b""  # the --json object (without "path"), serialised; b"": not loaded

    @property
    def path(self) -> Path:
        return self.root / self.name


@dataclass
class Listing:
    entries: list[Listed]
    problems: list[Problem] = field(default_factory=list)  # files that cannot be listed
    notices: list[str] = field(default_factory=list)  # about the index (rebuilt, ...)
    # load_listing(bare=True), when every entry's --json object was in the index: each
    # entry's (folder, file name, --json object) by number, and ``entries`` is empty
    bare: list[tuple[Path, str, Bytes]] | None = None


def listed(root: Path, facts: dict[str, Any], record_bytes: Bytes = b"") -> Listed:
    open_items, done_items = facts.get("follow_up", (0, 0))
    return Listed(
        root,
        facts["name"],
        facts["number"],
        facts["title"],
        facts["date"],
        facts["severity"],
        facts["status"],
        facts["tags"],
        open_items,
        done_items,
        facts.get("resolved", ""),
        facts.get("seen", 0),
        record_bytes,
    )


def from_stored(stored: StoredEntry, template: Template, *, records: bool) -> Listed:
    facts = listing_facts(stored, template)
    kept = record_json(stored, template) if records else b""
    return listed(stored.path.parent, facts, kept)


def from_files(folder: EntryFolder, *, records: bool = False) -> Listing:
    """Every file read and parsed (what ``list`` did before the index held the facts)."""
    entries, problems = folder.load_all()
    rows = [from_stored(s, folder.template, records=records) for s in entries]
    return Listing(rows, problems)


def listing_index(
    folder: EntryFolder, cache_root: Path | None = None, on_wait: Notify | None = None
) -> IndexStore:
    """The folder's index, for listing only (none of the query machinery is loaded); it
    keeps each entry's ``--json`` object and columns, as :class:`SearchService`'s does."""
    index = IndexStore(folder, cache_root or user_cache_dir())
    index.on_wait = on_wait
    keep_columns(index)
    return index


def existing_index(
    folder: EntryFolder,
    cache_root: Path | None = None,
    on_wait: Notify | None = None,
    notices: list[str] | None = None,
) -> IndexStore | None:
    """:func:`listing_index` brought in step with the folder, when the folder was indexed
    before (None otherwise, or when it cannot be used now: the caller reads the files;
    a first build at 10,000 entries costs minutes, reading them seconds). What the sync
    says (rebuilt, ...) is added to ``notices``."""
    from mistakes.search.cache import MARKER

    index = listing_index(folder, cache_root, on_wait)
    if not (index.dir / MARKER).exists():
        index.close()
        return None
    try:
        report = index.open()
    except IndexUnavailable as exc:
        index.close()
        if notices is not None:
            notices.append(f"{exc}; read the files instead")
        return None
    if notices is not None:
        notices.extend(report.notices)
    return index


def load_listing(
    folder: EntryFolder,
    index: IndexStore,
    *,
    records: bool = False,
    sync: bool = True,
    bare: bool = False,
) -> Listing:
    """The folder's entries (by number, then name), from ``index`` brought in step first.

    ``records``: with each entry's ``--json`` object (``list --json``). ``sync=False``: the
    index as it is (the app keeps its own in step; raises what a search would raise).
    ``bare`` (with ``records``): only the ``--json`` objects are wanted (``list --json``
    with no filter and no other order); they are in :attr:`Listing.bare` when the index
    holds every one of them, and no entry's facts are parsed."""
    if not sync:
        with gc_paused():
            return _listing(folder, index.listing(records), records, [])
    try:
        report = index.open()
        # a row per entry, all kept (see gc_paused): from reading the columns on
        with gc_paused():
            names = synced_names(index)
            if bare and records and names is not None:
                kept = index.records()
                if all(kept.get(name) for name in names):
                    root = folder.root
                    rows = [(root, name, kept[name]) for name in names]
                    return Listing([], [], list(report.notices), rows)
            held = index.listing(records)
            return _listing(folder, held, records, list(report.notices), names)
    except IndexUnavailable as exc:
        listing = from_files(folder, records=records)
        listing.notices.append(f"{exc}; read every file instead")
        return listing


def synced_names(index: IndexStore) -> list[str] | None:
    """The entry file names the index's sync just saw, in :meth:`EntryFolder.scan`'s order
    (number, then name); None when it saw none or met a name that is not a regular file
    (:meth:`EntryFolder.scan` then says why it is skipped)."""
    numbers = index.scanned
    if numbers is None or index.irregular:
        return None
    return sorted(numbers, key=lambda name: (numbers[name], name))


def _listing(
    folder: EntryFolder,
    held: dict[str, tuple[dict[str, Any], Bytes]],
    records: bool,
    notices: list[str],
    names_seen: list[str] | None = None,
) -> Listing:
    if names_seen is not None:
        names, problems = names_seen, list[Problem]()
    else:
        names, problems = _entry_names(folder)
    rows: list[Listed] = []
    root = folder.root
    for name in names:
        kept = held.get(name)
        if kept is not None and (kept[1] or not records):
            rows.append(listed(root, kept[0], kept[1]))
            continue
        path = root / name
        try:  # not in the index (it does not parse), or indexed without its JSON
            stored = folder.load(path)
        except EntryParseError as exc:
            problems.append(Problem(path, exc.line, exc.message))
            continue
        except OSError as exc:
            problems.append(Problem(path, 1, f"cannot read: {exc.strerror or exc}"))
            continue
        rows.append(from_stored(stored, folder.template, records=records))
    return Listing(rows, problems, notices)


def _entry_names(folder: EntryFolder) -> tuple[list[str], list[Problem]]:
    """The names of :meth:`EntryFolder.scan` in its order (number, then name), without a
    ``Path`` per file; a name that is not a regular file (a link, a FIFO: rare) hands over
    to ``scan`` itself, which says why each is skipped."""
    if not folder.root.is_dir():
        return [], []
    found: list[tuple[int, str]] = []
    with os.scandir(folder.root) as it:
        for item in it:
            name = item.name
            if name.startswith("."):
                continue
            number = parse_entry_filename(name)
            if number is None:
                continue
            try:
                regular = item.is_file(follow_symlinks=False)
            except OSError:
                regular = False
            if not regular:
                paths, problems = folder.scan()
                return [path.name for path in paths], problems
            found.append((number, name))
    found.sort()
    return [name for _number, name in found], []


# -- filters and order ---------------------------------------------------------------------------


def _wanted(template: Template, name: str, values: list[str]) -> set[str]:
    spec = template.field_named(name)
    allowed: set[str] = set()
    for item in values:
        for part in item.split(","):
            choice = spec.choice_for(part) if spec is not None and spec.choices else None
            allowed.add(choice or part.strip().lower())
    return allowed


def _normal(template: Template, name: str, value: str) -> str:
    spec = template.field_named(name)
    return (spec.choice_for(value) if spec is not None and spec.choices else None) or value


@dataclass(frozen=True)
class Filters:
    """``list``'s filters: each option takes commas and repeats; an entry must match every
    severity/status option given (one of its values) and have all the tags."""

    severity: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def given(self) -> bool:
        """Whether any filter was given (with none, every entry is listed)."""
        return bool(self.severity or self.status or self.tags)

    def apply(self, rows: list[Listed], template: Template) -> list[Listed]:
        checks: list[tuple[str, set[str]]] = [
            (name, _wanted(template, name, values))
            for name, values in (("severity", self.severity), ("status", self.status))
            if values
        ]
        tags = {t.strip().lower() for item in self.tags for t in item.split(",") if t.strip()}
        normal: dict[tuple[str, str], str] = {}  # (field, value) -> its choice, looked up once
        shown = []
        for row in rows:
            values = {"severity": row.severity, "status": row.status}
            rejected = False
            for name, allowed in checks:
                key = (name, values[name])
                if key not in normal:
                    normal[key] = _normal(template, name, values[name]).lower()
                if normal[key] not in allowed:
                    rejected = True
                    break
            if rejected:
                continue
            if tags and not tags <= {t.lower() for t in row.tags}:
                continue
            shown.append(row)
        return shown


SortKey = Callable[[Template], Callable[[Listed], tuple[Any, ...]]]
"""Given the template, the sort key of a row."""


def _by_number(_template: Template) -> Callable[[Listed], tuple[Any, ...]]:
    return lambda row: (row.number, row.name)


def _by_date(_template: Template) -> Callable[[Listed], tuple[Any, ...]]:
    # oldest first; entries without a date last
    return lambda row: (not row.date.strip(), row.date.strip(), row.number, row.name)


def _by_severity(template: Template) -> Callable[[Listed], tuple[Any, ...]]:
    # most severe first (the template's order of choices), then unknown values, then none
    spec = template.field_named("severity")
    choices = list(spec.choices) if spec is not None else []
    ranks: dict[str, int] = {}

    def rank(value: str) -> int:
        if value not in ranks:
            choice = spec.choice_for(value) if spec is not None and value else None
            ranks[value] = (
                choices.index(choice) if choice in choices else len(choices) + (not value)
            )
        return ranks[value]

    return lambda row: (rank(row.severity), row.number, row.name)


def _by_seen(_template: Template) -> Callable[[Listed], tuple[Any, ...]]:
    # most often seen again first (recorded occurrences), by number among equals
    return lambda row: (-row.seen, row.number, row.name)


SORTS: dict[str, SortKey] = {
    "number": _by_number,
    "date": _by_date,
    "severity": _by_severity,
    "seen": _by_seen,
}
"""``list --sort`` keys: adding one is one line here (the CLI offers every key)."""


def sort_rows(rows: list[Listed], key: str, template: Template) -> list[Listed]:
    return sorted(rows, key=SORTS[key](template))


# -- JSON -------------------------------------------------------------------------------------


def json_parts(rows: list[Listed]) -> Iterator[Bytes]:
    """``list --json`` in UTF-8 pieces (written one after the other: tens of MB at 10,000
    entries, never copied into one): the same text as ``json.dump([record(...), ...],
    indent=2, ensure_ascii=False)``, put together from each entry's kept JSON (see
    :func:`~mistakes.services.records.record_json`) and its path."""
    return bare_json_parts([(row.root, row.name, row.record) for row in rows])


def bare_json_parts(rows: list[tuple[Path, str, Bytes]]) -> Iterator[Bytes]:
    """:func:`json_parts` of (folder, file name, kept ``--json`` object) triples."""
    if not rows:
        yield b"[]\n"
        return
    prefixes: dict[Path, str] = {}
    separator = b"[\n"
    for root, name, record in rows:
        prefix = prefixes.get(root)
        if prefix is None:  # str(root / name) without a Path per entry ("." has none)
            quoted = json.dumps(str(root / "x")[:-1], ensure_ascii=False)
            prefix = prefixes[root] = '  {\n    "path": ' + quoted[:-1]
        if name.isprintable() and '"' not in name and "\\" not in name:
            head = prefix + name  # as JSON (which escapes only quotes, backslashes, controls)
        else:
            head = prefix + json.dumps(name, ensure_ascii=False)[1:-1]
        yield separator + (head + '",\n').encode("utf-8", "surrogatepass")
        yield record
        separator = b",\n"
    yield b"\n]\n"
