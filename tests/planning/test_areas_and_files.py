"""Named areas on real borders and coasts, the laydown and candidate file formats."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from dronewall.core.errors import ConfigError
from dronewall.planning.areas import NAMED_AREAS, border_area, named_area, resolve
from dronewall.planning.candidates import generate_candidates, parse_candidates
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.laydown import Laydown, laydown_toml, parse_laydown
from dronewall.world import load_world


def test_eastern_land_border_runs_from_finland_to_romania() -> None:
    geometry = resolve(named_area("eastern-land"), load_world())
    length_km = sum(line.length for line in geometry.lines) / 1000.0
    assert 4400 < length_km < 4900  # Natural Earth 1:10m lines, FIN-RUS … ROU-MDA
    assert {s.home for s in geometry.area.stretches} >= {"FIN", "EST", "LVA", "LTU", "POL", "ROU"}


def test_border_band_lies_on_both_sides_and_candidates_on_ours() -> None:
    geometry = resolve(border_area(["POL-BLR"], inside_km=20, outside_km=5), load_world())
    inside = shapely.intersection(geometry.band, geometry.home).area
    assert inside > 3 * (geometry.band.area - inside)  # 20 km inside, 5 km outside
    candidates = generate_candidates(geometry, 5000.0)
    countries = load_world().countries_at(candidates.lat, candidates.lon)
    assert set(countries.tolist()) == {"POL"}


def test_every_named_area_is_defined() -> None:
    assert set(NAMED_AREAS) == {"eastern-land", "baltic", "black-sea", "mediterranean"}
    with pytest.raises(ConfigError, match="unknown area"):
        named_area("atlantis")
    with pytest.raises(ConfigError, match="HOME-OTHER"):
        border_area(["POLAND"])


def test_laydown_round_trips(catalogue: SensorCatalogue) -> None:
    lay = Laydown(
        "x",
        ("a", "b"),
        ("acoustic-node", "cuas-radar"),
        np.array([52.1, 52.2]),
        np.array([23.1, 23.2]),
    )
    back = parse_laydown(laydown_toml(lay), catalogue)
    assert back.types == lay.types and np.allclose(back.lat, lay.lat)
    assert back.cost_eur(catalogue) == 500 + 800_000


def test_laydown_with_unknown_type_names_field_and_line(catalogue: SensorCatalogue) -> None:
    text = '[laydown]\nname = "x"\n\n[[sensor]]\nid = "a"\ntype = "laser"\nlat = 1\nlon = 2\n'
    with pytest.raises(ConfigError, match="unknown sensor type") as caught:
        parse_laydown(text, catalogue, "lay.toml")
    assert caught.value.field == "sensor[0].type" and caught.value.line == 6


def test_candidate_file_rejects_bad_latitude(catalogue: SensorCatalogue) -> None:
    text = '[[candidate]]\nid = "m1"\nlat = 123\nlon = 2\n'
    with pytest.raises(ConfigError) as caught:
        parse_candidates(text, catalogue, "c.toml")
    assert caught.value.field == "candidate[0].lat" and caught.value.line == 3
