"""Links between entries: written into both files (``mistakes link``, the app's "Link to…"),
read back with backlinks (``show --json``, the app), checked and fixed (``check``).

The files are the truth: a link is a line in the Related Issues section of the entry that
holds it (see mistakes.domain.links); a backlink is a link written in another entry,
found by reading the folder, or, given the search index, from the links each entry
writes, which the index keeps as a column (:func:`links_column`, written when the entry
is indexed): the same links, with no file parsed. Writing goes through EntryService.save,
so a link changes only the section it is added to (and appends a line there), and a file
changed on disk since it was read is never overwritten.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mistakes.domain.links import (
    INVERSE,
    LINK_TYPES,
    LinkPlace,
    LinkSectionError,
    WrittenLink,
    link_line,
    link_place,
    read_links,
    renamed_to,
    retarget,
)
from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import Template
from mistakes.services.entries import EntryService, UsageError, record
from mistakes.storage.document import Block, Document, split_lines
from mistakes.storage.errors import StorageError
from mistakes.storage.folder import Problem, StoredEntry

if TYPE_CHECKING:
    from mistakes.search.store import IndexStore


@dataclass(frozen=True)
class Link:
    """A link of one entry: ``direction`` "out" (written in this entry, at ``line``) or
    "in" (a backlink: written in entry ``number``, at ``line`` of that file). ``path`` is
    the other entry's file, None when no file of the folder answers to it."""

    type: str
    number: int
    path: Path | None
    title: str
    direction: str
    line: int
    written: str = ""  # the target as written ("" for #5, 005)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "number": self.number,
            "path": str(self.path) if self.path is not None else None,
            "title": self.title,
            "direction": self.direction,
            "line": self.line,
        }


@dataclass(frozen=True)
class Located:
    """A written link with where it is: the leaf it is in and its 1-based line in the file."""

    link: WrittenLink
    leaf: str
    line: int


@dataclass(frozen=True)
class Fixed:
    path: Path
    line: int
    old: str
    new: str


def block_start(doc: Document, target: Block) -> int:
    """The 1-based file line of a block's first body line (the line after its heading)."""
    line = doc.body_line_offset + 1
    for block in doc.blocks:
        if block is target:
            return line + block.heading.count("\n")
        line += block.raw.count("\n")
    return 0


def _lead_blank(body: str) -> int:
    count = 0
    for line in split_lines(body):
        if line.strip():
            break
        count += 1
    return count


_MD_NAME = re.compile(rb"\d+(?:-[\w.\-]*)?\.md")


def _names_missing(data: bytes, names: set[bytes]) -> bool:
    """True unless every ``.md`` in the bytes ends a name of an entry file in ``names``
    (a name the quick look cannot read, such as one with spaces, counts as missing)."""
    count = data.count(b".md")
    if not count:
        return False
    found = _MD_NAME.findall(data)
    return len(found) < count or any(name not in names for name in found)


def written_links(stored: StoredEntry, place: LinkPlace, folder_name: str) -> list[Located]:
    """The links written in an entry's Related Issues section, with their file lines
    (``folder_name``: the entries folder's own name, as links may spell it)."""
    found: list[Located] = []
    doc = stored.document
    for spec in place.leaves:
        block = next((b for b in doc.blocks if b.kind == "leaf" and b.key == spec.key), None)
        if block is None:
            continue
        text = stored.entry.sections.get(spec.key, "")
        first = block_start(doc, block) + _lead_blank(block.body)
        numbers = spec.key == place.target.key
        for link in read_links(text, folder_name, numbers=numbers):
            found.append(Located(link, spec.key, first + link.index))
    return found


def links_column(stored: StoredEntry, template: Template, folder_name: str) -> bytes:
    """What the index keeps of the links an entry writes (its ``links`` column), as
    ``[[type, number, target, index, leaf, line], ...]`` (see :class:`Located`)."""
    try:
        place = link_place(template)
    except LinkSectionError:
        return b"[]"
    rows = [
        [x.link.type, x.link.number, x.link.target, x.link.index, x.leaf, x.line]
        for x in written_links(stored, place, folder_name)
    ]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8", "surrogatepass")


