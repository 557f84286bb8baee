"""The default protected zones, and the spatial prefilter against a brute-force search."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dronewall.assess import (
    AssessConfig,
    Geofence,
    LatLonBox,
    ThreatAssessor,
    build_zones,
    protected_zones,
)
from dronewall.assess.geometry import position_sigma
from dronewall.assess.pairs import PairFinder
from dronewall.assess.priority import site_points
from dronewall.assess.threat import _kinematics
from dronewall.core.errors import DataError
from dronewall.world import SiteKind, load_world
from tests.assess.conftest import Fly, classes, site, tracks

POLAND_SOUTH_EAST = LatLonBox(south=49.0, west=21.0, north=51.0, east=24.0)


def test_default_zones_are_sites_plus_iata_airports_not_already_sites() -> None:
    world = load_world()
    zones = protected_zones(world, area=POLAND_SOUTH_EAST)
    ids = zones.id.tolist()
    assert ids[: len(world.sites)] == [s.id for s in world.sites]
    airports = [i for i in ids if i.startswith("airport-")]
    assert "airport-ukll" in airports  # Lviv
    assert "airport-eprz" not in airports  # Rzeszów-Jasionka is the listed site instead
    assert "rzeszow-jasionka" in ids
    lat = zones.lat[len(world.sites) :]
    assert ((lat >= 49.0) & (lat <= 51.0)).all()
    everywhere = protected_zones(world)
    assert len(everywhere) > 900  # about a thousand European airports have an IATA code
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in everywhere.id.tolist())
    assert "airport-lfsb" in everywhere.id  # Basel-Mulhouse once, not also as "_MLH"
    assert "airport-mlh" not in everywhere.id
    assert len(protected_zones(world, airports=False)) == len(world.sites)


def test_zone_weights_and_geofence_bounding_circles() -> None:
    fence = Geofence(
        "box", "Box", SiteKind.ENERGY, ((49.9, 19.9), (49.9, 20.1), (50.1, 20.1), (50.1, 19.9))
    )
    zones = build_zones([site()], [fence])
    assert zones.n_circles == 1 and len(zones) == 2
    assert zones.weight.tolist() == [1.0, 0.8]
    assert zones.lat[1] == pytest.approx(50.0) and zones.lon[1] == pytest.approx(20.0)
    assert zones.radius_m[1] == pytest.approx(np.hypot(7_170.0, 11_120.0), rel=0.01)
    assert zones.index("box") == 1


def test_zone_ids_must_be_unique() -> None:
    with pytest.raises(DataError, match="used twice: plant"):
        build_zones([site("plant"), site("plant", lat=51.0)])


def test_prefilter_keeps_every_pair_that_scores() -> None:
    rng = np.random.default_rng(7)
    sites = [
        site(f"s{k}", lat=50.0 + lat, lon=20.0 + lon, radius_m=r)
        for k, (lat, lon, r) in enumerate(
            zip(
                rng.uniform(-1, 1, 150),
                rng.uniform(-1.5, 1.5, 150),
                rng.uniform(1e3, 8e3, 150),
                strict=True,
            )
        )
    ]
    fence = Geofence(
        "box", "Box", SiteKind.OTHER, ((49.8, 19.8), (49.8, 20.2), (50.2, 20.2), (50.2, 19.8))
    )
    zones = build_zones(sites, [fence])
    flights = [
        Fly(i, e, n, up_m=u, v_east=ve, v_north=vn, sigma_m=s, sigma_mps=sv)
        for i, (e, n, u, ve, vn, s, sv) in enumerate(
            zip(
                rng.uniform(-60e3, 60e3, 400),
                rng.uniform(-60e3, 60e3, 400),
                rng.uniform(30, 2_000, 400),
                rng.normal(0, 30, 400),
                rng.normal(0, 30, 400),
                rng.uniform(10, 500, 400),
                rng.uniform(0.5, 10, 400),
                strict=True,
            )
        )
    ]
    batch = tracks(flights)
    config = AssessConfig(horizon_s=600.0)
    threat = ThreatAssessor(zones, config).assess(batch, classes(range(400), 0.9))
    kept = set(zip(threat.approaches.row.tolist(), threat.approaches.zone.tolist(), strict=True))
    # brute force: every pair
    kinematics, coefficients = _kinematics(batch)
    row = np.repeat(np.arange(len(batch)), len(zones))
    zone = np.tile(np.arange(len(zones)), len(batch))
    every = PairFinder(zones).approach(kinematics, row, zone, config.horizon_s)
    sigma = position_sigma(coefficients[row], config.process_noise, every.t_cpa_s)
    points = site_points(
        every.inside, every.time_to_enter_s, every.miss_m, sigma, zones.weight[zone], 600.0, 2.0
    )
    scoring = {(int(r), int(z)) for r, z, p in zip(row, zone, points, strict=True) if p > 0.0}
    assert len(scoring) > 100  # the test has teeth
    assert scoring <= kept
    best, found = np.zeros(len(batch)), np.zeros(len(batch))
    np.maximum.at(best, row, points)
    np.maximum.at(found, threat.approaches.row, threat.approaches.points)
    assert np.allclose(best, found)
