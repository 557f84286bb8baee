"""Natural Earth countries: loading, codes and the point-in-country index."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dronewall.core.errors import UnknownPlaceError
from dronewall.world.countries import (
    WORLD_BOX,
    countries_at,
    country,
    in_world_box,
    is_at_sea,
    load_countries,
)


def test_europe_and_its_neighbours_are_loaded() -> None:
    loaded = load_countries()
    neighbours = {"RUS", "BLR", "UKR", "MDA", "TUR", "GEO", "MAR", "DZA", "TUN", "LBY", "EGY"}
    assert neighbours | {"ISR", "LBN", "SYR", "CYP", "ISL", "KOS"} <= set(loaded)
    assert "USA" not in loaded  # an ally, but not on the map


def test_france_and_norway_are_keyed_on_adm0_a3_with_their_iso_codes() -> None:
    assert country("FRA").iso_a2 == "FR"
    assert country("NOR").iso_a2 == "NO"
    assert country("KOS").iso_a2 == "XK"


def test_geometries_are_clipped_to_the_world_box() -> None:
    lon_min, lat_min, lon_max, lat_max = WORLD_BOX
    x_min, y_min, x_max, y_max = country("RUS").geometry.bounds
    assert (x_min, y_min) >= (lon_min, lat_min)
    assert (x_max, y_max) <= (lon_max, lat_max)
    assert all(
        c.geometry.geom_type in ("Polygon", "MultiPolygon") for c in load_countries().values()
    )


def test_unknown_country_raises() -> None:
    with pytest.raises(UnknownPlaceError) as raised:
        country("XXX")
    assert raised.value.name == "XXX"


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (44.95, 34.10, "UKR"),  # Simferopol: Crimea is Ukraine in the German/EU view
        (60.17, 24.94, "FIN"),  # Helsinki
        (53.90, 27.56, "BLR"),  # Minsk
        (52.23, 21.01, "POL"),  # Warsaw
        (54.71, 20.51, "RUS"),  # Kaliningrad
        (59.50, 21.00, ""),  # Baltic Sea
    ],
)
def test_countries_at_known_points(lat: float, lon: float, expected: str) -> None:
    assert countries_at([lat], [lon]).tolist() == [expected]


def test_countries_at_keeps_the_input_shape_and_accepts_scalars() -> None:
    lat = np.array([[60.17, 52.23], [59.5, 80.0]])
    lon = np.array([[24.94, 21.01], [21.0, 10.0]])
    assert countries_at(lat, lon).tolist() == [["FIN", "POL"], ["", ""]]
    assert countries_at(52.23, 21.01).shape == ()


def test_is_at_sea_is_false_on_land_and_outside_the_box() -> None:
    lat = np.array([59.5, 60.17, 80.0, 55.0])
    lon = np.array([21.0, 24.94, 10.0, 60.0])
    assert is_at_sea(lat, lon).tolist() == [True, False, False, False]
    assert in_world_box(lat, lon).tolist() == [True, True, False, False]


def test_countries_at_is_vectorised_over_many_points() -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(27.0, 72.0, 20_000)
    lon = rng.uniform(-32.0, 50.0, 20_000)
    codes = countries_at(lat, lon)
    assert codes.shape == (20_000,)
    assert 0.3 < float(np.mean(codes == "")) < 0.7  # the box is roughly half sea
    sample = slice(0, 200)
    for code, y, x in zip(codes[sample], lat[sample], lon[sample], strict=True):
        assert code == "" or country(str(code)).contains(float(y), float(x))


def test_importing_the_world_package_reads_no_data() -> None:
    script = (
        "import dronewall.world, dronewall.world.airports as a, dronewall.world.countries as c;"
        "print(c.load_countries.cache_info().currsize, a.load_airports.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["0", "0"]
