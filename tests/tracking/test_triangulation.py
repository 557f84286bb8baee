"""Triangulation recovers a known position from bearings."""

from __future__ import annotations

import numpy as np

from dronewall.core.geodesy import destination, ecef_to_geodetic, geodetic_to_ecef
from dronewall.models.measurement import bearing_measure
from dronewall.tracking.triangulation import Bearings, triangulate

TARGET = (52.30, 23.40, 300.0)


def _bearings(sigma_deg: float, rng: np.random.Generator, with_elevation: bool = True) -> Bearings:
    lat, lon = destination(
        np.full(3, TARGET[0]), np.full(3, TARGET[1]), [10.0, 130.0, 250.0], 3000.0
    )
    sensors = geodetic_to_ecef(lat, lon, np.full(3, 3.0))
    target = np.repeat(geodetic_to_ecef(*TARGET)[None], 3, axis=0)
    true = bearing_measure(target, sensors, lat, lon)
    az = true[:, 0] + rng.normal(0, sigma_deg, 3)
    el = true[:, 1] + rng.normal(0, sigma_deg, 3) if with_elevation else np.full(3, np.nan)
    return Bearings(
        sensor=np.arange(3),
        t=np.zeros(3),
        sensor_ecef=sensors,
        sensor_lat=lat,
        sensor_lon=lon,
        max_range=np.full(3, 8000.0),
        azimuth=az,
        elevation=el,
        sigma_azimuth=np.full(3, max(sigma_deg, 0.01)),
        sigma_elevation=np.full(3, max(sigma_deg, 0.01)),
    )


def test_exact_bearings_recover_the_point() -> None:
    fixes = triangulate(_bearings(0.0, np.random.default_rng(0)), 1.0, 150.0, 300.0)
    assert len(fixes) == 1
    assert fixes[0].members.size == 3  # the third bearing joined the pair
    error = np.linalg.norm(fixes[0].position - geodetic_to_ecef(*TARGET))
    assert error < 1.0


def test_noisy_fix_error_is_consistent_with_its_covariance() -> None:
    rng = np.random.default_rng(1)
    nees = []
    for _ in range(200):
        fixes = triangulate(_bearings(2.0, rng), 1.0, 150.0, 2000.0)
        assert len(fixes) == 1
        e = fixes[0].position - geodetic_to_ecef(*TARGET)
        nees.append(e @ np.linalg.solve(fixes[0].covariance, e))
    assert 2.0 < np.mean(nees) < 4.5  # χ² with 3 degrees of freedom has mean 3


def test_without_elevation_the_height_prior_holds() -> None:
    fixes = triangulate(
        _bearings(0.0, np.random.default_rng(0), with_elevation=False), 1.0, 300.0, 300.0
    )
    lat, lon, alt = ecef_to_geodetic(fixes[0].position)
    assert abs(float(alt) - 300.0) < 20.0
    assert abs(float(lat) - TARGET[0]) < 1e-3 and abs(float(lon) - TARGET[1]) < 1e-3


def test_bearings_that_do_not_cross_give_no_fix() -> None:
    b = _bearings(0.0, np.random.default_rng(0))
    away = Bearings(
        **{
            **{f: getattr(b, f) for f in b.__dataclass_fields__},
            "azimuth": np.mod(b.azimuth + 180.0, 360.0),
        }
    )
    assert triangulate(away, 1.0, 150.0, 300.0) == []
