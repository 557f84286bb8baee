"""Class-conditional likelihoods of the evidence a track carries.

Every source gives a log-likelihood for each class (columns: unknown, drone, bird,
aircraft); the classifier sums them (sources taken as independent given the class — naive
Bayes) with the log prior and normalises. Densities come from public figures, not from the
simulator:

* **speed and height above ground** — drones as a mixture of four types: one-way attack
  (Shahed/Geran, ~185 km/h, 60–400 m), decoy (Gerbera, ~160 km/h), quadcopter (DJI class,
  30–55 km/h or hovering, under 150 m) and reconnaissance fixed-wing (Orlan class, 90–150 km/h,
  0.6–2.5 km); birds (flocks, 30–70 km/h, below ~600 m at night migration); manned aircraft as
  airliners at cruise (~830 km/h, 9.5–11.5 km), climbing or descending, and departing or
  arriving low near airports (250–360 km/h, a few hundred metres), light aircraft (Cessna 172
  class, 110–230 km/h), gliders (55–160 km/h, hundreds to thousands of metres, circling in
  thermals), helicopters (0–270 km/h including hover, 100–900 m) and ultralights (50–130 km/h);
  "unknown" flat over everything that flies. Speed is log-normal, height normal, height above
  the ground (``features``: terrain model). The uncertainty of the track's averaged speed and
  height (``features``: precision-weighted, and surer than one filter estimate by the
  correlation of its errors) widens each density, so a young, poorly known track is not
  called with false confidence while a settled one is held to what it does. A track whose
  height is unknown (vertical σ above ``HEIGHT_UNKNOWN_SIGMA_M``: bearing-only RF tracks) is
  judged by its speed alone.
* **circling** — fixed-wing drones fly routes and wide orbits (an Orlan's orbit of ≥ 500 m
  radius at 120 km/h turns ≤ 4°/s), while gliders thermal in circles of 50–150 m radius
  (15–25°/s) and light aircraft, ultralights and helicopters manoeuvre: a fast track whose
  averaged velocity vector is much shorter than its averaged speed (``features``
  straightness) is not a fixed-wing drone.
* **cooperative identity** — an ICAO 24-bit address (ADS-B) is strong evidence of a manned
  aircraft; a Remote ID serial of a drone.
* **RF emission** — updates from RF detectors mean the object emits a control or video link,
  as far as the bearings of two or more DF stations cross at the track (the tracker counts the
  stations that heard it: ``TrackBatch.rf_stations``). A bearing-only report fits anything on
  its ray: a bird between one station and a drone takes that station's bearings, so bearings
  of one station alone are weak evidence, growing with their share of the track's *recent*
  updates. Emission is evidence for the drone *types* that emit — quadcopters and
  reconnaissance drones keep a link up, one-way attack drones and decoys fly a
  pre-programmed route — so it is folded into the drone mixture with the kinematics: RF on a
  slow, low track helps "drone" only as far as a quadcopter or reconnaissance drone also
  explains how it flies.
* **radar cross-section** — per drone type, bird and aircraft component, folded into the
  mixtures with the kinematics (``kinematic_loglik``'s ``rcs``); the figures and the
  measurement model are in ``signature``.
* **sensor-declared classes** (EO/IR, SAPIENT) — summed by the tracker as log-likelihoods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ObjectKind
from dronewall.identify import signature

FloatArray = npt.NDArray[np.float64]
N_CLASSES = 4  # unknown, drone, bird, aircraft (ObjectClass order)
# ICAO 24-bit address as six hex digits in either case: receivers and open data (dump1090,
# OpenSky) write lower case, the report format upper case.
ICAO_ADDRESS = re.compile(r"^[0-9A-Fa-f]{6}$")
# A vertical σ above this (one filter estimate) means the height is not measured: a track
# built from RF bearings alone sits at a default height (tracker) with σ of hundreds of metres.
HEIGHT_UNKNOWN_SIGMA_M = 300.0


@dataclass(frozen=True, slots=True)
class Component:
    """A class (or drone type) as a log-normal speed and a normal height."""

    speed_median_mps: float
    speed_sigma_log: float
    height_mean_m: float
    height_sigma_m: float
    weight: float = 1.0


# A quadcopter flies like a bird: on kinematics alone a slow, low object is a bird. The small
# weight of the quadcopter component makes a track a quadcopter only with other evidence — its
# radio link, Remote ID, or a camera (bench/bench_identify.py: with equal weights 42 % of
# bird track-time was called drone).
# A reconnaissance drone flies like a glider or motor-glider (Orlan-10: 90–150 km/h at
# 0.6–2.5 km; a sailplane 55–160 km/h at hundreds of metres to kilometres): on kinematics alone
# it keeps a share of the drone prior (RECON_WEIGHT), its video link (RF) makes it a drone.
RECON_WEIGHT = 0.05
DRONE_TYPES: dict[ObjectKind, Component] = {
    ObjectKind.ONE_WAY_ATTACK: Component(50.0, 0.10, 230.0, 160.0, 0.32),
    ObjectKind.DECOY: Component(44.0, 0.10, 350.0, 190.0, 0.32),
    ObjectKind.QUADCOPTER: Component(12.0, 0.30, 95.0, 50.0, 0.02),
    ObjectKind.RECON_FIXED_WING: Component(33.0, 0.20, 1500.0, 650.0, RECON_WEIGHT),
}
# A hovering quadcopter (DJI class holds position within a metre or two): speed near zero,
# which the log-normal of forward flight puts many σ out. Same weight as the quadcopter in
# forward flight: hovering alone is no proof (a helicopter hovers too), a link or Remote ID is.
QUAD_HOVER = Component(1.0, 0.8, 60.0, 50.0, 0.005)
BIRD = Component(13.0, 0.32, 300.0, 200.0)
# Manned aircraft, heights above ground. Weights are shares of the manned traffic a low-level
# sensor sees: airliners dominate near airports, general aviation elsewhere.
AIRCRAFT = (
    Component(230.0, 0.12, 10_500.0, 1_200.0, 0.38),  # airliners at cruise
    Component(150.0, 0.40, 4_000.0, 3_500.0, 0.22),  # airliners climbing and descending
    Component(80.0, 0.15, 500.0, 400.0, 0.10),  # airliners departing, arriving (70–100 m/s)
    Component(50.0, 0.30, 700.0, 600.0, 0.08),  # light aircraft, 110–230 km/h
    Component(27.0, 0.30, 1_000.0, 700.0, 0.08),  # gliders, 55–160 km/h
    Component(45.0, 0.45, 400.0, 300.0, 0.05),  # helicopters in forward flight
    Component(1.5, 0.8, 300.0, 250.0, 0.02),  # helicopters hovering
    Component(22.0, 0.30, 300.0, 250.0, 0.07),  # ultralights, microlights, gyrocopters
)
# Circling (``circling_loglik``): nats against each fixed-wing drone type for a fast track
# circling in full (straightness ≤ 0.3) — a glider in a thermal or a manoeuvring light
# aircraft, not a drone flying its route or a wide orbit.
CIRCLING_AGAINST_FIXED_WING = 4.0
CIRCLING_MIN_SPEED_MPS = 15.0  # slower tracks' headings are noise; quadcopters fly slower
CIRCLING_MIN_AGE_S = 20.0  # one time constant of the velocity average
# Off route: one-way attack drones and decoys fly pre-programmed routes of legs tens of
# kilometres long towards a target; a track whose velocity, averaged over two minutes
# (``features.ROUTE_TIME_CONSTANT_S``), is much shorter than its speed flies circuits or
# orbits — a light aircraft at an airfield, a glider, a helicopter — or loiters (reconnaissance
# drones and quadcopters, which this does not count against). Nats against each route type.
OFF_ROUTE_AGAINST_ROUTE_TYPES = 4.0
OFF_ROUTE_MIN_AGE_S = 60.0
# In full below 0.45, from 0.85 down: one 90° turn at a waypoint dips a route's two-minute
# straightness to 0.71 for a minute (−1.4 nats); a circuit of 1-minute legs stays near 0.5.
OFF_ROUTE_FROM, OFF_ROUTE_FULL = 0.85, 0.45
UNKNOWN_LOG_SPEED_SPAN = np.log(800.0)  # flat from 0.5 to 400 m/s
UNKNOWN_HEIGHT_SPAN_M = 15_000.0


def _log_normal(x: FloatArray, mean: float, sigma: FloatArray) -> FloatArray:
    return np.asarray(-0.5 * ((x - mean) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi)), float)


def component_loglik(
    c: Component,
    log_speed: FloatArray,
    log_speed_sigma: FloatArray,
    height: FloatArray,
    height_sigma: FloatArray,
    height_known: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Log density of a component at the track's averaged speed and height above ground;
    rows whose height is unknown are judged by speed alone."""
    s = np.sqrt(c.speed_sigma_log**2 + log_speed_sigma**2)
    h = np.sqrt(c.height_sigma_m**2 + height_sigma**2)
    by_height = _log_normal(height, c.height_mean_m, h)
    if height_known is not None:
        by_height = np.where(height_known, by_height, 0.0)
    return np.asarray(_log_normal(log_speed, np.log(c.speed_median_mps), s) + by_height, float)


