"""The entry template, parsed from Markdown so that a team can bring its own.

How a template reads (the packaged default is the "Mistake Documentation Template"):

- ``# Name`` then a description paragraph.
- The first ``##`` heading holding a ``[placeholder]`` is the entry title
  (``## Error: [Brief Error Title]``); the ``**Field:** hint`` lines under it are the
  entry's metadata fields.
- Every other ``##`` heading is a section group; its ``###`` headings are the sections the
  user writes in. A ``##`` heading with no ``###`` below it is a section by itself. The text
  under a heading is its hint (shown as a placeholder).
- ``**Field:** hint`` lines directly under a ``##`` group (before its first ``###``) are a
  group of fields stored as a nested mapping (``## Environment Details`` -> ``environment``).
- A hint ``A | B | C`` is a choice list, ``[a, b, c]`` a tag list with suggestions,
  ``YYYY-MM-DD`` a date; anything else is free text with the hint as placeholder.
- A bold label with no value followed by ``- [ ]`` items (``**Follow-up Actions:**``) is the
  follow-up checklist and its default items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from mistakes.domain.errors import MistakesError
from mistakes.domain.markdown import CHECKLIST_ITEM, parse_heading, structural_lines
from mistakes.domain.naming import normalize_heading, snake_key


class TemplateError(MistakesError, ValueError):
    """The template text cannot be used; ``line`` is 1-based."""

    def __init__(self, message: str, line: int = 0, source: str = "template") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.source = source

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class FieldKind(Enum):
    TEXT = "text"
    DATE = "date"
    CHOICE = "choice"
    TAGS = "tags"


TITLE_KEY = "title"
DATE_KEY = "date"
_GENERIC_GROUP_WORDS = ("details", "detail", "info", "information", "metadata")
_BOLD_FIELD = re.compile(r"^\s*[-*]?\s*\*\*(?P<label>[^*]+?)(?::\*\*|\*\*\s*:)\s*(?P<hint>.*?)\s*$")
_DATE_HINT = re.compile(r"^(YYYY-MM-DD|yyyy-mm-dd|YYYY-MM-DD HH:MM)$")


@dataclass(frozen=True)
class FieldSpec:
    """One metadata field. ``group`` is the nested mapping it lives in, or None."""

    key: str
    label: str
    kind: FieldKind
    hint: str = ""
    choices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    group: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return (self.group, self.key) if self.group else (self.key,)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def names(self) -> set[str]:
        """Every spelling that refers to this field, normalised."""
        return {self.key, snake_key(self.label), *self.aliases, self.dotted}

    def choice_for(self, value: str) -> str | None:
        """The canonical (lowercase) choice a typed value stands for, or None."""
        wanted = snake_key(value)
        for choice in self.choices:
            if snake_key(choice) == wanted:
                return choice
        return None


@dataclass(frozen=True)
class FieldGroup:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class SectionSpec:
    """A heading of the template. Leaves are where text goes; groups only hold leaves."""

    key: str
    title: str
    level: int
    hint: str = ""
    parent: str | None = None
    is_leaf: bool = True
    order: int = 0

    @property
    def hint_is_code(self) -> bool:
        """True when the template's hint for this section is a code block."""
        return self.hint.lstrip().startswith(("```", "~~~"))


