"""Entry counts and titles checked by hand against the corpus files (see docs/import-corpus.md)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Expect:
    # how many entries a careful human would make of this file
    entries: int
    # a distinctive substring (case-insensitive) of the first entry's title
    first_title: str = ""
    # the same for the last entry
    last_title: str = ""
    # group headings that should become tags of some entries (as written in the heading,
    # lowercase; emoji and ** stripped)
    tags: tuple[str, ...] = field(default=())
    # headings of non-entry parts that must be reported as skipped (substring, case-insensitive)
    skipped: tuple[str, ...] = field(default=())
    # one line: the layout and why this count
    note: str = ""


EXPECTED: dict[str, Expect] = {
    # --- zero-entry documents -------------------------------------------------------------
    "Integrum-Global__new_project_template/src__new_project__mistakes__template.md": Expect(
        entries=0,
        skipped=("Brief Error Title",),
        note="The seed template itself, byte for byte; placeholders only, no final newline.",
    ),
    "Integrum-Global__new_project_template/mistakes__current-session-mistakes.md": Expect(
        entries=0,
        skipped=("Mistakes Encountered This Session", "Session Statistics"),
        note="Session file: 'No mistakes documented yet'; emoji H2s and checklists, no entry.",
    ),
    "Integrum-Global__new_project_template/apps__ai_registry__mistakes__000-master.md": Expect(
        entries=0,
        skipped=("MODULE-ERR-2025-01-06-001", "Common Module Pitfalls", "Active Monitoring"),
        note="'## Mistake ID: MODULE-ERR-...' is an 'Example:' placeholder under [MODULE_NAME].",
    ),
    "terrene-foundation__kailash-py/guide__mistakes__README.md": Expect(
        entries=0,
        skipped=("Quick Lookup by Error Message", "Browse by Category", "Adding New Mistakes"),
        note="Index: a '| Error | File | Fix |' table and link lists to the numbered files.",
    ),
    "terrene-foundation__kailash-py/guide__mistakes__consolidated-guide.md": Expect(
        entries=0,
        skipped=("Critical API Patterns", "Common Pitfalls by Category", "Common Fixes"),
        note="Cheatsheet of right/wrong code patterns and a checklist; no incident is described.",
    ),
    "khalilmaaouni__BrotherModeUp/docs__mistakes__README.md": Expect(
        entries=0,
        skipped=("Read these three first", "The list", "Where the underlying evidence lives"),
        note="Folder index: 'Status: ...' preamble before the H1, then a table of M01-M16.",
    ),
    # --- catalogues and multi-entry logs ----------------------------------------------------
    "terrene-foundation__kailash-py/guide__mistakes__000-master.md": Expect(
        entries=56,
        first_title="Inconsistent Error Handling Patterns",
        last_title="Inconsistent Connection APIs",
        tags=(
            "critical mistakes & anti-patterns",
            "test-related issues",
            "security issues",
            "workflow architecture issues",
        ),
        skipped=(
            "Overview",
            "Statistics",
            "Lessons Learned & Best Practices",
            "Recommendations for Future Development",
        ),
        note="'### N. **Title**' items 1-56 under category H2s; 120 '#' lines inside fences.",
    ),
    "Vishnunair22__Forensic-Council/docs__ERROR_LOG.md": Expect(
        entries=29,
        first_title="0xFC_PIPELINE_HALT",
        last_title="Textarea Missing Label Association",
        skipped=("Forensic OS 2026 Hardening",),
        note="26 '### Error:' + 3 '### Config:' under dated session H2s; last H2 is change notes.",
    ),
    "terrene-foundation__kailash-py/"
    "shared__mistakes__011-cycle-aware-nodes-parameter-passing.md": Expect(
        entries=6,
        first_title="NodeParameter Validation",
        last_title="Output Processing in Example 4",
        skipped=("Session Context", "Key Learnings", "Prevention Strategies"),
        note="Session file with '## Mistake 1:' .. '## Mistake 6:' H2s, each with H3 sections.",
    ),
    "CaptainPhantasy__ScanStockPro/mistakes.md": Expect(
        entries=16,
        first_title="Nested Subdirectory Creation",
        last_title="Incorrect Import Paths",
        tags=(
            "critical file structure errors",
            "specific technical errors",
            "specific file-level mistakes",
        ),
        skipped=("Key Lessons for Future Projects", "How to Use This Document"),
        note="'### **N. Title**' 1-16 under emoji+bold category H2s; lessons H2 restarts at 1.",
    ),
    "EBNSchindi__telegram-notion-calendar-bot/ERROR_LOG.md": Expect(
        entries=7,
        first_title="Authentication Timeout Under Load",
        last_title="Partner Sync Failures",
        skipped=("Error Metrics", "Error Patterns"),
        note="ERR/WARN/RESOLVED-NNN H3s under status-bucket H2s (status, not tags); bullet fields.",
    ),
    "DaniBis__doWhat-2.0/ERROR_LOG.md": Expect(
        entries=28,
        first_title="Next dev server crashed",
        last_title="Profile save fails",
        note="'## YYYY-MM-DD – title (RESOLVED)' H2 per entry (en dash, status in heading).",
    ),
    "Chevey339__kelivo/.learnings__ERRORS.md": Expect(
        entries=3,
        first_title="apply_patch unavailable",
        last_title="dart CLI unavailable",
        note="'## YYYY-MM-DD - title' H2 per entry with '- **Label:**' bullet fields.",
    ),
    "AdityaChaudhari901__ResumePilot/.learnings__ERRORS.md": Expect(
        entries=65,
        first_title="hydration",
        last_title="standalone",
        note="'## [ERR-YYYYMMDD-NNN] kebab-slug' H2s, ids not in order, '---' between entries.",
    ),
    "ACubeInsights__taxflow-box/MISTAKES.md": Expect(
        entries=4,
        first_title="Webhook signature verification",
        last_title="ambiguous folder names",
        note="'## MISTAKE #N — title' H2s with one-line bold fields; '---' plus blank lines.",
    ),
    "CC90210__Aura-Home-Agent/docs__MISTAKES.md": Expect(
        entries=4,
        first_title="kwarg",
        last_title="silently never set",
        note="'## BUG-NNN — title' H2s in order 001, 003, 004, 002; bold label on its own line.",
    ),
    "ArmyaFarid__autonomo/MISTAKES.md": Expect(
        entries=10,
        first_title="Template path from out/main/",
        last_title="puppeteer 22.x is deprecated",
        skipped=("Format",),
        note="'### [04/2026] — title' under '## Log'; the fenced format example is not an entry.",
    ),
    "Ippollo__Specwright/mistakes.md": Expect(
        entries=3,
        first_title="Guessing day of week",
        last_title="wrong date written to files",
        note="'### YYYY-MM-DD — title', no H2; the template heading sits in an HTML comment.",
    ),
    "Parslee-ai__neo/docs__mistakes.md": Expect(
        entries=4,
        first_title="Exempt Resources Can Starve Siblings",
        last_title="Docstrings Lying",
        note="'### Title (YYYY-MM-DD)' H3s with no H2 above; '---' between entries.",
    ),
    "DanielQuirozHW__lms-api/MISTAKES.md": Expect(
        entries=18,
        first_title="not scoped to parent chain",
        last_title="circular dependency",
        note="'## [NNN] title' H2s (ids out of order); warning line before the H1.",
    ),
    "Li8ning__flowdash/ERROR_LOG.md": Expect(
        entries=16,
        first_title="Unable to update users",
        last_title="500 Server Error on Vercel Preview",
        note="'### N. title' under '## Session: YYYY-MM-DD' groups (dates, not tags).",
    ),
    "BabakBar__VibeKeeper/docs__ERROR_LOG.md": Expect(
        entries=9,
        first_title="react-native-gesture-handler",
        last_title="removeChild",
        skipped=("Summary of Files Modified", "Dependency Installation Summary", "Key Learnings"),
        note="'### Error N:' under '## Error History', H4 sections; the mobile to-do is no entry.",
    ),
    "kartikeychoudhary__minted/docs__MISTAKES.md": Expect(
        entries=41,
        first_title="Tailwind CSS v4 PostCSS plugin error",
        last_title="PrimeNG p-dialog [contentStyle]",
        tags=("build errors", "angular errors", "ui / styling errors"),
        skipped=("_template_", "HIGH PRIORITY", "Implementation Notes"),
        note="Entries as table rows: 44 dated rows, of which 3 are under 'Implementation Notes'"
        " (| Date | Feature | ... |, no entry columns); one '_template_' row is the template.",
    ),
    # --- single-entry files --------------------------------------------------------------
    "terrene-foundation__kailash-py/shared__mistakes__047-insufficient-code-review.md": Expect(
        entries=1,
        first_title="Insufficient Code Review",
        last_title="Insufficient Code Review",
        note="Tiniest Kailash stub (274 B): H1 plus Problem / Solution / Lesson Learned.",
    ),
    "terrene-foundation__kailash-py/shared__mistakes__003-test-parameter-mismatch.md": Expect(
        entries=1,
        first_title="Test Parameter Mismatch",
        last_title="Test Parameter Mismatch",
        note="Stub with stray trailing '## Test-Related Issues' and '## Categories' H2s.",
    ),
    "terrene-foundation__kailash-py/"
    "shared__mistakes__020-configuration-parameter-validation.md": Expect(
        entries=1,
        first_title="Configuration Parameter Validation",
        last_title="Configuration Parameter Validation",
        note="H1 ends ' - RESOLVED'; '## Status: RESOLVED (Session 061)' is a field, not an entry.",
    ),
    "shelken__home-ops/postmortems__003-smb-error.md": Expect(
        entries=1,
        first_title="连接smb",
        last_title="连接smb",
        note="274-byte Chinese note: a lone '##' heading, a log fence and one '解决:' line.",
    ),
    "ASRagab__supermemory-clone/.learnings__ERRORS.md": Expect(
        entries=1,
        first_title="pre-task requires",
        last_title="pre-task requires",
        note="No H1: starts with '## [ERR-20260205-001] ...'; Context/Learning/Resolution H3s.",
    ),
    "VioletSpaceCadet__space-simulation/"
    "docs__solutions__logic-errors__gameplay-deadlock-missing-starting-equipment.md": Expect(
        entries=1,
        first_title="missing starting equipment",
        last_title="missing starting equipment",
        note="YAML frontmatter (title, tags, tickets) and no H1; Problem/Root Cause/Solution.",
    ),
    "terrene-foundation__pact/"
    "workspaces__pact__journal__0001-GAP-coc-convention-drift-engines.md": Expect(
        entries=1,
        first_title="Convention Drift",
        last_title="Convention Drift",
        note="YAML frontmatter type: GAP with multi-line flow tags, then an H1 journal entry.",
    ),
    "MT80NW__claude-learnings/mistakes__README.md": Expect(
        entries=1,
        first_title="Plugin Installation Without Marketplace",
        last_title="Plugin Installation Without Marketplace",
        skipped=("Format", "Template Entry"),
        note="Template '## [YYYY-MM-DD] - ...' inside a markdown fence; one real dated H2 entry.",
    ),
    "Olbrasoft__VirtualAssistant/MISTAKES.md": Expect(
        entries=1,
        first_title="Zapomenutí secrets",
        last_title="Zapomenutí secrets",
        skipped=("Template pro budoucí chyby",),
        note="Czech; one '## 2025-12-20: ...' entry and an unfenced placeholder template H2.",
    ),
    "Kaikei-e__Alt/docs__postmortems__PM-2026-001-recap-pipeline-cascading-oom.md": Expect(
        entries=1,
        first_title="パイプライン連鎖",
        last_title="パイプライン連鎖",
        note="Japanese postmortem; metadata in a '## メタデータ' table (重大度 SEV-3).",
    ),
    "743v45__atlas/mistakes__items__cluster-suffix-dns__mistake.md": Expect(
        entries=1,
        first_title="集群编号误当",
        last_title="集群编号误当",
        note="Chinese single mistake; '- **状态**:fixed' bullet fields; ## 经过/根因/修正.",
    ),
    "Luntra-HQ__propiq/BUG_LOG.md": Expect(
        entries=1,
        first_title="Maximum Update Depth Exceeded",
        last_title="Maximum Update Depth Exceeded",
        skipped=("Bug Template", "Session Status"),
        note="One '### BUG-001' under '## Resolved Bugs'; fenced BUG-XXX template comes after.",
    ),
    "bdougie__contributor.info/docs__postmortem__production-deployment-2025-06-22.md": Expect(
        entries=1,
        first_title="White Screen and Module Loading Failures",
        last_title="White Screen and Module Loading Failures",
        note="Closest to the seed: bold Date/Severity/Status block, Root Cause Analysis etc.",
    ),
    "bdougie__contributor.info/docs__postmortems__2025-01-09-inngest-step-isolation-bug.md": Expect(
        entries=1,
        first_title="Inngest Embeddings Generation Complete Failure",
        last_title="Inngest Embeddings Generation Complete Failure",
        note="One post-mortem; its five '### N. ✅ Fixed: ...' root causes and three prevention"
        " measures are parts of it, not entries.",
    ),
    "ibraheemcisse__infrastructure-lab/postmortems__008-memory-oom-chaos.md": Expect(
        entries=1,
        first_title="Memory OOM Kill",
        last_title="Memory OOM Kill",
        note="One post-mortem; '### **1. Memory Leak**' .. '4.' under 'Real Production"
        " Scenarios' are examples inside it.",
    ),
    "Chenglin97__polymarket-strategist/mistakes.md": Expect(
        entries=1,
        first_title="wrong EV logic",
        last_title="wrong EV logic",
        note="'## 2026-04-19' then '### Mistake: ...' with sibling '### Fix' / '### Lesson' H3s.",
    ),
}
