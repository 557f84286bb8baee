"""Garbage collection kept off the latency path.

CPython's cyclic collector runs when allocations cross its thresholds, wherever the program
happens to be. At 10,000 tracks a full (oldest-generation) collection walked every object the
process holds — the imported modules, the world, the picture — and took up to 160 ms, in the
middle of a scan or a fan-out (measured, docs/live-api.md). The pipeline therefore

* freezes what exists when it starts (``gc.freeze``: modules, world, zones), so that no
  collection walks it again, and thaws it when it ends (so that what a finished run leaves
  in reference cycles can still be freed), and
* runs the full collection itself when it is idle — after a step, with no batch waiting — at
  most every ``every_s`` seconds, so that the automatic one rarely has a reason to run.

Automatic collection stays on: under sustained overload, with no idle moment, CPython
collects as it always does.
"""

from __future__ import annotations

import gc
import time


def freeze() -> None:
    """Move every object alive now out of the collector's sight (it stays alive as before)."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Undo ``freeze``: frozen objects are collectable again (at the next full collection)."""
    gc.unfreeze()


class IdleCollector:
    """``idle()`` between steps: a full collection when ``every_s`` has passed since the last."""

    def __init__(self, every_s: float = 2.0):
        self.every_s = every_s
        self.collections = 0
        self.seconds = 0.0
        self._last = time.monotonic()

    def idle(self) -> float | None:
        """Collect if it is time; the seconds it took, or None when it was not time."""
        now = time.monotonic()
        if now - self._last < self.every_s:
            return None
        gc.collect()
        self._last = time.monotonic()
        self.collections += 1
        self.seconds += self._last - now
        return self._last - now
