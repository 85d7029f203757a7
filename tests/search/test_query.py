"""The query language on the sample entries: words, operators, phrases, prefixes, fuzzy terms,
fields, date ranges, partial typing, and queries the parser cannot read (never an error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mistakes.domain.template import Template
from mistakes.search import query as query_module
from mistakes.search.analysis import fold, term_of
from mistakes.search.index import SearchIndex, SearchResults
from mistakes.storage.folder import EntryFolder
from tests.search.conftest import numbers, write_entry

POOL = {5, 19}  # "Connection pool exhausted" a year apart
TLS = {6, 23}


# -- plain words: all must match, stemmed, case and accents folded --------------------------------


def test_all_plain_words_must_match(search_numbers) -> None:
    both = set(search_numbers("pool exhausted"))
    assert both == POOL
    assert both == set(search_numbers("pool")) & set(search_numbers("exhausted"))
    assert search_numbers("pool xdist") == []


@pytest.mark.parametrize(
    "word", ["connecting", "connection", "connections", "CONNECTIONS", "Connected"]
)
def test_words_are_stemmed_and_case_folded(search_numbers, word: str) -> None:
    found = search_numbers(word)
    assert set(found) >= POOL
    assert set(found) == set(search_numbers("connect"))


@pytest.mark.parametrize("word", ["cafe", "Café", "CAFÉ", "café", "ole", "Olé", "zoe muller"])
def test_accents_are_folded(search_numbers, word: str) -> None:
    assert search_numbers(word) == [3]


def test_the_accented_spelling_finds_the_accented_word(search_numbers) -> None:
    assert search_numbers("Łódź") == [3]


def test_letters_without_decomposition_are_folded_too(search_numbers) -> None:
    assert fold("Łódź") == "lodz"
    assert search_numbers("lodz") == [3]


def test_camel_case_parts_are_searchable(folder: EntryFolder, tmp_path: Path) -> None:
    write_entry(
        folder.root,
        1,
        "refused",
        "Worker cannot reach the broker",
        error_messages="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    write_entry(folder.root, 2, "other", "Something else", what_happened="A quiet day.")
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    for query in ("ConnectionRefusedError", "connectionrefusederror", "refused", "Refused"):
        assert numbers(index.search(query).hits) == [1], query
    index.close()


@pytest.mark.parametrize(
    ("query", "number"),
    [
        pytest.param("pending-upgrade", 20),  # in 020's title
        pytest.param("site-to-site", 17),
        pytest.param("api-gw", 6),
        pytest.param("api-gw", 23),
        ("arm64", 2),
        ("test_order_expiry", 8),
        ("CrashLoopBackOff", 7),
    ],
)
def test_hyphenated_and_joined_words(search_numbers, query: str, number: int) -> None:
    assert number in search_numbers(query)


# -- operators ------------------------------------------------------------------------------------


def test_or_is_the_union(search_numbers) -> None:
    found = set(search_numbers("deadlock OR xdist"))
    assert found == {4, 9}
    assert set(search_numbers("tls OR dns")) == set(search_numbers("tls")) | set(
        search_numbers("dns")
    )


def test_not_excludes(search_numbers) -> None:
    found = set(search_numbers("pool NOT async"))
    assert 5 in found and 19 not in found
    assert found == set(search_numbers("pool")) - set(search_numbers("async"))


def test_phrases_need_the_words_together_and_in_order(search_numbers) -> None:
    phrase = set(search_numbers('"connection pool"'))
    assert phrase >= POOL
    assert phrase < set(search_numbers("connection pool"))  # stricter than the words
    assert search_numbers('"exhausted pool"') == []
    assert set(search_numbers("exhausted pool")) == POOL


def test_prefix(search_numbers) -> None:
    assert set(search_numbers("exhaust*")) == POOL
    found = set(search_numbers("conn*"))
    assert found >= POOL
    assert set(search_numbers("connection")) <= found


@pytest.mark.parametrize(
    ("query", "expected"),
    [("deadlok~", {4}), ("pool~", {5, 19}), ("xdsit~", set())],
)
def test_fuzzy_plain_cases(search_numbers, query: str, expected: set[int]) -> None:
    assert expected <= set(search_numbers(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("connection~", POOL, id="no-typo"),
        pytest.param("conection~", POOL, id="missing-letter"),
        pytest.param("connectiom~", POOL, id="wrong-last-letter"),
        pytest.param("certficate~", TLS, id="missing-letter-2"),
        pytest.param("exhuasted~", POOL, id="transposition"),
    ],
)
def test_fuzzy_allows_one_typo(search_numbers, query: str, expected: set[int]) -> None:
    assert expected <= set(search_numbers(query))


# -- fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:tls", [6, 23]),
        ("title:connection title:pool", [5, 19]),
        ("severity:critical", [20, 18, 13, 6, 5]),  # equal scores: newest first
        ("status:active", [24, 22, 9]),
        ("tag:redis", {10, 14}),
        ("tag:tls", {6, 23}),
        ("reporter:priya", {4, 5, 11, 19}),
        pytest.param("date:2026-11", [24]),
        pytest.param("date:2025-04", [6, 5]),
        pytest.param("date:2025-04-09", [5]),
        ("date:[2026-01 to 2026-06]", [21, 20, 19, 18, 17]),
        ("date:[2026-01 TO 2026-06]", [21, 20, 19, 18, 17]),
        ("date:2025", list(range(16, 0, -1))),
        ("root_cause:leak", {5, 19}),
        ("error_messages:TimeoutError", {5, 19, 24}),
        ("fix:queue", {12, 19}),
        ("solution:queue", {12, 19}),
        ("what_happened:rollback", [5]),
        ("severity:critical tag:database", {5, 13, 18}),
    ],
)
def test_fields(search_numbers, query: str, expected: list[int] | set[int]) -> None:
    found = search_numbers(query)
    if isinstance(expected, set):
        assert set(found) == expected
    else:
        assert found == expected


def test_a_section_field_only_searches_that_section(search_numbers) -> None:
    # "rollback" is in the body of several entries but in What Happened only in 005
    assert len(search_numbers("rollback")) > 1
    assert search_numbers("what_happened:rollback") == [5]


def test_every_template_section_has_a_field(sample_index: SearchIndex, template: Template) -> None:
    names = set(sample_index.queries.field_names())
    for leaf in template.leaves():
        assert (
            leaf.key in names or f"{leaf.key}_" in names or any(n.endswith(leaf.key) for n in names)
        ), leaf.key
    for name in ("title", "tag", "severity", "status", "reporter", "date", "root_cause", "fix"):
        assert name in names


@pytest.mark.parametrize("query", ["severity:Critical", "status:Resolved", "severity:HIGH"])
def test_choice_field_values_are_case_folded(search_numbers, query: str) -> None:
    assert search_numbers(query) == search_numbers(query.lower())


# -- ranking --------------------------------------------------------------------------------------


def test_title_matches_rank_first(search_numbers) -> None:
    found = search_numbers("tls")
    assert set(found[:2]) == TLS  # TLS in the title
    assert len(found) > 2  # and in the body of others, below them


def test_equal_scores_newest_first(sample_index: SearchIndex) -> None:
    hits = sample_index.search("status:resolved", limit=50).hits
    dates = [hit.date for hit in hits]
    assert dates == sorted(dates, reverse=True)


def test_empty_query_lists_the_newest(sample_index: SearchIndex) -> None:
    results = sample_index.search("", limit=5)
    assert numbers(results.hits) == [24, 23, 22, 21, 20]
    assert results.notice == ""


def test_limit(sample_index: SearchIndex) -> None:
    results = sample_index.search("connection", limit=3)
    assert len(results.hits) == 3
    assert results.total >= 3


def test_the_total_is_exact_when_every_match_was_scored(sample_index: SearchIndex) -> None:
    everything = sample_index.search("connection", limit=100)
    assert everything.exact
    assert everything.total == len(everything.hits)
    page = sample_index.search("connection", limit=2)
    assert page.total == everything.total  # fewer than limit + 10 matches: still counted
    assert page.exact


# -- queries the parser cannot read ---------------------------------------------------------------

BAD_QUERIES = [
    # (query, the words the fallback should have searched, or None when there are none)
    ("(", None),
    (")", None),
    ('"', None),
    ('"unclosed', "unclosed"),
    ("*", None),
    ("[/]", None),
    ("[", None),
    ("]", None),
    ("{", None),
    ("}", None),
    ("()", None),
    ('""', None),
    ("[]", None),
    ("AND", None),
    ("OR", None),
    ("~", None),
    ("^", None),
    ("\\", None),
    (":", None),
    ("::", None),
    ('"*"', None),
    ("pool (", "pool"),
    ("(pool", "pool"),
    ("pool)", "pool"),
    ('"connection pool', "connection pool"),
    ("date:notadate", None),
    ("date:[x to y]", None),
    ("date:[2026-13 to 2027]", None),
]


@pytest.mark.parametrize(("query", "words"), BAD_QUERIES)
def test_unreadable_queries_fall_back_with_a_notice(
    sample_index: SearchIndex, search_numbers, query: str, words: str | None
) -> None:
    results = sample_index.search(query, limit=50)
    assert isinstance(results, SearchResults)
    assert results.notice, f"no notice for {query!r}"
    parsed = sample_index.parse(query)
    assert parsed.fallback
    if words is not None:
        assert words in results.notice
        assert set(numbers(results.hits)) == set(search_numbers(words))


POOLS = {2, 5, 6, 10, 19, 21, 22, 23}  # every entry with the word "pool"
EVERY = set(range(1, 25))

ODD_QUERIES = {
    # query: what it must find (None: only the general rules below)
    "title:": set(),
    "severity:": set(),
    "tag:": set(),
    "root_cause:": set(),
    "date:[": set(),
    "date:[2026 TO": None,
    "title:(tls": None,
    'title:"unclosed': None,
    "title:*": set(),
    'fix:"': set(),
    "NOT": set(),
    "pool AND": POOLS,
    "OR pool": POOLS,
    "NOT pool": EVERY - POOLS,
    "pool NOT": POOLS,
    "*pool": POOLS,
    "po*ol": None,
    "pool^": POOLS,
    "pool~~": None,
    "~pool": POOLS,
    "a:b:c": None,
    "x:*": None,
    "title::pool": None,
    "nosuchfield:pool": None,
    "[2025 TO]": None,
    "pool~9": None,
    "\x00": set(),
    "(((((((((((((((((((((pool": POOLS,
    "pool " * 200: POOLS,
}


def test_the_pool_entries(search_numbers) -> None:
    assert set(search_numbers("pool")) == POOLS
    assert set(search_numbers("")) == EVERY


@pytest.mark.parametrize("query", list(ODD_QUERIES))
def test_odd_queries_mean_what_they_say(search_numbers, query: str) -> None:
    full = set(search_numbers(query))
    partial = set(search_numbers(query, partial=True))
    assert full <= EVERY
    assert partial >= full  # as you type: never fewer than the complete query
    expected = ODD_QUERIES[query]
    if expected is not None:
        assert full == expected
    if query.rstrip().endswith(("NOT", "AND")) or query.startswith("NOT "):
        assert partial == full  # nothing is being typed: the same query


@pytest.mark.parametrize("query", ["pool NOT", "pool AND", "pool NOT  ", "pool OR"])
def test_a_trailing_operator_is_left_out(sample_index: SearchIndex, query: str) -> None:
    results = sample_index.search(query, limit=50)
    assert set(numbers(results.hits)) == POOLS
    assert "left out" in results.notice
    assert sample_index.search(query, limit=50, partial=True).notice == ""  # still typing


@pytest.mark.parametrize("query", ["title:", "severity:", "root_cause:"])
def test_a_field_with_no_value_says_so(sample_index: SearchIndex, query: str) -> None:
    assert "no value" in sample_index.search(query).notice


@pytest.mark.parametrize(
    ("query", "expected"),
    [('title:"connection pool', POOL), ("root_cause:(leak", POOL), ("title:(tls", TLS)],
)
def test_fallback_leaves_out_field_names(
    sample_index: SearchIndex, query: str, expected: set[int]
) -> None:
    results = sample_index.search(query, limit=50)
    assert results.notice
    assert expected <= set(numbers(results.hits))


# -- partial typing -------------------------------------------------------------------------------


def test_partial_last_word_is_a_prefix(search_numbers) -> None:
    found = search_numbers("conne", partial=True)
    assert set(found) >= POOL
    assert set(search_numbers("connection")) <= set(found)
    # three or four letters: completed from titles (a body prefix that short is slow noise)
    assert set(search_numbers("conn", partial=True)) >= POOL
    assert set(search_numbers("exh", partial=True)) == POOL
    assert search_numbers("exh") == []  # a complete query: not a prefix


def test_partial_two_words(search_numbers) -> None:
    assert set(search_numbers("pool exh", partial=True)) == POOL
    assert set(search_numbers("cafe ol", partial=True)) == {3}


def test_partial_short_last_word_is_left_out(search_numbers) -> None:
    assert search_numbers("pool e", partial=True) == search_numbers("pool")


def test_partial_single_letter_searches_titles_and_the_letter_as_a_word(
    sample_index: SearchIndex, search_numbers
) -> None:
    hits = sample_index.search("c", limit=50, partial=True).hits
    assert hits
    whole = set(search_numbers("c"))  # entries with the word "c" (what the CLI finds)
    assert whole and whole <= set(numbers(hits))
    for hit in hits:
        words = [fold(w) for w in hit.title.replace("_", " ").split()]
        starts = any(w.lstrip("`'\"(").startswith("c") for w in words)
        assert starts or hit.number in whole, hit.title
    # 004's body is full of c-words, its title has none
    assert 4 not in numbers(hits)


def test_partial_after_a_complete_word(search_numbers) -> None:
    assert search_numbers("pool ", partial=True) == search_numbers("pool")


def test_prefix_expansion_is_capped(folder: EntryFolder, tmp_path: Path) -> None:
    cap = query_module.PREFIX_CAP
    letters = "abcdefghijklmnopqrstuvwxy"
    words = [f"zqwxy{a}{b}" for a in letters for b in letters][: cap + 30]
    # the first words are in two entries: more frequent, so they are the ones kept
    write_entry(folder.root, 1, "many", "Many words", what_happened=" ".join(words))
    write_entry(folder.root, 2, "some", "Some words", what_happened=" ".join(words[:5]))
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    for text, partial in (("zqwxy", True), ("zqwxy*", False)):
        parsed = index.parse(text, partial=partial)
        terms = {
            t[1].decode() if isinstance(t[1], bytes) else t[1]
            for t in parsed.query.iter_all_terms()
        }
        # the typed word itself is searched too (as a whole word), on top of the cap
        expansions = {t for t in terms if t.startswith("zqw") and t != "zqwxy"}
        assert 0 < len(expansions) <= cap, (text, len(expansions))
        assert {term_of(w) for w in words[:5]} <= expansions
        assert set(numbers(index.search(text, partial=partial).hits)) == {1, 2}
    index.close()


# -- notices: each one whole ----------------------------------------------------------------------


@pytest.mark.parametrize("partial", [False, True])
def test_each_notice_is_one_whole_message(sample_index: SearchIndex, partial: bool) -> None:
    parsed = sample_index.parse('foo:bar "unclosed pool', partial=partial)
    assert len(parsed.notices) == 2
    unknown, problem = parsed.notices
    assert unknown.startswith("no field foo (fields: title, tag, ")
    assert unknown.endswith(")")
    assert (
        problem
        == "unbalanced quotes, brackets or parentheses; searched the words: bar unclosed pool"
    )
    assert parsed.notice == f"{unknown}; {problem}"


@pytest.mark.parametrize("text", ["foo:", "pool foo:", "foo:b"])
def test_an_unknown_field_is_named_while_typing(sample_index: SearchIndex, text: str) -> None:
    notices = sample_index.parse(text, partial=True).notices
    assert any(n.startswith("no field foo (") for n in notices), notices
