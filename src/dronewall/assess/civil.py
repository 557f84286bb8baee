"""Civil aircraft, never alerted as drones, and heights above the ground.

A track is a civil aircraft when it carries an ICAO 24-bit address (Mode S / ADS-B; six hex
digits in either case — receivers and open data write lower case) and no ADS-B emitter category
B6 (unmanned aerial vehicle: a drone with ADS-B out is alertable like any drone), unless the
tracker flags that identity as implausible (``TrackBatch.identity_implausible`` when it has
one: a spoofed or jumping cooperative position), or when it flies like an airliner: its ground
speed less two standard deviations of it is at least the airliner speed
(``AssessConfig.airliner_speed_mps``), which no drone type the classifier knows reaches. A
track that flies **beside** a civil aircraft — within ``GHOST_RADIUS_M`` of one with a velocity
within ``GHOST_SPEED_MPS`` of its velocity — is taken for its ghost or duplicate (acoustic
bearings of a loud airliner, a radar multipath or split track) and is civil too. Jet-powered
one-way attack drones (Geran-3 class, ~100 m/s) would pass as airliners by this rule; they are
not in the classifier's drone types either.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.core.geodesy import ecef_to_geodetic
from dronewall.core.tracks import TrackBatch
from dronewall.core.types import SensorKind
from dronewall.world.terrain import TerrainDataMissingError, ground_height_m

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ICAO_ADDRESS = re.compile(r"^[0-9A-Fa-f]{6}$")
log = logging.getLogger(__name__)
# A ghost of an aircraft: acoustic tracks of airliners lag and scatter by the sound's travel
# time and bearing errors (bench, training seed: 600–970 m beside airliners near Munich);
# a radar multipath or split track sits within a few hundred metres. No drone keeps station
# within 1.5 km of an aircraft at its speed (quadcopters are 5–15 m/s, strike drones 50 m/s
# against an airliner's 70–250 m/s).
GHOST_RADIUS_M = 1_500.0
UAV_CATEGORY = 0xB6  # ADS-B emitter category "unmanned aerial vehicle" (report format 1.1)
GHOST_SPEED_MPS = 20.0
# A track heard only by microphones places the sound where the aircraft *was*: an airliner 10 km
# from an array is heard 29 s late (343 m/s), so the bearings of several arrays, each with its
# own lag, cross on or near the aircraft's recent path with a speed and heading of their own
# (bench/bench_alerts.py, training seed 1101: three acoustic-only tracks at Munich, 116–231
# km/h, one on an airliner, two 0.5–1.5 km off every object, all alerted). Such a track within
# GHOST_RADIUS_M of where a civil aircraft was in the last SOUND_LAG_S is its heard ghost.
SOUND_LAG_S = 30.0
# A radar false alarm or two joining a heard track do not make it seen: a radar track is
# confirmed on more plots than that (training seed 1101: heard tracks with one radar plot).
STRAY_UPDATES = 2
# … nor a few more on a long heard track: other updates up to this share of its acoustic ones
# are strays too (training seed 1102: ghosts at Kastrup with 4 RF bearings beside 66 acoustic
# updates, and 3 radar plots beside 38). 0 keeps the fixed count alone; chosen on validation.
STRAY_SHARE = 0.0
# Below the ground: a track whose measured height is further below the terrain than its own
# vertical error (3 σ) plus the terrain model's error is not a flying object — a radar false
# alarm, multipath off the sea or a ghost. ETOPO5's 5′ cells average a cell's ground: the
# highest ground in a cell stands up to a few hundred metres above its mean in the Alps, but a
# track is judged against the mean, so a real low flyer over a peak reads too high, never too
# low; in a deep valley it can read up to about that much too low.
TERRAIN_ERROR_M = 200.0
_missing: list[bool] = []  # terrain grids not installed (logged once)


class CivilWake:
    """Where civil aircraft were over the last ``SOUND_LAG_S`` (ECEF positions by time)."""

    def __init__(self) -> None:
        self._t: list[float] = []
        self._positions: list[FloatArray] = []

    def add(self, t: float, positions: FloatArray) -> None:
        self._t.append(t)
        self._positions.append(positions)
        while self._t and self._t[0] < t - SOUND_LAG_S:
            self._t.pop(0)
            self._positions.pop(0)

    def near(self, positions: FloatArray) -> BoolArray:
        """Rows within ``GHOST_RADIUS_M`` of where a civil aircraft was lately."""
        if not self._positions or not len(positions):
            return np.zeros(len(positions), bool)
        wake = np.concatenate(self._positions)
        if not len(wake):
            return np.zeros(len(positions), bool)
        d, _ = cKDTree(wake).query(positions, distance_upper_bound=GHOST_RADIUS_M)
        return np.asarray(np.isfinite(d), bool)


def heard_only(tracks: TrackBatch) -> BoolArray:
    """Rows all of whose updates but ``STRAY_UPDATES`` (or ``STRAY_SHARE`` of the acoustic
    ones, if more) came from acoustic sensors."""
    acoustic = tracks.kind_updates[:, int(SensorKind.ACOUSTIC)]
    others = tracks.kind_updates.sum(axis=1) - acoustic
    strays = np.maximum(STRAY_UPDATES, STRAY_SHARE * acoustic)
    return np.asarray((acoustic > STRAY_UPDATES) & (others <= strays), bool)


def civil_rows(
    tracks: TrackBatch,
    ground_speed: FloatArray,
    airliner_speed_mps: float,
    wake: CivilWake | None = None,
) -> tuple[BoolArray, list[str]]:
    """(civil aircraft per row, the reason in words — "" for the others); ``wake`` keeps
    where civil aircraft were, for the heard ghosts of acoustic-only tracks."""
    icao = np.array([bool(ICAO_ADDRESS.match(i)) for i in tracks.identity.tolist()], bool)
    flagged = getattr(tracks, "identity_implausible", None)
    if flagged is not None:
        icao &= ~np.asarray(flagged, bool)
    icao &= np.asarray(tracks.emitter_category, np.int64) != UAV_CATEGORY
    velocity_cov = np.asarray(tracks.covariance, float).reshape(-1, 6, 6)[:, 3:, 3:]
    sigma = np.sqrt(np.maximum(np.einsum("nii->n", velocity_cov) / 3.0, 0.0))
    airliner = ground_speed - 2.0 * sigma >= airliner_speed_mps
    words = [
        f"civil aircraft (ICAO {ident.upper()})"
        if by_icao
        else (f"flies like an airliner ({speed * 3.6:.0f} km/h)" if fast else "")
        for ident, by_icao, fast, speed in zip(
            tracks.identity.tolist(),
            icao.tolist(),
            airliner.tolist(),
            ground_speed.tolist(),
            strict=True,
        )
    ]
    civil = icao | airliner
    state = np.asarray(tracks.state, float)
    ghost = beside(state, civil) & ~civil
    heard = np.zeros(len(tracks), bool)
    if wake is not None:
        if len(tracks):
            wake.add(float(np.max(tracks.t)), state[civil, :3])
        heard = heard_only(tracks) & ~civil & ~ghost & wake.near(state[:, :3])
    words = [
        "beside a civil aircraft: its ghost"
        if g
        else ("heard where a civil aircraft was: its sound" if h else w)
        for g, h, w in zip(ghost.tolist(), heard.tolist(), words, strict=True)
    ]
    return np.asarray(civil | ghost | heard, bool), words


def below_ground(
    above_ground: FloatArray, vertical_sigma: FloatArray, measured: BoolArray
) -> BoolArray:
    """Rows with a measured height more than 3 σ + ``TERRAIN_ERROR_M`` below the ground."""
    limit = 3.0 * vertical_sigma + TERRAIN_ERROR_M
    return np.asarray(measured & (above_ground < -limit), bool)


def beside(state: FloatArray, civil: BoolArray) -> BoolArray:
    """Rows within ``GHOST_RADIUS_M`` of a civil row whose velocity differs by at most
    ``GHOST_SPEED_MPS`` (ECEF state rows: position, velocity)."""
    out = np.zeros(len(state), bool)
    anchors = np.flatnonzero(civil)
    if not anchors.size:
        return out
    near = cKDTree(state[anchors, :3]).query_ball_point(state[:, :3], GHOST_RADIUS_M)
    for i, hits in enumerate(near):
        if hits:
            dv = np.linalg.norm(state[anchors[hits], 3:] - state[i, 3:], axis=1)
            out[i] = bool((dv <= GHOST_SPEED_MPS).any())
    return out


def ground_height(position: FloatArray) -> FloatArray:
    """Ground height above the ellipsoid under each ECEF position (``world.terrain``); 0 when
    the terrain grids are not installed (heights are then above the ellipsoid; logged once)."""
    if _missing:
        return np.zeros(len(position))
    lat, lon, _ = ecef_to_geodetic(position)
    try:
        return np.asarray(ground_height_m(lat, lon), float).reshape(-1)
    except TerrainDataMissingError as exc:
        _missing.append(True)
        log.warning("'low' judged above the ellipsoid, not the ground: %s", exc)
        return np.zeros(len(position))
