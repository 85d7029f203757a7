"""The idle garbage collector: Python's cyclic collection is off while the app runs and is
done when no key came for a moment (or at once past a limit); the app's exit puts it back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mistakes.ui import collector as collector_module
from mistakes.ui.collector import IdleCollector


@pytest.fixture(autouse=True)
def gc_as_it_was() -> Iterator[None]:
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()
    else:
        gc.disable()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.last_key = 1000.0

    def __call__(self) -> float:
        return self.now


def made(clock: Clock) -> IdleCollector:
    return IdleCollector(lambda: clock.last_key, clock)


def cycles(count: int) -> None:
    """``count`` young objects that only the cyclic collector can free."""
    for _ in range(count // 2):
        a: list[object] = []
        b: list[object] = [a]
        a.append(b)


def test_it_collects_only_when_the_user_waits_for_nothing() -> None:
    clock = Clock()
    collector = made(clock)
    gc.enable()
    collector.start()
    assert collector.running and not gc.isenabled()
    cycles(collector_module.WORTH * 2)
    collector.tick()  # a key was just pressed: nothing is done
    assert collector.collections == 0
    clock.now += collector_module.QUIET_SECONDS + 0.01  # quiet now: the cycles are collected
    collector.tick()
    assert collector.collections == 1
    assert gc.get_count()[0] < collector_module.WORTH
    collector.tick()  # too little left to be worth a pass
    assert collector.collections == 1
    collector.stop()
    assert gc.isenabled() and not collector.running


def test_a_long_burst_is_collected_even_while_keys_come(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    collector = made(clock)
    monkeypatch.setattr(collector_module, "FORCED", 5_000)
    collector.start()
    cycles(6_000)
    collector.tick()
    assert (collector.collections, collector.forced) == (1, 1)
    assert gc.get_count()[0] < 1_000
    collector.stop()


def test_stop_puts_pythons_collection_back_as_it_was() -> None:
    clock = Clock()
    gc.set_threshold(1234, 5, 6)
    gc.disable()  # (a host that had switched it off: it stays off)
    collector = made(clock)
    collector.start()
    collector.stop()
    assert gc.get_threshold() == (1234, 5, 6) and not gc.isenabled()
    gc.enable()
    collector.start()
    collector.stop()
    assert gc.isenabled()
    collector.tick()  # stopped: does nothing
    assert collector.collections == 0


def test_a_full_pass_at_most_once_a_minute_and_only_when_quiet() -> None:
    clock = Clock()
    collector = made(clock)
    generations: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        collector.start()
        for _ in range(3):
            cycles(collector_module.WORTH * 2)
            clock.now += 1.0
            collector.tick()
        clock.now += collector_module.FULL_EVERY_SECONDS
        cycles(collector_module.WORTH * 2)
        collector.tick()
        collector.stop()
    finally:
        gc.callbacks.remove(seen)
    assert generations == [1, 1, 1, 2]


async def test_the_app_runs_it_and_puts_collection_back_at_exit(build) -> None:  # type: ignore[no-untyped-def]
    from .conftest import SIZE, settle, started

    gc.enable()
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await settle(app, pilot)
        assert app.collector.running  # from the mount
        assert not gc.isenabled()
        await pilot.press("ctrl+q")
    assert gc.isenabled() and not app.collector.running
