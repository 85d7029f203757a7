"""`mistakes search`, `mistakes similar` and `mistakes reindex` through main(), on a copy of the
sample entries, with the index in the test's XDG cache."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh import query as wq

from mistakes.cli.main import main
from mistakes.search.analysis import term_of
from mistakes.search.index import MARKER, index_dir_for
from mistakes.services.config import user_cache_dir
from tests.conftest import Result
from tests.search.test_similar import TRACEBACK_005

HIT_KEYS = {"path", "number", "title", "severity", "status", "date", "score", "section", "snippet"}
ENTRY_005 = "005-connection-pool-exhausted-after-deploy-of-v2-3.md"


@pytest.fixture
def cli(samples_copy: Path, capsys: pytest.CaptureFixture[str]):
    def run(*args: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            old = sys.stdin
            sys.stdin = io.StringIO(stdin)
        try:
            code = main(["--dir", str(samples_copy), *args])
        finally:
            if stdin is not None:
                sys.stdin = old
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def index_dir(samples_copy: Path) -> Path:
    return index_dir_for(samples_copy, user_cache_dir())


def raw_numbers(samples_copy: Path, word: str) -> list[int]:
    """Entries with the word in the title or body, read from the index files themselves."""
    term = term_of(word)
    with windex.open_dir(str(index_dir(samples_copy))).searcher() as searcher:
        query = wq.Or([wq.Term("body", term), wq.Term("title", term)])
        return sorted(int(hit["number"]) for hit in searcher.search(query, limit=None))


# -- search ---------------------------------------------------------------------------------------


def test_search_json(cli) -> None:
    result = cli("search", "connection", "pool", "--json")
    assert result.code == 0
    hits = result.json
    assert isinstance(hits, list) and hits
    for hit in hits:
        assert set(hit) >= HIT_KEYS
        assert isinstance(hit["number"], int)
        assert isinstance(hit["score"], int | float)
        assert Path(hit["path"]).is_file()
    assert {hits[0]["number"], hits[1]["number"]} == {5, 19}
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    top = hits[0]
    assert top["severity"] in {"critical", "high"}
    assert top["status"] == "resolved"
    assert top["date"] in {"2025-04-09", "2026-03-14"}
    assert top["section"]
    assert "**" in top["snippet"]


def test_search_json_snippet_for_every_hit(cli) -> None:
    hits = cli("search", "cafe", "--json").json
    assert [h["number"] for h in hits] == [3]
    assert hits[0]["section"] == "What Happened"
    assert "**Café**" in hits[0]["snippet"]
    for hit in cli("search", "connection", "--json", "--limit", "4").json:
        assert hit["section"] and "**" in hit["snippet"], hit


def test_search_limit(cli) -> None:
    assert len(cli("search", "connection", "--json", "--limit", "2").json) == 2
    assert len(cli("search", "connection", "--json", "-n", "1").json) == 1


def test_search_query_language_through_the_cli(cli) -> None:
    numbers = [h["number"] for h in cli("search", "severity:critical", "--json").json]
    assert numbers == [20, 18, 13, 6, 5]
    numbers = [h["number"] for h in cli("search", "date:[2026-01 to 2026-06]", "--json").json]
    assert numbers == [21, 20, 19, 18, 17]
    numbers = [
        h["number"] for h in cli("search", '"connection pool"', "NOT", "async", "--json").json
    ]
    assert 5 in numbers and 19 not in numbers


def test_search_text_fits_80_columns(cli) -> None:
    result = cli("search", "connection")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) >= 4
    for line in lines:
        assert len(line) <= 80, line
    assert lines[0].startswith(("005", "019"))
    assert "Connection pool exhausted" in lines[0]
    assert lines[1].startswith("     ")  # the snippet line, indented under its hit
    assert ":" in lines[1]  # "Section: snippet"


def test_search_text_long_titles_are_cut(cli, samples_copy: Path) -> None:
    path = samples_copy / "003-nightly-export-job-fails-with-unicodedecodeerror-on-customer.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace("title: Nightly", "title: " + "Very long " * 20 + "Nightly"))
    result = cli("search", "cafe")
    lines = result.out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].endswith("…")


@pytest.mark.parametrize("query", ["(", "title:", '"unclosed', "*", "[/]"])
def test_search_bad_query_falls_back_with_a_notice(cli, query: str) -> None:
    cli("reindex")
    result = cli("search", query)
    assert result.code == 0
    assert "Traceback" not in result.err
    assert result.err.startswith("mistakes: ")
    assert any(phrase in result.err for phrase in ("unbalanced", "no value", "could not read")), (
        result.err
    )


def test_search_bad_query_still_searches_the_words(cli) -> None:
    result = cli("search", "(pool", "exhausted", "--json")
    assert result.code == 0
    assert "mistakes:" in result.err
    assert {h["number"] for h in result.json} == {5, 19}


def test_search_no_matches(cli) -> None:
    result = cli("search", "zzzzunknownword")
    assert result.code == 0
    assert result.out == ""
    assert "no matches" in result.err
    result = cli("search", "zzzzunknownword", "--json")
    assert result.json == []


def test_the_index_is_in_the_user_cache_not_the_folder(cli, samples_copy: Path) -> None:
    before = sorted(p.name for p in samples_copy.iterdir())
    cli("search", "pool")
    assert sorted(p.name for p in samples_copy.iterdir()) == before
    directory = index_dir(samples_copy)
    assert directory.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    assert (directory / MARKER).is_file()


def test_search_sees_files_changed_behind_its_back(cli, samples_copy: Path) -> None:
    cli("search", "pool")
    (samples_copy / ENTRY_005).unlink()
    path = samples_copy / "024-flaky-test-webhook-retry-times-out-in-ci.md"
    path.write_text(
        path.read_text("utf-8").replace("## Error Messages", "zanzibar\n\n## Error Messages")
    )
    assert [h["number"] for h in cli("search", "zanzibar", "--json").json] == [24]
    assert 5 not in [h["number"] for h in cli("search", "pool", "--json").json]


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_search_rebuilds_a_corrupt_index_with_a_notice(cli, samples_copy: Path) -> None:
    cli("search", "pool")
    for segment in index_dir(samples_copy).glob("*.seg"):
        segment.write_bytes(b"garbage")
    result = cli("search", "pool", "--json")
    assert result.code == 0
    assert "rebuilt" in result.err
    assert {5, 19} <= {h["number"] for h in result.json}
    gc.collect()  # Whoosh left the garbled files open: close them under this test's filters


# -- reindex --------------------------------------------------------------------------------------


def test_reindex(cli, samples_copy: Path) -> None:
    result = cli("reindex")
    assert result.code == 0
    assert "indexed 24 entries" in result.err
    assert result.out == ""
    assert (index_dir(samples_copy) / MARKER).is_file()
    again = cli("search", "pool", "--json")
    assert again.err == ""  # the index made by reindex is used as it is
    assert {5, 19} <= {h["number"] for h in again.json}


def test_reindex_reports_unreadable_files(cli, samples_copy: Path) -> None:
    (samples_copy / "099-broken.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    result = cli("reindex")
    assert result.code == 0
    assert "099-broken.md" in result.err
    assert "indexed 24 entries" in result.err


# -- saves keep the index in step -----------------------------------------------------------------


def test_set_updates_an_existing_index(cli, samples_copy: Path) -> None:
    cli("reindex")
    result = cli("set", "7", "title=Pods in CrashLoopBackOff quokka edition")
    assert result.code == 0, result.err
    assert "warning" not in result.err
    assert raw_numbers(samples_copy, "quokka") == [7]  # in the index before any search


def test_new_updates_an_existing_index(cli, samples_copy: Path) -> None:
    cli("reindex")
    result = cli("new", "--title", "Wombat ate the cache", "--no-env")
    assert result.code == 0, result.err
    assert raw_numbers(samples_copy, "wombat") == [25]
    assert [h["number"] for h in cli("search", "wombat", "--json").json] == [25]


def test_saves_make_no_index_when_there_is_none(cli, samples_copy: Path) -> None:
    assert cli("new", "--title", "Wombat ate the cache", "--no-env").code == 0
    assert cli("set", "7", "status=active").code == 0
    assert not index_dir(samples_copy).exists()


# -- similar --------------------------------------------------------------------------------------


def test_similar_stdin(cli) -> None:
    result = cli("similar", "--stdin", "--json", stdin=TRACEBACK_005)
    assert result.code == 0, result.err
    hits = result.json
    assert [h["number"] for h in hits[:2]] == [5, 19]
    for hit in hits:
        assert set(hit) >= HIT_KEYS | {"reason", "fix", "root_cause"}
    assert "TimeoutError" in hits[0]["reason"]
    assert hits[0]["fix"].startswith("Use the request-scoped session everywhere")
    assert hits[0]["root_cause"].startswith("The new recommendations view created its own")


def test_a_known_error_is_listed_with_its_fix(cli) -> None:
    result = cli("similar", "--stdin", stdin=TRACEBACK_005)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("005")
    assert (
        lines[2]
        == "     fix: Use the request-scoped session everywhere and make the session a con…"
    )


def test_a_novel_error_gets_no_close_matches(cli) -> None:
    novel = (
        "2027-05-01T10:00:00Z INFO worker started\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/ledger/reconcile.py", line 88, in settle_batch\n'
        "KeyError: 'tenant_zorgblatt'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "RuntimeError: reconcile of batch 991 failed\n"
    )
    result = cli("similar", "--stdin", stdin=novel)
    assert result.code == 0
    assert result.out == ""
    assert result.err.strip().splitlines()[-1] == "No close matches"
    result = cli("similar", "--stdin", "--json", stdin=novel)
    assert result.code == 0
    assert result.json == []


def test_search_hits_carry_the_fix_and_root_cause(cli) -> None:
    result = cli("search", "connection pool", "--json")
    assert result.code == 0, result.err
    by_number = {h["number"]: h for h in result.json}
    assert by_number[5]["fix"].startswith("Use the request-scoped session everywhere")
    assert by_number[5]["root_cause"].startswith("The new recommendations view")
    assert all(isinstance(h["fix"], str) and isinstance(h["root_cause"], str) for h in result.json)


def test_similar_stdin_text(cli) -> None:
    result = cli("similar", "--stdin", stdin=TRACEBACK_005)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("005")
    assert "TimeoutError" in lines[1]
    assert lines[2].startswith("     fix: ")
    assert lines[3].startswith("019")
    assert all(len(line) <= 80 for line in lines)


def test_similar_ref_excludes_itself(cli) -> None:
    result = cli("similar", "5", "--json")
    assert result.code == 0, result.err
    numbers = [h["number"] for h in result.json]
    assert 5 not in numbers
    assert numbers[0] == 19
    result = cli("similar", "6", "--json")
    assert next(h["number"] for h in result.json) == 23
    assert all(h["number"] != 6 for h in result.json)


def test_similar_limit(cli) -> None:
    assert len(cli("similar", "--stdin", "--json", stdin=TRACEBACK_005).json) == 2
    assert len(cli("similar", "--stdin", "--json", "--limit", "1", stdin=TRACEBACK_005).json) == 1


@pytest.mark.parametrize("args", [["similar"], ["similar", "5", "--stdin"]])
def test_similar_needs_ref_or_stdin(cli, args: list[str]) -> None:
    result = cli(*args, stdin="")
    assert result.code == 2
    assert "REF or --stdin" in result.err


def test_similar_nothing_to_go_on(cli) -> None:
    result = cli("similar", "--stdin", stdin="\n\n")
    assert result.code == 0
    assert result.out == ""
    assert "No close matches" in result.err


def test_similar_unknown_ref(cli) -> None:
    result = cli("similar", "99")
    assert result.code == 1
    assert "99" in result.err


# -- the search path never imports the terminal UI ------------------------------------------------

NO_TEXTUAL = textwrap.dedent(
    """
    import sys
    from mistakes.cli.main import main

    code = main(sys.argv[1:])
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
    print(f"exit={code} heavy={heavy}", file=sys.stderr)
    """
)


@pytest.mark.parametrize(
    "args",
    [["search", "pool", "--json"], ["similar", "--stdin"], ["similar", "5"], ["reindex"]],
)
def test_search_commands_do_not_import_textual(samples_copy: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_TEXTUAL, "--dir", str(samples_copy), *args],
        input=TRACEBACK_005,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "exit=0 heavy=[]" in done.stderr, done.stderr
