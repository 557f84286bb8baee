"""Threat assessment: each track's predicted path against every protected zone it could
reach, and a priority 0–100 with its reasons in plain words.

``ThreatAssessor(zones, config).assess(tracks, classes)`` reads a ``TrackBatch`` (and the
classifier's ``ClassBatch``, joined on track id, latest row per track) and returns a
``ThreatBatch``: one row per track row with its most threatening zone, plus the long table of
every examined (track, zone) pair (``Approaches``). The prediction is constant velocity over
``horizon_s`` with the position uncertainty growing from the track covariance and the NCV
process noise (``geometry``); the priority formula is in ``priority``.

Each row also says whether its track is a **civil aircraft** (``ThreatBatch.civil``), which
is never alerted as a drone (``civil``): it carries an ICAO address (Mode S / ADS-B), or flies
like an airliner — its ground speed is surely (2 σ) above ``airliner_speed_mps``, outside the
envelope of every drone type the classifier knows. "Fast" and "low" are read from the
track's ground speed and height above the ground (``world.terrain``), and not at all when its
height is unknown (vertical σ above ``height_unknown_sigma_m``: a track from RF bearings
alone sits at a default height, so its speed and height are not measured).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from dronewall.assess import priority as pr
from dronewall.assess.civil import CivilWake, below_ground, civil_rows, ground_height
from dronewall.assess.columns import latest_rows, lookup
from dronewall.assess.geometry import Approach, position_sigma, spread_coefficients
from dronewall.assess.pairs import Kinematics, PairFinder
from dronewall.assess.zones import ProtectedZones
from dronewall.core.geodesy import ecef_to_geodetic, up_vector
from dronewall.core.tracks import ClassBatch, TrackBatch

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class AssessConfig:
    """Settings of the threat assessment. Defaults are explained in ``docs/alerts.md``."""

    horizon_s: float = 900.0  # 15 min: a Shahed-class drone (51 m/s) covers 46 km
    process_noise: float = 1.0  # m²/s³ per axis, the tracker's NCV default
    near_miss_sigmas: float = 2.0  # a miss within 2 σ of the predicted position may be a hit
    max_spread_m: float = 20_000.0  # cap on the uncertainty added to a track's reach
    fast_mps: float = 30.0  # 108 km/h: fixed-wing attack and decoy drones, not quadcopters
    low_m: float = 300.0  # below most radar cover far from the radar (height above ground)
    # 270 km/h: above every drone type's envelope (the fastest the classifier knows, one-way
    # attack drones, ~185 km/h, 3 σ at 240 km/h); departing and arriving airliners fly 70–100 m/s.
    airliner_speed_mps: float = 75.0
    # A vertical σ above this means the height is not measured (RF bearings alone).
    height_unknown_sigma_m: float = 300.0
    unclassified_p_drone: float = 0.25  # no class yet: the uniform prior over four classes


@dataclass(frozen=True, slots=True)
class Approaches:
    """Every examined (track, zone) pair, sorted by track row then zone row."""

    row: IntArray  # row of the track in the ThreatBatch (and the TrackBatch)
    track_id: IntArray
    zone: IntArray  # row in ProtectedZones
    site_id: npt.NDArray[np.str_]
    range_m: FloatArray  # horizontal distance now (circle: to its centre; geofence: 0 inside)
    cpa_m: FloatArray
    t_cpa_s: FloatArray
    time_to_site_s: FloatArray  # 0 inside; NaN when the path does not get in within horizon
    inside: BoolArray
    miss_m: FloatArray  # how far outside the zone the path passes; 0 if it gets in
    sigma_m: FloatArray  # 1-σ horizontal uncertainty at the closest approach
    points: FloatArray  # the site term of the priority, before the class factor

    def __len__(self) -> int:
        return int(self.row.shape[0])

    def threatening(self) -> BoolArray:
        """Pairs whose track is inside the zone or gets in within the horizon."""
        return np.asarray(self.inside | ~np.isnan(self.time_to_site_s))


@dataclass(frozen=True, slots=True)
class TrackMotion:
    """Where each row's track is, how precisely, and since when it is measured, so that the
    alert manager can follow one object across tracks (``docs/alerts.md``, "One alert per
    object, not per track")."""

    position: FloatArray  # (n, 3) ECEF m, at the row's time
    velocity: FloatArray  # (n, 3) ECEF m/s
    sigma_m: FloatArray  # RMS position error, √(trace of the position covariance), m
    t_last_update: FloatArray  # the track's last measurement; earlier than t while it coasts
    t_first: FloatArray  # when the track was started
    n_updates: IntArray  # measurements the track has taken

    @classmethod
    def of(cls, tracks: TrackBatch) -> TrackMotion:
        covariance = np.asarray(tracks.covariance, float).reshape(-1, 6, 6)
        variance = np.einsum("nii->n", covariance[:, :3, :3])
        return cls(
            position=np.asarray(tracks.state[:, :3], float).copy(),
            velocity=np.asarray(tracks.state[:, 3:], float).copy(),
            sigma_m=np.sqrt(np.maximum(variance, 0.0)),
            t_last_update=np.asarray(tracks.t_last_update, float).copy(),
            t_first=np.asarray(tracks.t_first, float).copy(),
            n_updates=np.asarray(tracks.n_updates, np.int64).copy(),
        )


@dataclass(frozen=True, slots=True)
class ThreatBatch:
    """One row per track row: its most threatening zone (``site_id`` "" when none is in
    reach) and its priority. ``approaches`` holds every examined pair; ``motion`` the tracks'
    kinematics (None in a hand-built batch: alerts then stay on their own track ids)."""

    track_id: IntArray
    t: FloatArray
    site_id: npt.NDArray[np.str_]
    zone: IntArray  # row in ProtectedZones, -1 when none
    range_m: FloatArray
    cpa_m: FloatArray
    t_cpa_s: FloatArray
    time_to_site_s: FloatArray
    inside: BoolArray
    miss_m: FloatArray
    priority: FloatArray  # 0–100
    p_drone: FloatArray  # the class factor used
    reasons: list[str]
    approaches: Approaches = field(repr=False)
    motion: TrackMotion | None = field(default=None, repr=False)
    # A civil aircraft (ICAO address, or airliner speed): never alerted. None: not known.
    civil: BoolArray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.track_id.shape[0])


