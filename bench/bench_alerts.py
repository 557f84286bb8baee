"""Benchmark: alerting on scenarios with known truth, by the protocol of ``bench/EVALUATION.md``.

Usage: python bench/bench_alerts.py --split train|validation|test

For each run of the split (every scenario of ``identify_eval.SCENARIOS`` and ``CIVIL_ONLY`` on
every seed of the split): simulate, track, identify, assess and alert exactly as the pipeline
does, then compare with the truth. An alert is on an object when the track carrying it follows
that object (within 500 m) at the moment the alert is raised, handed to the track or re-opened
on it. For drones: the time from the first report of the drone to the first alert on it
(median and p95), and the number of distinct alerts on each alerted drone (bar: 1.0). An alert
never on a drone is false; on a civil-only run every alert is: false alerts per hour (bar
≤ 0.2). An alert ever on a track that follows a manned aircraft of any kind counts as an alert
on civil aircraft (bar: 0). Hand-overs counts the track-changed and re-opened events, and how
many of them moved the alert to a track that follows another object than the track it left.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dronewall.assess import (  # noqa: E402
    AlertConfig,
    AlertManager,
    EventKind,
    ThreatAssessor,
    civil,
    protected_zones,
)
from dronewall.core.types import ObjectClass, ObjectKind  # noqa: E402
from dronewall.identify import IdentifyConfig  # noqa: E402
from dronewall.world import load_world  # noqa: E402
from identify_eval import (  # noqa: E402
    CIVIL_ONLY,
    SCENARIOS,
    SPLITS,
    add_split_arguments,
    bundled,
    ellipsoid_heights,
    recon_weight,
    run,
)

EXPLAIN = "--explain" in sys.argv  # print every raised alert with the object it is on
ALERT_CONFIG = AlertConfig()  # the defaults; a validation candidate may replace it (--min-updates)
CARRY = (EventKind.RAISED, EventKind.TRACK_CHANGED, EventKind.REOPENED)  # the alert is on a track


def alerts_for(
    name: str, duration: float, seed: int, *, civil_only: bool = False, drop: bool = False
) -> dict[str, object]:
    world = load_world()
    data = run(name, world, seed=seed, duration=duration, config=IdentifyConfig(), civil_only=drop)
    zones = protected_zones(world)
    assessor, manager = ThreatAssessor(zones), AlertManager(ALERT_CONFIG)
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
                if EXPLAIN and event.kind is EventKind.RAISED:
                    what = ObjectKind(int(data.sim.kind[obj])).name if obj >= 0 else "nothing"
                    row = np.flatnonzero(tracks.track_id == event.track_id)
                    e = float(tracks.existence[row[0]]) if row.size else float("nan")
                    said = np.flatnonzero(classes.track_id == event.track_id)
                    why = classes.reasons[said[0]] if said.size else "not classified"
                    sensors = tracks.kind_updates[row[0], 1:].tolist() if row.size else []
                    print(
                        f"  {name} {seed} t+{t - lab.t.min():.0f} on {what} "
                        f"(existence {e:.2f}; updates by kind {sensors}; {why}): {event.message}"
                    )
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
    is_civil = np.array([ObjectKind(int(k)).object_class is ObjectClass.AIRCRAFT for k in kind])
    on_civil = {a for _, a, o in carried if o >= 0 and is_civil[o]}
    civil_kinds: dict[str, int] = {}
    for a in on_civil:  # by the kind of the first civil aircraft the alert was on
        o = next(o for _, b, o in carried if b == a and o >= 0 and is_civil[o])
        k = ObjectKind(int(kind[o])).name.lower()
        civil_kinds[k] = civil_kinds.get(k, 0) + 1
    return {
        "civil_kinds": civil_kinds,
        "scenario": f"{name}{' (without drones)' if drop else ''} {seed}",
        "civil_only": civil_only,
        "on_civil": len(on_civil),
        "delays": delays,
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser)
    parser.add_argument("--explain", action="store_true", help="print every raised alert")
    parser.add_argument(
        "--min-updates",
        type=int,
        default=None,
        help="a candidate AlertConfig.min_track_updates (chosen on validation)",
    )
    parser.add_argument(
        "--stray-share",
        type=float,
        default=None,
        help="a candidate assess.civil.STRAY_SHARE (chosen on validation)",
    )
    args = parser.parse_args()
    if args.stray_share is not None:
        civil.STRAY_SHARE = args.stray_share
    if args.min_updates is not None:
        global ALERT_CONFIG
        ALERT_CONFIG = AlertConfig(min_track_updates=args.min_updates)
    seeds = tuple(args.seeds or SPLITS[args.split])
    if args.ellipsoid_sim:
        ellipsoid_heights()
    if args.recon_weight is not None:
        recon_weight(args.recon_weight)
    if not set(seeds) <= set(SPLITS[args.split]):
        parser.error(f"seeds {seeds} are not all of the {args.split} split {SPLITS[args.split]}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    plan = [(n, float(d), False, False) for n, d in SCENARIOS.items()]
    plan += [(n, float(d), True, drop) for n, (d, drop) in CIVIL_ONLY.items()]
    plan = [p for p in plan if not args.only or p[0] in args.only]
    missing = sorted({p[0] for p in plan if not bundled(p[0])})
    if missing:
        print(f"not bundled yet, left out: {', '.join(missing)}")
    rows = [
        alerts_for(n, d, seed, civil_only=civil, drop=drop)
        for seed in seeds
        for n, d, civil, drop in plan
        if bundled(n)
    ]
    table(rows)
    summary(rows)


def table(rows: list[dict[str, object]]) -> None:
    print(
        "| run | drones seen | alerted | first report → alert, median s | p95 s | "
        "alerts per alerted drone | false alerts | false alerts / h | on civil aircraft | "
        "hand-overs (to another object) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['scenario']} | {r['drones_seen']} | {r['drones_alerted']} | "
            f"{r['median_s']:.0f} | {r['p95_s']:.0f} | {r['alerts_per_object']:.2f} | "
            f"{r['false_alerts']} | {float(r['false_alerts']) / float(r['hours']):.2f} | "
            f"{r['on_civil']} | {r['handovers']} ({r['to_other']}) |"
        )


def summary(rows: list[dict[str, object]]) -> None:
    civil = [r for r in rows if r["civil_only"]]
    hours = sum(float(r["hours"]) for r in civil)
    false = sum(int(r["false_alerts"]) for r in civil)  # type: ignore[call-overload]
    delays = [d for r in rows for d in r["delays"]]  # type: ignore[attr-defined]
    seen = sum(int(r["drones_seen"]) for r in rows)  # type: ignore[call-overload]
    on_civil = sum(int(r["on_civil"]) for r in rows)  # type: ignore[call-overload]
    print(f"\ncivil-only: {false} false alerts in {hours:.1f} h = {false / max(hours, 1e-9):.2f}/h")
    kinds: dict[str, int] = {}
    for r in rows:
        for k, v in r["civil_kinds"].items():  # type: ignore[attr-defined]
            kinds[k] = kinds.get(k, 0) + v
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    print(f"alerts on tracks of civil aircraft (all runs): {on_civil} ({by_kind or 'none'})")
    print(f"drones alerted: {len(delays)} of {seen} seen", end="")
    if delays:
        print(
            f"; first report → alert median {np.median(delays):.0f} s, "
            f"p95 {np.percentile(delays, 95):.0f} s"
        )
    else:
        print()


if __name__ == "__main__":
    main()
