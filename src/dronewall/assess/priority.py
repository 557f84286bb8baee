"""The priority of a track, 0–100, as a sum of points an operator can read back.

    priority = P(drone) × (BASE + site + type + motion),   0 for a registered friendly drone

* ``BASE`` (10): any track that may be a drone is worth a look;
* ``site`` (0–60, times the zone's kind weight, best zone only): inside a zone 60; entering
  one within the horizon 60 at once falling linearly to 30 at the horizon; passing outside
  but within ``k`` standard deviations of the predicted position, up to ``NEAR_POINTS`` (20)
  falling to 0 at ``k`` σ;
* ``type`` (0–20, times the classifier's confidence in the type): one-way attack 20,
  reconnaissance 10, quadcopter 5, decoy 5;
* ``motion`` (0–10): fast (ground speed ≥ ``fast_mps``) 5, low (height ≤ ``low_m``) 5.

The largest possible sum is 100. Every term that scores is written into the reasons, with its
points, so "drone 0.97; inbound to Rzeszow-Jasionka Airport, 4.2 km, 95 s (+52);
one-way attack type 1.00 (+20); fast, low (+10)" reads as 0.97 × (10 + 52 + 20 + 10) = 89.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ObjectKind

FloatArray = npt.NDArray[np.float64]

BASE_POINTS: Final = 10.0
INSIDE_POINTS: Final = 60.0
INBOUND_POINTS_AT_HORIZON: Final = 30.0  # an entry at the very end of the horizon still counts
NEAR_POINTS: Final = 20.0
FAST_POINTS: Final = 5.0
LOW_POINTS: Final = 5.0
# A one-way attack drone carries a warhead to its target; a reconnaissance drone spots for
# artillery and missiles; a quadcopter can drop a charge or disrupt an airport; a decoy is
# built to soak up interceptors, but is not known to be a decoy until it is down.
KIND_POINTS: Final = {
    ObjectKind.ONE_WAY_ATTACK: 20.0,
    ObjectKind.RECON_FIXED_WING: 10.0,
    ObjectKind.QUADCOPTER: 5.0,
    ObjectKind.DECOY: 5.0,
}
KIND_WORDS: Final = {
    int(ObjectKind.ONE_WAY_ATTACK): "one-way attack type",
    int(ObjectKind.RECON_FIXED_WING): "reconnaissance type",
    int(ObjectKind.QUADCOPTER): "quadcopter type",
    int(ObjectKind.DECOY): "decoy type",
}


def site_points(
    inside: npt.NDArray[np.bool_],
    time_to_enter: FloatArray,
    miss: FloatArray,
    sigma: FloatArray,
    weight: FloatArray,
    horizon: float,
    near_sigmas: float,
) -> FloatArray:
    """Points (before the class factor) a zone contributes, one per (track, zone) pair."""
    fraction = np.nan_to_num(time_to_enter, nan=horizon) / horizon
    inbound = INSIDE_POINTS - (INSIDE_POINTS - INBOUND_POINTS_AT_HORIZON) * fraction
    band = near_sigmas * sigma
    closeness = np.where(band > 0.0, 1.0 - miss / np.where(band > 0.0, band, 1.0), 0.0)
    near = NEAR_POINTS * np.clip(closeness, 0.0, 1.0)
    points = np.where(inside, INSIDE_POINTS, np.where(np.isnan(time_to_enter), near, inbound))
    return np.asarray(points * weight, float)


def kind_points(drone_kind: npt.NDArray[np.uint8], probability: FloatArray) -> FloatArray:
    """Points for the drone type, scaled by the classifier's confidence in it."""
    table = np.zeros(256)
    for kind, points in KIND_POINTS.items():
        table[int(kind)] = points
    return np.asarray(table[drone_kind] * np.nan_to_num(probability), float)


def motion_points(fast: npt.NDArray[np.bool_], low: npt.NDArray[np.bool_]) -> FloatArray:
    return np.asarray(FAST_POINTS * fast + LOW_POINTS * low, float)


def combine(
    p_drone: FloatArray,
    friendly: npt.NDArray[np.bool_],
    site: FloatArray,
    kind: FloatArray,
    motion: FloatArray,
) -> FloatArray:
    """The priority 0–100 from its terms."""
    total = BASE_POINTS + site + kind + motion
    return np.asarray(np.where(friendly, 0.0, np.clip(p_drone * total, 0.0, 100.0)), float)


def class_words(p_drone: float, friendly: bool, classified: bool) -> str:
    if friendly:
        return "registered friendly drone: never alerted"
    if not classified:
        return f"not classified yet, drone {p_drone:.2f} assumed"
    return f"drone {p_drone:.2f}"


def site_words(
    name: str, inside: bool, time_to_enter: float, range_m: float, miss_m: float, t_cpa: float
) -> str:
    """The site term in words, without its points."""
    if inside:
        return f"inside {name}"
    if time_to_enter == time_to_enter:  # not NaN
        return f"inbound to {name}, {range_m / 1000:.1f} km, {time_to_enter:.0f} s"
    return f"passes {miss_m / 1000:.1f} km outside {name} in {t_cpa:.0f} s"


def motion_words(fast: bool, low: bool) -> str:
    return ", ".join(word for word, on in (("fast", fast), ("low", low)) if on)


def kind_words(drone_kind: int, probability: float) -> str:
    return f"{KIND_WORDS[drone_kind]} {probability:.2f}"
