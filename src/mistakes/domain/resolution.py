"""What "Resolved" asks of an entry: the sections that must be written before it is.

By default Root Cause Analysis and Solution > The Fix, named as the template names them
(a section group counts as written when any section in it is). A team chooses others with
``resolved_requires`` in the entries folder's ``.mistakes.toml`` or the user config.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mistakes.domain.entry import Entry
from mistakes.domain.naming import normalize_heading
from mistakes.domain.template import SectionSpec, Template

RESOLVED = "resolved"
DEFAULT_REQUIRED = ("Root Cause Analysis", "The Fix")


@dataclass(frozen=True)
class Requirement:
    title: str  # as shown in messages (``Root Cause Analysis``, ``Solution > The Fix``)
    leaves: tuple[str, ...]  # the section keys any one of which makes it written


def find_section(template: Template, name: str) -> SectionSpec | None:
    """A section or a section group by key, title or ``Group > Title``."""
    leaf = template.section_named(name)
    if leaf is not None:
        return leaf
    wanted = normalize_heading(name)
    for spec in template.sections:
        if spec.key == name.strip() or normalize_heading(spec.title) == wanted:
            return spec
    return None


def requirements(template: Template, names: Sequence[str]) -> tuple[list[Requirement], list[str]]:
    """The requirements ``names`` stand for in ``template``, and the names it has no
    section for."""
    found: list[Requirement] = []
    unknown: list[str] = []
    for name in names:
        spec = find_section(template, name)
        if spec is None:
            unknown.append(name)
            continue
        if spec.is_leaf:
            title = template.display_title(spec)
            if spec.parent and ">" not in title:
                parent = template.section(spec.parent)
                title = f"{parent.title} > {spec.title}" if parent else title
            found.append(Requirement(title, (spec.key,)))
        else:
            leaves = tuple(s.key for s in template.leaves() if _under(template, s, spec.key))
            found.append(Requirement(spec.title, leaves))
    return found, unknown


def default_requirements(template: Template) -> list[Requirement]:
    """The default rule in this template (a section it does not have is not asked for)."""
    return requirements(template, DEFAULT_REQUIRED)[0]


def _under(template: Template, spec: SectionSpec, group: str) -> bool:
    parent = spec.parent
    while parent:
        if parent == group:
            return True
        above = template.section(parent)
        parent = above.parent if above is not None else None
    return False


def is_resolved(value: str) -> bool:
    return value.strip().lower() == RESOLVED


def missing(entry: Entry, rules: Sequence[Requirement]) -> list[str]:
    """The titles of the required sections the entry leaves empty."""
    return [
        rule.title
        for rule in rules
        if not any(entry.sections.get(key, "").strip() for key in rule.leaves)
    ]


def refusal(missing_titles: Sequence[str]) -> str:
    """Why Resolved is refused: ``Root Cause Analysis and Solution > The Fix are empty``."""
    titles = list(missing_titles)
    if len(titles) == 1:
        return f"{titles[0]} is empty"
    return f"{', '.join(titles[:-1])} and {titles[-1]} are empty"
