#!/usr/bin/env python3
"""How well ``similar`` answers "have we seen this error before?", measured (issue 10).

Usage::

    python benchmarks/similar_quality.py [--background 3000] [--seed 1234] [--json]
                                         [--corpus /work/shared/corpus] [--keep DIR]
    python benchmarks/similar_quality.py --background 10000 --latency-only

The labelled set (``benchmarks/error_pastes.py``): every distinct real error block of the
corpus (code fences and indented blocks holding a traceback, an exception line, an error
code, a compiler/npm/HTTP error ...; the same error text kept once) becomes a past entry
(title: the heading above it; What Happened: the prose above it; Error Messages: the error;
The Fix: the prose below it). Beside each, a look-alike entry: the same exception type or
error prefix with another message and other frames. Both are written with the project's own
writing API (``EntryFolder.create``) after ``N`` background entries from ``synth.generate``.
Each error is pasted back as a new occurrence would be: numbers, ids, paths and timestamps
renumbered, a frame dropped, inside ordinary log lines (levels, timestamps, request ids);
the corpus keeps only the error line of most Python/JavaScript errors, so the paste carries
the stack the program prints (a third of the Python ones chained with "During handling of
the above exception, another exception occurred").

Then, in one run:

* ``seen``: every paste against the folder with its target: recall@1 and recall@3 of the
  app's lookup (``Workspace.similar``, limit 5, as the Similar tab asks) and of plain Whoosh
  BM25 (default scoring, StandardAnalyzer, every pasted word OR-ed, over a plain index of
  the same files built in the same run), and the lookup latency per paste (wall and CPU);
* ``unseen``: the same pastes against the same folder without the targets (look-alikes and
  background stay): how often the answer would be "No close matches" at a range of
  thresholds on the score ``similar`` returns, on a normalised score defined here
  (``coverage``: the weight of the paste's terms the top hit matched over the weight of all
  of them, from ``extract``/``weighted_terms``), and the recall kept at each;
* a PROTOTYPE ranking (defined in this file, not the app's code) that scores entries by how
  much of the paste's error lines their Error Messages cover, weighted by rarity, plus a
  share for holding the paste's error line itself, with the same figures, to show what a
  threshold can do.

``--latency-only`` builds one index (targets in it) and prints only the lookup cost and
recall as JSON: the issue's latency target is stated at 10,000 entries.

Deterministic for a given ``--seed`` (latencies aside). Progress goes to stderr.
"""

# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # benchmarks/synth.py, benchmarks/error_pastes.py
_SRC = HERE.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.append(str(_SRC))  # appended: an installed ``mistakes`` still wins

from error_pastes import ErrorBlock, error_blocks, language, lookalike, make_paste  # noqa: E402

__all__ = ["LabelledPaste", "build_labelled_set", "main", "run"]

DEFAULT_SEED = 1234
DEFAULT_BACKGROUND = 3000
DEFAULT_CORPUS = Path("/work/shared/corpus")
APP_LIMIT = 5  # the Similar tab and ``Workspace.similar`` ask for five
SCORE_QUANTILES = (0, 1, 2, 5, 10, 20, 30, 50)  # % of the seen top-1 scores: raw thresholds
NORMALISED_THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
PROTOTYPE_THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
# what every traceback or log carries: never a reason (the list)
GENERIC = frozenset(
    {
        *("traceback", "most", "recent", "call", "last", "during", "handling", "above"),
        *("another", "exception", "occurred", "direct", "cause", "following", "raise"),
        *("info", "debug", "warn", "warning", "error", "critical", "fatal", "trace"),
        *("request", "request_id", "span", "trace_id", "unhandled", "failed", "file", "line"),
    }
)


# =============================================================================================
# The project's API: one small adapter per call (the API moves; change only these)
# =============================================================================================
def _default_template_path() -> Path:
    import mistakes.templates

    return Path(mistakes.templates.__file__).resolve().parent / "default.md"


