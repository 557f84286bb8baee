"""Civil aircraft, never alerted as drones, and heights above the ground.

A track is a civil aircraft when it carries an ICAO 24-bit address (Mode S / ADS-B; six hex
digits in either case — receivers and open data write lower case), unless the tracker flags
that identity as implausible (``TrackBatch.identity_implausible`` when it has one: a spoofed
or jumping cooperative position), or when it flies like an airliner: its ground speed less two
standard deviations of it is at least the airliner speed (``AssessConfig.airliner_speed_mps``),
which no drone type the classifier knows reaches. Jet-powered one-way attack drones
(Geran-3 class, ~100 m/s) would pass as airliners by this rule; they are not in the
classifier's drone types either.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_geodetic
from dronewall.core.tracks import TrackBatch
from dronewall.world.terrain import TerrainDataMissingError, ground_height_m

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ICAO_ADDRESS = re.compile(r"^[0-9A-Fa-f]{6}$")
log = logging.getLogger(__name__)
_missing: list[bool] = []  # terrain grids not installed (logged once)


def civil_rows(
    tracks: TrackBatch, ground_speed: FloatArray, airliner_speed_mps: float
) -> tuple[BoolArray, list[str]]:
    """(civil aircraft per row, the reason in words — "" for the others)."""
    icao = np.array([bool(ICAO_ADDRESS.match(i)) for i in tracks.identity.tolist()], bool)
    flagged = getattr(tracks, "identity_implausible", None)
    if flagged is not None:
        icao &= ~np.asarray(flagged, bool)
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
    return np.asarray(icao | airliner, bool), words


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
