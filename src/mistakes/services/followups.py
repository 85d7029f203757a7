"""Follow-up actions across entries: the open checklist items of every entry (``mistakes
todo``, the app's Follow-ups screen, the MCP server's ``todo`` tool) and ticking one
(``mistakes done`` / ``undo``, space in that screen).

Listing is served from the search index when one is given: each entry's checklist items,
with their file lines, are a column of the index (:func:`followups_column`, written when
the entry is indexed), so no file is parsed; a file the index does not hold (it does not
parse) is read as before, to report why. The output is the same as reading every file
(a test compares both).

Ticking goes through EntryService.save: the item's line is the only one that changes, and
a file changed on disk since it was read is never overwritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mistakes.domain.markdown import CHECKLIST_ITEM
from mistakes.search.types import IndexUnavailable
from mistakes.services.entries import EntryService, UsageError
from mistakes.storage.document import bare_line, split_lines
from mistakes.storage.errors import EntryParseError
from mistakes.storage.folder import Problem, StoredEntry

if TYPE_CHECKING:
    from mistakes.search.store import IndexStore

# a file without an unticked box holds no open item: not parsed when only open ones are asked
_OPEN_BOX = re.compile(rb"^[ \t]*[-*+][ \t]+\[ \]", re.MULTILINE)


@dataclass(frozen=True)
class FollowUp:
    """One checklist item of one entry; ``item`` is its 1-based place in the entry's
    checklist (what ``mistakes done REF N`` takes), ``line`` its line in the file."""

    number: int
    path: Path
    title: str
    severity: str
    date: str
    item: int
    text: str
    done: bool
    line: int

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "path": str(self.path),
            "title": self.title,
            "text": self.text,
            "done": self.done,
            "line": self.line,
            "item": self.item,
            "severity": self.severity,
        }


def item_lines(stored: StoredEntry) -> list[int]:
    """The file line of each checklist item, in the order Entry.follow_up has them."""
    from mistakes.services.links import block_start

    doc = stored.document
    block = next((b for b in doc.blocks if b.kind == "checklist"), None)
    if block is None:
        return []
    first = block_start(doc, block)
    return [
        first + index
        for index, line in enumerate(split_lines(block.body))
        if CHECKLIST_ITEM.match(bare_line(line))
    ]


def entry_followups(stored: StoredEntry) -> list[FollowUp]:
    entry = stored.entry
    lines = item_lines(stored)
    return [
        FollowUp(
            stored.number,
            stored.path,
            entry.title,
            entry.text("severity"),
            entry.date,
            index + 1,
            item.text,
            item.done,
            lines[index] if index < len(lines) else 0,
        )
        for index, item in enumerate(entry.follow_up)
    ]


def followups_column(stored: StoredEntry) -> bytes:
    """What the index keeps of an entry's checklist (its ``follow_ups`` column): each item's
    text, whether it is ticked and its file line, as ``[[text, done, line], ...]``."""
    items = [[f.text, f.done, f.line] for f in entry_followups(stored)]
    return json.dumps(items, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _wanted(values: Iterable[str]) -> set[str]:
    return {p.strip().lower() for v in values for p in v.split(",") if p.strip()}


@dataclass(frozen=True)
class _Found:
    """One entry that passed the filters: what the listing shows of it, and its items."""

    number: int
    path: Path
    title: str
    severity: str
    date: str
    items: list[FollowUp] | None  # None: read from the index's column when shown

    def followups(self, kept: list[list[Any]]) -> list[FollowUp]:
        if self.items is not None:
            return self.items
        return [
            FollowUp(
                self.number,
                self.path,
                self.title,
                self.severity,
                self.date,
                index + 1,
                text,
                done,
                line,
            )
            for index, (text, done, line) in enumerate(kept)
        ]


def open_followups(
    service: EntryService,
    *,
    tags: Iterable[str] = (),
    severities: Iterable[str] = (),
    include_done: bool = False,
    index: IndexStore | None = None,
    sync: bool = True,
    notices: list[str] | None = None,
) -> tuple[list[FollowUp], list[Problem]]:
    """The open follow-up items of every entry (all items with ``include_done``), grouped by
    entry, oldest entry first (by date, then number; undated entries last). ``tags``: the
    entry has all of them; ``severities``: any of them (commas split). Also the files that
    could not be read.

    ``index``: served from that search index, brought in step with the folder first (not
    with ``sync=False``: the caller keeps it in step); what it says about itself (rebuilt,
    not usable: every file read instead) is added to ``notices``. Without an index, every
    file with an unticked box is read."""
    template = service.template
    want_tags = _wanted(tags)
    want_severity = _wanted(severities)
    spec = template.field_named("severity")
    if spec is not None and spec.choices:
        want_severity = {spec.choice_for(s) or s for s in want_severity}

    def wanted(entry_tags: list[str], severity: str) -> bool:
        if want_tags and not want_tags <= {t.lower() for t in entry_tags}:
            return False
        return not want_severity or severity.lower() in want_severity

    held: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = {}
    names: list[str] | None = None
    if index is not None:
        from mistakes.search.schema import FOLLOW_UPS  # Whoosh: with an index only
        from mistakes.services.listing import synced_names

        try:
            if sync:
                report = index.open()
                if notices is not None:
                    notices.extend(report.notices)
            held = index.entries((FOLLOW_UPS,))
            names = synced_names(index)  # the files its last sync saw
        except IndexUnavailable as exc:
            held = {}
            if notices is not None:
                notices.append(f"{exc}; read every file instead")
    root = service.folder.root
    problems: list[Problem] = []
    if names is None:
        paths, problems = service.folder.scan()
        names = [path.name for path in paths]
    found: list[tuple[_Found, list[list[Any]]]] = []
    columns: list[tuple[_Found, bytes]] = []  # decoded together below
    for name in names:
        kept = held.get(name)
        if kept is not None and kept[1][0]:
            facts, (view,) = kept
            column = bytes(view)
            if not include_done and b"false" not in column:
                continue  # every item ticked (or none): nothing to show
            if not wanted(facts["tags"], facts["severity"]):
                continue
            row = _Found(
                facts["number"], root / name, facts["title"], facts["severity"], facts["date"], None
            )
            columns.append((row, column))
            continue
        path = root / name
        try:  # not in the index (it does not parse), or no index: the file as before
            data = service.folder.read(path)
            if not include_done and not _OPEN_BOX.search(data):
                continue
            stored = service.folder.load_bytes(path, data)
        except EntryParseError as exc:
            problems.append(Problem(path, exc.line, exc.message))
            continue
        except OSError as exc:
            problems.append(Problem(path, 1, f"cannot read: {exc.strerror or exc}"))
            continue
        entry = stored.entry
        if not wanted(entry.tags(template), entry.text("severity")):
            continue
        row = _Found(
            stored.number,
            stored.path,
            entry.title,
            entry.text("severity"),
            entry.date,
            entry_followups(stored),
        )
        found.append((row, []))
    if columns:  # one JSON text: one parse instead of one per entry
        joined = b"[" + b",".join(column for _row, column in columns) + b"]"
        decoded = json.loads(joined.decode("utf-8", "surrogatepass"))
        found.extend((row, items) for (row, _), items in zip(columns, decoded, strict=True))
    found.sort(key=lambda pair: (not pair[0].date, pair[0].date, pair[0].number, pair[0].path.name))
    items = [
        item
        for row, kept_items in found
        for item in row.followups(kept_items)
        if include_done or not item.done
    ]
    return items, problems


def set_done(
    service: EntryService, ref: str, item: int, done: bool = True, *, expect: str | None = None
) -> tuple[StoredEntry, FollowUp]:
    """Tick (or untick) item ``item`` (1-based) of an entry's checklist; one line changes.
    ``expect``: the item's text as the caller listed it; when the file's item N says
    something else now (the checklist was edited since), nothing is written (UsageError).
    Returns the entry as saved (the same object when nothing changed) and the item."""
    if service.template.checklist is None:
        raise UsageError("the template has no follow-up checklist")
    stored = service.get(ref)
    count = len(stored.entry.follow_up)
    if not 1 <= item <= count:
        has = f"has {count} follow-up item{'s' * (count != 1)}" if count else "has no follow-ups"
        raise UsageError(f"{stored.path.name} {has}; there is no item {item}")
    if expect is not None and stored.entry.follow_up[item - 1].text != expect:
        raise UsageError(
            f"{stored.path.name}: follow-up item {item} is now "
            f"'{stored.entry.follow_up[item - 1].text}', not '{expect}' (the checklist "
            "changed since it was listed); nothing written"
        )
    entry = stored.entry.copy()
    entry.follow_up[item - 1].done = done
    saved = service.save(stored, entry)
    return saved, entry_followups(saved)[item - 1]