def write_entry(root: Path, title: str, sections: dict[str, str], day: str) -> str:
    """Write a new entry with the project's own writing API; its file name."""
    from mistakes.domain.entry import new_entry
    from mistakes.storage.folder import EntryFolder
    from mistakes.storage.template_file import load_template

    template = load_template()
    entry = new_entry(template, title)
    entry.fields["date"] = day
    entry.sections.update(sections)
    stored = EntryFolder(root, template).create(entry)
    return stored.path.name


def build_index(root: Path, cache: Path) -> None:
    """Build the search index of ``root`` in ``cache`` as the CLI does (it may fork)."""
    from mistakes.services.search import SearchService
    from mistakes.storage.folder import EntryFolder
    from mistakes.storage.template_file import load_template

    service = SearchService(EntryFolder(root, load_template()), cache)
    service.open()
    service.index.close()


def open_workspace(root: Path, cache: Path) -> Any:
    """The app's workspace on ``root`` (index in ``cache``), brought in step."""
    from mistakes.services.workspace import Workspace

    workspace = Workspace.open(
        root, template=_default_template_path(), cache_root=cache, data_dir=cache / "data"
    )
    workspace.sync()
    return workspace


def close_workspace(workspace: Any) -> None:
    workspace.close()


@dataclass
class Found:
    name: str  # file name
    score: float
    reason: str
    terms: frozenset[str]


def app_similar(workspace: Any, text: str, limit: int = APP_LIMIT) -> list[Found]:
    """What the app's Similar tab gets for a pasted text."""
    hits = workspace.similar(text, limit=limit)
    return [Found(h.path.name, float(h.score), str(h.reason), frozenset(h.terms)) for h in hits]


def query_weights(text: str) -> dict[str, float]:
    """term -> weight of the terms ``similar`` looks for in a paste (before its rarity cut)."""
    from mistakes.search.similar import extract, weighted_terms

    weights: dict[str, float] = weighted_terms(extract(text), None)
    return weights


@dataclass
class PasteSignals:
    exceptions: list[str]
    frames: list[str]
    codes: list[str]
    error_lines: list[str]  # normalised
    other_words: list[str]


def paste_signals(text: str) -> PasteSignals:
    """The project's reading of a paste (``mistakes.search.similar.extract``)."""
    from mistakes.search.similar import extract

    s = extract(text)
    return PasteSignals(
        list(s.exceptions), list(s.frames), list(s.codes), list(s.error_lines), list(s.other_words)
    )


def index_term(word: str) -> str:
    """The index term of a word (folded, stemmed), as ``similar`` matches it."""
    from mistakes.search.analysis import term_of

    return str(term_of(word))


def normalise_line(line: str) -> str:
    """A log line with what varies between occurrences replaced (``similar.normalise``)."""
    from mistakes.search.similar import normalise

    return str(normalise(line))


def read_error_messages(path: Path) -> tuple[str, str]:
    """(title, Error Messages section) of an entry file, read with the project's reader."""
    from mistakes.storage.folder import EntryFolder
    from mistakes.storage.template_file import load_template

    entry = EntryFolder(path.parent, load_template()).load(path).entry
    return str(entry.title), str(entry.sections.get("error_messages", ""))


# =============================================================================================
# The labelled set
# =============================================================================================
@dataclass
class LabelledPaste:
    block: ErrorBlock
    target: str  # file name of the past entry
    lookalike: str  # file name of the look-alike entry
    paste: str
    changes: list[str] = field(default_factory=list)


def _fence(text: str) -> str:
    return f"```\n{text}\n```"


