"""The template is data: everything about sections and fields comes from its Markdown."""

from __future__ import annotations

import pytest

from mistakes.domain.template import FieldKind, Template, TemplateError, parse_template
from mistakes.storage.template_file import default_template_text

SEED_LEAVES = [
    "what_happened",
    "expected_behavior",
    "actual_behavior",
    "configuration",
    "error_messages",
    "steps_to_reproduce",
    "initial_diagnosis",
    "steps_taken",
    "tools_used",
    "why_it_happened",
    "contributing_factors",
    "fix",
    "solution_code_changes",
    "configuration_changes",
    "commands_run",
    "prevention_strategy_code_changes",
    "process_changes",
    "monitoring_alerts",
    "verification_steps",
    "test_results",
    "affected_components",
    "user_impact",
    "what_we_learned",
    "knowledge_gaps_identified",
    "similar_past_issues",
    "dependencies",
    "references",
]


def test_default_template_is_the_seed(template: Template) -> None:
    from tests.conftest import REPO

    seed = REPO.parent / "shared" / "seed" / "000_fc7e34b7d0e6089c.txt"
    if seed.exists():
        assert default_template_text() == seed.read_text("utf-8")
    assert template.name == "Mistake Documentation Template"
    assert template.description.startswith("Use this template")


def test_metadata_fields(template: Template) -> None:
    by_key = {f.key: f for f in template.fields}
    assert list(by_key) == ["title", "date", "reporter", "severity", "status", "tags"]
    assert by_key["title"].hint == "Brief Error Title"
    assert by_key["date"].kind is FieldKind.DATE
    assert by_key["date"].aliases == ("date_encountered",)
    assert by_key["reporter"].kind is FieldKind.TEXT
    assert by_key["reporter"].hint == "Your name/initials"
    assert by_key["severity"].choices == ("critical", "high", "medium", "low")
    assert by_key["status"].choices == ("active", "investigating", "resolved")
    assert by_key["tags"].kind is FieldKind.TAGS
    assert by_key["tags"].suggestions == (
        "setup",
        "database",
        "sdk",
        "testing",
        "api",
        "deployment",
    )


def test_environment_group(template: Template) -> None:
    assert [g.key for g in template.groups] == ["environment"]
    env = template.groups[0]
    assert [f.key for f in env.fields] == [
        "app_version",
        "sdk_version",
        "python_version",
        "os",
        "environment",
    ]
    assert env.fields[-1].choices == ("development", "testing", "production")
    assert env.fields[0].hint == "App version or commit hash"


def test_sections_in_template_order(template: Template) -> None:
    assert [s.key for s in template.leaves()] == SEED_LEAVES
    groups = [s.key for s in template.sections if not s.is_leaf]
    assert groups[:2] == ["error_description", "environment_details"]
    fix = template.section("fix")
    assert fix is not None and fix.title == "The Fix" and fix.parent == "solution"
    messages = template.section("error_messages")
    assert messages is not None and messages.level == 2 and messages.hint_is_code


def test_hints_become_placeholders(template: Template) -> None:
    what = template.section("what_happened")
    assert what is not None and what.hint == "[Detailed description of what went wrong]"
    references = template.section("references")
    assert references is not None
    assert "---" not in references.hint and "Follow-up" not in references.hint


def test_checklist(template: Template) -> None:
    assert template.checklist is not None
    assert template.checklist.title == "Follow-up Actions"
    assert template.checklist.defaults[0] == "Update documentation to prevent recurrence"
    assert len(template.checklist.defaults) == 4


def test_duplicate_leaf_titles_are_qualified(template: Template) -> None:
    solution = template.section("solution_code_changes")
    prevention = template.section("prevention_strategy_code_changes")
    assert solution is not None and prevention is not None
    assert template.display_title(solution) == "Solution > Code Changes"
    assert template.section_named("Code Changes") is None  # ambiguous
    assert template.section_named("solution > code changes") is solution
    assert template.section_named("The Fix") is template.section_named("fix")


@pytest.mark.parametrize(
    ("name", "dotted"),
    [
        ("status", "status"),
        ("Date Encountered", "date"),
        ("date_encountered", "date"),
        ("environment.os", "environment.os"),
        ("os", "environment.os"),
        ("Python Version", "environment.python_version"),
    ],
)
def test_field_lookup(template: Template, name: str, dotted: str) -> None:
    spec = template.field_named(name)
    assert spec is not None and spec.dotted == dotted


CUSTOM = """\
# Bug Log

Our team's bug template.

## Bug: [One line summary]

**Priority:** P1 | P2 | P3
**Owner:** [who fixes it]
**Found On:** YYYY-MM-DD
**Labels:** [ui, backend]

## Symptoms
What users saw.

## Diagnosis

### Cause
Why.

### Fix
How.

```md
## Not a section (inside a fence)
```

**Checklist:**
- [ ] Add a regression test
- [ ] Tell support
"""


def test_custom_template() -> None:
    t = parse_template(CUSTOM, source="custom.md")
    assert t.name == "Bug Log"
    assert t.title_label == "Bug" and t.title_hint == "One line summary"
    assert [f.key for f in t.fields] == ["title", "priority", "owner", "date", "labels"]
    assert t.top_field("priority") is not None
    assert t.top_field("priority").choices == ("p1", "p2", "p3")  # type: ignore[union-attr]
    assert t.tags_field is not None and t.tags_field.key == "labels"
    assert [s.key for s in t.leaves()] == ["symptoms", "cause", "fix"]
    fix = t.section("fix")
    assert fix is not None and "Not a section" in fix.hint
    assert t.checklist is not None and t.checklist.defaults == (
        "Add a regression test",
        "Tell support",
    )
    assert t.groups == ()


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("no heading at all\n", "no '# Name' heading", 1),
        ("# T\n\n## Summary\n", "no title heading", 1),
        ("# T\n\n## Bug: [x]\n", "no '##' sections", 1),
        ("# T\n\n## Bug: [x]\n\n### Orphan\n", "before any '##'", 5),
        ("# T\n## Bug: [x]\n## A\n### X\n## B\n### X\n## A\n", "both called", 7),
    ],
)
def test_bad_templates_name_the_line(text: str, message: str, line: int) -> None:
    with pytest.raises(TemplateError) as info:
        parse_template(text, source="bad.md")
    assert message in str(info.value)
    assert info.value.line == line
    assert str(info.value).startswith(f"bad.md:{line}:")