@dataclass(frozen=True)
class ChecklistSpec:
    key: str
    title: str
    defaults: tuple[str, ...]
    order: int = 0


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    title_label: str
    title_hint: str
    fields: tuple[FieldSpec, ...]
    groups: tuple[FieldGroup, ...]
    sections: tuple[SectionSpec, ...]
    checklist: ChecklistSpec | None
    source: str = "template"

    # -- fields ---------------------------------------------------------------------------
    def all_fields(self) -> tuple[FieldSpec, ...]:
        grouped = tuple(f for g in self.groups for f in g.fields)
        return self.fields + grouped

    def top_field(self, key: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.key == key:
                return spec
        return None

    def field_named(self, name: str) -> FieldSpec | None:
        """Find a field by key, label, alias or ``group.key``; an ambiguous name finds None."""
        wanted = name.strip().lower()
        wanted_key = ".".join(snake_key(part) for part in wanted.split("."))
        found = [
            spec
            for spec in self.all_fields()
            if wanted_key in spec.names() or wanted in {n.lower() for n in spec.names()}
        ]
        # a top-level field wins over a grouped field of the same key
        top = [spec for spec in found if spec.group is None]
        if len(top) == 1:
            return top[0]
        return found[0] if len(found) == 1 else None

    def field_of_kind(self, kind: FieldKind) -> FieldSpec | None:
        for spec in self.fields:
            if spec.kind is kind:
                return spec
        return None

    @property
    def tags_field(self) -> FieldSpec | None:
        return self.field_of_kind(FieldKind.TAGS)

    # -- sections -------------------------------------------------------------------------
    def leaves(self) -> tuple[SectionSpec, ...]:
        return tuple(s for s in self.sections if s.is_leaf)

    def section(self, key: str) -> SectionSpec | None:
        for spec in self.sections:
            if spec.key == key:
                return spec
        return None

    def children(self, group_key: str) -> tuple[SectionSpec, ...]:
        return tuple(s for s in self.sections if s.parent == group_key)

    def display_title(self, spec: SectionSpec) -> str:
        """The leaf's title, qualified by its group where another leaf has the same title."""
        same = [s for s in self.leaves() if s.title.lower() == spec.title.lower()]
        if len(same) > 1 and spec.parent:
            parent = self.section(spec.parent)
            return f"{parent.title if parent else spec.parent} > {spec.title}"
        return spec.title

    def _norm_display(self, spec: SectionSpec) -> str:
        return normalize_heading(self.display_title(spec).replace(">", " "))

    def section_named(self, name: str) -> SectionSpec | None:
        """Find a leaf by key, title, or ``Group > Title``; an ambiguous title finds None."""
        wanted = name.strip()
        for spec in self.leaves():
            if wanted == spec.key or wanted.lower() == self.display_title(spec).lower():
                return spec
        norm = normalize_heading(wanted.replace(">", " "))
        matches = [
            spec
            for spec in self.leaves()
            if norm in {normalize_heading(spec.title), spec.key, self._norm_display(spec)}
        ]
        return matches[0] if len(matches) == 1 else None


# -- parsing --------------------------------------------------------------------------------


def _group_key(title: str) -> str:
    words = snake_key(title).split("_")
    while len(words) > 1 and words[-1] in _GENERIC_GROUP_WORDS:
        words.pop()
    return "_".join(words)


def _split_choices(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _field_from(label: str, hint: str, group: str | None) -> FieldSpec:
    label = label.strip()
    hint = hint.strip()
    key = snake_key(label, drop_articles=False)
    inner = hint[1:-1].strip() if hint.startswith("[") and hint.endswith("]") else None
    if _DATE_HINT.match(hint):
        aliases: tuple[str, ...] = ()
        if group is None and key != DATE_KEY:
            aliases, key = (key,), DATE_KEY
        return FieldSpec(key, label, FieldKind.DATE, hint, group=group, aliases=aliases)
    if "|" in (inner if inner is not None else hint):
        labels = _split_choices(inner if inner is not None else hint)
        return FieldSpec(
            key,
            label,
            FieldKind.CHOICE,
            hint,
            choices=tuple(snake_key(c, drop_articles=False).replace("_", "-") for c in labels),
            group=group,
        )
    if inner is not None and "," in inner:
        suggestions = tuple(s.strip() for s in inner.split(",") if s.strip())
        return FieldSpec(key, label, FieldKind.TAGS, hint, suggestions=suggestions, group=group)
    placeholder = inner if inner is not None else hint
    return FieldSpec(key, label, FieldKind.TEXT, placeholder, group=group)


def _clean_hint(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and lines[-1].strip() in {"---", "***", "___"}:
        lines.pop()
        while lines and not lines[-1].strip():
            lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def parse_template(text: str, source: str = "template") -> Template:
    """Read a template from its Markdown text."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")

    name = ""
    description: list[str] = []
    title_label = ""
    title_hint = ""
    title_seen = False
    fields: list[FieldSpec] = []
    groups: dict[str, tuple[str, list[FieldSpec]]] = {}
    raw_sections: list[dict[str, object]] = []
    checklist_title = ""
    checklist_items: list[str] = []
    checklist_line = 0

    context = "preamble"  # preamble | title | group | leaf
    current_group: dict[str, object] | None = None
    current_hint: list[str] | None = None
    pending_checklist: str | None = None

    for index, line, in_code in structural_lines(lines):
        heading = None if in_code else parse_heading(line)
        if heading is not None and heading.level == 1 and not name:
            name = heading.text
            continue
        if heading is not None and heading.level in (2, 3):
            pending_checklist = None
            placeholder = re.search(r"\[([^\]]+)\]", heading.text)
            if heading.level == 2 and placeholder and not title_seen:
                title_seen = True
                title_hint = placeholder.group(1).strip()
                prefix = heading.text[: placeholder.start()].strip().rstrip(":").strip()
                title_label = prefix or "Title"
                context, current_group, current_hint = "title", None, None
                continue
            if heading.level == 2:
                current_group = {
                    "title": heading.text,
                    "level": 2,
                    "hint": [],
                    "line": index + 1,
                    "parent": None,
                }
                raw_sections.append(current_group)
                current_hint = current_group["hint"]  # type: ignore[assignment]
                context = "group"
                continue
            if current_group is None:
                raise TemplateError(
                    f"'### {heading.text}' comes before any '##' section group", index + 1, source
                )
            leaf: dict[str, object] = {
                "title": heading.text,
                "level": 3,
                "hint": [],
                "line": index + 1,
                "parent": current_group,
            }
            raw_sections.append(leaf)
            current_group["has_children"] = True
            current_hint = leaf["hint"]  # type: ignore[assignment]
            context = "leaf"
            continue
        if heading is not None:  # H1 after the name, H4+: hint text
            if current_hint is not None:
                current_hint.append(line)
            continue

        if not in_code:
            item = CHECKLIST_ITEM.match(line)
            if pending_checklist is not None and item:
                checklist_items.append(item.group("text").strip())
                continue
            if pending_checklist is not None and line.strip():
                pending_checklist = None
            bold = _BOLD_FIELD.match(line)
            if bold and not bold.group("hint") and not checklist_title:
                # a bare bold label: the checklist if items follow
                following = [ln for ln in lines[index + 1 : index + 4] if ln.strip()]
                if following and CHECKLIST_ITEM.match(following[0]):
                    checklist_title = bold.group("label").strip()
                    checklist_line = index + 1
                    pending_checklist = checklist_title
                    if current_hint is not None:  # the label is not part of a section's hint
                        while current_hint and current_hint[-1].strip() in {"", "---"}:
                            current_hint.pop()
                    current_hint = None
                    continue
            if bold and bold.group("hint") and context in ("title", "group"):
                if context == "title":
                    fields.append(_field_from(bold.group("label"), bold.group("hint"), None))
                else:
                    assert current_group is not None
                    gkey = _group_key(str(current_group["title"]))
                    title = str(current_group["title"])
                    group_fields = groups.setdefault(gkey, (title, []))[1]
                    group_fields.append(_field_from(bold.group("label"), bold.group("hint"), gkey))
                continue
        if context == "preamble" and name:
            description.append(line)
        elif current_hint is not None:
            current_hint.append(line)

    if not name:
        raise TemplateError("the template has no '# Name' heading", 1, source)
    if not title_seen:
        raise TemplateError(
            "the template has no title heading such as '## Error: [Brief Error Title]'", 1, source
        )
    if not raw_sections:
        raise TemplateError("the template has no '##' sections", 1, source)

    # keys: group keys from titles; leaf keys from titles, qualified where two leaves clash
    sections: list[SectionSpec] = []
    leaf_keys: dict[str, int] = {}
    for raw in raw_sections:
        is_leaf = raw["level"] == 3 or not raw.get("has_children")
        if is_leaf:
            key = snake_key(str(raw["title"]))
            leaf_keys[key] = leaf_keys.get(key, 0) + 1
    group_keys: set[str] = set()
    for order, raw in enumerate(raw_sections):
        is_leaf = raw["level"] == 3 or not raw.get("has_children")
        parent_raw = raw["parent"]
        parent_key = snake_key(str(parent_raw["title"])) if isinstance(parent_raw, dict) else None
        key = snake_key(str(raw["title"]))
        if is_leaf and leaf_keys.get(key, 0) > 1 and parent_key:
            key = f"{parent_key}_{key}"
        if not key:
            raise TemplateError("a section heading has no words", int(str(raw["line"])), source)
        if key in group_keys:
            raise TemplateError(
                f"two sections are both called '{raw['title']}'", int(str(raw["line"])), source
            )
        group_keys.add(key)
        hint_lines = list(raw["hint"])  # type: ignore[call-overload]
        sections.append(
            SectionSpec(
                key=key,
                title=str(raw["title"]),
                level=int(str(raw["level"])),
                hint=_clean_hint(hint_lines),
                parent=parent_key,
                is_leaf=is_leaf,
                order=order,
            )
        )

    checklist = None
    if checklist_title:
        key = snake_key(checklist_title)
        if key in group_keys:
            raise TemplateError(
                f"the checklist '{checklist_title}' has the name of a section",
                checklist_line,
                source,
            )
        checklist = ChecklistSpec(key, checklist_title, tuple(checklist_items), order=len(sections))

    title_field = FieldSpec(TITLE_KEY, title_label or "Title", FieldKind.TEXT, title_hint)
    seen_keys = {TITLE_KEY}
    for spec in fields:
        if spec.key in seen_keys:
            raise TemplateError(f"two fields are both called '{spec.key}'", 0, source)
        seen_keys.add(spec.key)
    for gkey in groups:
        if gkey in seen_keys:
            raise TemplateError(f"the field group '{gkey}' has the name of a field", 0, source)

    return Template(
        name=name,
        description=_clean_hint(description),
        title_label=title_label or "Title",
        title_hint=title_hint,
        fields=(title_field, *fields),
        groups=tuple(FieldGroup(k, t, tuple(fs)) for k, (t, fs) in groups.items()),
        sections=tuple(sections),
        checklist=checklist,
        source=source,
    )
