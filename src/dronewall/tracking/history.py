"""The stored history of track posteriors that late reports are re-filtered from
(``retrodiction``).

A deque of chunks, one per ``record`` call, in record order: posteriors copied from the store's
rows (no Python object per track) and the batch the reports came from (a reference, not a
copy). Chunks older than ``history_s`` are dropped from the front, and from the front again
while more than ``max_entries`` posteriors are held, so memory is bounded by both. A track's
live entries are always in the same order in time as in record order (a replay records its new
posteriors after everything it supersedes), so dropping from the front removes a prefix of every
track's history and re-filtering never skips a report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ReportBatch

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Ten seconds of posteriors: links and feeds that stall for a few seconds (a reconnecting site
# link, a receiver's buffered burst) deliver reports 3–8 s late, past the 2 s reorder window;
# and a confirmed track dies after 10 s without an update (TrackerConfig.coast_timeout_s), so a
# report later than that would often find its track gone anyway.
HISTORY_S = 10.0
# At most this many posteriors (each 1 KB with three models): 10,000 tracks updated at 1 Hz
# for 10 s. Beyond it the oldest go first and the history covers less than HISTORY_S.
MAX_ENTRIES = 100_000


@dataclass(slots=True)
class _Chunk:
    """The posteriors one ``record`` call saw, and the reports that made them."""

    track_id: IntArray
    t: FloatArray
    x: FloatArray  # (k, M, 6)
    P: FloatArray  # (k, M, 6, 6)
    mu: FloatArray  # (k, M)
    batch: ReportBatch
    rows: IntArray  # row in ``batch`` of the report that made each posterior
    alive: BoolArray  # False once superseded by a replay


@dataclass(frozen=True, slots=True)
class Entries:
    """A flat view of live history entries: which chunk and row each is, in record order."""

    track_id: IntArray
    t: FloatArray
    sensor: IntArray
    chunk: IntArray
    row: IntArray


class History:
    """Posteriors of the tracks, for ``history_s`` seconds and at most ``max_entries``."""

    def __init__(self, history_s: float = HISTORY_S, max_entries: int = MAX_ENTRIES):
        if history_s < 0 or max_entries < 0:
            raise ValueError(f"history must not be negative: {history_s} s, {max_entries}")
        self.history_s = history_s
        self.max_entries = max_entries
        self.latest = -np.inf  # the latest posterior time recorded
        self._chunks: deque[_Chunk] = deque()
        self._size = 0
        self._view: Entries | None = None

    def __len__(self) -> int:
        return self._size

    def nbytes(self) -> int:
        """Memory held by the stored posteriors (the batches are shared with the tracker)."""
        return sum(c.x.nbytes + c.P.nbytes + c.mu.nbytes + c.t.nbytes for c in self._chunks)

    def add(
        self,
        track_id: IntArray,
        t: FloatArray,
        state: tuple[FloatArray, FloatArray, FloatArray],
        batch: ReportBatch,
        rows: IntArray,
    ) -> None:
        """Keep posteriors ``state`` = (x, P, mu) of tracks ``track_id`` at times ``t``, made
        by ``batch``'s ``rows``. The arrays are kept as given: pass copies."""
        if track_id.size == 0 or self.history_s == 0 or self.max_entries == 0:
            return
        x, P, mu = state
        alive = np.ones(track_id.size, bool)
        self._chunks.append(_Chunk(track_id, t, x, P, mu, batch, rows, alive))
        self._size += track_id.size
        self.latest = max(self.latest, float(t.max()))
        self._view = None
        self._expire()

    def _expire(self) -> None:
        horizon = self.latest - self.history_s
        chunks = self._chunks
        while chunks and (float(chunks[0].t.max()) < horizon or self._size > self.max_entries):
            self._size -= chunks.popleft().track_id.size

    def supersede(self, entries: Entries, which: IntArray) -> None:
        """Mark entries (indices into ``entries``) as replaced by a replay."""
        for c in np.unique(entries.chunk[which]):
            self._chunks[int(c)].alive[entries.row[which][entries.chunk[which] == c]] = False
        self._view = None

    def entries(self) -> Entries:
        """Every live entry, in record order (cached until the history changes)."""
        if self._view is None:
            self._view = self._flatten()
        return self._view

    def _flatten(self) -> Entries:
        chunks = list(self._chunks)
        if not chunks:
            z = np.zeros(0, np.int64)
            return Entries(z, np.zeros(0), z, z, z)
        alive = np.concatenate([c.alive for c in chunks])
        sizes = np.array([c.alive.size for c in chunks])
        return Entries(
            np.concatenate([c.track_id for c in chunks])[alive],
            np.concatenate([c.t for c in chunks])[alive],
            np.concatenate([c.batch.sensor_index[c.rows] for c in chunks]).astype(np.int64)[alive],
            np.repeat(np.arange(len(chunks)), sizes)[alive],
            np.concatenate([np.arange(s) for s in sizes])[alive],
        )

    def posteriors(
        self, entries: Entries, which: IntArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(x, P, mu, t) of the given entries, in that order."""
        x = self._gather(entries, which, lambda c, r: c.x[r])
        P = self._gather(entries, which, lambda c, r: c.P[r])
        mu = self._gather(entries, which, lambda c, r: c.mu[r])
        return x, P, mu, entries.t[which]

    def reports(self, entries: Entries, which: IntArray) -> ReportBatch:
        """The reports that made the given entries, as one batch in that order."""
        if which.size == 0:
            return ReportBatch.empty()
        chunk = entries.chunk[which]
        order = np.argsort(chunk, kind="stable")
        parts = [
            self._chunks[int(c)].batch.take(
                self._chunks[int(c)].rows[entries.row[which[order][chunk[order] == c]]]
            )
            for c in np.unique(chunk)
        ]
        return ReportBatch.concat(parts).take(_inverse(order))

    def _gather(
        self, entries: Entries, which: IntArray, get: Callable[[_Chunk, IntArray], FloatArray]
    ) -> FloatArray:
        """One column of the given entries, gathered chunk by chunk, in the order asked."""
        chunk = entries.chunk[which]
        order = np.argsort(chunk, kind="stable")
        parts = [
            get(self._chunks[int(c)], entries.row[which[order][chunk[order] == c]])
            for c in np.unique(chunk)
        ]
        return np.concatenate(parts)[_inverse(order)]


def _inverse(order: IntArray) -> IntArray:
    back = np.empty_like(order)
    back[order] = np.arange(order.size)
    return back
