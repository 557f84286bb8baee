"""Simulated sensors: turn a snapshot of the truth into the reports real sensors would send.

For each kind of sensor, the sensors whose next look falls in the current one-second tick are
paired with nearby eligible objects through a k-d tree, then each pair passes geometry
(range, sector, elevation, radar/radio horizon, terrain masking), a detection draw and
measurement noise drawn from the shared measurement models' covariance. The horizon is the
smooth 4/3-Earth one above the lower of the two ground heights; then terrain between sensor and
target (``world.terrain.terrain_clear``) hides what lies behind hills. ADS-B receivers hear
ADS-B out; an ADS-B/FLARM network feed (``sees_flarm``) also relays FLARM and, fed by many
receivers, has no horizon of its own (``horizon`` 0). Radars rotate: a target is seen when the
beam passes its azimuth. Reports get a latency and an exponential jitter, so they arrive late
and out of order. False alarms come from each sensor's declared rate. Truth (which object caused a
report) is returned beside the reports, never inside them.

Report format 1.1 columns (``_format_1_1``): ADS-B reports carry the emitter category of the
object's kind (airliners A3 large, A5 heavy from 50 m² RCS; gliders B1, helicopters A7, light
aircraft A1, ultralights B4, drones B6), NACp and NIC from the receiver's σ (95 % bound
2.448 σ, taken also as the containment radius: the simulator models no integrity) and the
vertical rate in ADS-B's 64 ft/min steps; Remote ID reports carry B6 and the vertical speed in
F3411's 0.5 m/s steps; radar reports an RCS in dBsm that fluctuates from scan to scan as a
Swerling I target (σ·Exp(1)), a false alarm the RCS a target at the detection threshold at
its range would have. These draws come from a generator jumped off the tick's (PCG64
``jumped``), so the reports of a seed are otherwise what they were before the columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.core.types import MeasurementKind, ObjectClass, ObjectKind, ReportBatch, SensorKind
from dronewall.models.measurement import radar_measure
from dronewall.models.propagation import (
    line_of_sight,
    passive_detection_probability,
    radar_detection_probability,
)
from dronewall.sim.dynamics import Snapshot
from dronewall.sim.laydown import SensorArray
from dronewall.sim.population import Population
from dronewall.world.terrain import GroundModel, terrain_clear

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_CLASS_OF_KIND = np.zeros(max(ObjectKind) + 1, np.uint8)  # ObjectKind value → ObjectClass value
for _kind in ObjectKind:
    _CLASS_OF_KIND[_kind] = _kind.object_class
FALSE_ALARM = -1
# Report format 1.1 (docs/report-format.md): DO-260B emitter category codes by object kind.
_CATEGORY_OF_KIND = np.zeros(max(ObjectKind) + 1, np.uint8)
for _kind, _code in {
    ObjectKind.ONE_WAY_ATTACK: 0xB6, ObjectKind.DECOY: 0xB6, ObjectKind.QUADCOPTER: 0xB6,
    ObjectKind.RECON_FIXED_WING: 0xB6, ObjectKind.CIVIL_AIRCRAFT: 0xA3, ObjectKind.GLIDER: 0xB1,
    ObjectKind.HELICOPTER: 0xA7, ObjectKind.LIGHT_AIRCRAFT: 0xA1, ObjectKind.ULTRALIGHT: 0xB4,
}.items():  # fmt: skip
    _CATEGORY_OF_KIND[_kind] = _code
HEAVY_RCS_M2 = 50.0  # airliners of this RCS and more are "heavy" (A5), the others A3
# DO-260B Table 2-70 NACp bounds (EPU <, m) and Table 2-14 NIC bounds (Rc <, m), finest last.
_NACP_EPU_M = np.array([3.0, 10.0, 30.0, 92.6, 185.2, 555.6, 926.0, 1852.0, 3704.0, 7408.0,
                        18520.0])  # fmt: skip
_NIC_RC_M = np.array([7.5, 25.0, 75.0, 185.2, 370.4, 1111.2, 1852.0, 3704.0, 7408.0, 14816.0,
                      37040.0])  # fmt: skip
R95_PER_SIGMA = 2.4477  # 95 % radius of a circular normal of σ per axis
ADSB_VR_STEP_MPS = 64 * 0.3048 / 60  # TC 19 vertical rate LSB: 64 ft/min
RID_VS_STEP_MPS = 0.5  # F3411 Table 6 vertical speed LSB


@dataclass(frozen=True, slots=True)
class Sensed:
    """Reports of one tick and, aligned with them, the object that caused each (−1: false alarm)."""

    reports: ReportBatch
    object_row: IntArray


@dataclass(frozen=True, slots=True)
class _Pairs:
    sensor: IntArray  # sensor rows
    obj: IntArray  # positions in the snapshot
    t: FloatArray  # measurement time
    position: FloatArray  # target ECEF at measurement time
    meas: FloatArray  # noise-free (range, azimuth, elevation)


def sense(
    sensors: SensorArray,
    pop: Population,
    snap: Snapshot,
    rng: np.random.Generator,
    ground: GroundModel,
) -> list[Sensed]:
    """All reports made during the tick [snap.t, snap.t + 1)."""
    out = []
    for kind in SensorKind:
        rows = np.flatnonzero(sensors.kind == kind)
        if rows.size:
            out.append(_sense_kind(kind, rows, sensors, pop, snap, rng, ground))
    return out


def _look_times(sensors: SensorArray, rows: IntArray, t: float) -> tuple[IntArray, FloatArray]:
    """Sensors looking during [t, t + 1) and when. Look k of a sensor falls at
    phase + k·period, moved by up to ± look_jitter_s (a fixed pseudo-random amount per sensor
    and look, so it needs no random draw); the laydown keeps period ≥ 1 s + 2 × jitter, so a
    sensor looks at most once a tick."""
    period, phase = sensors.param("period_s")[rows], sensors.phase_s[rows]
    jitter = sensors.param("look_jitter_s")[rows]
    k = np.ceil((t - phase - jitter) / period)
    nxt = phase + k * period + jitter * (2.0 * _unit_hash(rows, k) - 1.0)
    looking = (nxt >= t) & (nxt < t + 1.0)
    return rows[looking], nxt[looking]


def _unit_hash(rows: IntArray, k: FloatArray) -> FloatArray:
    """A number in [0, 1) fixed by (sensor row, look number): SplitMix64's finaliser."""
    z = (rows.astype(np.uint64) << np.uint64(40)) ^ k.astype(np.int64).astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.asarray((z >> np.uint64(11)).astype(np.float64) / float(1 << 53))


