#!/usr/bin/env python3
"""App benchmark: the real ``mistakes`` app, headless, on a synthetic folder of N entries.

Usage::

    python benchmarks/app_bench.py [--entries 10000] [--dir DIR] [--repeat 5] [--json]
                                   [--seed 1234] [--cold-timeout 900] [--no-cold] [--quick]
                                   [--profile FILE] [--load] [--load-timeout 3600]
                                   [--pty-chars 30]

What is measured, with the app built by ``make_app(folder)`` and driven by
``App.run_test(size=(80, 24))`` and its Pilot (nothing of the app is replaced):

* first frame: from before ``make_app`` until the first frame painted while the sidebar's
  result list has its rows (the newest entries: as the app last listed them, kept beside
  the index, when a previous start left them; else from the index, brought in step by the
  app's own sync worker); one sample per app start, ``--repeat`` starts. Also until the
  first frame with the index's own listing (``index_listed_s``);
* keystroke to results: one key pressed in the search box (queries typed a character at a
  time) until the first frame painted once the sidebar shows the answer to the text now in
  the box (``Sidebar._shown_generation == Sidebar._generation`` and the shown query is the
  box's text: the sidebar searches in a thread worker and drops stale answers, so those two
  say that the answer for the current text landed); p50 and p95;
* open entry: enter on a highlighted result until the first frame painted with the entry's
  title in the title field; also until the form is complete (the app's ``_open`` has
  called ``show_tab``), reported as "open, form complete";
* cold index: the same first frame with no index yet (a fresh cache dir): the first frame
  at all, whether indexing progress is visible, how long a typed key takes to echo while
  the index is built, and how long until the entries are listed.

"A frame painted" is observed by wrapping the app instance's ``_display`` (private in
Textual 8.2.8: the compositor calls it with each screen update; headless it skips only
writing the escape sequences). Each wait registers a predicate before the key is sent and
takes the time of the first frame for which the predicate holds: the time is exact to the
frame, unlike polling with ``pilot.pause(step)``, whose steps (and ``wait_for_idle``,
20 ms per step) would blur a 50 ms target; messages were not hooked because a message
handled is not yet a frame shown (the option list is painted on a later refresh).

Baselines, measured the same way in the same run: a bare Textual ``App`` with one
``Static`` (first frame) and with one ``Input`` (key to echo): the floors of Textual and
Pilot on this machine; and ``bare_apps.BareList``, an ``App`` with one ``OptionList`` that
lists the same folder's newest entries, timed to its first frame with the entries listed
like the app. It reads them from the same index listing as the app (``Workspace.open``
before the app is made, ``open_as_is`` and ``find("")`` in a thread worker): the ratio
then says what the app's own screen costs over bare Textual, with the same data work on
both sides. (Reading the titles from the newest files instead is also timed, as
``bare_list_files_first_frame_s``: cheaper than opening the index, but it would compare
the index against a directory read, not the app against Textual.) Python imports
(``import mistakes.ui.app``) are timed in a child process and reported apart: they come
before the first frame too, but run_test cannot see them.

Bytes per typed character (``pty_bytes.py``): the real app, ``python -m mistakes``, runs in
a pseudo-terminal of 80x24 (``TIOCSWINSZ``, ``TERM=xterm-256color``, no ``COLORTERM``, as
an SSH session carries them); once the entries are listed, ctrl+n opens a new entry with
the cursor in its empty title field (an ``Input``) and ``--pty-chars`` characters are
typed one at a time, each key's output read from the pty master until it has been quiet
for 0.1 s (at most 0.45 s: the cursor blink, restarted by each key, comes at 0.5 s).
The same for ``bare_apps.BareInput`` (an ``App`` with one default ``Input``: the target's
baseline) and, for reference, ``BareCompactInput`` (a compact one as wide as the title
field). Median and p95 per character, the ratio of the medians, and what a typical key
rewrites (screen rows and columns, from the cursor moves in its bytes).

``--load`` measures every figure but the cold index (and with ``--quick`` the bytes per
character) a second time in the same run with one
CPU-bound process beside the app (a busy loop in a child process that ends itself after
``--load-timeout`` seconds and is ended when the measurement ends): a shared server is
never idle. Those figures are under ``load`` in the JSON, with their own PASS/MISS.

The folder (``DIR/folder``, written by ``synth.generate``) is reused when it holds exactly
N entries of the same seed; the index is warmed once before the timed runs. The user
cache, data and config dirs point into ``DIR/xdg`` (the developer's are untouched); the
cold run uses ``DIR/xdg/cache-cold``, wiped first. The app's timers (autosave, file watch,
similar entries 0.8 s after an open) run as they do for a user; between two opens the
bench waits for the similar lookup to finish (it is timed too).

Without ``--json`` a table with targets and PASS/MISS; with ``--json`` one JSON object.
Progress goes to stderr.
"""

# mypy: disable-error-code="import-untyped"
# (search_bench, synth, bare_apps and pty_bytes are plain modules on sys.path, not a package.)

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # benchmarks/synth.py, benchmarks/search_bench.py
_SRC = HERE.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.append(str(_SRC))  # appended: an installed ``mistakes`` still wins

# as the app's launcher does: the app's settings for Textual (its frame rate) before Textual
import mistakes.ui  # noqa: E402,F401

# isort: split
import pty_bytes  # noqa: E402
from bare_apps import BareList  # noqa: E402
from search_bench import package_version, percentile, prepare_folder  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Input, OptionList, Static  # noqa: E402

__all__ = ["QUERIES", "main", "run"]

