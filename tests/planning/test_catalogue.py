"""The planning catalogue: range model against the shared physics, and bad files."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import ConfigError
from dronewall.models.propagation import (
    horizon_distance_m,
    passive_detection_probability,
    radar_detection_probability,
)
from dronewall.planning.catalogue import SensorCatalogue, parse_catalogue


def test_packaged_catalogue_has_price_supplier_and_origin(catalogue: SensorCatalogue) -> None:
    assert {"acoustic-node", "cuas-radar", "surveillance-radar"} <= set(catalogue.types)
    for sensor in catalogue.types.values():
        assert sensor.unit_price_eur > 0
        assert sensor.supplier and sensor.origin in ("EU", "UA", "other")


def test_radar_range_is_where_the_shared_radar_equation_gives_the_required_pd(
    catalogue: SensorCatalogue,
) -> None:
    radar, threat = catalogue.get("cuas-radar"), catalogue.threat
    reach = radar.detection_range_m(threat)
    pd = radar_detection_probability(
        threat.rcs_m2, reach, radar.range_pd50_m, radar.reference_rcs_m2, radar.pfa
    )
    assert float(pd) == pytest.approx(threat.required_pd, abs=1e-9)


def test_passive_range_is_where_the_shared_falloff_gives_the_required_pd(
    catalogue: SensorCatalogue,
) -> None:
    node, threat = catalogue.get("acoustic-node"), catalogue.threat
    reach = node.detection_range_m(threat)
    pd = passive_detection_probability(reach, threat.acoustic_range_m * node.range_scale)
    assert float(pd) == pytest.approx(threat.required_pd, abs=1e-9)


def test_horizon_limits_a_long_range_radar_but_not_an_acoustic_node(
    catalogue: SensorCatalogue,
) -> None:
    radar = catalogue.get("surveillance-radar")
    _, outer = radar.ground_reach_m(catalogue.threat, 0.0)
    assert outer == pytest.approx(float(horizon_distance_m(radar.mast_m)))  # 18.4 km < 35 km
    assert catalogue.get("acoustic-node").ground_reach_m(catalogue.threat, 0.0)[1] == pytest.approx(
        3500.0
    )


def test_a_non_emitting_threat_is_invisible_to_rf(catalogue: SensorCatalogue) -> None:
    assert catalogue.get("rf-df").ground_reach_m(catalogue.threat, 150.0) == (0.0, 0.0)


GOOD = """
[threat]
name = "t"
rcs_m2 = 0.1
acoustic_range_m = 3000
optical_range_m = 5000
rf_range_m = 0
speed_kmh = 180

[[sensor]]
id = "r"
name = "radar"
class = "radar"
mast_m = 10
max_range_m = 20000
range_pd50_m = 9000
unit_price_eur = 1000
supplier = "s"
origin = "EU"
price_source = "p"
"""


def test_a_good_catalogue_parses() -> None:
    assert parse_catalogue(GOOD).get("r").range_pd50_m == 9000


@pytest.mark.parametrize(
    ("old", "new", "field", "line"),
    [
        ("unit_price_eur = 1000", "unit_price_eur = -1", "sensor[0].unit_price_eur", 17),
        ('class = "radar"', 'class = "sonar"', "sensor[0].class", 13),
        ("range_pd50_m = 9000", "range_pd50_m = 0", "sensor[0]", 10),
        ('origin = "EU"', 'origin = "Mars"', "sensor[0].origin", 19),
        ("speed_kmh = 180", "speed_kmh = 0", "threat.speed_kmh", 8),
    ],
)
def test_bad_catalogue_names_field_and_line(old: str, new: str, field: str, line: int) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_catalogue(GOOD.replace(old, new), "cat.toml")
    assert caught.value.field == field
    assert caught.value.line == line
    assert "cat.toml" in str(caught.value)


def test_duplicate_sensor_id_is_rejected() -> None:
    text = GOOD + GOOD[GOOD.index("[[sensor]]") :]
    with pytest.raises(ConfigError, match="duplicate id") as caught:
        parse_catalogue(text)
    assert caught.value.field == "sensor[1].id"


def test_blind_cone_above_an_elevation_limited_radar(catalogue: SensorCatalogue) -> None:
    radar = catalogue.get("cuas-radar")  # 70° limit, 10 m mast
    inner, _ = radar.ground_reach_m(catalogue.threat, 500.0)
    assert inner == pytest.approx(490.0 / np.tan(np.radians(70.0)))
