"""Edge cases of the MQTT decoder and adapter: each reject reason, the time formats, batches,
sigma defaults, unregistered nodes (held, released, given up), known nodes, accounting."""

from __future__ import annotations

import math

import orjson
import pytest

from dronewall.core.types import MeasurementKind, SensorKind
from dronewall.sensors.feed import SensorInfo
from dronewall.sensors.mqtt import MqttAdapter, MqttSettings, registration_from_info
from tests.sensors.mqtt.helpers import feed

T = 1_757_823_152.0
NODE = "n-1"
REG = {"kind": "acoustic", "lat": 50.0, "lon": 30.0, "sigma_az": 5.0}
DET_TOPIC = f"dronewall/v1/{NODE}/detections"
REG_TOPIC = f"dronewall/v1/{NODE}/register"
STATUS_TOPIC = f"dronewall/v1/{NODE}/status"


def registered(**settings: object) -> MqttAdapter:
    adapter = MqttAdapter(MqttSettings(**settings))  # type: ignore[arg-type]
    assert feed(adapter, REG_TOPIC, orjson.dumps(REG), T).accepted == 1
    return adapter


def detection_reason(obj: object, adapter: MqttAdapter | None = None) -> str | None:
    payload = obj if isinstance(obj, bytes) else orjson.dumps(obj)
    outcome = feed(adapter or registered(), DET_TOPIC, payload, T)
    assert outcome.accepted + sum(outcome.rejects.values()) == 1
    return outcome.reason


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("other/v1/n-1/detections", "topic"),
        ("dronewall/v1/n-1/detections/extra", "topic"),
        ("dronewall/v1/n-1/detection", "topic"),
        ("dronewall/v1/n-1", "topic"),
        ("dronewall/v1//detections", "node_id"),
        ("dronewall/v1/-n/detections", "node_id"),
        ("dronewall/v1/n:1/detections", "node_id"),
        ("dronewall/v1/" + "a" * 65 + "/detections", "node_id"),
        ("dronewall/v1/nöde/detections", "node_id"),
    ],
)
def test_topics_rejected(topic: str, reason: str) -> None:
    assert feed(registered(), topic, b'{"az": 1}', T).reason == reason


def test_longest_node_id_and_multi_level_prefix() -> None:
    adapter = MqttAdapter(MqttSettings(prefix="ua/kyiv-east/dronewall/v1"))
    node = "A" + "b" * 62 + "9"
    base = f"ua/kyiv-east/dronewall/v1/{node}"
    assert feed(adapter, f"{base}/register", orjson.dumps(REG), T).accepted == 1
    assert len(feed(adapter, f"{base}/detections", b'{"az": 1}', T).reports) == 1


@pytest.mark.parametrize("prefix", ["", "a/+/b", "a/#", "$SYS/x", "a//b", "a/"])
def test_unusable_prefixes_are_configuration_errors(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        MqttSettings(prefix=prefix)


def test_known_node_ids_are_checked() -> None:
    info = SensorInfo("bad id", SensorKind.RF, 50.0, 30.0)
    with pytest.raises(ValueError, match="known"):
        MqttSettings(known={"bad id": registration_from_info(info)})


def test_oversized_payload() -> None:
    adapter = registered(max_payload_bytes=100)
    assert feed(adapter, DET_TOPIC, b'{"az": 1}' + b" " * 92, T).reason == "too_large"
    assert feed(adapter, DET_TOPIC, b'{"az": 1}' + b" " * 91, T).accepted == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty"),
        (b"{", "json"),
        (b'{"az": 1} x', "json"),
        (b'{"az": Infinity}', "json"),
        (b'{"az": 1e400}', "json"),
        (b'\xff{"az": 1}', "json"),
        (b'{"az": "\xff"}', "json"),
        (b'"az"', "type"),
        (b"17", "type"),
        (b"null", "type"),
        (b"[]", "batch"),
        (b"[17]", "type"),
        (b"[[]]", "type"),
    ],
)
def test_malformed_json(payload: bytes, reason: str) -> None:
    assert detection_reason(payload) == reason