def _eligible(kind: SensorKind, pop: Population, snap: Snapshot) -> npt.NDArray[np.bool_]:
    rows = snap.index
    if kind is SensorKind.RF:
        return pop.emits_rf[rows] & (pop.rf_range_m[rows] > 0)
    if kind is SensorKind.ACOUSTIC:
        return pop.acoustic_range_m[rows] > 0
    if kind is SensorKind.REMOTE_ID:
        return pop.remote_id[rows]
    if kind is SensorKind.ADSB:
        return pop.adsb[rows] | pop.flarm[rows]
    return np.ones(rows.size, bool)


def _sense_kind(
    kind: SensorKind,
    rows: IntArray,
    sensors: SensorArray,
    pop: Population,
    snap: Snapshot,
    rng: np.random.Generator,
    ground: GroundModel,
) -> Sensed:
    looking, t_look = _look_times(sensors, rows, snap.t)
    pairs = _pairs(kind, looking, t_look, sensors, pop, snap)
    keep = _visible(kind, pairs, sensors, pop, snap, ground) & (
        rng.uniform(size=pairs.t.size) < _pd(kind, pairs, sensors, pop, snap)
    )
    batch, obj = _measure(kind, pairs, keep, sensors, pop, snap, rng)
    clutter = _false_alarms(kind, looking, t_look, sensors, rng)
    reports = ReportBatch.concat([batch, clutter])
    _delay(reports, sensors, rng)
    return Sensed(reports, np.concatenate([obj, np.full(len(clutter), FALSE_ALARM)]))


