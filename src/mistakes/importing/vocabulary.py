"""What headings and labels mean: synonyms for the template's sections and fields, and values.

The template's own titles, keys and aliases always match. On top of them sits a table of the
wordings teams use in hand-written logs (gathered from the files in docs/import-corpus.md).
A synonym whose target the template lacks is ignored, so a team's own template still works.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from mistakes.domain.naming import normalize_heading
from mistakes.domain.template import FieldKind, FieldSpec, SectionSpec, Template

# -- sections ------------------------------------------------------------------------------------

# fmt: off
SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "what_happened": (
        "サマリー", "概要", "経緯", "经过", "chyba", 
        "problem", "the problem", "problem description", "problem statement", "issue",
        "the issue", "issue description", "description", "symptoms", "symptom", "what happened",
        "what went wrong", "mistake", "the mistake", "what i did wrong", "error description",
        "summary", "incident summary", "bug", "bug description", "context", "observation",
        "observed", "situation", "scenario", "the bug", "details", "problem summary",
        "what was wrong", "wrong", "what broke",
        "problema", "descripcion", "probleme", "问题", "问题描述", "现象", "概要",
    ),
    "expected_behavior": (
        "expected", "expected behavior", "expected behaviour", "expected result",
        "expected outcome", "what should have happened", "expected results",
    ),
    "actual_behavior": (
        "actual", "actual behavior", "actual behaviour", "actual result", "actual outcome",
        "observed behavior", "observed behaviour", "actual results",
    ),
    "configuration": ("configuration", "config", "setup", "environment", "environment details"),
    "error_messages": (
        "error", "errors", "error message", "error messages", "error output", "stack trace",
        "stacktrace", "traceback", "logs", "log", "log output", "error log", "exception",
        "the error", "error text", "console output", "错误信息", "报错",
    ),
    "steps_to_reproduce": (
        "steps to reproduce", "reproduction", "reproduction steps", "repro", "repro steps",
        "how to reproduce", "to reproduce", "reproduce",
    ),
    "initial_diagnosis": ("initial diagnosis", "diagnosis", "hypothesis", "first thoughts"),
    "steps_taken": (
        "jak zjistit problem", 
        "steps taken", "investigation", "investigation steps", "investigation process",
        "debugging", "debugging steps", "debugging process", "what we tried", "what i tried",
        "attempts", "attempted fixes", "troubleshooting", "analysis steps", "discovery",
        "how it was found", "how we found it", "detection", "how discovered",
    ),
    "tools_used": ("tools used", "tools", "debugging tools"),
    "why_it_happened": (
        "根本原因分析", "直接原因", "根本原因", "原因分析", "根因", "why（根本原因）", 
        "root cause", "root causes", "the root cause", "root cause analysis", "cause",
        "causes", "why it happened", "why", "reason", "reasons", "underlying cause",
        "underlying issue", "why this happened", "analysis", "explanation", "technical details",
        "why it failed", "what caused it", "causa", "causa raiz", "cause racine", "原因",
        "根本原因", "根因",
    ),
    "contributing_factors": (
        "寄与要因", "contributing factors", "factors", "contributing factor"),
    "fix": (
        "修正", "対応", "解決策", "対策", "co jsem mel udelat", 
        "solution", "the solution", "solutions", "fix", "the fix", "fixes", "fix applied",
        "how we fixed it", "how it was fixed", "how i fixed it", "how to fix", "resolution",
        "resolved by", "workaround", "remedy", "correction", "correct approach",
        "correct pattern", "correct implementation", "the right way", "right way",
        "what fixed it", "solution applied", "corrective action", "corrective actions",
        "fix implemented", "implementation", "mitigation", "solucion", "解决方案", "解决",
        "修复", "对策",
    ),
    "solution_code_changes": (
        "code changes", "code fix", "code change", "code", "before and after",
        "code example", "fixed code", "correct code",
    ),
    "configuration_changes": ("configuration changes", "config changes"),
    "commands_run": ("commands run", "commands", "commands used"),
    "prevention_strategy_code_changes": (
        "prevent", "再発防止", "pravidlo do budoucna", 
        "prevention", "prevention strategy", "prevention strategies", "how to prevent",
        "how to avoid", "to avoid", "avoid", "avoidance", "preventive measures",
        "prevention measures", "preventive actions", "safeguards", "guardrails",
        "how to avoid in the future", "future prevention", "prevencion", "预防", "预防措施",
    ),
    "process_changes": (
        "process", "process changes", "process improvements"),
    "monitoring_alerts": (
        "detect", "検知", "mitigate", "緩和", "monitoring", "monitoring alerts", "alerts",
        "alerting"),
    "verification_steps": (
        "verification", "verification steps", "testing", "testing the fix", "how to verify",
        "validation", "tests", "test", "test cases", "verify", "tests added", "regression test",
    ),
    "test_results": ("test results", "results", "result", "outcome"),
    "affected_components": (
        "affected components", "affected files", "files affected", "components affected",
        "affected areas", "scope", "files changed", "files modified", "affected",
        "affected code", "location", "where", "files",
    ),
    "user_impact": (
        "影響", 
        "impact", "user impact", "business impact", "impact assessment", "consequences",
        "consequence", "effect", "effects", "impact on users", "severity impact", "影响",
    ),
    "what_we_learned": (
        "教訓", "技術的教訓", "技術的な教訓", 
        "lessons learned", "lessons learnt", "lesson learned", "lesson", "lessons",
        "learning", "learnings", "key learnings", "key learning", "key takeaways",
        "key takeaway", "takeaways", "takeaway", "what we learned", "what i learned",
        "insights", "key insight", "key insights", "lecciones aprendidas", "教训", "经验教训",
        "总结",
    ),
    "knowledge_gaps_identified": ("knowledge gaps", "knowledge gaps identified", "gaps"),
    "similar_past_issues": (
        "related", "related issues", "similar issues", "similar past issues", "see also",
        "related mistakes", "related errors", "related files", "related documentation",
        "related docs", "cross references",
    ),
    "dependencies": ("dependencies", "upstream issues"),
    "references": (
        "関連リソース", 
        "references", "reference", "links", "resources", "further reading", "documentation",
        "docs", "sources", "参考", "参考资料",
    ),
}
# fmt: on

# fmt: off
CHECKLIST_SYNONYMS = (
    "アクションアイテム", "待办", "follow up actions", "follow up", "followup", "follow ups",
    "action items", "actions",
    "next steps", "todo", "to do", "todos", "tasks", "checklist", "remaining work",
    "follow up items", "action plan",
)
# fmt: on

# the sections that make a part of a file an entry: what happened, the error, cause or fix
CORE_SECTIONS = frozenset(
    {"what_happened", "actual_behavior", "error_messages", "why_it_happened", "fix"}
)

# -- fields --------------------------------------------------------------------------------------

# fmt: off
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "summary title"),
    "date": (
        "発生日時", "発生日", 
        "date", "date encountered", "encountered", "discovered", "date discovered",
        "discovered on", "occurred", "date occurred", "occurred on", "when", "reported",
        "reported on", "date reported", "created", "created at", "created on", "session date",
        "first seen", "detected", "identified", "date identified", "incident date",
        "logged", "fecha", "日期",
    ),
    "reporter": (
        "作成者", "担当者", 
        "reporter", "reported by", "author", "authors", "by", "owner", "found by",
        "discovered by", "written by", "submitted by", "assignee", "responsible",
    ),
    "severity": (
        "重大度", 
        "severity", "priority", "severity level", "impact level", "criticality", "sev",
        "risk level", "severidad", "严重程度", "严重性",
    ),
    "status": (
        "ステータス", "状態", "status", "state", "current status", "resolution status", "estado",
        "状态"),
    "tags": (
        "tags", "tag", "labels", "label", "category", "categories", "keywords", "topics",
        "area", "areas", "类别", "标签",
    ),
    "environment.app_version": ("app version", "version", "application version", "release"),
    "environment.sdk_version": ("sdk version", "sdk", "framework version"),
    "environment.python_version": ("python version", "python"),
    "environment.os": ("os", "operating system", "platform"),
    "environment.environment": ("environment", "env", "deployment environment"),
}
# fmt: on

# headings whose body is the entry's metadata (a table or "Key: value" lines)
METADATA_HEADINGS = frozenset(
    {
        "metadata",
        "meta",
        "details",
        "incident details",
        "info",
        "information",
        "properties",
        "メタデータ",
        "基本情報",
        "元数据",
    }
)

# -- values --------------------------------------------------------------------------------------

# fmt: off
_SEVERITY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("critical", ("critical", "crit", "blocker", "blocking", "p0", "sev0", "sev 0", "sev-0",
                  "sev1", "sev 1", "sev-1", "urgent", "severe", "catastrophic", "🔴", "🚨")),
    ("high", ("high", "major", "p1", "sev2", "sev 2", "sev-2", "important", "serious",
              "🟠")),
    ("medium", ("medium", "moderate", "med", "normal", "p2", "sev3", "sev 3", "sev-3",
                "mid", "🟡")),
    ("low", ("low", "minor", "trivial", "p3", "p4", "sev4", "sev 4", "sev-4", "cosmetic",
             "🟢", "🔵")),
)
# fmt: on

# fmt: off
_STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("active", ("unresolved", "not fixed", "not resolved", "not yet", "not addressed",
                "unfixed", "open", "active", "new", "todo", "to do", "pending", "recurring",
                "❌", "🔴", "outstanding")),
    ("investigating", ("investigating", "in progress", "in-progress", "wip", "ongoing",
                       "under investigation", "analyzing", "monitoring", "partially fixed",
                       "partial", "partially resolved", "mitigated", "🔄", "🔍", "🚧", "⏳",
                       "🟡")),
    ("resolved", ("resolved", "fixed", "done", "closed", "complete", "completed", "solved",
                  "implemented", "addressed", "documented", "✅", "✔", "☑", "🟢")),
)
# fmt: on

# fmt: off
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# fmt: on


def _words_in(text: str, words: tuple[str, ...]) -> int | None:
    """The position of the first of ``words`` found in text as a whole word (or an emoji)."""
    best: int | None = None
    for word in words:
        if word.isascii():
            match = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text)
            pos = match.start() if match else None
        else:
            found = text.find(word)
            pos = found if found >= 0 else None
        if pos is not None and (best is None or pos < best):
            best = pos
    return best


def _choice_from_words(
    text: str, table: tuple[tuple[str, tuple[str, ...]], ...], choices: tuple[str, ...]
) -> str | None:
    folded = text.casefold()
    for wanted_words in (True, False):  # a word beats an emoji's colour: "🔴 High" is high
        found: list[tuple[int, str]] = []
        for choice, words in table:
            if choice not in choices:
                continue
            chosen = tuple(w for w in words if w.isascii() == wanted_words)
            pos = _words_in(folded, chosen)
            if pos is not None:
                found.append((pos, choice))
        if found:
            return min(found)[1]
    return None


def normalize_choice(spec: FieldSpec, text: str) -> str | None:
    """``🔴 High`` -> ``high``, ``Fixed`` -> ``resolved``; None when nothing fits."""
    direct = spec.choice_for(text.strip())
    if direct is not None:
        return direct
    table: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    if spec.key == "severity":
        table = _SEVERITY_WORDS
    elif spec.key == "status":
        table = _STATUS_WORDS
    if table is not None:
        found = _choice_from_words(text, table, spec.choices)
        if found is not None:
            return found
    folded = text.casefold()
    for choice in spec.choices:  # "Production (eu-west)" -> production
        if _words_in(folded, (choice.casefold(),)) is not None:
            return choice
    return None


def status_from_words(text: str, spec: FieldSpec) -> str | None:
    return _choice_from_words(text, _STATUS_WORDS, spec.choices)


_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)")
_MY = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{4})(?!\d)")  # "04/2026", as in "### [04/2026]"
_MONTH_NAME = re.compile(
    r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]{3,9})\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})"
)


def normalize_date(text: str) -> str | None:
    """The first date in text as ``YYYY-MM-DD`` (or ``YYYY-MM`` when no day is given)."""
    found: list[tuple[int, str]] = []
    for match in _ISO.finditer(text):
        year, month, day = match.group(1), match.group(2), match.group(3)
        value = _valid(int(year), int(month), int(day) if day else None)
        if value:
            found.append((match.start(), value))
            break
    for match in _DMY.finditer(text):
        first, second, year = (int(g) for g in match.groups())
        # 13/04/2026 is day first; 04/13/2026 is month first; 04/05/2026 is read as
        # month/day, as US-written logs dominate the corpus
        month, day = (second, first) if first > 12 else (first, second)
        value = _valid(year, month, day)
        if value:
            found.append((match.start(), value))
            break
    for match in _MY.finditer(text):
        value = _valid(int(match.group(2)), int(match.group(1)), None)
        if value:
            found.append((match.start(), value))
            break
    for match in _MONTH_NAME.finditer(text):
        month = _MONTHS.get(match.group(2).lower())
        if month is None:
            continue
        day_text = match.group(1) or match.group(3)
        value = _valid(int(match.group(4)), month, int(day_text) if day_text else None)
        if value:
            found.append((match.start(), value))
            break
    if not found:
        return None
    return min(found)[1]


def _valid(year: int, month: int, day: int | None) -> str | None:
    if not 1970 <= year <= 2100 or not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# -- matching ------------------------------------------------------------------------------------

_NUMBERING = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?|[ivx]+[.)]|[a-z][.)]|step\s+\d+[:.]?|part\s+\d+[:.]?)\s+", re.I
)
_TRAILING_COLON = re.compile(r"[\s:：.\-–—]+$")


@functools.lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A label as compared: emoji, numbering, emphasis and trailing colons removed."""
    text = strip_symbols(text)
    text = _NUMBERING.sub("", text)
    text = _TRAILING_COLON.sub("", text)
    folded = normalize_heading(text)
    if folded:
        return folded
    # a label with no ASCII letters (Chinese, Japanese, ...): compare it as written
    return re.sub(r"[\s*_`#:：.]+", "", text).casefold()


