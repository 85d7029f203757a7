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
from tests.importing.corpus_expectations import EXPECTED
from tests.importing.measure import CORPUS, measure

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


def test_nothing_is_lost_over_the_whole_corpus() -> None:
    """At most 1% of the corpus's lines, and 5% of any file's, are in no entry and not a part
    a file may leave out (its title, contents, how-to, own template, index of links)."""
    result = measure(CORPUS)
    worst = result.worst(10)
    print(
        f"\nimport: {len(result.files)} files, {result.entries} entries, "
        f"{result.lost}/{result.lines} lines lost ({result.lost_share:.2%}); worst files:\n"
        + "\n".join(
            f"  {f.accounting.lost_share:.1%} {len(f.accounting.lost)}/{f.accounting.lines} {f.rel}"
            for f in worst
        )
    )
    lost = [f"{f.rel}:{n}: {text}" for f in worst for n, text in f.accounting.lost]
    assert result.lost_share <= 0.01, "\n".join(lost[:30])
    assert worst[0].accounting.lost_share <= 0.05, "\n".join(lost[:30])
    assert result.entries > 500


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
    # every part of the file is an entry (the notes entry in pieces) or a reported skip,
    # in order, without overlaps
    spans = sorted(
        [span for i in report.entries for span in (i.ranges or [(i.start_line, i.end_line)])]
        + [(s.start_line, s.end_line) for s in report.skipped]
    )
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start > end


@pytest.mark.parametrize("rel", sorted(EXPECTED), ids=str)
def test_hand_checked_counts_titles_tags_and_skips(rel: str, template: Template) -> None:
    """The hand counts are of mistakes: a file's notes entry (its rules, lessons and other
    text outside the entries, tagged imported-notes) is not counted, and a part the hand
    count calls "not an entry" may be skipped or kept in that notes entry."""
    expect = EXPECTED[rel]
    report = read_log((CORPUS / rel).read_bytes(), rel, template)
    mistakes = [item for item in report.entries if not item.notes]
    titles = [item.title for item in mistakes]
    assert len(titles) == expect.entries, (titles, expect.note)
    if titles and expect.first_title:
        assert expect.first_title.lower() in titles[0].lower()
    if titles and expect.last_title:
        assert expect.last_title.lower() in titles[-1].lower()
    tags = {tag for item in mistakes for tag in item.entry.fields.get("tags") or []}
    for tag in expect.tags:
        assert group_meaning(tag, template)[1] in tags
    for skipped in expect.skipped:
        assert any(
            skipped.lower() in (s.reason + s.text).lower() for s in report.skipped + report.kept
        ), skipped


def test_the_expectations_cover_ten_layouts_or_more() -> None:
    assert len(EXPECTED) >= 10
    assert {e.entries for e in EXPECTED.values()} >= {0, 1}
    assert max(e.entries for e in EXPECTED.values()) >= 50
