#!/usr/bin/env python3
"""Search benchmark: the Whoosh index of ``mistakes`` against SQLite FTS5, in one run.

Usage::

    python benchmarks/search_bench.py --entries 1000 [--json] [--seed 1234] [--keep DIR]
                                      [--rounds 10] [--one-shot-only] [--baseline SRC]

A deterministic folder of ``N`` synthetic entries is written with ``synth.generate`` into a
temporary directory (with ``--keep DIR``: into ``DIR/folder``, reused by later runs while it
holds exactly ``N`` entries of the same seed; the cache and the FTS5 database also live in
``DIR`` then and are wiped at the start of each run). Then, in one run:

* full build: ``SearchIndex.open()`` on an empty cache directory, in a child process, with
  its peak RSS (the larger of the process itself and its children: Whoosh's writer forks);
* no-change bring-in-step: ``sync()`` after open, median of 5;
* update after one save: ``update_entry()`` after ``EntryFolder.save()``, median over 5
  different entries, and the peak RSS of a child process doing 20 such updates;
* per-query latency with a warm searcher, three workloads (``sidebar``: top 20 with the
  first result's snippet; ``typing``: the same with ``partial=True`` on queries typed letter
  by letter; ``snippets20``: top 20 with 20 snippets), p50 and p95;
* the same three workloads against one SQLite FTS5 table over the same files, and the
  Whoosh/FTS5 ratios;
* whole processes, one shot each (``python -m mistakes ...`` in a subprocess, median of
  5 wall times, with the CPU time beside it; the commands take turns, round after round,
  so that each runs under the same load): ``search`` against a bare script that opens
  the same Whoosh index and searches it (the ratio is the cost of everything else:
  imports, config, the sync), ``list``, ``list --json``, ``stats``, ``stats --json``,
  ``todo --json`` and ``show N --json`` with its backlinks (served from the index: no other
  file parsed). These run on an index of their own, built first by ``mistakes reindex`` in
  the user cache of the run (``XDG_CACHE_HOME=DIR/xdg``); its size on disk and the bytes of
  its per-entry columns are reported, and the load average before and after (the machine
  may be shared: compare figures of one run, and repeat). ``--one-shot-only`` measures
  these alone (no build in a child, no query workloads, no FTS5, no updates).
  ``--baseline SRC`` runs each of these commands with another ``mistakes`` too (``SRC``: the
  ``src`` folder of another checkout, e.g. ``git worktree add --detach /tmp/old main``),
  in the same rounds, taking turns with this one, on the same index: old against new under
  the same load.

Entries changed for the update figures are written back afterwards, byte for byte.
Without ``--json`` a report is printed, one line per figure with its target; with
``--json`` exactly one JSON object. Progress goes to stderr.
"""

# mypy: disable-error-code="import-untyped"
# (``mistakes`` ships no py.typed marker: ``MYPYPATH=src mypy --strict`` checks it fully.)

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # benchmarks/synth.py
_SRC = HERE.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.append(str(_SRC))  # appended: an installed ``mistakes`` still wins

from mistakes.domain.naming import parse_entry_filename  # noqa: E402
from mistakes.search.index import SearchIndex  # noqa: E402
from mistakes.storage.folder import EntryFolder, StoredEntry  # noqa: E402
from mistakes.storage.template_file import load_template  # noqa: E402

__all__ = ["QUERY_MIX", "TYPED", "keystrokes", "main", "run"]

DEFAULT_SEED = 1234
DEFAULT_ROUNDS = 10
LIMIT = 20
SYNC_REPEATS = 5
UPDATE_REPEATS = 5
UPDATE_CHILD_COUNT = 20
ONE_SHOT_REPEATS = 5
ONE_SHOT_QUERY = "connection pool"
CHILD_FLAG = "--child"
STAMP = "folder.json"


# -- the query mix ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    kind: str
    whoosh: str
    fts5: str  # the same intent in FTS5 syntax


# Every query finds entries in synth output (checked at 1,000 and 10,000 entries). The FTS5
# table has two columns, title and body (the Markdown after the frontmatter), so:
# words are AND-ed in both; a phrase is a phrase; ``timeout*`` is a prefix in both; FTS5 has
# no fuzzy matching, so ``deadlok~`` is the plain (misspelt) word there and finds nothing;
# section fields and section groups (``error_messages:``, ``root_cause:``) become the body
# column; frontmatter fields (tags, severity, status, date) are not in the FTS5 table, so
# their values are searched as plain words (the tag ``postgres`` as ``postgresql``, the word
# the bodies use: ``postgres`` occurs only in tags) and the date range as the years it spans.
QUERY_MIX: tuple[Query, ...] = (
    Query("words", "connection pool", "connection pool"),
    Query("word", "deadlock", "deadlock"),
    Query("words", "kafka consumer lag", "kafka consumer lag"),
    Query("words", "certificate expired", "certificate expired"),
    Query("phrase", '"connection refused"', '"connection refused"'),
    Query("prefix", "timeout*", "timeout*"),
    Query("fuzzy", "deadlok~", "deadlok"),
    Query("fields", "tag:postgres severity:high", "postgresql"),
    Query("section", "error_messages:timeouterror", "body: timeouterror"),
    Query("group", "root_cause:dns", "body: dns"),
    Query("or", "tls OR dns", "tls OR dns"),
    Query("not", "NOT redis status:active", "active NOT redis"),
    Query("title", "title:pool", "title: pool"),
    Query("date", "date:[2024-01 to 2025-06]", "2024 OR 2025"),
)