def strip_symbols(text: str) -> str:
    """Text without emoji, pictographs and variation selectors, spaces tidied."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in {"So", "Cs", "Co"} or char in "\ufe0f\u200d\u20e3":
            continue
        if category == "Sk" and not char.isascii():  # skin tones; keep ^ and `
            continue
        kept.append(char)
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class Target:
    """Where a heading or label goes: a section, a field, or the checklist."""

    kind: str  # "section" | "field" | "checklist"
    key: str  # section key, field dotted name, or checklist key
    title: str  # what the template calls it

    def __str__(self) -> str:
        return self.title


class Vocabulary:
    """The template's names plus the synonym tables, looked up by :func:`label_key`."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.sections: dict[str, Target] = {}
        self.fields: dict[str, Target] = {}
        self.specs: dict[str, FieldSpec] = {spec.dotted: spec for spec in template.all_fields()}
        for spec in template.sections:
            leaf = spec if spec.is_leaf else _first_leaf(template, spec)
            if leaf is None:
                continue
            target = Target("section", leaf.key, template.display_title(leaf))
            for name in (spec.title, spec.key):
                self.sections.setdefault(label_key(name), target)
        if template.checklist is not None:
            check = Target("checklist", template.checklist.key, template.checklist.title)
            for name in (template.checklist.title, *CHECKLIST_SYNONYMS):
                self.sections.setdefault(label_key(name), check)
        for key, names in SECTION_SYNONYMS.items():
            spec_or_none = template.section(key)
            if spec_or_none is None:
                continue
            target = Target("section", key, template.display_title(spec_or_none))
            for name in names:
                self.sections.setdefault(label_key(name), target)
        for field_spec in template.all_fields():
            target = Target("field", field_spec.dotted, field_spec.label)
            for name in (field_spec.label, field_spec.key, *field_spec.aliases):
                self.fields.setdefault(label_key(name), target)
        for dotted, names in FIELD_SYNONYMS.items():
            if dotted not in self.specs:
                continue
            target = Target("field", dotted, self.specs[dotted].label)
            for name in names:
                self.fields.setdefault(label_key(name), target)

    def section(self, text: str) -> Target | None:
        return self.sections.get(label_key(text))

    def field(self, text: str) -> Target | None:
        return self.fields.get(label_key(text))

    def spec(self, target: Target) -> FieldSpec:
        return self.specs[target.key]

    def is_structural_title(self, text: str) -> bool:
        """True when the codec would read a heading with this text as a template section."""
        return label_key(text) in self._structural

    @functools.cached_property
    def _structural(self) -> frozenset[str]:
        template = self.template
        names = {label_key(s.title) for s in template.sections}
        names |= {s.key for s in template.sections}
        if template.checklist is not None:
            names.add(label_key(template.checklist.title))
        return frozenset(names)


