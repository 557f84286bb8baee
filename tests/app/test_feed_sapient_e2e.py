"""End to end over loopback TCP: a SAPIENT (BSI Flex 335 v2.0) radar node connects to
``serve --feed sapient://…``, registers (the sensor appears in ``/api/sensors`` at the
position its status report gives), reports detections, and becomes a track in
``/api/tracks``; its goodbye shows it offline."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from pathlib import Path

from dronewall.core.clock import SystemClock
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.sensors.sapient import Content, SapientLink, SensorDescription, SensorNode
from dronewall.sensors.sapient.detections import ReportRows
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.status import Health
from tests.app.feeds_harness import GEOD, Target, free_port, serving, track_near, wait_for

RADAR = SensorDescription("site-radar-1", SensorKind.RADAR, 50.10, 8.60, 120.0,
                          model="Example CUAS radar", max_range_m=8000.0)  # fmt: skip


def _detection(target: Target, t: float) -> ReportBatch:
    lat, lon, alt = target.at(t)
    az, _, dist = GEOD.inv(RADAR.lon_deg, RADAR.lat_deg, lon, lat)
    b = ReportBatch.allocate(1)
    b.sensor_kind[:] = SensorKind.RADAR
    b.measurement[:] = MeasurementKind.RADAR
    b.t_measured[:] = b.t_arrival[:] = t
    b.range_m[:] = (dist**2 + (alt - RADAR.alt_m) ** 2) ** 0.5
    b.azimuth_deg[:] = az % 360.0
    b.elevation_deg[:] = math.degrees(math.atan2(alt - RADAR.alt_m, dist))
    b.sigma_range_m[:], b.sigma_azimuth_deg[:], b.sigma_elevation_deg[:] = 10.0, 0.5, 1.0
    return b


class RadarNode(threading.Thread):
    def __init__(self, port: int, target: Target):
        super().__init__(daemon=True)
        self.port, self.target = port, target
        self.stop, self.registered = threading.Event(), threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        node = SensorNode(RADAR, UlidFactory("e2e"))
        link = SapientLink(node.node_id, SystemClock(), on_task=node.answer)
        await link.connect("127.0.0.1", self.port)
        await link.register(node.registration())
        link.write(Content.STATUS_REPORT, node.status(time.time()))
        self.registered.set()
        while not self.stop.is_set():
            now = time.time()
            link.write(Content.DETECTION_REPORT, node.detection(ReportRows(_detection(
                self.target, now)), 0), now)  # fmt: skip
            await link.drain()
            await asyncio.sleep(0.5)
        link.write(Content.STATUS_REPORT, node.status(time.time(), Health.GOODBYE))
        await link.close()


def test_a_sapient_radar_node_registers_and_its_detections_become_a_track(
    tmp_path: Path,
) -> None:
    port = free_port()
    target = Target(50.12, 8.62, 300.0, 45.0, 20.0, time.time())
    with serving([f"sapient://127.0.0.1:{port}?name=sapient-site"], tmp_path) as (client, _):
        node = RadarNode(port, target)
        node.start()
        assert node.registered.wait(20)
        here = lambda p: track_near(p, *target.at(time.time())[:2], 300.0) is not None  # noqa: E731
        wait_for(client, lambda: None, here)
        (sensor,) = client.get("/api/sensors").json()["features"]
        props = sensor["properties"]
        assert props["kind"] == "RADAR" and props["state"] == "ok"
        assert abs(props["lat_deg"] - RADAR.lat_deg) < 1e-4
        node.stop.set()
        node.join(20)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            props = client.get("/api/sensors").json()["features"][0]["properties"]
            if props["state"] == "offline":
                break
            time.sleep(0.2)
        assert props["state"] == "offline"