def build_labelled_set(root: Path, blocks: Sequence[ErrorBlock], seed: int) -> list[LabelledPaste]:
    """Write a target and a look-alike entry per block into ``root`` (after what is there)
    and make one paste per block. Deterministic for ``seed``."""
    out: list[LabelledPaste] = []
    for number, block in enumerate(blocks):
        rng = random.Random(f"{seed}:{number}:{block.source}:{block.line}")
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        title = block.heading or block.message[:80] or block.kind
        sections = {
            "what_happened": block.before or f"{block.kind} in {block.source}",
            "error_messages": _fence(block.text),
        }
        if block.after:
            sections["fix"] = block.after
        target = write_entry(root, title, sections, day)
        lk_title, lk_story, lk_text = lookalike(block, rng)
        other = write_entry(
            root,
            lk_title,
            {"what_happened": lk_story, "error_messages": _fence(lk_text)},
            f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        )
        paste, changes = make_paste(block.text, rng, language(block))
        out.append(LabelledPaste(block, target, other, paste, changes))
    return out


# =============================================================================================
# Plain Whoosh BM25 (the baseline)
# =============================================================================================
class PlainBM25:
    """Whoosh's default scoring (BM25F) over the whole text of each file, StandardAnalyzer;
    a paste is searched as every distinct word it holds, OR-ed."""

    def __init__(self, root: Path, where: Path) -> None:
        from whoosh import index as windex
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        self.analyzer = StandardAnalyzer()
        schema = Schema(path=ID(stored=True, unique=True), content=TEXT(analyzer=self.analyzer))
        where.mkdir(parents=True, exist_ok=True)
        self.ix = windex.create_in(str(where), schema)
        writer = self.ix.writer(limitmb=256)
        for path in sorted(root.glob("*.md")):
            writer.add_document(path=path.name, content=path.read_text("utf-8"))
        writer.commit()
        self.searcher = self.ix.searcher()

    def search(self, text: str, limit: int = APP_LIMIT) -> list[Found]:
        from whoosh import query as wq

        terms = sorted({token.text for token in self.analyzer(text)})
        if not terms:
            return []
        results = self.searcher.search(wq.Or([wq.Term("content", t) for t in terms]), limit=limit)
        return [Found(r["path"], float(r.score or 0.0), "", frozenset()) for r in results]

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


# =============================================================================================
# PROTOTYPE ranking (not the app's code): error-line coverage weighted by rarity
# =============================================================================================
_TAIL = re.compile(
    r"(?:(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Fault|Failure)\b"
    r"|\b(?:fatal error|npm ERR!|error(?: TS\d+|\[E\d+\])?|ERROR|Error|FATAL|panic)\s*[:!]).*$"
)


def error_tails(text: str) -> set[str]:
    """PROTOTYPE. The error lines of a text from the exception type or error prefix on,
    normalised and lowercased (lines of at least three words: a bare type says little)."""
    tails = set()
    for line in text.split("\n"):
        match = _TAIL.search(line)
        if match:
            tail = normalise_line(match.group(0)).lower()
            if len(re.findall(r"[a-z]{2,}", tail)) >= 3:
                tails.add(tail)
    return tails


