"""Import over every file of ../shared/corpus: no crash, nothing lost, hand-checked counts.

The corpus is used in place and never written to.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from mistakes.domain.entry import entry_to_dict, validate_value
from mistakes.domain.template import Template
from mistakes.importing.reader import read_log
from mistakes.importing.vocabulary import group_meaning
from mistakes.storage.document import new_document, parse_text
from tests.conftest import CORPUS
from tests.importing.corpus_expectations import EXPECTED
from tests.importing.lossless import account

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")

FILES = (
    sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    if CORPUS.is_dir()
    else []
)


def _rel(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 149


def test_nothing_is_lost_over_the_whole_corpus(template: Template) -> None:
    """Every non-blank line of every file is in its entries or in the skipped report."""
    total = carried = entries = 0
    lost: list[str] = []
    for path in FILES:
        data = path.read_bytes()
        report = read_log(data, _rel(path), template)
        accounting = account(data, _rel(path), report, template)
        total += accounting.lines
        carried += accounting.carried
        entries += len(report.entries)
        lost += [f"{_rel(path)}:{n}: {text}" for n, text in accounting.lost]
    print(f"\nimport: {len(FILES)} files, {entries} entries, {carried}/{total} lines carried over")
    assert not lost, "\n".join(lost[:20])
    assert entries > 500


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_each_file_imports_into_valid_entries_that_round_trip(
    path: Path, template: Template
) -> None:
    report = read_log(path.read_bytes(), _rel(path), template)
    for item in report.entries:
        entry = item.entry
        assert entry.title.strip()
        for spec in template.all_fields():
            assert validate_value(spec, entry.value(spec)) is None, (item.title, spec.key)
        text = new_document(template).render(entry)
        doc = parse_text(text, template)
        assert doc.problems == []
        assert entry_to_dict(doc.to_entry()) == entry_to_dict(entry), item.title
    # every part of the file is an entry or a reported skip, in order, without overlaps
    spans = sorted(
        [(i.start_line, i.end_line) for i in report.entries]
        + [(s.start_line, s.end_line) for s in report.skipped]
    )
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start > end


@pytest.mark.parametrize("rel", sorted(EXPECTED), ids=str)
def test_hand_checked_counts_titles_tags_and_skips(rel: str, template: Template) -> None:
    expect = EXPECTED[rel]
    report = read_log((CORPUS / rel).read_bytes(), rel, template)
    titles = [item.title for item in report.entries]
    assert len(titles) == expect.entries, (titles, expect.note)
    if titles and expect.first_title:
        assert expect.first_title.lower() in titles[0].lower()
    if titles and expect.last_title:
        assert expect.last_title.lower() in titles[-1].lower()
    tags = {tag for item in report.entries for tag in item.entry.fields.get("tags") or []}
    for tag in expect.tags:
        assert group_meaning(tag, template)[1] in tags
    for skipped in expect.skipped:
        assert any(skipped.lower() in (s.reason + s.text).lower() for s in report.skipped), skipped


def test_the_expectations_cover_ten_layouts_or_more() -> None:
    assert len(EXPECTED) >= 10
    assert {e.entries for e in EXPECTED.values()} >= {0, 1}
    assert max(e.entries for e in EXPECTED.values()) >= 50