def _pairs(
    kind: SensorKind,
    looking: IntArray,
    t_look: FloatArray,
    sensors: SensorArray,
    pop: Population,
    snap: Snapshot,
) -> _Pairs:
    candidates = np.flatnonzero(_eligible(kind, pop, snap))
    empty = _Pairs(
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros((0, 3)),
        np.zeros((0, 3)),
    )
    if candidates.size == 0 or looking.size == 0:
        return empty
    sensor_pos, obj = _near(
        snap.position[candidates], sensors.ecef[looking], sensors.param("max_range_m")[looking]
    )
    if obj.size == 0:
        return empty
    obj = candidates[obj]
    s = looking[sensor_pos]
    t = t_look[sensor_pos]
    position = snap.position[obj] + snap.velocity[obj] * (t - snap.t)[:, None]
    meas = radar_measure(position, sensors.ecef[s], sensors.lat[s], sensors.lon[s])
    if kind is SensorKind.RADAR:  # the beam reaches the target's azimuth later in the scan
        t = t + sensors.param("period_s")[s] * meas[:, 1] / 360.0
        position = snap.position[obj] + snap.velocity[obj] * (t - snap.t)[:, None]
        meas = radar_measure(position, sensors.ecef[s], sensors.lat[s], sensors.lon[s])
    return _Pairs(s, obj, t, position, meas)


def _near(
    objects: FloatArray, sensor_points: FloatArray, max_range: FloatArray
) -> tuple[IntArray, IntArray]:
    """(sensor position, object position) pairs closer than each sensor's max range, found with
    one k-d tree query per distinct range (no Python loop over sensors or objects)."""
    object_tree = cKDTree(objects)
    sensor_parts, object_parts = [], []
    for reach in np.unique(max_range):
        rows = np.flatnonzero(max_range == reach)
        found = cKDTree(sensor_points[rows]).sparse_distance_matrix(
            object_tree, float(reach), output_type="ndarray"
        )
        sensor_parts.append(rows[found["i"]])
        object_parts.append(found["j"].astype(np.int64))
    sensor_pos, obj = np.concatenate(sensor_parts), np.concatenate(object_parts)
    order = np.lexsort((obj, sensor_pos))  # deterministic order whatever the tree returns
    return sensor_pos[order], obj[order]


def _sector_centre(sensors: SensorArray, s: IntArray, t: FloatArray) -> FloatArray:
    sweep = sensors.param("sweep_deg")[s]
    phase = 2.0 * np.pi * t / sensors.param("sweep_period_s")[s]
    return np.asarray(
        sensors.param("sector_centre_deg")[s] + sweep * (2.0 / np.pi) * np.arcsin(np.sin(phase))
    )


def _visible(
    kind: SensorKind,
    p: _Pairs,
    sensors: SensorArray,
    pop: Population,
    snap: Snapshot,
    ground: GroundModel,
) -> npt.NDArray[np.bool_]:
    s = p.sensor
    rng_m, az, el = p.meas[:, 0], p.meas[:, 1], p.meas[:, 2]
    ok = (rng_m >= sensors.param("min_range_m")[s]) & (rng_m <= sensors.param("max_range_m")[s])
    ok &= (el >= sensors.param("min_elevation_deg")[s]) & (
        el <= sensors.param("max_elevation_deg")[s]
    )
    width = sensors.param("sector_width_deg")[s]
    off = np.abs(np.mod(az - _sector_centre(sensors, s, p.t) + 180.0, 360.0) - 180.0)
    ok &= (width >= 360.0) | (off <= width / 2.0)
    if kind is SensorKind.ADSB:  # FLARM-only aircraft reach only the feeds that relay FLARM
        rows = snap.index[p.obj]
        ok &= pop.adsb[rows] | (sensors.param("sees_flarm")[s] > 0)
    if kind is not SensorKind.ACOUSTIC:
        needs = sensors.param("horizon")[s] > 0
        ok &= ~needs | _in_sight(p, ok & needs, sensors, snap, ground)
    return np.asarray(ok)