class PrototypeRanker:
    """PROTOTYPE. Each entry is reduced to the index terms of its Error Messages (and
    title); a paste to the terms of its error lines only (exception types, error codes,
    frames, the words of error lines; ordinary log lines never count), minus what every
    traceback or log carries (``GENERIC``) and minus terms in more than 5% of the entries.
    Each term weighs its kind (exception 3, code 3, error-line word 1.5, frame 1) times its
    idf. An entry's score is the share of the paste's weight it covers, in [0, 1] (1: the
    entry holds every error term of the paste): the "score against itself" normalisation.
    Besides, an entry that holds the paste's error line itself (from the exception type or
    error prefix on, normalised: a log prefix, numbers, ids and paths do not count) gets
    ``LINE_SHARE`` of its score from that: score = (1 - LINE_SHARE) * coverage +
    LINE_SHARE * [an error line in common].
    "No close matches" when the best score is under the threshold."""

    COMMON_SHARE = 0.05
    LINE_SHARE = 0.4

    def __init__(self, paths: Sequence[Path]) -> None:
        self.postings: dict[str, set[str]] = {}
        self.lines: dict[str, set[str]] = {}
        for path in paths:
            title, errors = read_error_messages(path)
            for term in self._entry_terms(title + "\n" + errors):
                self.postings.setdefault(term, set()).add(path.name)
            for tail in error_tails(errors):
                self.lines.setdefault(tail, set()).add(path.name)
        self.n = max(1, len(paths))

    @staticmethod
    def _entry_terms(text: str) -> set[str]:
        terms: set[str] = set()
        for word in re.findall(r"[A-Za-z_]\w*", text):
            terms.add(index_term(word))
            for part in re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+", word):
                terms.add(index_term(part))
        return terms

    def weights(self, text: str) -> dict[str, float]:
        signals = paste_signals(text)
        raw: dict[str, float] = {}

        def add(word: str, weight: float) -> None:
            term = index_term(word)
            if len(term) < 3 or term in GENERIC or word.lower() in GENERIC:
                return
            raw[term] = max(raw.get(term, 0.0), weight)

        for line in signals.error_lines:
            for word in re.findall(r"[A-Za-z_]\w*", line):
                add(word, 1.5)
        for word in signals.frames:
            add(word, 1.0)
        for code in signals.codes:
            for word in re.findall(r"[A-Za-z_]\w*", code):
                add(word, 3.0)
        for word in signals.exceptions:
            add(word, 3.0)
        out: dict[str, float] = {}
        for term, weight in raw.items():
            df = len(self.postings.get(term, ()))
            if df > self.COMMON_SHARE * self.n:
                continue  # in many entries: says nothing about which error this is
            out[term] = weight * math.log(1.0 + self.n / (1.0 + df))
        return out

    def search(self, text: str, limit: int = APP_LIMIT) -> list[Found]:
        weights = self.weights(text)
        total = sum(weights.values())
        if total <= 0:
            return []
        scores: dict[str, float] = {}
        for term, weight in weights.items():
            for name in self.postings.get(term, ()):
                scores[name] = scores.get(name, 0.0) + (1.0 - self.LINE_SHARE) * weight / total
        for tail in error_tails(text):
            for name in self.lines.get(tail, ()):
                scores[name] = scores.get(name, 0.0) + self.LINE_SHARE
        for name in scores:
            scores[name] = min(1.0, scores[name])
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Found(name, score, "", frozenset()) for name, score in ranked]


# =============================================================================================
# Measuring
# =============================================================================================
def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _say(message: str) -> None:
    print(f"[similar_quality] {message}", file=sys.stderr, flush=True)


def coverage(paste: str, top: Found) -> float:
    """Normalised score of the app's top hit: the weight of the paste's query terms that it
    matched over the weight of all of them (``weighted_terms`` with no rarity cut)."""
    weights = query_weights(paste)
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in top.terms) / total


@dataclass
class Answers:
    """One system's answers for every paste: ranked file names and a confidence."""

    ranked: list[list[str]]
    confidence: list[float]
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    reasons: list[list[str]] = field(default_factory=list)
    top_score: list[float] = field(default_factory=list)  # the score the top hit came with


def answer_all(
    pastes: Sequence[LabelledPaste],
    lookup: Callable[[str], list[Found]],
    confidence: Callable[[str, Found], float],
) -> Answers:
    answers = Answers([], [])
    if pastes:
        lookup(pastes[0].paste)  # warm: a searcher opened, caches filled
    for item in pastes:
        wall, cpu = time.perf_counter(), time.thread_time()
        found = lookup(item.paste)
        answers.wall_ms.append((time.perf_counter() - wall) * 1000.0)
        answers.cpu_ms.append((time.thread_time() - cpu) * 1000.0)
        answers.ranked.append([f.name for f in found])
        answers.reasons.append([f.reason for f in found])
        answers.confidence.append(confidence(item.paste, found[0]) if found else 0.0)
        answers.top_score.append(found[0].score if found else 0.0)
    return answers


def recall(pastes: Sequence[LabelledPaste], answers: Answers, k: int) -> float:
    if not pastes:
        return 0.0
    good = sum(p.target in r[:k] for p, r in zip(pastes, answers.ranked, strict=True))
    return good / len(pastes)