@pytest.mark.parametrize(
    ("detection", "reason"),
    [
        ({"az": True}, "type"),
        ({"az": "12.5"}, "type"),
        ({"az": None}, "type"),
        ({"az": [1]}, "type"),
        ({"az": -0.001}, "range"),
        ({"az": 360.0001}, "range"),
        ({"az": 1, "el": 90.5}, "range"),
        ({"az": 1, "sigma_az": 0}, "range"),
        ({"az": 1, "sigma_az": -1}, "range"),
        ({"az": 1, "sigma_el": 91}, "range"),
        ({"az": 1, "range": 0}, "range"),
        ({"az": 1, "conf": 1.01}, "range"),
        ({"az": 1, "rssi": 51}, "range"),
        ({"az": 1, "freq": 0}, "range"),
        ({"az": 1, "class": "Drone"}, "value"),
        ({"az": 1, "class": 1}, "type"),
        ({"az": 1, "id": 17.5}, "type"),
        ({"az": 1, "id": -1}, "range"),
        ({"az": 1, "id": 2**53 + 2}, "range"),
        ({"az": 1, "id": True}, "type"),
        ({"az": 1, "id": "x" * 65}, "range"),
        ({"az": 1, "uid": "has space"}, "value"),
        ({"az": 1, "uid": ""}, "value"),
        ({"az": 1, "uid": "A" * 65}, "range"),
        ({"az": 1, "vrate": 151}, "range"),
        ({"az": 1, "rcs": -81}, "range"),
        ({"az": 1, "doppler": 2001}, "range"),
        ({"az": 1, "rcs": "loud"}, "type"),
        ({"az": 1, "v": 1.2}, "version"),
        ({"az": 1, "protocol": "p" * 33}, "range"),
        ({"az": 1, "v": 2}, "version"),
        ({"az": 1, "v": "1"}, "type"),
        ({"az": 1, "v": True}, "type"),
        ({"az": 1, "node": "n-2"}, "node_mismatch"),
        ({"az": 1, "node": "n 1"}, "value"),
        ({"az": 1, "node": 7}, "type"),
        ({}, "geometry"),
        ({"el": 10}, "geometry"),
        ({"az": 1, "lat": 50}, "geometry"),
        ({"lat": 50, "lon": 30}, "missing"),
        ({"lat": 91, "lon": 30, "alt": 100, "sigma_h": 1, "sigma_v": 1}, "range"),
        ({"lat": 50, "lon": 30, "alt": 60_000, "sigma_h": 1, "sigma_v": 1}, "range"),
        ({"lat": 50, "lon": 30, "alt": 100, "sigma_h": 1}, "no_sigma"),
    ],
)
def test_bad_detections(detection: dict[str, object], reason: str) -> None:
    assert detection_reason(detection) == reason


@pytest.mark.parametrize(
    ("detection", "sigma_az", "el", "sigma_el"),
    [
        ({"az": 1, "v": 1.0}, 5.0, math.nan, math.nan),
        ({"az": 1, "node": NODE, "id": 17.0, "uid": "~!ABC"}, 5.0, math.nan, math.nan),
        ({"az": 1, "el": 5, "sigma_az": 2}, 2.0, 5.0, math.nan),
        ({"az": 1, "el": -90, "sigma_el": 90}, 5.0, -90.0, 90.0),
        ({"az": 1, "unknown_member": {"nested": [1, 2]}}, 5.0, math.nan, math.nan),
    ],
)
def test_good_detections(
    detection: dict[str, object], sigma_az: float, el: float, sigma_el: float
) -> None:
    outcome = feed(registered(), DET_TOPIC, orjson.dumps(detection), T)
    (report,) = outcome.reports
    assert report.measurement is MeasurementKind.BEARING
    assert report.sigma_azimuth_deg == sigma_az
    assert report.elevation_deg == pytest.approx(el, nan_ok=True)
    assert report.sigma_elevation_deg == pytest.approx(sigma_el, nan_ok=True)
    assert report.t_measured == T  # no t: the receipt time


def test_bearing_without_any_sigma_is_refused() -> None:
    adapter = MqttAdapter()
    reg = {k: v for k, v in REG.items() if k != "sigma_az"}
    feed(adapter, REG_TOPIC, orjson.dumps(reg), T)
    assert detection_reason({"az": 1}, adapter) == "no_sigma"
    assert detection_reason({"az": 1, "sigma_az": 3}, adapter) is None


