"""A ReportBatch row → DetectionReport → bytes → DetectionReport → the same row."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch, SensorKind
from dronewall.sensors.sapient import SapientError, decode
from dronewall.sensors.sapient.codec import Header, encode_detection_report
from dronewall.sensors.sapient.detections import ReportRows, detection_for_row, read_detection
from dronewall.sensors.sapient.nodes import registration_for, traits_of
from tests.sensors.sapient.conftest import sensor

NODE = "a8654cdf-4328-47de-81fa-c495589e30c8"
ULID_A, ULID_B = "01GGYFBAXGDG7AGAHRZ6XSNY12", "01GGYFBAXH4VYRQYEX7S3XGK3H"
finite = st.floats(allow_nan=False, allow_infinity=False)
maybe = st.one_of(st.just(math.nan), st.floats(0.0, 1e4, allow_nan=False))


def _row(measurement: MeasurementKind, values: dict[str, float | int | str]) -> ReportBatch:
    batch = ReportBatch.allocate(1)
    batch.measurement[0] = measurement
    batch.t_measured[0] = 1_759_429_800.5
    columns = ReportBatch.column_names()
    for name, value in values.items():
        assert name in columns
        getattr(batch, name)[0] = value
    return batch


def _through_the_wire(batch: ReportBatch, kind: SensorKind) -> ReportBatch:
    report = detection_for_row(ReportRows(batch), 0, ULID_A, ULID_B)
    payload = encode_detection_report(Header(NODE, float(batch.t_measured[0])), report)
    message = decode(payload)
    assert not isinstance(message, SapientError), str(message)
    traits = traits_of(registration_for(sensor(kind)))
    detection = read_detection(message.detection_report, traits)
    out = ReportBatch.allocate(1)
    out.measurement[0] = detection.measurement
    if detection.fix is not None:
        fix = detection.fix
        out.lat_deg[0], out.lon_deg[0], out.alt_m[0] = fix.lat_deg, fix.lon_deg, fix.alt_m
        out.sigma_horizontal_m[0], out.sigma_vertical_m[0] = fix.sigma_horizontal_m, fix.sigma_up_m
    if detection.polar is not None:
        p = detection.polar
        out.range_m[0], out.azimuth_deg[0], out.elevation_deg[0] = (
            p.range_m,
            p.azimuth_deg,
            p.elevation_deg,
        )
        out.sigma_range_m[0] = p.sigma_range_m
        out.sigma_azimuth_deg[0], out.sigma_elevation_deg[0] = (
            p.sigma_azimuth_deg,
            p.sigma_elevation_deg,
        )
    out.speed_mps[0], out.course_deg[0] = detection.speed_mps, detection.course_deg
    out.declared_class[0] = detection.declared_class
    out.class_confidence[0] = detection.class_confidence
    out.vertical_rate_mps[0] = detection.vertical_rate_mps
    out.rcs_dbsm[0], out.radial_velocity_mps[0] = detection.rcs_dbsm, detection.radial_velocity_mps
    out.emitter_category[0], out.nic[0], out.nacp[0] = (
        detection.emitter_category,
        detection.nic,
        detection.nacp,
    )
    out.identity[0] = detection.identity
    return out


def _same(a: ReportBatch, b: ReportBatch, names: list[str]) -> None:
    for name in names:
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    alt=st.one_of(st.just(math.nan), st.floats(-500, 20_000)),
    sigma_h=maybe,
    sigma_v=maybe,
    identity=st.text("0123456789ABCDEF", max_size=20),
    declared=st.sampled_from(list(ObjectClass)),
    confidence=st.floats(0.0, 1.0, width=32),
)
def test_position_fixes_survive_exactly(
    lat: float,
    lon: float,
    alt: float,
    sigma_h: float,
    sigma_v: float,
    identity: str,
    declared: ObjectClass,
    confidence: float,
) -> None:
    batch = _row(
        MeasurementKind.POSITION,
        {
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_m": alt,
            "sigma_horizontal_m": sigma_h,
            "sigma_vertical_m": sigma_v,
            "declared_class": declared,
            "class_confidence": confidence if declared or confidence else 0.0,
        },
    )
    batch_identity = np.array([identity])
    batch = ReportBatch(
        **{**{n: getattr(batch, n) for n in ReportBatch.column_names()}, "identity": batch_identity}
    )
    out = _through_the_wire(batch, SensorKind.REMOTE_ID)
    _same(
        batch,
        out,
        [
            "measurement",
            "lat_deg",
            "lon_deg",
            "alt_m",
            "sigma_horizontal_m",
            "sigma_vertical_m",
            "identity",
            "declared_class",
            "class_confidence",
        ],
    )


@settings(max_examples=200, deadline=None)
@given(
    range_m=st.one_of(st.just(math.nan), st.floats(0, 400_000)),
    azimuth=st.floats(0, 360, exclude_max=True),
    elevation=st.one_of(st.just(math.nan), st.floats(-90, 90)),
    sigmas=st.tuples(maybe, maybe, maybe),
)
def test_radar_and_bearing_measurements_survive_exactly(
    range_m: float, azimuth: float, elevation: float, sigmas: tuple[float, float, float]
) -> None:
    kind = MeasurementKind.BEARING if math.isnan(range_m) else MeasurementKind.RADAR
    batch = _row(
        kind,
        {
            "range_m": range_m,
            "azimuth_deg": azimuth,
            "elevation_deg": elevation,
            "sigma_range_m": sigmas[0],
            "sigma_azimuth_deg": sigmas[1],
            "sigma_elevation_deg": sigmas[2],
        },
    )
    out = _through_the_wire(batch, SensorKind.RADAR)
    _same(
        batch,
        out,
        [
            "measurement",
            "range_m",
            "azimuth_deg",
            "elevation_deg",
            "sigma_range_m",
            "sigma_azimuth_deg",
            "sigma_elevation_deg",
        ],
    )


@settings(max_examples=100, deadline=None)
@given(speed=st.floats(0.01, 400), course=st.floats(0, 360, exclude_max=True))
def test_speed_and_course_survive_to_a_nanometre_per_second(speed: float, course: float) -> None:
    batch = _row(
        MeasurementKind.POSITION,
        {"lat_deg": 52.0, "lon_deg": 21.0, "speed_mps": speed, "course_deg": course},
    )
    out = _through_the_wire(batch, SensorKind.ADSB)
    assert abs(out.speed_mps[0] - speed) <= 1e-9
    assert abs((out.course_deg[0] - course + 180.0) % 360.0 - 180.0) <= 1e-9


def test_a_report_whose_object_is_lost_is_no_measurement() -> None:
    from dronewall.sensors.sapient.binding import DetectionReport
    from dronewall.sensors.sapient.detections import is_ended

    assert is_ended(DetectionReport(state="Lost"))
    assert not is_ended(DetectionReport(state="tracking"))


FORMAT_1_1 = ["vertical_rate_mps", "rcs_dbsm", "radial_velocity_mps", "emitter_category", "nic"]


def test_format_1_1_fields_and_a_long_identity_survive() -> None:
    fix = _row(
        MeasurementKind.POSITION,
        {"lat_deg": 52.0, "lon_deg": 21.0, "speed_mps": 80.0, "course_deg": 10.0,
         "vertical_rate_mps": -3.25, "emitter_category": 0xA7, "nic": 8, "nacp": 10,
         "identity": "0f8e2b7c-5d4a-49f6-b1e3-a2c4d5e6f708"},
    )  # fmt: skip
    _same(fix, _through_the_wire(fix, SensorKind.ADSB), [*FORMAT_1_1, "nacp", "identity"])
    radar = _row(
        MeasurementKind.RADAR,
        {"range_m": 5000.0, "azimuth_deg": 12.0, "elevation_deg": 1.0, "sigma_range_m": 10.0,
         "sigma_azimuth_deg": 0.5, "sigma_elevation_deg": 0.5, "rcs_dbsm": -17.5,
         "radial_velocity_mps": 23.0},
    )  # fmt: skip
    _same(radar, _through_the_wire(radar, SensorKind.RADAR), FORMAT_1_1)


def _detection(**info: str) -> object:
    from dronewall.sensors.sapient.binding import DetectionReport
    from dronewall.sensors.sapient.units import Polar, range_bearing_from_polar

    report = DetectionReport(report_id=ULID_A, object_id=ULID_B, id="4ca7b1")
    polar = Polar(math.nan, 10.0, math.nan, math.nan, 1.0, math.nan)
    report.range_bearing.CopyFrom(range_bearing_from_polar(polar))
    for kind, value in info.items():
        report.object_info.add(type=kind, value=value)
    traits = traits_of(registration_for(sensor(SensorKind.RADAR)))
    try:
        return read_detection(report, traits)
    except SapientError as error:
        return error


def test_rcs_in_square_metres_doppler_and_a_lower_case_icao_address() -> None:
    detection = _detection(RCS_m2="0.01", range_rate="-12.5")
    assert not isinstance(detection, SapientError)
    assert detection.rcs_dbsm == -20.0 and detection.radial_velocity_mps == -12.5  # type: ignore[attr-defined]
    assert detection.identity == "4CA7B1"  # type: ignore[attr-defined]


def test_bad_format_1_1_values_are_refused_as_out_of_range() -> None:
    for info in ({"rcs": "loud"}, {"rcs": "nan"}, {"rcs": "120"}, {"doppler": "1e6"},
                 {"nic": "3.5"}, {"emitter_category": "999"}):  # fmt: skip
        error = _detection(**info)
        assert isinstance(error, SapientError) and error.reason.value == "out_of_range", info
