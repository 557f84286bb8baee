"""Shared fixtures: the packaged catalogue and hand-made geometry away from real borders."""

from __future__ import annotations

import pytest
import shapely

from dronewall.planning.areas import Area, AreaGeometry, Stretch
from dronewall.planning.catalogue import SensorCatalogue, load_catalogue
from dronewall.planning.geometry import to_laea


@pytest.fixture(scope="session")
def catalogue() -> SensorCatalogue:
    return load_catalogue()


def disc_geometry(lat: float, lon: float, radius_km: float) -> AreaGeometry:
    """A circular watched band centred on (lat, lon) with an east-west line through it."""
    x, y = (float(v) for v in to_laea(lon, lat))
    band = shapely.Point(x, y).buffer(radius_km * 1000.0, quad_segs=64)
    line = shapely.LineString([(x - radius_km * 1000.0, y), (x + radius_km * 1000.0, y)])
    area = Area(
        "test", (Stretch("border", "POL", "BLR"),), inside_km=radius_km, outside_km=radius_km
    )
    return AreaGeometry(area, (shapely.MultiLineString([line]),), band, band)
