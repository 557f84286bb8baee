"""European airports from airportsdata."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import UnknownPlaceError
from dronewall.world.airports import (
    FEET_TO_METRES,
    european_iso_a2,
    load_airports,
    table_from_records,
)


@pytest.mark.parametrize(
    ("icao", "lat", "lon"),
    [
        ("EFHK", 60.3172, 24.9633),  # Helsinki-Vantaa
        ("EKCH", 55.6181, 12.6561),  # Copenhagen Kastrup
        ("EDDM", 48.3538, 11.7861),  # Munich
        ("EPWA", 52.1657, 20.9671),  # Warsaw Chopin
    ],
)
def test_major_airports_are_where_they_should_be(icao: str, lat: float, lon: float) -> None:
    airport = load_airports().airport(icao)
    assert airport.lat == pytest.approx(lat, abs=0.05)
    assert airport.lon == pytest.approx(lon, abs=0.05)
    assert airport.iata != ""


def test_there_are_more_than_2000_european_airports() -> None:
    table = load_airports()
    assert len(table) > 2000
    assert np.all(np.isin(table.country, sorted(european_iso_a2())))
    assert list(table.icao) == sorted(table.icao)


def test_elevation_is_in_metres() -> None:
    assert load_airports().airport("EDDM").elevation_m == pytest.approx(448.0, abs=10.0)


def test_with_iata_selects_airports_with_an_iata_code() -> None:
    table = load_airports()
    major = table.select(table.with_iata())
    assert 500 < len(major) < len(table)
    assert np.all(major.iata != "")
    assert "EPWA" in major.icao


def test_unknown_airport_raises() -> None:
    with pytest.raises(UnknownPlaceError) as raised:
        load_airports().airport("KJFK")  # not European
    assert raised.value.kind == "airport"


def _record(icao: str, country: str, lat: float, lon: float, iata: str = "") -> dict[str, object]:
    return {
        "icao": icao, "iata": iata, "name": icao, "city": "", "country": country,
        "elevation": 1000.0, "lat": lat, "lon": lon,
    }  # fmt: skip


def test_table_keeps_european_countries_inside_the_box_and_converts_feet() -> None:
    records = [
        _record("ZZZB", "PL", 52.0, 21.0, iata="ABC"),
        _record("ZZZA", "FI", 60.0, 25.0),
        _record("ZZZC", "US", 40.0, -74.0),  # not a European country
        _record("ZZZD", "RU", 56.0, 60.0),  # east of the box
    ]
    table = table_from_records(records, frozenset({"PL", "FI", "RU"}))
    assert table.icao.tolist() == ["ZZZA", "ZZZB"]
    assert table.elevation_m.tolist() == [1000.0 * FEET_TO_METRES] * 2
    assert table.with_iata().tolist() == [False, True]
    assert table.in_country("PL").tolist() == [False, True]
