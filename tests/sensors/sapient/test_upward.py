"""Hierarchical fusion: a site node reports its tracks and coverage up to a region node."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
import pytest

from dronewall.core.clock import ManualClock
from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch, SensorKind
from dronewall.sensors.sapient import (
    Content,
    FusionNode,
    FusionNodeConfig,
    ParentConfig,
    ParentLink,
    ReportKeys,
    SapientLink,
    SensorNode,
    UpwardTracks,
    alert,
)
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.units import Fix
from tests.sensors.sapient.conftest import sensor

Run = Callable[[Coroutine[Any, Any, Any]], Any]
T0 = 1_759_429_800.0


def _tracks(t: float) -> UpwardTracks:
    covariance = np.array([np.diag([25.0, 100.0, 400.0]), np.diag([4.0, 4.0, 9.0])])
    return UpwardTracks.from_geodetic(
        track_id=[11, 12],
        t=[t, t + 0.5],
        lat_deg=[52.2297, 52.10],
        lon_deg=[21.0122, 23.50],
        alt_m=[150.0, 90.0],
        velocity_enu_mps=[[30.0, -40.0, 1.0], [0.0, 51.4, 0.0]],
        covariance_enu_m2=covariance,
        object_class=[ObjectClass.DRONE, ObjectClass.UNKNOWN],
        class_confidence=[0.875, 0.0],
    )


def test_tracks_in_ecef_and_geodetic_form_agree() -> None:
    tracks = _tracks(T0)
    lat, lon, alt, velocity, covariance = tracks.geodetic()
    assert lat == pytest.approx([52.2297, 52.10], abs=1e-9)
    assert lon == pytest.approx([21.0122, 23.50], abs=1e-9)
    assert alt == pytest.approx([150.0, 90.0], abs=1e-6)
    assert velocity[0] == pytest.approx([30.0, -40.0, 1.0], abs=1e-9)
    assert np.diagonal(covariance[0]) == pytest.approx([25.0, 100.0, 400.0], abs=1e-6)
    state = np.hstack([tracks.position_ecef_m, tracks.velocity_ecef_mps])
    full = np.zeros((2, 6, 6))
    full[:, :3, :3] = tracks.position_covariance_ecef_m2
    again = UpwardTracks.from_state(
        tracks.track_id, tracks.t, state, full, tracks.object_class, tracks.class_confidence
    )
    assert np.array_equal(again.position_ecef_m, tracks.position_ecef_m)


def test_a_site_reports_tracks_coverage_and_alerts_to_its_region(run_async: Run) -> None:
    clock = ManualClock(T0)
    region_batches: list[ReportBatch] = []
    region_keys: list[ReportKeys] = []
    region = FusionNode(
        region_batches.append, FusionNodeConfig(), clock=clock, on_keys=region_keys.append
    )
    site = FusionNode(
        lambda batch: None,
        FusionNodeConfig(node_id="d9d1f3c2-8f63-4e0e-a3c4-5b1f0b6e2a11"),
        clock=clock,
    )
    radar = sensor(
        SensorKind.RADAR, "warsaw-radar", lat_deg=52.2, lon_deg=21.0, max_range_m=20_000.0
    )

    async def scenario() -> tuple[str, int]:
        async with region, site:
            link = SapientLink(radar.uuid, clock)
            await link.connect("127.0.0.1", site.port)
            node = SensorNode(radar, UlidFactory(3))
            await link.register(node.registration())
            await link.send(Content.STATUS_REPORT, node.status(T0))
            parent = ParentLink(
                ParentConfig(
                    "127.0.0.1",
                    region.port,
                    name="site Warsaw",
                    reporting_region=(((52.0, 20.5), (52.0, 21.5), (52.5, 21.5)),),
                    status_interval_s=3600.0,  # one status on registering, no more
                ),
                site.registry,
                clock,
            )
            await parent.connect()
            await parent.send_status()
            sent = await parent.send_tracks(_tracks(T0))
            await parent.send_tracks(_tracks(T0 + 1.0))  # the same tracks, one second on
            ack = await parent.raise_alert(
                alert(
                    "01K6H3ZK8J2G7Z0W6X4Y1A3B5D", "drone over the city", location=Fix(52.23, 21.01)
                )
            )
            await parent.close()
            await link.close()
            await region.wait_for_connections(0)
            return parent.config.uuid, sent + ack.alert_ack_status

    child_id, sent_plus_ack = run_async(scenario())
    assert sent_plus_ack == 2 + 1
    got = ReportBatch.concat(region_batches)
    assert len(got) == 4
    assert set(got.measurement.tolist()) == {MeasurementKind.POSITION}
    assert got.lat_deg[:2] == pytest.approx([52.2297, 52.10], abs=1e-9)
    assert got.sigma_horizontal_m[0] == pytest.approx(np.sqrt((25.0 + 100.0) / 2))
    assert got.sigma_vertical_m[0] == pytest.approx(20.0)
    assert got.speed_mps[0] == pytest.approx(50.0) and got.course_deg[1] == pytest.approx(
        0.0, abs=1e-9
    )
    assert got.declared_class.tolist()[:2] == [ObjectClass.DRONE, ObjectClass.UNKNOWN]
    assert got.class_confidence[0] == np.float32(0.875)
    assert got.t_measured.tolist() == [T0, T0 + 0.5, T0 + 1.0, T0 + 1.5]
    object_ids = np.concatenate([keys.object_id for keys in region_keys])
    assert object_ids[0] == object_ids[2] != object_ids[1]  # one ULID per track
    entry = region.registry.get(child_id)
    assert entry is not None and entry.traits.is_fusion_node
    assert entry.traits.dependent_nodes == (radar.uuid,)
    assert entry.status is not None and entry.status.health.name == "GOODBYE"
    assert len(entry.registration.reporting_region) == 1
    counts = region.counters.snapshot()
    # on registering, the explicit one, the GOODBYE
    assert counts["accepted_status_report"] == 3 and counts["accepted_alert"] == 1


def test_the_site_reports_the_coverage_of_its_sensors(run_async: Run) -> None:
    clock = ManualClock(T0)
    region = FusionNode(lambda batch: None, FusionNodeConfig(), clock=clock)
    site = FusionNode(
        lambda batch: None,
        FusionNodeConfig(node_id="d9d1f3c2-8f63-4e0e-a3c4-5b1f0b6e2a11"),
        clock=clock,
    )
    radars = [sensor(SensorKind.RADAR, f"r{i}", lon_deg=21.0 + i) for i in range(3)]

    async def scenario() -> int:
        async with region, site:
            links = []
            for radar in radars:
                link = SapientLink(radar.uuid, clock)
                await link.connect("127.0.0.1", site.port)
                node = SensorNode(radar, UlidFactory(radar.name))
                await link.register(node.registration())
                await link.send(Content.STATUS_REPORT, node.status(T0))
                links.append(link)
            await site.wait_for_connections(3)
            parent = ParentLink(ParentConfig("127.0.0.1", region.port), site.registry, clock)
            await parent.connect()
            await parent.send_status()
            await _settle(region)
            entry = region.registry.get(parent.config.uuid)
            coverage = len(entry.status.coverage) if entry and entry.status else -1
            await parent.close()
            for link in links:
                await link.close()
            return coverage

    assert run_async(scenario()) == 3


async def _settle(node: FusionNode) -> None:
    """Yield to the event loop until the node holds a status report from every child."""
    while not all(e.status is not None for e in node.registry.entries()):
        await asyncio.sleep(0)
