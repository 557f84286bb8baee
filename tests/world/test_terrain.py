"""Terrain: ETOPO5 relief plus the EGM96 geoid, against known heights and an independent
geoid implementation (PROJ's vgridshift reading the same grid)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from dronewall.core.errors import DataError
from dronewall.world import terrain
from dronewall.world.terrain import (
    Grid,
    TerrainDataMissingError,
    geoid_height_m,
    ground_height_m,
    height_above_ground_m,
    load_terrain,
)


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    load_terrain.cache_clear()
    yield
    load_terrain.cache_clear()


def test_geoid_agrees_with_proj_reading_the_same_grid() -> None:
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-85, 85, 500), rng.uniform(-180, 180, 500)
    proj = Transformer.from_pipeline(f"+proj=vgridshift +grids={terrain.EGM96_DEFAULT}")
    _, _, orthometric = proj.transform(lon, lat, np.zeros_like(lat))  # H = h - N at h = 0
    assert np.max(np.abs(geoid_height_m(lat, lon) + orthometric)) < 1e-3


def test_geoid_at_published_points() -> None:
    # GeographicLib GeoidEval (egm96-5) example: Timbuktu 16:46:33N 3:00:34W → 28.7068 m;
    # EGM96 at (0°, 0°) is 17.16 m (NGA).
    n = geoid_height_m([16.775833, 0.0], [-3.009444, 0.0])
    assert n[0] == pytest.approx(28.7068, abs=0.1)
    assert n[1] == pytest.approx(17.16, abs=0.1)


@pytest.mark.parametrize(
    ("place", "lat", "lon", "low", "high"),
    [
        ("Pennine Alps near Zermatt", 46.0, 7.75, 2500.0, 4500.0),
        ("High Tatras", 49.2, 20.0, 900.0, 2600.0),
        ("Munich (519 m)", 48.14, 11.58, 460.0, 580.0),
        ("Kraków (219 m)", 50.06, 19.94, 150.0, 300.0),
        ("Jutland lowlands", 55.7, 9.5, 0.0, 150.0),
    ],
)
def test_land_heights_above_sea_level(
    place: str, lat: float, lon: float, low: float, high: float
) -> None:
    msl = load_terrain().height_msl_m(lat, lon)
    assert low <= float(msl) <= high, place


def test_ground_is_sea_level_plus_the_geoid() -> None:
    # North Sea: the ground is the sea surface, i.e. the geoid (≈ 40–45 m above the ellipsoid).
    assert float(load_terrain().height_msl_m(55.0, 4.0)) == 0.0
    sea = float(ground_height_m(55.0, 4.0))
    assert sea == pytest.approx(float(geoid_height_m(55.0, 4.0)))
    assert 35.0 < sea < 50.0
    # A Bavarian site at ~520 m above sea level lies ~47 m higher above the ellipsoid.
    munich = float(ground_height_m(48.14, 11.58))
    assert munich - float(load_terrain().height_msl_m(48.14, 11.58)) == pytest.approx(47, abs=3)


def test_height_above_ground() -> None:
    lat, lon = np.array([48.14, 49.2]), np.array([11.58, 20.0])
    ground = ground_height_m(lat, lon)
    np.testing.assert_allclose(height_above_ground_m(lat, lon, ground + 100.0), 100.0)


def test_vectorised_keeps_shape_and_nan() -> None:
    lat = np.array([[48.0, np.nan], [50.0, 51.0]])
    lon = np.array([[11.0, 12.0], [np.nan, 13.0]])
    out = ground_height_m(lat, lon)
    assert out.shape == (2, 2)
    assert np.isnan(out[0, 1]) and np.isnan(out[1, 0])
    assert np.isfinite(out[0, 0]) and np.isfinite(out[1, 1])


def test_longitude_wraps_and_poles_are_inside() -> None:
    assert float(ground_height_m(60.0, 359.99)) == pytest.approx(
        float(ground_height_m(60.0, -0.01))
    )
    assert float(ground_height_m(10.0, 180.0)) == pytest.approx(
        float(ground_height_m(10.0, -180.0))
    )
    assert np.all(np.isfinite(ground_height_m([90.0, -90.0], [0.0, 0.0])))


def test_latitude_outside_the_globe_is_rejected() -> None:
    with pytest.raises(ValueError, match="latitude"):
        ground_height_m(91.0, 0.0)


def test_bilinear_interpolation_on_a_known_grid() -> None:
    values = np.zeros((3, 4), np.float32)  # rows at -90, 0, 90; columns every 90°
    values[1] = [0.0, 100.0, 200.0, 300.0]
    grid = Grid(values, -90.0, 0.0, 90.0)
    np.testing.assert_allclose(grid.sample([0.0, 0.0, 0.0, 45.0], [90.0, 45.0, 315.0, 90.0]),
                               [100.0, 50.0, 150.0, 50.0])  # fmt: skip


def test_missing_data_names_the_package(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DRONEWALL_ETOPO5", str(tmp_path / "absent.cdf"))
    with pytest.raises(TerrainDataMissingError, match="ferret-datasets"):
        ground_height_m(50.0, 10.0)
    monkeypatch.delenv("DRONEWALL_ETOPO5")
    monkeypatch.setenv("DRONEWALL_EGM96", str(tmp_path / "absent.gtx"))
    load_terrain.cache_clear()
    with pytest.raises(TerrainDataMissingError, match="proj-data"):
        ground_height_m(50.0, 10.0)


def test_a_file_of_the_wrong_kind_is_a_data_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gtx"
    bad.write_bytes(b"\0" * 64)
    with pytest.raises(DataError):
        terrain.read_gtx(bad)


def test_importing_reads_nothing() -> None:
    import subprocess
    import sys

    code = (
        "import sys, dronewall.world.terrain as t; "
        "print(t.load_terrain.cache_info().currsize, 'scipy.io' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]
