"""Injected time. Code that needs "now" takes a ``Clock``; tests and simulations use
``ManualClock`` so that runs are deterministic. Times are POSIX seconds (UTC) as ``float``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time in POSIX seconds (UTC)."""

    def now(self) -> float: ...


class SystemClock:
    """The machine's wall clock."""

    def now(self) -> float:
        return time.time()


@dataclass(slots=True)
class ManualClock:
    """A clock that only moves when told to: for tests, simulation and replay."""

    current: float = 0.0

    def now(self) -> float:
        return self.current

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (asked {seconds} s)")
        self.current += seconds

    def set(self, when: float) -> None:
        if when < self.current:
            raise ValueError(f"a clock cannot go backwards ({when} < {self.current})")
        self.current = when
