"""Effector laydowns: the demo file loads, and each kind of bad row is named with its line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewall.core.errors import ConfigError
from dronewall.engage.effectors import EffectorCatalogue, load_effectors
from dronewall.engage.laydown import load_laydown, parse_laydown, sample_laydown_path

ROW = """
[[effector]]
type = "mobile-fire-group-hmg"
nation = "POL"
lat = 52.03
lon = 23.13
count = 4

[[effector]]
type = "rf-jammer-vehicle"
nation = "DNK"
lat = 55.69
lon = 12.60
magazine = 3
ready = false
"""


@pytest.fixture(scope="module")
def catalogue() -> EffectorCatalogue:
    return load_effectors()


def test_demo_laydown_covers_copenhagen_and_eastern_poland(catalogue: EffectorCatalogue) -> None:
    laydown = load_laydown(sample_laydown_path(), catalogue)
    assert set(laydown.nation) >= {"DNK", "POL"}
    assert laydown.units() == int(laydown.count.sum()) >= len(laydown) > 10
    copenhagen = (np.abs(laydown.lat - 55.68) < 0.3) & (np.abs(laydown.lon - 12.6) < 0.3)
    border = (laydown.lon > 22.5) & (laydown.nation == "POL")
    assert copenhagen.sum() >= 3 and border.sum() >= 3
    assert not laydown.ready.all()  # the file holds one unit back, to show the key
    assert all(str(t) in catalogue.types for t in laydown.type_id)


def test_magazine_override_and_defaults(catalogue: EffectorCatalogue) -> None:
    laydown = parse_laydown(ROW, catalogue, "l.toml")
    hmg = catalogue.get("mobile-fire-group-hmg")
    assert laydown.magazine.tolist() == [hmg.magazine, 3]
    assert laydown.count.tolist() == [4, 1] and laydown.ready.tolist() == [True, False]
    assert len(laydown.of_nation("DNK")) == 1 and laydown.of_nation("DNK").lat[0] == 55.69
    assert [e.id for e in laydown.effectors(catalogue)] == [
        "mobile-fire-group-hmg",
        "rf-jammer-vehicle",
    ]


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        ('type = "mobile-fire-group-hmg"', 'type = "laser"', "effector[0].type", 3,
         "unknown effector type 'laser'"),
        ('nation = "POL"', 'nation = "PL"', "effector[0].nation", 4, "should match pattern"),
        ('nation = "POL"', 'nation = "XYZ"', "effector[0].nation", 4, "unknown nation 'XYZ'"),
        ("lat = 52.03", "lat = 95.0", "effector[0].lat", 5, "less than or equal to 90"),
        ("lon = 12.60", "lon = -190", "effector[1].lon", 13, "greater than or equal to -180"),
        ("count = 4", "count = -1", "effector[0].count", 7, "greater than or equal to 0"),
        ("magazine = 3", "magazine = -2", "effector[1].magazine", 14, "greater than or equal"),
        ("ready = false", 'ready = "soon"', "effector[1].ready", 15, "valid boolean"),
    ],
)  # fmt: skip
def test_bad_rows_name_the_file_field_and_line(
    catalogue: EffectorCatalogue, old: str, new: str, field: str, line: int, words: str
) -> None:
    assert old in ROW
    with pytest.raises(ConfigError) as caught:
        parse_laydown(ROW.replace(old, new), catalogue, "l.toml")
    assert str(caught.value).startswith(f"l.toml:{line}: {field}: ")
    assert words in str(caught.value)


def test_allies_outside_europe_are_known_nations(catalogue: EffectorCatalogue) -> None:
    laydown = parse_laydown(ROW.replace('"POL"', '"USA"'), catalogue)
    assert laydown.nation[0] == "USA"


def test_empty_and_missing_files_are_one_line_errors(
    catalogue: EffectorCatalogue, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="effector: Field required"):
        parse_laydown("", catalogue, "l.toml")
    with pytest.raises(ConfigError, match="cannot read file"):
        load_laydown(tmp_path / "none.toml", catalogue)
