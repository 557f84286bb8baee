"""Identification on real skies (issue 14): ICAO addresses in any case, heights above the
ground, unknown heights, circling gliders, hovering, the tracker's existence score, and a
track that jumps to another object not keeping its class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import ClassBatch, TrackBatch
from dronewall.core.types import ObjectClass
from dronewall.identify import Classifier
from dronewall.identify.features import FeatureHistory
from tests.identify.tracks import one_track

T0 = 1_000.0
UPLAND = (47.3, 11.3)  # Tyrol: ground about 1,200 m above the ellipsoid


def track(
    t: float,
    velocity: tuple[float, float, float],
    height: float,
    *,
    emitting: bool = False,
    **kw: object,
) -> TrackBatch:
    """``emitting``: every other update of the track is an RF bearing, from 2 stations."""
    updates = 2 * int(t - T0) + 2
    if emitting:
        kw = {"rf": updates // 2, "rf_stations": 2, **kw}
    return one_track(t=t, t_first=T0, velocity_enu=velocity, height=height, sigma_v=1.0,
                     updates=updates, **kw)  # type: ignore[arg-type]  # fmt: skip


def run(
    classifier: Classifier,
    seconds: int,
    velocity_at: Callable[[int], tuple[float, float, float]],
    height: float,
    **kw: Any,
) -> npt.NDArray[np.float64]:
    """Classify one track every second; the last probabilities."""
    p = np.zeros(4)
    for k in range(seconds):
        t = T0 + k
        out = classifier.classify(track(t, velocity_at(k), height, **kw))
        p = out.probabilities[0]
    return p


def straight(speed: float):  # type: ignore[no-untyped-def]
    return lambda k: (speed, 0.0, 0.0)


def circling(speed: float, deg_per_s: float):  # type: ignore[no-untyped-def]
    def at(k: int) -> tuple[float, float, float]:
        a = np.radians(deg_per_s * k)
        return (speed * np.sin(a), speed * np.cos(a), 0.0)

    return at


def test_lower_case_icao_address_is_an_aircraft_not_a_remote_id() -> None:
    for identity in ("4CA1B2", "4ca1b2"):
        out = Classifier().classify(track(T0 + 30, (12.0, 0, 0), 100.0, identity=identity))
        assert out.label[0] == ObjectClass.AIRCRAFT, identity
        assert "ADS-B" in out.reasons[0]


def test_quadcopter_is_judged_by_height_above_high_ground() -> None:
    """An emitting quadcopter 80 m above ground 1,200 m up is a drone, as it is in the
    lowlands: its height above the ellipsoid (1,280 m) is not what it flies."""
    low = run(Classifier(), 40, straight(10.0), 80.0, emitting=True)
    high = run(Classifier(), 40, straight(10.0), 80.0, lat=UPLAND[0], lon=UPLAND[1], emitting=True)
    assert high[ObjectClass.DRONE] > 0.9
    assert abs(high[ObjectClass.DRONE] - low[ObjectClass.DRONE]) < 0.05


def test_unknown_height_is_not_evidence() -> None:
    """A bearing-only track sits at a default height with a vertical σ of a kilometre: its
    class does not depend on that height."""
    one = run(Classifier(), 30, straight(40.0), 150.0, sigma_up=1000.0)
    other = run(Classifier(), 30, straight(40.0), 3000.0, sigma_up=1000.0)
    assert np.allclose(one, other, atol=1e-6)
    known_low = run(Classifier(), 30, straight(40.0), 150.0)
    known_high = run(Classifier(), 30, straight(40.0), 3000.0)
    assert not np.allclose(known_low, known_high, atol=0.05)  # a measured height counts
    out = Classifier().classify(track(T0 + 30, (40.0, 0, 0), 150.0, sigma_up=1000.0))
    assert "height unknown" in out.reasons[0]


def test_a_thermalling_glider_is_not_a_reconnaissance_drone() -> None:
    """Same speed and height: circling at 20°/s is a glider in a thermal; fixed-wing drones
    fly routes and wide orbits."""
    flying = run(Classifier(), 90, straight(27.0), 900.0)
    thermalling = run(Classifier(), 90, circling(27.0, 20.0), 900.0)
    assert thermalling[ObjectClass.AIRCRAFT] > 0.9
    assert thermalling[ObjectClass.DRONE] < flying[ObjectClass.DRONE] / 10


def test_slow_low_aircraft_are_aircraft() -> None:
    """A light aircraft at 120 km/h and an ultralight at 90 km/h, 500 m above ground. (At
    150–200 km/h a light aircraft flies like a one-way attack drone: only its transponder or a
    camera tells them apart.)"""
    for speed in (33.0, 25.0):
        p = run(Classifier(), 60, circling(speed, 3.0), 500.0)
        assert p[ObjectClass.DRONE] < 0.5, speed


def test_hovering_emitter_stays_a_drone_and_a_hovering_helicopter_does_not_become_one() -> None:
    hover = run(Classifier(), 120, straight(0.3), 60.0, emitting=True)
    assert hover[ObjectClass.DRONE] > 0.9
    helicopter = run(Classifier(), 120, straight(0.5), 400.0)
    assert helicopter[ObjectClass.DRONE] < 0.5


def test_a_track_that_adopts_an_icao_identity_drops_the_drone_history() -> None:
    """A slow emitting drone's track for a minute, then it jumps onto an airliner: the next
    snapshot already reads the airliner, not 60 s of the drone's averages."""
    c = Classifier()
    run(c, 60, straight(12.0), 100.0, emitting=True)
    out = c.classify(track(T0 + 60, (200.0, 0, 0), 1500.0, identity="4ca1b2", rf=60))
    assert out.label[0] == ObjectClass.AIRCRAFT
    f = c.history.update(track(T0 + 61, (200.0, 0, 0), 1500.0, identity="4ca1b2", rf=60))
    assert f.speed[0] > 150.0 and f.age[0] <= 1.0