def threshold_table(
    pastes: Sequence[LabelledPaste], seen: Answers, unseen: Answers, thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """Per threshold: the share of unseen pastes answered "No close matches" (best hit under
    it, or none) and the recall@1/@3 kept on the seen pastes (target found AND answered)."""
    rows = []
    n = max(1, len(pastes))
    for t in thresholds:
        none = sum(
            1 for r, c in zip(unseen.ranked, unseen.confidence, strict=True) if not r or c < t
        )
        kept1 = kept3 = 0
        for p, r, c in zip(pastes, seen.ranked, seen.confidence, strict=True):
            if r and c >= t:
                kept1 += p.target in r[:1]
                kept3 += p.target in r[:3]
        rows.append(
            {
                "threshold": t,
                "no_match": none / n,
                "recall_at_1": kept1 / n,
                "recall_at_3": kept3 / n,
            }
        )
    return rows


def _generic_reasons(answers: Answers) -> tuple[int, int, Counter[str]]:
    """(hits, hits whose reason names a word every traceback or log carries, which words)."""
    hits = flagged = 0
    words: Counter[str] = Counter()
    for reasons in answers.reasons:
        for reason in reasons:
            hits += 1
            terms_part = (
                reason.split("shared rare terms", 1)[1] if "shared rare terms" in reason else ""
            )
            frames_part = (
                reason.split("shared frames", 1)[1].split(";")[0]
                if "shared frames" in reason
                else ""
            )
            generic = {
                w.lower() for w in re.findall(r"[A-Za-z_]\w*", terms_part + " " + frames_part)
            }
            generic &= GENERIC
            if generic:
                flagged += 1
                words.update(generic)
    return hits, flagged, words


def _misses(pastes: Sequence[LabelledPaste], answers: Answers) -> list[dict[str, Any]]:
    out = []
    for p, r, reasons in zip(pastes, answers.ranked, answers.reasons, strict=True):
        if p.target in r[:1]:
            continue
        out.append(
            {
                "error": p.block.text.split("\n")[0][:90],
                "source": p.block.sources[0],
                "target_rank": (r.index(p.target) + 1) if p.target in r else None,
                "top": r[0] if r else None,
                "top_is_lookalike": bool(r) and r[0] == p.lookalike,
                "top_reason": reasons[0] if reasons else "",
            }
        )
    return out


def run(background: int, seed: int, corpus: Path, keep: Path | None = None) -> dict[str, Any]:
    from synth import generate

    work = Path(tempfile.mkdtemp(prefix="similar-quality-")) if keep is None else keep
    if keep is not None and keep.exists():
        shutil.rmtree(keep)
    work.mkdir(parents=True, exist_ok=True)
    seen_root, unseen_root, cache = work / "seen", work / "unseen", work / "cache"
    try:
        _say(f"reading error blocks from {corpus}")
        blocks = error_blocks(corpus)
        _say(f"{len(blocks)} distinct error blocks; writing {background} background entries")
        started = time.perf_counter()
        generate(seen_root, background, seed)
        pastes = build_labelled_set(seen_root, blocks, seed)
        generate_s = time.perf_counter() - started
        targets = {p.target for p in pastes}
        unseen_root.mkdir()
        for path in seen_root.glob("*.md"):
            if path.name not in targets:
                os.link(path, unseen_root / path.name)
        entries = len(list(seen_root.glob("*.md")))

        _say(f"indexing {entries} entries (app index, twice; plain BM25 once)")
        started = time.perf_counter()
        build_index(seen_root, cache)
        build_index(unseen_root, cache)
        seen_ws = open_workspace(seen_root, cache)
        unseen_ws = open_workspace(unseen_root, cache)
        index_s = time.perf_counter() - started
        bm25 = PlainBM25(seen_root, work / "bm25")
        proto_seen = PrototypeRanker(sorted(seen_root.glob("*.md")))
        proto_unseen = PrototypeRanker(sorted(unseen_root.glob("*.md")))

        _say(f"{len(pastes)} pastes: app similar (seen, unseen)")
        app_seen = answer_all(pastes, lambda t: app_similar(seen_ws, t), coverage)
        app_unseen = answer_all(pastes, lambda t: app_similar(unseen_ws, t), coverage)
        raw_seen = Answers(app_seen.ranked, app_seen.top_score)
        raw_unseen = Answers(app_unseen.ranked, app_unseen.top_score)
        _say("plain BM25, prototype")
        bm = answer_all(pastes, bm25.search, lambda _t, f: f.score)
        pr_seen = answer_all(pastes, proto_seen.search, lambda _t, f: f.score)
        pr_unseen = answer_all(pastes, proto_unseen.search, lambda _t, f: f.score)
        close_workspace(seen_ws)
        close_workspace(unseen_ws)
        bm25.close()

        # raw-score thresholds: quantiles of the seen top-1 scores where the target is first
        correct = [
            s
            for p, r, s in zip(pastes, app_seen.ranked, app_seen.top_score, strict=True)
            if r[:1] == [p.target]
        ]
        raw_thresholds = (
            [round(percentile(correct, q), 3) for q in SCORE_QUANTILES] if correct else [0.0]
        )

        hits, flagged, generic_words = _generic_reasons(app_unseen)
        out: dict[str, Any] = {
            "seed": seed,
            "background": background,
            "entries": entries,
            "corpus": str(corpus),
            "error_blocks": len(blocks),
            "pastes": len(pastes),
            "pastes_by_change": dict(Counter(c.split(" (")[0] for p in pastes for c in p.changes)),
            "generate_s": generate_s,
            "index_s": index_s,
            "app": {
                "recall_at_1": recall(pastes, app_seen, 1),
                "recall_at_3": recall(pastes, app_seen, 3),
                "unseen_no_match": sum(not r for r in app_unseen.ranked) / max(1, len(pastes)),
                "unseen_mean_hits": statistics.fmean(len(r) for r in app_unseen.ranked)
                if pastes
                else 0.0,
                "unseen_top_is_lookalike": sum(
                    bool(r) and r[0] == p.lookalike
                    for p, r in zip(pastes, app_unseen.ranked, strict=True)
                )
                / max(1, len(pastes)),
                "unseen_hits": hits,
                "unseen_hits_generic_reason": flagged,
                "generic_reason_words": dict(generic_words.most_common()),
                "latency_p50_ms": percentile(app_seen.wall_ms, 50),
                "latency_p95_ms": percentile(app_seen.wall_ms, 95),
                "cpu_p50_ms": percentile(app_seen.cpu_ms, 50),
                "cpu_p95_ms": percentile(app_seen.cpu_ms, 95),
                "thresholds_raw": threshold_table(pastes, raw_seen, raw_unseen, raw_thresholds),
                "thresholds_coverage": threshold_table(
                    pastes, app_seen, app_unseen, NORMALISED_THRESHOLDS
                ),
                "misses": _misses(pastes, app_seen),
            },
            "bm25": {
                "recall_at_1": recall(pastes, bm, 1),
                "recall_at_3": recall(pastes, bm, 3),
                "latency_p50_ms": percentile(bm.wall_ms, 50),
                "latency_p95_ms": percentile(bm.wall_ms, 95),
            },
            "prototype": {
                "recall_at_1": recall(pastes, pr_seen, 1),
                "recall_at_3": recall(pastes, pr_seen, 3),
                "latency_p50_ms": percentile(pr_seen.wall_ms, 50),
                "latency_p95_ms": percentile(pr_seen.wall_ms, 95),
                "thresholds": threshold_table(pastes, pr_seen, pr_unseen, PROTOTYPE_THRESHOLDS),
                "misses": _misses(pastes, pr_seen),
            },
            "labelled": [
                {
                    "source": p.block.sources[0],
                    "kind": p.block.kind,
                    "target": p.target,
                    "lookalike": p.lookalike,
                    "changes": p.changes,
                    "block": p.block.text,
                    "paste": p.paste,
                }
                for p in pastes
            ],
        }
        return out
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def run_latency(background: int, seed: int, corpus: Path, keep: Path | None) -> dict[str, Any]:
    """Only the lookup cost: the app's ``similar`` (and the prototype) per paste, with the
    targets in the folder (for ``--background 10000``, the issue's size)."""
    from synth import generate

    work = Path(tempfile.mkdtemp(prefix="similar-latency-")) if keep is None else keep
    if keep is not None and keep.exists():
        shutil.rmtree(keep)
    work.mkdir(parents=True, exist_ok=True)
    root, cache = work / "seen", work / "cache"
    try:
        blocks = error_blocks(corpus)
        _say(f"writing {background} background entries, {2 * len(blocks)} labelled")
        generate(root, background, seed)
        pastes = build_labelled_set(root, blocks, seed)
        _say("indexing")
        started = time.perf_counter()
        build_index(root, cache)
        index_s = time.perf_counter() - started
        workspace = open_workspace(root, cache)
        proto = PrototypeRanker(sorted(root.glob("*.md")))
        _say(f"{len(pastes)} pastes")
        app = answer_all(pastes, lambda t: app_similar(workspace, t), lambda _t, _f: 0.0)
        pr = answer_all(pastes, proto.search, lambda _t, f: f.score)
        close_workspace(workspace)
        return {
            "seed": seed,
            "background": background,
            "entries": len(list(root.glob("*.md"))),
            "pastes": len(pastes),
            "index_s": index_s,
            "app": {
                "recall_at_1": recall(pastes, app, 1),
                "recall_at_3": recall(pastes, app, 3),
                "latency_p50_ms": percentile(app.wall_ms, 50),
                "latency_p95_ms": percentile(app.wall_ms, 95),
                "cpu_p50_ms": percentile(app.cpu_ms, 50),
                "cpu_p95_ms": percentile(app.cpu_ms, 95),
            },
            "prototype": {
                "recall_at_1": recall(pastes, pr, 1),
                "recall_at_3": recall(pastes, pr, 3),
                "latency_p50_ms": percentile(pr.wall_ms, 50),
                "latency_p95_ms": percentile(pr.wall_ms, 95),
            },
        }
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


# =============================================================================================
# The report
# =============================================================================================
def _pct(value: float) -> str:
    return f"{100.0 * value:5.1f}%"


def _table(lines: list[str], rows: list[dict[str, float]], label: str) -> None:
    lines.append(f"  {label:>12}   no close matches (unseen)   recall@1 kept   recall@3 kept")
    for row in rows:
        lines.append(
            f"  {row['threshold']:>12.3f}   {_pct(row['no_match']):>25}   "
            f"{_pct(row['recall_at_1']):>13}   {_pct(row['recall_at_3']):>13}"
        )


def format_report(out: dict[str, Any]) -> str:
    app, bm, pr = out["app"], out["bm25"], out["prototype"]
    changes = ", ".join(f"{k} {v}" for k, v in sorted(out["pastes_by_change"].items()))
    lines = [
        f"similar quality: {out['pastes']} labelled pastes from {out['error_blocks']} distinct"
        f" error blocks of {out['corpus']}",
        f"  over {out['background']:,} background entries ({out['entries']:,} entries with"
        f" targets and look-alikes), seed {out['seed']}; written in {out['generate_s']:.1f} s,"
        f" indexed (twice) in {out['index_s']:.1f} s",
        f"  pastes: {changes}",
        "",
        "Recall (targets in the index)       recall@1   recall@3   target: >= 95% / >= 99%",
        *(
            f"  {label:<35}{_pct(fig['recall_at_1'])}     {_pct(fig['recall_at_3'])}"
            for label, fig in (
                ("app similar (Workspace.similar)", app),
                ("plain Whoosh BM25 (pasted words)", bm),
                ("PROTOTYPE (error-line coverage)", pr),
            )
        ),
        "",
        "Lookup latency per paste (warm)       p50        p95   target: p95 <= 150 ms at 10,000",
        *(
            f"  {label:<30}{fig[f'{key}_p50_ms']:8.1f} ms {fig[f'{key}_p95_ms']:7.1f} ms"
            for label, fig, key in (
                ("app similar, wall", app, "latency"),
                ("app similar, CPU (this thread)", app, "cpu"),
                ("plain BM25, wall", bm, "latency"),
                ("PROTOTYPE, wall", pr, "latency"),
            )
        ),
        "",
        "Unseen errors (targets removed; look-alikes and background stay)",
        f"  app today: 'No close matches' for {_pct(app['unseen_no_match']).strip()};"
        f" {app['unseen_mean_hits']:.1f} hits on average; top hit is the look-alike for"
        f" {_pct(app['unseen_top_is_lookalike']).strip()}",
        f"  hits whose reason names a word every traceback/log carries:"
        f" {app['unseen_hits_generic_reason']} of {app['unseen_hits']}"
        f" ({', '.join(f'{w} {n}' for w, n in list(app['generic_reason_words'].items())[:8])})",
        "",
        "Candidate thresholds (target: >= 60% 'No close matches' without losing recall)",
        "  app similar, on its raw top score (thresholds: quantiles 0,1,2,5,10,20,30,50% of the"
        " top scores of correct answers)",
    ]
    _table(lines, app["thresholds_raw"], "raw score")
    lines.append(
        "  app similar, on coverage (query-term weight the top hit matched / all; from"
        " extract + weighted_terms)"
    )
    _table(lines, app["thresholds_coverage"], "coverage")
    lines.append("  PROTOTYPE, on its own score (share of the paste's error-term weight covered)")
    _table(lines, pr["thresholds"], "score")
    lines.append("")
    lines.append(f"Misses of app similar at rank 1 ({len(app['misses'])}):")
    for miss in app["misses"][:15]:
        rank = miss["target_rank"] or "-"
        top = "look-alike" if miss["top_is_lookalike"] else miss["top"]
        lines.append(
            f"  [{rank}] {miss['error']!r} <- top: {top}; reason: {miss['top_reason'][:90]}"
        )
    lines.append(f"Misses of the PROTOTYPE at rank 1 ({len(pr['misses'])}):")
    for miss in pr["misses"][:15]:
        rank = miss["target_rank"] or "-"
        top = "look-alike" if miss["top_is_lookalike"] else miss["top"]
        lines.append(f"  [{rank}] {miss['error']!r} <- top: {top}")
    return "\n".join(lines)


# =============================================================================================
# Command line
# =============================================================================================
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="similar_quality.py",
        description="Measure recall and 'No close matches' of `mistakes similar` (issue 10).",
    )
    parser.add_argument(
        "--background",
        "-n",
        type=int,
        default=DEFAULT_BACKGROUND,
        help=f"synthetic background entries (default {DEFAULT_BACKGROUND})",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed (default 1234)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="real mistake logs")
    parser.add_argument(
        "--keep", type=Path, default=None, metavar="DIR", help="work in DIR, keep it"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--labelled", action="store_true", help="with --json: include every block and paste"
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="only the lookup cost (one index, targets in it), as JSON",
    )
    args = parser.parse_args(argv)
    if args.background < 0:
        parser.error("--background must not be negative")
    if not args.corpus.is_dir():
        parser.error(f"{args.corpus} is not a folder")
    if args.latency_only:
        figures = run_latency(args.background, args.seed, args.corpus, args.keep)
        print(json.dumps(figures, indent=2))
        return 0
    out = run(args.background, args.seed, args.corpus, args.keep)
    if args.json:
        if not args.labelled:
            out.pop("labelled")
        print(json.dumps(out, indent=2))
    else:
        print(format_report(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
