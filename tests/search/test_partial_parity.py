"""As-you-type search agrees with the complete search (the sidebar with ``mistakes search``).

The rule, as a property: for query text T, the partial (as-you-type) result set contains the
complete result set of T: the last word may add the words it starts, never lose its own
matches. Where the last word is negated (``A NOT b``, ``A -b``) the two are the same. The
queries are drawn from the words of a folder: whole words, prefixes, two words, NOT, ``-``,
OR, groups, fields and hyphenated words. Complete result sets are compared, not counts.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistakes.domain.template import Template
from mistakes.search.index import SearchIndex
from mistakes.storage.folder import EntryFolder
from tests.conftest import REPO
from tests.search.conftest import SAMPLES, numbers, write_entry

ALL = 100_000  # a limit no folder here reaches: every match comes back
CASES = 150  # queries per shape and folder
NEGATIONS = ("NOT", "-")
_WORD = re.compile(r"[^\W\d_][\w]*(?:-\w+)*")  # words, hyphenated ones whole
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def _every(index: SearchIndex, text: str, *, partial: bool) -> set[int]:
    results = index.search(text, limit=ALL, partial=partial, snippets=0)
    assert len(results.hits) < ALL
    return set(numbers(results.hits))


class Words:
    """The words of a folder, to draw queries from."""

    def __init__(self, root: Path, template: Template) -> None:
        entries, problems = EntryFolder(root, template).load_all()
        assert entries and not problems
        text: list[str] = []
        self.titles: list[str] = []
        self.tags: list[str] = []
        self.reporters: list[str] = []
        self.fixes: list[str] = []
        for stored in entries:
            entry = stored.entry
            self.titles.extend(_words(entry.title))
            text.append(entry.title)
            text.extend(entry.sections.values())
            self.fixes.extend(_words(entry.sections.get("fix", "")))
            tags = entry.fields.get("tags") or []
            self.tags.extend(t for t in tags if isinstance(t, str) and t)
            reporter = entry.fields.get("reporter")
            if isinstance(reporter, str) and reporter:
                self.reporters.extend(_words(reporter))
        self.all = sorted({w for chunk in text for w in _words(chunk)})
        self.hyphenated = [w for w in self.all if "-" in w]
        assert self.all and self.titles

    def pick(self, rng: random.Random, pool: list[str] | None = None) -> str:
        return rng.choice(pool or self.all)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in _OPERATORS]


def _start(rng: random.Random, word: str) -> str:
    """The word as typed so far: any start of it (the whole word too)."""
    return word[: rng.randint(1, len(word))]


def _queries(words: Words, seed: int) -> Iterator[tuple[str, bool]]:
    """(query text, whether its last word is negated)."""
    rng = random.Random(seed)
    pick = words.pick
    for _ in range(CASES):
        a, b, c = pick(rng), pick(rng), pick(rng)
        yield a, False
        yield _start(rng, a), False
        yield f"{a} {_start(rng, b)}", False
        yield f"{_start(rng, a)} {b}", False
        for negation in NEGATIONS:
            glue = f"{negation} " if negation == "NOT" else negation
            yield f"{a} {glue}{b}", True
            yield f"{a} {glue}{_start(rng, b)}", True
        yield f"{a} OR {_start(rng, b)}", False
        # queries the parser cannot read: both search the plain words
        yield f"({a} {_start(rng, b)}", False
        yield f'"{a} {_start(rng, b)}', False
        yield f"{a} {rng.choice(['the', 'of', 'in', 'to', 'for'])}", False
        yield f"({a} OR {b}) {_start(rng, c)}", False
        yield f"{a} ({b} OR {_start(rng, c)})", False
        yield f"title:{_start(rng, pick(rng, words.titles))}", False
        yield f"{a} title:{_start(rng, pick(rng, words.titles))}", False
        yield f"fix:{_start(rng, pick(rng, words.fixes or words.all))}", False
        if words.tags:
            yield f"tag:{_start(rng, pick(rng, words.tags))}", False
            yield f"{_start(rng, a)} tag:{pick(rng, words.tags)}", False
        if words.reporters:
            yield f"reporter:{_start(rng, pick(rng, words.reporters))}", False
        severity = rng.choice(["critical", "high", "medium", "low"])
        yield f"severity:{_start(rng, severity)}", False
        yield f"{a} NOT severity:{severity}", True
        if words.hyphenated:
            h = pick(rng, words.hyphenated)
            yield h, False
            yield _start(rng, h), False
            yield f"{a} {_start(rng, h)}", False
            yield f"{a} NOT {h}", True


def _violations(index: SearchIndex, queries: Iterator[tuple[str, bool]]) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    for text, negated in queries:
        if text in seen:
            continue
        seen.add(text)
        full = _every(index, text, partial=False)
        partial = _every(index, text, partial=True)
        if negated and partial != full:
            found.append(f"{text!r}: partial {sorted(partial)} != full {sorted(full)}")
        elif not partial >= full:
            found.append(f"{text!r}: partial lost {sorted(full - partial)}")
    return found


# -- the folders ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    benchmarks = str(REPO / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.insert(0, benchmarks)
    import synth

    root = tmp_path_factory.mktemp("synth") / "entries"
    synth.generate(root, 80, seed=4321, workers=1)
    return root


@pytest.fixture(scope="module")
def synth_index(
    synth_folder: Path, template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchIndex]:
    index = SearchIndex(EntryFolder(synth_folder, template), tmp_path_factory.mktemp("synth-cache"))
    index.open()
    yield index
    index.close()


@pytest.fixture(scope="module")
def sample_words(template: Template) -> Words:
    return Words(SAMPLES, template)


# -- the property ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_partial_contains_full_on_the_samples(
    sample_index: SearchIndex, sample_words: Words, seed: int
) -> None:
    problems = _violations(sample_index, _queries(sample_words, seed))
    assert not problems, f"{len(problems)} queries:\n" + "\n".join(problems[:25])


def test_partial_contains_full_on_a_generated_folder(
    synth_index: SearchIndex, synth_folder: Path, template: Template
) -> None:
    problems = _violations(synth_index, _queries(Words(synth_folder, template), 7))
    assert not problems, f"{len(problems)} queries:\n" + "\n".join(problems[:25])


def test_every_whole_word_of_the_samples_is_found_as_typed(
    sample_index: SearchIndex, sample_words: Words
) -> None:
    """Each word as the whole query (typed with no space after it) finds at least what the
    complete search finds; ``A NOT w`` finds exactly the same."""
    problems = _violations(
        sample_index,
        ((word, False) for word in sample_words.all[::3]),
    )
    assert not problems, f"{len(problems)} words:\n" + "\n".join(problems[:25])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the words the issue and the review name, with what the complete search finds
        ("toxiproxy", {19}),
        ("latency toxiproxy", {19}),
        ("helm-rollback", {20}),
        ("policy", None),
        ("memory", None),
        ("dependency", None),
        ("retry", None),
        ("query", None),
        ("title:policy", None),
        ("pool NOT staging", None),
        ("pool -staging", None),
        ("error NOT dependency", None),
        ("pool NOT deploy", None),
    ],
)
def test_the_reported_queries(
    sample_index: SearchIndex, text: str, expected: set[int] | None
) -> None:
    full = _every(sample_index, text, partial=False)
    partial = _every(sample_index, text, partial=True)
    assert full, text
    if expected is not None:
        assert expected <= full
    if "NOT" in text or " -" in text:
        assert partial == full
    else:
        assert partial >= full


def test_minus_excludes_like_not(sample_index: SearchIndex) -> None:
    pool = _every(sample_index, "pool", partial=False)
    staging = _every(sample_index, "staging", partial=False)
    assert pool & staging and pool - staging
    for partial in (False, True):
        assert _every(sample_index, "pool -staging", partial=partial) == pool - staging
        assert _every(sample_index, "pool NOT staging", partial=partial) == pool - staging
        assert _every(sample_index, 'pool -"staging"', partial=partial) == pool - staging
    # a hyphen inside a word, or two of them, is no NOT
    assert 20 in _every(sample_index, "pending-upgrade", partial=False)
    assert _every(sample_index, "--staging", partial=False) == staging


def test_a_typed_word_past_its_stem_does_not_find_a_shorter_word(
    folder: EntryFolder, tmp_path: Path
) -> None:
    """``timeout`` as typed must not find titles with ``time`` (a cut back to a stem is only
    for what could be a suffix: ``connecti`` finds ``connect``)."""
    write_entry(folder.root, 1, "time", "Time zone drift", what_happened="Clocks were off.")
    write_entry(
        folder.root, 2, "timeout", "Gateway stalls", what_happened="Upstream timeout at noon."
    )
    write_entry(folder.root, 3, "conn", "Connect storms", what_happened="Many sockets.")
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    try:
        assert _every(index, "timeout", partial=True) == {2}
        assert _every(index, "connecti", partial=True) == {3}
    finally:
        index.close()


def test_cjk_as_you_type_obeys_the_rule(folder: EntryFolder, tmp_path: Path) -> None:
    write_entry(folder.root, 1, "db", "数据库连接失败", what_happened="连接池耗尽，服务返回错误。")
    write_entry(folder.root, 2, "cache", "缓存失效", what_happened="数据不一致 after deploy")
    write_entry(
        folder.root, 3, "jp", "接続タイムアウト", what_happened="データベースに接続できない"
    )
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    try:
        words = ["数据库", "数据", "连接", "失败", "缓存", "接続", "データベース", "タイムアウト"]
        queries = [(w, False) for w in words]
        queries += [(w[:n], False) for w in words for n in range(1, len(w))]
        queries += [(f"{a} {b}", False) for a in words for b in words if a != b]
        queries += [(f"{a} NOT {b}", True) for a in words for b in words if a != b]
        queries += [(f"{a} -{b}", True) for a in words for b in words if a != b]
        assert not _violations(index, iter(queries))
        assert _every(index, "数据库", partial=True) == {1}
    finally:
        index.close()
