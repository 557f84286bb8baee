"""Each term of the priority, its points and its words."""

from __future__ import annotations

import pytest

from dronewall.assess import AssessConfig, Geofence, ThreatAssessor, build_zones
from dronewall.core.types import ObjectKind
from dronewall.world import SiteKind
from tests.assess.conftest import Fly, classes, site, tracks

AIRPORT = site("airport-eprz", radius_m=5_000.0, kind=SiteKind.AIRPORT, name="Rzeszow airport")
SLOW_HIGH = {"up_m": 1_000.0}  # neither fast nor low: no motion points


def assess_one(flight: Fly, p_drone: float = 1.0, zones: bool = True, **class_options: object):
    assessor = ThreatAssessor(build_zones([AIRPORT] if zones else []))
    batch = classes([flight.track_id], p_drone, **class_options)  # type: ignore[arg-type]
    threat = assessor.assess(tracks([flight]), batch)
    return float(threat.priority[0]), threat.reasons[0]


def test_drone_probability_scales_everything() -> None:
    far = Fly(1, 0.0, 80_000.0, **SLOW_HIGH)  # nothing in reach: the base 10 only
    priority, reasons = assess_one(far, p_drone=0.97)
    assert priority == pytest.approx(0.97 * 10.0)
    assert reasons == "drone 0.97"


def test_inbound_names_the_site_distance_and_time() -> None:
    # 9.8 km west at 25 m/s: 4.8 km to the 5 km circle → 192 s. Site points
    # 0.9 (airport) × (60 − 30 × 192 / 900).
    priority, reasons = assess_one(Fly(1, -9_800.0, 0.0, v_east=25.0, **SLOW_HIGH), p_drone=0.8)
    points = 0.9 * (60.0 - 30.0 * 192.0 / 900.0)
    assert priority == pytest.approx(0.8 * (10.0 + points))
    assert reasons == f"drone 0.80; inbound to Rzeszow airport, 9.8 km, 192 s (+{points:.0f})"


def test_inside_a_geofence() -> None:
    fence = Geofence(
        "depot",
        "Depot X",
        SiteKind.MILITARY,
        ((49.99, 19.99), (49.99, 20.01), (50.01, 20.01), (50.01, 19.99)),
    )
    assessor = ThreatAssessor(build_zones([], [fence]))
    threat = assessor.assess(tracks([Fly(1, 0.0, 0.0, **SLOW_HIGH)]), classes([1], 1.0))
    assert threat.inside[0] and threat.site_id[0] == "depot"
    assert threat.priority[0] == pytest.approx(10.0 + 60.0)
    assert "inside Depot X (+60)" in threat.reasons[0]


def test_one_way_attack_type_with_its_confidence() -> None:
    far = Fly(1, 0.0, 80_000.0, **SLOW_HIGH)
    kind = int(ObjectKind.ONE_WAY_ATTACK)
    priority, reasons = assess_one(far, drone_kind=kind, kind_probability=0.8)
    assert priority == pytest.approx(10.0 + 20.0 * 0.8)
    assert "one-way attack type 0.80 (+16)" in reasons
    decoy, words = assess_one(far, drone_kind=int(ObjectKind.DECOY), kind_probability=1.0)
    assert decoy == pytest.approx(15.0) and "decoy type 1.00 (+5)" in words


@pytest.mark.parametrize(
    ("speed", "height", "words", "points"),
    [
        (45.0, 100.0, "fast, low (+10)", 10.0),
        (45.0, 1_000.0, "fast (+5)", 5.0),
        (10.0, 100.0, "low (+5)", 5.0),
    ],
)
def test_fast_and_low(speed: float, height: float, words: str, points: float) -> None:
    priority, reasons = assess_one(Fly(1, 0.0, 0.0, up_m=height, v_north=speed), zones=False)
    assert priority == pytest.approx(10.0 + points)
    assert reasons.endswith(words)


def test_near_miss_within_the_uncertainty() -> None:
    # Passes 5.5 km from the centre: 0.5 km outside the circle, abeam after 200 s, when the
    # 1-σ spread is sqrt(200³/3) = 1633 m; points 0.9 × 20 × (1 − 500 / (2 × 1633)).
    flight = Fly(1, -10_000.0, 5_500.0, v_east=50.0, **SLOW_HIGH)
    priority, reasons = assess_one(flight)
    sigma = (200.0**3 / 3.0) ** 0.5
    points = 0.9 * 20.0 * (1.0 - 500.0 / (2.0 * sigma))
    assert priority == pytest.approx(10.0 + points + 5.0)  # and fast
    assert f"passes 0.5 km outside Rzeszow airport in 200 s (+{points:.0f})" in reasons


def test_friendly_is_zero_and_says_why() -> None:
    priority, reasons = assess_one(Fly(1, 0.0, 0.0), friendly=True)
    assert priority == 0.0
    assert reasons == "registered friendly drone: never alerted"


def test_unclassified_uses_the_uniform_prior() -> None:
    assessor = ThreatAssessor(build_zones([AIRPORT]), AssessConfig(unclassified_p_drone=0.25))
    threat = assessor.assess(tracks([Fly(1, 0.0, 80_000.0, **SLOW_HIGH)]), None)
    assert threat.priority[0] == pytest.approx(2.5)
    assert threat.reasons[0] == "not classified yet, drone 0.25 assumed"


def test_most_threatening_zone_wins_and_others_are_counted() -> None:
    plant = site("plant", lat=50.0, lon=20.0, kind=SiteKind.NUCLEAR, name="Plant")
    port = site("port", lat=50.0, lon=20.001, radius_m=3_000.0, kind=SiteKind.PORT, name="Port")
    assessor = ThreatAssessor(build_zones([port, plant]))
    threat = assessor.assess(tracks([Fly(1, 0.0, 0.0, **SLOW_HIGH)]), classes([1], 1.0))
    assert threat.site_id[0] == "plant"  # both inside; nuclear weighs more than a port
    assert threat.reasons[0].endswith("1 more zone on its path")


def test_priority_never_passes_100() -> None:
    flight = Fly(1, 0.0, 0.0, v_east=60.0)
    priority, _ = assess_one(flight, drone_kind=1, kind_probability=1.0)
    assert priority == pytest.approx(0.9 * 60.0 + 10.0 + 20.0 + 10.0)
    assert priority <= 100.0
