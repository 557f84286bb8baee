"""The live sensor table: every sensor any feed has told of, its row (``sensor_index``) in the
``SensorGeometry`` the tracker reads, what is known of it and how healthy it is.

A sensor is named by its feed and its key within the feed (``("radar-north", "25/10")``). Rows
are never removed or reordered while a run lives, so a ``sensor_index`` in a recorded report
keeps its meaning. Position, kind and range come from the feeds file (``declare``) or from the
sensor itself (a SAPIENT registration, an MQTT register message, an ASTERIX CAT034 position);
the latest known value wins. Health is computed from what the table is told: reports counted
per second, the last report, rejects, and the sensor's own status messages.

Pure bookkeeping: no I/O, no clock of its own (times are passed in). Thread-safe: feeds write
from their event loop while the pipeline and the server read.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import SecurityLabel, default_label
from dronewall.core.tracks import FloatArray, SensorGeometry
from dronewall.core.types import SensorKind, sensor_kind_name
from dronewall.sensors.feed import SensorInfo, SensorStatus

STALE_AFTER_S = 10.0  # a sensor silent this long is stale (most report at 1 Hz or faster)
RATE_WINDOW_S = 60.0  # reports per second are averaged over this window


@dataclass(slots=True)
class SensorHealth:
    """A sensor's row of the table, as the operator sees it."""

    feed: str
    info: SensorInfo
    index: int
    first_heard: float = math.nan
    last_report: float = math.nan  # wall time of the latest report
    last_heard: float = math.nan  # wall time of the latest message of any kind
    reports: int = 0
    rejects: int = 0
    status_ok: bool | None = None  # what the sensor last said of itself (None: never said)
    status_detail: str = ""
    recent: deque[tuple[float, int]] = field(default_factory=deque)  # (wall second, reports)

    def state(self, now: float, stale_after_s: float = STALE_AFTER_S) -> str:
        """ "ok", "stale" (silent too long), "offline" (said so, or its will said so), "fault"
        (its status says so) or "waiting" (declared, never heard)."""
        if self.status_ok is False and "offline" in self.status_detail:
            return "offline"
        if math.isnan(self.last_heard):
            return "waiting"
        if now - self.last_heard > stale_after_s:
            return "stale"
        return "fault" if self.status_ok is False else "ok"

    def rate(self, now: float) -> float:
        while self.recent and self.recent[0][0] < now - RATE_WINDOW_S:
            self.recent.popleft()
        if not self.recent:
            return 0.0
        span = max(1.0, min(RATE_WINDOW_S, now - self.first_heard))
        return sum(n for _, n in self.recent) / span


class SensorTable:
    """Sensors by (feed, key), each with a stable row of the tracker's sensor geometry."""

    def __init__(self, stale_after_s: float = STALE_AFTER_S) -> None:
        self.stale_after_s = stale_after_s
        self._rows: list[SensorHealth] = []
        self._by_key: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._geometry: SensorGeometry | None = None
        # Each feed's label for its sensors that declare none (core.release; set before the
        # feed's first sensor): unknown feeds get ``default_label()``.
        self.feed_labels: dict[str, SecurityLabel] = {}

    def __len__(self) -> int:
        return len(self._rows)

    # ---- writing -----------------------------------------------------------------------
    def declare(self, feed: str, info: SensorInfo) -> int:
        """Add a sensor or update what is known of it (finite or non-empty fields win);
        its index."""
        with self._lock:
            index = self._by_key.get((feed, info.key))
            if index is None:
                index = len(self._rows)
                self._rows.append(SensorHealth(feed, info, index))
                self._by_key[(feed, info.key)] = index
                self._geometry = None
                return index
            row = self._rows[index]
            merged = _merge(row.info, info)
            if merged != row.info:
                row.info = merged
                self._geometry = None
            return index

    def index(self, feed: str, key: str, kind: SensorKind) -> int:
        """The index of a sensor, declared now (position unknown) if it is new."""
        found = self._by_key.get((feed, key))
        return found if found is not None else self.declare(feed, SensorInfo(key, kind))

    def heard(self, index: int, now: float, reports: int = 0) -> None:
        with self._lock:
            row = self._rows[index]
            if math.isnan(row.first_heard):
                row.first_heard = now
            row.last_heard = now
            if reports:
                row.last_report = now
                row.reports += reports
                second = math.floor(now)
                if row.recent and row.recent[-1][0] == second:
                    row.recent[-1] = (second, row.recent[-1][1] + reports)
                else:
                    row.recent.append((second, reports))

    def rejected(self, index: int, count: int = 1) -> None:
        with self._lock:
            self._rows[index].rejects += count

    def status(self, feed: str, status: SensorStatus, kind: SensorKind) -> None:
        index = self.index(feed, status.key, kind)
        with self._lock:
            row = self._rows[index]
            row.status_ok, row.status_detail = status.ok, status.detail
        if status.ok:
            self.heard(index, status.t)

    # ---- reading -----------------------------------------------------------------------
    def located(self, index: int) -> bool:
        """Whether the sensor's position is known (needed for radar and bearing reports)."""
        info = self._rows[index].info
        return math.isfinite(info.lat_deg) and math.isfinite(info.lon_deg)

    def geometry(self) -> SensorGeometry:
        """The tracker's view; the same object until the table changes."""
        with self._lock:
            if self._geometry is None:
                self._geometry = _geometry(self._rows, self.feed_labels)
            return self._geometry

    def rows(self) -> list[SensorHealth]:
        with self._lock:
            return list(self._rows)

    def snapshot(self, now: float) -> list[dict[str, Any]]:
        """Every sensor as plain values: identity, place, health."""
        with self._lock:
            return [self._row_dict(r, now) for r in self._rows]

    def _row_dict(self, r: SensorHealth, now: float) -> dict[str, Any]:
        i = r.info
        return {
            "index": r.index,
            "sensor_id": sensor_id(r.feed, i.key),
            "feed": r.feed,
            "key": i.key,
            "kind": sensor_kind_name(int(i.kind)),
            "name": i.name or i.key,
            "nation": i.nation,
            "vendor": i.vendor,
            "lat_deg": _finite(i.lat_deg),
            "lon_deg": _finite(i.lon_deg),
            "alt_m": _finite(i.alt_m),
            "max_range_m": _finite(i.max_range_m),
            "state": r.state(now, self.stale_after_s),
            "last_report_s": _finite(r.last_report),
            "last_heard_s": _finite(r.last_heard),
            "silent_s": _finite(now - r.last_heard),
            "reports": r.reports,
            "rate_hz": round(r.rate(now), 3),
            "rejects": r.rejects,
            "status": r.status_detail,
        }


