"""``tracks.parquet``: the tracker's output, one row per confirmed track per output instant
(format in docs/report-format.md), and the sensor table as the tracker's ``SensorGeometry``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from dronewall.core.errors import DataError
from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic, geodetic_to_ecef
from dronewall.core.tracks import KIND_COLUMNS, SensorGeometry, TrackBatch, TrackStatus
from dronewall.core.types import ObjectClass, SensorKind
from dronewall.records.labels import labels_from_columns
from dronewall.records.parquet import _read, time_array, time_seconds


def track_table(batch: TrackBatch) -> pa.Table:
    """Tracks as an Arrow table: geodetic position, ENU velocity and σ, and the ECEF state."""
    pos, vel = batch.state[:, :3], batch.state[:, 3:]
    lat, lon, alt = ecef_to_geodetic(pos)
    rotation = ecef_to_enu_rotation(lat, lon)
    v_enu = np.einsum("nij,nj->ni", rotation, vel)
    cov_enu = rotation @ batch.covariance[:, :3, :3] @ np.swapaxes(rotation, -1, -2)
    sigma = np.sqrt(np.maximum(np.diagonal(cov_enu, axis1=1, axis2=2), 0.0))
    return pa.table(
        {
            "t": time_array(batch.t),
            "track_id": batch.track_id,
            "status": pa.array([TrackStatus(s).name for s in batch.status], pa.string()),
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_m": alt,
            "vel_east_mps": v_enu[:, 0],
            "vel_north_mps": v_enu[:, 1],
            "vel_up_mps": v_enu[:, 2],
            "sigma_east_m": sigma[:, 0],
            "sigma_north_m": sigma[:, 1],
            "sigma_up_m": sigma[:, 2],
            "x_m": pos[:, 0],
            "y_m": pos[:, 1],
            "z_m": pos[:, 2],
            "vx_mps": vel[:, 0],
            "vy_mps": vel[:, 1],
            "vz_mps": vel[:, 2],
            "t_last_update": time_array(batch.t_last_update),
            "n_updates": batch.n_updates,
            "sensor_kinds": batch.sensor_kinds.astype(np.int32),
            "identity": pa.array(batch.identity.tolist(), pa.string()),
            "t_first": time_array(batch.t_first),
            "covariance": pa.FixedSizeListArray.from_arrays(
                pa.array(batch.covariance.reshape(-1), pa.float64()), 36
            ),
            **{
                f"updates_{k.name.lower()}": batch.kind_updates[:, int(k)].astype(np.int32)
                for k in SensorKind
            },
            **{f"evidence_{c.name.lower()}": batch.class_evidence[:, int(c)] for c in ObjectClass},
            "rf_stations": batch.rf_stations.astype(np.int32),
            "existence": batch.existence,
            "emitter_category": batch.emitter_category.astype(np.int32),
            "rcs_dbsm": batch.rcs_dbsm,
            # security labels of the sensors that made the track (core.release), as bits over
            # the run's sensors table's distinct labels in order of appearance
            "label_mask": batch.label_mask.astype(np.int64),
        }
    )


TRACK_SCHEMA = track_table(TrackBatch.empty()).schema


def read_tracks(path: str | Path) -> pa.Table:
    return _read(path, ("t", "track_id", "x_m", "y_m", "z_m", "vx_mps", "vy_mps", "vz_mps"))


def track_batches(table: pa.Table) -> Iterator[TrackBatch]:
    """A tracks table back as one TrackBatch per output instant, in time order."""
    t = time_seconds(table.column("t"))
    order = np.argsort(t, kind="stable")
    table, t = table.take(order), t[order]
    cols = {name: table.column(name) for name in table.column_names}
    state = np.column_stack(
        [
            np.asarray(cols[c].to_numpy(), float)
            for c in ("x_m", "y_m", "z_m", "vx_mps", "vy_mps", "vz_mps")
        ]
    )
    cov = np.asarray(cols["covariance"].combine_chunks().flatten().to_numpy(), float).reshape(
        -1, 6, 6
    )
    kinds = np.zeros((t.size, KIND_COLUMNS), np.int32)
    for k in SensorKind:
        kinds[:, int(k)] = np.asarray(cols[f"updates_{k.name.lower()}"].to_numpy(), np.int32)
    evidence = np.column_stack(
        [np.asarray(cols[f"evidence_{c.name.lower()}"].to_numpy(), float) for c in ObjectClass]
    )
    status = np.array([int(TrackStatus[v]) for v in cols["status"].to_pylist()], np.uint8)
    full = TrackBatch(
        track_id=np.asarray(cols["track_id"].to_numpy(), np.int64),
        t=t,
        status=status,
        state=state,
        covariance=cov,
        t_last_update=time_seconds(cols["t_last_update"]),
        n_updates=np.asarray(cols["n_updates"].to_numpy(), np.int64),
        sensor_kinds=np.asarray(cols["sensor_kinds"].to_numpy(), np.uint16),
        identity=np.array(cols["identity"].to_pylist() or [""], str)[: t.size],  # whole
        t_first=time_seconds(cols["t_first"]),
        kind_updates=kinds,
        class_evidence=evidence,
        rf_stations=(  # absent from files written before the column existed
            np.asarray(cols["rf_stations"].to_numpy(), np.uint8)
            if "rf_stations" in cols
            else np.zeros(t.size, np.uint8)
        ),
        existence=(  # absent before the existence score: not known
            np.asarray(cols["existence"].to_numpy(), float)
            if "existence" in cols
            else np.full(t.size, np.nan)
        ),
        emitter_category=(  # absent before report format 1.1: none given
            np.asarray(cols["emitter_category"].to_numpy(), np.uint8)
            if "emitter_category" in cols
            else np.zeros(t.size, np.uint8)
        ),
        rcs_dbsm=(  # absent before report format 1.1: not measured
            np.asarray(cols["rcs_dbsm"].to_numpy(), float)
            if "rcs_dbsm" in cols
            else np.full(t.size, np.nan)
        ),
        label_mask=(  # absent before labels: every label (released to whoever may see all)
            np.asarray(cols["label_mask"].to_numpy(), np.int64)
            if "label_mask" in cols
            else np.full(t.size, -1, np.int64)
        ),
    )
    bounds = np.flatnonzero(np.diff(t)) + 1
    for rows in np.split(np.arange(t.size), bounds):
        if rows.size:
            yield full.take(rows)


def sensor_geometry(table: pa.Table) -> SensorGeometry:
    """The sensors of a run (``sensors.parquet``) as the tracker needs them."""
    cols = table.to_pydict()
    try:
        kinds = np.array([int(SensorKind[k]) for k in cols["kind"]], np.uint8)
    except KeyError as exc:
        raise DataError(f"unknown sensor kind {exc} in sensors table") from exc
    lat = np.asarray(cols["lat_deg"], float)
    lon = np.asarray(cols["lon_deg"], float)
    alt = np.asarray(cols["alt_m"], float)
    reach = np.asarray(cols.get("max_range_m", [1e6] * lat.size), float)
    order = np.argsort(np.asarray(cols["sensor_index"]))
    # What the sensors declare to the tracker, where the run recorded it (older runs: the
    # defaults of their kinds).
    declared = {
        name: np.asarray(cols[name], float)[order]
        for name in ("pd", "clutter_density", "revisit_s")
        if name in cols
    }
    return SensorGeometry(
        [cols["sensor_id"][i] for i in order],
        kinds[order],
        lat[order],
        lon[order],
        alt[order],
        geodetic_to_ecef(lat[order], lon[order], alt[order]).reshape(-1, 3),
        reach[order],
        **declared,
        labels=labels_from_columns(cols, [int(i) for i in order]),
    )
