"""Benchmark: alerting on scenarios with known truth.

Usage: python bench/bench_alerts.py

For each scenario: simulate, track, identify, assess and alert exactly as the pipeline does,
then compare with the truth. An alert is on an object when the track carrying it follows that
object (within 500 m) at the moment the alert is raised, handed to the track or re-opened on
it. For hostile drones (every drone in these scenarios): the time from the first report of the
drone to the first alert on it (median and p95), and the number of distinct alerts on each
alerted drone (bar: 1.0). An alert never on a drone is false; on a civil-only scenario
(airliners and birds, no drone) every alert is: false alerts per hour. Hand-overs counts the
track-changed and re-opened events, and how many of them moved the alert to a track that
follows another object than the track it left (or none).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dronewall.assess import AlertManager, EventKind, ThreatAssessor, protected_zones  # noqa: E402
from dronewall.core.types import ObjectClass, ObjectKind  # noqa: E402
from dronewall.identify import IdentifyConfig  # noqa: E402
from dronewall.world import load_world  # noqa: E402
from identify_eval import run  # noqa: E402

HOSTILE = {  # scenario: simulated seconds
    "copenhagen-2025-09": 5400,
    "airport-quadcopter": 5400,
    "mediterranean-maritime": 7200,
    "poland-2025-09": 14400,
}
CIVIL_ONLY = {"airport-quadcopter": 5400, "copenhagen-2025-09": 5400}  # run without their drones
CARRY = (EventKind.RAISED, EventKind.TRACK_CHANGED, EventKind.REOPENED)  # the alert is on a track


def alerts_for(name: str, duration: float, *, civil_only: bool = False) -> dict[str, object]:
    world = load_world()
    data = run(
        name, world, seed=303, duration=duration, config=IdentifyConfig(), civil_only=civil_only
    )
    zones = protected_zones(world)
    assessor, manager = ThreatAssessor(zones), AlertManager()
    carried: list[tuple[float, int, int]] = []  # (t, alert id, followed object)
    moved_to_other, last_object = 0, dict[int, int]()  # alert id → object it was last on
    lab = data.labelled
    for tracks, classes in zip(data.tracks, data.classes, strict=True):
        threats = assessor.assess(tracks, classes)
        t = float(tracks.t[0])
        for event in manager.update(t, classes, threats):
            if event.kind in CARRY:
                here = (lab.t == t) & (lab.track_id == event.track_id)
                obj = int(lab.true_object[here][0]) if here.any() else -1
                alert_id = int(event.alert_id or 0)
                carried.append((t, alert_id, obj))
                if event.kind is not EventKind.RAISED and last_object.get(alert_id) != obj:
                    moved_to_other += 1
                last_object[alert_id] = obj
    kind = data.sim.kind
    is_drone = np.array([ObjectKind(int(k)).object_class is ObjectClass.DRONE for k in kind], bool)
    drones = np.flatnonzero(is_drone & data.sim.spawned)
    first_seen = {}
    for obj in drones:
        seen = data.reports.t_measured[data.report_object == obj]
        if seen.size:
            first_seen[int(obj)] = float(seen.min())
    delays, per_object = [], []
    for obj in first_seen:
        mine = [(t, a) for t, a, o in carried if o == obj]
        if mine:
            delays.append(min(t for t, _ in mine) - first_seen[obj])
            per_object.append(len({a for _, a in mine}))
    on_drone = {a for _, a, o in carried if o >= 0 and is_drone[o]}
    false = len({a for _, a, _ in carried} - on_drone)
    return {
        "scenario": name + (" (civil only)" if civil_only else ""),
        "drones_seen": len(first_seen),
        "drones_alerted": len(delays),
        "median_s": float(np.median(delays)) if delays else float("nan"),
        "p95_s": float(np.percentile(delays, 95)) if delays else float("nan"),
        "alerts_per_object": float(np.mean(per_object)) if per_object else float("nan"),
        "false_alerts": false,
        "hours": duration / 3600.0,
        "handovers": len(carried) - len(last_object),
        "to_other": moved_to_other,
    }


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(
        "| scenario | drones seen | alerted | first report → alert, median s | p95 s | "
        "alerts per alerted drone | false alerts | false alerts / h | hand-overs (to another "
        "object) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = [alerts_for(n, d) for n, d in HOSTILE.items()]
    rows += [alerts_for(n, d, civil_only=True) for n, d in CIVIL_ONLY.items()]
    for r in rows:
        print(
            f"| {r['scenario']} | {r['drones_seen']} | {r['drones_alerted']} | "
            f"{r['median_s']:.0f} | {r['p95_s']:.0f} | {r['alerts_per_object']:.2f} | "
            f"{r['false_alerts']} | {float(r['false_alerts']) / float(r['hours']):.2f} | "
            f"{r['handovers']} ({r['to_other']}) |"
        )


if __name__ == "__main__":
    main()
