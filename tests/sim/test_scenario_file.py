"""Scenario files: every bundled one is valid, and a malformed one names the field and line."""

from __future__ import annotations

import pytest

from dronewall.core.errors import ConfigError
from dronewall.sim import Simulation, bundled_names, load_scenario, parse_scenario
from dronewall.sim.scenario import scenario_text
from dronewall.world import World

GOOD = """\
[scenario]
name = "t"
title = "test"
start = 2026-01-01T00:00:00Z
duration_s = 60
seed = 1

[[drones]]
name = "a"
kind = "decoy"
count = 2
launch = { lat = 52.0, lon = 24.0 }
targets = ["EPWA"]

[[drones]]
name = "b"
kind = "decoy"
count = 3
launch = { lat = 52.0, lon = 24.0 }
targets = ["EPWA"]
"""


def test_bundled_scenarios_are_the_seven_named_ones() -> None:
    assert set(bundled_names()) == {
        "poland-2025-09",
        "copenhagen-2025-09",
        "eastern-flank-raid",
        "airport-quadcopter",
        "mediterranean-maritime",
        "civil-low-level",
        "upland-drones",
    }


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_is_valid(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.scenario.description or scenario_text(name)[1].startswith("#")  # documented


def test_good_text_parses() -> None:
    assert [g.count for g in parse_scenario(GOOD).drones] == [2, 3]


def test_bad_value_names_field_and_line() -> None:
    text = GOOD.replace("count = 3", "count = -3")
    with pytest.raises(ConfigError) as info:
        parse_scenario(text, "bad.toml")
    assert info.value.field == "drones[1].count"
    assert info.value.line == 18
    assert "bad.toml:18" in str(info.value)


def test_misspelt_field_is_rejected_with_its_line() -> None:
    text = GOOD.replace('targets = ["EPWA"]\n', 'targets = ["EPWA"]\nsped_kmh = [1, 2]\n', 1)
    with pytest.raises(ConfigError) as info:
        parse_scenario(text)
    assert info.value.field == "drones[0].sped_kmh"
    assert info.value.line == 14


def test_wrong_type_in_header() -> None:
    with pytest.raises(ConfigError) as info:
        parse_scenario(GOOD.replace("duration_s = 60", 'duration_s = "long"'))
    assert info.value.field == "scenario.duration_s"
    assert info.value.line == 5


def test_inverted_range_is_rejected() -> None:
    text = GOOD.replace('targets = ["EPWA"]\n', 'targets = ["EPWA"]\nspeed_kmh = [190, 150]\n', 1)
    with pytest.raises(ConfigError, match="speed_kmh"):
        parse_scenario(text)


def test_toml_syntax_error_gives_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_scenario(GOOD.replace("seed = 1", "seed = = 1"))
    assert info.value.line == 6


def test_unknown_scenario_name() -> None:
    with pytest.raises(ConfigError, match="no scenario named"):
        load_scenario("atlantis")


AIRCRAFT = """
[[aircraft]]
name = "c"
kind = "light_aircraft"
count = 2
area = { lat = 48.2, lon = 11.4, radius_km = 20 }
"""


def test_an_aircraft_group_parses_with_defaults() -> None:
    group = parse_scenario(GOOD + AIRCRAFT).aircraft[0]
    assert (group.kind, group.activity, group.bases) == ("light_aircraft", None, [])


def test_circuits_without_an_airfield_are_rejected() -> None:
    text = GOOD + AIRCRAFT.replace("count = 2", 'count = 2\nactivity = "circuits"')
    with pytest.raises(ConfigError, match="circuits need bases") as info:
        parse_scenario(text)
    assert info.value.field == "aircraft[0]"


def test_an_unknown_aircraft_kind_names_its_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_scenario(GOOD + AIRCRAFT.replace('"light_aircraft"', '"zeppelin"'))
    assert info.value.field == "aircraft[0].kind"
    assert info.value.line == 24


def test_hub_movements_need_a_hub() -> None:
    text = GOOD + (
        "[[traffic]]\nregion = { lat_min = 46, lat_max = 50, lon_min = 8, lon_max = 14 }\n"
        "airborne = 1\nmovements_per_hour = 10\n"
    )
    with pytest.raises(ConfigError, match="needs a hub"):
        parse_scenario(text)


def test_an_unknown_base_is_an_error_naming_the_field(world: World) -> None:
    text = GOOD + AIRCRAFT.replace("count = 2", 'count = 2\nbases = ["XXXX"]')
    with pytest.raises(ConfigError) as info:
        Simulation(parse_scenario(text), world)
    assert info.value.field == "aircraft[0].bases"
