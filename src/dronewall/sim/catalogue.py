"""Default physical parameters of simulated objects and sensors.

Figures are public, order-of-magnitude values (see ``../shared/MISSION.md`` "Facts and
figures" and ``docs/scenario-format.md``); scenarios override any of them.

* Shahed-136/Geran-2: ~185 km/h cruise, 2.5 m span, loud two-stroke engine; RCS of a small
  composite airframe, a few tenths of a m². Gerbera decoy: ~160 km/h, foam and plywood.
* Quadcopter (DJI class): 10–15 m/s, RCS ~0.01 m², always emits its control link.
* Orlan-10-class reconnaissance: 90–150 km/h, 1–3 km altitude, emits its data link.
* Airliners: RCS 10–100 m², ADS-B out.  Bird flocks: RCS 0.001–0.05 m².
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewall.core.types import ObjectKind, SensorKind


@dataclass(frozen=True, slots=True)
class ObjectDefaults:
    """Defaults of one kind of object (ranges are [low, high] for uniform draws)."""

    speed_kmh: tuple[float, float]
    altitude_m: tuple[float, float]
    rcs_m2: tuple[float, float]
    max_turn_rate_deg_s: float  # coordinated-turn limit
    climb_rate_mps: float
    acoustic_range_m: float  # range at which a standard acoustic node detects it half the time
    optical_range_m: float  # range at which a standard EO/IR camera detects it half the time
    rf_range_m: float  # range at which an RF detector hears its emissions half the time
    range_km: tuple[float, float]  # fuel: distance it can fly


OBJECT_DEFAULTS: dict[ObjectKind, ObjectDefaults] = {
    ObjectKind.ONE_WAY_ATTACK: ObjectDefaults(
        (170, 190), (60, 400), (0.1, 0.5), 6.0, 4.0, 3500, 6000, 8000, (1000, 2000)
    ),
    ObjectKind.DECOY: ObjectDefaults(
        (150, 170), (100, 600), (0.05, 0.3), 6.0, 4.0, 2500, 4000, 6000, (600, 700)
    ),
    ObjectKind.QUADCOPTER: ObjectDefaults(
        (30, 55), (40, 150), (0.005, 0.02), 30.0, 3.0, 300, 1500, 3000, (15, 25)
    ),
    ObjectKind.RECON_FIXED_WING: ObjectDefaults(
        (90, 150), (600, 2500), (0.05, 0.2), 8.0, 3.0, 1500, 4000, 15000, (500, 1000)
    ),
    ObjectKind.CIVIL_AIRCRAFT: ObjectDefaults(
        (780, 880), (9500, 11500), (10, 100), 3.0, 10.0, 8000, 40000, 0, (20000, 20000)
    ),
    ObjectKind.BIRD_FLOCK: ObjectDefaults(
        (30, 70), (20, 600), (0.001, 0.05), 15.0, 1.5, 0, 1200, 0, (100, 400)
    ),
}


@dataclass(frozen=True, slots=True)
class SensorDefaults:
    """Defaults of one sensor model. Not every field applies to every kind."""

    kind: SensorKind
    period_s: float = 1.0
    latency_s: float = 0.5  # fixed part of report delay
    jitter_s: float = 0.3  # mean of the exponential, random part of report delay
    max_range_m: float = 10_000.0
    min_range_m: float = 50.0
    mast_m: float = 10.0
    # radar equation: range at which a target of reference_rcs_m2 is detected half the time
    range_pd50_m: float = 10_000.0
    reference_rcs_m2: float = 0.1
    pfa: float = 1e-6
    false_alarms_per_scan: float = 0.0
    false_alarms_per_hour: float = 0.0
    sigma_range_m: float = 0.0
    sigma_azimuth_deg: float = 0.0
    sigma_elevation_deg: float = 0.0  # 0 means the sensor measures no elevation
    min_elevation_deg: float = -5.0
    max_elevation_deg: float = 70.0
    sector_centre_deg: float = 0.0  # azimuth sector watched (radar, EO/IR)
    sector_width_deg: float = 360.0
    sweep_deg: float = 0.0  # EO/IR: the boresight sweeps ± this around the sector centre
    sweep_period_s: float = 60.0
    range_scale: float = 1.0  # scales the object's acoustic/optical/RF half-detection range
    detection_probability: float = 0.95  # cooperative sensors (Remote ID, ADS-B)
    sigma_horizontal_m: float = 0.0
    sigma_vertical_m: float = 0.0
    class_accuracy: float = 0.0  # probability the declared class is right (EO/IR)


SENSOR_MODELS: dict[str, SensorDefaults] = {
    # Counter-UAS 3-D radar on a mast (Spexer/Giraffe 1X class): small drones to ~5-10 km.
    "cuas-radar": SensorDefaults(
        SensorKind.RADAR,
        period_s=1.0,
        latency_s=0.3,
        jitter_s=0.1,
        max_range_m=20_000,
        min_range_m=150,
        mast_m=10,
        range_pd50_m=9_000,
        reference_rcs_m2=0.1,
        false_alarms_per_scan=2.0,
        sigma_range_m=10,
        sigma_azimuth_deg=0.5,
        sigma_elevation_deg=0.7,
    ),
    # Medium-range air-surveillance radar: sees drones to ~40 km, airliners to the horizon.
    "surveillance-radar": SensorDefaults(
        SensorKind.RADAR,
        period_s=4.0,
        latency_s=0.5,
        jitter_s=0.2,
        max_range_m=150_000,
        min_range_m=500,
        mast_m=20,
        range_pd50_m=35_000,
        reference_rcs_m2=0.1,
        false_alarms_per_scan=5.0,
        sigma_range_m=40,
        sigma_azimuth_deg=0.3,
        sigma_elevation_deg=0.5,
    ),
    # Passive RF detector / direction finder: bearings to emitters only.
    "rf-df": SensorDefaults(
        SensorKind.RF,
        period_s=1.0,
        latency_s=0.5,
        jitter_s=0.3,
        max_range_m=40_000,
        mast_m=8,
        sigma_azimuth_deg=3.0,
        false_alarms_per_hour=2.0,
    ),
    # Low-cost acoustic node (Sky Fortress class, ~$500): short range, bearing and elevation.
    "acoustic-node": SensorDefaults(
        SensorKind.ACOUSTIC,
        period_s=1.0,
        latency_s=1.0,
        jitter_s=0.5,
        max_range_m=12_000,
        mast_m=3,
        sigma_azimuth_deg=5.0,
        sigma_elevation_deg=8.0,
        false_alarms_per_hour=1.0,
    ),
    # Day/night EO/IR camera: narrow field of view, precise bearing and elevation, classifies.
    "eoir-camera": SensorDefaults(
        SensorKind.EOIR,
        period_s=1.0,
        latency_s=0.4,
        jitter_s=0.1,
        max_range_m=60_000,
        mast_m=12,
        sigma_azimuth_deg=0.1,
        sigma_elevation_deg=0.1,
        sector_width_deg=30.0,
        sweep_deg=60.0,
        sweep_period_s=120.0,
        class_accuracy=0.85,
        min_elevation_deg=-5,
        max_elevation_deg=30,
    ),
    # Remote ID receiver (ASTM F3411 broadcast over Bluetooth/Wi-Fi): cooperative drones only.
    "remote-id-receiver": SensorDefaults(
        SensorKind.REMOTE_ID,
        period_s=1.0,
        latency_s=0.3,
        jitter_s=0.2,
        max_range_m=3_000,
        mast_m=5,
        detection_probability=0.9,
        sigma_horizontal_m=5.0,
        sigma_vertical_m=8.0,
    ),
    # ADS-B ground receiver (1090 MHz): cooperative aircraft to the radio horizon.
    "adsb-receiver": SensorDefaults(
        SensorKind.ADSB,
        period_s=1.0,
        latency_s=0.5,
        jitter_s=0.3,
        max_range_m=350_000,
        mast_m=15,
        detection_probability=0.95,
        sigma_horizontal_m=15.0,
        sigma_vertical_m=8.0,
    ),
}