@dataclass(frozen=True, slots=True)
class Kinematics:
    """What ``kinematic_loglik`` reads of each track (rows aligned with the batch)."""

    speed: FloatArray  # averaged horizontal speed, m/s
    speed_sigma: FloatArray
    height: FloatArray  # averaged height above ground, m
    height_sigma: FloatArray
    height_known: npt.NDArray[np.bool_]
    straightness: FloatArray  # 1 straight … 0 circling (features)
    route_straightness: FloatArray  # the same over two minutes
    age: FloatArray  # seconds of history behind the averages


def kinematic_loglik(
    k: Kinematics, rcs: tuple[FloatArray, FloatArray] | None = None
) -> tuple[FloatArray, FloatArray]:
    """(class log-likelihoods (n, 4), drone-type log-likelihoods (n, 4) in DRONE_TYPES order)
    of the kinematics and, given ``rcs`` (averaged RCS in dBsm and its σ, ``signature``), of the
    radar cross-section of each type and aircraft component with them."""
    s = np.maximum(k.speed, 0.5)
    log_s = np.log(s)
    log_sigma = k.speed_sigma / s
    args = (log_s, log_sigma, k.height, k.height_sigma, k.height_known)
    types = np.stack(
        [np.log(c.weight) + component_loglik(c, *args) for c in DRONE_TYPES.values()], axis=1
    )
    quad = list(DRONE_TYPES).index(ObjectKind.QUADCOPTER)
    hover = np.log(QUAD_HOVER.weight) + component_loglik(QUAD_HOVER, *args)
    types[:, quad] = np.logaddexp(types[:, quad], hover)
    types += circling_loglik(k.speed, k.straightness, k.age)
    types += off_route_loglik(k.speed, k.route_straightness, k.age)
    out = np.empty((s.shape[0], N_CLASSES))
    flat_height = np.where(k.height_known, -np.log(UNKNOWN_HEIGHT_SPAN_M), 0.0)
    out[:, 0] = -np.log(UNKNOWN_LOG_SPEED_SPAN) + flat_height
    out[:, 2] = component_loglik(BIRD, *args)
    aircraft = _components(AIRCRAFT, *args)
    if rcs is not None:
        value, sigma = rcs
        types += np.stack(
            [signature.rcs_loglik(value, sigma, signature.DRONE_RCS[t]) for t in DRONE_TYPES],
            axis=1,
        )
        aircraft += np.stack(
            [signature.rcs_loglik(value, sigma, r) for r in signature.AIRCRAFT_RCS], axis=1
        )
        out[:, 0] += signature.unknown_rcs_loglik(value)
        out[:, 2] += signature.rcs_loglik(value, sigma, signature.BIRD_RCS)
    out[:, 1] = logsumexp_rows(types)
    out[:, 3] = logsumexp_rows(aircraft)
    return out, types


