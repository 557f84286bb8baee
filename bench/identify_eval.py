"""Shared evaluation helpers for identification and alerting benchmarks: simulate a scenario,
track it, classify every track every second, and label each (track, second) with the class of
the true object it follows (nearest truth within ``LABEL_GATE_M``).

Simulated and tracked runs are cached under ``out/identify-cache/`` (gitignored), so that
re-scoring a change to ``identify`` does not simulate and track again: a simulation is keyed
by scenario, seed, duration and the source of the simulator and the packages it uses (with the
bundled scenario files); tracks also by the tracker's source (``src/dronewall/tracking``,
``runtime``), so any change there tracks again.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import ClassBatch, SensorGeometry, TrackBatch
from dronewall.core.types import ObjectKind, ReportBatch
from dronewall.identify import Classifier, IdentifyConfig
from dronewall.runtime.offline import track_reports
from dronewall.sim import Simulation, load_scenario
from dronewall.tracking import Tracker
from dronewall.world import World

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "out" / "identify-cache"
LABEL_GATE_M = 500.0
# DRONEWALL_EVAL_CACHE=frozen reuses the newest cached run of a key even when the simulator's or
# tracker's source has changed since (other work in progress would otherwise re-simulate every
# run while identify is tuned); the test split is run without it (bench/EVALUATION.md).
FROZEN = os.environ.get("DRONEWALL_EVAL_CACHE", "") == "frozen"
CLASS_OF_KIND = {int(k): int(k.object_class) for k in ObjectKind}

# The protocol (bench/EVALUATION.md): seeds of each split, and the runs both benchmarks share.
SPLITS = {"train": (1101, 1102, 1103), "validation": (2201, 2202), "test": (3301, 3302, 3303)}
SCENARIOS = {  # runs with drones: name → simulated seconds
    "airport-quadcopter": 5400,
    "copenhagen-2025-09": 3600,
    "mediterranean-maritime": 5400,
    "poland-2025-09": 7200,
    "upland-drones": 3600,
}
CIVIL_ONLY = {  # runs without drones (every alert is false): name → (seconds, drop the drones)
    "civil-low-level": (3600, False),
    "airport-quadcopter": (5400, True),
    "copenhagen-2025-09": (3600, True),
}


def ellipsoid_heights() -> None:
    """Judge heights above the ellipsoid, as the simulator flew them before it followed the
    terrain (runs cached before 2026-12-07 evening): ground height 0 in identify and assess."""
    import dronewall.assess.threat
    import dronewall.identify.features

    def flat(*args: object) -> npt.NDArray[np.float64]:
        return np.zeros(np.shape(args[0])[:1] if len(args) == 1 else np.shape(args[0]))

    dronewall.identify.features.ground = flat  # type: ignore[assignment]
    dronewall.assess.threat.ground_height = flat  # type: ignore[assignment]


def recon_weight(weight: float) -> None:
    """Try another weight of the reconnaissance drone type (a validation candidate)."""
    from dataclasses import replace

    from dronewall.identify import models

    kind = ObjectKind.RECON_FIXED_WING
    models.DRONE_TYPES[kind] = replace(models.DRONE_TYPES[kind], weight=weight)


def bundled(name: str) -> bool:
    """Whether the scenario is bundled yet (the protocol names some that land later)."""
    try:
        load_scenario(name)
    except ConfigError:  # unknown name
        return False
    return True


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
    true_kind: npt.NDArray[np.int64]  # ObjectKind of the followed object, −1 for none


@dataclass
class Simulated:
    """What the benchmarks need of one simulated run."""

    reports: ReportBatch
    report_object: npt.NDArray[np.int64]
    truth_t: npt.NDArray[np.float64]
    truth_id: npt.NDArray[np.int64]
    truth_pos: npt.NDArray[np.float64]  # (n, 3) ECEF
    kind: npt.NDArray[np.int64]  # ObjectKind of each object
    spawned: npt.NDArray[np.bool_]  # each object flew during the run
    geometry: SensorGeometry


@dataclass
class RunData:
    name: str
    sim: Simulated
    reports: ReportBatch
    report_object: npt.NDArray[np.int64]
    tracks: list[TrackBatch]
    classes: list[ClassBatch]
    labelled: Labelled


def _source_hash(*packages: str) -> str:
    digest = hashlib.sha256()
    for package in packages:
        folder = ROOT / "src" / "dronewall" / package
        for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.toml")]):  # code, scenarios
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cached(path: Path, make):  # type: ignore[no-untyped-def]
    if FROZEN and not path.exists():  # any earlier run of the same key (see module docstring)
        key = path.name.rsplit("-", 1)[0]  # the name less its source hash
        earlier = [p for p in path.parent.glob(key + "-*.pkl") if p.name.rsplit("-", 1)[0] == key]
        if earlier:
            path = max(earlier, key=lambda p: p.stat().st_mtime)
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f)
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".tmp").open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    path.with_suffix(".tmp").replace(path)
    return value


def simulate(
    name: str, world: World, *, seed: int, duration: float, civil_only: bool = False
) -> Simulated:
    key = f"{name}-{seed}-{duration:.0f}{'-civil' if civil_only else ''}"
    sim_hash = _source_hash("sim", "models", "core", "world")
    return _cached(  # type: ignore[no-any-return]
        CACHE / f"sim-{key}-{sim_hash}.pkl",
        lambda: _simulate(name, world, seed=seed, duration=duration, civil_only=civil_only),
    )


def _simulate(
    name: str, world: World, *, seed: int, duration: float, civil_only: bool
) -> Simulated:
    scenario = load_scenario(name)
    if civil_only:  # the same airspace, sensors, traffic and birds, without the drones
        scenario = scenario.model_copy(update={"drones": []})
    sim = Simulation(scenario, world, seed=seed, duration_s=duration)
    chunks = list(sim.run())
    return Simulated(
        reports=ReportBatch.concat([c.reports for c in chunks]),
        report_object=np.concatenate([c.report_object for c in chunks]).astype(np.int64),
        truth_t=np.concatenate([c.truth.t for c in chunks]),
        truth_id=np.concatenate([c.truth.object_id for c in chunks]).astype(np.int64),
        truth_pos=geodetic_to_ecef(
            np.concatenate([c.truth.lat for c in chunks]),
            np.concatenate([c.truth.lon for c in chunks]),
            np.concatenate([c.truth.alt for c in chunks]),
        ).reshape(-1, 3),
        kind=np.asarray(sim.population.kind, np.int64),
        spawned=np.asarray(sim.state.spawned, bool),
        geometry=sim.sensors.geometry(),
    )


def tracked(
    name: str, world: World, *, seed: int, duration: float, civil_only: bool = False
) -> tuple[Simulated, list[TrackBatch]]:
    sim = simulate(name, world, seed=seed, duration=duration, civil_only=civil_only)
    key = f"{name}-{seed}-{duration:.0f}{'-civil' if civil_only else ''}"
    track_hash = _source_hash("sim", "models", "core", "world", "tracking", "runtime")
    tracks = _cached(
        CACHE / f"tracks-{key}-{track_hash}.pkl",
        lambda: list(track_reports(sim.reports, sim.geometry, tracker=Tracker(sim.geometry))),
    )
    return sim, tracks


def run(
    name: str,
    world: World,
    *,
    seed: int,
    duration: float,
    config: IdentifyConfig,
    civil_only: bool = False,
) -> RunData:
    sim, track_batches = tracked(name, world, seed=seed, duration=duration, civil_only=civil_only)
    reports, report_object = sim.reports, sim.report_object
    truth_t, truth_id, truth_pos = sim.truth_t, sim.truth_id, sim.truth_pos
    by_time = {float(t): np.flatnonzero(truth_t == t) for t in np.unique(truth_t)}
    classifier = Classifier(config)
    tracks, classes = [], []
    rows: dict[str, list[npt.NDArray[np.generic]]] = {
        k: [] for k in ("id", "t", "age", "logit", "p", "label", "cls", "obj", "kind")
    }
    for batch in track_batches:
        out = classifier.classify(batch)
        tracks.append(batch)
        classes.append(out)
        here = by_time.get(float(batch.t[0]), np.zeros(0, np.int64))
        obj = np.full(len(batch), -1, np.int64)
        if here.size:
            d, j = cKDTree(truth_pos[here]).query(batch.state[:, :3])
            hit = d <= LABEL_GATE_M
            obj[hit] = truth_id[here[j[hit]]]
        kind = sim.kind
        cls = np.where(obj >= 0, [CLASS_OF_KIND[int(kind[o])] if o >= 0 else -1 for o in obj], -1)
        rows["id"].append(batch.track_id)
        rows["t"].append(batch.t)
        rows["age"].append(batch.t - batch.t_first)
        rows["logit"].append(np.log(np.maximum(out.probabilities, 1e-300)) * config.temperature)
        rows["p"].append(out.probabilities)
        rows["label"].append(out.label.astype(np.int64))
        rows["cls"].append(np.asarray(cls, np.int64))
        rows["obj"].append(obj)
        rows["kind"].append(np.where(obj >= 0, kind[np.maximum(obj, 0)], -1).astype(np.int64))
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
        cat["kind"],
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
                "true_kind",
            )
        ),
    )


def add_split_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both evaluation benches take: which split, scenarios and seeds
    (EVALUATION.md), and the candidates judged on validation."""
    parser.add_argument("--split", choices=sorted(SPLITS), required=True)
    parser.add_argument("--only", nargs="*", help="only these scenarios (a partial split)")
    parser.add_argument(
        "--recon-weight",
        type=float,
        default=None,
        help="a candidate weight of the reconnaissance drone type (chosen on validation)",
    )
    parser.add_argument(
        "--ellipsoid-sim",
        action="store_true",
        help="runs cached from a simulator that flew heights above the ellipsoid: judge them so",
    )
    parser.add_argument(
        "--seeds", type=int, nargs="*", help="only these seeds of the split (EVALUATION.md)"
    )
