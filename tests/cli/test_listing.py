"""``list`` served from the search index: the same output as reading every file.

The reference below is ``list`` as it was before the index held the facts (every file
parsed; rows, filters and JSON from the parsed entries), kept here verbatim in substance so
that the index path is compared with what users had.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistakes.domain.template import Template
from mistakes.domain.text import one_line
from mistakes.services.entries import record
from mistakes.storage.folder import EntryFolder, StoredEntry
from mistakes.storage.template_file import load_template
from tests.conftest import REPO, SAMPLES

BENCHMARKS = REPO / "benchmarks"


# -- the reference: list as it was (every file parsed) ------------------------------------------


def _ref_matches(
    stored: StoredEntry, template: Template, severity: list[str], status: list[str], tag: list[str]
) -> bool:
    entry = stored.entry
    for name, wanted in (("severity", severity), ("status", status)):
        if not wanted:
            continue
        spec = template.field_named(name)
        value = entry.text(name)
        allowed = set()
        for item in wanted:
            for part in item.split(","):
                choice = spec.choice_for(part) if spec is not None and spec.choices else None
                allowed.add(choice or part.strip().lower())
        normal = (spec.choice_for(value) if spec is not None and spec.choices else None) or value
        if normal.lower() not in allowed:
            return False
    if tag:
        have = {t.lower() for t in entry.tags(template)}
        wanted_tags = {t.strip().lower() for item in tag for t in item.split(",") if t.strip()}
        if not wanted_tags <= have:
            return False
    return True


def _ref_rows(entries: list[StoredEntry]) -> str:
    number_width = max([3, *(len(str(e.number)) for e in entries)])
    rows = []
    for stored in entries:
        entry = stored.entry
        severity, status = one_line(entry.text("severity")), one_line(entry.text("status"))
        head = (
            f"{stored.number:0{number_width}d}  {one_line(entry.date)[:10]:<10}  "
            f"{severity[:8]:<8}  {status[:13]:<13}  "
        )
        rows.append(head + one_line(entry.title) + "\n")
    return "".join(rows)


def reference(
    root: Path,
    *,
    as_json: bool,
    severity: list[str] = (),  # type: ignore[assignment]
    status: list[str] = (),  # type: ignore[assignment]
    tag: list[str] = (),  # type: ignore[assignment]
    sort: str = "number",
) -> tuple[str, list[str]]:
    """(stdout, warning lines) of the old ``list``."""
    template = load_template()
    entries, problems = EntryFolder(root, template).load_all()
    shown = [
        e for e in entries if _ref_matches(e, template, list(severity), list(status), list(tag))
    ]
    if sort == "date":
        shown.sort(key=lambda e: (not e.entry.date.strip(), e.entry.date.strip(), e.number))
    elif sort == "severity":
        order = ["critical", "high", "medium", "low"]

        def rank(e: StoredEntry) -> int:
            value = e.entry.text("severity")
            spec = template.field_named("severity")
            choice = spec.choice_for(value) if spec is not None and value else None
            return order.index(choice) if choice in order else len(order) + (not value)

        shown.sort(key=lambda e: (rank(e), e.number))
    warnings = [f"mistakes: warning: {p}" for p in problems]
    if as_json:
        return json.dumps(
            [record(e, template) for e in shown], ensure_ascii=False, indent=2
        ) + "\n", warnings
    return _ref_rows(shown), warnings


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("mistakes: warning:")]


def assert_same(run, root: Path, *options: str, **filters: object) -> None:
    args = ["--dir", str(root), "list", *options]
    for name in ("severity", "status", "tag"):
        for value in filters.get(name, ()):  # type: ignore[attr-defined]
            args += [f"--{name}", str(value)]
    sort = str(filters.get("sort", "number"))
    args += ["--sort", sort]
    result = run(*args)
    assert result.code == 0, result.err
    expected, warnings = reference(
        root,
        as_json="--json" in options,
        sort=sort,
        **{
            k: list(v)
            for k, v in filters.items()
            if k != "sort"  # type: ignore[call-overload]
        },
    )
    assert result.out == expected
    assert _warnings(result.err) == warnings


# -- sample_mistakes and generated folders -------------------------------------------------------


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    return root


@pytest.mark.parametrize("options", [(), ("--json",)])
def test_list_equals_reading_every_file_over_the_samples(run, samples: Path, options) -> None:
    assert_same(run, samples, *options)  # builds the index
    assert_same(run, samples, *options)  # served from it
    assert_same(run, samples, *options, severity=["high,critical"], tag=["database"])
    assert_same(run, samples, *options, status=["Resolved"], sort="severity")
    assert_same(run, samples, *options, sort="date")


@pytest.mark.parametrize("seed", [7, 2024])
def test_list_equals_reading_every_file_over_generated_folders(run, tmp_path: Path, seed) -> None:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    import synth

    root = tmp_path / f"gen-{seed}"
    synth.generate(root, 60, seed=seed, workers=1)
    for options in ((), ("--json",)):
        assert_same(run, root, *options)
        for sort in ("date", "severity"):
            assert_same(run, root, *options, sort=sort)
        assert_same(run, root, *options, severity=["low", "MEDIUM"], status=["active"])
    # files are the truth: edits, a new file, a deleted one and a broken one are seen
    files = sorted(root.glob("*.md"))
    text = files[3].read_text("utf-8").replace("severity: ", "severity: High #", 1)
    files[3].write_text(text, "utf-8")
    files[5].unlink()
    (root / "900-broken.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    shutil.copy(files[0], root / "901-copy.md")
    for options in ((), ("--json",)):
        assert_same(run, root, *options)
    (root / "902-link.md").symlink_to(files[1])  # skipped and reported, as before
    for options in ((), ("--json",)):
        assert_same(run, root, *options)


def test_list_from_the_index_parses_no_file(run, samples: Path, monkeypatch) -> None:
    """Once the index is in step, ``list`` and ``list --json`` read no entry file (they
    parsed all of them before: 3.9 s and 6.8 s at 10,000 entries)."""
    (samples / "950-broken.md").write_text("---\ntitle: [x\n---\n", "utf-8")
    assert run("--dir", str(samples), "list").code == 0  # builds the index
    parsed: list[str] = []
    load_bytes = EntryFolder.load_bytes

    def counting(self: EntryFolder, path: Path, data: bytes) -> StoredEntry:
        parsed.append(path.name)
        return load_bytes(self, path, data)

    monkeypatch.setattr(EntryFolder, "load_bytes", counting)
    for options in ((), ("--json",), ("--json", "--tag", "database", "--sort", "date")):
        result = run("--dir", str(samples), "list", *options)
        assert result.code == 0
        assert "950-broken.md" in result.err  # still reported, as before
    assert parsed == ["950-broken.md"] * 3  # only what the index cannot hold


def test_list_sort_keys_are_a_table(run, samples: Path) -> None:
    from mistakes.services.listing import SORTS

    assert set(SORTS) >= {"number", "date", "severity"}
    result = run("--dir", str(samples), "list", "--sort", "nope")
    assert result.code == 2
    assert "number" in result.err and "severity" in result.err


# -- property: odd values as typed ---------------------------------------------------------------

_VALUES = st.sampled_from(
    ["", "high", "High", " HIGH ", "critical", "low", "urgent", "Medium", "resolved",
     "Active", "investigating", "in progress", "x\x1bRED", "\u202eevil"]
)  # fmt: skip
_DATES = st.sampled_from(["", "2025-01-02", "2024-12-31", "2025-1-2", "soon", "2023-06"])
_TAGS = st.lists(st.sampled_from(["db", "DB", "api", "Api", "ci", "x y"]), max_size=3)
_TITLES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() and not t.strip().startswith(("#", "-", "[", "{", "!", "&", "*")))


_EXAMPLES = itertools.count()


@st.composite
def entries(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(min_value=1, max_value=6))
    return [
        {
            "title": draw(_TITLES),
            "severity": draw(_VALUES),
            "status": draw(_VALUES),
            "date": draw(_DATES),
            "tags": draw(_TAGS),
            "done": draw(st.lists(st.booleans(), max_size=3)),
        }
        for _ in range(count)
    ]


def _write(root: Path, items: list[dict[str, object]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.md"):
        old.unlink()
    for number, item in enumerate(items, 1):
        lines = ["---", f"title: {json.dumps(item['title'], ensure_ascii=False)}"]
        for key in ("date", "severity", "status"):
            if item[key]:
                lines.append(f"{key}: {json.dumps(item[key], ensure_ascii=False)}")
        if item["tags"]:
            lines.append(f"tags: {json.dumps(item['tags'])}")
        lines += ["---", "", "## Error Description", "", "### What Happened", "", "It broke.", ""]
        if item["done"]:
            lines += ["## Follow-up Actions", ""]
            lines += [f"- [{'x' if d else ' '}] step {i}" for i, d in enumerate(item["done"])]  # type: ignore[attr-defined]
        (root / f"{number:03d}-entry.md").write_text("\n".join(lines) + "\n", "utf-8")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=entries(), sort=st.sampled_from(["number", "date", "severity"]))
def test_list_equals_reading_every_file_for_odd_values(run, tmp_path: Path, items, sort) -> None:
    # a folder (so an index) per example: Hypothesis seeds `random` alike for each example,
    # and Whoosh names its segments with it (the same name twice in one index breaks it)
    root = tmp_path / f"odd-{next(_EXAMPLES)}"
    _write(root, items)
    for options in ((), ("--json",)):
        assert_same(run, root, *options, sort=sort)
    assert_same(run, root, severity=["high"], tag=["db"])
