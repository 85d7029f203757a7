"""An entry as the program sees it: template fields, sections and the follow-up checklist."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mistakes.domain.markdown import strip_blank_edges
from mistakes.domain.template import DATE_KEY, TITLE_KEY, FieldKind, FieldSpec, Template

FieldValue = str | list[str]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE = re.compile(
    r"^\d{4}(-\d{2}){0,2}"  # 2026, 2026-11, 2026-11-28
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"  # an optional time
)


@dataclass
class ChecklistItem:
    text: str
    done: bool = False


@dataclass
class Entry:
    """Values keyed by the template's keys. Missing and empty mean the same: not written.

    ``extra`` holds frontmatter keys the template does not know, as read (kept on save);
    ``extra_sections`` holds body sections under headings the template does not know.
    """

    fields: dict[str, FieldValue] = field(default_factory=dict)
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    follow_up: list[ChecklistItem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    extra_sections: dict[str, str] = field(default_factory=dict)

    # -- convenience over the template's well-known fields --------------------------------
    @property
    def title(self) -> str:
        return self.text(TITLE_KEY)

    @property
    def date(self) -> str:
        return self.text(DATE_KEY)

    def text(self, key: str) -> str:
        value = self.fields.get(key, "")
        return ", ".join(value) if isinstance(value, list) else value

    def tags(self, template: Template) -> list[str]:
        spec = template.tags_field
        if spec is None:
            return []
        value = self.fields.get(spec.key, [])
        return list(value) if isinstance(value, list) else split_tags(value)

    def value(self, spec: FieldSpec) -> FieldValue:
        if spec.group:
            return self.groups.get(spec.group, {}).get(spec.key, "")
        default: FieldValue = [] if spec.kind is FieldKind.TAGS else ""
        return self.fields.get(spec.key, default)

    def set_value(self, spec: FieldSpec, value: FieldValue) -> None:
        if spec.group:
            if isinstance(value, list):
                value = ", ".join(value)
            self.groups.setdefault(spec.group, {})[spec.key] = value
        elif spec.kind is FieldKind.TAGS and isinstance(value, str):
            self.fields[spec.key] = split_tags(value)
        else:
            self.fields[spec.key] = value

    def copy(self) -> Entry:
        return copy.deepcopy(self)


def split_tags(value: str) -> list[str]:
    """``"db, api"`` -> ``["db", "api"]``; also takes spaces and ``#`` prefixes."""
    parts = re.split(r"[,\s]+", value)
    return [p.lstrip("#").strip() for p in parts if p.lstrip("#").strip()]


def normalize_section_text(text: str) -> str:
    """Section text as stored: LF line breaks, no blank lines at either end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return strip_blank_edges(text)


def new_entry(template: Template, title: str = "", today: date | None = None) -> Entry:
    """A fresh entry: today's date, the first status choice, the default checklist."""
    entry = Entry()
    entry.fields[TITLE_KEY] = " ".join(title.split())
    date_spec = template.top_field(DATE_KEY)
    if date_spec is not None:
        entry.fields[DATE_KEY] = (today or date.today()).isoformat()
    status = template.top_field("status")
    if status is not None and status.choices:
        entry.fields["status"] = status.choices[0]
    if template.checklist is not None:
        entry.follow_up = [ChecklistItem(text) for text in template.checklist.defaults]
    return entry


def validate_value(spec: FieldSpec, value: FieldValue) -> str | None:
    """A message saying what is wrong with a value, or None when it is acceptable."""
    if isinstance(value, list):
        return None
    text = value.strip()
    if not text:
        return None
    if spec.kind is FieldKind.CHOICE and spec.choice_for(text) is None:
        return f"{spec.dotted} '{text}' is not one of: {', '.join(spec.choices)}"
    if spec.kind is FieldKind.DATE and not _PARTIAL_DATE.match(text):
        return f"{spec.dotted} '{text}' is not a date (YYYY-MM-DD)"
    return None


def is_full_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """A plain form of an entry (drafts are kept as JSON)."""
    return {
        "fields": entry.fields,
        "groups": entry.groups,
        "sections": entry.sections,
        "follow_up": [{"text": i.text, "done": i.done} for i in entry.follow_up],
        "extra": entry.extra,
        "extra_sections": entry.extra_sections,
    }


def entry_from_dict(data: dict[str, Any]) -> Entry:
    return Entry(
        fields=dict(data.get("fields", {})),
        groups={k: dict(v) for k, v in data.get("groups", {}).items()},
        sections=dict(data.get("sections", {})),
        follow_up=[
            ChecklistItem(str(i.get("text", "")), bool(i.get("done")))
            for i in data.get("follow_up", [])
        ],
        extra=dict(data.get("extra", {})),
        extra_sections=dict(data.get("extra_sections", {})),
    )