def _in_sight(
    p: _Pairs,
    ok: npt.NDArray[np.bool_],
    sensors: SensorArray,
    snap: Snapshot,
    ground: GroundModel,
) -> npt.NDArray[np.bool_]:
    """Above the smooth-Earth horizon (heights over the lower of the two grounds) and not
    hidden by terrain; the terrain profile is sampled only for pairs still in view."""
    s = p.sensor
    distance = p.meas[:, 0] * np.cos(np.radians(p.meas[:, 2]))
    under_sensor = sensors.alt[s] - sensors.param("mast_m")[s]
    base = np.minimum(under_sensor, snap.ground[p.obj])
    sight = line_of_sight(distance, sensors.alt[s] - base, snap.alt[p.obj] - base)
    check = np.flatnonzero(ok & sight)
    o = p.obj[check]
    sight[check] = terrain_clear(
        ground,
        sensors.lat[s[check]],
        sensors.lon[s[check]],
        sensors.alt[s[check]],
        snap.lat[o],
        snap.lon[o],
        snap.alt[o],
    )
    return sight


def _pd(
    kind: SensorKind, p: _Pairs, sensors: SensorArray, pop: Population, snap: Snapshot
) -> FloatArray:
    s, rows, rng_m = p.sensor, snap.index[p.obj], p.meas[:, 0]
    scale = sensors.param("range_scale")[s]
    if kind is SensorKind.RADAR:
        return radar_detection_probability(
            pop.rcs_m2[rows],
            rng_m,
            sensors.param("range_pd50_m")[s],
            sensors.param("reference_rcs_m2")[s],
            sensors.param("pfa")[s],
        )
    if kind is SensorKind.ACOUSTIC:
        return passive_detection_probability(rng_m, pop.acoustic_range_m[rows] * scale)
    if kind is SensorKind.RF:
        return passive_detection_probability(rng_m, pop.rf_range_m[rows] * scale)
    if kind is SensorKind.EOIR:
        return passive_detection_probability(rng_m, pop.optical_range_m[rows] * scale)
    return np.asarray(sensors.param("detection_probability")[s])


def _measure(
    kind: SensorKind,
    p: _Pairs,
    keep: npt.NDArray[np.bool_],
    sensors: SensorArray,
    pop: Population,
    snap: Snapshot,
    rng: np.random.Generator,
) -> tuple[ReportBatch, IntArray]:
    s, obj, t, meas = p.sensor[keep], p.obj[keep], p.t[keep], p.meas[keep]
    n = s.size
    batch = ReportBatch.allocate(n)
    batch.sensor_index[:] = s
    batch.sensor_kind[:] = int(kind)
    batch.t_measured[:] = t
    if kind in (SensorKind.REMOTE_ID, SensorKind.ADSB):
        _position_fix(batch, p.position[keep], snap.velocity[obj], sensors, s, rng)
        rows = snap.index[obj]
        batch.identity[:] = pop.identity[rows]
        batch.declared_class[:] = int(
            ObjectClass.DRONE if kind is SensorKind.REMOTE_ID else ObjectClass.AIRCRAFT
        )
        batch.class_confidence[:] = 0.99
        _cooperative_1_1(kind, batch, pop, rows)
        return batch, snap.index[obj]
    sig_az = sensors.param("sigma_azimuth_deg")[s]
    sig_el = sensors.param("sigma_elevation_deg")[s]
    batch.azimuth_deg[:] = np.mod(meas[:, 1] + rng.normal(0.0, 1.0, n) * sig_az, 360.0)
    batch.sigma_azimuth_deg[:] = sig_az
    has_el = sig_el > 0
    batch.elevation_deg[:] = np.where(has_el, meas[:, 2] + rng.normal(0.0, 1.0, n) * sig_el, np.nan)
    batch.sigma_elevation_deg[:] = np.where(has_el, sig_el, np.nan)
    if kind is SensorKind.RADAR:
        batch.measurement[:] = int(MeasurementKind.RADAR)
        sig_r = sensors.param("sigma_range_m")[s]
        batch.range_m[:] = meas[:, 0] + rng.normal(0.0, 1.0, n) * sig_r
        batch.sigma_range_m[:] = sig_r
        batch.rcs_dbsm[:] = _dbsm(pop.rcs_m2[snap.index[obj]], _side(rng))
    else:
        batch.measurement[:] = int(MeasurementKind.BEARING)
    if kind is SensorKind.EOIR:
        _declare_class(batch, pop, snap.index[obj], sensors.param("class_accuracy")[s], rng)
    return batch, snap.index[obj]


