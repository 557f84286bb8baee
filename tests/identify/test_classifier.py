"""Each evidence source moves the classification the way it should, and the drone type and
friendly flags follow the evidence."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import ConfigError
from dronewall.core.tracks import CLASS_COLUMNS, TrackBatch
from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.identify import Classifier, IdentifyConfig, load_friendly, models
from tests.identify.tracks import one_track


def batch(
    speed: float,
    height: float,
    *,
    identity: str = "",
    rf: int = 0,
    stations: int = 2,
    declared: ObjectClass | None = None,
    declarations: int = 0,
    sigma_v: float = 2.0,
    t: float = 100.0,
    age: float = 60.0,
    track_id: int = 1,
    updates: int = 20,
) -> TrackBatch:
    evidence = np.zeros(CLASS_COLUMNS)
    if declared is not None:
        c = 0.8
        one = np.array([np.log(1 / 3), np.log(0.1), np.log(0.1), np.log(0.1)])
        one[int(declared)] = np.log(c)
        evidence[:] = one * declarations
    return one_track(t=t, t_first=t - age, velocity_enu=(speed, 0.0, 0.0), height=height,
                     sigma_v=sigma_v, updates=updates, rf=rf, rf_stations=stations,
                     track_id=track_id, identity=identity, evidence=evidence)  # fmt: skip


def classify(b: TrackBatch, config: IdentifyConfig | None = None) -> tuple[np.ndarray, int, int]:
    """Classify with the raw naive-Bayes sums (temperature 1): these tests check the direction
    and strength of each evidence source; calibration is measured by bench/bench_identify.py."""
    out = Classifier(config or IdentifyConfig(temperature=1.0)).classify(b)
    return out.probabilities[0], int(out.label[0]), int(out.drone_kind[0])


def test_shahed_kinematics_say_one_way_attack_drone() -> None:
    p, label, kind = classify(batch(50.0, 200.0))
    assert label == ObjectClass.DRONE and p[ObjectClass.DRONE] > 0.95
    assert kind == ObjectKind.ONE_WAY_ATTACK


def test_slow_low_wanderer_is_a_bird() -> None:
    p, label, _ = classify(batch(13.0, 350.0))
    assert label == ObjectClass.BIRD and p[ObjectClass.BIRD] > 0.6


def test_fast_and_high_is_an_aircraft() -> None:
    p, label, _ = classify(batch(230.0, 10_500.0))
    assert label == ObjectClass.AIRCRAFT and p[ObjectClass.AIRCRAFT] > 0.95


def test_icao_address_makes_a_slow_low_object_an_aircraft() -> None:
    without, _, _ = classify(batch(45.0, 300.0))
    with_id, label, _ = classify(batch(45.0, 300.0, identity="4B1812"))
    assert without[ObjectClass.DRONE] > 0.5
    assert label == ObjectClass.AIRCRAFT and with_id[ObjectClass.AIRCRAFT] > 0.9


def test_remote_id_makes_a_bird_like_track_a_quadcopter() -> None:
    p, label, kind = classify(batch(12.0, 100.0, identity="1596D30100000001"))
    assert label == ObjectClass.DRONE and p[ObjectClass.DRONE] > 0.99
    assert kind == ObjectKind.QUADCOPTER


def test_rf_emission_turns_bird_like_kinematics_into_a_drone() -> None:
    silent, _, _ = classify(batch(12.0, 100.0))
    emitting, label, kind = classify(batch(12.0, 100.0, rf=5, age=5.0))
    assert emitting[ObjectClass.DRONE] > silent[ObjectClass.DRONE] + 0.3
    assert label == ObjectClass.DRONE and kind == ObjectKind.QUADCOPTER


def test_single_station_rf_as_a_small_share_of_updates_is_weaker_than_as_half() -> None:
    """Stray bearings of one station on a bird (6 of 40 updates) against half of them; once
    two stations' bearings cross at the track, on every period of each, the share no longer
    matters."""
    stray, _, _ = classify(batch(12.0, 100.0, rf=6, updates=40, stations=1))
    heard, _, _ = classify(batch(12.0, 100.0, rf=20, updates=40, stations=1))
    assert heard[ObjectClass.DRONE] > stray[ObjectClass.DRONE] * 1.5
    crossed_quarter, _, _ = classify(batch(12.0, 100.0, rf=20, updates=80, age=10.0))
    crossed_half, _, _ = classify(batch(12.0, 100.0, rf=20, updates=40, age=10.0))
    assert crossed_quarter[ObjectClass.DRONE] == pytest.approx(crossed_half[ObjectClass.DRONE])
    assert crossed_quarter[ObjectClass.DRONE] > heard[ObjectClass.DRONE] + 0.4


def test_crossing_bearings_now_and_then_are_weaker_than_on_every_period() -> None:
    """Two stations' bearings crossing at a track on every period (an emitter there) against
    four in a minute (a bird near where rays towards different emitters cross)."""
    every, label, _ = classify(batch(12.0, 100.0, rf=120, updates=240, stations=2))
    seldom, seldom_label, _ = classify(batch(12.0, 100.0, rf=4, updates=8, stations=2))
    assert label == ObjectClass.DRONE and seldom_label == ObjectClass.BIRD
    assert every[ObjectClass.DRONE] > seldom[ObjectClass.DRONE] + 0.4


def test_reason_names_an_emitter_only_where_stations_cross() -> None:
    stray = Classifier().classify(batch(12.0, 100.0, rf=6, updates=40, stations=0)).reasons[0]
    heard = Classifier().classify(batch(12.0, 100.0, rf=20, updates=40, age=10.0)).reasons[0]
    assert "RF emitter (2 stations)" in heard
    assert "RF emitter" not in stray and "a few RF bearings" in stray


def test_rf_from_one_station_is_weak_from_two_crossing_stations_strong() -> None:
    """The same bird-like track heard on every period: by one DF station (a bird on the ray
    towards an emitter fits as well) it stays a bird; by two whose bearings cross at it, it is
    an emitting drone."""
    silent, _, _ = classify(batch(12.0, 100.0))
    one, one_label, _ = classify(batch(12.0, 100.0, rf=10, updates=20, age=10.0, stations=1))
    two, two_label, _ = classify(batch(12.0, 100.0, rf=20, updates=40, age=10.0, stations=2))
    assert one_label == ObjectClass.BIRD and two_label == ObjectClass.DRONE
    assert silent[ObjectClass.DRONE] < one[ObjectClass.DRONE] < 0.5
    assert two[ObjectClass.DRONE] > one[ObjectClass.DRONE] + 0.4
    one_station = models.emission_weight(
        np.array([20], np.int32), np.array([0.5]), np.array([0.0]), np.array([1.0])
    )
    assert one_station == pytest.approx(models.RF_SINGLE_STATION)


def test_reason_says_when_rf_comes_from_one_station() -> None:
    one = Classifier().classify(batch(12.0, 100.0, rf=20, updates=40, stations=1)).reasons[0]
    assert "RF bearings from one station" in one and "emitter" not in one


def test_rf_supports_emitting_drone_types_not_shahed_kinematics() -> None:
    """RF bearings raise the drone likelihood of a reconnaissance-like track (its type keeps a
    data link up) by about log 10 more than that of a Shahed-like one (no control link)."""

    def drone_gain(speed: float, height: float) -> float:
        one = np.array([speed])
        kinematics = models.Kinematics(
            one,
            one * 0 + 1,
            np.array([height]),
            one * 0 + 5,
            np.ones(1, bool),
            one * 0 + 1,
            one * 0 + 1,
            one,
        )
        _, types = models.kinematic_loglik(kinematics)
        full = np.array([1.0])
        weight = models.emission_weight(np.array([10], np.int32), full * 0.6, full, full)
        _, by_type = models.emission_loglik(weight)
        with_rf = models.logsumexp_rows(types + by_type)
        return float((with_rf - models.logsumexp_rows(types))[0])

    shahed, recon = drone_gain(50.0, 200.0), drone_gain(33.0, 1500.0)
    assert recon == pytest.approx(0.0, abs=0.1)
    assert recon - shahed > 2.0


def test_camera_declarations_move_the_class() -> None:
    base, _, _ = classify(batch(14.0, 150.0))
    told, _, _ = classify(batch(14.0, 150.0, declared=ObjectClass.DRONE, declarations=4))
    assert told[ObjectClass.DRONE] > base[ObjectClass.DRONE] + 0.3


def test_uncertain_young_track_is_less_sure_than_a_settled_one() -> None:
    settled, _, _ = classify(batch(25.0, 250.0, sigma_v=1.0))
    young, _, _ = classify(batch(25.0, 250.0, sigma_v=40.0))
    assert young.max() < settled.max()


def test_probabilities_are_a_distribution() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        p, _, _ = classify(batch(float(rng.uniform(1, 300)), float(rng.uniform(0, 12_000))))
        assert p.sum() == pytest.approx(1.0) and np.all(p >= 0)


def test_registered_friendly_drone_is_flagged() -> None:
    serials = load_friendly('[[drone]]\nserial = "1596f3abcd0001"\noperator = "Border Guard"\n')
    out = Classifier(IdentifyConfig(friendly_serials=serials)).classify(
        batch(12.0, 100.0, identity="1596F3ABCD0001")
    )
    assert bool(out.friendly[0]) and "registered friendly" in out.reasons[0]
    other = Classifier(IdentifyConfig(friendly_serials=serials)).classify(
        batch(12.0, 100.0, identity="1596F3ABCD0002")
    )
    assert not bool(other.friendly[0])


def test_friendly_file_errors_name_field_and_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_friendly('[[drone]]\nserial = "A"\n\n[[drone]]\nserial = ""\n', name="f.toml")
    assert info.value.field == "drone[1].serial" and info.value.line == 5


def test_history_averages_speed_over_time() -> None:
    c = Classifier()
    for k in range(30):
        c.classify(batch(50.0 if k < 29 else 35.0, 200.0, t=100.0 + k))
    f = c.history.update(batch(35.0, 200.0, t=130.0))
    assert 35.0 < f.speed[0] < 50.0  # one slow sample does not erase 30 s of fast flight
    assert not f.reset[0]  # slowing by 15 m/s in a second is flight, not a jump
