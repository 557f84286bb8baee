"""A run's sensor table as JSON: what each sensor declares for the tracker survives the round
trip, a run recorded before those columns existed takes its kinds' defaults, and a malformed
column is refused with the column's name."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import DataError
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import SensorKind
from dronewall.runtime.sensor_table import sensors_from_json, sensors_to_json


def _sensors() -> SensorGeometry:
    lat, lon, alt = np.array([55.0, 55.1]), np.array([12.0, 12.1]), np.array([20.0, 5.0])
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    kind = np.array([SensorKind.RADAR, SensorKind.RF], np.uint8)
    return SensorGeometry(
        ["r", "df"],
        kind,
        lat,
        lon,
        alt,
        ecef,
        np.array([20_000.0, np.inf]),
        pd=np.array([0.8, 0.6]),
        clutter_density=np.array([2e-9, 1e-5]),
        revisit_s=np.array([4.0, 1.0]),
    )


def test_declared_columns_survive_the_round_trip() -> None:
    back = sensors_from_json(sensors_to_json(_sensors()))
    np.testing.assert_array_equal(back.pd, [0.8, 0.6])
    np.testing.assert_array_equal(back.clutter_density, [2e-9, 1e-5])
    np.testing.assert_array_equal(back.revisit_s, [4.0, 1.0])
    assert back.max_range_m[1] == np.inf


def test_a_table_recorded_before_the_declared_columns_takes_the_kinds_defaults() -> None:
    old = sensors_to_json(_sensors())
    for name in ("pd", "clutter_density", "revisit_s"):
        del old[name]
    back = sensors_from_json(old)
    default = SensorGeometry(
        back.sensor_id, back.kind, back.lat_deg, back.lon_deg, back.alt_m, back.ecef,
        back.max_range_m,
    )  # fmt: skip
    np.testing.assert_array_equal(back.revisit_s, default.revisit_s)
    np.testing.assert_array_equal(back.clutter_density, default.clutter_density)


@pytest.mark.parametrize("bad", [["x", 1.0], [1.0], [1.0, -1.0], [1.0, None]])
def test_a_malformed_declared_column_is_refused_by_name(bad: list[object]) -> None:
    table = sensors_to_json(_sensors())
    table["revisit_s"] = bad
    with pytest.raises(DataError, match="revisit_s"):
        sensors_from_json(table)