@dataclass(frozen=True, slots=True)
class _Classes:
    p_drone: FloatArray
    friendly: BoolArray
    drone_kind: npt.NDArray[np.uint8]
    kind_probability: FloatArray
    classified: BoolArray


class ThreatAssessor:
    """Assesses tracks against a fixed set of protected zones."""

    def __init__(self, zones: ProtectedZones, config: AssessConfig | None = None) -> None:
        self.zones = zones
        self.config = config or AssessConfig()
        self._pairs = PairFinder(zones)
        self._wake = CivilWake()  # where civil aircraft were: their heard ghosts (civil.py)

    def assess(self, tracks: TrackBatch, classes: ClassBatch | None = None) -> ThreatBatch:
        """The threat of each row of ``tracks`` (pass the confirmed ones: every row is
        assessed); ``classes`` gives P(drone), type and friendliness, joined on track id."""
        cfg = self.config
        kinematics, coefficients = _kinematics(tracks)
        spread = position_sigma(coefficients, cfg.process_noise, cfg.horizon_s)
        reach = kinematics.ground_speed * cfg.horizon_s + np.minimum(
            cfg.near_miss_sigmas * spread, cfg.max_spread_m
        )
        row, zone = self._pairs.candidates(kinematics, reach)
        approach = self._pairs.approach(kinematics, row, zone, cfg.horizon_s)
        sigma = position_sigma(coefficients[row], cfg.process_noise, approach.t_cpa_s)
        points = pr.site_points(
            approach.inside,
            approach.time_to_enter_s,
            approach.miss_m,
            sigma,
            self.zones.weight[zone],
            cfg.horizon_s,
            cfg.near_miss_sigmas,
        )
        pairs = self._approaches(tracks, row, zone, approach, sigma, points)
        return self._batch(tracks, kinematics, _join(tracks, classes, cfg), pairs)

    def _approaches(
        self,
        tracks: TrackBatch,
        row: IntArray,
        zone: IntArray,
        approach: Approach,
        sigma: FloatArray,
        points: FloatArray,
    ) -> Approaches:
        return Approaches(
            row=row,
            track_id=tracks.track_id[row],
            zone=zone,
            site_id=self.zones.id[zone],
            range_m=approach.range_m,
            cpa_m=approach.cpa_m,
            t_cpa_s=approach.t_cpa_s,
            time_to_site_s=approach.time_to_enter_s,
            inside=approach.inside,
            miss_m=approach.miss_m,
            sigma_m=sigma,
            points=points,
        )

    def _batch(
        self, tracks: TrackBatch, kinematics: Kinematics, classes: _Classes, pairs: Approaches
    ) -> ThreatBatch:
        cfg, n = self.config, len(tracks)
        top = _top_pairs(pairs, n)
        vertical_sigma = _vertical_sigma(tracks, kinematics)
        measured = vertical_sigma <= cfg.height_unknown_sigma_m
        fast = measured & (kinematics.ground_speed >= cfg.fast_mps)
        above_ground = kinematics.height - ground_height(kinematics.position)
        low = measured & (above_ground <= cfg.low_m)
        civil, civil_words = civil_rows(
            tracks, kinematics.ground_speed, cfg.airliner_speed_mps, self._wake
        )
        under = below_ground(above_ground, vertical_sigma, measured) & ~civil
        for i in np.flatnonzero(under).tolist():  # rare: no pass over every row per picture
            civil_words[i] = f"{-above_ground[i]:.0f} m below the ground: not a flying object"
        civil = civil | under
        terms = _Terms(
            site=top["points"],
            kind=pr.kind_points(classes.drone_kind, classes.kind_probability),
            motion=pr.motion_points(fast, low),
            fast=fast,
            low=low,
            n_threatened=np.bincount(pairs.row[pairs.threatening()], minlength=n),
        )
        priority = pr.combine(
            classes.p_drone, classes.friendly, terms.site, terms.kind, terms.motion
        )
        names = self.zones.name[np.maximum(top["zone"], 0)] if len(self.zones) else top["site_id"]
        return ThreatBatch(
            track_id=tracks.track_id.copy(),
            t=tracks.t.copy(),
            site_id=top["site_id"],
            zone=top["zone"],
            range_m=top["range_m"],
            cpa_m=top["cpa_m"],
            t_cpa_s=top["t_cpa_s"],
            time_to_site_s=top["time_to_site_s"],
            inside=top["inside"],
            miss_m=top["miss_m"],
            priority=priority,
            p_drone=classes.p_drone,
            reasons=[
                f"{words}; {reason}" if words else reason
                for words, reason in zip(
                    civil_words, _reasons(top, names, classes, terms), strict=True
                )
            ],
            approaches=pairs,
            motion=TrackMotion.of(tracks),
            civil=civil,
        )