def test_a_speed_jump_restarts_the_history_but_flight_does_not() -> None:
    history = FeatureHistory()
    for k in range(60):
        f = history.update(track(T0 + k, (12.0, 0, 0), 100.0))
    assert not f.reset.any()
    f = history.update(track(T0 + 60, (90.0, 0, 0), 100.0))
    assert f.reset[0] and f.speed[0] > 85.0
    calm = FeatureHistory()
    for k in range(60):  # a helicopter accelerating 3 m/s² from hover
        f = calm.update(track(T0 + k, (min(3.0 * k, 60.0), 0, 0), 300.0))
        assert not f.reset[0], k


def with_existence(batch: TrackBatch, existence: float) -> TrackBatch:
    """``batch`` with the tracker's existence probability (a stand-in subclass while
    TrackBatch has no such column)."""
    column = np.full(len(batch), existence)
    if "existence" in TrackBatch.column_names():
        return replace(batch, existence=column)  # type: ignore[call-arg,unused-ignore]
    columns = {f.name: getattr(batch, f.name) for f in fields(TrackBatch)}
    return _WithExistence(**columns, existence=column)


@dataclass(frozen=True, slots=True)
class _WithExistence(TrackBatch):
    existence: npt.NDArray[np.float64]


def test_low_existence_track_is_not_called_drone_with_confidence() -> None:
    base = track(T0 + 60, (12.0, 0, 0), 80.0, emitting=True)
    sure = Classifier().classify(with_existence(base, 1.0)).probabilities[0]
    doubt = Classifier().classify(with_existence(base, 0.3))
    assert doubt.probabilities[0, ObjectClass.DRONE] < 0.35
    assert doubt.probabilities[0, ObjectClass.DRONE] < sure[ObjectClass.DRONE]
    assert doubt.label[0] != ObjectClass.DRONE
    unknown = Classifier().classify(with_existence(base, float("nan"))).probabilities[0]
    assert np.allclose(unknown, sure)  # NaN: not known, not held against the track


