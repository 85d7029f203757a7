"""The similar-quality benchmark runs end to end on a tiny folder and reports its figures.

Quality is not asserted here (the benchmark prints recall beside plain BM25 measured in the
same run); this checks that the labelled set is real (non-empty, every paste differs from
its source block in the ways a new occurrence does), that every figure is there, and that
recall and shares are numbers in [0, 1].
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import error_pastes
import similar_quality


def _corpus() -> Path:
    # conftest finds shared/corpus beside the repo or any folder above it, and makes a
    # missing corpus an error on CI; only a developer's odd layout skips here
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus of real mistake logs is not at {CORPUS}")
    return CORPUS


def _small_corpus(tmp_path: Path, files: int = 4) -> Path:
    """A copy of the corpus files that hold the first few error blocks."""
    corpus = _corpus()
    sources: list[str] = []
    for block in error_pastes.error_blocks(corpus):
        if block.source not in sources:
            sources.append(block.source)
        if len(sources) == files:
            break
    small = tmp_path / "corpus"
    for source in sources:
        (small / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / source, small / source)
    return small


def _share(value: object) -> bool:
    return isinstance(value, float | int) and not math.isnan(value) and 0.0 <= value <= 1.0


def test_error_blocks_of_the_corpus_are_real_errors_kept_once() -> None:
    blocks = error_pastes.error_blocks(_corpus())
    assert len(blocks) >= 20
    keys = [error_pastes.text_key(b.text) for b in blocks]
    assert len(keys) == len(set(keys))
    for block in blocks:
        assert block.kind and block.text.strip()
        assert error_pastes.error_kind(block.text), block.text


def test_a_paste_is_a_new_occurrence_of_the_error() -> None:
    block = (
        "Traceback (most recent call last):\n"
        '  File "/home/alice/app/jobs.py", line 41, in run\n'
        "    step(job)\n"
        '  File "/home/alice/app/steps.py", line 97, in step\n'
        "    load(job.id)\n"
        "KeyError: 'tenant 48213 at 0x7f1c9b2e4d60' (HTTP 404, ORA-00942, TS2345)"
    )
    paste, changes = error_pastes.make_paste(block, random.Random(3))
    assert "renumbered" in changes and "frame dropped" in changes
    assert paste.count('  File "') == 1  # one of the two frames left out
    assert "/home/alice/" not in paste and "48213" not in paste and "0x7f1c9b2e4d60" not in paste
    assert "HTTP 404" in paste and "ORA-00942" in paste and "TS2345" in paste  # codes stay
    assert "KeyError: 'tenant " in paste
    levels = [line for line in paste.splitlines() if re.search(r"Z (INFO|DEBUG|WARN) ", line)]
    assert len(levels) >= 3  # inside ordinary log lines


def test_the_benchmark_runs_tiny_and_reports_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _small_corpus(tmp_path)
    code = similar_quality.main(
        ["--background", "6", "--seed", "7", "--corpus", str(corpus), "--json", "--labelled"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)

    labelled = out["labelled"]
    assert out["pastes"] == len(labelled) > 0
    assert out["entries"] == 6 + 2 * len(labelled)  # background, targets, look-alikes
    for item in labelled:
        block, paste = item["block"], item["paste"]
        assert paste.strip() != block.strip()
        added = set(paste.splitlines()) - set(block.splitlines())
        assert added, "the paste holds log lines the block does not"
        assert any(c.startswith("wrapped") for c in item["changes"])
        assert item["target"] != item["lookalike"]

    for system in ("app", "bm25"):
        for key in ("recall_at_1", "recall_at_3"):
            assert _share(out[system][key]), (system, key, out[system][key])
            # the target, or an entry holding its error text: never fewer
            assert out[system][f"{key}_same_error"] >= out[system][key]
        assert out[system]["latency_p95_ms"] >= out[system]["latency_p50_ms"] >= 0
        assert out[system]["cpu_p95_ms"] >= out[system]["cpu_p50_ms"] >= 0
    assert out["app"]["thresholds"]
    for row in out["app"]["thresholds"]:
        assert all(_share(row[k]) for k in ("no_match", "recall_at_1", "recall_at_3"))
    for key in (
        "unseen_no_match",
        "seen_no_match",
        "unseen_top_is_lookalike",
        "unseen_no_match_same_error",
    ):
        assert _share(out["app"][key]), key
    assert 0 <= out["app"]["hits_generic_reason"] <= out["app"]["hits"]

    report = similar_quality.format_report(out)
    for heading in ("Recall (targets in the index)", "Lookup latency", "Unseen errors"):
        assert heading in report
    assert "SearchService.similar" in report and "plain Whoosh BM25" in report
    assert "No close matches" in report
    assert "same error" in report and "strict" in report  # both figures, side by side


TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/srv/{app}/views.py", line {n}, in {func}\n'
    "    return json.dumps(payload)\n"
    "TypeError: Object of type Decimal is not JSON serializable\n"
)


def test_an_entry_holding_the_targets_error_text_is_a_right_answer(tmp_path: Path) -> None:
    """The decided rule: another entry whose error section holds the target's error line
    (other frames, other numbers) counts in the "same error" figures; a look-alike (same
    exception type, another message) and the error named in prose elsewhere do not."""
    root = tmp_path / "folder"
    block = error_pastes.ErrorBlock(
        source="a.md",
        line=1,
        heading="Decimal in JSON",
        before="",
        after="",
        text="TypeError: Object of type Decimal is not JSON serializable",
        kind="TypeError",
        message="Object of type Decimal is not JSON serializable",
    )
    target = similar_quality.write_entry(
        root, "Decimal", {"error_messages": block.text}, "2026-01-02"
    )
    twin = similar_quality.write_entry(
        root,
        "Cart export",
        {"error_messages": TRACE.format(app="cart", n=88, func="export")},
        "2026-01-03",
    )
    lookalike = similar_quality.write_entry(
        root,
        "Datetime",
        {"error_messages": "TypeError: Object of type datetime is not JSON serializable"},
        "2026-01-04",
    )
    prose = similar_quality.write_entry(
        root,
        "Prose",
        {
            "what_happened": "Like TypeError: Object of type Decimal is not JSON serializable.",
            "error_messages": "KeyError: 'tenant'",
        },
        "2026-01-05",
    )
    paste = similar_quality.LabelledPaste(block, target, lookalike, "pasted")
    twins = similar_quality.find_twins(root, [paste])
    assert twins == {target: {twin}}
    answers = similar_quality.Answers([[lookalike, twin, prose]], [1.0])
    assert similar_quality.recall([paste], answers, 3) == 0.0  # strict
    assert similar_quality.recall_same_error([paste], answers, 1, twins) == 0.0
    assert similar_quality.recall_same_error([paste], answers, 3, twins) == 1.0


def test_generic_words_in_reasons_are_counted() -> None:
    answers = similar_quality.Answers(
        [["a", "b"]],
        [1.0],
        reasons=[["same exception KeyError; same error line", "shared rare terms another, raise"]],
    )
    hits, flagged, words = similar_quality._generic_reasons(answers)
    assert (hits, flagged) == (2, 1)
    assert set(words) == {"another", "raise"}
