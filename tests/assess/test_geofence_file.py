"""The geofence file: a good file loads; each kind of mistake names its field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewall.assess import load_geofences, parse_geofences
from dronewall.core.errors import ConfigError
from dronewall.world import SiteKind

GOOD = """\
# Geofences of the Rzeszów cell.

[[geofence]]
id = "logistics-hub"
name = "Logistics hub apron"
kind = "military"
min_alt_m = 0
max_alt_m = 1500.0
polygon = [
    [50.105, 22.000],
    [50.105, 22.040],
    [50.120, 22.040],
    [50.120, 22.000],
]

[[geofence]]
id = "stadium"
name = "City stadium"
kind = "other"
polygon = [[50.03, 21.99], [50.03, 22.00], [50.04, 22.00], [50.03, 21.99]]
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "fences.toml"
    path.write_text(GOOD, encoding="utf-8")
    hub, stadium = load_geofences(path)
    assert hub.id == "logistics-hub" and hub.kind is SiteKind.MILITARY
    assert hub.vertices[0] == (50.105, 22.0) and len(hub.vertices) == 4
    assert (hub.floor_m, hub.ceiling_m) == (0.0, 1500.0)
    assert len(stadium.vertices) == 3  # the closing vertex is dropped
    assert stadium.floor_m is None and stadium.ceiling_m is None


def replace_line(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "field", "line", "words"),
    [
        (
            replace_line('kind = "military"', 'kind = "castle"'),
            "geofence[0].kind",
            6,
            "must be one of",
        ),
        (replace_line('id = "stadium"', 'id = "City Stadium"'), "geofence[1].id", 17, "slug"),
        (replace_line("max_alt_m = 1500.0", 'max_alt_m = "1500"'), "geofence[0].max_alt_m", 8, ""),
        (
            replace_line("max_alt_m = 1500.0", "max_alt_m = -5.0"),
            "geofence[0].max_alt_m",
            8,
            "greater than min_alt_m",
        ),
        (
            replace_line("    [50.120, 22.040],", "    [95.0, 22.040],"),
            "geofence[0].polygon",
            9,
            "vertex 2",
        ),
        (
            replace_line("    [50.120, 22.040],", '    [50.120, "22.040"],'),
            "geofence[0].polygon",
            9,
            "vertex 2",
        ),
        (
            replace_line("    [50.120, 22.040],", "    [50.120],"),
            "geofence[0].polygon",
            9,
            "vertex 2",
        ),
        (
            replace_line('name = "City stadium"', 'name = "City stadium"\ncolour = "red"'),
            "geofence[1].colour",
            19,
            "unknown field",
        ),
        (
            replace_line('name = "City stadium"\n', ""),
            "geofence[1].name",
            16,
            "required field is missing",
        ),
        (
            replace_line('id = "stadium"', 'id = "logistics-hub"'),
            "geofence[1].id",
            17,
            "duplicate id",
        ),
    ],
)
def test_errors_name_field_and_line(text: str, field: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_geofences(text, name="fences.toml")
    error = caught.value
    assert (error.field, error.line, error.source) == (field, line, "fences.toml")
    assert words in str(error)
    assert str(error).startswith(f"fences.toml:{line}: {field}: ")


def test_geometry_errors() -> None:
    crossing = replace_line(
        "    [50.120, 22.040],\n    [50.120, 22.000],",
        "    [50.120, 22.000],\n    [50.120, 22.040],",
    )
    with pytest.raises(ConfigError, match="edges cross") as caught:
        parse_geofences(crossing)
    assert (caught.value.field, caught.value.line) == ("geofence[0].polygon", 9)
    degenerate = replace_line(
        "[[50.03, 21.99], [50.03, 22.00], [50.04, 22.00], [50.03, 21.99]]",
        "[[50.03, 21.99], [50.03, 22.00], [50.03, 21.99]]",
    )
    with pytest.raises(ConfigError, match="at least three distinct vertices"):
        parse_geofences(degenerate)
    huge = replace_line(
        "[[50.03, 21.99], [50.03, 22.00], [50.04, 22.00], [50.03, 21.99]]",
        "[[45.0, 10.0], [45.0, 20.0], [50.0, 20.0]]",
    )
    with pytest.raises(ConfigError, match="more than 250 km from its centre"):
        parse_geofences(huge)


def test_ids_of_sites_are_reserved() -> None:
    with pytest.raises(ConfigError, match="already a site's id") as caught:
        parse_geofences(GOOD, reserved_ids={"stadium"})
    assert caught.value.field == "geofence[1].id"


def test_toml_syntax_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        parse_geofences(
            GOOD.replace('name = "City stadium"', 'name = "City stadium'), name="f.toml"
        )
    assert caught.value.line == 18
    with pytest.raises(ConfigError, match="cannot read file"):
        load_geofences(tmp_path / "missing.toml")


def test_an_empty_file_has_no_geofences() -> None:
    assert parse_geofences("# nothing yet\n") == ()