DEFAULT_ENTRIES = 10_000
DEFAULT_SEED = 1234
DEFAULT_REPEAT = 5
SIZE = (80, 24)
OPENS_PER_START = 5
# Typed a character at a time, in the search box.
QUERIES: tuple[str, ...] = ("timeout", "connection refused", "kafka consumer lag", "deadlock")
QUICK_QUERIES: tuple[str, ...] = ("kafka",)
COLD_TYPED = "kafka"
WAIT_S = 60.0  # a single wait for a frame: far beyond any target, so a hang shows as an error
SIMILAR_WAIT_S = 0.8 + 0.3  # the app looks similar entries up 0.8 s after an open
PTY_CHARS = 30
PTY_TEXT = "connection pool exhausted after the deploy of v2.3 "
LOAD_TIMEOUT_S = 3600.0
KEY_BYTES_PREFIXES = ("key_bytes", "bare_key_bytes", "compact_key_bytes")


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    unit: str
    limit: float


TARGETS: tuple[Target, ...] = (
    Target("first_frame_s", "start to first frame, entries listed (median)", "s", 1.0),
    Target("keystroke_p95_ms", "keystroke to results shown, p95", "ms", 50.0),
    Target("open_p95_ms", "open entry (enter to title shown), p95", "ms", 100.0),
    Target("cold_index_first_frame_s", "first frame, no index yet", "s", 1.0),
    Target("first_frame_ratio", "first frame / bare OptionList app", "x", 1.15),
    Target("key_bytes_ratio", "bytes per typed character / bare Input", "x", 1.20),
)


