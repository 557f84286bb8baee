"""Shared evaluation helpers for identification and alerting benchmarks: simulate a scenario,
track it, classify every track every second, and label each (track, second) with the class of
the true object it follows (nearest truth within ``LABEL_GATE_M``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import ClassBatch, SensorGeometry, TrackBatch
from dronewall.core.types import ObjectKind, ReportBatch
from dronewall.identify import Classifier, IdentifyConfig
from dronewall.runtime.offline import track_reports
from dronewall.sim import Simulation, load_scenario
from dronewall.tracking import Tracker
from dronewall.world import World

LABEL_GATE_M = 500.0
CLASS_OF_KIND = {int(k): int(k.object_class) for k in ObjectKind}


@dataclass
class Labelled:
    """One row per (track, output second)."""

    scenario: list[str]
    track_id: npt.NDArray[np.int64]
    t: npt.NDArray[np.float64]
    age: npt.NDArray[np.float64]
    logits: npt.NDArray[np.float64]  # (n, 4) class log-evidence + log prior, before temperature
    probabilities: npt.NDArray[np.float64]
    label: npt.NDArray[np.int64]
    true_class: npt.NDArray[np.int64]  # ObjectClass of the followed object, −1 for none
    true_object: npt.NDArray[np.int64]


@dataclass
class RunData:
    name: str
    sim: Simulation
    reports: ReportBatch
    report_object: npt.NDArray[np.int64]
    tracks: list[TrackBatch]
    classes: list[ClassBatch]
    labelled: Labelled


def geometry(sim: Simulation) -> SensorGeometry:
    s = sim.sensors
    return s.geometry()


def run(
    name: str,
    world: World,
    *,
    seed: int,
    duration: float,
    config: IdentifyConfig,
    civil_only: bool = False,
) -> RunData:
    scenario = load_scenario(name)
    if civil_only:  # the same airspace, sensors, traffic and birds, without the drones
        scenario = scenario.model_copy(update={"drones": []})
    sim = Simulation(scenario, world, seed=seed, duration_s=duration)
    chunks = list(sim.run())
    reports = ReportBatch.concat([c.reports for c in chunks])
    report_object = np.concatenate([c.report_object for c in chunks]).astype(np.int64)
    truth_t = np.concatenate([c.truth.t for c in chunks])
    truth_id = np.concatenate([c.truth.object_id for c in chunks])
    truth_pos = geodetic_to_ecef(
        np.concatenate([c.truth.lat for c in chunks]),
        np.concatenate([c.truth.lon for c in chunks]),
        np.concatenate([c.truth.alt for c in chunks]),
    ).reshape(-1, 3)
    by_time = {float(t): np.flatnonzero(truth_t == t) for t in np.unique(truth_t)}
    classifier = Classifier(config)
    tracks, classes = [], []
    rows: dict[str, list[npt.NDArray[np.generic]]] = {
        k: [] for k in ("id", "t", "age", "logit", "p", "label", "cls", "obj")
    }
    for batch in track_reports(reports, geometry(sim), tracker=Tracker(geometry(sim))):
        out = classifier.classify(batch)
        tracks.append(batch)
        classes.append(out)
        here = by_time.get(float(batch.t[0]), np.zeros(0, np.int64))
        obj = np.full(len(batch), -1, np.int64)
        if here.size:
            d, j = cKDTree(truth_pos[here]).query(batch.state[:, :3])
            hit = d <= LABEL_GATE_M
            obj[hit] = truth_id[here[j[hit]]]
        kind = sim.population.kind
        cls = np.where(obj >= 0, [CLASS_OF_KIND[int(kind[o])] if o >= 0 else -1 for o in obj], -1)
        rows["id"].append(batch.track_id)
        rows["t"].append(batch.t)
        rows["age"].append(batch.t - batch.t_first)
        rows["logit"].append(np.log(np.maximum(out.probabilities, 1e-300)) * config.temperature)
        rows["p"].append(out.probabilities)
        rows["label"].append(out.label.astype(np.int64))
        rows["cls"].append(np.asarray(cls, np.int64))
        rows["obj"].append(obj)
    cat = {k: np.concatenate(v) if v else np.zeros(0) for k, v in rows.items()}
    labelled = Labelled(
        [name] * cat["id"].size,
        cat["id"],
        cat["t"],
        cat["age"],
        cat["logit"].reshape(-1, 4),
        cat["p"].reshape(-1, 4),
        cat["label"],
        cat["cls"],
        cat["obj"],
    )
    return RunData(name, sim, reports, report_object, tracks, classes, labelled)


def concat(parts: list[Labelled]) -> Labelled:
    return Labelled(
        [s for p in parts for s in p.scenario],
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in (
                "track_id",
                "t",
                "age",
                "logits",
                "probabilities",
                "label",
                "true_class",
                "true_object",
            )
        ),
    )
