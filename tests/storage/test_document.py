"""The entry document: lenient, lossless reading and minimal, in-place writing."""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mistakes.domain.entry import ChecklistItem, Entry, new_entry
from mistakes.domain.template import Template
from mistakes.storage.document import Document, new_document
from mistakes.storage.errors import EntryParseError
from mistakes.storage.parse import MAX_FILE_BYTES, parse_document, parse_text

BASE = """\
---
# a comment at the top
title: Connection pool exhausted   # short title
date: 2026-01-07
reporter: mk
severity: high
status: investigating
tags: [database, api]
version: 1.10
flag: no
code: 010
at: 12:30
environment:
  app_version: v2.3.0
  os: Debian 12
custom_list:
  - one
  - two
---

Text before the first section.

## Error Description

### What Happened

The pool ran out.

```python
# not a heading
## also not a heading
print("x")
```

### Actual Behavior

Requests hung.

## Unknown Section

Kept as is.

## Solution

### The Fix

Raised the pool size.

#### Details

Sub-heading text.

### Code Changes

```diff
- pool_size=5
+ pool_size=20
```

## Prevention Strategy

### Code Changes

- Add a check.

## Follow-up Actions

- [ ] Update documentation to prevent recurrence
- [x] Add tests to catch this type of error
- [ ] Share learnings
"""


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two texts, line breaks kept, each sorted.

    Sorted because difflib may align a run of blank lines either side of an insertion.
    """
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed.extend(a[i1:i2])
            added.extend(b[j1:j2])
    return sorted(removed), sorted(added)


def diff_text(old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "old", "new"))


def edit(text: str, template: Template, change: Callable[[Entry], object]) -> tuple[str, Document]:
    """Parse, apply ``change`` to a copy of the entry, render."""
    doc = parse_text(text, template)
    entry = doc.to_entry().copy()
    change(entry)
    return doc.render(entry), doc


def assert_changes(old: str, new: str, removed: list[str], added: list[str]) -> None:
    got_removed, got_added = changed_lines(old, new)
    assert (got_removed, got_added) == (sorted(removed), sorted(added)), (
        f"unexpected change; the diff is:\n{diff_text(old, new)}"
    )


# -- reading -------------------------------------------------------------------------------


def test_fields_groups_and_sections_are_read(template: Template) -> None:
    entry = parse_text(BASE, template).to_entry()
    assert entry.fields == {
        "title": "Connection pool exhausted",
        "date": "2026-01-07",
        "reporter": "mk",
        "severity": "high",
        "status": "investigating",
        "tags": ["database", "api"],
    }
    assert entry.groups == {"environment": {"app_version": "v2.3.0", "os": "Debian 12"}}
    assert entry.sections["actual_behavior"] == "Requests hung."
    assert entry.sections["solution_code_changes"] == "```diff\n- pool_size=5\n+ pool_size=20\n```"
    assert entry.sections["prevention_strategy_code_changes"] == "- Add a check."
    assert entry.follow_up == [
        ChecklistItem("Update documentation to prevent recurrence", False),
        ChecklistItem("Add tests to catch this type of error", True),
        ChecklistItem("Share learnings", False),
    ]


def test_values_are_strings_exactly_as_typed(template: Template) -> None:
    entry = parse_text(BASE, template).to_entry()
    assert entry.extra == {
        "version": "1.10",
        "flag": "no",
        "code": "010",
        "at": "12:30",
        "custom_list": ["one", "two"],
    }
    assert entry.date == "2026-01-07"


@pytest.mark.parametrize(
    "value", ["2026-01-07", "2026-1-7", "2026-01", "2026-01-07 10:30", "2026-01-07T10:30:00+02:00"]
)
def test_dates_stay_as_written(template: Template, value: str) -> None:
    entry = parse_text(f"---\ntitle: t\ndate: {value}\n---\n", template).to_entry()
    assert entry.date == value


def test_unknown_section_and_preamble_are_kept(template: Template) -> None:
    doc = parse_text(BASE, template)
    entry = doc.to_entry()
    assert entry.extra_sections == {"Unknown Section": "Kept as is."}
    assert doc.blocks[0].kind == "preamble"
    assert "Text before the first section." in doc.blocks[0].body


def test_heading_inside_a_code_fence_stays_in_its_section(template: Template) -> None:
    entry = parse_text(BASE, template).to_entry()
    assert "## also not a heading" in entry.sections["what_happened"]
    assert "# not a heading" in entry.sections["what_happened"]
    assert "also_not_a_heading" not in entry.extra_sections
    assert list(entry.extra_sections) == ["Unknown Section"]


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_heading_inside_other_fences_is_text(template: Template, fence: str) -> None:
    text = f"## Error Messages\n\n{fence}\n## Solution\n### The Fix\n{fence}\n"
    entry = parse_text(text, template).to_entry()
    assert entry.sections == {"error_messages": f"{fence}\n## Solution\n### The Fix\n{fence}"}


def test_a_deeper_heading_inside_a_section_belongs_to_it(template: Template) -> None:
    entry = parse_text(BASE, template).to_entry()
    assert entry.sections["fix"] == "Raised the pool size.\n\n#### Details\n\nSub-heading text."


@pytest.mark.parametrize(
    "heading, key",
    [
        ("### The Fix", "fix"),
        ("### Fix", "fix"),
        ("### the fix", "fix"),
        ("### THE FIX", "fix"),
        ("### **The Fix**", "fix"),
        ("### What happened", "what_happened"),
        ("### Monitoring / Alerts", "monitoring_alerts"),
    ],
)
def test_sections_match_by_title_case_insensitively(
    template: Template, heading: str, key: str
) -> None:
    entry = parse_text(f"{heading}\n\nbody\n", template).to_entry()
    assert entry.sections == {key: "body"}, f"{heading!r} should be read as {key}"


def test_code_changes_is_resolved_by_its_group(template: Template) -> None:
    text = (
        "## Prevention Strategy\n\n### Code Changes\n\nprevent\n\n"
        "## Solution\n\n### Code Changes\n\nfix\n"
    )
    entry = parse_text(text, template).to_entry()
    assert entry.sections == {
        "prevention_strategy_code_changes": "prevent",
        "solution_code_changes": "fix",
    }


def test_date_encountered_key_is_read_as_the_date(template: Template) -> None:
    text = "---\ntitle: T\ndate_encountered: 2025-12-01\n---\n"
    doc = parse_text(text, template)
    entry = doc.to_entry()
    assert entry.date == "2025-12-01"
    assert entry.extra == {}


def test_duplicate_keys_are_reported_with_file_lines(template: Template) -> None:
    text = "---\ntitle: A\nstatus: active\ntitle: B\n---\n"
    doc = parse_text(text, template)
    assert doc.to_entry().title == "B"
    assert len(doc.problems) == 1, doc.problems
    line, message = doc.problems[0]
    assert line == 4, f"the second 'title' is on line 4 of the file, reported {line}"
    assert "title" in message


def test_a_file_without_frontmatter_is_read(template: Template) -> None:
    text = "# My incident\n\n## Error Messages\n\nboom\n"
    entry = parse_text(text, template).to_entry()
    assert entry.fields == {}
    assert entry.sections == {"error_messages": "boom"}


# -- unchanged save ------------------------------------------------------------------------


def _variants() -> list[tuple[str, str]]:
    crlf = BASE.replace("\n", "\r\n")
    return [
        ("lf", BASE),
        ("crlf", crlf),
        ("bom", "\ufeff" + BASE),
        ("bom-crlf", "\ufeff" + crlf),
        ("no-final-newline", BASE.rstrip("\n")),
        ("crlf-no-final-newline", crlf.rstrip("\r\n")),
        ("extra-blank-lines-at-end", BASE + "\n\n\n"),
        ("empty", ""),
        ("only-frontmatter", "---\ntitle: x\n---\n"),
        ("only-frontmatter-no-newline", "---\ntitle: x\n---"),
        ("empty-frontmatter", "---\n---\n"),
        ("body-only", "just some text"),
    ]


@pytest.mark.parametrize("name, text", _variants(), ids=[n for n, _ in _variants()])
def test_unchanged_save_gives_the_same_bytes(template: Template, name: str, text: str) -> None:
    data = text.encode("utf-8")
    doc = parse_document(data, template)
    assert doc.render(doc.to_entry()).encode("utf-8") == data
    assert doc.render(doc.to_entry().copy()).encode("utf-8") == data
    assert doc.encode() == data


# -- minimal edits -------------------------------------------------------------------------


def test_changing_status_rewrites_only_its_line(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.fields.__setitem__("status", "resolved"))
    assert_changes(BASE, new, ["status: investigating\n"], ["status: resolved\n"])


def test_changing_the_title_keeps_its_comment(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.fields.__setitem__("title", "Pool: exhausted"))
    assert_changes(
        BASE,
        new,
        ["title: Connection pool exhausted   # short title\n"],
        ["title: 'Pool: exhausted'   # short title\n"],
    )


def test_changing_tags_rewrites_only_the_tags_line(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.fields.__setitem__("tags", ["db", "yes"]))
    assert_changes(BASE, new, ["tags: [database, api]\n"], ["tags: [db, 'yes']\n"])


def test_clearing_a_field_removes_its_line(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.fields.__setitem__("severity", ""))
    assert_changes(BASE, new, ["severity: high\n"], [])


def test_setting_a_new_field_inserts_one_line_in_template_order(template: Template) -> None:
    text = BASE.replace("reporter: mk\n", "")
    new, _ = edit(text, template, lambda e: e.fields.__setitem__("reporter", "zoe"))
    assert_changes(text, new, [], ["reporter: zoe\n"])
    assert new == BASE.replace("reporter: mk\n", "reporter: zoe\n")


def test_changing_a_group_value_rewrites_only_its_line(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.groups["environment"].__setitem__("os", "macOS"))
    assert_changes(BASE, new, ["  os: Debian 12\n"], ["  os: macOS\n"])


def test_adding_a_group_value_inserts_it_in_order(template: Template) -> None:
    new, _ = edit(
        BASE, template, lambda e: e.groups["environment"].__setitem__("python_version", "3.12")
    )
    assert_changes(BASE, new, [], ["  python_version: '3.12'\n"])
    assert "  app_version: v2.3.0\n  python_version: '3.12'\n  os: Debian 12\n" in new


def test_clearing_every_group_value_removes_the_group_key(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.groups.__setitem__("environment", {}))
    assert_changes(
        BASE, new, ["environment:\n", "  app_version: v2.3.0\n", "  os: Debian 12\n"], []
    )


def test_changing_an_extra_key_rewrites_only_its_line(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.extra.__setitem__("version", "1.11"))
    assert_changes(BASE, new, ["version: 1.10\n"], ["version: '1.11'\n"])


def test_date_encountered_is_edited_in_place(template: Template) -> None:
    text = "---\ntitle: T\ndate_encountered: 2025-12-01  # when\nstatus: active\n---\n"
    new, _ = edit(text, template, lambda e: e.fields.__setitem__("date", "2025-12-02"))
    assert new == "---\ntitle: T\ndate_encountered: 2025-12-02  # when\nstatus: active\n---\n"


def test_changing_one_section_rewrites_only_its_text(template: Template) -> None:
    new, _ = edit(
        BASE,
        template,
        lambda e: e.sections.__setitem__("actual_behavior", "Requests hung.\n\nThen failed."),
    )
    assert_changes(BASE, new, [], ["\n", "Then failed.\n"])


def test_replacing_a_section_text_changes_only_that_section(template: Template) -> None:
    new, _ = edit(
        BASE, template, lambda e: e.sections.__setitem__("prevention_strategy_code_changes", "x")
    )
    assert_changes(BASE, new, ["- Add a check.\n"], ["x\n"])


def test_toggling_one_checklist_item_changes_one_line(template: Template) -> None:
    def toggle(entry: Entry) -> None:
        entry.follow_up[2].done = True

    new, _ = edit(BASE, template, toggle)
    assert_changes(BASE, new, ["- [ ] Share learnings\n"], ["- [x] Share learnings\n"])


def test_toggling_keeps_the_bullet_and_indentation(template: Template) -> None:
    text = "## Follow-up Actions\n\nIntro.\n\n  * [X] one\n  * [ ] two\n\nOutro.\n"

    def toggle(entry: Entry) -> None:
        entry.follow_up[1].done = True

    new, _ = edit(text, template, toggle)
    assert_changes(text, new, ["  * [ ] two\n"], ["  * [x] two\n"])


def test_adding_a_checklist_item_appends_after_the_last_item(template: Template) -> None:
    def add(entry: Entry) -> None:
        entry.follow_up.append(ChecklistItem("Write a runbook"))

    new, _ = edit(BASE, template, add)
    assert_changes(BASE, new, [], ["- [ ] Write a runbook\n"])
    assert new.endswith("- [ ] Share learnings\n- [ ] Write a runbook\n")


def test_adding_a_section_to_an_existing_group_inserts_it_in_template_order(
    template: Template,
) -> None:
    new, _ = edit(
        BASE, template, lambda e: e.sections.__setitem__("expected_behavior", "It works.")
    )
    assert_changes(BASE, new, [], ["### Expected Behavior\n", "\n", "It works.\n", "\n"])
    assert new.index("### What Happened") < new.index("### Expected Behavior")
    assert new.index("### Expected Behavior") < new.index("### Actual Behavior")
    assert parse_text(new, template).to_entry().sections["expected_behavior"] == "It works."


def test_adding_a_section_of_a_missing_group_adds_the_group_heading(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.sections.__setitem__("why_it_happened", "Leak."))
    assert_changes(
        BASE,
        new,
        [],
        ["## Root Cause Analysis\n", "\n", "### Why It Happened\n", "\n", "Leak.\n", "\n"],
    )
    assert new.index("### Actual Behavior") < new.index("## Root Cause Analysis")
    assert new.index("## Root Cause Analysis") < new.index("## Solution")
    assert parse_text(new, template).to_entry().sections["why_it_happened"] == "Leak."


def test_adding_a_top_level_section_puts_it_in_template_order(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.sections.__setitem__("references", "- PEP 8"))
    assert_changes(BASE, new, [], ["## References\n", "\n", "- PEP 8\n", "\n"])
    assert new.index("- Add a check.") < new.index("## References")
    assert new.index("## References") < new.index("## Follow-up Actions")


def test_adding_a_section_at_the_end_of_a_file_without_checklist(template: Template) -> None:
    text = "---\ntitle: T\n---\n\n## Error Messages\n\nboom\n"
    new, _ = edit(text, template, lambda e: e.sections.__setitem__("references", "- link"))
    assert new == "---\ntitle: T\n---\n\n## Error Messages\n\nboom\n\n## References\n\n- link\n"


def test_clearing_the_only_section_of_a_group_removes_the_group(template: Template) -> None:
    new, _ = edit(
        BASE, template, lambda e: e.sections.__setitem__("prevention_strategy_code_changes", "")
    )
    assert_changes(
        BASE,
        new,
        ["## Prevention Strategy\n", "\n", "### Code Changes\n", "\n", "- Add a check.\n", "\n"],
        [],
    )
    assert parse_text(new, template).to_entry().sections.get("solution_code_changes")


def test_clearing_one_of_two_sections_keeps_the_group(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.sections.pop("actual_behavior"))
    assert_changes(BASE, new, ["### Actual Behavior\n", "\n", "Requests hung.\n", "\n"], [])
    assert "## Error Description" in new


def test_clearing_the_last_block_leaves_one_final_newline(template: Template) -> None:
    text = "---\ntitle: T\n---\n\n## Error Messages\n\nboom\n\n## References\n\n- link\n"
    new, _ = edit(text, template, lambda e: e.sections.pop("references"))
    assert new == "---\ntitle: T\n---\n\n## Error Messages\n\nboom\n"


def test_emptying_an_extra_section_removes_it(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.extra_sections.__setitem__("Unknown Section", ""))
    assert_changes(BASE, new, ["## Unknown Section\n", "\n", "Kept as is.\n", "\n"], [])


def test_changing_an_extra_section_rewrites_only_its_text(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.extra_sections.__setitem__("Unknown Section", "New"))
    assert_changes(BASE, new, ["Kept as is.\n"], ["New\n"])


def test_deleting_an_extra_section_removes_it(template: Template) -> None:
    new, _ = edit(BASE, template, lambda e: e.extra_sections.pop("Unknown Section"))
    assert_changes(BASE, new, ["## Unknown Section\n", "\n", "Kept as is.\n", "\n"], [])


def test_an_unclosed_fence_in_new_text_is_closed(template: Template) -> None:
    new, _ = edit(
        BASE, template, lambda e: e.sections.__setitem__("actual_behavior", "```\n## Solution")
    )
    after = parse_text(new, template).to_entry()
    assert after.sections["actual_behavior"] == "```\n## Solution\n```"
    assert after.sections["fix"].startswith("Raised the pool size.")


def test_labelled_and_capitalised_keys_are_read_and_edited_in_place(template: Template) -> None:
    text = (
        "---\nTitle: A\nDate Encountered: 2025-01-02\nSeverity: High\n"
        "environment_details:\n  OS: linux\n  Python Version: 3.11\n---\n"
    )
    doc = parse_text(text, template)
    entry = doc.to_entry()
    assert entry.fields == {"title": "A", "date": "2025-01-02", "severity": "High"}
    assert entry.groups == {"environment": {"os": "linux", "python_version": "3.11"}}
    assert entry.extra == {}

    def change(e: Entry) -> None:
        e.fields["severity"] = "low"
        e.groups["environment"]["os"] = "mac"
        e.groups["environment"]["app_version"] = "v1"

    new, _ = edit(text, template, change)
    assert new == (
        "---\nTitle: A\nDate Encountered: 2025-01-02\nSeverity: low\n"
        "environment_details:\n  app_version: v1\n  OS: mac\n  Python Version: 3.11\n---\n"
    )


def test_editing_a_duplicated_key_changes_the_value_that_is_read(template: Template) -> None:
    text = "---\ntitle: A\nstatus: active\ntitle: B\n---\n"
    new, _ = edit(text, template, lambda e: e.fields.__setitem__("title", "C"))
    assert new == "---\ntitle: A\nstatus: active\ntitle: C\n---\n"
    assert parse_text(new, template).to_entry().title == "C"


def test_frontmatter_closed_with_dots(template: Template) -> None:
    text = "---\ntitle: A\n...\n\n## Error Messages\n\nboom\n"
    doc = parse_text(text, template)
    assert doc.to_entry().sections == {"error_messages": "boom"}
    new, _ = edit(text, template, lambda e: e.fields.__setitem__("title", "C"))
    assert new == text.replace("title: A", "title: C")


def test_adding_solution_code_changes_goes_under_solution(template: Template) -> None:
    text = BASE.replace("### Code Changes\n\n```diff\n- pool_size=5\n+ pool_size=20\n```\n\n", "")
    new, _ = edit(
        text, template, lambda e: e.sections.__setitem__("solution_code_changes", "```\nx\n```")
    )
    assert_changes(text, new, [], ["### Code Changes\n", "\n", "```\n", "x\n", "```\n", "\n"])
    assert new.index("Sub-heading text.") < new.index("```\nx\n```") < new.index("## Prevention")
    entry = parse_text(new, template).to_entry()
    assert entry.sections["solution_code_changes"] == "```\nx\n```"
    assert entry.sections["prevention_strategy_code_changes"] == "- Add a check."


def test_adding_prevention_code_changes_creates_its_group(template: Template) -> None:
    text = "## Solution\n\n### Code Changes\n\nfix\n\n## References\n\n- r\n"
    new, _ = edit(
        text, template, lambda e: e.sections.__setitem__("prevention_strategy_code_changes", "p")
    )
    assert new == (
        "## Solution\n\n### Code Changes\n\nfix\n\n"
        "## Prevention Strategy\n\n### Code Changes\n\np\n\n"
        "## References\n\n- r\n"
    )
    entry = parse_text(new, template).to_entry()
    assert entry.sections == {
        "solution_code_changes": "fix",
        "prevention_strategy_code_changes": "p",
        "references": "- r",
    }


# -- line endings, BOM, final newline after an edit ----------------------------------------


def _set_status(entry: Entry) -> None:
    entry.fields["status"] = "resolved"


def _set_section(entry: Entry) -> None:
    entry.sections["actual_behavior"] = "Requests hung.\nThen failed."


def _toggle_last(entry: Entry) -> None:
    entry.follow_up[-1].done = True


def _add_section(entry: Entry) -> None:
    entry.sections["why_it_happened"] = "Leak."


def _add_group_value(entry: Entry) -> None:
    entry.groups["environment"]["python_version"] = "3.12"


def _clear_group_section(entry: Entry) -> None:
    entry.sections["prevention_strategy_code_changes"] = ""


EDITS = {
    "status": _set_status,
    "section": _set_section,
    "toggle-last": _toggle_last,
    "add-section": _add_section,
    "add-group-value": _add_group_value,
    "clear-group-section": _clear_group_section,
}


@pytest.mark.parametrize("edit_name", list(EDITS))
def test_crlf_stays_crlf_after_an_edit(template: Template, edit_name: str) -> None:
    text = BASE.replace("\n", "\r\n")
    new, _ = edit(text, template, EDITS[edit_name])
    assert new != text
    assert "\n" not in new.replace("\r\n", ""), f"a bare LF crept in:\n{new!r}"
    lf_new, _ = edit(BASE, template, EDITS[edit_name])
    assert new == lf_new.replace("\n", "\r\n"), "the CRLF edit differs from the LF edit"


@pytest.mark.parametrize("edit_name", list(EDITS))
def test_bom_is_kept_after_an_edit(template: Template, edit_name: str) -> None:
    text = "\ufeff" + BASE
    new, _ = edit(text, template, EDITS[edit_name])
    lf_new, _ = edit(BASE, template, EDITS[edit_name])
    assert new == "\ufeff" + lf_new


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("edit_name", list(EDITS))
def test_missing_final_newline_stays_missing_after_an_edit(
    template: Template, edit_name: str, crlf: bool
) -> None:
    base = BASE.replace("\n", "\r\n") if crlf else BASE
    nl = "\r\n" if crlf else "\n"
    text = base.removesuffix(nl)
    new, _ = edit(text, template, EDITS[edit_name])
    expected, _ = edit(base, template, EDITS[edit_name])
    assert new == expected.removesuffix(nl), diff_text(expected.removesuffix(nl), new)


def test_adding_frontmatter_to_a_file_without_it(template: Template) -> None:
    text = "\ufeff# H1\r\n\r\n## Error Messages\r\n\r\nboom\r\n"
    new, _ = edit(text, template, _set_status)
    assert new == (
        "\ufeff---\r\nstatus: resolved\r\n---\r\n\r\n# H1\r\n\r\n## Error Messages\r\n\r\nboom\r\n"
    )


def test_adding_a_section_after_frontmatter_without_final_newline(template: Template) -> None:
    text = "---\ntitle: x\n---"
    new, _ = edit(text, template, lambda e: e.sections.__setitem__("fix", "Done."))
    assert new.splitlines()[:3] == ["---", "title: x", "---"], repr(new)
    entry = parse_text(new, template).to_entry()
    assert entry.title == "x"
    assert entry.sections == {"fix": "Done."}
    assert not new.endswith("\n"), "the file had no final newline"


def test_adding_the_first_section_to_a_frontmatter_only_file(template: Template) -> None:
    text = "---\ntitle: x\n---\n"
    new, _ = edit(text, template, lambda e: e.sections.__setitem__("fix", "Done."))
    assert new == "---\ntitle: x\n---\n\n## Solution\n\n### The Fix\n\nDone.\n"


def test_final_newline_is_kept_after_an_edit(template: Template) -> None:
    new, _ = edit(BASE, template, _toggle_last)
    assert new.endswith("- [x] Share learnings\n")


# -- fresh documents -----------------------------------------------------------------------


def test_new_document_renders_a_fresh_entry(template: Template) -> None:
    from datetime import date

    entry = new_entry(template, "  Disk   full ", today=date(2026, 3, 4))
    entry.sections["fix"] = "\n\nFreed space.\n\n"
    entry.sections["what_happened"] = "   \n"  # empty: not written
    text = new_document(template).render(entry)
    assert text == (
        "---\n"
        "title: Disk full\n"
        "date: 2026-03-04\n"
        "status: active\n"
        "---\n"
        "\n"
        "## Solution\n"
        "\n"
        "### The Fix\n"
        "\n"
        "Freed space.\n"
        "\n"
        "## Follow-up Actions\n"
        "\n"
        "- [ ] Update documentation to prevent recurrence\n"
        "- [ ] Add tests to catch this type of error\n"
        "- [ ] Share learnings with other app teams (if relevant)\n"
        "- [ ] Schedule review to ensure fix is holding\n"
    )


def test_new_document_of_an_empty_entry_is_empty(template: Template) -> None:
    assert new_document(template).render(Entry()) == ""


# -- bad input -----------------------------------------------------------------------------


def _error(data: bytes | str, template: Template) -> EntryParseError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(EntryParseError) as info:
        parse_document(raw, template, "x.md")
    return info.value


def test_python_tag_is_an_error_with_the_file_line(template: Template, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'---\ntitle: t\nx: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
    error = _error(text, template)
    assert error.line == 3, f"the tag is on line 3 of the file: {error}"
    assert not marker.exists(), "the python tag was executed"


def test_billion_laughs_is_refused_quickly(template: Template) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    text = "---\n" + "\n".join(lines) + "\n---\n"
    started = time.perf_counter()
    error = _error(text, template)
    assert time.perf_counter() - started < 2.0
    assert "alias" in error.message, error.message


def test_a_file_over_the_size_cap_is_refused(template: Template) -> None:
    data = b"---\ntitle: big\n---\n" + b"x" * MAX_FILE_BYTES
    started = time.perf_counter()
    error = _error(data, template)
    assert time.perf_counter() - started < 2.0
    assert "KiB" in error.message and "not read" in error.message, error.message


def test_a_file_at_the_size_cap_is_read(template: Template) -> None:
    head = b"---\ntitle: big\n---\n\n"
    data = head + b"x" * (MAX_FILE_BYTES - len(head))
    assert parse_document(data, template).to_entry().title == "big"


def test_huge_frontmatter_is_refused(template: Template) -> None:
    text = "---\ntitle: t\n" + "".join(f"k{i}: v\n" for i in range(40_000)) + "---\n"
    error = _error(text, template)
    assert "too large" in error.message


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("---\n- a\n- b\n---\n", 2, "mapping"),
        ("---\njust text\n---\n", 2, "mapping"),
        ("---\n\n\n'quoted'\n---\n", 4, "mapping"),
        ("---\ntitle: t\nstatus: active\n", 1, "never closed"),
        ("---\ntitle: t\n", 1, "never closed"),
        ("---\ntitle: t\nstatus: [a, b\n---\n", 4, "invalid YAML"),
        ("---\ntitle: t\n  bad: indent\n---\n", 3, "invalid YAML"),
        ("---\ntitle: t\nx: 'unclosed\n---\n", 4, "invalid YAML"),  # end of the YAML
        ("---\ntitle: t\nx: !custom v\n---\n", 3, "not allowed"),
    ],
    ids=[
        "list",
        "scalar",
        "scalar-after-blank-lines",
        "unclosed",
        "unclosed-short",
        "unclosed-flow-list",
        "bad-indent",
        "unclosed-quote",
        "custom-tag",
    ],
)
def test_bad_frontmatter_names_the_file_line(
    template: Template, text: str, line: int, words: str
) -> None:
    error = _error(text, template)
    assert words in error.message, error.message
    assert error.line == line, f"expected line {line} of the file, got {error}"
    assert str(error).startswith(f"x.md:{line}: ")


def test_frontmatter_after_a_bom_names_the_file_line(template: Template) -> None:
    error = _error("\ufeff---\ntitle: t\nx: [\n---\n", template)
    assert error.line == 4


def test_crlf_frontmatter_errors_name_the_file_line(template: Template) -> None:
    error = _error("---\r\ntitle: t\r\n- x\r\n---\r\n", template)
    assert error.line == 3, str(error)


@pytest.mark.parametrize(
    "data, line",
    [
        (b"\xff\xfe---\n", 1),
        (b"---\ntitle: ok\n---\n\nfine\n\xc3\x28 broken\n", 6),
        (b"---\ntitle: caf\xe9\n---\n", 2),
    ],
)
def test_non_utf8_bytes_name_the_line(template: Template, data: bytes, line: int) -> None:
    error = _error(data, template)
    assert "UTF-8" in error.message
    assert error.line == line, str(error)


@pytest.mark.parametrize(
    "data, line",
    [(b"\x00", 1), (b"---\ntitle: a\x00b\n---\n", 2), (b"## Fix\n\nok\nbin\x00ary\n", 4)],
)
def test_nul_bytes_name_the_line(template: Template, data: bytes, line: int) -> None:
    error = _error(data, template)
    assert "NUL" in error.message
    assert error.line == line, str(error)


def test_control_character_in_frontmatter_is_an_entry_parse_error(template: Template) -> None:
    error = _error("---\ntitle: ok\nreporter: a\x07b\n---\n", template)
    assert error.line == 3, str(error)


def test_horizontal_rule_at_the_top_is_not_frontmatter(template: Template) -> None:
    text = "----\ntitle: x\n"
    doc = parse_text(text, template)
    assert doc.to_entry().fields == {}
    assert doc.render(doc.to_entry()) == text