def test_ranged_bearings() -> None:
    adapter = registered(assumed_target_height_m=500.0, assumed_sigma_el_deg=12.0)
    # No range sigma anywhere: a bearing, the range kept but not a radar measurement.
    (plain,) = feed(adapter, DET_TOPIC, b'{"az": 10, "range": 800}', T).reports
    assert (plain.measurement, plain.range_m) == (MeasurementKind.BEARING, 800.0)
    assert math.isnan(plain.sigma_range_m)
    # Elevation measured but no sigma for it: kept, with the assumed sigma.
    body = b'{"az": 10, "range": 800, "sigma_range": 50, "el": 3}'
    (radar,) = feed(adapter, DET_TOPIC, body, T).reports
    assert (radar.measurement, radar.elevation_deg, radar.sigma_elevation_deg) == (
        MeasurementKind.RADAR,
        3.0,
        12.0,
    )
    # Closer than the assumed height: straight up, not a math error.
    (close,) = feed(adapter, DET_TOPIC, b'{"az": 10, "range": 200, "sigma_range": 50}', T).reports
    assert close.elevation_deg == 90.0


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        ("2025-09-14T04:12:31Z", 1_757_823_151.0),
        ("2025-09-14T04:12:31.123456789Z", 1_757_823_151.123456789),
        ("2025-09-14T04:12:31.5+00:00", 1_757_823_151.5),
        ("2025-09-14T04:12:31.5-00:00", 1_757_823_151.5),
        ("2025-09-13T22:42:31-05:30", 1_757_823_151.0),
        ("2025-09-15T04:11:31+23:59", 1_757_823_151.0),
        (1_757_823_151, 1_757_823_151.0),
        (1_757_823_151.999, 1_757_823_151.999),
    ],
)
def test_times(t: object, expected: float) -> None:
    (report,) = feed(registered(), DET_TOPIC, orjson.dumps({"t": t, "az": 1}), T).reports
    assert report.t_measured == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("t", "reason"),
    [
        ("2025-09-14 04:12:31Z", "value"),
        ("2025-09-14t04:12:31Z", "value"),
        ("2025-09-14T04:12:31z", "value"),
        ("2025-09-14T04:12:31", "value"),
        ("2025-09-14T04:12Z", "value"),
        ("2025-09-14T04:12:31.Z", "value"),
        ("2025-09-14T04:12:31.1234567890Z", "value"),
        ("2025-09-14T04:12:31+0200", "value"),
        ("２０２５-09-14T04:12:31Z", "value"),
        ("2025-02-30T04:12:31Z", "time"),
        ("2025-09-14T24:00:00Z", "time"),
        ("2025-09-14T23:59:60Z", "time"),
        ("2025-09-14T04:12:31+24:00", "time"),
        ("2025-09-14T04:12:31+01:60", "time"),
        (-1, "range"),
        (1_757_823_151_000, "range"),
        (True, "type"),
        ("2025-09-14T04:10:31Z", "time_past"),
        (T - 120.5, "time_past"),
        (T + 5.5, "time_future"),
    ],
)
def test_bad_times(t: object, reason: str) -> None:
    assert detection_reason({"t": t, "az": 1}) == reason


def test_time_window_edges_are_inside() -> None:
    assert detection_reason({"t": T - 120.0, "az": 1}) is None
    assert detection_reason({"t": T + 5.0, "az": 1}) is None


def test_batches_are_all_or_nothing() -> None:
    adapter = registered(max_batch=3)
    good = [{"az": 1}, {"az": 2}, {"az": 3}]
    assert len(feed(adapter, DET_TOPIC, orjson.dumps(good), T).reports) == 3
    assert feed(adapter, DET_TOPIC, orjson.dumps([*good, {"az": 4}]), T).reason == "batch"
    for bad in ({"az": 400}, {"az": 1, "t": T - 1000}, "x"):
        outcome = feed(adapter, DET_TOPIC, orjson.dumps([good[0], bad, good[2]]), T)
        assert outcome.accepted == 0 and not outcome.reports and outcome.reason


def test_retained_detections_are_stale() -> None:
    assert feed(registered(), DET_TOPIC, b'{"az": 1}', T, retained=True).reason == "retained"


@pytest.mark.parametrize(
    ("registration", "reason"),
    [
        ({"kind": "acoustic", "lat": 50}, "missing"),
        ({"lat": 50, "lon": 30}, "missing"),
        ({"kind": "sonar", "lat": 50, "lon": 30}, "value"),
        ({"kind": "rf", "lat": 50, "lon": 180.5}, "range"),
        ({"kind": "rf", "lat": 50, "lon": 30, "alt": 10_001}, "range"),
        ({"kind": "rf", "lat": 50, "lon": 30, "fov": 0}, "range"),
        ({"kind": "rf", "lat": 50, "lon": 30, "rate": 1001}, "range"),
        ({"kind": "rf", "lat": 50, "lon": 30, "nation": "ua"}, "value"),
        ({"kind": "rf", "lat": 50, "lon": 30, "nation": "UKR"}, "range"),
        ({"kind": "rf", "lat": 50, "lon": 30, "vendor": "v" * 65}, "range"),
        ({"kind": "rf", "lat": 50, "lon": 30, "name": 5}, "type"),
        ({"kind": "rf", "lat": 50, "lon": 30, "node": "n-2"}, "node_mismatch"),
    ],
)
def test_bad_registrations(registration: dict[str, object], reason: str) -> None:
    adapter = MqttAdapter()
    assert feed(adapter, REG_TOPIC, orjson.dumps(registration), T).reason == reason
    assert NODE not in adapter.registrations
    assert feed(adapter, REG_TOPIC, b"[1]", T).reason == "type"


