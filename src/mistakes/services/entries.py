"""Entry operations shared by the CLI and the app: find, create, change, check, export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mistakes.domain.code_sections import stored_section_text
from mistakes.domain.entry import (
    ChecklistItem,
    Entry,
    is_full_date,
    split_tags,
    validate_value,
)
from mistakes.domain.errors import MistakesError
from mistakes.domain.naming import parse_entry_filename, snake_key
from mistakes.domain.template import DATE_KEY, TITLE_KEY, FieldKind, FieldSpec, Template
from mistakes.storage.folder import EntryFolder, Problem, StoredEntry
from mistakes.storage.hints import editing_hints


class UsageError(MistakesError, ValueError):
    """Input from the user that cannot be applied; the message says why."""


@dataclass
class Assignment:
    name: str
    op: str  # "=", "+=", "-="
    value: str


def parse_assignment(text: str) -> Assignment:
    for op in ("+=", "-=", "="):
        name, sep, value = text.partition(op)
        if sep and name.strip() and "=" not in name:
            return Assignment(name.strip(), op, value)
    raise UsageError(f"'{text}' is not FIELD=VALUE")


class EntryService:
    def __init__(self, folder: EntryFolder) -> None:
        self.folder = folder

    @property
    def template(self) -> Template:
        return self.folder.template

    @property
    def root(self) -> Path:
        return self.folder.root

    # -- reading --------------------------------------------------------------------------
    def all(self) -> tuple[list[StoredEntry], list[Problem]]:
        return self.folder.load_all()

    def get(self, ref: str) -> StoredEntry:
        return self.folder.load(self.folder.resolve(ref))

    def editing_hints(self, stored: StoredEntry) -> list[str]:
        """Signs that another program is changing the entry now (a vim swap file, an Emacs
        lock, a git index.lock), one sentence each, to warn with before saving."""
        return editing_hints(stored.path)

    # -- writing --------------------------------------------------------------------------
    def create(self, entry: Entry) -> StoredEntry:
        self._validate(entry)
        return self.folder.create(entry)

    def save(self, stored: StoredEntry, entry: Entry) -> StoredEntry:
        self._validate(entry, previous=stored.entry)
        return self.folder.save(stored, entry)

    def _validate(self, entry: Entry, previous: Entry | None = None) -> None:
        if not entry.title.strip():
            raise UsageError("an entry needs a title")
        for spec in self.template.all_fields():
            value = entry.value(spec)
            if previous is not None and previous.value(spec) == value:
                continue  # an odd value already in the file is not the user's doing now
            problem = validate_value(spec, value)
            if problem:
                raise UsageError(problem)

    def fill_environment(self, entry: Entry, cwd: Path | None = None) -> None:
        """Fill the environment fields the machine can tell, where the entry has none."""
        for group in self.template.groups:
            values = entry.groups.setdefault(group.key, {})
            missing = [f.key for f in group.fields if not values.get(f.key, "").strip()]
            from mistakes.services import environment  # platform, subprocess: new entries only

            values.update(environment.detect(missing, cwd))

    # -- assignments (``set``, ``new --field``) ------------------------------------------------
    def assign(self, entry: Entry, assignment: Assignment) -> None:
        template = self.template
        name = assignment.name
        spec = template.field_named(name)
        if spec is not None:
            self._assign_field(entry, spec, assignment)
            return
        section = template.section_named(name)
        if section is not None:
            if assignment.op != "=":
                entry.sections[section.key] = _append_text(
                    entry.sections.get(section.key, ""), assignment
                )
            else:
                entry.sections[section.key] = self.section_text(section.key, assignment.value)
            return
        checklist = template.checklist
        if checklist is not None and snake_key(name) in {checklist.key, "follow_up"}:
            self._assign_checklist(entry, assignment)
            return
        extra_key = name.removeprefix("extra.")
        if name.startswith("extra.") or extra_key in entry.extra:
            if assignment.op != "=":
                raise UsageError(f"'{name}' takes only '='")
            if assignment.value:
                entry.extra[extra_key] = assignment.value
            else:
                entry.extra.pop(extra_key, None)
            return
        if name in entry.extra_sections:
            entry.extra_sections[name] = assignment.value
            return
        raise UsageError(f"unknown field or section '{name}' ({self.names_hint()})")

    def names_hint(self) -> str:
        fields = ", ".join(f.dotted for f in self.template.all_fields())
        return f"fields: {fields}; sections by key or title, e.g. {self.template.leaves()[0].key}"

    def _assign_field(self, entry: Entry, spec: FieldSpec, assignment: Assignment) -> None:
        value = assignment.value.strip()
        if spec.kind is FieldKind.TAGS:
            current = entry.tags(self.template)
            new = split_tags(value)
            if assignment.op == "+=":
                new = current + [t for t in new if t not in current]
            elif assignment.op == "-=":
                new = [t for t in current if t not in set(new)]
            entry.set_value(spec, new)
            return
        if assignment.op != "=":
            raise UsageError(f"'{spec.dotted}' takes only '=' ('+=' and '-=' are for tags)")
        if spec.key == TITLE_KEY and not value:
            raise UsageError("the title cannot be empty")
        if spec.kind is FieldKind.CHOICE and value:
            choice = spec.choice_for(value)
            if choice is None:
                raise UsageError(
                    f"{spec.dotted} must be one of: {', '.join(spec.choices)} (not '{value}')"
                )
            value = choice
        if spec.kind is FieldKind.DATE and value and not is_full_date(value):
            raise UsageError(f"{spec.dotted} must be a date as YYYY-MM-DD (not '{value}')")
        if spec.key == TITLE_KEY:
            value = " ".join(value.split())
        entry.set_value(spec, value)

    def _assign_checklist(self, entry: Entry, assignment: Assignment) -> None:
        value = assignment.value.strip()
        if assignment.op in ("+=", "-=") and not value:
            raise UsageError(f"'{assignment.name}{assignment.op}' needs an item's text")
        if assignment.op == "+=":
            entry.follow_up.append(ChecklistItem(value))
        elif assignment.op == "-=":
            entry.follow_up = [i for i in entry.follow_up if i.text != value]
        else:
            items = []
            for line in value.splitlines():
                line = line.strip()
                if not line:
                    continue
                done = line.lower().startswith(("- [x]", "[x]"))
                text = line.split("]", 1)[1].strip() if line.startswith(("- [", "[")) else line
                items.append(ChecklistItem(text.lstrip("- ").strip(), done))
            entry.follow_up = items

    def section_text(self, key: str, text: str) -> str:
        """Text as stored in a section: fenced when the template's hint is a code block (the
        one rule, shared with the app's save)."""
        return stored_section_text(self.template.section(key), text)

    # -- checking -------------------------------------------------------------------------
    def check(self) -> list[Problem]:
        """Everything wrong in the folder, one problem per line of output."""
        problems: list[Problem] = []
        entries, unreadable = self.folder.load_all()
        problems.extend(unreadable)
        numbers = Counter(e.number for e in entries)
        numbers.update(
            n for p in unreadable if (n := parse_entry_filename(p.path.name)) is not None
        )
        for stored in entries:
            doc = stored.document
            for problem_line, problem in doc.problems:
                problems.append(Problem(stored.path, problem_line, problem))
            if not stored.entry.title.strip():
                problems.append(Problem(stored.path, doc.key_line(TITLE_KEY) or 1, "no title"))
            for spec in self.template.all_fields():
                invalid = validate_value(spec, stored.entry.value(spec))
                if invalid:
                    file_key = doc.frontmatter_key(spec) if spec.group is None else spec.key
                    line = doc.key_line(file_key or spec.key) or 1
                    problems.append(Problem(stored.path, line, invalid))
            if numbers[stored.number] > 1:
                others = [
                    e.path.name for e in entries if e.number == stored.number and e is not stored
                ]
                problems.append(
                    Problem(
                        stored.path,
                        1,
                        f"number {stored.number:03d} is also used by {', '.join(others)} "
                        "(renumber one: both stay readable by name)",
                    )
                )
        problems.sort(key=lambda p: (str(p.path), p.line))
        return problems