def _position_fix(
    batch: ReportBatch,
    position: FloatArray,
    velocity: FloatArray,
    sensors: SensorArray,
    s: IntArray,
    rng: np.random.Generator,
) -> None:
    n = s.size
    sig_h, sig_v = sensors.param("sigma_horizontal_m")[s], sensors.param("sigma_vertical_m")[s]
    lat, lon, _ = ecef_to_geodetic(position)
    rotation = ecef_to_enu_rotation(lat, lon)
    noise_enu = rng.normal(0.0, 1.0, (n, 3)) * np.stack([sig_h, sig_h, sig_v], axis=-1)
    noisy = position + np.einsum("nji,nj->ni", rotation, noise_enu)
    batch.lat_deg[:], batch.lon_deg[:], batch.alt_m[:] = ecef_to_geodetic(noisy)
    batch.sigma_horizontal_m[:] = sig_h
    batch.sigma_vertical_m[:] = sig_v
    batch.measurement[:] = int(MeasurementKind.POSITION)
    v_enu = np.einsum("nij,nj->ni", rotation, velocity)
    batch.speed_mps[:] = np.hypot(v_enu[:, 0], v_enu[:, 1])
    batch.course_deg[:] = np.mod(np.degrees(np.arctan2(v_enu[:, 0], v_enu[:, 1])), 360.0)
    batch.vertical_rate_mps[:] = v_enu[:, 2]


def _cooperative_1_1(kind: SensorKind, batch: ReportBatch, pop: Population, rows: IntArray) -> None:
    """Format 1.1 columns of ADS-B and Remote ID reports (module docstring)."""
    if kind is SensorKind.REMOTE_ID:
        batch.emitter_category[:] = 0xB6
        step = RID_VS_STEP_MPS
    else:
        category = _CATEGORY_OF_KIND[pop.kind[rows]]
        heavy = (category == 0xA3) & (pop.rcs_m2[rows] >= HEAVY_RCS_M2)
        batch.emitter_category[:] = np.where(heavy, 0xA5, category)
        r95 = R95_PER_SIGMA * batch.sigma_horizontal_m
        i = np.searchsorted(_NACP_EPU_M, r95, side="right")
        batch.nacp[:] = np.where(i < _NACP_EPU_M.size, 11 - i, 0)
        j = np.searchsorted(_NIC_RC_M, r95, side="left")
        batch.nic[:] = np.where(j < _NIC_RC_M.size, 11 - j, 0)
        step = ADSB_VR_STEP_MPS
    batch.vertical_rate_mps[:] = np.round(batch.vertical_rate_mps / step) * step


def _side(rng: np.random.Generator) -> np.random.Generator:
    """A generator for the format 1.1 draws that leaves ``rng``'s stream as it was."""
    return np.random.Generator(cast(np.random.PCG64, rng.bit_generator).jumped())


def _dbsm(rcs_m2: FloatArray, side: np.random.Generator) -> FloatArray:
    """A radar's RCS estimate: a Swerling I target's scan-to-scan fluctuation, in dBsm."""
    return np.asarray(10.0 * np.log10(rcs_m2 * side.exponential(1.0, rcs_m2.size)))