# Typed letter by letter (``c``, ``co``, ... ``connection po``, ``connection pool``).
TYPED: tuple[str, ...] = ("connection pool", "deadlock", "pool exhausted", "tls handshake")


def keystrokes(texts: Sequence[str] = TYPED) -> list[str]:
    """What the search box holds after each key press while typing ``texts``."""
    return [text[:end] for text in texts for end in range(1, len(text) + 1)]


def fts5_typing_query(text: str) -> str | None:
    """The FTS5 query of a half-typed text: words AND-ed, the unfinished last one a prefix."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    parts = [f'"{word}"' for word in words]
    if not text.endswith(" "):
        parts[-1] += "*"
    return " ".join(parts)


# -- targets ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    key: str
    label: str
    unit: str
    limit: float
    note: str = ""


def targets_for(n: int) -> list[Target]:
    """The spec's targets (stated at 10,000 entries; the full build scales with N)."""
    build_limit = max(3.0, 0.003 * n)  # 3 s at 1,000 entries, 30 s at 10,000
    at = "" if n == 10_000 else " (target at 10,000)"
    return [
        Target("build_s", "full build", "s", build_limit, f" ({n:,} entries)"),
        Target("build_peak_rss_mb", "full build peak RSS", "MB", 300.0, at),
        Target("sync_noop_ms", "sync, nothing changed (median of 5)", "ms", 300.0, at),
        Target("update_ms", "update after one save (median of 5)", "ms", 150.0, at),
        Target("query_p95_ms", "sidebar p95", "ms", 30.0, at),
        Target("ratio_query_p95", "sidebar p95 Whoosh/FTS5", "x", 4.0, at),
        Target("typing_p95_ms", "typing p95", "ms", 50.0, at),
        Target("snippets20_p95_ms", "snippets20 p95", "ms", 100.0, at),
        Target("ratio_one_shot_search", "one-shot search / bare Whoosh script", "x", 1.3),
        Target("list_s", "mistakes list (whole process)", "s", 0.5, at),
        Target("list_json_s", "mistakes list --json (whole process)", "s", 0.5, at),
        Target("stats_s", "mistakes stats (whole process)", "s", 0.5, at),
        Target("stats_json_s", "mistakes stats --json (whole process)", "s", 0.5, at),
    ]


# -- measuring --------------------------------------------------------------------------------
def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _maxrss_mb(who: int) -> float:
    """Peak resident set size in MB (Linux reports KiB, macOS bytes)."""
    value = float(resource.getrusage(who).ru_maxrss)
    return value / (1024.0 * 1024.0) if sys.platform == "darwin" else value / 1024.0


def _peak(self_mb: float, children_mb: float) -> tuple[float, str]:
    return (self_mb, "self") if self_mb >= children_mb else (children_mb, "children")


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between the closest ranks (like numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Workload:
    name: str
    queries: list[str]
    samples: list[list[float]] = field(default_factory=list)  # per query, ms

    @property
    def flat(self) -> list[float]:
        return [value for per_query in self.samples for value in per_query]

    @property
    def p50(self) -> float:
        return percentile(self.flat, 50)

    @property
    def p95(self) -> float:
        return percentile(self.flat, 95)

    def slowest(self, count: int = 3) -> list[tuple[str, float]]:
        medians = [
            (q, statistics.median(s)) for q, s in zip(self.queries, self.samples, strict=True) if s
        ]
        return sorted(medians, key=lambda pair: -pair[1])[:count]


def run_workload(
    name: str, queries: Sequence[str], call: Callable[[str], object], rounds: int
) -> Workload:
    """Each query once untimed (a warm searcher and caches), then ``rounds`` timed rounds."""
    for query in queries:
        call(query)
    workload = Workload(name, list(queries), [[] for _ in queries])
    gc.collect()
    for _ in range(rounds):
        for index, query in enumerate(queries):
            started = time.perf_counter()
            call(query)
            workload.samples[index].append(_ms(time.perf_counter() - started))
    return workload


# -- the folder -------------------------------------------------------------------------------
def _entry_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and parse_entry_filename(p.name) is not None),
        key=lambda p: (parse_entry_filename(p.name) or 0, p.name),
    )


def _read_stamp(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _synth_digest() -> str:
    """Changes when the generator does (a kept folder is then written again)."""
    return hashlib.sha256((HERE / "synth.py").read_bytes()).hexdigest()[:16]


def prepare_folder(folder: Path, n: int, seed: int) -> tuple[list[Path], bool, float]:
    """The entry files of ``folder``: reused when it holds exactly ``n`` entries written with
    ``seed`` by the same synth.py (and not left half-edited), else written again.
    Returns (paths, reused, seconds).
    """
    stamp = folder.parent / STAMP
    wanted = {"entries": n, "seed": seed, "synth": _synth_digest()}
    existing = _entry_files(folder)
    if len(existing) == n and _read_stamp(stamp) == wanted:
        return existing, True, 0.0
    stamp.unlink(missing_ok=True)
    for old in existing:
        old.unlink()
    from synth import generate  # benchmarks/synth.py, on sys.path above

    started = time.perf_counter()
    paths = generate(folder, n, seed)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps(wanted), "utf-8")
    return [Path(p) for p in paths], False, seconds


