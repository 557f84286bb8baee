"""Recommendations on hand-made situations: a site, two drones, a few effector units."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.geodesy import (
    ecef_to_enu_rotation,
    enu_to_geodetic,
    geodetic_to_ecef,
)
from dronewall.core.types import ObjectKind
from dronewall.engage import load_effectors
from dronewall.engage.effectors import EffectorCatalogue
from dronewall.engage.laydown import parse_laydown
from dronewall.engage.recommend import plan, recommend
from dronewall.engage.recommend_types import (
    EffectorUnits,
    RecommendConfig,
    ThreatPicture,
)
from dronewall.engage.roe import RulesOfEngagement, parse_roe
from dronewall.world.airports import AirportTable

SITE = (55.0, 12.0)  # the protected site (an airport in these cases)
FIXED = RecommendConfig(iterations=30, time_limit_s=10.0)  # same answer on any machine
QUAD, OWA = ObjectKind.QUADCOPTER.value, ObjectKind.ONE_WAY_ATTACK.value

ROE_FREE = "weapons_control = 'free'\n[pid]\ndefault = 0.9\nweapons_free = 0.6\n"
ROE_AIRPORT = ROE_FREE + "[airports]\nno_rf_radius_m = 5000\nscheduled_only = true\n"


@pytest.fixture(scope="module")
def catalogue() -> EffectorCatalogue:
    return load_effectors()


def airport_at_site() -> AirportTable:
    def col(value: object) -> np.ndarray:
        return np.array([value])

    return AirportTable(col("EKXX"), col("XXX"), col("Test airport"), col("Test"), col("DK"),
                        col(SITE[0]), col(SITE[1]), col(5.0))  # fmt: skip


def roe(text: str = ROE_FREE) -> RulesOfEngagement:
    return parse_roe(text, "r.toml", airport_at_site())


def units(catalogue: EffectorCatalogue, *rows: tuple[str, float, float, int]) -> EffectorUnits:
    """(type, east m, north m, count) of the site."""
    text = ""
    for type_id, east, north, count in rows:
        lat, lon, _ = enu_to_geodetic([east, north, 0.0], *SITE, 0.0)
        text += (f"[[effector]]\ntype = '{type_id}'\nnation = 'DNK'\nlat = {float(lat)}\n"
                 f"lon = {float(lon)}\ncount = {count}\n")  # fmt: skip
    return EffectorUnits.from_laydown(parse_laydown(text, catalogue), t=0.0)


def threats(*rows: tuple[int, float, float, float, float, int, float]) -> ThreatPicture:
    """(track id, east m, north m, height m, speed m/s towards the site, kind, P(drone))."""
    states, tts = [], []
    rot = ecef_to_enu_rotation(*SITE)
    for _, east, north, up, speed, _, _ in rows:
        lat, lon, _ = enu_to_geodetic([east, north, 0.0], *SITE, 0.0)
        pos = geodetic_to_ecef(float(lat), float(lon), up)
        dist = float(np.hypot(east, north))
        vel_enu = np.array([-east, -north, 0.0]) / dist * speed
        states.append(np.concatenate([pos, rot.T @ vel_enu]))
        tts.append(dist / speed)
    probs = [[0.0, p, 1 - p, 0.0] for *_, p in rows]
    n = len(rows)
    return ThreatPicture.of(
        [r[0] for r in rows], states, probs, [r[5] for r in rows], ["ekxx"] * n,
        ["airport"] * n, tts,
    )  # fmt: skip


def pairs(recs: list) -> set[tuple[str, int]]:
    return {(r.type_id, r.track_id) for r in recs}


QUAD_ROW = (1, 3000.0, 0.0, 100.0, 15.0, QUAD, 0.95)
OWA_ROW = (2, 0.0, 6000.0, 200.0, 50.0, OWA, 0.95)
THREE = (
    ("interceptor-drone-sting", 500.0, 0.0, 1),
    ("skynex-35-ahead", 0.0, 300.0, 1),
    ("rf-jammer-vehicle", 200.0, 200.0, 1),
)


def test_interceptor_takes_the_quadcopter_and_the_gun_the_one_way_attack_drone(
    catalogue: EffectorCatalogue,
) -> None:
    recs = recommend(0.0, threats(QUAD_ROW, OWA_ROW), units(catalogue, *THREE), catalogue,
                     roe(ROE_AIRPORT), FIXED)  # fmt: skip
    assert pairs(recs) == {("interceptor-drone-sting", 1), ("skynex-35-ahead", 2)}
    by_track = {r.track_id: r for r in recs}
    gun = by_track[2]
    assert gun.pk == pytest.approx(0.7)
    assert gun.cost_eur == 3700.0
    assert 0 < gun.time_to_intercept_s <= gun.latest_intercept_s <= 120.0
    assert gun.approver == "commander"
    assert "ekxx" in gun.why and "P_k 0.70" in gun.why
    # the jammer is cheaper and could not be used on either: the reasons say why
    assert "rf-jammer-vehicle: cannot defeat a one way attack" in gun.why
    assert "rf-jammer-vehicle: the rules of engagement forbid it" in by_track[1].why
    assert "airport EKXX" in by_track[1].why
    # the intercept point is on the drone's path, between it and the site, at its height
    # (within the flat frame's drop of the Earth's surface: d²/2R, 1.6 m at 4.5 km)
    assert abs(gun.lon - SITE[1]) < 1e-3 and SITE[0] < gun.lat < SITE[0] + 0.06
    assert gun.alt_m == pytest.approx(200.0, abs=3.0)


def test_a_jammer_is_never_recommended_against_a_one_way_attack_drone(
    catalogue: EffectorCatalogue,
) -> None:
    jammers = units(catalogue, ("rf-jammer-vehicle", 200.0, 200.0, 3))
    owa_near = (2, 0.0, 1500.0, 200.0, 50.0, OWA, 0.99)
    assert recommend(0.0, threats(owa_near), jammers, catalogue, roe(), FIXED) == []
    quad_near = (1, 1500.0, 0.0, 100.0, 15.0, QUAD, 0.99)
    recs = recommend(0.0, threats(owa_near, quad_near), jammers, catalogue, roe(), FIXED)
    assert recs and all(r.track_id == 1 for r in recs)


def test_without_the_no_jam_zone_the_jammer_takes_the_quadcopter(
    catalogue: EffectorCatalogue,
) -> None:
    recs = recommend(0.0, threats(QUAD_ROW, OWA_ROW), units(catalogue, *THREE), catalogue,
                     roe(ROE_FREE), FIXED)  # fmt: skip
    # jammer (P_k 0.8, 5 EUR) on the quadcopter; the interceptor drone is kept in reserve
    # for a second shot after the look (there is room: the quadcopter is 200 s out)
    assert pairs(recs) == {("rf-jammer-vehicle", 1), ("skynex-35-ahead", 2)}
    jam = next(r for r in recs if r.track_id == 1)
    assert jam.approver == "commander"
    assert jam.reserve_unit_id == "0.0" and "reserve" in jam.why


def test_an_infeasible_intercept_is_never_recommended(catalogue: EffectorCatalogue) -> None:
    # the OWA is 60 s from the site: the interceptor drone needs 120 s to launch
    owa = (2, 0.0, 3000.0, 200.0, 50.0, OWA, 0.99)
    stings = units(catalogue, ("interceptor-drone-sting", 0.0, 0.0, 4))
    assert recommend(0.0, threats(owa), stings, catalogue, roe(), FIXED) == []
    # a gun 30 km away cannot reach either
    far_gun = units(catalogue, ("skynex-35-ahead", 30000.0, 0.0, 2))
    assert recommend(0.0, threats(owa, QUAD_ROW), far_gun, catalogue, roe(), FIXED) == []
    # the same gun at the site can
    near_gun = units(catalogue, ("skynex-35-ahead", 0.0, 0.0, 1))
    assert pairs(recommend(0.0, threats(owa), near_gun, catalogue, roe(), FIXED)) == {
        ("skynex-35-ahead", 2)
    }


def test_positive_identification_threshold_is_required(catalogue: EffectorCatalogue) -> None:
    unsure = (2, 0.0, 6000.0, 200.0, 50.0, OWA, 0.5)  # below the 0.6 weapons-free bar
    gun = units(catalogue, ("skynex-35-ahead", 0.0, 300.0, 1))
    assert recommend(0.0, threats(unsure), gun, catalogue, roe(), FIXED) == []


def test_magazines_and_units_are_respected(catalogue: EffectorCatalogue) -> None:
    gun = units(catalogue, ("skynex-35-ahead", 0.0, 0.0, 2))
    drones = [(k, 3000.0 * np.cos(k), 3000.0 * np.sin(k), 200.0, 50.0, OWA, 0.95)
              for k in range(1, 6)]  # fmt: skip
    recs = recommend(0.0, threats(*drones), gun, catalogue, roe(), FIXED)
    assert len(recs) == 2 and len({r.unit_id for r in recs}) == 2
    empty = EffectorUnits(**{**{f: getattr(gun, f) for f in gun.__slots__},
                             "shots_left": np.array([0, 1])})  # fmt: skip
    recs = recommend(0.0, threats(*drones), empty, catalogue, roe(), FIXED)
    assert [r.unit_id for r in recs] == ["0.1"]
    # spending the last shot starts a reload: the unit waits reload_s before its next cue
    spent = empty.spend("0.1", 5.0, 20.0, catalogue)
    assert spent.shots_left[1] == 10 and spent.ready_at[1] == 5.0 + 900.0


def test_shoot_look_shoot_keeps_a_reserve_rather_than_salvoing(
    catalogue: EffectorCatalogue,
) -> None:
    far_quad = (1, 6000.0, 0.0, 100.0, 15.0, QUAD, 0.99)  # 400 s out: room for a look
    stings = units(catalogue, ("interceptor-drone-sting", 0.0, 0.0, 3))
    recs = recommend(0.0, threats(far_quad), stings, catalogue, roe(), FIXED)
    assert len(recs) == 1 and recs[0].reserve_unit_id
    salvo = recommend(0.0, threats(far_quad), stings, catalogue, roe(),
                      RecommendConfig(iterations=30, shoot_look_shoot=False))  # fmt: skip
    assert len(salvo) == 3  # without the look, a 3-shot salvo is worth its cost
    # no room: a quadcopter 150 s out cannot be engaged twice by interceptor drones
    near_quad = (1, 2250.0, 0.0, 100.0, 15.0, QUAD, 0.99)
    recs = recommend(0.0, threats(near_quad), stings, catalogue, roe(), FIXED)
    assert len(recs) == 3 and not any(r.reserve_unit_id for r in recs)


def test_cost_weight_and_tracks_under_a_task(catalogue: EffectorCatalogue) -> None:
    picture = threats(QUAD_ROW, OWA_ROW)
    three = units(catalogue, *THREE)
    assert {r.track_id for r in recommend(0.0, picture, three, catalogue, roe(ROE_AIRPORT),
                                          FIXED, engaged_tracks={2})} == {1}  # fmt: skip
    # a huge cost weight: nothing is worth a shot
    dear = RecommendConfig(iterations=30, cost_weight=1e4)
    assert recommend(0.0, picture, three, catalogue, roe(ROE_AIRPORT), dear) == []
    result = plan(0.0, picture, three, catalogue, roe(ROE_AIRPORT), FIXED)
    expected = 0.95 * 3e6 * (0.4 + 0.7) - 2300.0 - 3700.0
    assert result.net_value_eur == pytest.approx(expected)


def test_units_freed_by_the_look_go_to_another_target(catalogue: EffectorCatalogue) -> None:
    far_quad = (1, 6000.0, 0.0, 100.0, 15.0, QUAD, 0.99)  # room for a look
    near_quad = (2, -2250.0, 0.0, 100.0, 15.0, QUAD, 0.99)  # no room
    stings = units(catalogue, ("interceptor-drone-sting", 0.0, 0.0, 4))
    result = plan(0.0, threats(far_quad, near_quad), stings, catalogue, roe(), FIXED)
    by_track: dict[int, list] = {1: [], 2: []}
    for r in result.recommendations:
        by_track[r.track_id].append(r)
    # optimum without the look: 2 and 2; the far one keeps 1 shot and 1 in reserve, and the
    # unit freed goes to the near one
    assert len(by_track[1]) == 1 and by_track[1][0].reserve_unit_id
    assert len(by_track[2]) == 2 and not any(r.reserve_unit_id for r in by_track[2])
    used = [r.unit_id for r in result.recommendations] + [by_track[1][0].reserve_unit_id]
    assert sorted(used) == ["0.0", "0.1", "0.2", "0.3"]


def test_the_search_path_agrees_on_the_hand_made_case(catalogue: EffectorCatalogue) -> None:
    searched = RecommendConfig(iterations=200, exact_limit=0)
    recs = recommend(0.0, threats(QUAD_ROW, OWA_ROW), units(catalogue, *THREE), catalogue,
                     roe(ROE_AIRPORT), searched)  # fmt: skip
    assert pairs(recs) == {("interceptor-drone-sting", 1), ("skynex-35-ahead", 2)}


def test_empty_pictures_and_units_out_of_action(catalogue: EffectorCatalogue) -> None:
    three = units(catalogue, *THREE)
    nobody = ThreatPicture.of([], np.zeros((0, 6)), np.zeros((0, 4)), [], [], [], [])
    assert recommend(0.0, nobody, three, catalogue, roe(), FIXED) == []
    fields = {f: getattr(three, f) for f in three.__slots__}
    none = EffectorUnits(**{f: v[:0] for f, v in fields.items()})
    assert recommend(0.0, threats(QUAD_ROW), none, catalogue, roe(), FIXED) == []
    held = EffectorUnits(**{**fields, "ready_at": np.full(3, np.inf)})
    assert recommend(0.0, threats(QUAD_ROW), held, catalogue, roe(), FIXED) == []
    # busy until after the quadcopter reaches the site (200 s): nothing; until 30 s: the
    # jammer still gets there (its reach starts at 45 s, the quadcopter enters at 54 s)
    late = EffectorUnits(**{**fields, "ready_at": np.full(3, 500.0)})
    assert recommend(0.0, threats(QUAD_ROW), late, catalogue, roe(), FIXED) == []
    soon = EffectorUnits(**{**fields, "ready_at": np.full(3, 30.0)})
    recs = recommend(0.0, threats(QUAD_ROW), soon, catalogue, roe(), FIXED)
    assert [r.type_id for r in recs] == ["rf-jammer-vehicle"]
    # no site threatened: no value, no shot
    lost = ThreatPicture.of([1], threats(QUAD_ROW).state, [[0, 1, 0, 0]], [QUAD], [""], [""],
                            [np.nan])  # fmt: skip
    assert recommend(0.0, lost, three, catalogue, roe(), FIXED) == []
