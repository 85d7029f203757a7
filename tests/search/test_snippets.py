"""Snippets: the excerpt of the section where an entry best matches, matched words marked."""

from __future__ import annotations

import re

import pytest

from mistakes.domain.entry import Entry, new_entry
from mistakes.domain.template import Template
from mistakes.search.analysis import term_of
from mistakes.search.index import SearchIndex
from mistakes.search.snippets import WIDTH, Snippet, make_snippet


def terms(*words: str) -> frozenset[str]:
    return frozenset(term_of(w) for w in words)


@pytest.fixture
def entry(template: Template) -> Entry:
    entry = new_entry(template, "Pool trouble in the orders API")
    entry.sections["what_happened"] = (
        "The orders API returned HTTP 500.\n\nEvery `QueuePool` slot was taken and the "
        "**connections** were never returned."
    )
    entry.sections["fix"] = "We fixed the pool leak by closing sessions on every path."
    entry.sections["why_it_happened"] = "A session leak in the recommendations view."
    return entry


def marked_words(snippet: Snippet) -> list[str]:
    return [snippet.text[a:b] for a, b in snippet.spans]


def test_marks_match_the_spans(entry: Entry, template: Template) -> None:
    snippet = make_snippet(entry, template, terms("pool", "connection"))
    assert snippet.section == "What Happened"
    assert marked_words(snippet) == ["QueuePool", "connections"]
    assert snippet.marked() == snippet.marked("**", "**")
    for word in marked_words(snippet):
        assert f"**{word}**" in snippet.marked()
    assert snippet.marked("[", "]").count("[") == len(snippet.spans)


def test_stemmed_accented_and_camel_case_words_are_marked(template: Template) -> None:
    entry = new_entry(template, "Export")
    entry.sections["what_happened"] = "Connecting to Café Olé failed: ConnectionRefusedError."
    snippet = make_snippet(entry, template, terms("connection", "cafe", "refused"))
    assert marked_words(snippet) == ["Connecting", "Café", "ConnectionRefusedError"]


def test_the_section_with_most_distinct_terms_wins(entry: Entry, template: Template) -> None:
    snippet = make_snippet(entry, template, terms("leak", "session"))
    # "Why It Happened" and "The Fix" both have both words once: the first in template order
    assert snippet.section == "Why It Happened"
    assert marked_words(snippet) == ["session", "leak"]
    snippet = make_snippet(entry, template, terms("fixed", "pool", "leak"))
    assert snippet.section == "The Fix"
    assert "**leak**" in snippet.marked()


def test_title_only_match(entry: Entry, template: Template) -> None:
    snippet = make_snippet(entry, template, terms("trouble"))
    assert snippet.section == "Title"
    assert snippet.marked() == "Pool **trouble** in the orders API"


def test_no_match_gives_the_start_of_the_first_section(entry: Entry, template: Template) -> None:
    snippet = make_snippet(entry, template, terms("zebra"))
    assert snippet.section == "What Happened"
    assert snippet.spans == []
    assert snippet.text.startswith("The orders API returned HTTP 500.")


def test_snippet_is_one_line_without_markdown(entry: Entry, template: Template) -> None:
    snippet = make_snippet(entry, template, terms("returned"))
    assert "\n" not in snippet.text
    assert "  " not in snippet.text
    assert "`" not in snippet.text
    # the source's own **bold** must not look like a match
    assert snippet.marked().count("**") == 2 * len(snippet.spans)


def test_long_section_is_cut_around_the_match(template: Template) -> None:
    entry = new_entry(template, "Long")
    before = " ".join(f"before{i}" for i in range(300))
    after = " ".join(f"after{i}" for i in range(300))
    entry.sections["what_happened"] = f"{before} needle {after}"
    snippet = make_snippet(entry, template, terms("needle"))
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert len(snippet.text) <= WIDTH + 25
    assert marked_words(snippet) == ["needle"]
    assert "before299" in snippet.text  # some context before the word
    assert "after0" in snippet.text


