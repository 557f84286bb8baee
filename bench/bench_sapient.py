"""Benchmark: SAPIENT detection reports per second accepted by a dronewall fusion node over TCP
from many concurrent sensor connections.

Usage: python bench/bench_sapient.py [--connections 100] [--reports 2000] [--kind radar]

The fusion node runs in this process, pinned to the first CPU core; the sensor nodes run in a
second process pinned to the second core (when there is one), so the clients do not compete
with the node they load. Each sensor node connects, registers (waiting for its
RegistrationAck), sends a status report, then writes its detection reports — built and
encoded before the clock starts — as fast as TCP takes them. Every report is decoded,
checked against the ICD, converted and handed to the sink in ReportBatches: the rate is
reports accepted by the sink from the first detection to the last. Prints a Markdown block
for bench/results-sapient.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import multiprocessing as mp  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from dronewall.core.clock import ManualClock, SystemClock  # noqa: E402
from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch, SensorKind  # noqa: E402
from dronewall.sensors.sapient import (  # noqa: E402
    Content,
    FusionNode,
    FusionNodeConfig,
    SapientLink,
    SensorDescription,
    SensorNode,
)
from dronewall.sensors.sapient.codec import Header, encode_frame, envelope  # noqa: E402
from dronewall.sensors.sapient.detections import ReportRows  # noqa: E402
from dronewall.sensors.sapient.ids import UlidFactory  # noqa: E402

T0 = 1_759_429_800.0
KINDS = {
    "radar": SensorKind.RADAR,
    "remote-id": SensorKind.REMOTE_ID,
    "acoustic": SensorKind.ACOUSTIC,
}


def _pin(core_rank: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[min(core_rank, len(cores) - 1)]})


def _rows(kind: SensorKind, n: int, rng: np.random.Generator) -> ReportBatch:
    batch = ReportBatch.allocate(n)
    batch.sensor_kind[:] = kind
    batch.t_measured[:] = T0 + np.arange(n) * 0.1
    batch.declared_class[:] = ObjectClass.DRONE
    batch.class_confidence[:] = rng.uniform(0.5, 1.0, n).astype(np.float32)
    if kind in (SensorKind.REMOTE_ID, SensorKind.ADSB):
        batch.measurement[:] = MeasurementKind.POSITION
        batch.lat_deg[:] = 52.0 + rng.uniform(-0.5, 0.5, n)
        batch.lon_deg[:] = 21.0 + rng.uniform(-0.5, 0.5, n)
        batch.alt_m[:] = rng.uniform(50, 500, n)
        batch.sigma_horizontal_m[:] = 5.0
        batch.sigma_vertical_m[:] = 10.0
        batch.speed_mps[:] = rng.uniform(5, 50, n)
        batch.course_deg[:] = rng.uniform(0, 360, n)
        batch.identity[:] = "1581F5FJD229"
    else:
        radar = kind is SensorKind.RADAR
        batch.measurement[:] = MeasurementKind.RADAR if radar else MeasurementKind.BEARING
        batch.azimuth_deg[:] = rng.uniform(0, 360, n)
        batch.sigma_azimuth_deg[:] = 0.5 if radar else 5.0
        if radar:
            batch.range_m[:] = rng.uniform(500, 20_000, n)
            batch.elevation_deg[:] = rng.uniform(0, 10, n)
            batch.sigma_range_m[:] = 10.0
            batch.sigma_elevation_deg[:] = 0.7
    return batch


def _client_frames(kind: SensorKind, index: int, reports: int) -> tuple[SensorNode, bytes]:
    description = SensorDescription(f"bench-{index:04d}", kind, 52.0, 21.0 + index * 1e-3, 100.0)
    node = SensorNode(description, UlidFactory(index))
    rows = ReportRows(_rows(kind, reports, np.random.default_rng(index)))
    frames = []
    for row in range(reports):
        message = envelope(Header(node.node_id, rows.columns["t_measured"][row]))
        message.detection_report.CopyFrom(node.detection(rows, row))
        frames.append(encode_frame(message, validate=False))
    return node, b"".join(frames)


async def _clients(port: int, kind: SensorKind, connections: int, reports: int) -> None:
    prepared = [_client_frames(kind, i, reports) for i in range(connections)]
    clock = ManualClock(T0)
    links = [SapientLink(node.node_id, clock) for node, _ in prepared]
    await asyncio.gather(*(link.connect("127.0.0.1", port) for link in links))
    await asyncio.gather(
        *(
            link.register(node.registration())
            for link, (node, _) in zip(links, prepared, strict=True)
        )
    )
    for link, (node, _) in zip(links, prepared, strict=True):
        link.write(Content.STATUS_REPORT, node.status(T0))

    async def blast(link: SapientLink, data: bytes) -> None:
        link.write_raw(data)
        await link.drain()

    await asyncio.gather(
        *(blast(link, data) for link, (_, data) in zip(links, prepared, strict=True))
    )
    await asyncio.gather(*(link.close() for link in links))


def _client_process(port: int, kind_name: str, connections: int, reports: int) -> None:
    _pin(1)
    asyncio.run(_clients(port, KINDS[kind_name], connections, reports))


class _Meter:
    """The sink: counts rows and notes when the last batch came."""

    def __init__(self) -> None:
        self.rows = 0
        self.batches = 0
        self.last = 0.0

    def __call__(self, batch: ReportBatch) -> None:
        self.rows += len(batch)
        self.batches += 1
        self.last = time.perf_counter()


@dataclass
class _Timing:
    wall_s: float  # from every sensor registered to the last report in the sink
    cpu_s: float  # the fusion node's CPU time over the same span


async def _serve(args: argparse.Namespace) -> tuple[_Meter, dict[str, int], _Timing]:
    meter = _Meter()
    node = FusionNode(meter, FusionNodeConfig(), clock=SystemClock())
    context = mp.get_context("spawn")
    async with node:
        client = context.Process(
            target=_client_process, args=(node.port, args.kind, args.connections, args.reports)
        )
        client.start()
        await node.wait_for_connections(args.connections)
        while len(node.registry) < args.connections:  # registrations still arriving
            await asyncio.sleep(0.001)
        wall, cpu = time.perf_counter(), time.process_time()
        await node.wait_for_connections(0)
        timing = _Timing(meter.last - wall, time.process_time() - cpu)
    await asyncio.to_thread(client.join)  # never block the loop: it closes the sockets
    return meter, node.counters.snapshot(), timing


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument(
        "--reports", type=int, default=2000, help="detection reports per connection"
    )
    parser.add_argument("--kind", choices=sorted(KINDS), default="radar")
    args = parser.parse_args()
    _pin(0)
    meter, counters, timing = asyncio.run(_serve(args))
    expected = args.connections * args.reports
    rejected = sum(v for k, v in counters.items() if k.startswith("rejected_"))
    print(f"{meter.rows:,} of {expected:,} reports accepted, {rejected} rejected")
    per_batch = meter.rows / max(meter.batches, 1)
    print(f"{meter.batches:,} batches to the sink, {per_batch:,.0f} rows each")
    print(f"{timing.wall_s:.2f} s wall, {timing.cpu_s:.2f} s fusion-node CPU")
    print(
        f"| {dt.datetime.now(dt.UTC).date().isoformat()} | {args.kind} | {args.connections} | "
        f"{expected:,} | {timing.wall_s:.2f} | {meter.rows / timing.wall_s:,.0f} | "
        f"{meter.rows / timing.cpu_s:,.0f} | {_cpu()}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]} |"
    )
    if meter.rows != expected or rejected:
        raise SystemExit("not every report was accepted")


if __name__ == "__main__":
    main()
