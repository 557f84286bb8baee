"""Coverage against cases computable by hand: one radar's horizon circle, two bearing sensors'
overlap (a lens), gaps along a line."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.models.propagation import horizon_distance_m
from dronewall.planning.catalogue import SensorCatalogue, parse_catalogue
from dronewall.planning.coverage import altitude_coverage, sensor_counts
from dronewall.planning.demand import grid_points, line_samples
from dronewall.planning.geometry import to_lonlat
from dronewall.planning.laydown import Laydown
from tests.planning.conftest import disc_geometry

LAT, LON = 52.0, 20.0

HORIZON_RADAR = """
[threat]
name = "t"
rcs_m2 = 0.1
acoustic_range_m = 3500
optical_range_m = 0
rf_range_m = 0
speed_kmh = 180

[[sensor]]
id = "big-radar"
name = "radar whose only limit is the horizon"
class = "radar"
mast_m = 10
max_range_m = 1000000
range_pd50_m = 10000000
unit_price_eur = 1
supplier = "s"
origin = "EU"
price_source = "test"

[[sensor]]
id = "ear"
name = "acoustic node"
class = "acoustic"
mast_m = 3
max_range_m = 100000
unit_price_eur = 1
supplier = "s"
origin = "UA"
price_source = "test"
"""


@pytest.fixture(scope="module")
def test_catalogue() -> SensorCatalogue:
    return parse_catalogue(HORIZON_RADAR)


def _laydown(types: list[str], lat: list[float], lon: list[float]) -> Laydown:
    return Laydown(
        "t", tuple(f"s{k}" for k in range(len(types))), tuple(types), np.array(lat), np.array(lon)
    )


def test_single_radar_covers_its_horizon_circle(test_catalogue: SensorCatalogue) -> None:
    altitude = 50.0
    horizon_km = float(horizon_distance_m(10.0) + horizon_distance_m(altitude)) / 1000.0  # 42.3
    geometry = disc_geometry(LAT, LON, 60.0)
    grid = grid_points(geometry.band, 1000.0)
    line = line_samples(geometry.lines, 250.0)
    result = altitude_coverage(
        _laydown(["big-radar"], [LAT], [LON]), test_catalogue, geometry, grid, line, altitude
    )
    assert result.seen_km2 == pytest.approx(np.pi * horizon_km**2, rel=0.01)
    assert result.fixed_km2 == pytest.approx(result.seen_km2)  # a radar alone fixes a position
    assert result.seen_line_km == pytest.approx(2 * horizon_km, rel=0.01)
    assert len(result.gaps) == 2  # both ends of the line, beyond the horizon
    assert sum(g.length_km for g in result.gaps) == pytest.approx(120.0 - 2 * horizon_km, rel=0.01)


def test_higher_targets_are_seen_farther(test_catalogue: SensorCatalogue) -> None:
    geometry = disc_geometry(LAT, LON, 120.0)
    grid = grid_points(geometry.band, 2000.0)
    lay = _laydown(["big-radar"], [LAT], [LON])
    seen = [sensor_counts(lay, test_catalogue, h, grid).seen().sum() for h in (50.0, 150.0, 500.0)]
    assert seen[0] < seen[1] < seen[2]


def test_two_bearing_sensors_fix_only_their_overlap(test_catalogue: SensorCatalogue) -> None:
    r, d = 3.5, 4.0  # km: acoustic reach at P_d ½, distance between the two nodes
    geometry = disc_geometry(LAT, LON, 10.0)
    grid = grid_points(geometry.band, 50.0)
    x0, y0 = grid.x.mean(), grid.y.mean()
    lon, lat = to_lonlat(np.array([x0 - d * 500.0, x0 + d * 500.0]), np.array([y0, y0]))
    lay = _laydown(["ear", "ear"], lat.tolist(), lon.tolist())
    counts = sensor_counts(lay, test_catalogue, 0.0, grid)
    lens = 2 * r**2 * np.arccos(d / (2 * r)) - (d / 2) * np.sqrt(4 * r**2 - d**2)
    assert grid.weight[counts.fixed()].sum() == pytest.approx(lens, rel=0.02)
    assert grid.weight[counts.seen()].sum() == pytest.approx(2 * np.pi * r**2 - lens, rel=0.02)
    assert not np.any(counts.ranging)


def test_packaged_cuas_radar_reach_matches_its_disc(catalogue: SensorCatalogue) -> None:
    geometry = disc_geometry(LAT, LON, 15.0)
    grid = grid_points(geometry.band, 200.0)
    counts = sensor_counts(_laydown(["cuas-radar"], [LAT], [LON]), catalogue, 150.0, grid)
    inner, outer = catalogue.get("cuas-radar").ground_reach_m(catalogue.threat, 150.0)
    expected = np.pi * (outer**2 - inner**2) / 1e6
    assert grid.weight[counts.seen()].sum() == pytest.approx(expected, rel=0.02)
