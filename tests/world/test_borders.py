"""Land borders and coastlines computed from the shared Natural Earth boundaries."""

from __future__ import annotations

import pytest
import shapely

from dronewall.core.errors import UnknownPlaceError
from dronewall.world.borders import (
    border,
    border_length_km,
    coastline,
    coastline_length_km,
    neighbours,
)
from dronewall.world.countries import country


@pytest.mark.parametrize(
    ("a3", "b3", "expected_km"),
    [
        ("POL", "BLR", 341.0),  # Natural Earth 1:10m lengths, shorter than surveyed ones
        ("FIN", "RUS", 1225.0),
        ("ROU", "UKR", 515.0),
    ],
)
def test_border_lengths(a3: str, b3: str, expected_km: float) -> None:
    assert border_length_km(a3, b3) == pytest.approx(expected_km, rel=0.10)


def test_border_is_symmetric_and_lies_on_both_boundaries() -> None:
    line = border("POL", "BLR")
    assert line.equals(border("BLR", "POL"))
    assert line.geom_type == "MultiLineString"
    for a3 in ("POL", "BLR"):
        assert (
            shapely.hausdorff_distance(line, line.intersection(country(a3).geometry.buffer(1e-9)))
            < 1e-6
        )


def test_countries_without_a_land_border_have_an_empty_border() -> None:
    assert border("DNK", "SWE").is_empty
    assert border_length_km("DNK", "SWE") == 0.0
    assert border("POL", "POL").is_empty


def test_unknown_country_raises() -> None:
    with pytest.raises(UnknownPlaceError):
        border("POL", "XXX")


def test_neighbours_of_poland() -> None:
    assert neighbours("POL") == ("BLR", "CZE", "DEU", "LTU", "RUS", "SVK", "UKR")


def test_landlocked_country_has_no_coastline() -> None:
    assert coastline("AUT").is_empty
    assert coastline_length_km("AUT") == 0.0


def test_coastline_excludes_land_borders_and_the_box_edge() -> None:
    coast = coastline("POL")
    assert 400.0 < coastline_length_km("POL") < 1000.0
    for other in neighbours("POL"):
        assert coast.intersection(border("POL", other)).length == pytest.approx(0.0, abs=1e-9)
    assert coastline("RUS").intersection(shapely.LineString([(50, 27), (50, 72)])).length == 0.0
