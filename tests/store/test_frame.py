"""``PictureFrame.build``: ECEF track states into display units, the join with classes and
threats on track id, and the APP-6 affiliation rules."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.assess import ThreatBatch
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import KIND_COLUMNS, ClassBatch, TrackBatch, TrackStatus
from dronewall.core.types import ObjectClass
from dronewall.store import Affiliation, PictureFrame

T = 1_757_780_000.0
LAT, LON, ALT = 55.618, 12.656, 120.0  # over Copenhagen airport


def east_north_up(lat: float, lon: float) -> np.ndarray:
    """Unit vectors east, north and up at (lat, lon), as ECEF rows."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.array(
        [
            [-np.sin(lo), np.cos(lo), 0.0],
            [-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)],
            [np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)],
        ]
    )


def tracks(
    ids: list[int],
    velocities_enu: list[tuple[float, float, float]] | None = None,
    sigma_m: float = 25.0,
) -> TrackBatch:
    """Tracks at (LAT + 0.01 k, LON, ALT + 10 k) for the k-th id, with ENU velocities."""
    n = len(ids)
    lats = LAT + 0.01 * np.arange(n)
    alts = ALT + 10.0 * np.arange(n)
    state = np.zeros((n, 6))
    state[:, :3] = geodetic_to_ecef(lats, np.full(n, LON), alts)
    for k, v in enumerate(velocities_enu or [(0.0, 0.0, 0.0)] * n):
        state[k, 3:] = np.asarray(v) @ east_north_up(float(lats[k]), LON)
    covariance = np.zeros((n, 6, 6))
    covariance[:, :3, :3] = np.eye(3) * sigma_m**2
    return TrackBatch(
        track_id=np.array(ids, np.int64),
        t=np.full(n, T),
        status=np.full(n, TrackStatus.CONFIRMED, np.uint8),
        state=state,
        covariance=covariance,
        t_last_update=np.full(n, T),
        n_updates=np.full(n, 5, np.int64),
        sensor_kinds=np.arange(n, dtype=np.uint16) * 2,
        identity=np.array([f"id{i}" for i in ids], "<U16"),
        t_first=np.full(n, T - 30.0),
        kind_updates=np.zeros((n, KIND_COLUMNS), np.int32),
        class_evidence=np.zeros((n, 4)),
        rf_stations=np.zeros(n, np.uint8),
    )


def classes(
    ids: list[int], labels: list[ObjectClass], friendly: list[bool] | None = None
) -> ClassBatch:
    n = len(ids)
    probabilities = np.full((n, 4), 0.05)
    for k, label in enumerate(labels):
        probabilities[k, label] = 0.85
    return ClassBatch(
        track_id=np.array(ids, np.int64),
        t=np.full(n, T),
        probabilities=probabilities,
        label=np.array(labels, np.uint8),
        drone_kind=np.array([3 if lab == ObjectClass.DRONE else 0 for lab in labels], np.uint8),
        drone_kind_probability=np.full(n, 0.5),
        friendly=np.array(friendly or [False] * n, bool),
        reasons=[f"class of {i}" for i in ids],
    )


def threats(ids: list[int], priorities: list[float], sites: list[str]) -> ThreatBatch:
    n = len(ids)
    nan = np.full(n, np.nan)
    return ThreatBatch(
        track_id=np.array(ids, np.int64),
        t=np.full(n, T),
        site_id=np.array(sites, np.str_),
        zone=np.zeros(n, np.int64),
        range_m=nan,
        cpa_m=nan,
        t_cpa_s=nan,
        time_to_site_s=np.array([100.0 * i for i in ids]),
        inside=np.zeros(n, bool),
        miss_m=nan,
        priority=np.array(priorities, float),
        p_drone=nan,
        reasons=[f"threat of {i}" for i in ids],
        approaches=None,  # type: ignore[arg-type]  # not read by PictureFrame.build
    )


def test_position_speed_course_and_climb_come_back_in_display_units() -> None:
    moving = [(20.0, 0.0, 0.0), (-30.0, 30.0, 2.5), (0.0, -12.0, -1.0)]
    frame = PictureFrame.build(T, tracks([1, 2, 3], moving, sigma_m=25.0), None, None, None)
    np.testing.assert_allclose(frame.lat_deg, LAT + 0.01 * np.arange(3), atol=1e-9)
    np.testing.assert_allclose(frame.lon_deg, LON, atol=1e-9)
    np.testing.assert_allclose(frame.alt_m, ALT + 10.0 * np.arange(3), atol=1e-6)
    np.testing.assert_allclose(frame.speed_mps, [20.0, 30.0 * np.sqrt(2), 12.0], atol=1e-9)
    np.testing.assert_allclose(frame.course_deg, [90.0, 315.0, 180.0], atol=1e-9)
    np.testing.assert_allclose(frame.climb_mps, [0.0, 2.5, -1.0], atol=1e-9)
    np.testing.assert_allclose(frame.sigma_m, 25.0, atol=1e-9)
    assert frame.t == T
    np.testing.assert_array_equal(frame.identity, ["id1", "id2", "id3"])
    np.testing.assert_array_equal(frame.sensor_kinds, [0, 2, 4])


