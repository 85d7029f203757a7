#!/usr/bin/env python3
"""MCP server benchmark: what a coding agent waits for, per call, over stdio.

Usage::

    python benchmarks/mcp_bench.py --entries 10000 --out /tmp/mcp-10k [--calls 30] [--json]
    python benchmarks/mcp_bench.py --dir FOLDER [--calls 30] [--json]

With ``--entries N --out DIR`` a deterministic folder of ``N`` synthetic entries is written
with ``synth.generate`` (reused while it holds ``N`` entries). ``mistakes mcp --dir FOLDER``
is started as a subprocess and driven by the SDK's own client (``mcp.Client`` over
``stdio_client``), with a fresh cache directory (``--home DIR`` keeps it: the index is
built once), so the figures are:

* start: spawn to initialised session (Python, the SDK's imports, the handshake);
* first ``similar``: waits for the index the server builds in the background at start
  (a cold cache), or syncs it with the folder (``--home`` of an earlier run);
* ``similar``: per-call latency with the index built, over ``--calls`` pastes: the Error
  Messages of entries picked at random, each inside a few ordinary log lines (p50, p95);
* ``search``, ``show``, ``todo`` and listing the resources, for comparison;
* in-process, without the protocol: ``SearchService.ensure_open()`` (a full sync: one
  stat per file; the server does it only when ``FolderWatch`` sees a change) and
  ``SearchService.similar()`` for the same pastes.

Progress goes to stderr; the report (or with ``--json`` one object) to stdout.
"""

# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path[:0] = [str(SRC), str(HERE)]

from mistakes.services.config import open_folder  # noqa: E402
from mistakes.services.search import SearchService  # noqa: E402


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def pastes(folder: Path, count: int, seed: int) -> list[str]:
    """The Error Messages of ``count`` entries, each between ordinary log lines."""
    entries = open_folder(str(folder), None)
    paths = sorted(entries.paths())
    rng = random.Random(seed)
    found: list[str] = []
    for path in rng.sample(paths, min(len(paths), count * 3)):
        text = entries.load(path).entry.sections.get("error_messages", "").strip("`\n ")
        if not text:
            continue
        minute, pid = rng.randrange(60), rng.randrange(9999)
        found.append(
            f"2026-12-02 10:{minute:02d}:07 INFO worker started pid={pid}\n"
            f"{text}\n2026-12-02 10:31:09 INFO shutting down\n"
        )
        if len(found) == count:
            break
    return found


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "n": len(ordered),
    }


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


async def over_stdio(folder: Path, texts: list[str], home: Path) -> dict[str, Any]:
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {
        "PYTHONPATH": str(SRC),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mistakes", "mcp", "--dir", str(folder)], env=env
    )
    report: dict[str, Any] = {}
    started = time.perf_counter()
    with (home / "server-stderr.txt").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), cache=None) as client:
            report["start_s"] = round(time.perf_counter() - started, 2)
            say(f"  session ready in {report['start_s']} s; first similar (index build)...")
            first, result = await timed(lambda: client.call_tool("similar", {"text": texts[0]}))
            assert not result.is_error, result.content
            report["first_similar_s"] = round(first, 2)
            say(f"  first similar: {first:.1f} s")
            seconds: list[float] = []
            best: list[int] = []
            for text in texts:
                spent, result = await timed(
                    lambda text=text: client.call_tool("similar", {"text": text})
                )
                assert not result.is_error, result.content
                seconds.append(spent)
                matches = result.structured_content["matches"]
                best.append(matches[0]["number"] if matches else 0)
            report["similar"] = percentiles(seconds)
            say(f"  similar: {report['similar']}")
            words = ["connection pool", "timeout", "deadlock tag:postgres", "memory leak"]
            seconds = []
            for query in words * 3:
                spent, _ = await timed(
                    lambda query=query: client.call_tool("search", {"query": query})
                )
                seconds.append(spent)
            report["search"] = percentiles(seconds)
            seconds = []
            for number in best[:10]:
                spent, _ = await timed(
                    lambda number=number: client.call_tool("show", {"ref": str(number)})
                )
                seconds.append(spent)
            report["show"] = percentiles(seconds)
            spent, listed = await timed(client.list_resources)
            report["list_resources"] = {
                "ms": round(spent * 1000, 1),
                "count": len(listed.resources),
            }
            spent, _ = await timed(lambda: client.call_tool("todo", {}))
            report["todo_ms"] = round(spent * 1000, 1)
    return report


def in_process(folder: Path, texts: list[str], home: Path) -> dict[str, Any]:
    search = SearchService(open_folder(str(folder), None), home / "cache" / "mistakes")
    search.open()
    syncs = []
    for _ in range(10):
        started = time.perf_counter()
        search.ensure_open()
        syncs.append(time.perf_counter() - started)
    similar = []
    for text in texts:
        started = time.perf_counter()
        search.similar(text, 5)
        similar.append(time.perf_counter() - started)
    search.close()
    return {"sync": percentiles(syncs), "similar": percentiles(similar)}


def main() -> int:
    import anyio

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="an existing entries folder")
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--out", type=Path, help="where to write the synthetic folder")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument(
        "--home", type=Path, help="keep the server's home (and its index) here between runs"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = args.dir
    if folder is None:
        from synth import generate

        folder = args.out or Path(tempfile.mkdtemp(prefix="mcp-bench-"))
        if len(list(folder.glob("*.md"))) != args.entries:
            say(f"writing {args.entries} entries to {folder}...")
            generate(folder, args.entries, args.seed)
    texts = pastes(folder, args.calls, args.seed)
    entries = len(list(folder.glob("*.md")))
    say(f"{entries} entries in {folder}; {len(texts)} pastes")
    with tempfile.TemporaryDirectory(prefix="mcp-bench-home-") as tmp:
        home = args.home or Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        stdio = anyio.run(over_stdio, folder, texts, home)
        local = in_process(folder, texts, home)
    report = {
        "entries": entries,
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
        "stdio": stdio,
        "in_process": local,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"mistakes mcp over stdio, {entries} entries (load {report['load_1min']}):")
    print(f"  start (spawn to session)   {stdio['start_s']} s")
    print(f"  first similar (index build) {stdio['first_similar_s']} s")
    for name in ("similar", "search", "show"):
        figures = stdio[name]
        print(f"  {name:<26} p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    listed = stdio["list_resources"]
    print(f"  list resources ({listed['count']})   {listed['ms']} ms")
    print(f"  todo                       {stdio['todo_ms']} ms")
    print("in process, no protocol:")
    for name in ("sync", "similar"):
        figures = local[name]
        print(f"  {name:<26} p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
