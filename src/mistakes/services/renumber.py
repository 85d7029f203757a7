"""``mistakes renumber``: give an entry whose number another entry also uses (two branches
both made 042) the next free number, and point the links at its new name.

The file is renamed with ``git mv`` when git tracks it (so the history follows it), else
renamed on disk; every entry that links to the old name (``[042](042-slug.md)``, a
reference definition ``[x]: 042-slug.md``) is rewritten, with the smallest change, and
saved the safe way (refused when it changed since it was read).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mistakes.domain.naming import NUMBER_WIDTH, parse_entry_filename
from mistakes.services import git
from mistakes.services.entries import EntryService, UsageError
from mistakes.storage.atomic import replace_file
from mistakes.storage.folder import StoredEntry


@dataclass
class Renumbered:
    old: Path
    new: Path
    with_git: bool
    rewritten: list[StoredEntry] = field(default_factory=list)  # entries whose links changed
    renamed: StoredEntry | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "old": str(self.old),
            "new": str(self.new),
            "git_mv": self.with_git,
            "links_rewritten_in": [str(s.path) for s in self.rewritten],
        }


def renamed_file(name: str, number: int) -> str:
    """``042-pool.md`` with number 57 -> ``057-pool.md`` (the slug is kept)."""
    digits = len(name) - len(name.lstrip("0123456789"))
    return f"{number:0{NUMBER_WIDTH}d}{name[digits:]}"


def rewrite_links(text: str, old_name: str, new_name: str, folder: str = "mistakes") -> str:
    """Point the Markdown links to ``old_name`` at ``new_name``: inline links
    ``[text](old_name)`` (with ``./``, ``mistakes/`` or ``../FOLDER/`` in front, ``<...>``,
    a ``#fragment`` or a title) and reference definitions ``[label]: old_name``. A link's
    text that is the old number, stem or name (``[042](042-pool.md)``) becomes the new one.
    Everything else is left as it is."""
    old_stem, new_stem = old_name.removesuffix(".md"), new_name.removesuffix(".md")
    old_number = old_name[: len(old_name) - len(old_name.lstrip("0123456789"))]
    new_number = new_name[: len(new_name) - len(new_name.lstrip("0123456789"))]
    texts = {old_number: new_number, old_stem: new_stem, old_name: new_name}
    if old_number.lstrip("0"):
        texts[old_number.lstrip("0")] = new_number.lstrip("0") or "0"
    folders = "|".join(re.escape(f) for f in sorted({"mistakes", folder}))
    path = rf"(?:\./)?(?:(?:\.\./)?(?:{folders})/)?"  # ./, mistakes/, ../mistakes/
    target = re.escape(old_name)
    inline = re.compile(
        r"\[(?P<text>[^\[\]\n]*)\]\((?P<open>\s*<?" + path + ")" + target + r"(?=[#)\s>])"
    )

    def fix_inline(match: re.Match[str]) -> str:
        label = match.group("text")
        label = texts.get(label, label)
        return f"[{label}]({match.group('open')}{new_name}"

    text = inline.sub(fix_inline, text)
    definition = re.compile(
        r"(?m)^(?P<head> {0,3}\[[^\]\n]+\]:[ \t]*<?" + path + ")" + target + r"(?=[#>\s]|$)"
    )
    return definition.sub(lambda m: m.group("head") + new_name, text)


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
    after, _problems = service.all()
    for entry in after:
        text = entry.document.text()
        changed = rewrite_links(text, path.name, target.name, service.root.resolve().name)
        if changed != text:
            replace_file(entry.path, changed.encode("utf-8"), entry.digest)
            saved = folder.load(entry.path)
            done.rewritten.append(saved)
            if entry.path == target:
                done.renamed = saved
    if done.renamed is None:
        done.renamed = folder.load(target)
    return done