Backlink = tuple[int, Path, str, Located]
"""A link to an entry written in another: that entry's number, file and title, and the link."""


class LinkService:
    def __init__(self, entries: EntryService, index: IndexStore | None = None) -> None:
        """``index``: the search index, in step with the folder (the caller syncs it):
        backlinks and titles come from its columns instead of reading the folder."""
        self.entries = entries
        self.index = index
        self._titles: dict[str, str] = {}  # file name -> title, as the index holds them

    @property
    def place(self) -> LinkPlace:
        return link_place(self.entries.template)

    def _place_or_none(self) -> LinkPlace | None:
        try:
            return self.place
        except LinkSectionError:  # a template without the section: no links to read
            return None

    # -- reading --------------------------------------------------------------------------
    def written(self, stored: StoredEntry, place: LinkPlace | None = None) -> list[Located]:
        """The links written in an entry's Related Issues section, with their file lines."""
        place = place or self._place_or_none()
        if place is None:
            return []
        return written_links(stored, place, self.entries.root.name)

    def _names(self) -> tuple[dict[str, Path], dict[int, list[Path]]]:
        paths = self._synced_paths()
        if paths is None:
            paths = self.entries.folder.paths()
        by_number: dict[int, list[Path]] = {}
        for path in paths:
            number = parse_entry_filename(path.name)
            if number is not None:
                by_number.setdefault(number, []).append(path)
        return {p.name: p for p in paths}, by_number

    def _resolve(
        self, link: WrittenLink, by_name: dict[str, Path], by_number: dict[int, list[Path]]
    ) -> Path | None:
        if link.target and link.name in by_name:
            return by_name[link.name]
        same = by_number.get(link.number, [])
        if len(same) != 1:
            return None
        if link.target and not renamed_to(link.name, same[0].name, self._title(same[0])):
            return None  # the number is another entry's now (an import renumbered)
        return same[0]

    def resolve(self, link: WrittenLink) -> Path | None:
        """The entry file a link leads to: the file it names, else the one entry with its
        number when that looks like the file renamed (``#5``: entry 5); None otherwise."""
        by_name, by_number = self._names()
        return self._resolve(link, by_name, by_number)

    def _synced_paths(self) -> list[Path] | None:
        """The folder's entry files as the index's sync just saw them (None: no index)."""
        if self.index is None:
            return None
        from mistakes.services.listing import synced_names

        names = synced_names(self.index)
        if names is None:
            return None
        root = self.entries.folder.root
        return [root / name for name in names]

    def _title(self, path: Path) -> str:
        title = self._titles.get(path.name)
        if title is not None:
            return title
        try:
            return self.entries.folder.load(path).entry.title
        except (StorageError, OSError):
            return ""

    def links(self, stored: StoredEntry) -> list[Link]:
        """Every link of an entry: those written in it, then backlinks (links to it written
        in other entries, with the inverse type) that it does not write itself. Reads the
        folder (files that name the entry's number only)."""
        place = self._place_or_none()
        if place is None:
            return []
        by_name, by_number = self._names()
        held = self._held()
        if held is not None:
            backlinks = self._backlinks_held(stored, place, held, by_name, by_number)
        else:
            backlinks = self._backlinks(stored, place, by_name, by_number)
        return self._assemble(stored, self.written(stored, place), backlinks, by_name, by_number)

    def _held(self) -> dict[str, tuple[dict[str, Any], tuple[Any, ...]]] | None:
        """What the index holds of each entry, with the links it writes; None without an
        index. Its titles are used from now on (no file read for a link's title)."""
        if self.index is None:
            return None
        from mistakes.search.schema import LINKS  # Whoosh: with an index only

        held = self.index.entries((LINKS,))
        self._titles = {name: facts["title"] for name, (facts, _kept) in held.items()}
        return held

    def _backlinks_held(
        self,
        stored: StoredEntry,
        place: LinkPlace,
        held: dict[str, tuple[dict[str, Any], tuple[Any, ...]]],
        by_name: dict[str, Path],
        by_number: dict[int, list[Path]],
    ) -> list[Backlink]:
        """:meth:`_backlinks` from the index's ``links`` column; a file the index does not
        hold (it does not parse), or holds without that column, is read as before."""
        mention = re.compile(rb"(?<!\d)0*%d(?!\d)" % stored.number)
        found: list[Backlink] = []
        for name, path in by_name.items():
            if name == stored.path.name:
                continue
            kept = held.get(name)
            if kept is None or not kept[1][0]:
                found.extend(self._backlinks_in(path, stored, place, mention, by_name, by_number))
                continue
            facts, (view,) = kept
            data = bytes(view)
            if data == b"[]" or not mention.search(data):
                continue  # a link to it names its number: this entry writes none
            for kind, number, target, index, leaf, line in json.loads(
                data.decode("utf-8", "surrogatepass")
            ):
                located = Located(WrittenLink(kind, number, target, index, 0, 0), leaf, line)
                if self._resolve(located.link, by_name, by_number) == stored.path:
                    found.append((facts["number"], path, facts["title"], located))
        return found

    def links_of_all(self, entries: list[StoredEntry]) -> dict[str, list[Link]]:
        """``links()`` of every entry of ``entries`` (by file name), reading each once: what
        an export of the whole folder needs (``links()`` per entry would read the folder
        once per entry)."""
        place = self._place_or_none()
        if place is None:
            return {stored.path.name: [] for stored in entries}
        by_name, by_number = self._names()
        written = {stored.path.name: self.written(stored, place) for stored in entries}
        incoming: dict[str, list[tuple[StoredEntry, Located]]] = {}
        for stored in entries:
            for located in written[stored.path.name]:
                target = self._resolve(located.link, by_name, by_number)
                if target is not None and target.name != stored.path.name:
                    incoming.setdefault(target.name, []).append((stored, located))
        return {
            stored.path.name: self._assemble(
                stored,
                written[stored.path.name],
                [
                    (other.number, other.path, other.entry.title, located)
                    for other, located in incoming.get(stored.path.name, [])
                ],
                by_name,
                by_number,
            )
            for stored in entries
        }

    def _assemble(
        self,
        stored: StoredEntry,
        written: list[Located],
        backlinks: list[Backlink],
        by_name: dict[str, Path],
        by_number: dict[int, list[Path]],
    ) -> list[Link]:
        out: list[Link] = []
        seen: set[tuple[str, int]] = set()
        for located in written:
            link = located.link
            path = self._resolve(link, by_name, by_number)
            if path is None and not link.target:
                continue  # "#12" with no entry 12: another tracker's number
            if path is not None and path.name == stored.path.name:
                continue
            title = self._title(path) if path is not None else ""
            number = parse_entry_filename(path.name) if path is not None else None
            out.append(
                Link(
                    link.type, number or link.number, path, title, "out", located.line, link.target
                )
            )
            seen.add((link.type, number or link.number))
        for number, path, title, located in backlinks:
            key = (INVERSE.get(located.link.type, "related"), number)
            if key in seen:
                continue
            seen.add(key)
            out.append(Link(key[0], number, path, title, "in", located.line, located.link.target))
        return out

    def _backlinks(
        self,
        stored: StoredEntry,
        place: LinkPlace,
        by_name: dict[str, Path],
        by_number: dict[int, list[Path]],
    ) -> list[Backlink]:
        mention = re.compile(rb"(?<!\d)0*%d(?!\d)" % stored.number)
        found: list[Backlink] = []
        for path in by_name.values():
            if path.name == stored.path.name:
                continue
            found.extend(self._backlinks_in(path, stored, place, mention, by_name, by_number))
        return found

    def _backlinks_in(
        self,
        path: Path,
        stored: StoredEntry,
        place: LinkPlace,
        mention: re.Pattern[bytes],
        by_name: dict[str, Path],
        by_number: dict[int, list[Path]],
    ) -> list[Backlink]:
        """The links to ``stored`` written in the file ``path`` (read and parsed)."""
        try:
            data = self.entries.folder.read(path)
            if not mention.search(data):
                return []  # a link to it names its number: this file holds none
            other = self.entries.folder.load_bytes(path, data)
        except (StorageError, OSError):
            return []
        return [
            (other.number, other.path, other.entry.title, located)
            for located in self.written(other, place)
            if self._resolve(located.link, by_name, by_number) == stored.path
        ]

    # -- writing --------------------------------------------------------------------------
    def link(self, ref_a: str, ref_b: str, link_type: str = "related") -> list[StoredEntry]:
        """Write a link A -> B (``link_type``) into A and the inverse B -> A into B, each as
        a line appended to the section links go in. A link already there (same type, same
        entry) is not written again. Returns the entries as saved (unchanged ones too)."""
        if link_type not in LINK_TYPES:
            raise UsageError(f"--as takes one of: {', '.join(LINK_TYPES)} (not '{link_type}')")
        place = self.place
        a, b = self.entries.get(ref_a), self.entries.get(ref_b)
        if a.path.name == b.path.name:
            raise UsageError(f"{a.path.name}: an entry is not linked to itself")
        first = self._add(a, b, link_type, place)
        second = self._add(b, first, INVERSE[link_type], place)
        return [first, second]

    def _add(
        self, src: StoredEntry, dst: StoredEntry, link_type: str, place: LinkPlace
    ) -> StoredEntry:
        by_name, by_number = self._names()
        for located in self.written(src, place):
            same = self._resolve(located.link, by_name, by_number)
            if same is not None and same.name == dst.path.name and located.link.type == link_type:
                return src  # already there
        line = link_line(link_type, dst.number, dst.entry.title, dst.path.name)
        entry = src.entry.copy()
        key = place.target.key
        current = entry.sections.get(key, "")
        entry.sections[key] = f"{current}\n{line}" if current.strip() else line
        return self.entries.save(src, entry)

    def unlink(self, ref_a: str, ref_b: str) -> tuple[list[StoredEntry], list[str]]:
        """Remove the lines of A that link to B and those of B that link to A (any type).
        A line that links to other entries as well is left, and said (the second list)."""
        place = self.place
        a, b = self.entries.get(ref_a), self.entries.get(ref_b)
        kept: list[str] = []
        first = self._remove(a, b, place, kept)
        second = self._remove(b, first, place, kept)
        return [first, second], kept

    def _remove(
        self, src: StoredEntry, dst: StoredEntry, place: LinkPlace, kept: list[str]
    ) -> StoredEntry:
        by_name, by_number = self._names()
        per_line: dict[tuple[str, int], list[bool]] = {}
        for located in self.written(src, place):
            to_dst = self._resolve(located.link, by_name, by_number) == dst.path
            per_line.setdefault((located.leaf, located.link.index), []).append(to_dst)
        entry = src.entry.copy()
        drop: dict[str, set[int]] = {}
        for (leaf, index), targets in per_line.items():
            if all(targets):
                drop.setdefault(leaf, set()).add(index)
            elif any(targets):
                line = self._file_line(src, place, leaf, index)
                kept.append(f"{src.path}:{line}: links to other entries too; left as it is")
        for leaf, indexes in drop.items():
            lines = entry.sections.get(leaf, "").split("\n")
            entry.sections[leaf] = "\n".join(t for i, t in enumerate(lines) if i not in indexes)
        return self.entries.save(src, entry)

    def _file_line(self, stored: StoredEntry, place: LinkPlace, leaf: str, index: int) -> int:
        for located in self.written(stored, place):
            if located.leaf == leaf and located.link.index == index:
                return located.line
        return 0

    # -- checking -------------------------------------------------------------------------
    def may_dangle(self) -> list[StoredEntry]:
        """The entries that may hold a link to a file that is not in the folder: every
        ``.md`` name in their bytes is looked at, and a file whose names are all entry files
        of the folder is not parsed (``check`` at 10,000 entries would parse each twice).
        Files that cannot be read are ``check``'s to report, not this."""
        paths = self.entries.folder.paths()
        names = {p.name.encode("utf-8") for p in paths}
        found = []
        for path in paths:
            try:
                data = self.entries.folder.read(path)
                if _names_missing(data, names):
                    found.append(self.entries.folder.load_bytes(path, data))
            except (StorageError, OSError):
                continue
        return found

    def _dangling(
        self, entries: list[StoredEntry]
    ) -> list[tuple[StoredEntry, Located, Path | None, bool]]:
        """Links to a file that is not in the folder, each with the one entry that has the
        link's number (or None) and whether that entry is the file renamed."""
        place = self._place_or_none()
        if place is None:
            return []
        by_name, by_number = self._names()
        found = []
        for stored in entries:
            for located in self.written(stored, place):
                link = located.link
                if not link.target or link.name in by_name:
                    continue
                same = by_number.get(link.number, [])
                now = same[0] if len(same) == 1 else None
                renamed = now is not None and renamed_to(link.name, now.name, self._title(now))
                found.append((stored, located, now, renamed))
        return found

    def problems(self, entries: list[StoredEntry]) -> list[Problem]:
        """A problem for each link whose file is not in the folder (deleted or renamed)."""
        problems = []
        for stored, located, now, renamed in self._dangling(entries):
            target = located.link.target
            number = f"{located.link.number:03d}"
            if now is None:
                message = f"link to {target}: no such file, and no entry numbered {number}"
            elif renamed:
                message = (
                    f"link to {target}: no such file; entry {number} is {now.name} now "
                    "(mistakes check --fix rewrites the link)"
                )
            else:
                message = (
                    f"link to {target}: no such file; entry {number} is {now.name}, which "
                    "looks like another entry (not fixed by --fix: edit the link)"
                )
            problems.append(Problem(stored.path, located.line, message))
        return problems

    def fix(self, entries: list[StoredEntry]) -> list[Fixed]:
        """Point each dangling link at the entry with its number, where there is one: the
        line with the link is the only one that changes."""
        fixes: dict[Path, list[tuple[StoredEntry, Located, Path]]] = {}
        for stored, located, now, renamed in self._dangling(entries):
            if now is not None and renamed:
                fixes.setdefault(stored.path, []).append((stored, located, now))
        done: list[Fixed] = []
        for items in fixes.values():
            stored = items[0][0]
            entry = stored.entry.copy()
            for _, located, now in items:
                lines = entry.sections.get(located.leaf, "").split("\n")
                old = lines[located.link.index]
                new = retarget(old, located.link.target, now.name)
                lines[located.link.index] = new
                entry.sections[located.leaf] = "\n".join(lines)
                done.append(Fixed(stored.path, located.line, old, new))
            self.entries.save(stored, entry)
        return done


def show_record(
    service: EntryService, stored: StoredEntry, index: IndexStore | None = None
) -> dict[str, Any]:
    """``show --json`` of one entry: its record and its links, backlinks included (the CLI's
    ``show --json`` and the MCP server's ``show`` both call this). ``index``: the search
    index, in step with the folder: backlinks come from it (no file of the folder read)."""
    links = [link.to_json() for link in LinkService(service, index).links(stored)]
    return {**record(stored, service.template), "links": links}


def show_records(service: EntryService, entries: list[StoredEntry]) -> list[dict[str, Any]]:
    """``show_record`` of many entries, reading each file once (``export --format jsonl``)."""
    links = LinkService(service).links_of_all(entries)
    return [
        {
            **record(stored, service.template),
            "links": [link.to_json() for link in links[stored.path.name]],
        }
        for stored in entries
    ]
