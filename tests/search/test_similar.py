"""'Have we seen this before?': normalising log lines, finding error lines, similar entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from mistakes.search import similar
from mistakes.search.analysis import term_of
from mistakes.search.index import SearchIndex
from mistakes.search.similar import GENERIC, extract, normalise, paste_terms
from mistakes.storage.folder import EntryFolder
from tests.search.conftest import numbers, write_entry

# -- normalise ------------------------------------------------------------------------------------

SAME_AFTER_NORMALISING = [
    pytest.param(
        "2025-04-09 15:01:44,118 ERROR in app: boom",
        "2027-01-22 09:13:52,907 ERROR in app: boom",
        id="log-timestamp",
    ),
    pytest.param(
        "[2025-04-09T15:01:44.118Z] worker stopped",
        "[2026-12-31T23:59:59.999Z] worker stopped",
        id="iso-timestamp-z",
    ),
    pytest.param(
        "2025-04-09T15:01:44+02:00 worker stopped",
        "2025-11-30T01:02:03-0500 worker stopped",
        id="iso-timestamp-offset",
    ),
    pytest.param("at 15:01:44 UTC the job died", "at 03:00:00 UTC the job died", id="time"),
    pytest.param("on 2025-04-09 the job died", "on 2031-01-01 the job died", id="date"),
    pytest.param(
        "request 8f14e45f-ceea-467f-a0d6-3b1a2c9e0f11 failed",
        "request 00000000-1111-2222-3333-ABCDEFabcdef failed",
        id="uuid",
    ),
    pytest.param(
        "<Connection object at 0x7f1c9b2e4d60>",
        "<Connection object at 0x55d0c0ffee00>",
        id="hex-address",
    ),
    pytest.param("deployed commit ab12cd3ef", "deployed commit 51c9e0a77", id="hex-id"),
    pytest.param(
        "connect to 10.0.12.7:5432 refused",
        "connect to 192.168.1.200:6543 refused",
        id="ipv4-port",
    ),
    pytest.param("connect to 10.0.12.7 refused", "connect to 172.16.0.1 refused", id="ipv4"),
    pytest.param(
        "connect to 2001:db8:0:0:0:0:0:1 refused",
        "connect to fd12:3456:789a:1:2:3:4:5 refused",
        id="ipv6-full",
    ),
    pytest.param(
        'File "/home/alice/src/orders/views.py", line 57, in get_order',
        'File "/home/bob/src/orders/views.py", line 61, in get_order',
        id="home-and-line",
    ),
    pytest.param(
        'File "/Users/carol/src/orders/views.py", line 57, in get_order',
        'File "/home/dave/src/orders/views.py", line 9, in get_order',
        id="mac-home",
    ),
    pytest.param(
        r'File "C:\Users\erin\src\orders\views.py", line 57, in get_order',
        r'File "C:\Users\frank\src\orders\views.py", line 3, in get_order',
        id="windows-home",
    ),
    pytest.param(
        "open /tmp/pytest-of-alice/pytest-12/test_x0/data.csv failed",
        "open /tmp/tmpk3j2abcd/data.csv failed",
        id="tmp-path",
    ),
    pytest.param(
        "cannot write /var/folders/xy/abc123/T/tmpk3j2 file",
        "cannot write /var/tmp/build-77/out file",
        id="other-tmp-paths",
    ),
    pytest.param("orders/api.py:57 boom", "orders/api.py:1203 boom", id="path-colon-line"),
    pytest.param(
        "at handler (/srv/app/index.js:10:15)",
        "at handler (/srv/app/index.js:210:3)",
        id="js-line-col",
    ),
    pytest.param(
        "at com.example.Foo.bar(Foo.java:123)",
        "at com.example.Foo.bar(Foo.java:7)",
        id="java-line",
    ),
    pytest.param(
        "pid 4412 exited with code 137 after 3 retries",
        "pid 99 exited with code 1 after 12 retries",
        id="numbers",
    ),
    pytest.param("  spaces   collapse  ", "spaces collapse", id="spaces"),
]


@pytest.mark.parametrize(("a", "b"), SAME_AFTER_NORMALISING)
def test_what_varies_is_normalised_away(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("2025-04-09 15:01:44,118 ERROR boom", ["2025", "15", "118"]),
        ('File "/home/alice/app/views.py", line 57, in get', ["alice", "57"]),
        ("request 8f14e45f-ceea-467f-a0d6-3b1a2c9e0f11 failed", ["8f14e45f", "0f11"]),
        ("connect to 10.0.12.7:5432 refused", ["10.0", "5432"]),
        ("object at 0x7f1c9b2e4d60", ["0x7f", "7f1c"]),
    ],
)
def test_normalised_lines_keep_no_trace_of_the_varying_part(line: str, gone: list[str]) -> None:
    out = normalise(line)
    for piece in gone:
        assert piece not in out


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("sqlalchemy.exc.TimeoutError: QueuePool limit reached", "sqlalchemy.exc.TimeoutError"),
        ('File "/home/alice/app/views.py", line 57, in get_order', "views.py"),
        ('File "/home/alice/app/views.py", line 57, in get_order', "get_order"),
        ("ERROR in app: Exception on /api/v1/orders [GET]", "ERROR in app: Exception on"),
        ("deadbeef is not an id here", "deadbeef"),  # no digit: a word
        ("ORA-00942: table or view does not exist", "does not exist"),
    ],
)
def test_the_error_itself_is_kept(line: str, kept: str) -> None:
    assert kept in normalise(line)


def test_different_errors_stay_different() -> None:
    a = normalise("sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 reached")
    b = normalise("sqlalchemy.exc.OperationalError: QueuePool limit of size 10 reached")
    assert a != b
    assert normalise("/home/alice/app/views.py") != normalise("/home/alice/app/models.py")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(
            "connect to [2001:db8::1]:443 refused",
            "connect to [fd12:3456::7]:443 refused",
            id="ipv6-compressed",
        ),
        pytest.param(
            "connect to ::1 port 5432",
            "connect to fe80::1ff:fe23:4567:890a port 5432",
            id="ipv6-loopback",
        ),
    ],
)
def test_compressed_ipv6_is_normalised(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("request timed out after 30s", "request timed out after 45s", id="seconds"),
        pytest.param("GC pause took 500ms", "GC pause took 1200ms", id="milliseconds"),
        pytest.param("retry after 2.5s", "retry after 2.7s", id="decimal-seconds"),
    ],
)
def test_numbers_with_units_are_normalised(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


# -- finding the error lines ----------------------------------------------------------------------

TRACEBACK_005 = """\
[2027-01-22 09:13:52,907] ERROR in app: Exception on /api/v1/orders/99120 [GET]
Traceback (most recent call last):
  File "/home/alice/src/orders/api/views.py", line 61, in get_order
    order = repo.get(order_id)
  File "/home/alice/src/orders/repository.py", line 35, in get
    return self.session.execute(stmt).scalar_one()
  File "/srv/venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py", line 171, in _do_get
    raise exc.TimeoutError(
sqlalchemy.exc.TimeoutError: QueuePool limit of size 20 overflow 10 reached, connection \
timed out, timeout 15.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)
"""

ERROR_LINES = """\
2027-02-01T10:00:31.002Z ERROR uvicorn.error Exception in ASGI application
Traceback (most recent call last):
  File "/srv/app/orders/repository.py", line 44, in get
sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 5 reached, connection timed \
out, timeout 30.00
2027-02-01T10:00:31.551Z ERROR sqlalchemy.pool.impl.AsyncAdaptedQueuePool The garbage \
collector is trying to clean up non-checked-in connection <AdaptedConnection \
<asyncpg.connection.Connection object at 0x7fa0c1d2e3f0>>, which will be terminated."""

INFO_LINES = [
    'INFO uvicorn.access 10.2.3.{n} - "GET /healthz HTTP/1.1" 200',
    "INFO worker heartbeat ok queue_depth={n}",
    "INFO orders.api request handled in {n} ms",
    "DEBUG cache hit ratio {n} percent",
    "INFO scheduler tick {n}",
]


def noisy_log() -> str:
    """50 ordinary lines around the 5 error lines."""
    lines = [
        f"2027-02-01T10:00:{i:02d}.123Z " + INFO_LINES[i % 5].format(n=i * 7) for i in range(25)
    ]
    lines.append(ERROR_LINES)
    lines += [
        f"2027-02-01T10:01:{i:02d}.456Z " + INFO_LINES[i % 5].format(n=i * 3) for i in range(25, 50)
    ]
    return "\n".join(lines)


def test_extract_finds_exception_frames_and_error_lines() -> None:
    signals = extract(TRACEBACK_005)
    assert signals.exceptions == ["TimeoutError"]
    assert {"get_order", "_do_get", "repository"} <= set(signals.frames)
    assert any("QueuePool limit" in line for line in signals.error_lines)
    assert all("alice" not in line for line in signals.error_lines)
    assert not signals.empty


def test_extract_separates_error_lines_from_ordinary_ones() -> None:
    signals = extract(noisy_log())
    assert signals.exceptions == ["TimeoutError"]
    assert "heartbeat" in signals.other_words
    assert "heartbeat" not in signals.error_words
    assert "QueuePool" in signals.error_words


@pytest.mark.parametrize(
    ("text", "exception"),
    [
        ("java.lang.NullPointerException: name is null", "NullPointerException"),
        ("ModuleNotFoundError: No module named 'distutils'", "ModuleNotFoundError"),
        ("panic: runtime error: index out of range", None),
        ("Error: connect ECONNREFUSED 127.0.0.1:6379", None),
    ],
)
def test_extract_other_languages(text: str, exception: str | None) -> None:
    signals = extract(text)
    assert signals.error_lines
    if exception:
        assert exception in signals.exceptions


def test_extract_codes() -> None:
    signals = extract("Error: connect ECONNREFUSED 127.0.0.1:6379\nORA-00942: table does not exist")
    assert "ECONNREFUSED" in signals.codes
    assert "ORA-00942" in signals.codes


@pytest.mark.parametrize("text", ["", "   \n\n  ", "INFO all good", "1 2 3 4"])
def test_nothing_to_go_on(sample_index: SearchIndex, text: str) -> None:
    assert isinstance(sample_index.similar(text), list)
    if not text.strip():
        assert sample_index.similar(text) == []


def test_only_error_lines_count_and_exceptions_weigh_most() -> None:
    wanted, _lines = paste_terms("INFO zebra started fine\nERROR giraffe crashed")
    assert term_of("giraffe") in wanted
    assert term_of("zebra") not in wanted  # an ordinary log line
    wanted, _lines = paste_terms("INFO started\nValueError: bad okapi")
    assert wanted[term_of("ValueError")].weight > wanted[term_of("okapi")].weight


def test_words_every_traceback_carries_are_no_terms() -> None:
    text = (
        "2027-01-01 10:00:00,001 ERROR [request_id=ab12] unhandled failure\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/jobs.py", line 3, in run\n'
        "KeyError: 'zorg'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n"
        "RuntimeError: job failed"
    )
    wanted, _lines = paste_terms(text)
    assert {w.word.lower() for w in wanted.values()} & GENERIC == set()
    assert term_of("KeyError") in wanted and term_of("zorg") in wanted


# -- similar entries ------------------------------------------------------------------------------


def test_traceback_finds_the_same_error_a_year_apart(sample_index: SearchIndex) -> None:
    hits = sample_index.similar(TRACEBACK_005)
    assert numbers(hits)[:2] == [5, 19]
    assert "TimeoutError" in hits[0].reason
    assert "TimeoutError" in hits[1].reason
    assert hits[0].score >= hits[1].score


def test_a_known_error_comes_with_its_fix_and_root_cause(sample_index: SearchIndex) -> None:
    hits = sample_index.similar(TRACEBACK_005)
    assert numbers(hits) == [5, 19]  # nothing else is close: no padding
    best = hits[0]
    assert best.fix.startswith("Use the request-scoped session everywhere")
    assert best.root_cause.startswith("The new recommendations view created its own `Session()`")
    assert len(best.fix) <= 301 and len(best.root_cause) <= 301
    assert "`" in best.root_cause  # Markdown kept


NOVEL = [
    pytest.param(
        "2027-05-01T10:00:00Z INFO worker started\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/ledger/reconcile.py", line 88, in settle_batch\n'
        "KeyError: 'tenant_zorgblatt'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/ledger/jobs.py", line 12, in run\n'
        "RuntimeError: reconcile of batch 991 failed",
        id="python-chained",
    ),
    pytest.param(
        "[2027-05-01 10:00:00] ERROR request_id=4f1c unhandled: "
        "FlibberError: the quux frobnicator overheated",
        id="log-line",
    ),
    pytest.param("panic: runtime error: slice bounds out of range [:7] with capacity 3", id="go"),
]


@pytest.mark.parametrize("text", NOVEL)
def test_an_error_never_seen_gets_no_close_matches(sample_index: SearchIndex, text: str) -> None:
    assert sample_index.similar(text) == []


GENERIC_PASTES = [
    TRACEBACK_005,
    noisy_log(),
    "Traceback (most recent call last):\n"
    "During handling of the above exception, another exception occurred:\n"
    "ERROR unhandled exception: request failed\n"
    "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached",
    *(p.values[0] for p in NOVEL),
]


@pytest.mark.parametrize("text", GENERIC_PASTES)
def test_reasons_never_cite_what_every_traceback_carries(
    sample_index: SearchIndex, text: str
) -> None:
    import re

    for hit in sample_index.similar(text, limit=10):
        named = hit.reason
        for label in (
            "same exception",
            "same error code",
            "same error line",
            "shared frames",
            "shared rare terms",
        ):
            named = named.replace(label, "")
        words = {w.lower() for w in re.findall(r"[A-Za-z_]\w*", named)}
        assert not words & GENERIC, (hit.number, hit.reason)


def test_noisy_log_still_finds_them(sample_index: SearchIndex) -> None:
    hits = sample_index.similar(noisy_log())
    assert numbers(hits)[0] == 19  # its error lines are 019's (asyncpg, the garbage collector)
    assert "TimeoutError" in hits[0].reason


def test_ordinary_lines_do_not_outweigh_the_error(sample_index: SearchIndex) -> None:
    # the ordinary lines talk about Redis failover and DNS (entry 010), the error is 005's
    info = "\n".join(
        f"INFO redis sentinel failover dns cache resolved primary replica {i}" for i in range(40)
    )
    text = f"{info}\n{TRACEBACK_005}\n{info}"
    assert set(numbers(sample_index.similar(text))[:2]) == {5, 19}


def test_tls_error_finds_the_tls_entries(sample_index: SearchIndex) -> None:
    text = (
        "2027-03-01 08:00:01,120 ERROR billing.client request failed\n"
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.example.org', port=8443): "
        "Max retries exceeded with url: /v2/things (Caused by SSLError(SSLCertVerificationError("
        "1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has "
        "expired (_ssl.c:1123)')))"
    )
    hits = sample_index.similar(text)
    assert set(numbers(hits)[:2]) == {6, 23}
    assert "SSLError" in hits[0].reason


def test_hits_have_reasons_snippets_and_are_ranked(sample_index: SearchIndex) -> None:
    hits = sample_index.similar(TRACEBACK_005, limit=4)
    assert len(hits) == 2
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.reason
        assert hit.snippet is not None
    assert "frame" in hits[0].reason


def test_exclude(sample_index: SearchIndex) -> None:
    name = "005-connection-pool-exhausted-after-deploy-of-v2-3.md"
    hits = sample_index.similar(TRACEBACK_005, exclude=name)
    assert 5 not in numbers(hits)
    assert numbers(hits)[0] == 19


def test_similar_entries_of_a_small_folder(folder: EntryFolder, tmp_path: Path) -> None:
    write_entry(
        folder.root,
        1,
        "disk",
        "Disk full on the build agent",
        error_messages="OSError: [Errno 28] No space left on device: '/var/lib/docker/tmp/x'",
    )
    write_entry(
        folder.root,
        2,
        "perm",
        "Permission denied writing the cache",
        error_messages="PermissionError: [Errno 13] Permission denied: '/home/ci/.cache/pip'",
    )
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    hits = index.similar("OSError: [Errno 28] No space left on device: '/var/lib/docker/tmp/y'")
    assert numbers(hits)[0] == 1
    assert "OSError" in hits[0].reason
    index.close()


def _index_of(
    folder: EntryFolder, tmp_path: Path, entries: dict[int, dict[str, str]]
) -> SearchIndex:
    for number, fields in entries.items():
        write_entry(folder.root, number, f"e{number}", fields.pop("title"), **fields)
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    return index


def test_an_error_line_after_a_log_prefix_is_the_same_error_line(
    folder: EntryFolder, tmp_path: Path
) -> None:
    index = _index_of(
        folder,
        tmp_path,
        {
            1: {
                "title": "Node missing on the runner",
                "error_messages": "zsh: command not found: node",
            },
            2: {"title": "Yarn missing", "error_messages": "zsh: command not found: yarn"},
        },
    )
    paste = (
        "2027-05-16T21:15:18.420Z INFO [gateway] worker 20793 picked up job 8f2951fa0b81\n"
        "2027-05-16T21:15:21.304Z ERROR [scheduler] zsh: command not found: node\n"
    )
    hits = index.similar(paste)
    assert numbers(hits)[0] == 1
    assert "same error line" in hits[0].reason
    index.close()


def test_the_traceback_header_is_no_error_line_in_common(
    folder: EntryFolder, tmp_path: Path
) -> None:
    index = _index_of(
        folder,
        tmp_path,
        {
            n: {
                "title": f"Crash {n}",
                "error_messages": f"Traceback (most recent call last):\nValueError: bad {word}",
            }
            for n, word in ((1, "okapi"), (2, "zebra"))
        },
    )
    paste = "Traceback (most recent call last):\nKeyError: 'tenant_zorgblatt'"
    assert index.similar(paste) == []
    index.close()


def test_on_equal_scores_the_entry_that_is_wholly_this_error_comes_first(
    folder: EntryFolder, tmp_path: Path
) -> None:
    line = "TypeError: Object of type Decimal is not JSON serializable"
    index = _index_of(
        folder,
        tmp_path,
        {
            1: {"title": "Decimal in the export", "date": "2025-01-01", "error_messages": line},
            2: {
                "title": "Serialising customers",
                "date": "2026-06-01",
                "error_messages": f"{line}\nRecursionError: maximum recursion depth exceeded "
                "while calling a Python object in customer serializer",
            },
        },
    )
    hits = index.similar(f"ERROR [api] job failed\n{line}")
    assert numbers(hits) == [1, 2]
    assert hits[0].score == hits[1].score
    index.close()


def test_a_tie_at_the_cut_is_broken_by_the_entries_not_by_the_index_order(
    folder: EntryFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thirty entries hold the pasted error line in a traceback, one holds it alone: all
    score the same. The one that is wholly this error comes first, wherever the index put
    it (only a slice of the ties, in index order, used to be weighed). The folder is small,
    so the rule that a term in 5% of the entries says nothing is lifted, as for an error
    that is rare in a big folder."""
    monkeypatch.setattr(similar, "COMMON_SHARE", 1.0)
    line = "TypeError: Object of type Decimal is not JSON serializable"
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/export_{n}.py", line {n}, in write_batch_{n}\n'
        "    return json.dumps(payload)\n"
        f"{line}"
    )
    entries = {
        n: {"title": f"Export {n}", "date": "2026-06-01", "error_messages": trace.format(n=n)}
        for n in range(2, 32)
    }
    entries[1] = {"title": "Decimal in JSON", "date": "2025-01-01", "error_messages": line}
    index = _index_of(folder, tmp_path, entries)
    hits = index.similar(f"ERROR [api] job failed\n{line}", limit=5)
    assert len({hit.score for hit in hits}) == 1
    assert numbers(hits)[0] == 1
    index.close()


def test_on_equal_scores_an_entry_seen_more_often_comes_before_a_newer_one(
    folder: EntryFolder, tmp_path: Path
) -> None:
    line = "TypeError: Object of type Decimal is not JSON serializable"
    index = _index_of(
        folder,
        tmp_path,
        {
            1: {"title": "Decimal in the export", "date": "2025-01-01", "error_messages": line},
            2: {"title": "Decimal in the invoices", "date": "2026-06-01", "error_messages": line},
        },
    )
    index.close()
    (path,) = folder.root.glob("001-*.md")
    with path.open("a", encoding="utf-8") as out:  # as `mistakes seen` appends them
        out.write(
            "\n## Occurrences\n\n- 2025-03-02 10:00 host=web-1\n- 2025-05-07 09:12 host=web-2\n"
        )
    index = SearchIndex(folder, tmp_path / "cache")
    index.open()
    hits = index.similar(f"ERROR [api] job failed\n{line}")
    assert numbers(hits) == [1, 2]
    assert hits[0].seen == 2 and hits[0].score == hits[1].score
    index.close()
