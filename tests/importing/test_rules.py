"""One test per import rule, on small documents written here."""

from __future__ import annotations

import textwrap

import pytest

from mistakes.domain.template import Template
from mistakes.importing.reader import FileImport, read_log
from mistakes.importing.vocabulary import Vocabulary, normalize_choice, normalize_date


def read(template: Template, text: str, *, raw: bool = False) -> FileImport:
    body = text if raw else textwrap.dedent(text).lstrip("\n")
    return read_log(body.encode("utf-8"), "log.md", template)


def titles(report: FileImport) -> list[str]:
    return [item.title for item in report.entries]


# -- splitting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "## Error: {t}",
        "### Error: {t}",
        "## Error #{n} - {t}",
        "## [ERR-01{n}] {t}",
        "## 2026-01-0{n} - {t}",
        "### [0{n}/2026] {t}",
        "## BUG-00{n}: {t}",
        "## Mistake {n}: {t}",
        "### {n}. {t}",
    ],
)
def test_files_with_many_entries_are_split_where_entries_repeat(
    template: Template, heading: str
) -> None:
    parts = []
    for n, t in ((1, "Pool exhausted"), (2, "Cache stampede"), (3, "Clock skew")):
        parts.append(heading.format(n=n, t=t) + "\n\n**Severity:** High\n\nIt broke.\n")
    report = read(template, "# Our error log\n\nIntro words.\n\n" + "\n".join(parts), raw=True)
    found = titles(report)
    assert len(found) == 3
    for title, wanted in zip(
        found, ["Pool exhausted", "Cache stampede", "Clock skew"], strict=True
    ):
        assert title.endswith(wanted)  # ids such as [ERR-011] stay in the title: they are searched
        assert not title.lower().startswith(("error", "mistake", "#", "3.", "2026"))
    assert [s.reason for s in report.skipped] == ["preamble"] or report.skipped[0].text.startswith(
        "# Our error log"
    )
    assert all(item.entry.fields["severity"] == "high" for item in report.entries)


def test_group_headings_become_tags_and_status_and_date(template: Template) -> None:
    report = read(
        template,
        """
        # Log
        ## Authentication Issues
        Things about logins.
        ### Error: Token expired early
        It expired.
        ### Error: Wrong audience
        Audience was wrong.
        ## Resolved Bugs
        ### Error: Slow start
        Cold caches.
        ## 2026-03-04
        ### Error: Disk full
        Logs filled the disk.
        """,
    )
    assert titles(report)[:4] == [
        "Token expired early",
        "Wrong audience",
        "Slow start",
        "Disk full",
    ]
    tags = [item.entry.fields.get("tags", []) for item in report.entries]
    assert tags[:2] == [["authentication"], ["authentication"]]
    assert report.entries[2].entry.fields["status"] == "resolved"
    assert report.entries[3].entry.fields["date"] == "2026-03-04"
    # the words under a group heading are no entry's: kept in the file's notes entry
    assert any("Things about logins." in s.text for s in report.kept)
    assert titles(report)[4:] == ["Notes from Log"]
    assert "Things about logins." in report.entries[4].entry.extra_sections["Notes"]


def test_non_entry_parts_are_reported_not_imported(template: Template) -> None:
    report = read(
        template,
        """
        # Mistakes
        ## Table of Contents
        - [one](#one)
        ## How to use this log
        Copy the template below.
        ## Error: First real one
        ### What Happened
        A real thing.
        ## Error: Second real one
        ### What Happened
        Another.
        ## Template
        ## Error: [Brief Error Title]
        ### What Happened
        [Detailed description of what went wrong]
        """,
    )
    assert titles(report) == ["First real one", "Second real one"]
    reasons = " | ".join(s.reason for s in report.skipped)
    assert "Table of Contents" in reasons
    assert "How to use this log" in reasons
    assert "template" in reasons


def test_headings_inside_code_fences_are_text(template: Template) -> None:
    report = read(
        template,
        """
        # Error: Build breaks
        ## What Happened
        ```bash
        # Error: not a heading
        ## Root Cause
        make all
        ```
        ## Root Cause
        Stale cache.
        """,
    )
    assert titles(report) == ["Build breaks"]
    entry = report.entries[0].entry
    assert "## Root Cause" in entry.sections["what_happened"]
    assert entry.sections["why_it_happened"] == "Stale cache."