_EMPTY = {"zone": -1, "site_id": "", "inside": False, "points": 0.0}
_TOP_COLUMNS: tuple[str, ...] = (
    "zone",
    "site_id",
    "range_m",
    "cpa_m",
    "t_cpa_s",
    "time_to_site_s",
    "inside",
    "miss_m",
    "points",
)


def _top_pairs(pairs: Approaches, n: int) -> dict[str, Any]:
    """Columns of each row's best pair (most points, then smallest miss); empty values for a
    row without pairs (NaN distances and times, zone -1, site "")."""
    best = np.full(n, -1, np.int64)
    if len(pairs):
        order = np.lexsort((pairs.miss_m, -pairs.points, pairs.row))
        rows, first = np.unique(pairs.row[order], return_index=True)
        best[rows] = order[first]
    has = best >= 0
    out: dict[str, Any] = {}
    for name in _TOP_COLUMNS:
        values = getattr(pairs, name)
        column = np.full(n, _EMPTY.get(name, np.nan), dtype=values.dtype)
        column[has] = values[best[has]]
        out[name] = column
    return out


def _kinematics(tracks: TrackBatch) -> tuple[Kinematics, FloatArray]:
    position = np.asarray(tracks.state[:, :3], float)
    velocity = np.asarray(tracks.state[:, 3:], float)
    lat, lon, height = ecef_to_geodetic(position)
    up = up_vector(lat, lon).reshape(-1, 3)
    climb = np.einsum("ij,ij->i", velocity, up)
    ground = np.linalg.norm(velocity - climb[:, None] * up, axis=1)
    kinematics = Kinematics(position, velocity, np.asarray(height, float), climb, ground)
    return kinematics, spread_coefficients(tracks.covariance.reshape(-1, 6, 6), up)


