"""The two derived quantities of a plot: its time (time of day resolved to a date) and its
elevation (from a height), checked against independent computations — the calendar through
``datetime`` and the tracker's own ECEF/ENU measurement model on the WGS-84 ellipsoid."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest

from dronewall.core.geodesy import destination, geodetic_to_ecef
from dronewall.models.measurement import radar_measure, radar_to_ecef
from dronewall.sensors.asterix.geometry import (
    MAX_ELEVATION_DEG,
    elevation_deg,
    elevation_sigma_deg,
)
from dronewall.sensors.asterix.timeofday import resolve_time_of_day

UTC = dt.UTC


def _posix(*args: int, us: int = 0) -> float:
    return dt.datetime(*args, microsecond=us, tzinfo=UTC).timestamp()


def test_time_of_day_on_the_day_of_arrival() -> None:
    t = resolve_time_of_day(27354.6015625, _posix(2016, 5, 5, 7, 35, 56))
    assert t == _posix(2016, 5, 5, 7, 35, 54, us=601562) + 0.5e-6


def test_plot_before_midnight_arriving_after_it_belongs_to_the_previous_day() -> None:
    t = resolve_time_of_day(86399.9, _posix(2025, 1, 1, 0, 0, 0, us=200000))
    assert t == pytest.approx(_posix(2024, 12, 31, 23, 59, 59, us=900000))


def test_plot_after_midnight_arriving_before_it_belongs_to_the_next_day() -> None:
    # The sender's clock runs ahead of ours: its 00:00:00.1 reaches us at 23:59:59.7.
    t = resolve_time_of_day(0.1, _posix(2024, 2, 28, 23, 59, 59, us=700000))
    assert t == pytest.approx(_posix(2024, 2, 29, 0, 0, 0, us=100000))


def test_any_offset_within_twelve_hours_is_recovered() -> None:
    rng = random.Random(3)
    for _ in range(20_000):
        t_receive = rng.uniform(1.5e9, 2.0e9)
        t_true = t_receive + rng.uniform(-43_199.0, 43_199.0)
        moment = dt.datetime.fromtimestamp(t_true, UTC)
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        time_of_day = (moment - midnight).total_seconds()
        assert resolve_time_of_day(time_of_day, t_receive) == pytest.approx(t_true, abs=1e-5)


@pytest.mark.parametrize("lat", [-33.9, 0.0, 52.2, 69.7])
def test_elevation_matches_the_trackers_ellipsoidal_geometry(lat: float) -> None:
    """Targets at known heights and distances: the elevation from (slant range, heights) on
    the mean sphere against ``radar_measure`` on WGS-84, to within the sphere's error."""
    rng = np.random.default_rng(11)
    n = 400
    radar_alt = 250.0
    azimuth = rng.uniform(0.0, 360.0, n)
    ground = rng.uniform(200.0, 150_000.0, n)
    height = rng.uniform(0.0, 12_000.0, n)
    t_lat, t_lon = destination(np.full(n, lat), np.full(n, 10.0), azimuth, ground)
    target = geodetic_to_ecef(t_lat, t_lon, height)
    sensor = np.repeat(geodetic_to_ecef(lat, 10.0, radar_alt)[None, :], n, axis=0)
    measured = radar_measure(target, sensor, np.full(n, lat), np.full(n, 10.0))
    ours = np.array(
        [elevation_deg(r, radar_alt, h) for r, h in zip(measured[:, 0], height, strict=True)]
    )
    # The sphere differs from the ellipsoid's radius of curvature by < 0.7 %: under 0.004° at
    # 150 km; the clamp applies only above 89°.
    keep = np.abs(measured[:, 2]) < MAX_ELEVATION_DEG
    assert np.max(np.abs(ours - measured[:, 2])[keep]) < 0.004
    # And back: the report's (range, azimuth, elevation) lands within metres of the target.
    back = radar_to_ecef(
        np.stack([measured[:, 0], measured[:, 1], ours], axis=-1),
        sensor,
        np.full(n, lat),
        np.full(n, 10.0),
    )
    assert np.max(np.linalg.norm(back - target, axis=1)[keep]) < 12.0


def test_elevation_clamps_heights_the_range_cannot_reach() -> None:
    assert elevation_deg(100.0, 0.0, 5000.0) == MAX_ELEVATION_DEG
    assert elevation_deg(100.0, 5000.0, 0.0) == -MAX_ELEVATION_DEG
    assert elevation_deg(0.0, 0.0, 10.0) == MAX_ELEVATION_DEG
    assert math.isfinite(elevation_deg(1e-9, 0.0, 0.0))


def test_elevation_of_a_target_at_the_antenna_height_dips_with_range() -> None:
    # The chord to a point at the same height dips by half the earth angle: r / (2 R).
    assert elevation_deg(100_000.0, 0.0, 0.0) == pytest.approx(-0.4497, abs=1e-3)


def test_elevation_sigma_follows_the_height_sigma_within_bounds() -> None:
    assert elevation_sigma_deg(10_000.0, 0.0, 100.0, 0.01, 30.0) == pytest.approx(
        math.degrees(0.01)
    )
    assert elevation_sigma_deg(50.0, 10.0, 100.0, 0.01, 30.0) == 30.0
    assert elevation_sigma_deg(1e6, 0.0, 1.0, 0.01, 30.0) == 0.01
