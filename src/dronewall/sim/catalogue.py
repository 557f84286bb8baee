"""Default physical parameters of simulated objects and sensors.

Figures are public, order-of-magnitude values (see ``../shared/MISSION.md`` "Facts and
figures" and ``docs/scenario-format.md``); scenarios override any of them.

* Shahed-136/Geran-2: ~185 km/h cruise, 2.5 m span, loud two-stroke engine; RCS of a small
  composite airframe, a few tenths of a m². Gerbera decoy: ~160 km/h, foam and plywood.
* Quadcopter (DJI class): 10–15 m/s, RCS ~0.01 m², always emits its control link.
* Orlan-10-class reconnaissance: 90–150 km/h, 1–3 km altitude, emits its data link.
* Airliners: RCS 10–100 m², ADS-B out.  Bird flocks: RCS 0.001–0.05 m².
* Gliders (ASK 21 / LS8 class): best glide ~30–40 m/s, thermalling at 22–28 m/s banked
  40–50° (turn rate g·tan φ / v ≈ 15–25°/s, radius 60–100 m), climbs 1–3 m/s in thermals,
  sinks ~1 m/s between them (glide ratio 35–45); 300–2,500 m above ground on a good day
  (Reichmann, *Cross-Country Soaring*, 1978; EASA CS-22). Mostly glass-fibre: RCS ~1–5 m²
  (the metal tow hook, control rods and pilot dominate). FLARM is near universal in Europe;
  ADS-B out is rare (transponders are only required in some airspace).
* Helicopters (EC135/H145, R44): cruise 55–70 m/s, hover and slow search phases, 100–900 m
  above ground; RCS 3–10 m² (rotor hub and blades); police, rescue and offshore ones carry
  Mode S / ADS-B.
* Light aircraft (Cessna 172, PA-28): 40–70 m/s, circuits at ~1,000 ft (300 m) above the
  airfield with standard-rate to 6°/s turns, cross-country 600–2,000 m; RCS 1–5 m².
* Ultralights (microlights, gyrocopters, paramotors): 14–30 m/s, 100–600 m above ground,
  RCS 0.5–2 m² (tube frame, engine, pilot).

Heights of every kind but the airliners are held above the terrain (``world.terrain``); the
airliners' climb and descent profile starts and ends at the ground height of their airports.
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
    accel_mps2: float = 2.0  # how fast it changes speed (m/s²)


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
    # Altitudes of the manned kinds are above ground; climb rate is the most it climbs or sinks
    # outside a thermal (gliders: the sink of a glide at 35 m/s with a glide ratio ~30).
    ObjectKind.GLIDER: ObjectDefaults(
        (90, 160), (300, 2500), (1.0, 5.0), 22.0, 1.2, 0, 8000, 0, (300, 1000), 1.5
    ),
    ObjectKind.HELICOPTER: ObjectDefaults(
        (200, 270), (100, 900), (3.0, 10.0), 15.0, 6.0, 6000, 15000, 0, (400, 600), 2.5
    ),
    ObjectKind.LIGHT_AIRCRAFT: ObjectDefaults(
        (150, 250), (300, 2000), (1.0, 5.0), 6.0, 4.0, 5000, 12000, 0, (800, 1200), 1.5
    ),
    ObjectKind.ULTRALIGHT: ObjectDefaults(
        (50, 108), (100, 600), (0.5, 2.0), 10.0, 2.5, 3000, 6000, 0, (200, 400), 1.0
    ),
}

# Share of each manned kind carrying ADS-B out and FLARM (illustrative, after the German
# DFS/DAeC picture: FLARM is near universal on gliders, ADS-B out rare below the airways).
EQUIPAGE: dict[ObjectKind, tuple[float, float]] = {  # kind → (ADS-B share, FLARM share)
    ObjectKind.GLIDER: (0.05, 0.9),
    ObjectKind.HELICOPTER: (0.8, 0.3),
    ObjectKind.LIGHT_AIRCRAFT: (0.5, 0.4),
    ObjectKind.ULTRALIGHT: (0.1, 0.4),
}

# Kinds whose height is held above the terrain (all but the airliners, whose profile is
# referred to their airports' ground height).
ABOVE_GROUND_KINDS = frozenset(OBJECT_DEFAULTS) - {ObjectKind.CIVIL_AIRCRAFT}


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
    sees_flarm: float = 0.0  # 1: also receives FLARM (an ADS-B/FLARM network feed)
    horizon: float = 1.0  # 1: sees only above its horizon and terrain; 0: a network feed
    look_jitter_s: float = 0.0  # each look moves by up to ± this (s) from its regular time


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
    # An ADS-B/FLARM network feed (community aggregators such as the Open Glider Network):
    # positions of ADS-B and FLARM aircraft relayed from many receivers, one per aircraft
    # every 7–10 s (8.5 s period, each look moved by up to ±0.75 s), a couple of seconds late.
    "adsb-network": SensorDefaults(
        SensorKind.ADSB,
        period_s=8.5,
        look_jitter_s=0.75,
        latency_s=2.0,
        jitter_s=1.0,
        max_range_m=400_000,
        mast_m=0,
        detection_probability=0.97,
        sigma_horizontal_m=15.0,
        sigma_vertical_m=10.0,
        sees_flarm=1.0,
        horizon=0.0,
    ),
}