# -- environment ------------------------------------------------------------------------------
def isolate(work: Path) -> dict[str, Path]:
    """Point the user dirs into ``work/xdg`` (before anything asks platformdirs)."""
    xdg = work / "xdg"
    dirs = {
        "XDG_CACHE_HOME": xdg / "cache",
        "XDG_DATA_HOME": xdg / "data",
        "XDG_CONFIG_HOME": xdg / "config",
        "XDG_STATE_HOME": xdg / "state",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(path)
    for name in ("MISTAKES_DIR", "MISTAKES_TEMPLATE", "MISTAKES_CONFIG", "EDITOR", "VISUAL"):
        os.environ.pop(name, None)
    return dirs


# -- frames -----------------------------------------------------------------------------------
class Frames:
    """Times of painted frames, by wrapping an app instance's ``_display``."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.count = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return  # nothing painted
            now = time.perf_counter()
            self.count += 1
            for check, future in list(self._waiters):
                if future.done():
                    continue
                try:
                    ok = check()
                except Exception:  # the widget is not there yet
                    ok = False
                if ok:
                    future.set_result(now)

        app._display = display  # type: ignore[method-assign]

    def expect(self, check: Callable[[], bool]) -> asyncio.Future[float]:
        """Register before acting; await ``until`` for the time of the first frame."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((check, future))
        return future

    async def until(self, future: asyncio.Future[float], timeout: float = WAIT_S) -> float:
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        finally:
            self._waiters = [(c, f) for c, f in self._waiters if f is not future]


class Timed:
    """Durations (ms) and errors of one method of one object, by an instance wrapper."""

    def __init__(self, owner: object, name: str) -> None:
        self.samples: list[float] = []
        self.errors: list[str] = []
        original = getattr(owner, name)
        if asyncio.iscoroutinefunction(original):

            @functools.wraps(original)
            async def awrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                except Exception as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    raise
                finally:
                    self.samples.append((time.perf_counter() - started) * 1000.0)

            setattr(owner, name, awrapper)
        else:

            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                except Exception as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    raise
                finally:
                    self.samples.append((time.perf_counter() - started) * 1000.0)

            setattr(owner, name, wrapper)


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _p(values: Sequence[float], pct: float) -> float:
    return percentile(values, pct) if values else float("nan")


# -- baselines --------------------------------------------------------------------------------
class _BareStatic(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello", id="hello")


class _BareInput(App[None]):
    CSS: ClassVar[str] = "Input { width: 30; }"

    def compose(self) -> ComposeResult:
        yield Input(id="box", compact=True)


async def baseline_first_frame() -> float:
    started = time.perf_counter()
    app = _BareStatic()
    frames = Frames(app)
    async with app.run_test(size=SIZE):
        shown = frames.expect(lambda: bool(app.query("#hello")))
        painted = await frames.until(shown)
    return painted - started


async def baseline_keystrokes(text: str) -> list[float]:
    app = _BareInput()
    frames = Frames(app)
    out: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        box = app.query_one("#box", Input)
        box.focus()
        await pilot.pause()
        for end in range(1, len(text) + 1):
            wanted = text[:end]
            shown = frames.expect(lambda w=wanted: box.value == w)  # type: ignore[misc]
            started = time.perf_counter()
            await pilot.press(_key(text[end - 1]))
            out.append(_ms(await frames.until(shown) - started))
    return out


async def baseline_list_first_frame(root: Path, source: str) -> float:
    """``BareList`` from before it is made (it opens the workspace then, as ``make_app``
    does) until the first frame painted with its entries listed."""
    started = time.perf_counter()
    app = BareList(root, source)
    frames = Frames(app)
    async with app.run_test(size=SIZE):
        listed = frames.expect(lambda: app.query_one("#list", OptionList).option_count > 0)
        painted = await frames.until(listed)
        await app.workers.wait_for_complete()
    return painted - started


def _key(char: str) -> str:
    return "space" if char == " " else char


# -- the app ----------------------------------------------------------------------------------
@dataclass
class Session:
    first_frame_s: float = 0.0
    index_listed_s: float = 0.0  # the first frame listing the index's answer
    keystroke_ms: list[float] = field(default_factory=list)
    keystroke_by_query: dict[str, list[float]] = field(default_factory=dict)
    keystroke_results: list[int] = field(default_factory=list)  # results listed, per key
    final_results: dict[str, int] = field(default_factory=dict)  # per query, whole text
    open_ms: list[float] = field(default_factory=list)
    open_done_ms: list[float] = field(default_factory=list)
    sync_ms: list[float] = field(default_factory=list)
    find_ms: list[float] = field(default_factory=list)
    find_empty_ms: list[float] = field(default_factory=list)
    load_ms: list[float] = field(default_factory=list)
    editor_load_ms: list[float] = field(default_factory=list)
    similar_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _make(root: Path | list[str]) -> Any:
    from mistakes.ui.app import make_app

    return make_app(root)


def _sidebar_state(app: Any) -> tuple[Any, Input, OptionList]:
    sidebar = app.sidebar
    return sidebar, sidebar.search_box, sidebar.results


def _answered(sidebar: Any, box: Input, text: str) -> bool:
    """The sidebar shows the answer to ``text``, which is what the box holds."""
    return bool(
        box.value == text
        and sidebar._shown_generation == sidebar._generation
        and getattr(sidebar, "_shown_query", None) == text
    )


async def app_session(
    root: Path | list[str], queries: Sequence[str], opens: int, first_open: int
) -> Session:
    out = Session()
    started = time.perf_counter()
    app = _make(root)
    frames = Frames(app)
    workspace = app.workspace
    timers = {
        name: Timed(workspace, name) for name in ("sync", "find", "load", "similar", "snippet")
    }

    def listed() -> bool:
        return bool(app.sidebar.results.option_count > 0)

    def from_index() -> bool:  # not the newest entries as the app last listed them
        return listed() and not getattr(app.sidebar, "from_saved", False)

    first = frames.expect(listed)
    indexed = frames.expect(from_index)
    async with app.run_test(size=SIZE) as pilot:
        out.first_frame_s = await frames.until(first) - started
        out.index_listed_s = await frames.until(indexed) - started
        sidebar, box, results = _sidebar_state(app)
        editor = app.editor
        editor_load = Timed(editor, "load")
        await app.workers.wait_for_complete()
        await pilot.pause()

        async def clear_box() -> None:
            if box.value == "" and _answered(sidebar, box, ""):
                return
            cleared = frames.expect(lambda: _answered(sidebar, box, ""))
            box.value = ""
            await frames.until(cleared)
            await app.workers.wait_for_complete()
            await pilot.pause()

        # keystroke to results
        for query in queries:
            await clear_box()
            samples = out.keystroke_by_query.setdefault(query, [])
            for end in range(1, len(query) + 1):
                wanted = query[:end]
                shown = frames.expect(
                    lambda w=wanted: _answered(sidebar, box, w)  # type: ignore[misc]
                )
                started = time.perf_counter()
                await pilot.press(_key(query[end - 1]))
                samples.append(_ms(await frames.until(shown) - started))
                out.keystroke_results.append(results.option_count)
                await app.workers.wait_for_complete()  # a typist slower than the app
            out.keystroke_ms.extend(samples)
            out.final_results[query] = results.option_count

        # open entry: enter on a highlighted result of the newest-entries list
        await clear_box()
        for number in range(opens):
            if app.focused is not box:
                await pilot.press("ctrl+f")
            await clear_box()
            index = (first_open + number) % max(1, results.option_count)
            results.highlighted = index
            await pilot.pause()
            hit = sidebar.hits[index]
            calls: list[float] = []
            original_show_tab = editor.show_tab

            def show_tab(
                tab: int, _original: Any = original_show_tab, _calls: list[float] = calls
            ) -> None:
                _calls.append(time.perf_counter())
                _original(tab)

            editor.show_tab = show_tab

            # the title field, found once (the form is built ahead of the first open): a
            # query per painted frame walked the form's ~700 widgets inside the timed span
            found = editor.query("#field-title")
            known = found.first(Input) if found else None

            def title_shown(title: str = hit.title, known: Input | None = known) -> bool:
                if known is not None and known.is_attached:
                    return known.value == title
                field_ = editor.query("#field-title")
                return bool(field_) and field_.first(Input).value == title

            titled = frames.expect(title_shown)
            done = frames.expect(lambda c=calls: bool(c) and title_shown())  # type: ignore[misc]
            started = time.perf_counter()
            await pilot.press("enter")
            try:
                out.open_ms.append(_ms(await frames.until(titled) - started))
                out.open_done_ms.append(_ms(await frames.until(done) - started))
            except TimeoutError:
                out.errors.append(
                    f"open of {hit.name}: no frame with its title in {WAIT_S:.0f} s "
                    f"(screen {type(app.screen).__name__}, focused {app.focused!r})"
                )
                break
            finally:
                del editor.show_tab
            await asyncio.sleep(SIMILAR_WAIT_S)  # the similar lookup, as after a user's open
            await app.workers.wait_for_complete()
            await pilot.pause()
        out.editor_load_ms = editor_load.samples
        await pilot.press("ctrl+q")
    out.sync_ms = timers["sync"].samples
    find = timers["find"]
    out.find_ms = find.samples
    out.load_ms = timers["load"].samples
    out.similar_ms = timers["similar"].samples
    for timed in timers.values():
        out.errors += timed.errors
    return out


@dataclass
class Cold:
    first_frame_s: float = 0.0
    listed_s: float | None = None
    echo_ms: list[float] = field(default_factory=list)
    seen: list[tuple[float, str]] = field(default_factory=list)  # (s, status/notices shown)
    sync_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    find_calls: int = 0


def _visible_texts(app: Any) -> str:
    """What the sidebar's status line and the notifications say (plain text): where
    indexing progress would show (the top bar shows the folder path only)."""
    parts: list[str] = []
    found = app.query("#status-line")
    if found:
        parts.append(str(found.first(Static).content))
    parts += [str(n.message) for n in getattr(app, "_notifications", [])]
    return " | ".join(p for p in parts if p.strip())


async def cold_session(root: Path, cache: Path, timeout: float) -> Cold:
    out = Cold()
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    warm_cache = os.environ["XDG_CACHE_HOME"]
    os.environ["XDG_CACHE_HOME"] = str(cache)
    try:
        started = time.perf_counter()
        app = _make(root)
        frames = Frames(app)
        sync = Timed(app.workspace, "sync")
        find = Timed(app.workspace, "find")
        first = frames.expect(lambda: bool(app.query("#search")))
        async with app.run_test(size=SIZE) as pilot:
            out.first_frame_s = await frames.until(first) - started
            sidebar, box, results = _sidebar_state(app)

            def note() -> None:
                text = _visible_texts(app)
                if not out.seen or out.seen[-1][1] != text:
                    out.seen.append((time.perf_counter() - started, text))

            # type while the index is built: each key until its echo is painted
            await asyncio.sleep(0.3)
            note()
            for end in range(1, len(COLD_TYPED) + 1):
                wanted = COLD_TYPED[:end]
                echoed = frames.expect(lambda w=wanted: box.value == w)  # type: ignore[misc]
                pressed = time.perf_counter()
                await pilot.press(COLD_TYPED[end - 1])
                out.echo_ms.append(_ms(await frames.until(echoed) - pressed))
                note()
            listed = frames.expect(
                lambda: (
                    sidebar._shown_generation == sidebar._generation and results.option_count > 0
                )
            )
            deadline = time.perf_counter() + timeout
            while not listed.done() and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
                note()
            if listed.done():
                out.listed_s = listed.result() - started
            else:
                out.errors.append(f"entries not listed {timeout:.0f} s after the start")
            note()
            # let every thread finish before the app closes the index
            waited = time.perf_counter()
            while any(w.is_running for w in app.workers) and time.perf_counter() - waited < 120:
                await asyncio.sleep(0.1)
            await pilot.pause()
            note()
            await pilot.press("ctrl+q")
        out.sync_ms = sync.samples
        out.find_calls = len(find.samples)
        out.errors += sync.errors + find.errors
    finally:
        os.environ["XDG_CACHE_HOME"] = warm_cache
    return out


# -- the run ----------------------------------------------------------------------------------
_STARTED = time.perf_counter()


def _say(message: str) -> None:
    elapsed = time.perf_counter() - _STARTED
    print(f"[app_bench {elapsed:6.1f} s] {message}", file=sys.stderr, flush=True)


def _import_s(module: str, samples: int = 3) -> float:
    """Seconds to import ``module`` in a fresh interpreter (median of ``samples``)."""
    code = (
        "import sys, time; sys.path.append(sys.argv[1]); t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    times = []
    for _ in range(samples):
        done = subprocess.run(
            [sys.executable, "-c", code, str(_SRC)], capture_output=True, text=True, check=True
        )
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def warm_index(root: Path | list[str]) -> dict[str, Any]:
    """Build or bring in step the index the app will open (in the bench's cache dir)."""
    from mistakes.services.workspace import Workspace

    workspace = Workspace.open(root)
    started = time.perf_counter()
    try:
        report = workspace.sync()
    finally:
        workspace.close()
    return {
        "warm_s": time.perf_counter() - started,
        "warm_rebuilt": report.rebuilt,
        "warm_added": report.added,
        "warm_updated": report.updated,
        "warm_problems": len(report.problems),
    }


async def _figures(
    root: Path,
    repeat: int,
    queries: Sequence[str],
    opens: int,
    profile: Path | None,
) -> dict[str, Any]:
    """The baselines and the app's figures (everything but the cold index)."""
    out: dict[str, Any] = {}
    _say("baseline: bare App with one Static, and with one Input")
    base_frames = []
    for _ in range(repeat):
        base_frames.append(await baseline_first_frame())
        gc.collect()
    base_keys: list[float] = []
    for _ in range(repeat):
        base_keys += await baseline_keystrokes("connection refused")
    _say("baseline: bare App with one OptionList of the folder's newest entries")
    lists: dict[str, list[float]] = {"index": [], "files": []}
    for _ in range(repeat):
        for source, samples in lists.items():
            samples.append(await baseline_list_first_frame(root, source))
            gc.collect()
    out.update(
        baseline_first_frame_s=statistics.median(base_frames),
        baseline_first_frame_all_s=base_frames,
        baseline_keystroke_p50_ms=_p(base_keys, 50),
        baseline_keystroke_p95_ms=_p(base_keys, 95),
        bare_list_first_frame_s=statistics.median(lists["index"]),
        bare_list_first_frame_all_s=lists["index"],
        bare_list_files_first_frame_s=statistics.median(lists["files"]),
        bare_list_files_first_frame_all_s=lists["files"],
    )

    sessions: list[Session] = []
    profiler = cProfile.Profile() if profile is not None else None
    for number in range(repeat):
        _say(f"app start {number + 1} of {repeat} (load {_load()})")
        if profiler is not None:
            profiler.enable()
        sessions.append(await app_session(root, queries, opens, 1 + number * opens))
        if profiler is not None:
            profiler.disable()
        gc.collect()
    if profiler is not None and profile is not None:
        profiler.dump_stats(str(profile))
        out["profile"] = str(profile)

    def flat(name: str) -> list[float]:
        return [v for s in sessions for v in getattr(s, name)]

    firsts = [s.first_frame_s for s in sessions]
    keys, opened, done = flat("keystroke_ms"), flat("open_ms"), flat("open_done_ms")
    by_query: dict[str, list[float]] = {}
    for s in sessions:
        for query, values in s.keystroke_by_query.items():
            by_query.setdefault(query, []).extend(values)
    per_char: dict[str, list[float]] = {}
    for query, values in by_query.items():
        length = len(query)
        for i, value in enumerate(values):
            per_char.setdefault(query[: i % length + 1], []).append(value)
    slowest = sorted(((statistics.median(v), k) for k, v in per_char.items()), reverse=True)
    find = flat("find_ms")
    counts = [c for s in sessions for c in s.keystroke_results]
    finals: dict[str, list[int]] = {}
    for s in sessions:
        for query, count in s.final_results.items():
            finals.setdefault(query, []).append(count)
    first_frame = statistics.median(firsts)
    indexed = [s.index_listed_s for s in sessions]
    out.update(
        first_frame_s=first_frame,
        first_frame_max_s=max(firsts),
        first_frame_all_s=firsts,
        index_listed_s=statistics.median(indexed),
        index_listed_all_s=indexed,
        first_frame_ratio=first_frame / out["bare_list_first_frame_s"],
        keystroke_p50_ms=_p(keys, 50),
        keystroke_p95_ms=_p(keys, 95),
        keystroke_max_ms=max(keys) if keys else float("nan"),
        keystroke_samples=len(keys),
        # results listed once each key's answer was shown: the keys timed found something
        keystroke_hits=sum(1 for c in counts if c > 0),
        keystroke_empty=sum(1 for c in counts if c == 0),
        keystroke_results_median=statistics.median(counts) if counts else 0,
        keystroke_final_results={q: min(v) for q, v in finals.items()},
        keystroke_by_query_p95_ms={q: _p(v, 95) for q, v in by_query.items()},
        keystroke_slowest_ms=[[text, ms] for ms, text in slowest[:5]],
        open_p50_ms=_p(opened, 50),
        open_p95_ms=_p(opened, 95),
        open_all_ms=opened,
        open_samples=len(opened),
        open_done_p50_ms=_p(done, 50),
        open_done_p95_ms=_p(done, 95),
        # inside the app (instance wrappers): where the time of each figure goes
        startup_sync_ms=[v for s in sessions for v in s.sync_ms],
        find_p50_ms=_p(find, 50),
        find_p95_ms=_p(find, 95),
        find_first_ms=[s.find_ms[0] for s in sessions if s.find_ms],  # the startup listing
        load_p50_ms=_p(flat("load_ms"), 50),
        editor_load_p50_ms=_p(flat("editor_load_ms"), 50),
        editor_load_p95_ms=_p(flat("editor_load_ms"), 95),
        similar_p50_ms=_p(flat("similar_ms"), 50),
        similar_max_ms=max(flat("similar_ms"), default=float("nan")),
        errors=[e for s in sessions for e in s.errors],
    )
    return out


async def _measure(
    root: Path,
    repeat: int,
    queries: Sequence[str],
    opens: int,
    cold: bool,
    cold_timeout: float,
    work: Path,
    profile: Path | None,
) -> dict[str, Any]:
    out = await _figures(root, repeat, queries, opens, profile)
    if cold:
        _say(f"cold index: first frame, then the build in the app (load {_load()})")
        c = await cold_session(root, work / "xdg" / "cache-cold", cold_timeout)
        listed = c.listed_s
        before = [t for s, t in c.seen if listed is None or s < listed]
        out.update(
            cold_index_first_frame_s=c.first_frame_s,
            cold_index_listed_s=listed,
            cold_echo_p50_ms=_p(c.echo_ms, 50),
            cold_echo_max_ms=max(c.echo_ms) if c.echo_ms else float("nan"),
            cold_progress_shown=[t for t in before if t.strip()],
            cold_seen=[[round(s, 2), t] for s, t in c.seen],
            cold_sync_ms=c.sync_ms,
            cold_find_calls=c.find_calls,
            cold_errors=c.errors,
        )
        shutil.rmtree(work / "xdg" / "cache-cold", ignore_errors=True)
    return out


def key_bytes(root: Path, chars: int) -> dict[str, Any]:
    """Bytes per typed character through a pty: the real app's title field, a bare Input."""
    text = (PTY_TEXT * (chars // len(PTY_TEXT) + 1))[:chars]
    xdg = {name: os.environ[name] for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
    import mistakes  # the child runs the same code as the in-process figures

    src = str(Path(mistakes.__file__).resolve().parent.parent)
    xdg["PYTHONPATH"] = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    _say(f"bytes per typed character: the app in a pty (load {_load()})")
    app = pty_bytes.measure_app(root, xdg, text)
    _say("bytes per typed character: a bare Input in a pty")
    bare = pty_bytes.measure_bare_input(text)
    _say("bytes per typed character: a compact Input as wide as the title field, in a pty")
    compact = pty_bytes.measure_bare_input(text, compact=True)
    out = {
        **app.figures("key_bytes"),
        **bare.figures("bare_key_bytes"),
        **compact.figures("compact_key_bytes"),
    }
    out["key_bytes_chars"] = chars
    out["key_bytes_ratio"] = out["key_bytes_median_b"] / out["bare_key_bytes_median_b"]
    return out


class BusyLoop:
    """One CPU-bound child process (a busy loop) beside the measurement. It ends itself
    after ``limit`` seconds, or as soon as the benchmark's process is gone (killed before
    it could end it); ``stop`` ends it and says how much CPU it got."""

    CODE = (
        "import os, sys, time\n"
        "parent = int(sys.argv[2])\n"
        "end = time.monotonic() + float(sys.argv[1])\n"
        "n = 0\n"
        "while True:\n"
        "    n += 1\n"
        "    if n % 200_000 == 0 and (time.monotonic() > end or os.getppid() != parent):\n"
        "        break\n"
    )

    def __init__(self, limit: float) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(limit), str(os.getpid())]
        )

    def stop(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.started
        pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
        ended_itself = pid != 0
        if not ended_itself:
            self.process.terminate()
            pid, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)  # reaped here
        return {
            "busy_wall_s": wall,
            "busy_cpu_s": usage.ru_utime + usage.ru_stime,
            "busy_ended_itself": ended_itself,
        }


def run(
    n: int,
    seed: int = DEFAULT_SEED,
    keep: Path | None = None,
    repeat: int = DEFAULT_REPEAT,
    *,
    cold: bool = True,
    cold_timeout: float = 900.0,
    quick: bool = False,
    profile: Path | None = None,
    load: bool = False,
    load_timeout: float = LOAD_TIMEOUT_S,
    pty_chars: int = PTY_CHARS,
    folders: int = 0,
) -> dict[str, Any]:
    """Every figure of the benchmark, as one dict (what ``--json`` prints). ``folders``:
    only the comparison of one folder with that many folders of the same entries."""
    work = keep.resolve() if keep is not None else Path(tempfile.mkdtemp(prefix="app-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        isolate(work)
        out: dict[str, Any] = {
            "entries": n,
            "seed": seed,
            "repeat": repeat,
            "work_dir": str(work) if keep is not None else None,
            "load_before": _load(),
            "versions": {
                "python": platform.python_version(),
                "textual": package_version("textual"),
                "whoosh": package_version("whoosh-reloaded"),
                "cpus": os.cpu_count(),
            },
        }
        root = work / "folder"
        _say(f"preparing {n:,} entries in {root}")
        paths, reused, generate_s = prepare_folder(root, n, seed)
        if len(paths) != n:
            raise RuntimeError(f"expected {n} entry files, found {len(paths)}")
        out.update(folder_reused=reused, generate_s=generate_s)
        if folders:
            out.update(folders_figures(root, paths, work, folders, repeat, quick))
            out["load_after"] = _load()
            return out
        _say("warming the index")
        out.update(warm_index(root))
        _say("import times (child processes)")
        samples = 1 if quick else 3
        out["import_app_s"] = _import_s("mistakes.ui.app", samples)
        out["import_textual_s"] = _import_s("textual.app", samples)
        queries = QUICK_QUERIES if quick else QUERIES
        opens = 2 if quick else OPENS_PER_START
        started = time.perf_counter()
        out.update(
            asyncio.run(_measure(root, repeat, queries, opens, cold, cold_timeout, work, profile))
        )
        if pty_chars:
            out.update(key_bytes(root, pty_chars))
        out["measure_s"] = time.perf_counter() - started
        out["load_after"] = _load()
        if load:
            _say(f"the same figures with a busy loop beside them (load {_load()})")
            under: dict[str, Any] = {"load_before": _load()}
            started = time.perf_counter()
            busy = BusyLoop(load_timeout)
            try:
                under.update(asyncio.run(_figures(root, repeat, queries, opens, None)))
                if pty_chars and not quick:  # (bytes hardly depend on the load)
                    under.update(key_bytes(root, pty_chars))
            finally:
                under.update(busy.stop())
            under["measure_s"] = time.perf_counter() - started
            under["load_after"] = _load()
            out["load"] = under
        results: dict[str, dict[str, Any]] = {}
        for prefix, figures in (("", out), ("load_", out.get("load", {}))):
            for target in TARGETS:
                value = figures.get(target.key)
                if value is None:
                    continue
                results[prefix + target.key] = {
                    "value": value,
                    "target": target.limit,
                    "ok": value == value and value <= target.limit,  # NaN is a miss
                }
        out["targets"] = results
        lists = ("errors", "cold_errors", *(f"{p}_errors" for p in KEY_BYTES_PREFIXES))
        out["all_errors"] = [
            f"{label}{error}"
            for label, figures in (("", out), ("under load: ", out.get("load", {})))
            for name in lists
            for error in figures.get(name, [])
        ]
        out["all_ok"] = all(r["ok"] for r in results.values()) and not out["all_errors"]
        return out
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


# -- several folders --------------------------------------------------------------------------
def split_folder(paths: Sequence[Path], work: Path, k: int) -> list[Path]:
    """The entries of the one folder spread over ``k`` folders (``team-1/mistakes``, ...;
    entry i goes to folder i mod k), hard links where the file system allows; reused when
    each folder already holds its share."""
    base = work / f"folders-{k}"
    dirs = [base / f"team-{i + 1}" / "mistakes" for i in range(k)]
    shares: list[list[Path]] = [list(paths[i::k]) for i in range(k)]
    for folder, share in zip(dirs, shares, strict=True):
        names = {p.name for p in share}
        if folder.is_dir() and {p.name for p in folder.glob("*.md")} == names:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in share:
            try:
                os.link(path, folder / path.name)
            except OSError:
                shutil.copy2(path, folder / path.name)
    return dirs


def folders_figures(
    root: Path, paths: Sequence[Path], work: Path, k: int, repeat: int, quick: bool
) -> dict[str, Any]:
    """The app on one folder of N entries against the app on ``k`` folders holding the same
    N entries: first frame (entries listed), keystroke to results, open. The two are
    measured in turns (one, several, one, ...) so that a change in the machine's load
    falls on both."""
    dirs = [str(d) for d in split_folder(paths, work, k)]
    _say(f"warming the index of one folder, and of {k} folders")
    out: dict[str, Any] = {"folders": k}
    out["warm_one"] = warm_index(root)
    out["warm_folders"] = warm_index(dirs)
    queries = QUICK_QUERIES if quick else QUERIES[:2]
    sessions: dict[str, list[Session]] = {"one": [], "folders": []}
    for turn in range(repeat):
        for label, target in (("one", root), ("folders", dirs)):
            _say(f"start {turn + 1}/{repeat}: {label}")
            sessions[label].append(asyncio.run(app_session(target, queries, 2, turn)))
            gc.collect()
    for label, done in sessions.items():
        frames = [s.first_frame_s for s in done]
        keys = [v for s in done for v in s.keystroke_ms]
        opens = [v for s in done for v in s.open_ms]
        out[f"{label}_first_frame_s"] = statistics.median(frames)
        out[f"{label}_first_frames_s"] = frames
        out[f"{label}_keystroke_p50_ms"] = _p(keys, 50)
        out[f"{label}_keystroke_p95_ms"] = _p(keys, 95)
        out[f"{label}_open_p95_ms"] = _p(opens, 95) if opens else None
        out[f"{label}_errors"] = [e for s in done for e in s.errors]
    out["folders_first_frame_ratio"] = out["folders_first_frame_s"] / out["one_first_frame_s"]
    out["folders_keystroke_ratio"] = (
        out["folders_keystroke_p50_ms"] / out["one_keystroke_p50_ms"]
        if out["one_keystroke_p50_ms"]
        else None
    )
    return out


def format_folders(out: dict[str, Any]) -> str:
    k = out["folders"]
    lines = [
        f"mistakes app over several folders: {out['entries']:,} entries in one folder, "
        f"then the same entries in {k} folders ({out['repeat']} starts each, in turns)",
        f"{'':44}{'one folder':>12}{f'{k} folders':>12}{'ratio':>8}",
    ]
    rows = [
        ("start to first frame, entries listed (median)", "first_frame_s", "s"),
        ("keystroke to results shown, p50", "keystroke_p50_ms", "ms"),
        ("keystroke to results shown, p95", "keystroke_p95_ms", "ms"),
        ("open entry, p95", "open_p95_ms", "ms"),
    ]
    for label, key, unit in rows:
        one, several = out.get(f"one_{key}"), out.get(f"folders_{key}")
        ratio = f"{several / one:.2f}x" if one and several else "-"
        lines.append(f"{label:44}{_fmt(one, unit):>12}{_fmt(several, unit):>12}{ratio:>8}")
    lines.append(f"load {out['load_before']} before, {out.get('load_after')} after")
    errors = out.get("one_errors", []) + out.get("folders_errors", [])
    lines += [f"error: {e}" for e in errors]
    return "\n".join(lines)


# -- the report -------------------------------------------------------------------------------
def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "B":
        return f"{value:.0f} B"
    return f"{value:.2f} s" if unit == "s" else f"{value:.1f} ms"


def _unit(key: str) -> str:
    return "x" if key.endswith("_ratio") else "s" if key.endswith("_s") else "ms"


def _table(f: dict[str, Any], targets: dict[str, Any], prefix: str) -> list[str]:
    """The figures of one run (idle, or under load) with baselines and targets."""
    lines = [f"  {'figure':<46} {'value':>10} {'baseline':>10}   target"]

    def row(label: str, value: str, base: str = "", key: str | None = None) -> None:
        text = f"  {label:<46} {value:>10} {base:>10}"
        if key is not None and prefix + key in targets:
            result = targets[prefix + key]
            verdict = "PASS" if result["ok"] else "MISS"
            text += f"   <= {_fmt(result['target'], _unit(key))}  {verdict}"
        lines.append(text)

    row(
        "start to first frame, entries listed (median)",
        _fmt(f["first_frame_s"], "s"),
        _fmt(f["bare_list_first_frame_s"], "s"),
        "first_frame_s",
    )
    row(
        "  / bare OptionList app listing the folder",
        _fmt(f["first_frame_ratio"], "x"),
        "",
        "first_frame_ratio",
    )
    row("  bare app with one Static", "", _fmt(f["baseline_first_frame_s"], "s"))
    row(
        "  bare OptionList app, titles read from files",
        "",
        _fmt(f["bare_list_files_first_frame_s"], "s"),
    )
    row("  worst start", _fmt(f["first_frame_max_s"], "s"))
    if "index_listed_s" in f:
        row("  the index's own listing shown (median)", _fmt(f["index_listed_s"], "s"))
    row(
        "keystroke to results shown, p50",
        _fmt(f["keystroke_p50_ms"], "ms"),
        _fmt(f["baseline_keystroke_p50_ms"], "ms"),
    )
    row(
        "keystroke to results shown, p95",
        _fmt(f["keystroke_p95_ms"], "ms"),
        _fmt(f["baseline_keystroke_p95_ms"], "ms"),
        "keystroke_p95_ms",
    )
    row(
        "  keys with results listed / without",
        f"{f['keystroke_hits']}/{f['keystroke_empty']}",
    )
    row("open entry (enter to title shown), p50", _fmt(f["open_p50_ms"], "ms"))
    row("open entry (enter to title shown), p95", _fmt(f["open_p95_ms"], "ms"), "", "open_p95_ms")
    row(
        "open, form complete, p50 / p95",
        f"{f['open_done_p50_ms']:.0f}/{f['open_done_p95_ms']:.0f}",
    )
    if "key_bytes_median_b" in f:
        row(
            "bytes per typed character (title field), med",
            _fmt(f["key_bytes_median_b"], "B"),
            _fmt(f["bare_key_bytes_median_b"], "B"),
        )
        row(
            "  p95",
            _fmt(f["key_bytes_p95_b"], "B"),
            _fmt(f["bare_key_bytes_p95_b"], "B"),
        )
        row("  / bare Input (medians)", _fmt(f["key_bytes_ratio"], "x"), "", "key_bytes_ratio")
        if "compact_key_bytes_median_b" in f:
            row(
                "  compact Input as wide as the field, med/p95",
                "",
                f"{f['compact_key_bytes_median_b']:.0f}/{f['compact_key_bytes_p95_b']:.0f} B",
            )
    return lines


def format_report(out: dict[str, Any]) -> str:
    v = out["versions"]
    made = "reused" if out["folder_reused"] else f"written in {out['generate_s']:.1f} s"
    targets = out["targets"]
    lines = [
        f"mistakes app benchmark: {out['entries']:,} entries (seed {out['seed']}, folder {made});"
        f" index warmed in {out['warm_s']:.1f} s"
        f" ({'rebuilt' if out['warm_rebuilt'] else 'in step'})",
        f"python {v['python']}, textual {v['textual']}, whoosh-reloaded {v['whoosh']},"
        f" {v['cpus']} CPUs; {out['repeat']} starts, {out['keystroke_samples']} keystrokes,"
        f" {out['open_samples']} opens per set",
        "",
        f"Idle (load average {out['load_before']} -> {out['load_after']})",
        *_table(out, targets, ""),
    ]
    if "cold_index_first_frame_s" in out:
        lines += [
            f"  {'first frame, no index yet':<46} {_fmt(out['cold_index_first_frame_s'], 's'):>10}"
            f" {_fmt(out['baseline_first_frame_s'], 's'):>10}   <= 1.00 s  "
            + ("PASS" if targets["cold_index_first_frame_s"]["ok"] else "MISS"),
            f"  {'  no index yet: entries listed after':<46}"
            f" {_fmt(out['cold_index_listed_s'], 's'):>10}",
            f"  {'  no index yet: key echo while indexing, max':<46}"
            f" {_fmt(out['cold_echo_max_ms'], 'ms'):>10}",
        ]
        shown = out["cold_progress_shown"]
        lines.append(
            f"  {'  progress shown while indexing':<46} "
            f"{'yes' if shown else 'NO':>10}   {shown[:2] if shown else ''}"
        )
    under = out.get("load")
    if under is not None:
        busy = f"{under['busy_cpu_s']:.0f} s CPU in {under['busy_wall_s']:.0f} s"
        lines += [
            "",
            f"Under load: one busy-loop process beside the app ({busy});"
            f" load average {under['load_before']} -> {under['load_after']}",
            *_table(under, targets, "load_"),
        ]
    lines += [
        "",
        "Inside the app (idle; instance wrappers; thread workers unless noted)",
        f"  python imports: mistakes.ui.app {out['import_app_s']:.2f} s,"
        f" textual.app {out['import_textual_s']:.2f} s (child processes; not in the figures)",
        f"  startup sync (no change) ms: {', '.join(f'{x:.0f}' for x in out['startup_sync_ms'])}",
        f"  startup listing find('') ms: {', '.join(f'{x:.0f}' for x in out['find_first_ms'])}",
        f"  search find() p50 {out['find_p50_ms']:.1f} ms, p95 {out['find_p95_ms']:.1f} ms",
        "  slowest keystrokes (median ms): "
        + ", ".join(f"{t!r} {ms:.0f}" for t, ms in out["keystroke_slowest_ms"]),
        f"  results for each whole query: {out['keystroke_final_results']}",
        f"  open: file load p50 {out['load_p50_ms']:.1f} ms; EntryEditor.load (event loop)"
        f" p50 {out['editor_load_p50_ms']:.0f} ms, p95 {out['editor_load_p95_ms']:.0f} ms;"
        f" similar lookup p50 {out['similar_p50_ms']:.0f} ms, max {out['similar_max_ms']:.0f} ms",
    ]
    if "cold_seen" in out:
        lines.append(f"  no index yet: sync in the app {out['cold_sync_ms']} ms")
        for when, text in out["cold_seen"][:6]:
            lines.append(f"    at {when:6.2f} s the app shows: {text[:90]!r}")
    for name, key in (
        ("the app", "key_bytes_rewrites"),
        ("bare Input", "bare_key_bytes_rewrites"),
        ("compact Input", "compact_key_bytes_rewrites"),
    ):
        if key in out:
            lines.append(f"  one typed character rewrites ({name}; row, column: bytes):")
            for place in out[key]:
                lines.append(
                    f"    row {place['rows']:>5}, col {place['column']:>2}: {place['bytes']:>4} B"
                    f"  {place['text']!r}"
                )
    for error in out["all_errors"]:
        lines.append(f"error: {error}")
    failed = [k for k, r in targets.items() if not r["ok"]]
    lines.append("")
    lines.append("all targets met" if not failed else f"missed: {', '.join(failed)}")
    return "\n".join(lines)


# -- command line -----------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="app_bench.py", description="Benchmark the mistakes app, headless."
    )
    parser.add_argument("--entries", "-n", type=int, default=DEFAULT_ENTRIES)
    parser.add_argument("--dir", type=Path, default=None, help="work in DIR and keep it")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="app starts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-cold", action="store_true", help="skip the no-index start")
    parser.add_argument("--cold-timeout", type=float, default=900.0, metavar="SECONDS")
    parser.add_argument(
        "--quick", action="store_true", help="one query, two opens per start, one import sample"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="FILE",
        help="cProfile of the app starts (event loop thread) into FILE",
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="measure again with one CPU-bound process beside the app (same run)",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=LOAD_TIMEOUT_S,
        metavar="SECONDS",
        help="the busy process ends itself after this long at the latest",
    )
    parser.add_argument(
        "--pty-chars",
        type=int,
        default=PTY_CHARS,
        metavar="N",
        help="characters typed for the bytes-per-character figure (0: skip it)",
    )
    parser.add_argument(
        "--folders",
        type=int,
        default=0,
        metavar="K",
        help="only compare the app on one folder with the app on the same entries split "
        "over K folders (first frame, keystroke, open)",
    )
    args = parser.parse_args(argv)
    if args.folders == 1 or args.folders < 0:
        parser.error("--folders takes 2 or more")
    if args.entries < 1 or args.repeat < 1:
        parser.error("--entries and --repeat must be at least 1")
    if args.pty_chars < 0 or args.load_timeout <= 0:
        parser.error("--pty-chars must be at least 0 and --load-timeout positive")
    out = run(
        args.entries,
        args.seed,
        args.dir,
        args.repeat,
        cold=not args.no_cold,
        cold_timeout=args.cold_timeout,
        quick=args.quick,
        profile=args.profile,
        load=args.load,
        load_timeout=args.load_timeout,
        pty_chars=args.pty_chars,
        folders=args.folders,
    )
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(format_folders(out) if args.folders else format_report(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
