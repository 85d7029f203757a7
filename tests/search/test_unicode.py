"""Unicode in search (issue 13): text and queries are compared in NFC, and a word inside a
run of CJK letters (written without spaces) is found."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistakes.domain.entry import new_entry
from mistakes.domain.template import Template
from mistakes.search.analysis import count_positions, make_analyzer, units
from mistakes.search.index import SearchIndex
from mistakes.search.snippets import make_snippet
from mistakes.storage.folder import EntryFolder
from tests.search.conftest import numbers, write_entry


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture
def index(folder: EntryFolder, tmp_path: Path) -> Iterator[SearchIndex]:
    root = folder.root
    write_entry(
        root, 1, "eclair", nfd("Éclair outage"), what_happened=nfd("The éclair oven failed.")
    )
    write_entry(root, 2, "creme", nfc("Crème brûlée"), what_happened=nfc("The crème brûlée burnt."))
    write_entry(
        root,
        3,
        "db",
        "数据库连接失败",
        what_happened="订单服务报错：数据库连接池耗尽。",
        error_messages="ConnectionError: 无法连接数据库 after 30s",
        fix="重启服务",
    )
    write_entry(root, 4, "cache", "缓存失效", what_happened="数据不一致，连接正常。")
    write_entry(root, 5, "jp", "接続タイムアウト", what_happened="データベースに接続できない")
    write_entry(root, 6, "plain", "Pool exhausted", what_happened="The pool was full.")
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    yield index
    index.close()


def found(index: SearchIndex, text: str, *, partial: bool = False) -> set[int]:
    return set(numbers(index.search(text, limit=100, partial=partial).hits))


# -- NFC ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [nfc, nfd])
@pytest.mark.parametrize("partial", [False, True])
def test_either_form_finds_either_form(index: SearchIndex, form, partial: bool) -> None:
    # 001 is stored decomposed, 002 composed: every spelling finds both
    assert found(index, form("éclair"), partial=partial) == {1}
    assert found(index, form("crème"), partial=partial) == {2}
    assert found(index, form("brûlée"), partial=partial) == {2}
    assert found(index, "eclair", partial=partial) == {1}


@pytest.mark.parametrize("form", [nfc, nfd])
def test_phrases_across_forms(index: SearchIndex, form) -> None:
    assert found(index, form('"éclair oven"')) == {1}
    assert found(index, form('"crème brûlée"')) == {2}
    assert found(index, form('"brûlée crème"')) == set()


def test_a_decomposed_text_has_the_positions_of_the_composed_one() -> None:
    text = "The éclair oven failed."
    assert count_positions(nfd(text)) == count_positions(text) == 4


def test_snippets_mark_a_decomposed_word(index: SearchIndex) -> None:
    hit = index.search("eclair", limit=5).hits[0]
    assert hit.snippet is not None
    marked = [hit.snippet.text[a:b] for a, b in hit.snippet.spans]
    assert marked == [nfc("éclair")]


# -- CJK ------------------------------------------------------------------------------------------


def test_a_cjk_run_is_its_letter_pairs() -> None:
    analyzer = make_analyzer()
    indexed = [(t.text, t.pos) for t in analyzer("数据库连接", positions=True)]
    assert indexed == [
        ("数据", 0),
        ("数", 0),
        ("据库", 1),
        ("据", 1),
        ("库连", 2),
        ("库", 2),
        ("连接", 3),
        ("连", 3),
        ("接", 4),
    ]
    query = [t.text for t in analyzer("数据库", mode="query")]
    assert query == ["数据", "据库"]
    assert [t.text for t in analyzer("库", mode="query")] == ["库"]
    # a CJK run inside a word of other letters, and the words around it
    assert [u[2] for u in units("db数据库error ok", query=True)] == [
        "db",
        "数据",
        "据库",
        "error",
        "ok",
    ]
    assert count_positions("数据库连接 ok") == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("数据库", {3}),  # inside 数据库连接失败 (title) and 数据库连接池 (body)
        ("连接", {3, 4}),
        ("数据", {3, 4}),
        ("连接失败", {3}),
        ("库连", {3}),  # letter pairs do not know word boundaries
        ("数据库失败", set()),  # both pairs are there, not in this order
        ("库", {3}),
        ('"数据库连接"', {3}),
        ("数据库 重启", {3}),
        ("数据库 NOT 重启", set()),
        ("数据库 -缓存", {3}),
        ("title:失效", {4}),
        ("fix:重启", {3}),
        ("fix:数据库", set()),  # in the entry, not in its fix
        ("error_messages:数据库", {3}),
        ("what_happened:连接池", {3}),
        ("接続", {5}),
        ("データベース", {5}),
        ("タイムアウト", {5}),
    ],
)
@pytest.mark.parametrize("partial", [False, True])
def test_a_word_inside_a_cjk_run_is_found(
    index: SearchIndex, query: str, expected: set[int], partial: bool
) -> None:
    assert found(index, query, partial=partial) == expected


def test_cjk_snippets_mark_the_word(template: Template) -> None:
    entry = new_entry(template, "数据库连接失败")
    entry.sections["what_happened"] = "订单服务报错：数据库连接池耗尽。"
    snippet = make_snippet(entry, template, frozenset({"数据", "据库"}))
    assert snippet.section == "What Happened"
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["数据库"]
    alone = make_snippet(entry, template, frozenset({"池"}))
    assert [alone.text[a:b] for a, b in alone.spans] == ["池"]


def test_cjk_search_results_have_marked_snippets(index: SearchIndex) -> None:
    hit = index.search("数据库", limit=5).hits[0]
    assert hit.number == 3
    assert hit.snippet is not None
    assert "数据库" in [hit.snippet.text[a:b] for a, b in hit.snippet.spans]