DECLARED = ("revisit_s", "pd", "clutter_density")  # SensorInfo → SensorGeometry as declared


def sensor_id(feed: str, key: str) -> str:
    return f"{feed}:{key}" if key else feed


def _merge(old: SensorInfo, new: SensorInfo) -> SensorInfo:
    updates: dict[str, Any] = {"kind": new.kind}
    for name in ("lat_deg", "lon_deg", "alt_m", "max_range_m", *DECLARED):
        value = getattr(new, name)
        if math.isfinite(value):
            updates[name] = value
    for name in ("name", "nation", "vendor"):
        if getattr(new, name):
            updates[name] = getattr(new, name)
    if new.label is not None:
        updates["label"] = new.label
    return replace(old, **updates)


def _geometry(rows: list[SensorHealth], feed_labels: dict[str, SecurityLabel]) -> SensorGeometry:
    infos = [r.info for r in rows]
    n = len(infos)
    lat = np.array([i.lat_deg for i in infos], float).reshape(n)
    lon = np.array([i.lon_deg for i in infos], float).reshape(n)
    alt = np.array([i.alt_m if math.isfinite(i.alt_m) else 0.0 for i in infos], float)
    ranges = np.array([i.max_range_m for i in infos], float).reshape(n)
    ranges[~np.isfinite(ranges)] = np.inf  # unknown reach: gate on the measurement alone
    known = np.isfinite(lat) & np.isfinite(lon)
    ecef = np.zeros((n, 3))
    if known.any():
        ecef[known] = np.asarray(
            geodetic_to_ecef(lat[known], lon[known], alt[known]), float
        ).reshape(-1, 3)
    # A receiver of position fixes need not say where it stands: its reports carry their own
    # position, and its row only needs finite numbers for the tracker's arrays.
    lat, lon = np.where(known, lat, 0.0), np.where(known, lon, 0.0)
    ids = [sensor_id(r.feed, r.info.key) for r in rows]
    kinds = np.array([int(i.kind) for i in infos], np.uint8).reshape(n)
    labels = tuple(r.info.label or feed_labels.get(r.feed) or default_label() for r in rows)
    geometry = SensorGeometry(ids, kinds, lat, lon, alt.reshape(n), ecef, ranges, labels=labels)

    def declared(name: str) -> FloatArray:  # the kind's default where nothing is declared
        given = np.array([getattr(i, name) for i in infos], float).reshape(n)
        return np.where(np.isfinite(given), given, getattr(geometry, name))

    return replace(
        geometry,
        revisit_s=declared("revisit_s"),
        pd=declared("pd"),
        clutter_density=declared("clutter_density"),
    )


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
