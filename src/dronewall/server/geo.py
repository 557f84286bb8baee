"""GeoJSON the map draws: land and borders (from the shipped Natural Earth countries),
protected zones and sensors. Built once per server; nothing comes from the internet."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from shapely.geometry import mapping

from dronewall.assess import ProtectedZones
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import sensor_kind_name
from dronewall.world.countries import load_countries

BASEMAP_TOLERANCE_DEG = 0.01  # about 1 km: fine at the scales the map is used


@lru_cache(maxsize=1)
def basemap() -> dict[str, Any]:
    """Every country as a simplified polygon feature with its name, EU and NATO flags."""
    features = []
    for a3, c in sorted(load_countries().items()):
        shape = c.geometry.simplify(BASEMAP_TOLERANCE_DEG, preserve_topology=True)
        if shape.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": _rounded(mapping(shape)),
                "properties": {"a3": a3, "name": c.name, "eu": c.eu, "nato": c.nato},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sites(zones: ProtectedZones) -> dict[str, Any]:
    features = [
        _point(
            float(zones.lon[i]),
            float(zones.lat[i]),
            site_id=str(zones.id[i]),
            name=str(zones.name[i]),
            kind=str(zones.kind[i]),
            radius_m=float(zones.radius_m[i]),
            geofence=bool(i >= zones.n_circles),
        )
        for i in range(len(zones))
    ]
    return {"type": "FeatureCollection", "features": features}


def sensors(geometry: SensorGeometry) -> dict[str, Any]:
    features = [
        _point(
            float(geometry.lon_deg[i]),
            float(geometry.lat_deg[i]),
            sensor_id=geometry.sensor_id[i],
            kind=sensor_kind_name(int(geometry.kind[i])),
            max_range_m=float(geometry.max_range_m[i])
            if np.isfinite(geometry.max_range_m[i])
            else None,
            alt_m=float(geometry.alt_m[i]),
        )
        for i in range(len(geometry.sensor_id))
    ]
    return {"type": "FeatureCollection", "features": features}


def live_sensors(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Live sensors (``SensorTable.snapshot``) with owner, health and coverage; a sensor
    whose position is not known yet has no geometry (GeoJSON allows a null geometry)."""
    features = []
    for row in rows:
        lat, lon = row.get("lat_deg"), row.get("lon_deg")
        if lat is None or lon is None:
            features.append({"type": "Feature", "geometry": None, "properties": dict(row)})
        else:
            features.append(_point(float(lon), float(lat), **row))
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


def _rounded(geometry: Any) -> Any:
    """Coordinates to 4 decimals (11 m): a third of the bytes of full precision."""
    if isinstance(geometry, dict):
        return {k: _rounded(v) for k, v in geometry.items()}
    if isinstance(geometry, list | tuple):
        if geometry and isinstance(geometry[0], float):
            return [round(x, 4) for x in geometry]
        return [_rounded(g) for g in geometry]
    return geometry
