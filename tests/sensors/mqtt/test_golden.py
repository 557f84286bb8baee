"""Golden corpus: the documented examples of dronewall's MQTT schema.

Source: ``docs/feeds-mqtt.md`` (dronewall's own schema, version 1 — no outside standard defines
it), read from the document itself (``doc_examples.py``), so the document and the decoder
cannot drift apart. Every example is fed in the document's order to one adapter at
2025-09-14T04:12:32Z; the accepted ones must decode to the values below, the rejected ones
must be rejected for the reason the document gives.
"""

from __future__ import annotations

import math

import pytest

from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind
from dronewall.sensors.feed import SensorInfo, SensorStatus
from dronewall.sensors.mqtt import MqttAdapter
from dronewall.sensors.mqtt.detections import read_detection
from tests.sensors.mqtt.doc_examples import T_RECEIVE, Example, examples
from tests.sensors.mqtt.helpers import Outcome, feed

T_MEASURED = 1_757_823_151.0  # 2025-09-14T04:12:31Z

SENSORS = {
    "register-acoustic": SensorInfo(
        "ua-kv-ac-0042",
        SensorKind.ACOUSTIC,
        50.4162,
        30.6125,
        152.0,
        2500.0,
        "Kyiv east 42",
        "UA",
        "Example Acoustics",
    ),
    "register-rf": SensorInfo(
        "ua-kv-rf-0007", SensorKind.RF, 50.4301, 30.5402, 180.0, 8000.0, "DF-2", "UA", "Example RF"
    ),
    "register-eoir": SensorInfo(
        "pl-waw-eo-03", SensorKind.EOIR, 52.2297, 21.0122, 140.0, math.nan, "Warsaw EO 3", "PL"
    ),
    "register-radar": SensorInfo("ua-radar-11", SensorKind.RADAR, 50.41, 30.65, 160.0, 5000.0),
}
STATUSES = {
    "status-online": SensorStatus("ua-kv-ac-0042", T_MEASURED - 151, True, "online: battery 87%"),
    "status-will": SensorStatus("ua-kv-ac-0042", T_RECEIVE, False, "offline"),
    "status-degraded": SensorStatus(
        "ua-kv-ac-0042", 1_757_823_140.0, True, "degraded: mic 2 noisy, battery 14%"
    ),
}
# Per example, per report: the Report fields that must have these values (others NaN/empty).
REPORTS: dict[str, list[dict[str, object]]] = {
    "detection-acoustic": [
        {
            "measurement": MeasurementKind.BEARING,
            "sensor_kind": SensorKind.ACOUSTIC,
            "t_measured": T_MEASURED + 0.25,
            "azimuth_deg": 87.5,
            "elevation_deg": 12.0,
            "sigma_azimuth_deg": 7.5,  # the registration's
            "sigma_elevation_deg": 10.0,  # the registration's
            "declared_class": ObjectClass.DRONE,
            "class_confidence": 0.82,
        }
    ],
    "detections-batch": [
        {"t_measured": T_MEASURED - 0.25, "azimuth_deg": 86.9, "sigma_azimuth_deg": 7.5},
        {
            "t_measured": T_MEASURED + 0.25,
            "azimuth_deg": 0.0,  # 360 is north
            "sigma_azimuth_deg": 5.0,
            "declared_class": ObjectClass.DRONE,
            "class_confidence": 0.9,
        },
    ],
    "detection-rf": [
        {
            "measurement": MeasurementKind.BEARING,
            "sensor_kind": SensorKind.RF,
            "t_measured": T_MEASURED,
            "azimuth_deg": 241.25,
            "sigma_azimuth_deg": 3.0,
            "identity": "1581F5FHD23B0042",
            "declared_class": ObjectClass.DRONE,
            "class_confidence": 0.97,
        }
    ],
    "detection-fix": [
        {
            "measurement": MeasurementKind.POSITION,
            "sensor_kind": SensorKind.EOIR,
            "t_measured": T_MEASURED + 0.5,  # 06:12:31.5+02:00
            "lat_deg": 52.2361,
            "lon_deg": 21.0311,
            "alt_m": 410.0,
            "sigma_horizontal_m": 15.0,
            "sigma_vertical_m": 30.0,  # the registration's
            "declared_class": ObjectClass.DRONE,
            "class_confidence": 0.7,
        }
    ],
    "detection-radar-2d": [
        {
            "measurement": MeasurementKind.RADAR,
            "t_measured": T_MEASURED + 0.5,
            "range_m": 3000.0,
            "azimuth_deg": 12.5,
            "elevation_deg": math.degrees(math.asin(300.0 / 3000.0)),  # assumed 300 m up
            "sigma_range_m": 15.0,
            "sigma_azimuth_deg": 1.5,
            "sigma_elevation_deg": 10.0,  # assumed
        }
    ],
    "detection-radar-3d": [
        {
            "measurement": MeasurementKind.RADAR,
            "range_m": 3000.0,
            "azimuth_deg": 12.5,
            "elevation_deg": 4.0,
            "sigma_range_m": 20.0,
            "sigma_azimuth_deg": 1.5,
            "sigma_elevation_deg": 2.0,
        }
    ],
}
DEFAULT_NAN = (
    "lat_deg",
    "lon_deg",
    "alt_m",
    "sigma_horizontal_m",
    "sigma_vertical_m",
    "range_m",
    "elevation_deg",
    "sigma_range_m",
    "sigma_elevation_deg",
    "speed_mps",
    "course_deg",
)


