"""Cooperative sources: ADS-B receivers hear ADS-B out only; the ADS-B/FLARM network feed also
relays FLARM, one report per aircraft every 7–10 s; a bad jitter is a config error."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import ConfigError
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.sim import Simulation, parse_scenario
from dronewall.world import World

FEEDS = """
[scenario]
name = "feeds"
title = "ADS-B receiver and ADS-B/FLARM network"
start = 2026-06-20T11:00:00Z
duration_s = 900
seed = 5

[[aircraft]]
name = "flarm-gliders"
kind = "glider"
count = 4
area = { lat = 48.0, lon = 11.4, radius_km = 15 }
spawn_window_s = [0, 0]
adsb_fraction = 0.0
flarm_fraction = 1.0

[[aircraft]]
name = "adsb-helicopters"
kind = "helicopter"
count = 2
area = { lat = 48.0, lon = 11.4, radius_km = 15 }
spawn_window_s = [0, 0]
adsb_fraction = 1.0
flarm_fraction = 0.0

[[sensor]]
id = "receiver"
model = "adsb-receiver"
lat = 48.0
lon = 11.4
mast_m = 30

[[sensor]]
id = "network"
model = "adsb-network"
lat = 48.0
lon = 11.4
"""


@pytest.fixture(scope="module")
def feeds(world: World) -> tuple[Simulation, ReportBatch, np.ndarray]:
    sim = Simulation(parse_scenario(FEEDS), world)
    chunks = list(sim.run())
    reports = ReportBatch.concat([c.reports for c in chunks])
    return sim, reports, np.concatenate([c.report_object for c in chunks])


def _by_sensor(feeds: tuple[Simulation, ReportBatch, np.ndarray], sensor_id: str) -> set[str]:
    sim, reports, objects = feeds
    mine = reports.sensor_index == sim.sensors.ids.index(sensor_id)
    return {sim.population.group[o] for o in objects[mine]}


def test_receivers_hear_adsb_and_the_network_also_flarm(
    feeds: tuple[Simulation, ReportBatch, np.ndarray],
) -> None:
    assert _by_sensor(feeds, "receiver") == {"adsb-helicopters"}
    assert _by_sensor(feeds, "network") == {"adsb-helicopters", "flarm-gliders"}
    sim, reports, _ = feeds
    assert np.all(reports.sensor_kind == SensorKind.ADSB)
    flarm = sim.population.identity[sim.population.flarm & ~sim.population.adsb]
    assert all(len(i) == 6 and int(i, 16) >= 0xDD0000 for i in flarm)  # FLARM ids


def test_network_reports_each_aircraft_every_7_to_10_seconds(
    feeds: tuple[Simulation, ReportBatch, np.ndarray],
) -> None:
    sim, reports, objects = feeds
    network = reports.sensor_index == sim.sensors.ids.index("network")
    gaps = []
    for obj in np.unique(objects[network]):
        times = np.sort(reports.t_measured[network & (objects == obj)])
        gaps.append(np.diff(times))
    gap = np.concatenate(gaps)
    assert gap.size > 300
    assert gap.min() >= 7.0 - 1e-6  # 8.5 s, each look moved by up to ± 0.75 s
    assert 8.0 < np.median(gap) < 9.0
    assert np.mean(gap <= 10.0 + 1e-6) > 0.9  # the rest are missed updates (17 s and more)
    late = reports.t_arrival[network] - reports.t_measured[network]
    assert np.all(late >= 2.0) and 2.5 < np.mean(late) < 3.5  # 2 s latency + ~1 s jitter


def test_too_much_look_jitter_is_rejected(world: World) -> None:
    text = FEEDS.replace(
        'model = "adsb-network"', 'model = "adsb-network"\nparams = { look_jitter_s = 4.5 }'
    )
    with pytest.raises(ConfigError, match="look_jitter_s"):
        Simulation(parse_scenario(text), world)
