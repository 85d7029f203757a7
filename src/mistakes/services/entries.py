"""Entry operations shared by the CLI and the app: find, create, change, check, export."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mistakes.domain.code_sections import stored_section_text
from mistakes.domain.entry import (
    ChecklistItem,
    Entry,
    is_full_date,
    new_entry,
    split_tags,
    validate_value,
)
from mistakes.domain.errors import MistakesError
from mistakes.domain.naming import parse_entry_filename, snake_key
from mistakes.domain.occurrences import RESOLVED_KEY, occurrences, resolved_on
from mistakes.domain.resolution import Requirement, is_resolved, missing, refusal
from mistakes.domain.template import DATE_KEY, TITLE_KEY, FieldKind, FieldSpec, Template
from mistakes.services.config import UserConfig, load_user_config, resolved_requirements
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


class ResolveRefused(MistakesError):
    """Resolved was asked for while sections it requires are empty; nothing was written."""

    def __init__(self, path: Path | None, missing_titles: list[str], hint: str = "") -> None:
        where = f"{path}: " if path is not None else ""
        how = f" ({hint})" if hint else ""
        super().__init__(f"{where}not set to resolved: {refusal(missing_titles)}{how}")
        self.path = path
        self.missing = missing_titles


class EntryService:
    def __init__(
        self,
        folder: EntryFolder,
        config: UserConfig | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.folder = folder
        self.config = config
        self.today = today
        self._rules: list[Requirement] | None = None

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
    def create(self, entry: Entry, *, gate: bool = False, force: bool = False) -> StoredEntry:
        """Write a new entry. ``gate``: a Resolved entry must have the sections Resolved
        requires (ResolveRefused unless ``force``) and gets ``resolved:`` today unless it
        gives its own day: ``new``, the app and the MCP server's ``new``. Imports record
        what the source gives (see :mod:`mistakes.services.importer`)."""
        self._validate(entry)
        if gate:
            entry = self.resolving(entry, None, force=force)
        return self.folder.create(entry)

    def save(self, stored: StoredEntry, entry: Entry, *, force: bool = False) -> StoredEntry:
        """Save over ``stored``. Setting the status to Resolved while a section it requires
        is empty raises ResolveRefused (nothing written) unless ``force``; the day it
        becomes Resolved is kept as ``resolved:`` in the frontmatter."""
        self._validate(entry, previous=stored.entry)
        entry = self.resolving(entry, stored.entry, force=force, path=stored.path)
        return self.folder.save(stored, entry)

    # -- Resolved: what it requires, and the day it happened -----------------------------------
    @property
    def resolve_rules(self) -> list[Requirement]:
        """The sections Resolved requires (config ``resolved_requires``; see config.py)."""
        if self._rules is None:
            config = self.config if self.config is not None else load_user_config()
            self._rules = resolved_requirements(self.root, self.template, config)
        return self._rules

    def becomes_resolved(self, entry: Entry, previous: Entry | None) -> bool:
        was = previous is not None and is_resolved(previous.text("status"))
        return is_resolved(entry.text("status")) and not was

    def missing_for_resolved(self, entry: Entry) -> list[str]:
        """The titles of the sections Resolved requires that ``entry`` leaves empty."""
        return missing(entry, self.resolve_rules)

    def resolving(
        self, entry: Entry, previous: Entry | None, *, force: bool = False, path: Path | None = None
    ) -> Entry:
        """``entry`` as saved: ``resolved:`` set to today when it becomes Resolved (and
        dropped when it stops being Resolved), unless the edit sets it itself. Raises
        ResolveRefused when it becomes Resolved with required sections empty."""
        old_day = resolved_on(previous) if previous is not None else ""
        own_day = resolved_on(entry) != old_day
        if self.becomes_resolved(entry, previous):
            empty = self.missing_for_resolved(entry)
            if empty and not force:
                raise ResolveRefused(path, empty)
            if not own_day:
                entry = entry.copy()
                entry.extra[RESOLVED_KEY] = self.today().isoformat()
        elif (
            previous is not None
            and is_resolved(previous.text("status"))
            and not is_resolved(entry.text("status"))
            and old_day
            and not own_day
        ):  # reopened: the day it was resolved no longer holds
            entry = entry.copy()
            entry.extra.pop(RESOLVED_KEY, None)
        return entry

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

    def compose(
        self,
        title: str,
        *,
        values: Mapping[str, str] | None = None,
        tags: Iterable[str] = (),
        fields: Iterable[str] = (),
        sections: Iterable[tuple[str, str]] = (),
    ) -> Entry:
        """A new entry (not saved) from what ``mistakes new`` and the MCP server's ``new``
        are given: ``values`` of named fields (severity, status, reporter, date), tags,
        ``NAME=VALUE`` field assignments and (section name or key, text) pairs.

        Raises :class:`UsageError` for a field or section the template does not have, or a
        value it does not take, before anything is written."""
        entry = new_entry(self.template, title)
        assignments: list[Assignment] = []
        for name, value in (values or {}).items():
            if self.template.field_named(name) is None:
                raise UsageError(f"the template has no field '{name}'")
            assignments.append(Assignment(name, "=", value))
        tag_list = [tag for tag in tags if tag.strip()]
        if tag_list:
            tags_field = self.template.tags_field
            if tags_field is None:
                raise UsageError("the template has no tags field")
            assignments.append(Assignment(tags_field.key, "=", ",".join(tag_list)))
        assignments += [parse_assignment(text) for text in fields]
        for name, text in sections:
            spec = self.template.section_named(name)
            if spec is None:
                raise UsageError(f"no section '{name}' in the template")
            entry.sections[spec.key] = self.section_text(spec.key, text)
        for assignment in assignments:
            self.assign(entry, assignment)
        return entry

    def fill_environment(self, entry: Entry, cwd: Path | None = None) -> None:
        """Fill the environment fields the machine can tell, where the entry has none."""
        for group in self.template.groups:
            values = entry.groups.setdefault(group.key, {})
            missing = [f.key for f in group.fields if not values.get(f.key, "").strip()]
            from mistakes.services import environment  # platform, subprocess: new entries only

            values.update(environment.detect(missing, cwd))

    def fill_reporter(self, entry: Entry, names: Mapping[str, str] | None = None) -> None:
        """The reporter of a new entry, where it has none: git's ``user.name`` of the
        folder's repository, through ``names`` (the user config's ``[reporters]``, read
        when not given)."""
        spec = self.template.field_named("reporter")
        if spec is None or spec.group is not None or entry.value(spec):
            return
        if names is None:
            names = load_user_config().reporters
        from mistakes.services import git  # new entries only

        name = git.reporter_name(self.root, names)
        if name:
            entry.set_value(spec, name)

    # -- assignments (``set``, ``new --field``) ------------------------------------------------
    def writes_text(self, name: str) -> bool:
        """Does an assignment to ``name`` write free text (a section, the checklist, an extra
        section or frontmatter key), where a pasted log or config may hold secrets? A
        template field (a choice, a date, tags) does not."""
        return self.template.field_named(name) is None

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
    def check(self, strict: bool = False) -> list[Problem]:
        """Everything wrong in the folder, one problem per line of output. ``strict``:
        also Resolved entries that leave a section Resolved requires empty."""
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
            if strict and is_resolved(stored.entry.text("status")):
                empty = self.missing_for_resolved(stored.entry)
                if empty:
                    status_spec = self.template.top_field("status")
                    key = (doc.frontmatter_key(status_spec) if status_spec else None) or "status"
                    line = doc.key_line(key) or 1
                    problems.append(Problem(stored.path, line, f"resolved, but {refusal(empty)}"))
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

    def secret_warnings(self) -> list[Problem]:
        """What looks like a secret in the entry files (keys, tokens, passwords: see
        :mod:`mistakes.services.secrets`), one warning per find, by file and line. Files
        that cannot be read are :meth:`check`'s problems, not looked at here."""
        from mistakes.services.secrets import find_secrets  # check only

        warnings: list[Problem] = []
        paths, _skipped = self.folder.scan()  # links and devices are never read
        for path in paths:
            try:  # the file as it is (no parse: a secret is one wherever it sits)
                text = self.folder.read(path).decode("utf-8", errors="replace")
            except (OSError, MistakesError):
                continue
            for found in find_secrets(text):
                warnings.append(
                    Problem(
                        path,
                        found.line,
                        f"warning: this looks like a secret ({found.kind}); "
                        f"replace it with [REDACTED:{found.kind}]",
                    )
                )
        warnings.sort(key=lambda p: (str(p.path), p.line))
        return warnings


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
    seen = occurrences(entry)
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
        "resolved": resolved_on(entry),
        "seen": len(seen),
        "occurrences": [o.to_json() for o in seen],
    }
