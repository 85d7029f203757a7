"""Links between entries, as written in the template's Related Issues section (no I/O).

A link is a line of Markdown in that section. ``mistakes link`` writes the seed's own
convention, a relative link to the other file, with its type before it unless it is
``related``::

    - [003 Nightly export fails](003-nightly-export-fails.md)
    - duplicate-of: [003 Nightly export fails](003-nightly-export-fails.md)

Links typed by hand are read too: ``[x](005-foo.md)``, ``mistakes/005-foo.md``, and in the
section links are written to (Similar Past Issues in the default template) also ``#5``
and ``005`` at the start of a list item (``- 005``, ``**003** - ...``, ``- #020: ...``).
Only the Related Issues section is read: ``#5`` elsewhere is prose, and in the template's
other Related Issues sections (Dependencies) it is likely another tracker's issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mistakes.domain.errors import MistakesError
from mistakes.domain.markdown import structural_lines
from mistakes.domain.naming import ascii_fold, normalize_heading, parse_entry_filename
from mistakes.domain.template import SectionSpec, Template
from mistakes.domain.text import one_line

RELATED = "related"
# what ``mistakes link --as`` takes; each has its inverse, written in the other entry
LINK_TYPES = ("related", "duplicate-of", "caused-by", "recurrence-of")
INVERSE = {
    "related": "related",
    "duplicate-of": "has-duplicate",
    "has-duplicate": "duplicate-of",
    "caused-by": "causes",
    "causes": "caused-by",
    "recurrence-of": "has-recurrence",
    "has-recurrence": "recurrence-of",
}
_TYPE_WORDS = {  # how people write a type by hand, folded as in type_named
    **{t: t for t in INVERSE},
    "related-to": "related",
    "see-also": "related",
    "similar": "related",
    "duplicate": "duplicate-of",
    "duplicates": "duplicate-of",
    "dup-of": "duplicate-of",
    "cause": "caused-by",
    "root-cause": "caused-by",
    "recurrence": "recurrence-of",
    "recurs": "recurrence-of",
    "repeat-of": "recurrence-of",
}
_SECTION_NAMES = (
    "related_issues",
    "related",
    "related_mistakes",
    "related_entries",
    "related_incidents",
    "see_also",
)

_MD_LINK = re.compile(
    r"\[(?P<text>(?:\\.|[^\]\\])*)\]\((?P<target><[^>\n]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)"
)
_BARE_PATH = re.compile(
    r"(?<![\w/.\-\]])(?P<target>(?:\.{1,2}/)?(?:[\w.\-]+/){0,2}\d+(?:-[\w.\-]*)?\.md)\b"
)
_HASH_NUMBER = re.compile(r"(?<![\w&#/])#(?P<number>\d{1,9})(?![\w\-])")
# a number at the start of a list item or line: ``- 005``, ``**003** - x``, ``1. 058: x``
_LEAD_NUMBER = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?(?P<number>\d{1,9})(?:\*\*|__)?"
    r"(?=\s*$|\s*[-–—:|]\s|\s*[:|]$|\s+\()"
)
_OTHER_TRACKERS = {"pr", "prs", "pull", "issue", "issues", "gh", "ticket", "bug", "jira", "mr"}
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+\1")
_TYPE_PREFIX = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?[*_]*(?P<type>[A-Za-z][A-Za-z _\-]*?)[*_]*\s*:[*_]*\s*$"
)


class LinkSectionError(MistakesError):
    """The template has no Related Issues section to write links in."""


@dataclass(frozen=True)
class LinkPlace:
    """Where links live in entries of a template: ``section`` is the Related Issues heading,
    ``target`` the leaf links are written to (the section itself, or its first leaf),
    ``leaves`` every leaf whose links are read."""

    section: SectionSpec
    target: SectionSpec
    leaves: tuple[SectionSpec, ...]


def link_place(template: Template) -> LinkPlace:
    """The template's Related Issues section (by its title, as data). LinkSectionError when
    the template has none."""
    found = None
    for spec in template.sections:
        if normalize_heading(spec.title) in _SECTION_NAMES or spec.key in _SECTION_NAMES:
            found = spec
            break
    if found is None:
        raise LinkSectionError(
            f"{template.source}: the template has no 'Related Issues' section; links between "
            "entries are written there (add '## Related Issues' to the template)"
        )
    if found.is_leaf:
        return LinkPlace(found, found, (found,))
    leaves = tuple(s for s in template.children(found.key) if s.is_leaf)
    if not leaves:
        raise LinkSectionError(
            f"{template.source}: the template's '{found.title}' section has no section to "
            "write links in"
        )
    return LinkPlace(found, leaves[0], leaves)


def type_named(text: str) -> str | None:
    """A link type as typed (``Duplicate of``, ``caused_by``) -> its name, or None."""
    word = re.sub(r"[\s_\-]+", "-", text.strip().lower()).strip("-")
    return _TYPE_WORDS.get(word)


@dataclass(frozen=True)
class WrittenLink:
    """A link as read from a line: its type, the entry number it names, ``target`` the path
    as written (``""`` for ``#5`` and ``005``), and where: ``index`` the line (0-based in the
    text read), ``start``/``end`` the columns of the reference."""

    type: str
    number: int
    target: str
    index: int
    start: int
    end: int

    @property
    def name(self) -> str:
        """The file name the link points at (``""`` for a number)."""
        return self.target.rsplit("/", 1)[-1]


def entry_target(target: str, folder_name: str) -> str | None:
    """The entry file name a link target points at, or None when it points elsewhere.

    ``005-foo.md``, ``./005-foo.md``, ``mistakes/005-foo.md`` (or the folder's own name),
    ``../mistakes/005-foo.md`` count; URLs, absolute paths and other folders do not."""
    target = target.strip().removeprefix("<").removesuffix(">")
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target or "://" in target or target.startswith(("/", "mailto:")):
        return None
    parts = [p for p in target.split("/") if p not in ("", ".")]
    if not parts or parse_entry_filename(parts[-1]) is None:
        return None
    folders = {"mistakes", folder_name}
    ok = (
        len(parts) == 1
        or (len(parts) == 2 and parts[0] in folders)
        or (len(parts) == 3 and parts[0] == ".." and parts[1] in folders)
    )
    return parts[-1] if ok else None


def read_links(text: str, folder_name: str = "mistakes", numbers: bool = True) -> list[WrittenLink]:
    """The links in a section's text, in order. ``numbers``: also read ``#5`` and a number
    leading a list item (only in the section links are written to). Code is not read."""
    found: list[WrittenLink] = []
    for index, line, in_code in structural_lines(text.split("\n")):
        if not in_code:
            found.extend(_line_links(line, index, folder_name, numbers))
    return found


def _line_links(line: str, index: int, folder_name: str, numbers: bool) -> list[WrittenLink]:
    masked = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
    refs: list[tuple[int, int, int, str]] = []  # start, end, number, target

    def blank(start: int, end: int) -> None:
        nonlocal masked
        masked = masked[:start] + " " * (end - start) + masked[end:]

    for match in list(_MD_LINK.finditer(masked)):
        target = match.group("target")
        name = entry_target(target, folder_name)
        if name is not None:
            clean = target.strip("<>").split("#", 1)[0].split("?", 1)[0]
            number = parse_entry_filename(name)
            assert number is not None
            refs.append((match.start(), match.end(), number, clean))
        blank(match.start(), match.end())  # a link elsewhere (a URL): nothing in it counts
    for match in list(_BARE_PATH.finditer(masked)):
        name = entry_target(match.group("target"), folder_name)
        if name is not None:
            number = parse_entry_filename(name)
            assert number is not None
            refs.append((match.start(), match.end(), number, match.group("target")))
            blank(match.start(), match.end())
    if numbers:
        lead = _LEAD_NUMBER.match(masked)
        if lead:
            start, end = lead.span("number")
            refs.append((start, end, int(lead.group("number")), ""))
            blank(start, end)
        for match in _HASH_NUMBER.finditer(masked):
            before = masked[: match.start()].split()
            if before and before[-1].lower().strip("(*_") in _OTHER_TRACKERS:
                continue  # "PR #12", "issue #7": another tracker's number
            refs.append((match.start(), match.end(), int(match.group("number")), ""))
    if not refs:
        return []
    refs.sort()
    link_type = RELATED
    prefix = _TYPE_PREFIX.match(line[: refs[0][0]])
    if prefix:
        link_type = type_named(prefix.group("type")) or RELATED
    return [WrittenLink(link_type, n, target, index, s, e) for s, e, n, target in refs]


def link_at(text_line: str, column: int, folder_name: str = "mistakes") -> WrittenLink | None:
    """The link under the cursor on one line (else the line's first link), or None."""
    links = read_links(text_line, folder_name)
    for link in links:
        if link.start <= column <= link.end:
            return link
    return links[0] if links else None


def _escape_label(text: str) -> str:
    text = " ".join(one_line(text).split())
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def link_line(link_type: str, number: int, title: str, filename: str) -> str:
    """The line ``mistakes link`` writes: ``- [003 Title](003-slug.md)`` for ``related``,
    ``- duplicate-of: [003 Title](003-slug.md)`` for the others."""
    label = f"{number:03d} {_escape_label(title)}".strip()
    target = f"<{filename}>" if re.search(r"[\s()<>]", filename) else filename
    link = f"[{label}]({target})"
    return f"- {link}" if link_type == RELATED else f"- {link_type}: {link}"


_SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "to", "for", "and", "or", "with", "by", "at"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", ascii_fold(text).lower())) - _SMALL_WORDS


def renamed_to(old_name: str, new_name: str, new_title: str) -> bool:
    """Is ``new_name`` (an entry with the number of ``old_name``) the file ``old_name``
    became? Yes when the old name's slug and the new name with the entry's title share half
    the words of the shorter (two at least): a renamed file, or a title edited; no for another
    entry that took
    the number (an import renumbers: ``056-inconsistent-apis.md`` is not ``056-run-id.md``)."""
    stem = old_name.removesuffix(".md")
    old = _words(stem.split("-", 1)[1]) if "-" in stem else set()
    if not old:
        return True  # "005.md" names nothing but its number
    new = _words(new_name.removesuffix(".md").split("-", 1)[-1]) | _words(new_title)
    common, fewer = len(old & new), min(len(old), len(new))
    return common >= min(2, fewer) and 2 * common >= fewer


def retarget(line: str, old: str, new: str) -> str:
    """The line with a link's target ``old`` (and a label that is the old file name) now
    pointing at ``new``; the folder part as written is kept."""
    folder = old[: len(old) - len(old.rsplit("/", 1)[-1])]
    return line.replace(old, folder + new)