# -- sections ----------------------------------------------------------------------------------


def test_headings_map_to_template_sections_by_meaning(template: Template) -> None:
    report = read(
        template,
        """
        # Mistake #7: Wrong timezone
        ## Problem
        Times were off by an hour.
        ## Symptoms
        Reports disagreed.
        ## Root Cause
        Naive datetimes.
        ## How We Fixed It
        Use aware datetimes.
        ## Prevention
        A lint rule.
        ## Lessons Learned
        Always store UTC.
        ## Timeline
        09:00 noticed.
        """,
    )
    item = report.entries[0]
    sections = item.entry.sections
    assert sections["what_happened"].startswith("Times were off by an hour.")
    assert "**Symptoms**\n\nReports disagreed." in sections["what_happened"]
    assert sections["why_it_happened"] == "Naive datetimes."
    assert sections["fix"] == "Use aware datetimes."
    assert sections["prevention_strategy_code_changes"] == "A lint rule."
    assert sections["what_we_learned"] == "Always store UTC."
    assert item.entry.extra_sections == {"Timeline": "09:00 noticed."}
    assert report.unmapped == ["Timeline"]


def test_bold_labels_start_sections_and_checklists(template: Template) -> None:
    report = read(
        template,
        """
        ### 3. **Lambda closure in tests**
        **What happened.** The loop variable was captured late.
        **Root Cause**: closures bind names, not values.
        **Solution**:
        Bind the value with a default argument.

        **Follow-up Actions:**
        - [ ] Add a lint
        - [x] Fix the tests
        """,
    )
    entry = report.entries[0].entry
    assert entry.title == "Lambda closure in tests"
    assert entry.sections["what_happened"] == "The loop variable was captured late."
    assert entry.sections["why_it_happened"] == "closures bind names, not values."
    assert entry.sections["fix"] == "Bind the value with a default argument."
    assert [(i.text, i.done) for i in entry.follow_up] == [
        ("Add a lint", False),
        ("Fix the tests", True),
    ]


def test_subheadings_are_placed_below_their_section(template: Template) -> None:
    report = read(
        template,
        """
        # Bug: Leak
        ## Solution
        Close it.
        ### Bad Example
        open(f)
        ### What Happened
        (a heading that is also a template section name)
        """,
    )
    entry = report.entries[0].entry
    assert "#### Bad Example" in entry.sections["fix"]
    assert entry.sections["what_happened"] == "(a heading that is also a template section name)"


# -- metadata ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "**Severity:** 🔴 High",
        "**Severity**: High",
        "- **Severity**: HIGH",
        "Severity: high",
        "| **Severity** | High |",
    ],
)
def test_metadata_lines_in_every_style(template: Template, line: str) -> None:
    report = read(template, f"# Error: Thing\n\n{line}\n\n## What Happened\nIt broke.\n", raw=True)
    entry = report.entries[0].entry
    assert entry.fields["severity"] == "high"
    assert "severity" not in entry.sections.get("what_happened", "").lower()


def test_normalised_values_keep_their_original_wording(template: Template) -> None:
    report = read(
        template,
        """
        # Error: Thing
        **Severity:** 🔴 High - paging at night
        **Status:** ✅ Fixed in v2.1
        **Date Encountered:** January 5, 2026
        **Type:** design
        ## What Happened
        It broke.
        """,
    )
    entry = report.entries[0].entry
    assert entry.fields["severity"] == "high"
    assert entry.fields["status"] == "resolved"
    assert entry.fields["date"] == "2026-01-05"
    assert entry.extra == {"type": "design"}
    kept = entry.extra_sections["Original Metadata"]
    assert "🔴 High - paging at night" in kept
    assert "✅ Fixed in v2.1" in kept
    assert "January 5, 2026" in kept


