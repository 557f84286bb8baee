"""The protected-sites file format, its error messages, and the packaged starter sites."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from shapely.ops import nearest_points

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import surface_distance_m
from dronewall.world.countries import country, load_countries
from dronewall.world.sites import (
    DEFAULT_RADIUS_M,
    SiteKind,
    default_sites_path,
    load_sites,
    parse_sites,
)

COASTAL_TOLERANCE_M = 15_000.0  # 1:10m coastlines are generalised; ports sit on the water

GOOD = """\
# two sites
[[site]]
id = "plant-a"
name = "Plant A"
kind = "nuclear"
country = "FIN"
lat = 61.2369
lon = 21.4408
source = "https://example.org/a"

[[site]]
id = "port-b"
name = "Port B"
kind = "port"
country = "POL"
lat = 54.39
lon = 18.67
radius_m = 2500
source = "https://example.org/b"
"""


def test_a_good_file_loads_with_default_and_explicit_radii() -> None:
    plant, port = parse_sites(GOOD)
    assert (plant.id, plant.kind, plant.radius_m) == ("plant-a", SiteKind.NUCLEAR, 5_000.0)
    assert (port.id, port.kind, port.radius_m) == ("port-b", SiteKind.PORT, 2_500.0)
    assert set(DEFAULT_RADIUS_M) == set(SiteKind)


def test_load_sites_reads_a_path_and_names_it_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(GOOD.replace("lat = 54.39", "lat = 154.39"), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_sites(path)
    assert str(raised.value) == f"{path}:16: site[2].lat: must be between -90 and 90"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read file"):
        load_sites(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [
        ("lat = 54.39", "lat = 95.0", "site[2].lat", 16, "must be between -90 and 90"),
        ("lon = 21.4408", "lon = 181", "site[1].lon", 8, "must be between -180 and 180"),
        ("lat = 54.39", 'lat = "54.39"', "site[2].lat", 16, "valid number"),
        ('kind = "port"', 'kind = "harbour"', "site[2].kind", 14, "must be one of"),
        ('country = "POL"', 'country = "pl"', "site[2].country", 15, "ADM0_A3"),
        ('id = "port-b"', 'id = "Port B"', "site[2].id", 12, "slug"),
        ('source = "https://example.org/a"\n', "", "site[1].source", 2, "field is missing"),
        ("radius_m = 2500", "radius_m = 0", "site[2].radius_m", 18, "greater than 0"),
        ("radius_m = 2500", "radius = 2500", "site[2].radius", 18, "unknown field"),
        ('id = "port-b"', 'id = "plant-a"', "site[2].id", 12, "duplicate id 'plant-a'"),
    ],
)
def test_errors_name_the_field_and_the_line(
    old: str, new: str, field: str, line: int, message: str
) -> None:
    text = GOOD.replace(old, new)
    assert text != GOOD
    with pytest.raises(ConfigError) as raised:
        parse_sites(text, name="sites.toml")
    error = raised.value
    assert (error.source, error.field, error.line) == ("sites.toml", field, line)
    assert message in str(error)
    assert str(error).startswith(f"sites.toml:{line}: {field}: ")


def test_a_toml_syntax_error_names_its_line() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_sites(GOOD.replace("lat = 54.39", "lat = = 54.39"), name="sites.toml")
    assert raised.value.line == 16


def test_an_unknown_top_level_key_names_its_line() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_sites("[[sites]]\nid = 'x'\n", name="sites.toml")
    assert (raised.value.field, raised.value.line) == ("sites", 1)


def test_an_unknown_country_is_rejected_when_countries_are_given() -> None:
    text = GOOD.replace('country = "POL"', 'country = "XYZ"')
    assert parse_sites(text)[1].country == "XYZ"
    with pytest.raises(ConfigError) as raised:
        parse_sites(text, name="s.toml", known_countries={"FIN", "POL"})
    assert (raised.value.field, raised.value.line) == ("site[2].country", 15)


def test_an_empty_file_has_no_sites() -> None:
    assert parse_sites("# nothing yet\n") == ()


def test_starter_sites_have_unique_ids_and_a_source() -> None:
    sites = load_sites(default_sites_path())
    assert len(sites) >= 40
    assert len({site.id for site in sites}) == len(sites)
    assert all(site.source.strip() for site in sites)
    assert {site.kind for site in sites} >= set(SiteKind) - {SiteKind.OTHER}


def test_starter_sites_lie_in_or_next_to_their_country() -> None:
    for site in load_sites(default_sites_path(), known_countries=load_countries().keys()):
        geometry = country(site.country).geometry
        point = shapely.Point(site.lon, site.lat)
        if geometry.contains(point):
            continue
        nearest = nearest_points(geometry, point)[0]
        gap_m = float(surface_distance_m(site.lat, site.lon, nearest.y, nearest.x))
        assert gap_m < COASTAL_TOLERANCE_M, (
            f"{site.id} is {gap_m / 1000:.1f} km from {site.country}"
        )


def test_the_example_in_the_format_document_loads() -> None:
    document = Path(__file__).parents[2] / "docs" / "sites-format.md"
    example = document.read_text(encoding="utf-8").split("```toml\n")[1].split("```")[0]
    sites = parse_sites(example, known_countries=load_countries().keys())
    assert [(site.id, site.radius_m) for site in sites] == [
        ("port-gdansk", 3_000.0),
        ("port-gdynia", 4_000.0),
    ]
