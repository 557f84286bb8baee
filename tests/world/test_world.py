"""The World facade and the public API of ``dronewall.world``."""

from __future__ import annotations

from pathlib import Path

import pytest

import dronewall.world
from dronewall.core.errors import ConfigError, UnknownPlaceError
from dronewall.world import World, load_world


def test_the_public_api_is_stable() -> None:
    assert sorted(dronewall.world.__all__) == sorted(
        [
            "DEFAULT_RADIUS_M", "EUROPEAN_COUNTRIES", "EU_MEMBERS", "NATO_ALLIES", "WORLD_BOX",
            "Airport", "AirportTable", "Country", "Site", "SiteKind", "World", "load_sites",
            "load_world", "Terrain", "TerrainDataMissingError", "geoid_height_m",
            "ground_height_m", "height_above_ground_m", "load_terrain",
        ]
    )  # fmt: skip
    for name in dronewall.world.__all__:
        assert hasattr(dronewall.world, name)


def test_the_default_world_is_built_once() -> None:
    assert load_world() is load_world()
    assert isinstance(load_world(), World)


def test_world_answers_country_border_and_point_questions() -> None:
    world = load_world()
    assert world.country("POL").name == "Poland"
    assert world.border_length_km("POL", "BLR") == pytest.approx(341.0, rel=0.1)
    assert world.border("POL", "BLR").equals(world.border("BLR", "POL"))
    assert not world.coastline("POL").is_empty
    assert "LTU" in world.neighbours("POL")
    assert world.countries_at([52.23, 59.5], [21.01, 21.0]).tolist() == ["POL", ""]
    assert world.is_at_sea([52.23, 59.5], [21.01, 21.0]).tolist() == [False, True]
    with pytest.raises(UnknownPlaceError):
        world.country("XXX")


def test_place_resolves_site_ids_and_icao_codes() -> None:
    world = load_world()
    site = world.site("olkiluoto-npp")
    assert world.place("olkiluoto-npp") == (site.lat, site.lon)
    airport = world.airport("EPWA")
    assert world.place("EPWA") == (airport.lat, airport.lon)
    with pytest.raises(UnknownPlaceError):
        world.place("atlantis")
    with pytest.raises(UnknownPlaceError):
        world.site("EPWA")


def test_a_user_sites_file_replaces_the_starter_sites(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[site]]\nid = "hq"\nname = "HQ"\nkind = "government"\ncountry = "EST"\n'
        'lat = 59.4356\nlon = 24.7386\nsource = "own survey"\n',
        encoding="utf-8",
    )
    world = load_world(path)
    assert [site.id for site in world.sites] == ["hq"]
    assert world.place("hq") == (59.4356, 24.7386)
    assert world.airports is load_world().airports


def test_a_user_site_in_an_unknown_country_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[site]]\nid = "x"\nname = "X"\nkind = "other"\ncountry = "USA"\n'
        'lat = 40.0\nlon = -74.0\nsource = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_world(path)
    assert (raised.value.field, raised.value.line) == ("site[1].country", 5)