def test_a_track_without_a_class_or_threat_row_is_unknown_and_unthreatening() -> None:
    frame = PictureFrame.build(T, tracks([4, 5]), None, None, None)
    np.testing.assert_array_equal(frame.probabilities, [[1, 0, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(frame.label, [ObjectClass.UNKNOWN] * 2)
    np.testing.assert_array_equal(frame.priority, [0.0, 0.0])
    np.testing.assert_array_equal(frame.site_id, ["", ""])
    assert np.isnan(frame.time_to_site_s).all()
    np.testing.assert_array_equal(frame.alert_id, [0, 0])
    assert frame.class_reasons == ["", ""] and frame.threat_reasons == ["", ""]


def test_classes_and_threats_join_on_track_id_whatever_their_order_or_gaps() -> None:
    track_ids = [30, 10, 20, 40]
    cls = classes([20, 99, 30], [ObjectClass.BIRD, ObjectClass.DRONE, ObjectClass.AIRCRAFT])
    thr = threats([40, 30, 77], [55.0, 12.5, 99.0], ["EKCH", "EKRK", "NOPE"])
    frame = PictureFrame.build(T, tracks(track_ids), cls, thr, {40: 9, 77: 3})
    np.testing.assert_array_equal(frame.track_id, track_ids)  # the tracks' order is kept
    aircraft, unknown, bird = ObjectClass.AIRCRAFT, ObjectClass.UNKNOWN, ObjectClass.BIRD
    np.testing.assert_array_equal(frame.label, [aircraft, unknown, bird, unknown])
    np.testing.assert_allclose(frame.probabilities[0], [0.05, 0.05, 0.05, 0.85])
    np.testing.assert_allclose(frame.probabilities[1], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(frame.probabilities[2], [0.05, 0.05, 0.85, 0.05])
    assert frame.class_reasons == ["class of 30", "", "class of 20", ""]
    np.testing.assert_array_equal(frame.priority, [12.5, 0.0, 0.0, 55.0])
    np.testing.assert_array_equal(frame.site_id, ["EKRK", "", "", "EKCH"])
    np.testing.assert_array_equal(frame.time_to_site_s, [3000.0, np.nan, np.nan, 4000.0])
    assert frame.threat_reasons == ["threat of 30", "", "", "threat of 40"]
    np.testing.assert_array_equal(frame.alert_id, [0, 0, 0, 9])


AFFILIATION_CASES = {
    # label, friendly, alert id → expected letter
    "drone with an alert is hostile": (ObjectClass.DRONE, False, 5, Affiliation.HOSTILE),
    "drone without an alert is suspect": (ObjectClass.DRONE, False, 0, Affiliation.SUSPECT),
    "friendly drone is a friend even alerted": (ObjectClass.DRONE, True, 5, Affiliation.FRIEND),
    "aircraft is neutral": (ObjectClass.AIRCRAFT, False, 0, Affiliation.NEUTRAL),
    "an alert does not make an aircraft hostile": (
        ObjectClass.AIRCRAFT,
        False,
        5,
        Affiliation.NEUTRAL,
    ),
    "bird is neutral": (ObjectClass.BIRD, False, 0, Affiliation.NEUTRAL),
    "unclassified is unknown": (ObjectClass.UNKNOWN, False, 0, Affiliation.UNKNOWN),
    "friendly list wins over unknown": (ObjectClass.UNKNOWN, True, 0, Affiliation.FRIEND),
}


@pytest.mark.parametrize("case", AFFILIATION_CASES.values(), ids=AFFILIATION_CASES.keys())
def test_affiliation(case: tuple[ObjectClass, bool, int, str]) -> None:
    label, friendly, alert_id, expected = case
    alerts = {1: alert_id} if alert_id else None
    frame = PictureFrame.build(T, tracks([1]), classes([1], [label], [friendly]), None, alerts)
    assert frame.affiliation.tolist() == [expected]


def test_a_cooperative_identity_alone_does_not_make_a_drone_friendly() -> None:
    frame = PictureFrame.build(T, tracks([1]), classes([1], [ObjectClass.DRONE]), None, None)
    assert frame.identity[0] == "id1" and frame.affiliation[0] == Affiliation.SUSPECT


def test_a_track_with_no_class_row_is_unknown_even_with_an_alert() -> None:
    frame = PictureFrame.build(T, tracks([1, 2]), classes([2], [ObjectClass.DRONE]), None, {1: 4})
    assert frame.affiliation.tolist() == [Affiliation.UNKNOWN, Affiliation.SUSPECT]


def test_the_empty_picture_has_every_column_with_no_rows() -> None:
    frame = PictureFrame.empty(T)
    assert len(frame) == 0 and frame.t == T
    assert frame.probabilities.shape == (0, 4)
    for name in PictureFrame.__slots__:
        if name != "t":
            assert len(getattr(frame, name)) == 0, name


def test_take_selects_rows_of_every_column() -> None:
    frame = PictureFrame.build(
        T, tracks([7, 8, 9]), classes([8], [ObjectClass.DRONE]), None, {8: 2}
    )
    picked = frame.take([2, 1])
    np.testing.assert_array_equal(picked.track_id, [9, 8])
    assert picked.class_reasons == ["", "class of 8"]
    assert picked.affiliation.tolist() == [Affiliation.UNKNOWN, Affiliation.HOSTILE]
    assert picked.probabilities.shape == (2, 4) and picked.t == T
