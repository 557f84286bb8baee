"""What a track's radar cross-section and ADS-B emitter category say of its class and type.

**Radar cross-section.** Class (and drone-type) densities of the track's averaged RCS in dBsm
(``TrackBatch.rcs_dbsm``), normal in dB around public figures of each kind, with the public
range taken as ±1 σ (at least ``MIN_SPREAD_DB``):

* quadcopters (DJI Phantom/Mavic class) ~0.01 m² at X band (0.005–0.05), Shahed-136 class
  one-way attack drones 0.1–0.5 m², Gerbera-class foam decoys and Orlan-10-class
  reconnaissance drones 0.05–0.5 m² — Schröder et al., "Radar cross-section measurements of
  small UAVs", and the drone RCS survey in Coluccia et al., "Drone-vs-Bird detection
  challenge", *Sensors* 2020; open reporting on Shahed-136 (2.5 m span, composite airframe);
* birds and flocks 0.001–0.05 m² (Vaughn, *Birds and insects as radar targets*, Proc. IEEE
  1985: a starling ~0.002, a gull ~0.01–0.05);
* light aircraft (Cessna 172 class) and gliders (glass-fibre sailplanes: engine, pilot and
  metal fittings reflect) 1–5 m², ultralights 0.5–2 m², helicopters 3–10 m², airliners
  10–100 m² (Skolnik, *Introduction to Radar Systems*, 3rd ed., table 2.2).

A radar's RCS estimate of one scan fluctuates as a Swerling I target (exponential power): in dB
its mean is 10·log10(σ) − 2.51 dB (10·γ/ln 10, γ Euler's constant) and its standard deviation
5.57 dB (Skolnik §2.8). The tracker averages the reports' dB values (the latest ten weigh
most), so each density is centred 2.51 dB low and widened by 5.57 dB / √n for the n radar
updates behind the average (at most ``RCS_MEMORY`` count): a young track is judged loosely.
"Unknown" is flat over ``UNKNOWN_RCS_SPAN_DB``. A track without RCS (NaN) gets no RCS term.

**Emitter category** (ADS-B, DO-260B; report format 1.1 codes, ``docs/report-format.md``): a
manned-aircraft category (A1 light … A7 rotorcraft, B1 glider, B2 lighter-than-air, B3
parachutist, B4 ultralight) is as strong evidence of a manned aircraft as the ICAO address it
comes with (not counted twice); B6 (unmanned aerial vehicle) is evidence of a drone as strong as
a Remote ID serial, and overrides the address's evidence: a drone with ADS-B out is a drone.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ObjectKind

FloatArray = npt.NDArray[np.float64]
N_CLASSES = 4
SWERLING_MEAN_DB = -2.507  # mean of 10·log10(Exp(1)) = −10·γ/ln 10
SWERLING_SIGMA_DB = 5.57  # its standard deviation, 10/ln 10 · π/√6
RCS_MEMORY = 10  # the tracker's running mean weighs about the latest ten reports (tracking)
MIN_SPREAD_DB = 3.0  # aspect and frequency change an airframe's RCS by several dB
UNKNOWN_RCS_SPAN_DB = 70.0  # "unknown": flat from −40 dBsm (an insect) to +30 dBsm (a ship)


def _db(lo_m2: float, hi_m2: float) -> tuple[float, float]:
    """(centre, σ) in dBsm of a public range of RCS in m², the range taken as ±1 σ."""
    lo, hi = 10.0 * np.log10(lo_m2), 10.0 * np.log10(hi_m2)
    return float((lo + hi) / 2.0), float(max((hi - lo) / 2.0, MIN_SPREAD_DB))


# Drone types (identify.models.DRONE_TYPES order is looked up by kind).
DRONE_RCS: dict[ObjectKind, tuple[float, float]] = {
    ObjectKind.ONE_WAY_ATTACK: _db(0.1, 0.5),
    ObjectKind.DECOY: _db(0.05, 0.5),
    ObjectKind.QUADCOPTER: _db(0.005, 0.05),
    ObjectKind.RECON_FIXED_WING: _db(0.05, 0.5),
}
BIRD_RCS = _db(0.001, 0.05)
# Manned aircraft components, in identify.models.AIRCRAFT order.
AIRCRAFT_RCS = (
    _db(10.0, 100.0),  # airliners at cruise
    _db(10.0, 100.0),  # airliners climbing and descending
    _db(10.0, 100.0),  # airliners departing, arriving
    _db(1.0, 5.0),  # light aircraft
    _db(1.0, 5.0),  # gliders
    _db(3.0, 10.0),  # helicopters in forward flight
    _db(3.0, 10.0),  # helicopters hovering
    _db(0.5, 2.0),  # ultralights
)

# Emitter categories (report format 1.1 codes).
UAV_CATEGORY = 0xB6
CATEGORY_NAMES = {
    0xA1: "light",
    0xA2: "small",
    0xA3: "large",
    0xA4: "high-vortex large",
    0xA5: "heavy",
    0xA6: "high performance",
    0xA7: "rotorcraft",
    0xB1: "glider",
    0xB2: "lighter-than-air",
    0xB3: "parachutist",
    0xB4: "ultralight",
    0xB6: "UAV",
}
MANNED_CATEGORIES = frozenset({0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xB1, 0xB2, 0xB3, 0xB4})
MANNED_EVIDENCE = np.log([1e-2, 1e-4, 1e-6, 1.0])  # as an ICAO address (models.ADSB_EVIDENCE)
UAV_EVIDENCE = np.log([1e-2, 1.0, 1e-6, 1e-4])  # as a Remote ID serial


def rcs_sigma(rcs_dbsm: FloatArray, radar_updates: npt.NDArray[np.integer]) -> FloatArray:
    """σ (dB) of the averaged RCS: Swerling I fluctuation over the reports behind it."""
    n = np.clip(np.asarray(radar_updates, float), 1.0, RCS_MEMORY)
    return np.asarray(np.where(np.isfinite(rcs_dbsm), SWERLING_SIGMA_DB / np.sqrt(n), np.nan))


def rcs_loglik(
    rcs_dbsm: FloatArray, sigma_db: FloatArray, spread: tuple[float, float]
) -> FloatArray:
    """Log density of the averaged RCS under one kind's (centre, σ) in dBsm; 0 where NaN."""
    centre, width = spread
    s = np.sqrt(width**2 + np.nan_to_num(sigma_db, nan=1.0) ** 2)
    x = np.nan_to_num(rcs_dbsm, nan=centre + SWERLING_MEAN_DB)
    out = -0.5 * ((x - centre - SWERLING_MEAN_DB) / s) ** 2 - np.log(s * np.sqrt(2 * np.pi))
    return np.asarray(np.where(np.isfinite(rcs_dbsm), out, 0.0), float)


def unknown_rcs_loglik(rcs_dbsm: FloatArray) -> FloatArray:
    return np.asarray(np.where(np.isfinite(rcs_dbsm), -np.log(UNKNOWN_RCS_SPAN_DB), 0.0), float)


def category_loglik(category: npt.NDArray[np.uint8]) -> FloatArray:
    """Class log-likelihoods (n, 4) of the emitter category; 0 where none or uninformative."""
    cat = np.asarray(category, np.int64)
    manned = np.isin(cat, list(MANNED_CATEGORIES))
    uav = cat == UAV_CATEGORY
    out = np.zeros((cat.shape[0], N_CLASSES))
    out[manned] = MANNED_EVIDENCE
    out[uav] = UAV_EVIDENCE
    return out


def rcs_words(rcs_dbsm: float) -> str:
    """The averaged RCS as an operator reads it: "RCS 2.1 m²" (Swerling bias removed)."""
    m2 = 10.0 ** ((rcs_dbsm - SWERLING_MEAN_DB) / 10.0)
    return f"RCS {m2:.2g} m²" if m2 < 10 else f"RCS {m2:.0f} m²"
