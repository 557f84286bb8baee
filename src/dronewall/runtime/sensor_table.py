"""A run's sensors as plain JSON values, kept with the run in the store so that a recorded run
can be replayed (and drawn) without the scenario that made it."""

from __future__ import annotations

from typing import Any

import numpy as np

from dronewall.core.errors import DataError
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import LabelError, SecurityLabel
from dronewall.core.tracks import FloatArray, SensorGeometry

_DECLARED = ("pd", "clutter_density", "revisit_s")


def sensors_to_json(s: SensorGeometry) -> dict[str, Any]:
    return {
        "sensor_id": list(s.sensor_id),
        "kind": s.kind.astype(int).tolist(),
        "lat_deg": s.lat_deg.tolist(),
        "lon_deg": s.lon_deg.tolist(),
        "alt_m": s.alt_m.tolist(),
        "max_range_m": [float(x) if np.isfinite(x) else None for x in s.max_range_m],
        # what each sensor declares for the tracker's existence score: replayed alike
        **{name: getattr(s, name).tolist() for name in _DECLARED},
        "labels": [label_to_json(label) for label in s.labels],
    }


def label_to_json(label: SecurityLabel) -> dict[str, Any]:
    return {
        "owner": label.owner,
        "classification": label.classification,
        "releasable_to": sorted(label.releasable_to),
        "policy": label.policy,
    }


def label_from_json(d: dict[str, Any]) -> SecurityLabel:
    """A label written by ``label_to_json``; DataError when it cannot be read."""
    try:
        return SecurityLabel.make(
            str(d["owner"]),
            str(d.get("classification", "UNCLASSIFIED")),
            [str(x) for x in d.get("releasable_to", [])],
            str(d.get("policy", "NATO")),
        )
    except (KeyError, TypeError, AttributeError, LabelError) as exc:
        raise DataError(f"recorded sensor table: a security label is malformed: {exc}") from exc


def sensors_from_json(d: dict[str, Any]) -> SensorGeometry:
    try:
        lat = np.asarray(d["lat_deg"], float)
        lon = np.asarray(d["lon_deg"], float)
        alt = np.asarray(d["alt_m"], float)
        ranges = np.array([np.inf if x is None else x for x in d["max_range_m"]], float)
        ids = [str(x) for x in d["sensor_id"]]
        kind = np.asarray(d["kind"], np.uint8)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"recorded sensor table is malformed: {exc}") from exc
    if not len(ids) == lat.size == lon.size == alt.size == ranges.size == kind.size:
        raise DataError("recorded sensor table has columns of different lengths")
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    declared = {name: _declared(d, name, len(ids)) for name in _DECLARED if name in d}
    labels = tuple(label_from_json(x) for x in d.get("labels") or [])  # none: the default
    if labels and len(labels) != len(ids):
        raise DataError(f"recorded sensor table has {len(labels)} labels for {len(ids)} sensors")
    return SensorGeometry(ids, kind, lat, lon, alt, ecef, ranges, **declared, labels=labels)


def _declared(d: dict[str, Any], name: str, n: int) -> FloatArray:
    """A declared column (runs recorded before it existed have none: the kind's defaults)."""
    try:
        values = np.asarray(d[name], float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"recorded sensor table: {name} is malformed: {exc}") from exc
    if values.shape != (n,) or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise DataError(f"recorded sensor table: {name} needs {n} finite values ≥ 0")
    return values
