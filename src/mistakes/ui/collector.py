"""Python's cyclic garbage collector, run while the user waits for nothing.

Left to itself, a young-generation pass runs whenever enough objects were made, wherever
that is: in the middle of an open (7-9 ms in every first open at 10,000 entries, 11 ms an
open on average at 50,000) or of a keystroke's frame. From the app's mount the objects
that live as long as it does (the modules, its widgets, later the built form) are frozen
(never walked again), automatic collection is switched off, and a timer collects when no
key or paste came for a moment, or at once when a long burst of work has made too much.
Reference counting still frees everything that is not a cycle.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

QUIET_SECONDS = 0.15  # no key or paste this long: a collection delays nobody
WORTH = 2_000  # young objects before a quiet collection is worth its time
FORCED = 100_000  # young objects: collected even while the user types (~30-50 ms)
FULL_EVERY_SECONDS = 60.0  # a full pass (all but the frozen objects) at most this often


class IdleCollector:
    """Collects cyclic garbage when the user is not waiting; ``stop`` switches Python's own
    collection back on as it was (the app's exit; tests run many apps in one process)."""

    def __init__(
        self, last_input: Callable[[], float], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._last_input = last_input  # when the last key or paste came (on ``clock``)
        self._clock = clock
        self._was: tuple[bool, tuple[int, int, int]] | None = None
        self._last_full = clock()
        self.collections = 0  # (tests and benchmarks read these)
        self.forced = 0

    @property
    def running(self) -> bool:
        return self._was is not None

    def start(self) -> None:
        if self._was is not None:
            return
        self._was = (gc.isenabled(), gc.get_threshold())
        gc.freeze()  # the modules and the app's widgets live as long as it does
        gc.disable()
        self._last_full = self._clock()

    def freeze(self) -> None:
        """Objects made so far live as long as the app (the built form): never walk them."""
        if self._was is not None:
            gc.freeze()

    def tick(self) -> None:
        """Called a few times a second (a timer on the event loop)."""
        if self._was is None:
            return
        young = gc.get_count()[0]
        now = self._clock()
        quiet = now - self._last_input() >= QUIET_SECONDS
        if young >= FORCED:
            self.forced += 1
        elif not (quiet and young >= WORTH):
            return
        if quiet and now - self._last_full >= FULL_EVERY_SECONDS:
            gc.collect()  # cycles that outlived two young passes before they became garbage
            self._last_full = now
        else:
            gc.collect(1)
        self.collections += 1

    def stop(self) -> None:
        if self._was is None:
            return
        enabled, thresholds = self._was
        self._was = None
        # the frozen objects stay frozen: unfrozen, a later app in the same process (tests,
        # the benchmark) paid for walking them in 100-300 ms full passes
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()