@contextlib.contextmanager
def restored(paths: Sequence[Path], stamp: Path) -> Iterator[None]:
    """Put the bytes of ``paths`` back afterwards; no stamp while they may differ."""
    saved = {path: path.read_bytes() for path in paths}
    had_stamp = stamp.exists()
    stamp_text = stamp.read_text("utf-8") if had_stamp else ""
    stamp.unlink(missing_ok=True)
    try:
        yield
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
        if had_stamp:
            stamp.write_text(stamp_text, "utf-8")


def _spread(paths: Sequence[Path], count: int, offset: int) -> list[Path]:
    """``count`` entries spread over the folder, deterministically (distinct if possible)."""
    n = len(paths)
    picked: list[Path] = []
    for i in range(count):
        picked.append(paths[(offset + i * n // count) % n])
    return picked


def _edited(folder: EntryFolder, path: Path, round_number: int) -> StoredEntry:
    """Load an entry, change the text of one section and save it; the saved entry."""
    stored = folder.load(path)
    entry = stored.entry.copy()
    sections: dict[str, str] = entry.sections
    key = "what_happened" if "what_happened" in sections else next(iter(sections), "")
    if not key:
        key = "what_happened"
    sections[key] = (
        sections.get(key, "")
        + f"\n\nBenchmark edit {round_number}: the retry budget was lowered to "
        + f"{round_number + 3} attempts and the connection pool resized after the deadlock."
    )
    saved: StoredEntry = folder.save(stored, entry)
    return saved


# -- child processes (their own peak RSS) -----------------------------------------------------
def _child_build(root: Path, cache: Path) -> dict[str, Any]:
    base = _maxrss_mb(resource.RUSAGE_SELF)
    index = SearchIndex(EntryFolder(root, load_template()), cache)
    started = time.perf_counter()
    report = index.open()
    seconds = time.perf_counter() - started
    index.close()
    return {
        "build_s": seconds,
        "added": report.added,
        "problems": len(report.problems),
        "rebuilt": report.rebuilt,
        "base_rss_mb": base,
        "self_rss_mb": _maxrss_mb(resource.RUSAGE_SELF),
        "children_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
    }


def _child_update(root: Path, cache: Path, names: Sequence[str]) -> dict[str, Any]:
    folder = EntryFolder(root, load_template())
    index = SearchIndex(folder, cache)
    report = index.open()
    base = _maxrss_mb(resource.RUSAGE_SELF)
    times: list[float] = []
    for number, name in enumerate(names, 100):
        saved = _edited(folder, root / name, number)
        started = time.perf_counter()
        index.update_entry(saved)
        times.append(_ms(time.perf_counter() - started))
    index.close()
    return {
        "rebuilt": report.rebuilt,
        "times_ms": times,
        "base_rss_mb": base,
        "self_rss_mb": _maxrss_mb(resource.RUSAGE_SELF),
        "children_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
    }


def _child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="search_bench.py --child")
    parser.add_argument("what", choices=["build", "update"])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--names", default="")
    args = parser.parse_args(argv)
    if args.what == "build":
        result = _child_build(args.folder, args.cache)
    else:
        result = _child_update(args.folder, args.cache, [n for n in args.names.split("/") if n])
    print(json.dumps(result))
    return 0


# On Linux a process started with fork (or vfork) and exec begins with the peak RSS of the
# process that started it as its own ru_maxrss: a child started from this process, which
# holds the FTS5 table and a Whoosh searcher, would report this process's peak. So the
# child is started by a small Python that only starts it (its peak is about 10 MB).
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def _in_child(what: str, folder: Path, cache: Path, names: Sequence[str] = ()) -> dict[str, Any]:
    command = [sys.executable, "-c", _LAUNCHER]
    command += [sys.executable, str(Path(__file__).resolve()), CHILD_FLAG, what]
    command += ["--folder", str(folder), "--cache", str(cache), "--names", "/".join(names)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {what} child process failed:\n{done.stderr.strip()}")
    lines = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- whole processes, one shot each ----------------------------------------------------------
# What a user pays for one command: a fresh interpreter, the imports, the config, the sync
# with the folder, the work, the output. The bare script is the floor for a Whoosh search.
BARE_WHOOSH = """
import sys
from whoosh import index
from whoosh.qparser import MultifieldParser

ix = index.open_dir(sys.argv[1])
with ix.searcher() as searcher:
    query = MultifieldParser(["title", "body"], ix.schema).parse(sys.argv[2])
    for hit in searcher.search(query, limit=10):
        print(hit["number"], hit["title"])
"""


def _cli_env(xdg: Path, source: Path | None = None) -> dict[str, str]:
    """The environment of a ``python -m mistakes`` child: this run's cache, and the same
    ``mistakes`` package as this process (a worktree's, not an installed copy), or the one
    in ``source`` (a ``src`` folder: the baseline)."""
    import mistakes

    env = dict(os.environ, XDG_CACHE_HOME=str(xdg), COLUMNS="100")
    # as installed: compiled modules kept (a fresh compile of every module is not one shot)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    package_root = str(source or Path(mistakes.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def _run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child) and output size of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{done.stderr.decode(errors='replace')}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, len(done.stdout)


def _medians(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        runs[-1][2],
    )


def _index_dir(xdg: Path, root: Path) -> Path:
    """The index the CLI built for ``root`` under ``xdg`` (found by its marker)."""
    for marker in (xdg / "mistakes").glob("index-v*/*/mistakes-index.json"):
        if json.loads(marker.read_text("utf-8")).get("folder") == str(root.resolve()):
            return marker.parent
    raise RuntimeError(f"no index for {root} under {xdg}")


def index_sizes(index_dir: Path) -> dict[str, float]:
    """The index's size on disk and the bytes its per-entry columns hold (MB; NaN for a
    column an older ``mistakes`` does not keep)."""
    from whoosh import index as windex

    out = {"index_mb": sum(p.stat().st_size for p in index_dir.iterdir()) / 1e6}
    names = ("listing", "record", "follow_ups", "links")
    try:
        from mistakes.search.listing import read_entries
    except ImportError:  # a version before the follow-up and link columns
        out.update({f"column_{name}_mb": float("nan") for name in names})
        return out
    ix = windex.open_dir(str(index_dir))
    with ix.reader() as reader:
        held = read_entries(reader, names[1:])
    sizes = [0] * len(names)
    for facts, kept in held.values():
        sizes[0] += len(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode())
        for i, value in enumerate(kept, 1):
            sizes[i] += len(value)
    ix.close()
    for name, size in zip(names, sizes, strict=True):
        out[f"column_{name}_mb"] = size / 1e6
    return out


def one_shot(
    root: Path, xdg: Path, repeats: int = ONE_SHOT_REPEATS, baseline: Path | None = None
) -> dict[str, Any]:
    """Whole-process figures (see the module's docstring); with ``baseline`` (another
    checkout's ``src``), each ``mistakes`` command with it as well, as ``baseline_KEY``."""
    env = _cli_env(xdg)
    cli = [sys.executable, "-m", "mistakes", "--dir", str(root)]
    started = time.perf_counter()
    subprocess.run([*cli, "reindex"], env=env, capture_output=True, check=True)
    out: dict[str, Any] = {"cli_reindex_s": time.perf_counter() - started}
    index_dir = _index_dir(xdg, root)
    out.update(index_sizes(index_dir))
    bare = [sys.executable, "-c", BARE_WHOOSH, str(index_dir), ONE_SHOT_QUERY]
    files = _entry_files(root)
    shown = str(parse_entry_filename(files[len(files) // 2].name)) if files else "1"
    out["show_ref"] = shown
    runs = {
        "bare_whoosh": bare,
        "one_shot_search": [*cli, "search", ONE_SHOT_QUERY],
        "list": [*cli, "list"],
        "list_json": [*cli, "list", "--json"],
        "stats": [*cli, "stats"],
        "stats_json": [*cli, "stats", "--json"],
        "todo_json": [*cli, "todo", "--json"],
        "show_json": [*cli, "show", shown, "--json"],
    }
    envs = {key: env for key in runs}
    if baseline is not None:  # old and new take turns, command by command
        old_env = _cli_env(xdg, baseline.resolve())
        for key in [k for k in runs if k != "bare_whoosh"]:
            runs[f"baseline_{key}"] = runs[key]
            envs[f"baseline_{key}"] = old_env
        out["baseline_src"] = str(baseline)
    out["load_before"] = os.getloadavg()[0]
    # round robin: each command (the bare script too) runs under the same load, on a
    # machine that may be shared (a command timed in a quiet minute flatters it)
    timings: dict[str, list[tuple[float, float, int]]] = {key: [] for key in runs}
    for round_number in range(repeats):
        order = list(runs.items())
        if baseline is not None:  # pairs (new, old) as they come, every other round reversed
            order.sort(key=lambda item: item[0].removeprefix("baseline_"))
            if round_number % 2:
                order.reverse()
        for key, command in order:
            timings[key].append(_run_once(command, envs[key]))
    for key in runs:
        wall, cpu, size = _medians(timings[key])
        out[f"{key}_s"] = wall
        out[f"{key}_cpu_s"] = cpu
        out[f"{key}_output_bytes"] = size
    out["load_after"] = os.getloadavg()[0]
    out["ratio_one_shot_search"] = out["one_shot_search_s"] / out["bare_whoosh_s"]
    out["ratio_one_shot_search_cpu"] = out["one_shot_search_cpu_s"] / out["bare_whoosh_cpu_s"]
    return out


# -- SQLite FTS5 ------------------------------------------------------------------------------
_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
SNIPPET = "snippet(t, 1, '**', '**', '…', 12)"


def markdown_body(text: str) -> str:
    """A file's Markdown after its YAML frontmatter."""
    match = _FRONTMATTER.match(text)
    return text[match.end() :] if match else text


class Fts5:
    """One FTS5 table (title, body), ranked by ``bm25(t, 3.0, 1.0)``.

    The table's rank is set to ``bm25(3.0, 1.0)`` and queries ``ORDER BY rank``: the same
    order as ``ORDER BY bm25(t, 3.0, 1.0)``, but FTS5 then sorts internally and computes
    ``snippet()`` only for the rows returned (about twice as fast with snippets).
    """

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(title, body, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        self.db.execute("INSERT INTO t(t, rank) VALUES('rank', 'bm25(3.0, 1.0)')")
        self.db.commit()

    def build(self, folder: EntryFolder, paths: Sequence[Path]) -> tuple[float, float]:
        """Read, parse and insert every entry: (total seconds, insert and commit seconds)."""
        started = time.perf_counter()
        rows: list[tuple[int, str, str]] = []
        for rowid, path in enumerate(paths, 1):
            data = path.read_bytes()
            title = str(folder.load_bytes(path, data).entry.title)
            rows.append((rowid, title, markdown_body(data.decode("utf-8"))))
        inserting = time.perf_counter()
        with self.db:
            self.db.executemany("INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)", rows)
        done = time.perf_counter()
        return done - started, done - inserting

    def count(self, query: str) -> int:
        return int(
            self.db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query,)).fetchone()[0]
        )

    def top(self, query: str, limit: int = LIMIT) -> list[tuple[int, str]]:
        sql = "SELECT rowid, title FROM t WHERE t MATCH ? ORDER BY rank LIMIT ?"
        return [(int(r), str(t)) for r, t in self.db.execute(sql, (query, limit))]

    def snippet(self, query: str, rowid: int) -> str:
        sql = f"SELECT {SNIPPET} FROM t WHERE t MATCH ? AND rowid = ?"
        row = self.db.execute(sql, (query, rowid)).fetchone()
        return str(row[0]) if row else ""

    def sidebar(self, query: str) -> list[tuple[int, str]]:
        """Top 20 titles, and the snippet of the first one."""
        hits = self.top(query)
        if hits:
            self.snippet(query, hits[0][0])
        return hits

    def snippets20(self, query: str) -> list[tuple[int, str, str]]:
        sql = f"SELECT rowid, title, {SNIPPET} FROM t WHERE t MATCH ? ORDER BY rank LIMIT ?"
        return [(int(r), str(t), str(s)) for r, t, s in self.db.execute(sql, (query, LIMIT))]

    def close(self) -> None:
        self.db.close()


# -- the run ----------------------------------------------------------------------------------
def _say(message: str) -> None:
    print(f"[search_bench] {message}", file=sys.stderr, flush=True)


def package_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def run(
    n: int,
    seed: int = DEFAULT_SEED,
    keep: Path | None = None,
    rounds: int = DEFAULT_ROUNDS,
    only_one_shot: bool = False,
    baseline: Path | None = None,
) -> dict[str, Any]:
    """Every figure of the benchmark, as one dict (what ``--json`` prints)."""
    if keep is not None:
        work = keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="mistakes-bench-"))
    try:
        return _run_in(
            work,
            n,
            seed,
            rounds,
            kept=keep is not None,
            only_one_shot=only_one_shot,
            baseline=baseline,
        )
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, mode=0o700)
    return path


def _run_in(
    work: Path,
    n: int,
    seed: int,
    rounds: int,
    kept: bool,
    only_one_shot: bool = False,
    baseline: Path | None = None,
) -> dict[str, Any]:
    root = work / "folder"
    out: dict[str, Any] = {"entries": n, "seed": seed, "rounds": rounds}
    _say(f"preparing {n:,} entries in {root}")
    paths, reused, generate_s = prepare_folder(root, n, seed)
    if len(paths) != n:
        raise RuntimeError(f"expected {n} entry files, found {len(paths)}")
    out.update(
        folder_reused=reused,
        generate_s=generate_s,
        folder_mb=sum(p.stat().st_size for p in paths) / 1_000_000,
        work_dir=str(work) if kept else None,
        versions={
            "python": platform.python_version(),
            "whoosh": package_version("whoosh-reloaded"),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
        },
    )
    if only_one_shot:
        out["one_shot_only"] = True
        _say(f"whole processes, one shot each ({ONE_SHOT_REPEATS} runs per command)")
        out.update(one_shot(root, _fresh_dir(work / "xdg"), baseline=baseline))
        return _verdicts(out, n, [])
    template = load_template()
    folder = EntryFolder(root, template)
    cache = _fresh_dir(work / "cache")

    # full build, in a child process
    _say("full build (child process)")
    built = _in_child("build", root, cache)
    peak, source = _peak(built["self_rss_mb"], built["children_rss_mb"])
    out.update(
        build_s=built["build_s"],
        build_peak_rss_mb=peak,
        build_peak_rss_from=source,
        build_rss_self_mb=built["self_rss_mb"],
        build_rss_children_mb=built["children_rss_mb"],
        build_base_rss_mb=built["base_rss_mb"],
        build_added=built["added"],
        build_problems=built["problems"],
    )
    notes: list[str] = []
    if built["added"] != n or built["problems"]:
        notes.append(f"build indexed {built['added']} of {n} entries, {built['problems']} problems")

    # open the built index, bring-in-step with nothing changed
    index = SearchIndex(folder, cache)
    started = time.perf_counter()
    opened = index.open()
    out["open_existing_ms"] = _ms(time.perf_counter() - started)
    if opened.rebuilt:
        notes.append("opening the built index rebuilt it (was it not trusted?)")
    sync_times: list[float] = []
    for _ in range(SYNC_REPEATS):
        started = time.perf_counter()
        report = index.sync()
        sync_times.append(_ms(time.perf_counter() - started))
        if report.added or report.updated or report.deleted or report.rebuilt:
            notes.append(f"a no-change sync changed something: {report}")
    out["sync_noop_ms"] = statistics.median(sync_times)
    out["sync_noop_ms_all"] = sync_times

    # query workloads, Whoosh
    typed = keystrokes()
    mix = [q.whoosh for q in QUERY_MIX]
    _say(f"Whoosh queries ({rounds} rounds)")
    whoosh = {
        "sidebar": run_workload(
            "sidebar", mix, lambda q: index.search(q, LIMIT, snippets=1), rounds
        ),
        "typing": run_workload(
            "typing", typed, lambda q: index.search(q, LIMIT, partial=True, snippets=1), rounds
        ),
        "snippets20": run_workload(
            "snippets20", mix, lambda q: index.search(q, LIMIT, snippets=20), rounds
        ),
    }

    # the same against FTS5
    _say("FTS5 build and queries")
    fts = Fts5(work / "fts5.sqlite3")
    fts_build_s, fts_insert_s = fts.build(folder, paths)
    out.update(fts5_build_s=fts_build_s, fts5_insert_s=fts_insert_s)
    fts_mix = [q.fts5 for q in QUERY_MIX]
    fts_typed: list[str] = []
    skipped: list[str] = []
    for text in typed:
        query = fts5_typing_query(text)
        if query is None:
            continue
        try:
            fts.top(query)
        except sqlite3.OperationalError:
            if len(re.findall(r"\w+", text)[-1]) > 1:
                raise
            skipped.append(text)  # a one-letter prefix FTS5 refuses
            continue
        fts_typed.append(query)
    if skipped:
        notes.append(f"FTS5 refused the one-letter prefixes {skipped}: left out of its typing")
    fts_runs = {
        "sidebar": run_workload("sidebar", fts_mix, fts.sidebar, rounds),
        "typing": run_workload("typing", fts_typed, fts.sidebar, rounds),
        "snippets20": run_workload("snippets20", fts_mix, fts.snippets20, rounds),
    }

    keys = {"sidebar": "query", "typing": "typing", "snippets20": "snippets20"}
    for name, key in keys.items():
        w, f = whoosh[name], fts_runs[name]
        out[f"{key}_p50_ms"] = w.p50
        out[f"{key}_p95_ms"] = w.p95
        out[f"fts5_{key}_p50_ms"] = f.p50
        out[f"fts5_{key}_p95_ms"] = f.p95
        out[f"ratio_{key}_p50"] = w.p50 / f.p50 if f.p50 > 0 else float("inf")
        out[f"ratio_{key}_p95"] = w.p95 / f.p95 if f.p95 > 0 else float("inf")
        out[f"{key}_samples"] = len(w.flat)
        out[f"{key}_slowest_ms"] = [[q, ms] for q, ms in w.slowest()]
        out[f"fts5_{key}_slowest_ms"] = [[q, ms] for q, ms in f.slowest()]

    # what each query of the mix finds (untimed): a sanity check of the mix
    checks: list[dict[str, Any]] = []
    for spec, w_ms, f_ms in zip(
        QUERY_MIX, whoosh["sidebar"].samples, fts_runs["sidebar"].samples, strict=True
    ):
        result = index.search(spec.whoosh, LIMIT, snippets=1)
        matches = len(index.search(spec.whoosh, n + 1, snippets=0).hits)  # total: an estimate
        fts_hits = fts.top(spec.fts5, 1)
        snippet = result.hits[0].snippet if result.hits else None
        checks.append(
            {
                "kind": spec.kind,
                "whoosh": spec.whoosh,
                "fts5": spec.fts5,
                "whoosh_total": result.total,
                "whoosh_matches": matches,
                "fts5_total": fts.count(spec.fts5),
                "whoosh_ms": statistics.median(w_ms),
                "fts5_ms": statistics.median(f_ms),
                "notice": result.notice,
                "whoosh_top": result.hits[0].title if result.hits else "",
                "whoosh_snippet": snippet.marked() if snippet is not None else "",
                "fts5_top": fts_hits[0][1] if fts_hits else "",
            }
        )
        if not result.hits:
            notes.append(f"Whoosh found nothing for {spec.whoosh!r}")
        if result.notice:
            notes.append(f"Whoosh notice for {spec.whoosh!r}: {result.notice}")
    out["queries"] = checks
    # keystrokes that find nothing (cheap, so they flatter a workload's latency)
    out["typing_empty"] = [
        t for t in typed if not index.search(t, 1, partial=True, snippets=0).hits
    ]
    out["fts5_typing_empty"] = [q for q in fts_typed if not fts.top(q, 1)]
    if out["typing_empty"]:
        notes.append(
            f"{len(out['typing_empty'])} of {len(typed)} keystrokes find nothing with Whoosh"
            f" (FTS5: {len(out['fts5_typing_empty'])} of {len(fts_typed)}):"
            f" {', '.join(repr(t) for t in out['typing_empty'])}"
        )
    fts.close()

    # update after one save: 5 entries timed here, then 20 in a child for its peak RSS
    _say("updates")
    timed = _spread(paths, UPDATE_REPEATS, max(1, n // 10))
    in_child = _spread(paths, UPDATE_CHILD_COUNT, max(1, n // 10) + max(1, n // 40))
    touched = sorted(set(timed) | set(in_child))
    with restored(touched, root.parent / STAMP):
        update_times: list[float] = []
        for number, path in enumerate(timed, 1):
            saved = _edited(folder, path, number)
            started = time.perf_counter()
            index.update_entry(saved)
            update_times.append(_ms(time.perf_counter() - started))
        index.close()
        child = _in_child("update", root, cache, [p.name for p in in_child])
    upeak, usource = _peak(child["self_rss_mb"], child["children_rss_mb"])
    out.update(
        update_ms=statistics.median(update_times),
        update_ms_all=update_times,
        update_peak_rss_mb=upeak,
        update_peak_rss_from=usource,
        update_rss_self_mb=child["self_rss_mb"],
        update_rss_children_mb=child["children_rss_mb"],
        update_base_rss_mb=child["base_rss_mb"],
        update20_median_ms=statistics.median(child["times_ms"]),
        update20_max_ms=max(child["times_ms"]),
    )
    if child["rebuilt"]:
        notes.append(
            "the update child rebuilt the index when opening it (did the code change during"
            " the run?): its peak RSS and times include a full build"
        )

    _say(f"whole processes, one shot each ({ONE_SHOT_REPEATS} runs per command)")
    out.update(one_shot(root, _fresh_dir(work / "xdg"), baseline=baseline))
    return _verdicts(out, n, notes)


def _verdicts(out: dict[str, Any], n: int, notes: list[str]) -> dict[str, Any]:
    """Each target met or not (those measured: ``--one-shot-only`` measures some)."""
    results: dict[str, dict[str, Any]] = {}
    for target in targets_for(n):
        if target.key not in out:
            continue
        value = float(out[target.key])
        results[target.key] = {"value": value, "target": target.limit, "ok": value <= target.limit}
    out["targets"] = results
    out["all_ok"] = all(r["ok"] for r in results.values())
    out["notes"] = notes
    return out


# -- the report -------------------------------------------------------------------------------
def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.1f} ms"


def format_report(out: dict[str, Any]) -> str:
    n = int(out["entries"])
    v = out["versions"]
    made = "reused" if out["folder_reused"] else f"written in {out['generate_s']:.1f} s"
    only = out.get("one_shot_only", False)
    lines = [
        f"mistakes search benchmark: {n:,} entries (seed {out['seed']}, "
        f"{out['folder_mb']:.1f} MB, folder {made})",
        f"python {v['python']}, whoosh-reloaded {v['whoosh']}, SQLite {v['sqlite']}, "
        f"{v['cpus']} CPUs; "
        + (
            "whole processes only (--one-shot-only)"
            if only
            else f"{out['rounds']} rounds per workload "
            f"({out['query_samples']} sidebar, {out['typing_samples']} typing samples)"
        ),
        "",
    ]
    targets = {t.key: t for t in targets_for(n)}
    width = 44

    def row(label: str, value: str, key: str | None = None, extra: str = "") -> None:
        text = f"  {label:<{width}} {value:>10}"
        if key is not None:
            target = targets[key]
            limit = _fmt(target.limit, target.unit)
            verdict = "ok" if out["targets"][key]["ok"] else "OVER"
            text += f"   target <= {limit}{target.note}  {verdict}"
        if extra:
            text += f"   {extra}"
        lines.append(text)

    if not only:
        _index_report(out, lines, row, width)
    _one_shot_report(out, lines, row)
    lines.append("")
    failed = [k for k, r in out["targets"].items() if not r["ok"]]
    lines.append("all targets met" if not failed else f"over target: {', '.join(failed)}")
    for note in out["notes"]:
        lines.append(f"note: {note}")
    return "\n".join(lines)


Row = Callable[..., None]


def _index_report(out: dict[str, Any], lines: list[str], row: Row, width: int) -> None:
    targets = {t.key: t for t in targets_for(int(out["entries"]))}
    source = out["build_peak_rss_from"]
    lines.append("Index")
    row("full build (open() on an empty cache)", _fmt(out["build_s"], "s"), "build_s")
    row(
        "full build peak RSS",
        _fmt(out["build_peak_rss_mb"], "MB"),
        "build_peak_rss_mb",
        f"({source}; self {out['build_rss_self_mb']:.0f}, children "
        f"{out['build_rss_children_mb']:.0f}, after imports {out['build_base_rss_mb']:.0f})",
    )
    row("open the built index", _fmt(out["open_existing_ms"], "ms"))
    row("sync, nothing changed (median of 5)", _fmt(out["sync_noop_ms"], "ms"), "sync_noop_ms")
    row("update after one save (median of 5)", _fmt(out["update_ms"], "ms"), "update_ms")
    row(
        f"{UPDATE_CHILD_COUNT} updates in a child: peak RSS",
        _fmt(out["update_peak_rss_mb"], "MB"),
        extra=f"({out['update_peak_rss_from']}; after open {out['update_base_rss_mb']:.0f} MB;"
        f" median {out['update20_median_ms']:.1f} ms, max {out['update20_max_ms']:.1f} ms)",
    )
    row(
        "FTS5 build (read, parse, insert)",
        _fmt(out["fts5_build_s"], "s"),
        extra=f"(insert and commit {out['fts5_insert_s']:.2f} s)",
    )
    lines.append("")
    lines.append("Queries (warm)                                 Whoosh")
    for name, key in (("sidebar", "query"), ("typing", "typing"), ("snippets20", "snippets20")):
        row(f"{name} p50", _fmt(out[f"{key}_p50_ms"], "ms"))
        p95_key = f"{key}_p95_ms"
        row(f"{name} p95", _fmt(out[p95_key], "ms"), p95_key if p95_key in targets else None)
        row(f"{name} p50 FTS5", _fmt(out[f"fts5_{key}_p50_ms"], "ms"))
        row(f"{name} p95 FTS5", _fmt(out[f"fts5_{key}_p95_ms"], "ms"))
        ratio_key = f"ratio_{key}_p95"
        row(
            f"{name} p95 Whoosh/FTS5",
            _fmt(out[ratio_key], "x"),
            ratio_key if ratio_key in targets else None,
            f"(p50 {out[f'ratio_{key}_p50']:.2f}x)",
        )
        slow = ", ".join(f"{q!r} {ms:.1f}" for q, ms in out[f"{key}_slowest_ms"])
        lines.append(f"  {'':<{width}} slowest Whoosh (median ms): {slow}")
    lines.append("")
    lines.append(
        "Query mix (sidebar: median ms, matches; Whoosh's reported total, an estimate, in [])"
    )
    for check in out["queries"]:
        lines.append(
            f"  {check['whoosh']:<28} {check['whoosh_ms']:5.1f} ms {check['whoosh_matches']:>6}"
            f" [{check['whoosh_total']:>6}]   FTS5 {check['fts5']:<20} {check['fts5_ms']:5.1f} ms"
            f" {check['fts5_total']:>6}"
        )
    lines.append("")


def _one_shot_report(out: dict[str, Any], lines: list[str], row: Row) -> None:
    lines.append(
        f"Whole processes, one shot each (median of {ONE_SHOT_REPEATS}; CPU = user + system;"
        f" load average {out['load_before']:.2f} before, {out['load_after']:.2f} after)"
    )
    one = [
        ("bare Whoosh script (open, parse, search)", "bare_whoosh", None),
        (f"mistakes search {ONE_SHOT_QUERY!r}", "one_shot_search", None),
        ("mistakes list", "list", "list_s"),
        ("mistakes list --json", "list_json", "list_json_s"),
        ("mistakes stats", "stats", "stats_s"),
        ("mistakes stats --json", "stats_json", "stats_json_s"),
        ("mistakes todo --json", "todo_json", None),
        (f"mistakes show {out['show_ref']} --json (backlinks)", "show_json", None),
    ]
    for label, key, target_key in one:
        before = ""
        if f"baseline_{key}_s" in out:  # --baseline: the other checkout, same rounds
            before = (
                f"; baseline {out[f'baseline_{key}_s']:.2f} s,"
                f" CPU {out[f'baseline_{key}_cpu_s']:.2f} s"
            )
        row(
            label,
            _fmt(out[f"{key}_s"], "s"),
            target_key,
            f"(CPU {out[f'{key}_cpu_s']:.2f} s, {out[f'{key}_output_bytes'] / 1e6:.1f} MB out"
            f"{before})",
        )
    row(
        "one-shot search / bare Whoosh",
        _fmt(out["ratio_one_shot_search"], "x"),
        "ratio_one_shot_search",
        f"(CPU {out['ratio_one_shot_search_cpu']:.2f}x)",
    )
    row("mistakes reindex (builds the CLI's index)", _fmt(out["cli_reindex_s"], "s"))
    row(
        "the CLI's index on disk",
        _fmt(out["index_mb"], "MB"),
        extra="(columns: "
        + ", ".join(
            f"{name} {out[f'column_{name}_mb']:.1f} MB"
            for name in ("listing", "record", "follow_ups", "links")
        )
        + ")",
    )


# -- command line -----------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == [CHILD_FLAG]:
        return _child_main(args_list[1:])
    parser = argparse.ArgumentParser(
        prog="search_bench.py",
        description="Benchmark the mistakes search index against SQLite FTS5.",
    )
    parser.add_argument("--entries", "-n", type=int, required=True, help="how many entries")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"synth seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="work in DIR and keep it; DIR/folder is reused when it holds exactly N entries",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"timed rounds per workload (default {DEFAULT_ROUNDS})",
    )
    parser.add_argument(
        "--one-shot-only",
        action="store_true",
        help="only the whole-process figures (search, list, stats, todo, show) and the index size",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="SRC",
        help="also run each one-shot command with the mistakes in SRC (another checkout's "
        "src folder), taking turns with this one",
    )
    args = parser.parse_args(args_list)
    if args.baseline is not None and not (args.baseline / "mistakes").is_dir():
        parser.error(f"--baseline {args.baseline}: no mistakes package in it")
    if args.entries < 1:
        parser.error("--entries must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    out = run(args.entries, args.seed, args.keep, args.rounds, args.one_shot_only, args.baseline)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(format_report(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