@pytest.fixture(scope="module")
def decoded() -> dict[str, Outcome]:
    adapter = MqttAdapter()
    outcomes = {ex.name: feed(adapter, ex.topic, ex.payload, T_RECEIVE) for ex in examples()}
    assert adapter.pending == 0
    return outcomes


def test_the_document_has_the_examples_this_test_expects() -> None:
    names = [ex.name for ex in examples()]
    assert len(names) == len(set(names)) >= 21
    expected = set(SENSORS) | set(STATUSES) | set(REPORTS)
    assert expected <= set(names)
    assert {ex.name for ex in examples() if ex.reject is None} == expected


@pytest.mark.parametrize("example", examples(), ids=lambda ex: ex.name)
def test_each_example_is_accepted_or_rejected_as_documented(
    example: Example, decoded: dict[str, Outcome]
) -> None:
    outcome = decoded[example.name]
    if example.reject is None:
        assert (outcome.accepted, outcome.rejects) == (1, {})
    else:
        assert (outcome.accepted, outcome.rejects) == (0, {example.reject: 1})
        assert not outcome.reports and not outcome.sensors and not outcome.statuses


@pytest.mark.parametrize("name", sorted(SENSORS))
def test_registrations(name: str, decoded: dict[str, Outcome]) -> None:
    assert decoded[name].sensors == [SENSORS[name]]


def test_registration_defaults_and_extra_fields_are_kept() -> None:
    adapter = MqttAdapter()
    for ex in examples():
        feed(adapter, ex.topic, ex.payload, T_RECEIVE)
    acoustic = adapter.registrations["ua-kv-ac-0042"]
    assert (acoustic.heading_deg, acoustic.fov_deg, acoustic.rate_hz) == (0.0, 360.0, 2.0)
    assert (acoustic.sigma_az_deg, acoustic.sigma_el_deg, acoustic.model) == (7.5, 10.0, "AN-500")
    radar = adapter.registrations["ua-radar-11"]
    assert (radar.sigma_range_m, radar.sigma_az_deg) == (15.0, 1.5)
    assert math.isnan(radar.sigma_el_deg)


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_statuses(name: str, decoded: dict[str, Outcome]) -> None:
    assert decoded[name].statuses == [STATUSES[name]]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_detections(name: str, decoded: dict[str, Outcome]) -> None:
    reports = decoded[name].reports
    assert len(reports) == len(REPORTS[name])
    for report, expected in zip(reports, REPORTS[name], strict=True):
        assert report.sensor == next(ex.topic for ex in examples() if ex.name == name).split("/")[2]
        for key, value in expected.items():
            got = getattr(report, key)
            assert (
                got == pytest.approx(value, abs=1e-9) if isinstance(value, float) else got == value
            ), key
        for key in DEFAULT_NAN:
            if key not in expected:
                assert math.isnan(getattr(report, key)), key


def test_rf_fields_are_decoded() -> None:
    import orjson

    example = next(ex for ex in examples() if ex.name == "detection-rf")
    detection = read_detection(orjson.loads(example.payload), "ua-kv-rf-0007")
    assert detection.protocol == "ocusync3"
    assert (detection.freq_hz, detection.bw_hz) == (2_414_500_000.0, 10_000_000.0)
    assert (detection.rssi_dbm, detection.snr_db) == (-71.5, 18.0)
    acoustic = next(ex for ex in examples() if ex.name == "detection-acoustic")
    assert read_detection(orjson.loads(acoustic.payload), "ua-kv-ac-0042").track_id == "17"