def test_a_light_aircraft_flying_circuits_is_not_a_one_way_attack_drone() -> None:
    """180 km/h, 300 m above the airfield — a Shahed's speed and height — but flying a
    circuit: four 90° turns at 6°/s joined by 60 s legs."""

    def circuit(k: int) -> tuple[float, float, float]:
        phase = k % 300  # 4 × (60 s leg + 15 s turn)
        leg, into = divmod(phase, 75)
        heading = 90.0 * leg + (6.0 * (into - 60) if into > 60 else 0.0)
        a = np.radians(heading)
        return (50.0 * np.sin(a), 50.0 * np.cos(a), 0.0)

    route = run(Classifier(), 600, straight(50.0), 300.0)
    circuits = run(Classifier(), 600, circuit, 300.0)
    assert route[ObjectClass.DRONE] > 0.9  # a straight route at a Shahed's speed and height
    assert circuits[ObjectClass.DRONE] < 0.5


def _signed(batch: TrackBatch, rcs_m2: float | None, category: int = 0) -> TrackBatch:
    """The track with its radar updates' averaged RCS (as a Swerling I radar reports it on
    average, in dBsm) and an ADS-B emitter category."""
    kinds = batch.kind_updates.copy()
    kinds[:, 1] = batch.n_updates  # SensorKind.RADAR: every update a radar plot
    rcs = np.nan if rcs_m2 is None else 10.0 * np.log10(rcs_m2) - 2.507
    return replace(
        batch,
        kind_updates=kinds,
        rcs_dbsm=np.full(len(batch), rcs),
        emitter_category=np.full(len(batch), category, np.uint8),
    )


def _fly_signed(rcs_m2: float | None, height: float = 300.0, speed: float = 50.0) -> ClassBatch:
    classifier = Classifier()
    for k in range(600):
        out = classifier.classify(_signed(track(T0 + k, (speed, 0.0, 0.0), height), rcs_m2))
    return out


def test_a_light_aircraft_sized_echo_at_a_shaheds_speed_and_height_is_not_a_drone() -> None:
    """180 km/h straight, 300 m above ground — a Shahed's speed and height — with the RCS of a
    light aircraft (3 m²): not a drone; without RCS the kinematics alone say drone."""
    sized = _fly_signed(3.0)
    assert sized.label[0] != ObjectClass.DRONE
    assert sized.probabilities[0, ObjectClass.DRONE] < 0.5  # below any alert (AlertConfig.p_on)
    assert "RCS 3 m²" in sized.reasons[0]
    unsized = _fly_signed(None)
    assert unsized.label[0] == ObjectClass.DRONE
    assert "RCS" not in unsized.reasons[0]
    shahed = _fly_signed(0.25)  # a Shahed's own RCS keeps it a drone
    assert shahed.label[0] == ObjectClass.DRONE
    assert shahed.probabilities[0, ObjectClass.DRONE] > unsized.probabilities[0, ObjectClass.DRONE]


def test_a_bird_sized_echo_is_not_an_airliner_and_an_airliner_sized_one_not_a_bird() -> None:
    bird = _fly_signed(0.01, height=150.0, speed=12.0)
    assert bird.probabilities[0, ObjectClass.AIRCRAFT] < 0.05
    big = _fly_signed(40.0, height=150.0, speed=12.0)
    assert big.probabilities[0, ObjectClass.BIRD] < bird.probabilities[0, ObjectClass.BIRD]


def test_emitter_category_glider_is_an_aircraft_and_uav_a_drone() -> None:
    glider = Classifier().classify(
        _signed(track(T0 + 60, (50.0, 0, 0), 300.0, identity="3c4a5b"), None, 0xB1)
    )
    assert glider.label[0] == ObjectClass.AIRCRAFT
    assert "ADS-B category glider" in glider.reasons[0]
    uav = Classifier().classify(
        _signed(track(T0 + 60, (30.0, 0, 0), 300.0, identity="3C4A5B"), None, 0xB6)
    )
    assert uav.label[0] == ObjectClass.DRONE  # ICAO address, but a drone with ADS-B out
    assert "ADS-B category UAV" in uav.reasons[0]