def test_statuses() -> None:
    adapter = MqttAdapter()
    (s,) = feed(adapter, STATUS_TOPIC, b'{"state": "fault", "detail": "mast down"}', T).statuses
    assert (s.ok, s.detail, s.t) == (False, "fault: mast down", T)
    (ahead,) = feed(
        adapter, STATUS_TOPIC, orjson.dumps({"state": "online", "t": T + 99}), T
    ).statuses
    assert ahead.t == T  # a clock running ahead does not keep a node fresh
    assert feed(adapter, STATUS_TOPIC, b"", T).accepted == 1  # a cleared retained status
    for bad, reason in [
        (b'{"state": "on"}', "value"),
        (b"{}", "missing"),
        (b'{"state": "online", "battery": 1.5}', "range"),
        (b'{"state": "online", "detail": ' + orjson.dumps("d" * 201) + b"}", "range"),
        (b'["online"]', "type"),
    ]:
        assert feed(adapter, STATUS_TOPIC, bad, T).reason == reason


def test_unregistered_detections_wait_for_the_registration() -> None:
    adapter = MqttAdapter(MqttSettings(pending_s=5.0))
    held = feed(adapter, DET_TOPIC, b'{"az": 1, "t": 1757823151.5}', T)
    assert (held.accepted, held.rejects, adapter.pending) == (0, {}, 1)
    feed(adapter, DET_TOPIC, b'{"az": 2}', T + 1)
    released = feed(adapter, REG_TOPIC, orjson.dumps(REG), T + 2)
    assert released.accepted == 3 and adapter.pending == 0
    assert [r.azimuth_deg for r in released.reports] == [1.0, 2.0]
    assert [r.t_measured for r in released.reports] == [T - 0.5, T + 1]


def test_unregistered_detections_are_given_up() -> None:
    adapter = MqttAdapter(MqttSettings(pending_s=5.0, max_pending=2))
    other = "dronewall/v1/n-2/detections"
    feed(adapter, DET_TOPIC, b'{"az": 1}', T)
    feed(adapter, other, b'{"az": 1}', T + 1)
    assert feed(adapter, other, b'{"az": 1}', T + 2).reason == "unregistered"  # queue full
    assert feed(adapter, other, b'{"az": 400}', T + 2).reason == "range"  # checked at once
    later = feed(adapter, STATUS_TOPIC, b'{"state": "online"}', T + 5.5)
    assert later.rejects == {"unregistered": 1} and adapter.pending == 1
    adapter.expire(math.inf)
    out = adapter.output
    assert adapter.pending == 0 and out.rejects["unregistered"] == 3
    assert out.messages + sum(out.rejects.values()) == 5


def test_held_detections_too_old_at_release_are_rejected() -> None:
    adapter = MqttAdapter(MqttSettings(pending_s=10.0, max_past_s=2.0))
    feed(adapter, DET_TOPIC, b'{"az": 1, "t": 1757823149.0}', T)
    released = feed(adapter, REG_TOPIC, orjson.dumps(REG), T + 1)
    assert released.rejects == {"time_past": 1} and released.accepted == 1


def test_known_nodes_are_taken_before_their_registration() -> None:
    info = SensorInfo(NODE, SensorKind.RF, 50.0, 30.0, 100.0, name="feeds file")
    adapter = MqttAdapter(MqttSettings(known={NODE: registration_from_info(info, sigma_az_deg=4)}))
    (report,) = feed(adapter, DET_TOPIC, b'{"az": 1}', T).reports
    assert (report.sensor_kind, report.sigma_azimuth_deg) == (SensorKind.RF, 4.0)
    feed(adapter, REG_TOPIC, orjson.dumps(REG), T)  # the node's own registration wins
    (report,) = feed(adapter, DET_TOPIC, b'{"az": 1}', T).reports
    assert (report.sensor_kind, report.sigma_azimuth_deg) == (SensorKind.ACOUSTIC, 5.0)
    withdrawn = feed(adapter, REG_TOPIC, b"", T)  # cleared: back to the feeds file's
    assert [(s.ok, s.detail) for s in withdrawn.statuses] == [
        (False, "offline: registration withdrawn")
    ]
    assert adapter.registrations[NODE].kind is SensorKind.RF


def test_withdrawn_node_is_unregistered_again() -> None:
    adapter = registered(pending_s=0.0)
    feed(adapter, REG_TOPIC, b"", T)
    feed(adapter, DET_TOPIC, b'{"az": 1}', T)
    adapter.expire(T + 1)
    assert adapter.output.rejects == {"unregistered": 1}