def test_the_window_prefers_many_distinct_words(template: Template) -> None:
    entry = new_entry(template, "Window")
    filler = " ".join(f"filler{i}" for i in range(100))
    entry.sections["what_happened"] = f"alpha {filler} alpha beta gamma {filler} gamma"
    snippet = make_snippet(entry, template, terms("alpha", "beta", "gamma"))
    assert {"alpha", "beta", "gamma"} <= set(marked_words(snippet))


def test_short_section_is_not_cut(template: Template) -> None:
    entry = new_entry(template, "Short")
    entry.sections["fix"] = "Restart the pool."
    snippet = make_snippet(entry, template, terms("pool"))
    assert snippet.text == "Restart the pool."
    assert snippet.marked() == "Restart the **pool**."


def test_stop_words_in_the_terms_are_not_marked(template: Template) -> None:
    entry = new_entry(template, "Stop")
    entry.sections["what_happened"] = "Connect to the proxy and wait for the pool."
    snippet = make_snippet(entry, template, terms("pool"))
    assert marked_words(snippet) == ["pool"]


def test_code_in_snippets_is_not_mangled(template: Template) -> None:
    entry = new_entry(template, "Import")
    entry.sections["error_messages"] = 'File "/app/pkg/__init__.py", line 3\n2 ** 10 overflow'
    snippet = make_snippet(entry, template, terms("overflow"))
    assert "__init__.py" in snippet.text
    assert "2 ** 10" in snippet.text


# -- snippets of search hits ----------------------------------------------------------------------


def test_search_hit_snippet_accent(sample_index: SearchIndex) -> None:
    hit = sample_index.search("cafe").hits[0]
    assert hit.number == 3
    assert hit.section == "What Happened"
    assert "**Café**" in hit.snippet.marked()


def test_search_hit_snippet_marks_every_query_word(sample_index: SearchIndex) -> None:
    hit = sample_index.search("garbage collector asyncpg").hits[0]
    assert hit.number == 19
    marked = hit.snippet.marked().lower()
    for word in ("garbage", "collector", "asyncpg"):
        assert re.search(rf"\*\*{word}\w*\*\*", marked), (word, marked)


def test_snippets_only_for_the_first_hits(sample_index: SearchIndex) -> None:
    hits = sample_index.search("connection", limit=5, snippets=2).hits
    assert [h.snippet is not None for h in hits] == [True, True, False, False, False]
    assert all(h.section == "" for h in hits[2:])


def test_prefix_query_snippet_marks_the_expansions(sample_index: SearchIndex) -> None:
    hit = sample_index.search("exhaust*").hits[0]
    assert re.search(r"\*\*exhaust\w*\*\*", hit.snippet.marked(), re.I)


@pytest.mark.parametrize(
    ("query", "number", "section"),
    [
        ("what_happened:rollback", 5, "What Happened"),
        ("fix:queue", 19, "The Fix"),
        ("error_messages:timeout", 24, "Error Messages"),
        ("why_it_happened:leaked", 19, "Why It Happened"),
    ],
)
def test_a_section_query_shows_that_section(
    sample_index: SearchIndex, query: str, number: int, section: str
) -> None:
    hits = {h.number: h for h in sample_index.search(query, snippets=10).hits}
    assert hits[number].section == section


def test_a_date_range_query_marks_no_words(sample_index: SearchIndex) -> None:
    for hit in sample_index.search("date:[2026-01 to 2026-06]", snippets=10).hits:
        assert hit.snippet is not None
        assert hit.snippet.spans == [], hit.snippet.marked()


def test_mark_spans_of_a_title() -> None:
    from mistakes.search.snippets import mark_spans

    title = "ConnectionRefusedError in 数据库连接 for Café"
    spans = mark_spans(title, frozenset({"refus", "数据", "据库", "cafe"}))
    assert [title[a:b] for a, b in spans] == ["ConnectionRefusedError", "数据库", "Café"]
