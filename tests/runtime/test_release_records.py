"""Labels kept with recorded data (issue 15): a run directory's sensors.parquet and
tracks.parquet, and the sensor table a run keeps in the store, give back every sensor's label
and every track's label mask — so replays and exports are cut like the live picture."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from dronewall.core.errors import DataError
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import SecurityLabel, default_label
from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.records.labels import label_columns
from dronewall.records.tracks import sensor_geometry, track_batches, track_table
from dronewall.runtime.sensor_table import sensors_from_json, sensors_to_json

LABELS = (
    SecurityLabel.make("POL", "SECRET", ["LTU"]),
    SecurityLabel.make("DEU", "RESTRICTED", ["NATO", "EU"], policy="nato"),
    SecurityLabel.make("POL", "SECRET", ["LTU"]),
)


def _geometry() -> SensorGeometry:
    n = len(LABELS)
    lat, lon, alt = np.full(n, 54.0), np.linspace(12, 13, n), np.zeros(n)
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    return SensorGeometry(
        ["a", "b", "c"], np.array([1, 2, 1], np.uint8), lat, lon, alt, ecef, np.full(n, 3e4),
        labels=LABELS,
    )  # fmt: skip


def test_the_stores_sensor_table_keeps_labels() -> None:
    back = sensors_from_json(sensors_to_json(_geometry()))
    assert back.labels == LABELS
    assert back.label_table.sensor_bits.tolist() == [1, 2, 1]
    old = sensors_to_json(_geometry())
    del old["labels"]  # a run recorded before labels
    assert sensors_from_json(old).labels == (default_label(),) * 3
    bad = sensors_to_json(_geometry())
    bad["labels"][1]["classification"] = "SEKRET"
    with pytest.raises(DataError, match="security label is malformed"):
        sensors_from_json(bad)


def test_sensors_parquet_keeps_labels() -> None:
    g = _geometry()
    table = pa.table(
        {
            "sensor_index": np.array([2, 0, 1], np.int32),  # rows in any order
            "sensor_id": ["c", "a", "b"],
            "kind": ["RADAR", "RADAR", "RF"],
            "lat_deg": g.lat_deg[[2, 0, 1]],
            "lon_deg": g.lon_deg[[2, 0, 1]],
            "alt_m": g.alt_m[[2, 0, 1]],
            **label_columns([LABELS[2], LABELS[0], LABELS[1]]),
        }
    )
    back = sensor_geometry(table)
    assert back.sensor_id == ["a", "b", "c"] and back.labels == LABELS
    older = table.drop_columns(["label_owner", "label_classification"])
    assert (
        sensor_geometry(older.drop_columns(["label_releasable_to", "label_policy"])).labels
        == (default_label(),) * 3
    )


def test_tracks_parquet_keeps_label_masks() -> None:
    empty = TrackBatch.empty()
    n = 3
    batch = TrackBatch(
        **{
            **{name: getattr(empty, name) for name in TrackBatch.column_names()},
            "track_id": np.arange(1, n + 1, dtype=np.int64),
            "t": np.full(n, 1_700_000_000.0),
            "status": np.ones(n, np.uint8),
            "state": np.column_stack([np.full((n, 3), 4e6), np.zeros((n, 3))]),
            "covariance": np.tile(np.eye(6), (n, 1, 1)),
            "t_last_update": np.full(n, 1_700_000_000.0),
            "n_updates": np.ones(n, np.int64),
            "sensor_kinds": np.zeros(n, np.uint16),
            "identity": np.full(n, "", object),
            "t_first": np.full(n, 1_700_000_000.0),
            "kind_updates": np.zeros((n, 7), np.int32),
            "class_evidence": np.zeros((n, 4)),
            "rf_stations": np.zeros(n, np.uint8),
            "label_mask": np.array([1, 2, 3], np.int64),
        }
    )
    table = track_table(batch)
    (back,) = list(track_batches(table))
    assert back.label_mask.tolist() == [1, 2, 3]
    (old,) = list(track_batches(table.drop_columns(["label_mask"])))
    assert old.label_mask.tolist() == [-1, -1, -1]  # provenance unknown: every label


def test_an_ingested_captures_sensors_keep_their_feeds_labels() -> None:
    """``dronewall ingest`` writes the live sensor table as sensors.parquet: each sensor with
    the label its feed (or its own [[feed.sensor]] table) declared."""
    from dronewall.core.types import SensorKind
    from dronewall.runtime.ingest_output import sensor_rows
    from dronewall.sensors.feed import SensorInfo
    from dronewall.sensors.table import SensorTable

    table = SensorTable()
    table.feed_labels["radar"] = LABELS[0]
    table.declare("radar", SensorInfo("25/10", SensorKind.RADAR, 54.0, 18.0, 30.0, 6e4))
    table.declare("radar", SensorInfo("25/11", SensorKind.RADAR, 54.1, 18.1, 30.0, 6e4,
                                      label=LABELS[1]))  # fmt: skip
    back = sensor_geometry(sensor_rows(table, {"radar": "asterix"}))
    assert back.labels == (LABELS[0], LABELS[1])
