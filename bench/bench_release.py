"""Benchmark: the cost of per-recipient releasability on the WebSocket path (issue 15).

Usage: python bench/bench_release.py [--tracks 10000] [--labels 8] [--repeat 30]

A frame of ``--tracks`` tracks whose label masks mix ``--labels`` sensor labels of several
nations (as a multinational laydown gives), encoded as the server does it
(``server/feed.encode_both``, binary columns) once for everyone — today's path without
releasability — and then once per recipient group after cutting it to what that recipient
is cleared for (``runtime/release.Release.frame``), for 1, 3 and 10 distinct recipients.
Prints the median milliseconds per frame of the cut, of the encodes, and of both, and the
ratio to the single unfiltered encode.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import CLASSIFICATIONS, Recipient, SecurityLabel
from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.runtime.release import Release
from dronewall.server.feed import encode_both
from dronewall.store import PictureFrame

NATIONS = ("DEU", "POL", "DNK", "FRA", "LTU", "NLD", "SWE", "USA", "CHE", "NOR")


def sensors(n_labels: int, rng: np.random.Generator) -> SensorGeometry:
    labels = tuple(
        SecurityLabel.make(
            NATIONS[i % len(NATIONS)],
            CLASSIFICATIONS[int(rng.integers(0, 4))],
            ["NATO"] if rng.random() < 0.6 else [],
        )
        for i in range(n_labels)
    )
    n = len(labels)
    lat, lon, alt = np.full(n, 54.0), np.full(n, 12.0), np.zeros(n)
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    return SensorGeometry(
        [f"s{i}" for i in range(n)], np.full(n, 1, np.uint8), lat, lon, alt, ecef,
        np.full(n, 3e4), labels=labels,
    )  # fmt: skip


def frame(n: int, n_labels: int, rng: np.random.Generator) -> PictureFrame:
    t = 1_700_000_000.0
    lat = 54.0 + rng.uniform(-1, 1, n)
    lon = 12.0 + rng.uniform(-1, 1, n)
    state = np.zeros((n, 6))
    state[:, :3] = np.asarray(geodetic_to_ecef(lat, lon, np.full(n, 300.0)))
    state[:, 3:5] = rng.normal(0, 20, (n, 2))
    # Most tracks one sensor's label, some two or three (several nations saw them).
    masks = np.zeros(n, np.int64)
    for _ in range(3):
        pick = rng.random(n) < 0.5 if masks.any() else np.ones(n, bool)
        masks[pick] |= np.int64(1) << rng.integers(0, n_labels, int(pick.sum()))
    empty = TrackBatch.empty()
    tracks = TrackBatch(
        **{
            **{name: getattr(empty, name) for name in TrackBatch.column_names()},
            "track_id": np.arange(1, n + 1, dtype=np.int64),
            "t": np.full(n, t),
            "status": np.ones(n, np.uint8),
            "state": state,
            "covariance": np.tile(np.eye(6) * 100.0, (n, 1, 1)),
            "t_last_update": np.full(n, t),
            "n_updates": np.full(n, 5, np.int64),
            "sensor_kinds": np.full(n, 2, np.uint16),
            "identity": np.full(n, "", object),
            "t_first": np.full(n, t - 60),
            "kind_updates": np.zeros((n, 7), np.int32),
            "class_evidence": np.zeros((n, 4)),
            "rf_stations": np.zeros(n, np.uint8),
            "existence": np.ones(n),
            "emitter_category": np.zeros(n, np.uint8),
            "rcs_dbsm": np.full(n, np.nan),
            "label_mask": masks,
        }
    )
    return PictureFrame.build(t, tracks, None, None, None)


def median_ms(work: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--labels", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    table = sensors(args.labels, rng)
    f = frame(args.tracks, args.labels, rng)
    base = median_ms(lambda: encode_both(f, "run", 1, 0.0, json=False), args.repeat)
    print(f"{args.tracks} tracks, {args.labels} labels; one unfiltered encode: {base:.2f} ms")
    print("| recipients | cut ms | encode ms | total ms | × unfiltered | tracks kept (mean) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for groups in (1, 3, 10):
        recipients = [
            Recipient.make(NATIONS[i % len(NATIONS)], "SECRET", name=f"r{i}") for i in range(groups)
        ]
        releases = [Release(r, lambda: table) for r in recipients]
        cut = median_ms(lambda: [rel.frame(f) for rel in releases], args.repeat)  # noqa: B023
        parts = [rel.frame(f) for rel in releases]
        enc = median_ms(
            lambda: [encode_both(p, "run", 1, 0.0, json=False) for p in parts],  # noqa: B023
            args.repeat,
        )
        kept = statistics.mean(len(p) for p in parts)
        total = cut + enc
        print(
            f"| {groups} | {cut:.2f} | {enc:.2f} | {total:.2f} | {total / base:.2f} | {kept:.0f} |"
        )


if __name__ == "__main__":
    main()
