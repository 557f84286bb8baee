"""Depth of warning on a case computable by hand: one sensor on the line in front of a site."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from dronewall.planning.areas import Area, AreaGeometry, Stretch
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.demand import line_samples
from dronewall.planning.geometry import to_laea, to_lonlat
from dronewall.planning.laydown import Laydown
from dronewall.planning.warning import WarningSettings, site_warnings
from dronewall.world import Site, SiteKind


def test_warning_is_distance_from_first_sight_to_the_site_edge(catalogue: SensorCatalogue) -> None:
    x0, y0 = (float(v) for v in to_laea(20.0, 52.0))
    line = shapely.MultiLineString([[(x0 - 2000.0, y0), (x0 + 2000.0, y0)]])  # 4 km of line
    area = Area("t", (Stretch("border", "POL", "BLR"),), inside_km=60, outside_km=10)
    geometry = AreaGeometry(area, (line,), line.buffer(60_000), line.buffer(60_000))
    site_lon, site_lat = to_lonlat(np.array([x0]), np.array([y0 - 50_000.0]))  # 50 km south
    site = Site(
        "s",
        "site",
        SiteKind.MILITARY,
        "POL",
        float(site_lat[0]),
        float(site_lon[0]),
        5000.0,
        "test",
    )
    sensor_lon, sensor_lat = to_lonlat(np.array([x0]), np.array([y0]))
    lay = Laydown("one", ("a",), ("acoustic-node",), sensor_lat, sensor_lon)
    samples = line_samples(geometry.lines, 1000.0)
    settings = WarningSettings(max_site_km=100, approach_spacing_km=1, path_step_km=0.1)
    (warning,) = site_warnings(lay, catalogue, geometry, samples, [site], 150.0, settings)
    reach_km = catalogue.get("acoustic-node").ground_reach_m(catalogue.threat, 150.0)[1] / 1000.0
    # paths start 10 km beyond the line and end at the site: first sight ≈ 50 + reach km out
    assert warning.median_km == pytest.approx(50.0 + reach_km - 5.0, abs=0.5)
    assert warning.median_min == pytest.approx(
        warning.median_km / catalogue.threat.speed_kmh * 60.0
    )
    assert warning.unseen_share == 0.0
