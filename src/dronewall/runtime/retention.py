"""The store's retention applied while the server runs (issue #13 item 3; ``docs/live-api.md``,
"Retention"): once at start, then every ``interval_s``, on a thread of its own so that the
pipeline and the server never wait for it. What a pass deletes is counted in ``/metrics``.

A pass works in short transactions (``store/retention.py``), so the pipeline's store stage,
writing to the same store, waits at most one of them; ``stop`` ends a pass between two.
A pass that fails (the database away) is logged and counted, and the next one tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge

from dronewall.core.errors import DronewallError
from dronewall.store import RetentionPolicy, RetentionResult, Store

log = logging.getLogger(__name__)

INTERVAL_S = 600.0  # ten minutes of frames (~23 MB in the demo) thinned per pass, in seconds


class RetentionMetrics:
    def __init__(self, registry: CollectorRegistry):
        r = registry
        self.deleted = Counter(
            "dronewall_retention_deleted",
            "Rows retention deleted, by table",
            ["table"],
            registry=r,
        )
        self.passes = Counter("dronewall_retention_passes", "Retention passes run", registry=r)
        self.errors = Counter(
            "dronewall_retention_errors", "Retention passes that failed", registry=r
        )
        self.released = Counter(
            "dronewall_retention_released_bytes",
            "Bytes retention gave back to the file system",
            registry=r,
        )
        self.seconds = Gauge(
            "dronewall_retention_pass_seconds", "Wall time the last retention pass took", registry=r
        )

    def count(self, result: RetentionResult, seconds: float) -> None:
        for table in ("frames", "frame_rows", "raw", "reports"):
            self.deleted.labels(table).inc(getattr(result, table))
        self.released.inc(result.released_bytes)
        self.passes.inc()
        self.seconds.set(seconds)


class RetentionTask:
    """Applies ``policy`` to ``store`` at start and every ``interval_s`` (wall clock ``clock``),
    counting in ``registry``. ``last`` is the last pass's result (None before the first)."""

    def __init__(
        self,
        store: Store,
        policy: RetentionPolicy,
        *,
        interval_s: float = INTERVAL_S,
        registry: CollectorRegistry | None = None,
        clock: Callable[[], float] = time.time,
    ):
        if not interval_s > 0:
            raise ValueError(f"interval_s must be positive, not {interval_s}")
        self.store = store
        self.policy = policy
        self.interval_s = interval_s
        self.metrics = RetentionMetrics(registry or CollectorRegistry(auto_describe=True))
        self.clock = clock
        self.last: RetentionResult | None = None
        self.passes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="dronewall-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the loop, and a pass in progress between two of its transactions."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not (self._thread is not None and self._thread.is_alive())

    def run_once(self) -> RetentionResult | None:
        """One pass now; None when it failed (logged and counted)."""
        started = time.perf_counter()
        try:
            result = self.store.apply_retention(self.policy, self.clock(), stop=self._stop)
        except DronewallError:
            log.exception("retention pass failed")
            self.metrics.errors.inc()
            return None
        seconds = time.perf_counter() - started
        self.metrics.count(result, seconds)
        self.last = result
        self.passes += 1
        if result.frames or result.raw or result.reports:
            log.info("retention: %s in %.1f s", result, seconds)
        return result

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval_s)
