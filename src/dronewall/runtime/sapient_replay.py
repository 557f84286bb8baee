"""The SAPIENT sensor-node simulator: a run directory's sensors (``sensors.parquet``) speak
SAPIENT (BSI Flex 335 v2.0) over TCP, one connection per sensor node, replaying the run's
reports (``reports.parquet``) as DetectionReports — and, for ``dronewall demo --via sapient``,
a dronewall fusion node on localhost that receives them.

The protocol logic lives in ``dronewall.sensors.sapient`` (``node.SensorNode``,
``client.SapientLink``); this module only reads the run directory (``dronewall.records``) and
drives the connections. Each node registers, sends a status report (its position and
coverage), then its reports in the run's arrival order — as fast as the fusion node takes
them (``speed=0``) or paced at ``speed`` × real time by ``t_arrival`` — and says goodbye.

Node UUIDs are name-based (``node_uuid(sensor_id)``), so a fusion node can pin each sensor
to its row of ``sensors.parquet`` (``known_nodes``) and the reports it receives carry the
run's ``sensor_index``.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pyarrow as pa

from dronewall.core.clock import Clock, ManualClock, SystemClock
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.records import read_reports, read_sensors
from dronewall.sensors.sapient import (
    Content,
    FusionNode,
    FusionNodeConfig,
    ReportKeys,
    SapientLink,
    SensorDescription,
    SensorNode,
    SensorRegistry,
)
from dronewall.sensors.sapient.detections import ReportRows
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.status import Health

DRAIN_EVERY = 512  # reports written between waits for the sockets to drain (flow control)


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """What the simulator sent."""

    nodes: int
    detections: int
    wall_s: float


@dataclass(frozen=True, slots=True)
class SapientReplayResult:
    """What a fusion node received from a replayed run."""

    reports: ReportBatch  # every accepted report, in the order accepted
    keys: ReportKeys | None  # per row: sending node, its object and report ULIDs
    counters: dict[str, int]  # the fusion node's accepted/rejected counters
    registry: SensorRegistry  # the nodes that registered, their status and coverage
    stats: ReplayStats


def sensor_descriptions(sensors: pa.Table) -> list[SensorDescription]:
    """One ``SensorDescription`` per row of ``sensors.parquet`` (indexed by sensor_index)."""
    rows = sensors.to_pylist()
    return [_description(row) for row in sorted(rows, key=lambda r: r["sensor_index"])]


def known_nodes(descriptions: list[SensorDescription], indices: list[int]) -> dict[str, int]:
    """Node UUID → sensor_index, to pin each simulated node to its row."""
    return {d.uuid: i for d, i in zip(descriptions, indices, strict=True)}


async def replay_run(
    run_dir: Path, host: str, port: int, *, speed: float = 0.0, seed: int = 0
) -> ReplayStats:
    """Replay ``run_dir`` to the fusion node at ``host:port``; return what was sent."""
    reports = read_reports(run_dir / "reports.parquet")
    table = read_sensors(run_dir / "sensors.parquet")
    descriptions = sensor_descriptions(table)
    indices = sorted(int(i) for i in table.column("sensor_index").to_pylist())
    start = float(reports.t_arrival[0]) if len(reports) else 0.0
    clock = ManualClock(start)
    nodes = {
        index: SensorNode(d, UlidFactory(f"{seed}/{index}"))
        for index, d in zip(indices, descriptions, strict=True)
    }
    # The sensor nodes' messages are proven conformant by tests/sensors; the fusion node
    # checks every one anyway, so the simulator does not check them twice.
    links = {
        index: SapientLink(node.node_id, clock, on_task=node.answer, validate=False)
        for index, node in nodes.items()
    }
    began = time.perf_counter()
    await asyncio.gather(*(link.connect(host, port) for link in links.values()))
    await asyncio.gather(*(links[i].register(nodes[i].registration()) for i in links))
    for index, link in links.items():
        link.write(Content.STATUS_REPORT, nodes[index].status(start))
    await _send_reports(reports, nodes, links, clock, speed)
    for index, link in links.items():
        link.write(Content.STATUS_REPORT, nodes[index].status(clock.now(), Health.GOODBYE))
    await asyncio.gather(*(link.close() for link in links.values()))
    return ReplayStats(len(links), len(reports), time.perf_counter() - began)


async def run_over_sapient(
    run_dir: Path, *, speed: float = 0.0, config: FusionNodeConfig | None = None
) -> SapientReplayResult:
    """Start a fusion node on localhost, replay ``run_dir`` into it, return what it got."""
    table = read_sensors(run_dir / "sensors.parquet")
    descriptions = sensor_descriptions(table)
    indices = sorted(int(i) for i in table.column("sensor_index").to_pylist())
    config = config or FusionNodeConfig(known_nodes=known_nodes(descriptions, indices))
    batches: list[ReportBatch] = []
    keys: list[ReportKeys] = []
    clock = _scaled_clock(run_dir, speed)
    node = FusionNode(batches.append, config, clock=clock, on_keys=keys.append)
    async with node:
        stats = await replay_run(run_dir, config.host, node.port, speed=speed)
        await node.wait_for_connections(0)
    return SapientReplayResult(
        reports=ReportBatch.concat(batches),
        keys=_concat_keys(keys),
        counters=node.counters.snapshot(),
        registry=node.registry,
        stats=stats,
    )


def replay_over_sapient(run_dir: Path, *, speed: float = 0.0) -> SapientReplayResult:
    """``run_over_sapient`` for synchronous callers (the command line)."""
    return asyncio.run(run_over_sapient(run_dir, speed=speed))


async def _send_reports(
    reports: ReportBatch,
    nodes: dict[int, SensorNode],
    links: dict[int, SapientLink],
    clock: ManualClock,
    speed: float,
) -> None:
    loop = asyncio.get_running_loop()
    wall_start, sim_start = loop.time(), clock.now()
    rows = ReportRows(reports)
    sensor_index, t_arrival = rows.columns["sensor_index"], rows.columns["t_arrival"]
    t_measured = rows.columns["t_measured"]
    touched: set[int] = set()
    for row in range(len(reports)):
        index, arrival = sensor_index[row], t_arrival[row]
        if speed > 0.0:
            delay = wall_start + (arrival - sim_start) / speed - loop.time()
            if delay > 0.0:
                await asyncio.sleep(delay)
        clock.set(max(clock.now(), arrival))
        report = nodes[index].detection(rows, row)
        links[index].write(Content.DETECTION_REPORT, report, t_measured[row])
        touched.add(index)
        if len(touched) and row % DRAIN_EVERY == DRAIN_EVERY - 1:
            await asyncio.gather(*(links[i].drain() for i in touched))
            touched.clear()
    await asyncio.gather(*(links[i].drain() for i in touched))


def _description(row: dict[str, object]) -> SensorDescription:
    def number(name: str, default: float = math.nan) -> float:
        value = row.get(name)
        return float(value) if isinstance(value, int | float) else default

    return SensorDescription(
        name=str(row["sensor_id"]),
        kind=SensorKind[str(row["kind"])],
        lat_deg=number("lat_deg"),
        lon_deg=number("lon_deg"),
        alt_m=number("alt_m"),
        model=str(row.get("model") or ""),
        max_range_m=number("max_range_m"),
        sector_centre_deg=number("sector_centre_deg", 0.0),
        sector_width_deg=number("sector_width_deg", 360.0) or 360.0,
        min_elevation_deg=number("min_elevation_deg"),
        max_elevation_deg=number("max_elevation_deg"),
        period_s=number("period_s", 1.0),
        latency_s=number("latency_s"),
    )


class _ScaledClock:
    """Simulated time running ``speed`` × faster than the wall clock from ``start``."""

    def __init__(self, start: float, speed: float, wall: Clock):
        self._start, self._speed, self._wall = start, speed, wall
        self._wall_start = wall.now()

    def now(self) -> float:
        return self._start + (self._wall.now() - self._wall_start) * self._speed


def _scaled_clock(run_dir: Path, speed: float) -> Clock:
    """Paced replays stamp arrival in simulated time; unpaced ones on the wall clock."""
    if speed <= 0.0:
        return SystemClock()
    reports = read_reports(run_dir / "reports.parquet")
    start = float(reports.t_arrival[0]) if len(reports) else 0.0
    return _ScaledClock(start, speed, SystemClock())


def _concat_keys(keys: list[ReportKeys]) -> ReportKeys | None:
    if not keys:
        return None
    return ReportKeys(
        *(np.concatenate([getattr(k, f.name) for k in keys]) for f in fields(ReportKeys))
    )