def _first_leaf(template: Template, group: SectionSpec) -> SectionSpec | None:
    children = template.children(group.key)
    return children[0] if children else None


def field_value(spec: FieldSpec, text: str) -> tuple[str | list[str] | None, bool]:
    """The value for a field from the wording in a file, and whether that wording is kept whole.

    Returns ``(None, False)`` when the wording gives no valid value.
    """
    cleaned = clean_value(text)
    if not cleaned:
        return None, True
    if spec.kind is FieldKind.CHOICE:
        choice = normalize_choice(spec, cleaned)
        if choice is None:
            return None, False
        return choice, cleaned.casefold() == choice.casefold()
    if spec.kind is FieldKind.DATE:
        value = normalize_date(cleaned)
        if value is None:
            return None, False
        return value, cleaned == value
    if spec.kind is FieldKind.TAGS:
        tags = [
            t
            for t in (part.strip().strip("#`").strip() for part in re.split(r"[,;|]", cleaned))
            if t
        ]
        slugs = [tag_slug(t) for t in tags]
        slugs = [s for s in slugs if s]
        whole = ", ".join(slugs) == ", ".join(t.casefold() for t in tags)
        return (slugs or None), whole
    return cleaned, True


def clean_value(text: str) -> str:
    """A value as written, without emphasis markers, surrounding quotes or a trailing space."""
    text = text.strip()
    text = re.sub(r"^\*+|\*+$", "", text).strip()
    text = re.sub(r"^_+(?=\S)|(?<=\S)_+$", "", text).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`" and text[0] not in text[1:-1]:
        text = text[1:-1].strip()
    return text


def tag_slug(text: str) -> str:
    """``Authentication Issues`` -> ``authentication-issues``; emoji and numbering dropped."""
    text = _NUMBERING.sub("", strip_symbols(text))
    words = re.findall(r"[\w+#.]+", text.casefold())
    slug = "-".join(w.strip(".") for w in words if w.strip("."))
    return slug[:60].strip("-")


# group headings that only say "this is a log": they give no tag
_CONTAINER_WORDS = frozenset(
    {
        "mistakes", "mistake", "made", "errors", "error", "issues", "issue", "log", "logs",
        "entries", "entry", "bugs", "bug", "list", "history", "encountered", "this", "session",
        "the", "of", "and", "all", "known", "documented", "lessons", "learned", "incidents",
        "incident", "problems", "problem", "my", "our", "recent",
    }
)  # fmt: skip


_TRAILING_CONTAINER = frozenset({"issues", "errors", "mistakes", "bugs", "problems", "incidents"})


def group_meaning(text: str, template: Template) -> tuple[str, str]:
    """What a group heading above entries says of them: ``("date", "2026-01-07")`` for a
    day, ``("status", "resolved")`` for "Resolved Bugs", ``("tag", "auth-issues")`` for a
    category, or ``("none", "")`` for a plain container such as "Mistakes Log"."""
    plain = strip_symbols(text)
    day = normalize_date(plain)
    if day is not None:
        return "date", day
    status = template.top_field("status")
    found = status_from_words(plain, status) if status is not None else None
    if found is not None:
        return "status", found
    words = tag_slug(plain).split("-")
    if not any(words) or set(words) <= _CONTAINER_WORDS:
        return "none", ""
    while len(words) > 1 and words[-1] in _TRAILING_CONTAINER:  # "UI/UX Issues" -> ui-ux
        words.pop()
    return "tag", "-".join(words)
