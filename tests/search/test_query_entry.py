"""A new entry from typed query text: the free words as its title, field terms as values."""

from __future__ import annotations

import random

import pytest

from mistakes.domain.entry import new_entry
from mistakes.domain.template import Template
from mistakes.search.query import QueryEntry, entry_from_query


@pytest.mark.parametrize(
    ("text", "title", "tags", "values"),
    [
        ("tag:redis cache stampede", "cache stampede", ["redis"], {}),
        ("cache stampede tag:redis", "cache stampede", ["redis"], {}),
        ("Tag:Redis TAG:cache,ttl stampede", "stampede", ["redis", "cache", "ttl"], {}),
        ("severity:high pool leak", "pool leak", [], {"severity": "high"}),
        (
            "Severity:HIGH status:resolved pool",
            "pool",
            [],
            {"severity": "high", "status": "resolved"},
        ),
        ("reporter:priya pool", "pool", [], {"reporter": "priya"}),
        ("date:2026-01-02 pool", "pool", [], {"date": "2026-01-02"}),
        ('title:"Pool exhausted" after deploy', "Pool exhausted after deploy", [], {}),
        ("title:(pool exhausted) again", "pool exhausted again", [], {}),
        ('"connection refused" on start', "connection refused on start", [], {}),
        ("timeout* deadlok~ pool^2", "timeout deadlok pool", [], {}),
        ("pool NOT staging -dev", "pool", [], {}),
        ('pool -"in staging" NOT (a OR b) c', "pool c", [], {}),
        ("(redis OR memcached) eviction", "redis memcached eviction", [], {}),
        ("数据库 连接失败", "数据库 连接失败", [], {}),
        # text that only looks like a field stays in the title
        ("Error: connection refused", "Error: connection refused", [], {}),
        ("http://example.com is down", "http://example.com is down", [], {}),
        ("nosuchfield:x pool", "nosuchfield:x pool", [], {}),
    ],
)
def test_title_and_fields(
    template: Template, text: str, title: str, tags: list[str], values: dict[str, str]
) -> None:
    made = entry_from_query(text, template)
    assert made.title == title
    assert made.tags == tags
    assert made.values == values


@pytest.mark.parametrize(
    ("text", "left_out"),
    [
        ("severity:hi pool", ["severity:hi"]),  # still being typed: not a severity
        ("status:maybe pool", ["status:maybe"]),
        ("date:2026-13-01 pool", ["date:2026-13-01"]),
        ("date:2026 pool", ["date:2026"]),  # a year is a search, not a date to write
        ("date:[2026 to 2027] pool", ["date:[2026 to 2027]"]),
        ("status: pool", ["status:"]),
        ("pool -dev", ["-dev"]),
    ],
)
def test_what_a_field_cannot_take_is_left_out(
    template: Template, text: str, left_out: list[str]
) -> None:
    made = entry_from_query(text, template)
    assert made.title == "pool"
    assert made.left_out == left_out
    assert made.values == {}


def test_section_terms_go_to_their_section(template: Template) -> None:
    made = entry_from_query('fix:"restart the pods" OOM in worker what_happened:oom', template)
    assert made.title == "OOM in worker"
    assert made.sections == {"fix": "restart the pods", "what_happened": "oom"}


def test_apply_fills_a_new_entry(template: Template) -> None:
    made = entry_from_query("tag:redis severity:high cache stampede fix:ttl", template)
    entry = new_entry(template, made.title)
    made.apply(entry, template)
    assert entry.title == "cache stampede"
    assert entry.fields["tags"] == ["redis"]
    assert entry.fields["severity"] == "high"
    assert entry.sections["fix"] == "ttl"


def test_only_fields_make_no_title(template: Template) -> None:
    assert entry_from_query("tag:redis", template) == QueryEntry("", tags=["redis"])


def test_no_field_syntax_reaches_the_title(template: Template) -> None:
    """Over many mixed queries: known field terms never end up in the title, the free words
    do, in order."""
    rng = random.Random(3)
    words = ["cache", "stampede", "pool", "leak", "TLS", "retry", "数据库", "éclair", "v2.3"]
    fields = [
        "tag:redis",
        "Tag:db",
        "severity:high",
        "status:active",
        "reporter:priya",
        "fix:restart",
        "severity:hi",
        "status:",
        "date:2026-01-02",
        "title:",
    ]
    for _ in range(300):
        free = rng.sample(words, rng.randint(1, 4))
        terms = [*free, *rng.sample(fields, rng.randint(0, 3))]
        rng.shuffle(terms)
        ordered = [t for t in terms if t in free]
        made = entry_from_query(" ".join(terms), template)
        assert made.title == " ".join(ordered), terms
        assert ":" not in made.title
