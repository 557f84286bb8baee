"""What a store keeps and how it is asked: the ``Store`` protocol, with SQLite (the default,
embedded) and PostgreSQL implementations. One writer (the pipeline's store stage) and any
number of readers (the server's request handlers) may use a store from different threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from dronewall.assess import AlertEvent
from dronewall.core.types import ReportBatch
from dronewall.store.frame import PictureFrame

if TYPE_CHECKING:  # retention.py reads runs through rows.py, which imports this module
    from dronewall.store.audit import AuditLog
    from dronewall.store.retention import RetentionPolicy, RetentionResult


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One recorded run of the pipeline. Times ``t_start``/``t_end`` are data time (POSIX s);
    ``wall_started`` is when it was recorded; ``t_end`` is NaN while the run is live."""

    run_id: str
    source: str  # e.g. "simulation:copenhagen-2025-09", "replay:<run_id>", "sapient"
    t_start: float
    t_end: float
    wall_started: float
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """An operator's action on an alert, as recorded (``t`` is data time)."""

    t: float
    alert_id: int
    action: str  # "acknowledge", "engage" or "clear"
    operator: str
    note: str
    wall_time: float


@dataclass(frozen=True, slots=True)
class TrackHistory:
    """One track over time: ``rows`` holds its recorded rows, ``times[i]`` the time of row i
    (``rows.t`` is the last of them)."""

    track_id: int
    times: npt.NDArray[np.float64]
    rows: PictureFrame


@dataclass(frozen=True, slots=True)
class RawMessage:
    """Bytes a live feed received (one datagram, one read, one MQTT message), as received."""

    feed: str  # the feed's name
    t_receive: float  # wall time, POSIX seconds
    peer: str  # who sent it ("host:port", an MQTT topic)
    data: bytes


class Store(Protocol):
    def audit_log(self) -> AuditLog:
        """The store's append-only, hash-chained audit log (``audit.py``)."""
        ...

    def start_run(self, run: RunInfo) -> None: ...

    def end_run(self, run_id: str, t_end: float) -> None: ...

    def add_reports(self, run_id: str, reports: ReportBatch) -> None: ...

    def add_raw(self, run_id: str, messages: Sequence[RawMessage]) -> None: ...

    def raw(
        self, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> list[RawMessage]: ...  # t0 <= t_receive < t1, in the order received

    def add_frame(self, run_id: str, frame: PictureFrame) -> None: ...

    def add_events(self, run_id: str, events: Sequence[AlertEvent]) -> None: ...

    def add_action(self, run_id: str, action: ActionRecord) -> None: ...

    def runs(self) -> list[RunInfo]: ...

    def run(self, run_id: str) -> RunInfo: ...  # raises NotFoundError

    def frame_times(self, run_id: str) -> list[float]: ...

    def frame_at(self, run_id: str, t: float) -> PictureFrame | None:
        """The latest frame at or before ``t`` (None before the first)."""
        ...

    def frames(
        self, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> Iterator[PictureFrame]: ...

    def track_history(
        self, run_id: str, track_id: int, t0: float | None = None, t1: float | None = None
    ) -> TrackHistory:
        """Every recorded row of one track with ``t0 <= t <= t1``, in time order."""
        ...

    def reports(self, run_id: str, t0: float | None = None, t1: float | None = None) -> ReportBatch:
        """Recorded reports with ``t0 <= t_arrival < t1``, in arrival order."""
        ...

    def events(
        self, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> list[AlertEvent]: ...

    def actions(self, run_id: str) -> list[ActionRecord]: ...

    def apply_retention(
        self, policy: RetentionPolicy, now: float, *, stop: threading.Event | None = None
    ) -> RetentionResult:
        """Thin and delete old frames and raw messages as ``policy`` says, at wall time
        ``now`` (``retention.py``); ``stop`` set ends it between two short transactions."""
        ...

    def close(self) -> None: ...
