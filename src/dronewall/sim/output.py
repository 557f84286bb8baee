"""Write a simulation run to a directory in the documented Parquet format and summarise it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pyarrow as pa

from dronewall.core.types import ObjectKind, SensorKind
from dronewall.records.labels import label_columns
from dronewall.records.parquet import (
    FORMAT_VERSION,
    REPORT_SCHEMA,
    REPORT_TRUTH_SCHEMA,
    TRUTH_SCHEMA,
    RecordWriter,
    report_table,
    time_array,
    write_table,
)
from dronewall.sim.dynamics import Fate
from dronewall.sim.engine import Chunk, Simulation

Progress = Callable[[float, float], None]  # (simulated seconds done, total)


@dataclass(slots=True)
class RunSummary:
    """What flew and what each kind of sensor saw."""

    scenario: str
    seed: int
    duration_s: float
    objects_by_kind: dict[str, int] = field(default_factory=dict)
    fates_by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    sensors_by_kind: dict[str, int] = field(default_factory=dict)
    reports_by_kind: dict[str, int] = field(default_factory=dict)
    false_alarms_by_kind: dict[str, int] = field(default_factory=dict)
    # sensor kind → object kind → number of objects seen
    objects_seen: dict[str, dict[str, int]] = field(default_factory=dict)
    reports: int = 0
    truth_rows: int = 0

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Tally:
    def __init__(self, sim: Simulation):
        self.sim = sim
        self.reports: Counter[str] = Counter()
        self.false_alarms: Counter[str] = Counter()
        self.seen: dict[str, set[int]] = {k.name: set() for k in SensorKind}

    def add(self, chunk: Chunk) -> None:
        kinds = chunk.reports.sensor_kind
        for kind in SensorKind:
            mine = kinds == kind
            self.reports[kind.name] += int(mine.sum())
            objects = chunk.report_object[mine]
            self.false_alarms[kind.name] += int((objects < 0).sum())
            self.seen[kind.name].update(np.unique(objects[objects >= 0]).tolist())


def run_to_directory(sim: Simulation, out: Path, progress: Progress | None = None) -> RunSummary:
    out.mkdir(parents=True, exist_ok=True)
    tally = _Tally(sim)
    with (
        RecordWriter(out / "reports.parquet", REPORT_SCHEMA) as reports,
        RecordWriter(out / "report_truth.parquet", REPORT_TRUTH_SCHEMA) as links,
        RecordWriter(out / "truth.parquet", TRUTH_SCHEMA) as truth,
    ):
        for chunk in sim.run():
            reports.write(report_table(chunk.reports))
            links.write(
                pa.table({"report_id": chunk.reports.report_id, "object_id": chunk.report_object})
            )
            truth.write(_truth_table(chunk))
            tally.add(chunk)
            if progress:
                progress(chunk.t, sim.duration_s)
        counts = (reports.rows, truth.rows)
    write_table(out / "sensors.parquet", sensor_table(sim))
    write_table(out / "objects.parquet", object_table(sim))
    summary = _summary(sim, tally, *counts)
    manifest = {
        "format_version": FORMAT_VERSION,
        "scenario": sim.scenario.name,
        "title": sim.scenario.scenario.title,
        "seed": sim.seed,
        "start": sim.scenario.scenario.start.isoformat(),
        "duration_s": sim.duration_s,
        "files": {
            "reports": "reports.parquet",
            "sensors": "sensors.parquet",
            "truth": "truth.parquet",
            "objects": "objects.parquet",
            "report_truth": "report_truth.parquet",
        },
        "summary": summary.as_dict(),
    }
    (out / "run.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return summary


def _truth_table(chunk: Chunk) -> pa.Table:
    t = chunk.truth
    return pa.table(
        {
            "t": time_array(t.t),
            "object_id": t.object_id,
            "lat_deg": t.lat,
            "lon_deg": t.lon,
            "alt_m": t.alt.astype(np.float32),
            "vel_east_mps": t.vel_enu[:, 0].astype(np.float32),
            "vel_north_mps": t.vel_enu[:, 1].astype(np.float32),
            "vel_up_mps": t.vel_enu[:, 2].astype(np.float32),
        }
    )


DECLARED_COLUMNS = ("pd", "clutter_density", "revisit_s")


def sensor_table(sim: Simulation) -> pa.Table:
    s = sim.sensors
    columns: dict[str, object] = {
        "sensor_index": np.arange(len(s), dtype=np.int32),
        "sensor_id": s.ids,
        "kind": [SensorKind(k).name for k in s.kind],
        "model": s.models,
        "lat_deg": s.lat,
        "lon_deg": s.lon,
        "alt_m": s.alt,
    }
    columns.update({name: values for name, values in sorted(s.params.items())})
    declared = s.geometry()  # what each sensor declares to the tracker (existence score)
    columns.update({name: getattr(declared, name) for name in DECLARED_COLUMNS})
    columns.update(label_columns(declared.labels))  # security labels (core.release)
    return pa.table(columns)


def object_table(sim: Simulation) -> pa.Table:
    p, st = sim.population, sim.state
    return pa.table(
        {
            "object_id": np.arange(len(p), dtype=np.int32),
            "kind": [ObjectKind(k).name for k in p.kind],
            "object_class": [ObjectKind(k).object_class.name for k in p.kind],
            "group": p.group,
            "identity": p.identity.tolist(),
            "rcs_m2": p.rcs_m2,
            "emits_rf": p.emits_rf,
            "remote_id": p.remote_id,
            "adsb": p.adsb,
            "flarm": p.flarm,
            "t_spawn": time_array(sim.start + p.t_spawn),
            "t_end": time_array(sim.start + np.where(np.isnan(st.t_end), sim.duration_s, st.t_end)),
            "spawned": st.spawned,
            "fate": [Fate(f).name for f in st.fate],
        }
    )


def _summary(sim: Simulation, tally: _Tally, reports: int, truth_rows: int) -> RunSummary:
    p, st = sim.population, sim.state
    spawned = st.spawned
    summary = RunSummary(
        sim.scenario.name, sim.seed, sim.duration_s, reports=reports, truth_rows=truth_rows
    )
    for kind in ObjectKind:
        mine = spawned & (p.kind == kind)
        if mine.any():
            summary.objects_by_kind[kind.name] = int(mine.sum())
            fates = Counter(Fate(f).name for f in st.fate[mine])
            summary.fates_by_kind[kind.name] = dict(sorted(fates.items()))
    for sensor_kind in SensorKind:
        name = sensor_kind.name
        n = int((sim.sensors.kind == sensor_kind).sum())
        if n:
            summary.sensors_by_kind[name] = n
            summary.reports_by_kind[name] = tally.reports[name]
            summary.false_alarms_by_kind[name] = tally.false_alarms[name]
            seen = np.array(sorted(tally.seen[name]), np.int64)
            by_kind = Counter(ObjectKind(k).name for k in p.kind[seen]) if seen.size else Counter()
            summary.objects_seen[name] = dict(sorted(by_kind.items()))
    return summary