def _append_text(current: str, assignment: Assignment) -> str:
    if assignment.op == "-=":
        raise UsageError("'-=' is for tags and the checklist")
    return f"{current.rstrip()}\n\n{assignment.value}" if current.strip() else assignment.value


# -- the JSON form -------------------------------------------------------------------------------


def record(stored: StoredEntry, template: Template) -> dict[str, Any]:
    """The ``--json`` object of an entry (see README, "JSON output")."""
    entry = stored.entry
    environment_values: dict[str, str] = {}
    for group in template.groups:
        values = entry.groups.get(group.key, {})
        for spec in group.fields:
            environment_values[spec.key] = values.get(spec.key, "")
        for key, value in values.items():
            environment_values.setdefault(key, value)
    sections = {
        template.display_title(spec): entry.sections.get(spec.key, "") for spec in template.leaves()
    }
    fields = {spec.key: entry.value(spec) for spec in template.fields}
    return {
        "path": str(stored.path),
        "number": stored.number,
        "title": entry.title,
        "date": entry.text(DATE_KEY),
        "reporter": entry.text("reporter"),
        "severity": entry.text("severity"),
        "status": entry.text("status"),
        "tags": entry.tags(template),
        "environment": environment_values,
        "sections": sections,
        "follow_up": [{"text": i.text, "done": i.done} for i in entry.follow_up],
        "extra": entry.extra,
        "extra_sections": entry.extra_sections,
        "fields": fields,
    }