def circling_loglik(speed: FloatArray, straightness: FloatArray, age: FloatArray) -> FloatArray:
    """Log-likelihoods (n, 4) per drone type (DRONE_TYPES order) of how much a track circles:
    0 for a straight or slow or young track, down to −``CIRCLING_AGAINST_FIXED_WING`` for the
    fixed-wing types when its averaged velocity vector is under 0.3 of its averaged speed."""
    circling = np.clip((0.7 - straightness) / 0.4, 0.0, 1.0)
    circling = np.where(
        (speed >= CIRCLING_MIN_SPEED_MPS) & (age >= CIRCLING_MIN_AGE_S), circling, 0
    )
    fixed_wing = np.array([k is not ObjectKind.QUADCOPTER for k in DRONE_TYPES], float)
    return np.asarray(-CIRCLING_AGAINST_FIXED_WING * circling[:, None] * fixed_wing[None, :], float)


def off_route_loglik(
    speed: FloatArray, route_straightness: FloatArray, age: FloatArray
) -> FloatArray:
    """Log-likelihoods (n, 4) per drone type of flying off a route: down to
    −``OFF_ROUTE_AGAINST_ROUTE_TYPES`` for one-way attack drones and decoys when the two-minute
    averaged velocity is under ``OFF_ROUTE_FULL`` of the speed; 0 for slow or young tracks
    and for the other types."""
    span = OFF_ROUTE_FROM - OFF_ROUTE_FULL
    off = np.clip((OFF_ROUTE_FROM - route_straightness) / span, 0.0, 1.0)
    off = np.where((speed >= CIRCLING_MIN_SPEED_MPS) & (age >= OFF_ROUTE_MIN_AGE_S), off, 0.0)
    route = np.array(
        [k in (ObjectKind.ONE_WAY_ATTACK, ObjectKind.DECOY) for k in DRONE_TYPES], float
    )
    return np.asarray(-OFF_ROUTE_AGAINST_ROUTE_TYPES * off[:, None] * route[None, :], float)