def test_a_heading_whose_body_is_the_value(template: Template) -> None:
    report = read(
        template,
        """
        # Mistake #2: Config drift
        ## Severity
        Critical
        ## Categories
        testing, ci
        ## Problem
        Drift.
        """,
    )
    entry = report.entries[0].entry
    assert entry.fields["severity"] == "critical"
    assert entry.fields["tags"] == ["testing", "ci"]


def test_status_words_and_emoji_in_headings(template: Template) -> None:
    report = read(
        template,
        """
        ## Error: Login loop (RESOLVED)
        Loops.
        ## ✅ FIXED ERROR #2 - Stale token
        Stale.
        ## Error: Slow build - IN PROGRESS
        Slow.
        """,
    )
    assert titles(report) == ["Login loop", "Stale token", "Slow build"]
    statuses = [item.entry.fields.get("status") for item in report.entries]
    assert statuses == ["resolved", "resolved", "investigating"]


def test_frontmatter_keys_map_to_fields_and_unknown_keys_are_kept(template: Template) -> None:
    report = read(
        template,
        """
        ---
        title: Cache stampede
        date_encountered: 2026-02-03
        category: caching
        owner_team: platform
        ---
        # Cache stampede at midnight
        ## Problem
        Everything expired at once.
        """,
    )
    entry = report.entries[0].entry
    assert entry.fields["date"] == "2026-02-03"
    assert entry.fields["tags"] == ["caching"]
    assert entry.extra["owner_team"] == "platform"
    assert entry.title == "Cache stampede at midnight"
    assert entry.extra["title_original"] == "Cache stampede"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🔴 High", "high"),
        ("CRITICAL", "critical"),
        ("P1", "high"),
        ("SEV-2", "high"),
        ("Minor", "low"),
    ],
)
def test_severity_words(template: Template, text: str, expected: str) -> None:
    spec = template.top_field("severity")
    assert spec is not None
    assert normalize_choice(spec, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fixed", "resolved"),
        ("✅ Resolved", "resolved"),
        ("In Progress", "investigating"),
        ("Not yet addressed", "active"),
        ("Unresolved", "active"),
        ("Open", "active"),
    ],
)
def test_status_words(template: Template, text: str, expected: str) -> None:
    spec = template.top_field("status")
    assert spec is not None
    assert normalize_choice(spec, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-07", "2026-01-07"),
        ("2026/1/7", "2026-01-07"),
        ("January 7, 2026", "2026-01-07"),
        ("7 Jan 2026", "2026-01-07"),
        ("13/04/2026", "2026-04-13"),
        ("March 2025", "2025-03"),
        ("[04/2026]", "2026-04"),
        ("yesterday", None),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    assert normalize_date(text) == expected


def test_a_team_template_without_the_synonym_targets_still_imports() -> None:
    from mistakes.domain.template import parse_template

    custom = parse_template(
        "# Incident\n\n## Incident: [Title]\n\n**Severity:** Low | High\n\n"
        "## Summary\n[what]\n\n## Cause\n[why]\n",
        source="custom",
    )
    vocab = Vocabulary(custom)
    assert vocab.section("Summary") is not None
    report = read(
        custom, "# Incident: Outage\n\n## Summary\nDown.\n\n## Root Cause\nDNS.\n", raw=True
    )
    entry = report.entries[0].entry
    assert entry.title == "Outage"
    assert list(entry.sections.values()) == ["Down."]
    assert entry.extra_sections == {"Root Cause": "DNS."}


# -- bytes -------------------------------------------------------------------------------------


def test_crlf_bom_missing_final_newline_cjk_and_emoji(template: Template) -> None:
    text = "\ufeff# 错误: 无法连接 smb 🚨\r\n\r\n## 原因\r\n权限错误\r\n\r\n## 解决\r\n重新挂载 ✅"
    report = read_log(text.encode("utf-8"), "cjk.md", template)
    entry = report.entries[0].entry
    assert entry.title == "无法连接 smb"
    assert entry.sections["why_it_happened"] == "权限错误"
    assert entry.sections["fix"] == "重新挂载 ✅"


def test_invalid_utf8_is_replaced_with_a_warning_naming_the_line(template: Template) -> None:
    report = read_log(b"# Error: X\n\nok\n\xff\xfe bad\n", "bad.md", template)
    assert report.entries
    assert any(w.startswith("bad.md:4:") for w in report.warnings)


def test_unreadable_frontmatter_is_imported_as_text_with_a_warning(template: Template) -> None:
    report = read_log(b"---\n: : [\n---\n# Error: X\n\nText.\n", "fm.md", template)
    assert report.entries
    assert any("fm.md:" in w and "frontmatter" in w for w in report.warnings)


# -- nothing lost, counted honestly ---------------------------------------------------------------


def test_a_skipped_part_counts_as_lost_unless_a_file_may_leave_it_out(template: Template) -> None:
    """tests/importing/lossless.py: a skip with a reason is not a line kept."""
    from mistakes.importing.reader import Skipped
    from tests.importing.lossless import account

    text = "# Log\n\n## Error: One\n\n### What Happened\nIt broke.\n\n## Rules\nAlways test.\n"
    report = read(template, text, raw=True)
    report.entries = [e for e in report.entries if not e.notes]
    title = [s for s in report.skipped if s.kind == "preamble"]
    report.skipped = [*title, Skipped(8, 9, "not an entry: Rules", "## Rules\nAlways test.")]
    accounting = account(text.encode(), "log.md", report, template)
    assert [n for n, _ in accounting.lost] == [8, 9]
    # the same lines as a table of contents under a heading that says so may be left out
    report.skipped = [*title, Skipped(8, 9, "contents", "## Contents\nAlways test.", "contents")]
    assert [n for n, _ in account(text.encode(), "log.md", report, template).lost] == [8, 9]
    contents = text.replace("## Rules", "## Contents")
    assert account(contents.encode(), "log.md", report, template).lost == []


def test_rules_and_lessons_outside_the_entries_are_kept_as_a_notes_entry(
    template: Template,
) -> None:
    report = read(
        template,
        """
        # Project mistakes
        Read this first.
        ## Rules
        - Always run the tests before pushing.
        ## Error: Pushed a broken build
        ### What Happened
        CI was red for a day.
        ## What worked
        Pairing on reviews.
        ## Error: Lost a migration
        ### What Happened
        It was never committed.
        ## Lessons
        Small commits.
        """,
    )
    assert titles(report) == [
        "Pushed a broken build",
        "Lost a migration",
        "Notes from Project mistakes",
    ]
    notes = report.entries[-1]
    assert notes.notes and "imported-notes" in notes.entry.fields["tags"]
    assert "Always run the tests before pushing." in notes.entry.extra_sections["Rules"]
    assert "Pairing on reviews." in notes.entry.extra_sections["What worked"]
    assert "Small commits." in notes.entry.sections["what_we_learned"]
    assert [s.reason.split(":")[0] for s in report.kept] == [
        "not an entry",
        "not an entry",
        "not an entry",
    ]
    assert all("Notes from Project mistakes" in s.reason for s in report.kept)
    assert [s.kind for s in report.skipped] == ["preamble"]


def test_a_plural_label_is_a_readable_key_and_its_value_is_kept_whole(
    template: Template,
) -> None:
    report = read(
        template,
        """
        ## Error: Two files disagreed
        **File(s):** `a.py`, `b.py`
        **Owner(s):** `ops`
        ### What Happened
        They disagreed.
        """,
    )
    extra = report.entries[0].entry.extra
    assert extra["files"] == "`a.py`, `b.py`"
    assert extra["owners"] == "ops"
    assert "file_s" not in extra


def test_a_label_that_names_no_date_is_not_read_as_one(template: Template) -> None:
    report = read(
        template,
        """
        ## Error: Cache served stale prices
        **Discovered:** during the quarterly review
        **Detected:** 2026-02-03
        ### What Happened
        Prices were a day old.
        """,
    )
    item = report.entries[0]
    assert item.entry.fields.get("date") == "2026-02-03"  # a label whose value is a date
    assert item.entry.extra["discovered"] == "during the quarterly review"
    assert not any("not a valid" in w for w in report.warnings)
    assert "Original Metadata" not in item.entry.extra_sections


def test_a_post_mortem_is_one_entry_with_its_hypotheses_inside(template: Template) -> None:
    report = read(
        template,
        """
        # Post-mortem: Checkout outage
        ## Summary
        Checkout failed for 40 minutes.
        ## Timeline
        - 10:02 alerts fired
        ## Problem
        Orders returned 502.
        ## Investigation
        ### 1. DNS
        Ruled out: resolvers were fine.
        ### 2. Load balancer
        Ruled out.
        ### 3. Database pool
        Pool was exhausted.
        ### 4. Deploy
        A config change halved the pool.
        ## Root Cause
        The pool size was halved by a deploy.
        ## Resolution
        Rolled the config back.
        """,
    )
    assert titles(report) == ["Post-mortem: Checkout outage"]
    entry = report.entries[0].entry
    assert "Checkout failed for 40 minutes." in entry.sections["what_happened"]
    assert "Orders returned 502." in entry.sections["what_happened"]
    assert "10:02 alerts fired" in entry.extra_sections["Timeline"]
    assert "Pool was exhausted." in entry.sections["steps_taken"]
    assert "Load balancer" in entry.sections["steps_taken"]
    assert "halved by a deploy" in entry.sections["why_it_happened"]
    assert entry.sections["fix"] == "Rolled the config back."
    assert report.skipped == [] and report.kept == []


def test_a_file_with_one_title_and_numbered_subheadings_is_one_entry(template: Template) -> None:
    report = read(
        template,
        """
        # Mistake #12: Cache keys collided
        ## What Happened
        Two tenants saw each other's data.
        ## Root Causes
        ### 1. Keys without the tenant
        The key was the user id only.
        ### 2. No test with two tenants
        Only one tenant in the fixtures.
        ## Solutions Implemented
        ### 1. Tenant in every key
        ### 2. A two-tenant fixture
        """,
    )
    assert titles(report) == ["Cache keys collided"]
    assert "No test with two tenants" in report.entries[0].entry.sections["why_it_happened"]


def test_a_table_whose_header_names_template_fields_is_one_entry_per_row(
    template: Template,
) -> None:
    report = read(
        template,
        """
        # Mistakes
        ## Build Errors
        | Date | Error | Root Cause | Fix | Prevention |
        |------|-------|------------|-----|------------|
        | 2026-02-16 | Tailwind v4 plugin error | Installed v4 | Downgraded to v3 | Pin v3 |
        | 2026-02-17 | `a \\| b` type error | Wrong union | Narrowed it | Strict mode |
        ## Runtime Errors
        | Date | Error | Root Cause | Fix | Prevention |
        |------|-------|------------|-----|------------|
        | _template_ | _describe error_ | _why it happened_ | _what fixed it_ | _how to prevent_ |
        """,
    )
    mistakes = [item for item in report.entries if not item.notes]
    assert [item.title for item in mistakes] == ["Tailwind v4 plugin error", "a | b type error"]
    first = mistakes[0].entry
    assert first.fields["date"] == "2026-02-16"
    assert first.fields["tags"] == ["build"]
    assert "what_happened" not in first.sections  # the title says it all
    assert first.sections["why_it_happened"] == "Installed v4"
    assert first.sections["fix"] == "Downgraded to v3"
    assert first.sections["prevention_strategy_code_changes"] == "Pin v3"
    assert mistakes[1].entry.sections["what_happened"] == "`a | b` type error"
    assert any(s.kind == "template" and "_template_" in s.text for s in report.skipped)


def test_entries_whose_headings_keep_the_templates_date_placeholder(template: Template) -> None:
    report = read(
        template,
        """
        # Error Log
        ## Template
        ### [Date] Error: [Brief Title]
        **Problem:** [What went wrong]
        **Solution:** [How it was fixed]
        ## Quick Reference
        ### [Date] Error: Database Connection Failed
        **Problem:** The app could not reach Postgres on start.
        **Solution:** Started the database container first.
        **Prevention:** Add a health check to compose.
        **Tags:** [database, setup]
        ### [Date] Error: Port Already In Use
        **Problem:** Port 3000 was taken.
        **Solution:** Killed the old process.
        """,
    )
    assert titles(report) == ["Database Connection Failed", "Port Already In Use"]
    first = report.entries[0].entry
    assert not first.fields.get("date")
    assert {"database", "setup"} <= set(first.fields["tags"])
    assert first.sections["what_happened"] == "The app could not reach Postgres on start."
    assert first.sections["fix"] == "Started the database container first."
    assert first.sections["prevention_strategy_code_changes"] == "Add a health check to compose."
    assert any(s.kind == "template" and "[Brief Title]" in s.text for s in report.skipped)


def test_list_items_whose_fields_are_key_value_lines_are_entries(template: Template) -> None:
    report = read(
        template,
        """
        # Mistakes

        ## Format
        - Date: YYYY-MM-DD
        - Mistake: what went wrong
        - Impact: who or what it hurt
        - Prevention: what stops it next time

        ## Log
        - Date: 2026-02-19
          Mistake: Pushed to main without running the tests.
          Impact: CI was red for two hours.
          Prevention: A pre-push hook runs the fast tests.
        - Date: 2026-02-21
          Mistake: Dropped a column still read by the report job.
            The job failed at midnight.
          Impact: The daily report was missing.
          Prevention: Deprecate columns a release before dropping them.
          Severity: high
        """,
    )
    assert titles(report) == [
        "Pushed to main without running the tests",
        "Dropped a column still read by the report job",
    ]
    first, second = (item.entry for item in report.entries)
    assert first.fields["date"] == "2026-02-19"
    assert first.sections["user_impact"] == "CI was red for two hours."
    assert (
        first.sections["prevention_strategy_code_changes"] == "A pre-push hook runs the fast tests."
    )
    assert second.sections["what_happened"] == (
        "Dropped a column still read by the report job.\nThe job failed at midnight."
    )
    assert second.fields["severity"] == "high"
    assert any(s.kind == "template" and "Format" in s.text for s in report.skipped)


def test_the_blank_template_itself_imports_as_nothing(template: Template) -> None:
    from pathlib import Path

    import mistakes

    seed = Path(mistakes.__file__).parent / "templates" / "default.md"
    report = read_log(seed.read_bytes(), "template.md", template)
    assert report.entries == [] and report.kept == []
    assert {s.kind for s in report.skipped} <= {"preamble", "template"}
    assert not any("Contributing" in s.reason and s.kind == "how-to" for s in report.skipped)


# -- the day a Resolved entry was resolved ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "resolved"),
    [
        ("**Status:** Fixed\n**Resolved:** 2025-08-03 (estimated)", "2025-08-03"),
        ("**Status:** Resolved\n**Date Resolved:** January 5, 2026", "2026-01-05"),
        ("- **Status**: resolved\n- **Resolved**: 2026-07-11T17:00:18Z", "2026-07-11"),
        # given in the text, as .learnings/ERRORS.md logs write it under Resolution
        ("**Status:** Fixed\n\n## Resolution\n- **Resolved**: 2026-07-10T20:03:49Z", "2026-07-10"),
        # no day given: none stamped (the import is not the day it was resolved)
        ("**Status:** Fixed", None),
        ("**Status:** Fixed\n**Resolved:** 2026-03", None),
        # not Resolved: a day of resolution is not made up, nor read
        ("**Status:** Active\n\n## Resolution\n- **Resolved**: 2026-07-10", None),
    ],
)
def test_a_resolved_entry_keeps_the_day_the_source_gives(
    template: Template, lines: str, resolved: str | None
) -> None:
    report = read(template, f"# Error: Thing\n{lines}\n\n## What Happened\nIt broke.\n", raw=True)
    entry = report.entries[0].entry
    assert entry.extra.get("resolved") == resolved


def test_a_resolved_value_that_is_no_day_is_kept_aside(template: Template) -> None:
    report = read(template, "# Error: Thing\n**Status:** Fixed\n**Resolved:** yes\n", raw=True)
    entry = report.entries[0].entry
    assert "resolved" not in entry.extra
    assert entry.extra["resolved_original"] == "yes"