def _vertical_sigma(tracks: TrackBatch, kinematics: Kinematics) -> FloatArray:
    """Each row's vertical position σ (along the local up), in metres."""
    lat, lon, _ = ecef_to_geodetic(kinematics.position)
    up = up_vector(lat, lon).reshape(-1, 3)
    cov = np.asarray(tracks.covariance, float).reshape(-1, 6, 6)[:, :3, :3]
    variance = np.einsum("ni,nij,nj->n", up, cov, up)
    return np.asarray(np.sqrt(np.maximum(variance, 0.0)), float)


def _join(tracks: TrackBatch, classes: ClassBatch | None, cfg: AssessConfig) -> _Classes:
    """Each track row's class (the latest class row of its track), or the unclassified prior."""
    n = len(tracks)
    if classes is None or len(classes) == 0:
        return _Classes(
            p_drone=np.full(n, cfg.unclassified_p_drone),
            friendly=np.zeros(n, bool),
            drone_kind=np.zeros(n, np.uint8),
            kind_probability=np.zeros(n),
            classified=np.zeros(n, bool),
        )
    latest = latest_rows(classes.track_id, classes.t)
    position, found = lookup(classes.track_id[latest], tracks.track_id)
    row = latest[position]
    return _Classes(
        p_drone=np.where(found, classes.p_drone()[row], cfg.unclassified_p_drone),
        friendly=np.asarray(found & classes.friendly[row], bool),
        drone_kind=np.where(found, classes.drone_kind[row], 0).astype(np.uint8),
        kind_probability=np.where(found, classes.drone_kind_probability[row], 0.0),
        classified=found,
    )


@dataclass(frozen=True, slots=True)
class _Terms:
    site: FloatArray
    kind: FloatArray
    motion: FloatArray
    fast: BoolArray
    low: BoolArray
    n_threatened: IntArray


def _reasons(
    top: dict[str, Any], names: npt.NDArray[np.str_], classes: _Classes, terms: _Terms
) -> list[str]:
    """The priority's terms in words, one string per row. Columns become Python lists first:
    indexing numpy arrays element by element would cost most of the assessment's time."""
    others = terms.n_threatened - (~np.isnan(top["time_to_site_s"])).astype(np.int64)
    columns = zip(
        classes.p_drone.tolist(),
        classes.friendly.tolist(),
        classes.classified.tolist(),
        _site_phrases(top, names, terms.site),
        _kind_phrases(classes, terms.kind),
        _motion_phrases(terms),
        others.tolist(),
        strict=True,
    )
    out: list[str] = []
    for p, friendly, classified, site, kind, motion, more in columns:
        parts = [pr.class_words(p, friendly, classified)]
        if not friendly:
            parts += [phrase for phrase in (site, kind, motion) if phrase]
            if more > 0:
                parts.append(f"{more} more zone{'s' if more > 1 else ''} on its path")
        out.append("; ".join(parts))
    return out


def _site_phrases(
    top: dict[str, Any], names: npt.NDArray[np.str_], points: FloatArray
) -> list[str]:
    rows = np.flatnonzero(points >= 0.5)
    columns = zip(
        rows.tolist(),
        names[rows].tolist(),
        top["inside"][rows].tolist(),
        top["time_to_site_s"][rows].tolist(),
        top["range_m"][rows].tolist(),
        top["miss_m"][rows].tolist(),
        top["t_cpa_s"][rows].tolist(),
        points[rows].tolist(),
        strict=True,
    )
    out = [""] * len(names)
    for i, name, inside, time_to_site, range_m, miss_m, t_cpa, score in columns:
        words = pr.site_words(name, inside, time_to_site, range_m, miss_m, t_cpa)
        out[i] = f"{words} (+{score:.0f})"
    return out


def _kind_phrases(classes: _Classes, points: FloatArray) -> list[str]:
    kinds, confidence = classes.drone_kind.tolist(), classes.kind_probability.tolist()
    return [
        f"{pr.kind_words(kind, probability)} (+{score:.0f})" if score >= 0.5 else ""
        for kind, probability, score in zip(kinds, confidence, points.tolist(), strict=True)
    ]


def _motion_phrases(terms: _Terms) -> list[str]:
    fast, low = terms.fast.astype(np.int64), terms.low.astype(np.int64)
    choices = [""] * 4
    for code in range(1, 4):
        is_fast, is_low = bool(code & 1), bool(code & 2)
        points = pr.FAST_POINTS * is_fast + pr.LOW_POINTS * is_low
        choices[code] = f"{pr.motion_words(is_fast, is_low)} (+{points:.0f})"
    return [choices[code] for code in (fast + 2 * low).tolist()]
