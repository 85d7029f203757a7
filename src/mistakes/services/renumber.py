"""``mistakes renumber``: give an entry whose number another entry also uses (two branches
both made 042) the next free number, and point the links at its new name.

The file is renamed with ``git mv`` when git tracks it (so the history follows it), else
renamed on disk; every link to the old name, as the links module reads links (the one
reader ``show --json`` and ``check`` use, :func:`mistakes.domain.links.read_links`), is
rewritten with the smallest change, and the file saved the safe way (refused when it changed
since it was read):

* file-name links in any section, outside code: ``[042](042-slug.md)``,
  ``[x](<./042-slug.md#why>)``, ``mistakes/042-slug.md``, a reference definition
  ``[x]: 042-slug.md``;
* number-only links (``#42``, ``- 042 Pool exhausted``) only in the Related Issues section
  links are written to, where the reader counts them, and only when the line's words name
  the renamed entry rather than the entries that keep the number (its title's words, more
  than theirs); the others could mean either entry and are left as written, counted in
  ``ambiguous`` so the command can say where.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mistakes.domain.links import LinkSectionError, WrittenLink, link_place, read_links
from mistakes.domain.naming import NUMBER_WIDTH, parse_entry_filename
from mistakes.services import git
from mistakes.services.entries import EntryService, UsageError
from mistakes.storage.atomic import replace_file
from mistakes.storage.document import BOM, Document
from mistakes.storage.folder import StoredEntry


@dataclass
class Renumbered:
    old: Path
    new: Path
    with_git: bool
    rewritten: list[StoredEntry] = field(default_factory=list)  # entries whose links changed
    renamed: StoredEntry | None = None
    # number-only links (``#42``, ``- 042``) that could name either entry: left as written
    ambiguous: list[tuple[Path, int]] = field(default_factory=list)

    @property
    def number(self) -> int:
        """The number the entry had (and its twins keep)."""
        return parse_entry_filename(self.old.name) or 0

    def to_json(self) -> dict[str, object]:
        return {
            "old": str(self.old),
            "new": str(self.new),
            "git_mv": self.with_git,
            "links_rewritten_in": [str(s.path) for s in self.rewritten],
            "ambiguous_links": [{"path": str(p), "count": n} for p, n in self.ambiguous],
        }


def renamed_file(name: str, number: int) -> str:
    """``042-pool.md`` with number 57 -> ``057-pool.md`` (the slug is kept)."""
    digits = len(name) - len(name.lstrip("0123456789"))
    return f"{number:0{NUMBER_WIDTH}d}{name[digits:]}"


_MD_LINK_PARTS = re.compile(
    r"^\[(?P<text>(?:\\.|[^\]\\])*)\]\((?P<target><[^>\n]*>|[^)\s]+)(?P<rest>.*)$", re.S
)


def _renamed_path(target: str, old_name: str, new_name: str) -> str:
    """A link target as written (``<./005-x.md#why>``) with its file name ``old_name`` now
    ``new_name``; the folder part, brackets and fragment stay as they were."""
    name_end = len(target.split("#", 1)[0].split("?", 1)[0].rstrip(">"))
    head = target[:name_end]
    if not head.endswith(old_name):  # written in a way the reader tidied (spaces in <>)
        return target.replace(old_name, new_name, 1)
    return head[: len(head) - len(old_name)] + new_name + target[name_end:]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and not w.isdigit()}


@dataclass(frozen=True)
class Rename:
    """What a renumber changes in links: the old and new file names, the folder's name, and
    the titles that tell a number-only link (``#42``, ``- 042``) to the renamed entry from
    the entries that keep the number."""

    old_name: str
    new_name: str
    folder: str = "mistakes"
    title: str = ""  # the renamed entry's title
    twin_titles: tuple[str, ...] = ()  # of the entries that keep the old number

    @property
    def old_number(self) -> int:
        return parse_entry_filename(self.old_name) or 0

    @property
    def new_number(self) -> int:
        return parse_entry_filename(self.new_name) or 0

    def labels(self) -> dict[str, str]:
        """A link's text that names the old file, stem or number, and what it becomes."""
        old_stem, new_stem = self.old_name.removesuffix(".md"), self.new_name.removesuffix(".md")
        old_digits = self.old_name[: len(self.old_name) - len(self.old_name.lstrip("0123456789"))]
        new_digits = self.new_name[: len(self.new_name) - len(self.new_name.lstrip("0123456789"))]
        texts = {old_digits: new_digits, old_stem: new_stem, self.old_name: self.new_name}
        if old_digits.lstrip("0"):
            texts[old_digits.lstrip("0")] = new_digits.lstrip("0") or "0"
        return texts

    def meant(self, said: str) -> str:
        """Which entry a number-only link the line says ``said`` of (``(Missing data source
        nodes)``, ``Connection pool exhausted``) names: ``"renamed"`` when those words share
        more with its title than with any twin's (or no twin is left: the number was the
        renamed entry's alone), ``"kept"`` when a twin's title shares more, else
        ``"either"``."""
        if not self.twin_titles:
            return "renamed"
        words = _words(said)
        mine = len(words & _words(self.title))
        theirs = max(len(words & _words(t)) for t in self.twin_titles)
        if mine > theirs:
            return "renamed"
        return "kept" if theirs > mine else "either"


def _rewrite_line(line: str, links: list[WrittenLink], rename: Rename) -> tuple[str, int]:
    """``line`` with its links to the renamed entry pointed at the new name (right to left,
    so the columns read stay valid), and how many number-only links were left ambiguous."""
    ambiguous = 0
    ordered = sorted(links, key=lambda k: k.start)
    said: dict[int, str] = {}  # what the line says of each link: the words after it, or before
    for at, link in enumerate(ordered):
        after_end = ordered[at + 1].start if at + 1 < len(ordered) else len(line)
        before_start = ordered[at - 1].end if at else 0
        after = line[link.end : after_end]
        said[link.start] = after if _words(after) else line[before_start : link.start]
    for link in reversed(ordered):
        piece = line[link.start : link.end]
        if link.target:
            if link.name != rename.old_name:
                continue
            parts = _MD_LINK_PARTS.match(piece)
            if parts is not None:  # [text](target "title")
                label = parts.group("text")
                label = rename.labels().get(label, label)
                target = _renamed_path(parts.group("target"), rename.old_name, rename.new_name)
                piece = f"[{label}]({target}{parts.group('rest')}"
            else:  # a bare path: mistakes/005-foo.md, a reference definition's target
                piece = _renamed_path(piece, rename.old_name, rename.new_name)
        else:
            if link.number != rename.old_number:
                continue
            meant = rename.meant(said[link.start])
            if meant != "renamed":
                ambiguous += meant == "either"
                continue
            digits = piece.lstrip("#")
            width = max(len(digits), 1) if digits.startswith("0") else 1
            piece = piece[: len(piece) - len(digits)] + f"{rename.new_number:0{width}d}"
        line = line[: link.start] + piece + line[link.end :]
    return line, ambiguous


def rewrite_text(text: str, rename: Rename, numbers: bool = False) -> tuple[str, int]:
    """Point the links in a section's text that lead to the renamed entry at its new name,
    as the links module reads them (:func:`mistakes.domain.links.read_links`: Markdown links,
    reference definitions and bare paths, and with ``numbers`` ``#42`` and a number leading
    a list item); code is left alone. Returns the text and how many number-only links could
    name either entry and were left."""
    lines = text.split("\n")
    ambiguous = 0
    by_line: dict[int, list[WrittenLink]] = {}
    for link in read_links(text, rename.folder, numbers=numbers):
        by_line.setdefault(link.index, []).append(link)
    for index, links in by_line.items():
        lines[index], left = _rewrite_line(lines[index], links, rename)
        ambiguous += left
    return "\n".join(lines), ambiguous


def rewrite_links(text: str, old_name: str, new_name: str, folder: str = "mistakes") -> str:
    """Point the file-name links to ``old_name`` in ``text`` at ``new_name`` (no number-only
    links: see :func:`rewrite_text`)."""
    return rewrite_text(text, Rename(old_name, new_name, folder))[0]


def rewrite_document(doc: Document, rename: Rename, number_key: str | None) -> tuple[str, int]:
    """The file's text with its links to the renamed entry rewritten: file-name links in
    every section, number-only links only in the section ``number_key`` (where the links
    module reads them: the one ``mistakes link`` writes to). The frontmatter is kept."""
    parts = [BOM if doc.bom else "", doc.fm_open, doc.fm_text, doc.fm_close]
    ambiguous = 0
    for block in doc.blocks:
        numbers = block.kind == "leaf" and block.key is not None and block.key == number_key
        body, left = rewrite_text(block.body, rename, numbers=numbers)
        ambiguous += left
        parts.append(block.heading + body)
    return "".join(parts), ambiguous


def renumber(service: EntryService, ref: str) -> Renumbered:
    """Give the entry ``ref`` names the next free number (see the module's docstring)."""
    folder = service.folder
    stored = service.get(ref)
    path = stored.path
    if path.parent.resolve() != service.root.resolve():
        raise UsageError(f"{path}: not in the entries folder {service.root}")
    entries, _problems = service.all()
    twins = [e for e in entries if e.number == stored.number and e.path.name != path.name]
    if not twins:
        raise UsageError(
            f"{path.name}: no other entry has number {stored.number:03d}; "
            "renumber is for a number two entries share"
        )
    number = folder.next_number()
    target = path.with_name(renamed_file(path.name, number))
    if parse_entry_filename(target.name) != number:
        raise UsageError(f"{path.name}: cannot be renamed to number {number}")
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target}: already exists; nothing renamed")
    with_git = git.repo_root(service.root) is not None and git.tracked(path)
    if with_git:
        git.move(path, target)
    else:
        os.rename(path, target)
    done = Renumbered(path, target, with_git)
    try:
        number_key: str | None = link_place(service.template).target.key
    except LinkSectionError:  # no Related Issues section: no number-only links are read
        number_key = None
    rename = Rename(
        path.name,
        target.name,
        service.root.resolve().name,
        stored.entry.title,
        tuple(t.entry.title for t in twins),
    )
    after, _problems = service.all()
    for entry in after:
        text = entry.document.text()
        changed, ambiguous = rewrite_document(entry.document, rename, number_key)
        if ambiguous:
            done.ambiguous.append((entry.path, ambiguous))
        if changed != text:
            replace_file(entry.path, changed.encode("utf-8"), entry.digest)
            saved = folder.load(entry.path)
            done.rewritten.append(saved)
            if entry.path == target:
                done.renamed = saved
    if done.renamed is None:
        done.renamed = folder.load(target)
    return done