def _components(
    parts: tuple[Component, ...],
    log_s: FloatArray,
    log_sigma: FloatArray,
    height: FloatArray,
    height_sigma: FloatArray,
    height_known: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Weighted log densities (n, len(parts)) of a mixture's components."""
    args = (log_s, log_sigma, height, height_sigma, height_known)
    return np.stack([np.log(c.weight) + component_loglik(c, *args) for c in parts], axis=1)


# Cooperative and emission evidence as log-likelihoods (unknown, drone, bird, aircraft).
ADSB_EVIDENCE = np.log([1e-2, 1e-4, 1e-6, 1.0])  # an ICAO address: almost surely an aircraft
REMOTE_ID_EVIDENCE = np.log([1e-2, 1.0, 1e-6, 1e-4])  # a Remote ID serial: a drone
# A drone-band emitter, after 3 updates. The drone column is not used: a drone's emission
# depends on its type (``RF_TYPE_EVIDENCE``) and is folded into the type mixture.
RF_EMITTER_EVIDENCE = np.log([0.1, 1.0, 0.01, 0.05])
# Quadcopters keep a control and video link up for the whole flight and reconnaissance drones
# stream video; one-way attack drones and decoys fly a pre-programmed GNSS/INS route with no
# control link (some Geran-2 carry a cellular or mesh modem for telemetry: one in ten here).
# So RF bearings on a fast, low track are evidence of a drone only as far as an emitting type
# also explains its kinematics (a bird on the ray of a drone's link is not a Shahed).
RF_TYPE_EVIDENCE: dict[ObjectKind, float] = {
    ObjectKind.ONE_WAY_ATTACK: float(np.log(0.1)),
    ObjectKind.DECOY: float(np.log(0.1)),
    ObjectKind.QUADCOPTER: 0.0,
    ObjectKind.RECON_FIXED_WING: 0.0,
}
RF_SATURATION = 3.0
DECLARED_CLASS_CAP = 12.0  # nats: repeated declarations by one camera are not independent


def cooperative_loglik(identity: npt.NDArray[np.str_]) -> FloatArray:
    out = np.zeros((identity.shape[0], N_CLASSES))
    for k, value in enumerate(identity.tolist()):
        if not value:
            continue
        out[k] = ADSB_EVIDENCE if ICAO_ADDRESS.match(value) else REMOTE_ID_EVIDENCE
    return out


# Single-station bearings count in full (times RF_SINGLE_STATION) once they are half of the
# track's recent updates, in proportion below: a bird takes a station's bearings only while it
# sits on that station's ray towards a drone (bench/bench_identify.py, 2026-11-27: with full
# evidence from a 20 % share, birds on a loitering drone's ray were called drones).
RF_SHARE_FULL = 0.5
# What RF bearings from one station alone are worth, against bearings from two or more that
# cross at the track. One station's bearing fits anything on its ray: the track may be the
# emitter, or a bird between the station and the emitter. Two stations' bearings fit together
# only near the crossing of their rays, where the emitter is. A fifth: a single-station
# emitter on half its updates is worth ×2.5 over a bird (e^(0.2·ln 100)), not ×100
# (bench/bench_identify.py, training seed: 0 and 0.2 give the same, 0.5 calls more birds).
RF_SINGLE_STATION = 0.2
# Crossing bearings count in full once each station that hears the track reports it on half
# its periods or more, in proportion below. A DF station reports an emitter in range on most
# of its periods (bench/bench_identify.py, seed 404, median over a track's life: emitters
# 0.4–0.9 a period per station, 0.2–0.3 while still far out); with several emitters about, the
# rays of different stations towards different emitters also cross elsewhere, and a bird or
# airliner near such a crossing takes a bearing only now and then (0.05–0.2). Full at 0.35 or
# 0.25 instead: fewer far emitters missed, but a bird called drone on 1.4–1.9 % of its time.
RF_DUTY_FULL = 0.5


def emission_weight(
    rf_updates: npt.NDArray[np.int32],
    rf_share: FloatArray,
    rf_crossed: FloatArray,
    rf_duty: FloatArray,
) -> FloatArray:
    """How far (0..1) a track's RF updates make it an emitter. It grows with their number
    (saturating at 3) and, for the share ``rf_crossed`` of its recent RF updates heard while
    two or more RF stations heard the track, is full as far as those stations hear it on
    ``RF_DUTY_FULL`` of their periods (``rf_duty``): their bearings cross at the track, so the
    emitter is there, unless they only now and then cross there. For the rest, heard by one
    station only, it is ``RF_SINGLE_STATION`` times their share of the track's recent updates
    (``features.RF_TIME_CONSTANT_S``) over ``RF_SHARE_FULL``: a bird that sits on one
    station's ray towards a drone takes that station's bearings (bench/bench_identify.py:
    such bearings made most of the birds called drones)."""
    count = np.minimum(rf_updates.astype(float), RF_SATURATION) / RF_SATURATION
    share = np.clip(rf_share / RF_SHARE_FULL, 0.0, 1.0)
    crossed = np.clip(rf_crossed, 0.0, 1.0)
    duty = np.clip(rf_duty / RF_DUTY_FULL, 0.0, 1.0)
    single = (1.0 - crossed) * RF_SINGLE_STATION * share
    return np.asarray(count * (crossed * duty + single), float)


def emission_loglik(emission: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(class log-likelihoods (n, 4) with the drone column 0, drone-type log-likelihoods
    (n, 4) in DRONE_TYPES order) of a track's RF updates, from their ``emission_weight``."""
    weight = emission[:, None]
    by_class = weight * RF_EMITTER_EVIDENCE[None, :]
    by_class[:, 1] = 0.0
    by_type = weight * np.array([RF_TYPE_EVIDENCE[k] for k in DRONE_TYPES])[None, :]
    return np.asarray(by_class, float), np.asarray(by_type, float)


def logsumexp_rows(values: FloatArray) -> FloatArray:
    """log Σ exp over each row (a mixture's log-likelihood from its weighted components)."""
    top = values.max(axis=1, keepdims=True)
    return np.asarray((top + np.log(np.exp(values - top).sum(axis=1, keepdims=True)))[:, 0], float)


def declared_loglik(class_evidence: FloatArray) -> FloatArray:
    centred = class_evidence - class_evidence.max(axis=1, keepdims=True)
    return np.asarray(np.maximum(centred, -DECLARED_CLASS_CAP), float)
