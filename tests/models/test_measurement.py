"""Measurement models: one contract run against every model, then model-specific facts.

Oracles, none of them our own output: pymap3d (test-only dependency) for sensor positions,
target placement in the sensor's ENU frame and azimuth/elevation/range; the worked example in
pymap3d's ``tests/test_aer.py`` (az 33°, el 70°, 1000 m from 42° N 82° W 200 m →
(660 930.2, −4 701 424.0, 4 246 579.6) m); central finite differences for Jacobians.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.models import measurement

Array = np.ndarray
MeasureFn = Callable[[Array, Array, Array, Array], Array]


@dataclass(frozen=True)
class Model:
    """One measurement geometry as the tracker sees it: h, its Jacobian, and which of its
    components are azimuths (compared modulo 360°)."""

    name: str
    size: int
    measure: MeasureFn
    jacobian: MeasureFn
    azimuth_components: tuple[int, ...]
    # Expected noise-free measurement of a target at an ENU offset (east, north, up) from the
    # sensor, given the target's ECEF position — computed without the code under test.
    expected: Callable[[Array, Array], Array]


def _position_measure(target: Array, sensor: Array, lat: Array, lon: Array) -> Array:
    return np.asarray(target, float).copy()


def _position_jacobian(target: Array, sensor: Array, lat: Array, lon: Array) -> Array:
    return np.broadcast_to(np.eye(3), (target.shape[0], 3, 3)).copy()


def _aer(enu: Array) -> Array:
    """Range, azimuth clockwise from north in [0, 360), elevation — from ENU by hand."""
    east, north, up = enu[:, 0], enu[:, 1], enu[:, 2]
    rng = np.sqrt(east**2 + north**2 + up**2)
    azimuth = np.degrees(np.arctan2(east, north)) % 360.0
    elevation = np.degrees(np.arcsin(up / rng))
    return np.stack([rng, azimuth, elevation], axis=-1)


MODELS = [
    Model(
        "radar",
        3,
        measurement.radar_measure,
        measurement.radar_jacobian,
        (1,),
        lambda enu, target: _aer(enu),
    ),
    Model(
        "bearing",
        2,
        measurement.bearing_measure,
        measurement.bearing_jacobian,
        (0,),
        lambda enu, target: _aer(enu)[:, 1:],
    ),
    Model(
        "position",
        3,
        _position_measure,
        _position_jacobian,
        (),
        lambda enu, target: target,
    ),
]

# Sensors: equator, Warsaw, Sydney, Alaska, near the north pole, on the antimeridian.
SENSORS = np.array(
    [
        [0.0, 0.0, 0.0],
        [52.23, 21.01, 110.0],
        [-33.87, 151.21, 40.0],
        [64.8, -147.7, 130.0],
        [89.5, 30.0, 5.0],
        [-10.0, 180.0, 2000.0],
    ]
)


@dataclass(frozen=True)
class Scene:
    enu: Array  # target offsets in each sensor's ENU frame
    target: Array  # target ECEF
    sensor: Array  # sensor ECEF
    lat: Array
    lon: Array


def _scene(enu: Array, sensor_rows: Array) -> Scene:
    lat, lon, h = sensor_rows[:, 0], sensor_rows[:, 1], sensor_rows[:, 2]
    sensor = np.array(pymap3d.geodetic2ecef(lat, lon, h)).T
    target = np.array(pymap3d.enu2ecef(enu[:, 0], enu[:, 1], enu[:, 2], lat, lon, h)).T
    return Scene(enu=enu, target=target, sensor=sensor, lat=lat, lon=lon)


def _random_scene(seed: int, n: int) -> Scene:
    """Targets 200 m–30 km from the sensor, elevation −10°…75°, any azimuth."""
    rng = np.random.default_rng(seed)
    sensors = SENSORS[rng.integers(0, len(SENSORS), n)]
    distance = rng.uniform(200, 30_000, n)
    azimuth = np.radians(rng.uniform(0, 360, n))
    elevation = np.radians(rng.uniform(-10, 75, n))
    enu = distance[:, None] * np.stack(
        [
            np.cos(elevation) * np.sin(azimuth),
            np.cos(elevation) * np.cos(azimuth),
            np.sin(elevation),
        ],
        axis=-1,
    )
    return _scene(enu, sensors)


def _wrap180(angle: Array) -> Array:
    return np.asarray((angle + 180.0) % 360.0 - 180.0)


def _difference(model: Model, a: Array, b: Array) -> Array:
    """a − b with azimuth components wrapped, independently of angle_difference_deg."""
    out = np.asarray(a, float) - np.asarray(b, float)
    for k in model.azimuth_components:
        out[..., k] = _wrap180(out[..., k])
    return out


def _call(fn: MeasureFn, scene: Scene, target: Array | None = None) -> Array:
    return np.asarray(
        fn(scene.target if target is None else target, scene.sensor, scene.lat, scene.lon)
    )


# --- the contract ---------------------------------------------------------------------------

contract = pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])


@contract
def test_output_shapes(model: Model) -> None:
    scene = _random_scene(seed=1, n=17)
    assert _call(model.measure, scene).shape == (17, model.size)
    assert _call(model.jacobian, scene).shape == (17, model.size, 3)


@contract
def test_measure_matches_independent_geometry(model: Model) -> None:
    scene = _random_scene(seed=2, n=300)
    got = _call(model.measure, scene)
    diff = _difference(model, got, model.expected(scene.enu, scene.target))
    np.testing.assert_allclose(diff, 0.0, atol=1e-6)


@contract
def test_azimuths_are_in_0_360(model: Model) -> None:
    # Targets just west of north are where a naive atan2 gives negative azimuths.
    enu = np.array([[-1e-3, 1000.0, 0.0], [-500.0, 1000.0, 50.0], [-1000.0, -1e-3, 10.0]])
    scene = _scene(enu, SENSORS[1:4])
    got = _call(model.measure, scene)
    for k in model.azimuth_components:
        assert np.all((got[:, k] >= 0.0) & (got[:, k] < 360.0))
        assert got[0, k] > 359.9


@contract
def test_jacobian_equals_finite_differences(model: Model) -> None:
    scene = _random_scene(seed=3, n=60)
    analytic = _call(model.jacobian, scene)
    step = 0.05  # m; ECEF rounding is ~1e-9 m, curvature error ~ (step / range)² relative
    numeric = np.zeros_like(analytic)
    for k in range(3):
        delta = np.zeros(3)
        delta[k] = step
        plus = _call(model.measure, scene, scene.target + delta)
        minus = _call(model.measure, scene, scene.target - delta)
        numeric[:, :, k] = _difference(model, plus, minus) / (2 * step)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@contract
def test_rows_are_independent(model: Model) -> None:
    """A batch gives the same rows as one call per row."""
    scene = _random_scene(seed=4, n=8)
    batch = _call(model.measure, scene)
    batch_jacobian = _call(model.jacobian, scene)
    for i in range(8):
        one = model.measure(
            scene.target[i : i + 1],
            scene.sensor[i : i + 1],
            scene.lat[i : i + 1],
            scene.lon[i : i + 1],
        )
        one_jacobian = model.jacobian(
            scene.target[i : i + 1],
            scene.sensor[i : i + 1],
            scene.lat[i : i + 1],
            scene.lon[i : i + 1],
        )
        np.testing.assert_allclose(batch[i], one[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(batch_jacobian[i], one_jacobian[0], rtol=0, atol=1e-15)


CARDINAL = {
    "north": ([0.0, 2000.0, 0.0], 0.0, 0.0),
    "east": ([2000.0, 0.0, 0.0], 90.0, 0.0),
    "south": ([0.0, -2000.0, 0.0], 180.0, 0.0),
    "west": ([-2000.0, 0.0, 0.0], 270.0, 0.0),
    "north-east-up": ([1000.0, 1000.0, np.sqrt(2) * 1000.0], 45.0, 45.0),
    "overhead": ([0.0, 0.0, 2000.0], None, 90.0),
    "below": ([0.0, 0.0, -2000.0], None, -90.0),
}


@contract
@pytest.mark.parametrize("direction", list(CARDINAL))
def test_cardinal_directions(model: Model, direction: str) -> None:
    offset, azimuth, elevation = CARDINAL[direction]
    enu = np.tile(offset, (len(SENSORS), 1))
    scene = _scene(enu, SENSORS)
    got = _call(model.measure, scene)
    if model.name == "position":
        np.testing.assert_allclose(got, scene.target, rtol=0, atol=1e-9)
        return
    angles = got[:, -2:]  # (azimuth, elevation) for both radar and bearing
    np.testing.assert_allclose(angles[:, 1], elevation, atol=1e-9)
    if azimuth is not None:
        np.testing.assert_allclose(_wrap180(angles[:, 0] - azimuth), 0.0, atol=1e-9)
    if model.name == "radar":
        np.testing.assert_allclose(got[:, 0], 2000.0, atol=1e-6)


# --- radar ----------------------------------------------------------------------------------


def test_radar_matches_pymap3d_ecef2aer() -> None:
    scene = _random_scene(seed=5, n=100)
    ours = measurement.radar_measure(scene.target, scene.sensor, scene.lat, scene.lon)
    lat, lon = scene.lat, scene.lon
    h = np.array(pymap3d.ecef2geodetic(*scene.sensor.T))[2]
    az, el, rng = pymap3d.ecef2aer(*scene.target.T, lat, lon, h)
    np.testing.assert_allclose(ours[:, 0], rng, rtol=0, atol=1e-6)
    np.testing.assert_allclose(_wrap180(ours[:, 1] - az), 0.0, atol=1e-8)
    np.testing.assert_allclose(ours[:, 2], el, atol=1e-8)


def test_radar_to_ecef_published_example() -> None:
    # pymap3d tests/test_aer.py: aer (33°, 70°, 1000 m) at (42°, −82°, 200 m).
    sensor = np.array([pymap3d.geodetic2ecef(42.0, -82.0, 200.0)])
    got = measurement.radar_to_ecef(
        np.array([[1000.0, 33.0, 70.0]]), sensor, np.array([42.0]), np.array([-82.0])
    )
    # The published figures are rounded (pymap3d checks them to 1e-6 relative, ~5 m), so
    # compare to half a metre and check the digits against pymap3d's own aer2ecef.
    np.testing.assert_allclose(got[0], [660_930.2, -4_701_424.0, 4_246_579.6], rtol=0, atol=0.5)
    np.testing.assert_allclose(
        got[0], pymap3d.aer2ecef(33.0, 70.0, 1000.0, 42.0, -82.0, 200.0), atol=1e-6
    )


def test_radar_to_ecef_inverts_radar_measure() -> None:
    scene = _random_scene(seed=6, n=200)
    radar = measurement.radar_measure(scene.target, scene.sensor, scene.lat, scene.lon)
    back = measurement.radar_to_ecef(radar, scene.sensor, scene.lat, scene.lon)
    np.testing.assert_allclose(back, scene.target, rtol=0, atol=1e-6)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    rng=st.floats(1.0, 100_000.0),
    azimuth=st.floats(0.0, 360.0, exclude_max=True),
    elevation=st.floats(-89.0, 89.0),
    sensor_row=st.integers(0, len(SENSORS) - 1),
)
def test_radar_measure_inverts_radar_to_ecef(
    rng: float, azimuth: float, elevation: float, sensor_row: int
) -> None:
    lat, lon, h = SENSORS[sensor_row]
    sensor = np.array([pymap3d.geodetic2ecef(lat, lon, h)])
    target = measurement.radar_to_ecef(
        np.array([[rng, azimuth, elevation]]), sensor, np.array([lat]), np.array([lon])
    )
    got = measurement.radar_measure(target, sensor, np.array([lat]), np.array([lon]))[0]
    assert got[0] == pytest.approx(rng, abs=1e-6)
    assert abs(_wrap180(got[1] - azimuth)) < 1e-6
    assert got[2] == pytest.approx(elevation, abs=1e-6)


def test_bearing_is_radar_without_range() -> None:
    scene = _random_scene(seed=7, n=30)
    radar = measurement.radar_measure(scene.target, scene.sensor, scene.lat, scene.lon)
    bearing = measurement.bearing_measure(scene.target, scene.sensor, scene.lat, scene.lon)
    np.testing.assert_array_equal(bearing, radar[:, 1:])
    # Any point on the same ray from the sensor has the same bearing.
    farther = scene.sensor + 3.0 * (scene.target - scene.sensor)
    np.testing.assert_allclose(
        _wrap180(
            measurement.bearing_measure(farther, scene.sensor, scene.lat, scene.lon) - bearing
        ),
        0.0,
        atol=1e-9,
    )


# --- angle_difference_deg -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (10.0, 350.0, 20.0),
        (350.0, 10.0, -20.0),
        (359.0, 1.0, -2.0),
        (1.0, 359.0, 2.0),
        (180.0, 0.0, 180.0),
        (0.0, 180.0, 180.0),  # −180 is reported as +180: the interval is (−180, 180]
        (720.0, 0.0, 0.0),
        (-190.0, 0.0, 170.0),
        (90.0, 90.0, 0.0),
        (0.0, 270.0, 90.0),
    ],
)
def test_angle_difference_known_values(a: float, b: float, expected: float) -> None:
    assert float(measurement.angle_difference_deg(a, b)) == pytest.approx(expected, abs=1e-12)


def test_angle_difference_is_vectorised() -> None:
    got = measurement.angle_difference_deg(np.array([10.0, 350.0, 0.0]), 350.0)
    np.testing.assert_allclose(got, [20.0, 0.0, 10.0])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(a=st.floats(-1000.0, 1000.0), b=st.floats(-1000.0, 1000.0))
def test_angle_difference_properties(a: float, b: float) -> None:
    d = float(measurement.angle_difference_deg(a, b))
    assert -180.0 < d <= 180.0
    # b + d is a, modulo whole turns.
    turns = (a - b - d) / 360.0
    assert turns == pytest.approx(round(turns), abs=1e-9)


# --- position covariance --------------------------------------------------------------------


def test_position_covariance_rotates_back_to_enu_diagonal() -> None:
    rng = np.random.default_rng(8)
    n = 40
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    sigma_h = rng.uniform(0.5, 50, n)
    sigma_v = rng.uniform(0.5, 80, n)
    covariance = measurement.position_covariance_ecef(sigma_h, sigma_v, lat, lon)
    assert covariance.shape == (n, 3, 3)
    np.testing.assert_allclose(covariance, np.swapaxes(covariance, 1, 2), rtol=0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(covariance) > 0.0)
    for i in range(n):
        # ENU axes in ECEF from pymap3d, not from the code under test.
        axes = np.array([pymap3d.enu2uvw(*unit, lat[i], lon[i]) for unit in np.eye(3)])
        enu_covariance = axes @ covariance[i] @ axes.T
        expected = np.diag([sigma_h[i] ** 2, sigma_h[i] ** 2, sigma_v[i] ** 2])
        np.testing.assert_allclose(enu_covariance, expected, rtol=1e-12, atol=1e-9)


def test_position_covariance_vertical_is_along_ellipsoid_normal() -> None:
    """At the equator and Greenwich, up is ECEF x and north is ECEF z."""
    covariance = measurement.position_covariance_ecef(
        np.array([3.0]), np.array([10.0]), np.array([0.0]), np.array([0.0])
    )[0]
    np.testing.assert_allclose(covariance, np.diag([100.0, 9.0, 9.0]), atol=1e-12)


def test_diagonal_covariance() -> None:
    got = measurement.diagonal_covariance(
        np.array([10.0, 20.0]), np.array([1.0, 2.0]), np.array([0.5, 0.1])
    )
    assert got.shape == (2, 3, 3)
    np.testing.assert_allclose(got[0], np.diag([100.0, 1.0, 0.25]))
    np.testing.assert_allclose(got[1], np.diag([400.0, 4.0, 0.01]))
