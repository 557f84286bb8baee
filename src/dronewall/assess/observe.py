"""What the alert manager sees of each track at an update, computed over whole batches.

``ClassMemory`` keeps the latest class of every track (columns sorted by track id) so that a
threat row can be judged even when this update brought no class for its track. ``observe``
joins the latest threat row of each track with that memory and decides, with array
operations, whether the alert condition is on (may raise) and whether it holds (keeps a raised
alert alive); only the rows the manager asks for become Python objects. Each observation
carries the track's last measured ``Fix`` when the threat batch has the tracks' motion, so that
an alert can follow its object to a new track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.assess.alert_types import AlertConfig
from dronewall.assess.columns import latest_rows, lookup
from dronewall.assess.threat import ThreatBatch
from dronewall.core.tracks import ClassBatch

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ClassMemory:
    """The latest P(drone) and friendly flag of each track, sorted by track id."""

    track_id: IntArray
    t: FloatArray
    p_drone: FloatArray
    friendly: BoolArray

    @classmethod
    def empty(cls) -> ClassMemory:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, bool))

    def merged(self, classes: ClassBatch | None, forget_before: float) -> ClassMemory:
        """This memory with ``classes`` added (newer rows win) and old entries dropped."""
        track_id, t, p, friendly = self.track_id, self.t, self.p_drone, self.friendly
        if classes is not None and len(classes):
            track_id = np.concatenate([track_id, classes.track_id.astype(np.int64)])
            t = np.concatenate([t, classes.t.astype(float)])
            p = np.concatenate([p, classes.p_drone()])
            friendly = np.concatenate([friendly, classes.friendly.astype(bool)])
        keep = latest_rows(track_id, t)
        keep = keep[t[keep] >= forget_before]
        return ClassMemory(track_id[keep], t[keep], p[keep], friendly[keep])


@dataclass(frozen=True, slots=True)
class Fix:
    """Where a track was last measured (``Fixes`` has the rules)."""

    t: float  # the track's last measurement
    position: FloatArray  # (3,) ECEF m at ``t``
    speed: float  # m/s
    sigma_m: float  # RMS position error, m
    t_first: float  # when the track was started
    n_updates: int = 0  # measurements the track has taken (0: not known)


@dataclass(frozen=True, slots=True)
class Fixes:
    """Where tracks were last measured, one row per track. A row's position is taken back
    along its velocity to the track's last measurement, so that a coasting track's
    prediction is not taken for a measurement."""

    track_id: IntArray
    t: FloatArray  # the last measurement (the row's time if it is later or unknown)
    position: FloatArray  # (n, 3) ECEF m at ``t``
    speed: FloatArray  # m/s
    sigma_m: FloatArray  # RMS position error, √(trace of the position covariance), m
    t_first: FloatArray  # when the track was started
    n_updates: IntArray  # measurements each track has taken (0: not known)

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @classmethod
    def of(cls, threats: ThreatBatch, rows: IntArray) -> Fixes | None:
        """The fixes of these rows of ``threats``; None when it has no motion columns."""
        motion = threats.motion
        if motion is None:
            return None
        t_row = threats.t[rows]
        t_update = motion.t_last_update[rows]
        t_update = np.where(t_update <= t_row, t_update, t_row)  # NaN or later: the row's
        velocity = motion.velocity[rows]
        position = motion.position[rows] - velocity * (t_row - t_update)[:, None]
        return cls(
            track_id=np.asarray(threats.track_id[rows], np.int64),
            t=np.asarray(t_update, float),
            position=np.asarray(position, float),
            speed=np.asarray(np.linalg.norm(velocity, axis=1), float),
            sigma_m=np.asarray(motion.sigma_m[rows], float),
            t_first=np.asarray(motion.t_first[rows], float),
            n_updates=np.asarray(motion.n_updates[rows], np.int64),
        )

    @classmethod
    def stack(cls, track_ids: list[int], fixes: list[Fix]) -> Fixes:
        return cls(
            track_id=np.array(track_ids, np.int64),
            t=np.array([f.t for f in fixes], float),
            position=np.array([f.position for f in fixes], float).reshape(-1, 3),
            speed=np.array([f.speed for f in fixes], float),
            sigma_m=np.array([f.sigma_m for f in fixes], float),
            t_first=np.array([f.t_first for f in fixes], float),
            n_updates=np.array([f.n_updates for f in fixes], np.int64),
        )

    def take(self, index: IntArray) -> Fixes:
        return Fixes(
            self.track_id[index],
            self.t[index],
            self.position[index],
            self.speed[index],
            self.sigma_m[index],
            self.t_first[index],
            self.n_updates[index],
        )

    def row(self, k: int) -> Fix:
        return Fix(
            float(self.t[k]),
            np.asarray(self.position[k], float),
            float(self.speed[k]),
            float(self.sigma_m[k]),
            float(self.t_first[k]),
            int(self.n_updates[k]),
        )


@dataclass(frozen=True, slots=True)
class Observation:
    """One track at one update, as the manager needs it."""

    track_id: int
    t_seen: float
    p_drone: float
    friendly: bool
    on: bool  # may raise: likely hostile drone that threatens a site
    hold: bool  # keeps a raised alert: same with the lower P(drone) threshold
    priority: float
    site_id: str  # the most threatening site within the alert horizon ("" if none)
    sites: tuple[str, ...]
    time_to_site_s: float
    reasons: str
    fix: Fix | None = None  # None when the threat batch has no motion columns


def observe(
    threats: ThreatBatch, memory: ClassMemory, config: AlertConfig, wanted: set[int]
) -> list[Observation]:
    """Observations of the tracks whose condition is on, or whose id is in ``wanted``;
    one per track (its latest threat row), sorted by track id."""
    if len(threats) == 0:
        return []
    rows = latest_rows(threats.track_id, threats.t)
    position, known = lookup(memory.track_id, threats.track_id[rows])
    p = np.where(known, memory.p_drone[position] if known.any() else 0.0, 0.0)
    friendly = known & (memory.friendly[position] if known.any() else False)
    pairs = _threatening_pairs(threats, config.horizon_s)
    threatened = np.zeros(len(threats), bool)
    threatened[threats.approaches.row[pairs]] = True
    hostile = known & ~friendly & threatened[rows]
    if threats.civil is not None:  # a civil aircraft is never alerted, nor keeps an alert
        hostile &= ~threats.civil[rows]
    on = hostile & (p >= config.p_on)
    hold = hostile & (p >= config.p_off)
    ids = threats.track_id[rows]
    pick = np.flatnonzero(on | np.isin(ids, np.fromiter(wanted, np.int64, len(wanted))))
    pair_rows = threats.approaches.row[pairs]
    fixes = Fixes.of(threats, rows[pick])
    out: list[Observation] = []
    for i, k in enumerate(pick):
        start, stop = np.searchsorted(pair_rows, [rows[k], rows[k] + 1])
        flags = _Flags(float(p[k]), bool(friendly[k]), bool(on[k]), bool(hold[k]))
        fix = fixes.row(i) if fixes is not None else None
        out.append(_observation(threats, pairs[start:stop], int(rows[k]), flags, fix))
    return out


def young_fixes(threats: ThreatBatch, t: float, age_s: float) -> Fixes | None:
    """The fixes of the tracks at most ``age_s`` old at ``t`` (latest row of each, sorted by
    track id); None when ``threats`` has no motion columns."""
    if threats.motion is None or len(threats) == 0:
        return None
    young = np.flatnonzero(t - threats.motion.t_first <= age_s)
    rows = young[latest_rows(threats.track_id[young], threats.t[young])]
    return Fixes.of(threats, rows)


def _threatening_pairs(threats: ThreatBatch, horizon: float) -> IntArray:
    """Indices of pairs inside or entering within ``horizon``, by row then most points."""
    pairs = threats.approaches
    soon = pairs.inside | (np.nan_to_num(pairs.time_to_site_s, nan=np.inf) <= horizon)
    chosen = np.flatnonzero(soon)
    order = np.lexsort((np.nan_to_num(pairs.time_to_site_s[chosen]), -pairs.points[chosen]))
    chosen = chosen[order]
    return np.asarray(chosen[np.argsort(pairs.row[chosen], kind="stable")], np.int64)


@dataclass(frozen=True, slots=True)
class _Flags:
    p_drone: float
    friendly: bool
    on: bool
    hold: bool


def _observation(
    threats: ThreatBatch, mine: IntArray, row: int, flags: _Flags, fix: Fix | None
) -> Observation:
    """The observation of one threat row; ``mine`` are its threatening pairs, best first."""
    approaches = threats.approaches
    sites = tuple(str(s) for s in approaches.site_id[mine])
    return Observation(
        track_id=int(threats.track_id[row]),
        t_seen=float(threats.t[row]),
        p_drone=flags.p_drone,
        friendly=flags.friendly,
        on=flags.on,
        hold=flags.hold,
        priority=float(threats.priority[row]),
        site_id=sites[0] if sites else "",
        sites=sites,
        time_to_site_s=float(approaches.time_to_site_s[mine[0]]) if sites else float("nan"),
        reasons=threats.reasons[row],
        fix=fix,
    )
