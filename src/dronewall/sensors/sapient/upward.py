"""Hierarchical fusion: a dronewall fusion node reporting upward to a parent fusion node
(site → region → nation → continent), as BSI Flex 335 v2.0 provides for with
``NODE_TYPE_FUSION_NODE``, ``Registration.dependent_nodes`` and ``reporting_region``, and the
repeated ``StatusReport.coverage`` ("so that a Fusion Node can report the total coverage from
its child/edge nodes").

``ParentLink`` registers this node with its parent as a child fusion node, naming the nodes
registered beneath it; sends its tracks as DetectionReports (``tracks.py``); sends status
reports whose coverage is the union (as a list of polygons) of its children's; raises alerts
upward; and says goodbye when it closes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from dronewall.core.clock import Clock
from dronewall.sensors.sapient.binding import Alert, AlertAck, Content
from dronewall.sensors.sapient.client import SapientLink
from dronewall.sensors.sapient.ids import UlidFactory, node_uuid
from dronewall.sensors.sapient.nodes import fusion_registration
from dronewall.sensors.sapient.registry import SensorRegistry
from dronewall.sensors.sapient.status import Health, Polygon, fusion_status, polygon_area
from dronewall.sensors.sapient.tracks import TrackReporter, UpwardTracks


@dataclass(frozen=True, slots=True)
class ParentConfig:
    """Where the parent fusion node listens and who this node is to it."""

    host: str
    port: int
    name: str = "dronewall fusion node"
    node_id: str = ""  # this node's UUID as the parent's child; default node_uuid(name)
    status_interval_s: float = 5.0
    reporting_region: tuple[Polygon, ...] = field(default_factory=tuple)
    seed: int = 0

    @property
    def uuid(self) -> str:
        return self.node_id or node_uuid(self.name)


class ParentLink:
    """This fusion node's connection to its parent."""

    def __init__(self, config: ParentConfig, children: SensorRegistry, clock: Clock):
        self.config = config
        self.children = children
        self.clock = clock
        self._ulids = UlidFactory(f"{config.seed}/{config.uuid}")
        self.link = SapientLink(config.uuid, clock)
        self.reporter = TrackReporter(config.uuid, self._ulids)

    async def connect(self) -> None:
        await self.link.connect(self.config.host, self.config.port)
        await self.register()

    async def register(self) -> None:
        """(Re-)register, naming the nodes currently beneath this one."""
        registration = fusion_registration(
            self.config.name,
            self.config.status_interval_s,
            [entry.node_id for entry in self.children.entries()],
            [polygon_area(p) for p in self.config.reporting_region],
        )
        await self.link.register(registration)

    async def send_status(self, health: Health = Health.OK) -> None:
        """A StatusReport whose coverage is every connected child's coverage."""
        now = self.clock.now()
        report = fusion_status(self._ulids.new(now), self.children.coverage(), health)
        await self.link.send(Content.STATUS_REPORT, report, now)

    async def send_tracks(self, tracks: UpwardTracks) -> int:
        """Every track as a DetectionReport timed at its state; returns how many were sent."""
        reports = self.reporter.reports(tracks)
        for time_s, report in reports:
            self.link.write(Content.DETECTION_REPORT, report, time_s)
        await self.link.drain()
        return len(reports)

    async def raise_alert(self, alert: Alert) -> AlertAck:
        return await self.link.raise_alert(alert)

    async def heartbeat(self, stop: asyncio.Event) -> None:
        """Send a status report every ``status_interval_s`` until ``stop`` is set."""
        while not stop.is_set():
            await self.send_status()
            try:
                await asyncio.wait_for(stop.wait(), self.config.status_interval_s)
            except TimeoutError:
                continue

    async def close(self) -> None:
        """Say goodbye (a GOODBYE status) and close the connection."""
        await self.send_status(Health.GOODBYE)
        await self.link.close()