def _declare_class(
    batch: ReportBatch,
    pop: Population,
    rows: IntArray,
    accuracy: FloatArray,
    rng: np.random.Generator,
) -> None:
    """EO/IR classifiers declare the right class with probability ``accuracy``, else a wrong one,
    with a confidence that is higher on average when right."""
    true_class = _CLASS_OF_KIND[pop.kind[rows]]
    right = rng.uniform(size=rows.size) < accuracy
    wrong = (true_class - 1 + rng.integers(1, 3, rows.size)) % 3 + 1
    batch.declared_class[:] = np.where(right, true_class, wrong)
    batch.class_confidence[:] = np.where(
        right, rng.uniform(0.6, 0.95, rows.size), rng.uniform(0.4, 0.7, rows.size)
    ).astype(np.float32)


def _false_alarms(
    kind: SensorKind,
    looking: IntArray,
    t_look: FloatArray,
    sensors: SensorArray,
    rng: np.random.Generator,
) -> ReportBatch:
    if kind in (SensorKind.REMOTE_ID, SensorKind.ADSB) or looking.size == 0:
        return ReportBatch.empty()
    per_look = np.where(
        kind is SensorKind.RADAR,
        sensors.param("false_alarms_per_scan")[looking],
        sensors.param("false_alarms_per_hour")[looking]
        * sensors.param("period_s")[looking]
        / 3600.0,
    )
    counts = rng.poisson(per_look)
    s = np.repeat(looking, counts)
    n = s.size
    batch = ReportBatch.allocate(n)
    if n == 0:
        return batch
    batch.sensor_index[:] = s
    batch.sensor_kind[:] = int(kind)
    width = sensors.param("sector_width_deg")[s]
    az = sensors.param("sector_centre_deg")[s] + (rng.uniform(size=n) - 0.5) * np.minimum(
        width, 360.0
    )
    batch.azimuth_deg[:] = np.mod(az, 360.0)
    batch.sigma_azimuth_deg[:] = sensors.param("sigma_azimuth_deg")[s]
    sig_el = sensors.param("sigma_elevation_deg")[s]
    elevation = rng.uniform(0.0, 1.0, n) * 10.0
    batch.elevation_deg[:] = np.where(sig_el > 0, elevation, np.nan)
    batch.sigma_elevation_deg[:] = np.where(sig_el > 0, sig_el, np.nan)
    batch.t_measured[:] = np.repeat(t_look, counts) + rng.uniform(size=n) * np.where(
        kind is SensorKind.RADAR, sensors.param("period_s")[s], 0.0
    )
    if kind is SensorKind.RADAR:
        batch.measurement[:] = int(MeasurementKind.RADAR)
        low, high = sensors.param("min_range_m")[s], sensors.param("max_range_m")[s]
        batch.range_m[:] = np.sqrt(
            low**2 + (high**2 - low**2) * rng.uniform(size=n)
        )  # uniform in area
        batch.sigma_range_m[:] = sensors.param("sigma_range_m")[s]
        # a noise peak reads as a target at the detection threshold of its range (σ ∝ R⁴)
        threshold = (
            sensors.param("reference_rcs_m2")[s]
            * (batch.range_m / sensors.param("range_pd50_m")[s]) ** 4
        )
        batch.rcs_dbsm[:] = _dbsm(threshold, _side(rng))
    else:
        batch.measurement[:] = int(MeasurementKind.BEARING)
    if kind is SensorKind.EOIR:
        batch.declared_class[:] = rng.integers(1, 4, n)
        batch.class_confidence[:] = rng.uniform(0.4, 0.7, n).astype(np.float32)
    return batch


def _delay(reports: ReportBatch, sensors: SensorArray, rng: np.random.Generator) -> None:
    s = reports.sensor_index
    latency = sensors.param("latency_s")[s]
    jitter = rng.exponential(1.0, s.size) * sensors.param("jitter_s")[s]
    reports.t_arrival[:] = reports.t_measured + latency + jitter
