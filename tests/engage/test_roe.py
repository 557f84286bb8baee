"""Rules of engagement: plain-language decisions, the demo rules, and the property that no
jammer is allowed near an airport and no kinetic fire over a built-up area."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import surface_distance_m
from dronewall.engage.effectors import EffectorCatalogue, load_effectors
from dronewall.engage.roe import RulesOfEngagement, TrackState, WeaponsControl, load_roe, parse_roe
from dronewall.world.airports import load_airports

DEMO = Path(__file__).parents[2] / "src/dronewall/engage/data/roe-demo.toml"
DRONE = [0.02, 0.95, 0.02, 0.01]
CPH_AIRPORT = (55.618, 12.656)  # EKCH
CPH_CENTRE = (55.676, 12.568)


@pytest.fixture(scope="module")
def catalogue() -> EffectorCatalogue:
    return load_effectors()


@pytest.fixture(scope="module")
def roe() -> RulesOfEngagement:
    return load_roe(DEMO)


def test_a_jammer_at_copenhagen_airport_is_refused_and_the_reason_names_it(
    roe: RulesOfEngagement, catalogue: EffectorCatalogue
) -> None:
    jammer = catalogue.get("rf-jammer-vehicle")
    decision = roe.check(jammer, (55.80, 12.40), TrackState(*CPH_AIRPORT), DRONE)
    assert not decision.allowed
    assert decision.reasons == [
        "RF effect (jamming, spoofing) is forbidden within 5 km of airport EKCH "
        "(the engagement point)"
    ]
    assert decision.approver == "operator"


def test_kinetic_fire_over_copenhagen_is_refused_but_a_jammer_there_is_allowed(
    roe: RulesOfEngagement, catalogue: EffectorCatalogue
) -> None:
    gun, jammer = catalogue.get("skynex-35-ahead"), catalogue.get("rf-jammer-vehicle")
    track = TrackState(*CPH_CENTRE)
    refused = roe.check(gun, (55.62, 12.70), track, DRONE)
    assert not refused.allowed
    assert refused.reasons == [
        "kinetic fire is forbidden in zone 'Copenhagen built-up area' (the engagement point)"
    ]
    allowed = roe.check(jammer, (55.70, 12.55), track, DRONE)
    assert allowed.allowed and "meets 0.70 under weapons tight by default" in allowed.reasons[0]


def test_positive_identification_depends_on_the_effector_kind_and_weapons_control(
    roe: RulesOfEngagement, catalogue: EffectorCatalogue
) -> None:
    gun, drone = catalogue.get("skynex-35-ahead"), catalogue.get("interceptor-drone-sting")
    inland, border = TrackState(52.0, 22.6), TrackState(52.0, 23.6)
    unsure = [0.1, 0.85, 0.05, 0.0]
    assert not roe.check(gun, (52.0, 22.5), inland, unsure).allowed  # gun needs 0.90
    assert roe.check(drone, (52.0, 22.5), inland, unsure).allowed  # interceptor 0.80
    assert roe.control_at(border.lat, border.lon)[0] is WeaponsControl.FREE
    weak = [0.3, 0.65, 0.05, 0.0]
    decision = roe.check(gun, (52.0, 23.5), border, weak)
    assert (
        decision.allowed and "weapons free in zone 'Belarusian border strip" in decision.reasons[0]
    )
    refused = roe.check(gun, (52.0, 22.5), inland, weak)
    assert refused.reasons == [
        "not positively identified: P(drone) 0.65 is below the 0.90 a gun needs under weapons tight"
    ]


def test_friendly_tracks_and_weapons_hold_are_never_engaged(catalogue: EffectorCatalogue) -> None:
    text = """
weapons_control = "free"
[pid]
default = 0.5
[[zone]]
name = "hold box"
weapons_control = "hold"
circle = { lat = 50.0, lon = 20.0, radius_m = 1000 }
"""
    rules = parse_roe(text, "r.toml")
    gun = catalogue.get("gepard-35")
    friendly = rules.check(gun, (50.1, 20.0), TrackState(50.2, 20.0, friendly=True), DRONE)
    assert friendly.reasons == ["the track is a registered friendly drone"]
    held = rules.check(gun, (50.1, 20.0), TrackState(50.0, 20.0), DRONE)
    assert held.reasons == ["weapons hold in zone 'hold box'"] and held.approver == "commander"
    assert rules.check(gun, (50.1, 20.0), TrackState(50.2, 20.0), DRONE).allowed


def test_who_may_approve(roe: RulesOfEngagement, catalogue: EffectorCatalogue) -> None:
    jammer, gun = catalogue.get("rf-jammer-vehicle"), catalogue.get("skynex-35-ahead")
    assert roe.approver(jammer) == "operator" and roe.approver(gun) == "commander"
    assert roe.may_approve(jammer, ["operator"]) and roe.may_approve(jammer, ["commander"])
    assert not roe.may_approve(gun, ["operator", "viewer"])
    assert roe.may_approve(gun, ["viewer", "commander"])
    assert not roe.may_approve(jammer, ["viewer", "planner", "admin"])


def test_a_zone_may_forbid_one_effector_kind(
    roe: RulesOfEngagement, catalogue: EffectorCatalogue
) -> None:
    fighter, gun = catalogue.get("fighter-aim-9x"), catalogue.get("skynex-35-ahead")
    in_lane = TrackState(55.56, 12.76)
    assert roe.check(fighter, (55.23, 9.26), in_lane, [0, 0.99, 0.01, 0]).reasons == [
        "a fighter is forbidden in zone 'Øresund shipping lane (no fighters below the bridge)' "
        "(the engagement point)"
    ]
    assert roe.check(gun, (55.50, 12.80), in_lane, DRONE).allowed


# --- the property: check and the (E, T) mask agree, and neither breaks the two hard rules ---

BUILT_UP = {"Copenhagen": (55.676, 12.568, 9000.0), "Warsaw": (52.230, 21.011, 12000.0)}
_airports = load_airports()
_SCHEDULED = _airports.select(_airports.with_iata())
_MARGIN = 0.995  # sphere against ellipsoid: under 0.5 % at these distances


def _near_airport(lat: float, lon: float) -> bool:
    dist = surface_distance_m(lat, lon, _SCHEDULED.lat, _SCHEDULED.lon)
    return bool((dist < 5000.0 * _MARGIN).any())


def _over_city(lat: float, lon: float) -> bool:
    return any(
        float(surface_distance_m(lat, lon, c_lat, c_lon)) < radius * _MARGIN
        for c_lat, c_lon, radius in BUILT_UP.values()
    )


_any_airport = st.integers(0, len(_SCHEDULED) - 1).map(
    lambda row: (float(_SCHEDULED.lat[row]), float(_SCHEDULED.lon[row]))
)
_centres = st.one_of(
    st.sampled_from([CPH_AIRPORT, CPH_CENTRE, (52.166, 20.967), (52.23, 21.01)]), _any_airport
)
_offsets = st.tuples(st.floats(-0.15, 0.15), st.floats(-0.25, 0.25))
_point = st.builds(lambda c, o: (c[0] + o[0], c[1] + o[1]), _centres, _offsets)


@settings(max_examples=150, deadline=None)
@given(
    types=st.lists(st.sampled_from(["rf-jammer-vehicle", "gnss-spoofer", "skynex-35-ahead",
                                    "interceptor-drone-sting", "fighter-aim-9x"]),
                   min_size=1, max_size=4),
    sites=st.lists(_point, min_size=4, max_size=4),
    tracks=st.lists(st.tuples(_point, st.floats(0.0, 1.0), st.booleans()), min_size=1,
                    max_size=5),
)  # fmt: skip
def test_rules_are_never_broken_and_the_mask_agrees_with_check(
    roe: RulesOfEngagement,
    catalogue: EffectorCatalogue,
    types: list[str],
    sites: list[tuple[float, float]],
    tracks: list[tuple[tuple[float, float], float, bool]],
) -> None:
    effectors = [catalogue.get(t) for t in types]
    site = sites[: len(effectors)]
    p_drone = np.array([p for _, p, _ in tracks])
    friendly = np.array([f for _, _, f in tracks])
    mask = roe.allowed(
        effectors, [s[0] for s in site], [s[1] for s in site],
        [pt[0] for pt, _, _ in tracks], [pt[1] for pt, _, _ in tracks], p_drone, friendly,
    )  # fmt: skip
    # engagement points per pair (as intercept gives them): halfway from the site to the track
    mid_lat = (
        np.array([s[0] for s in site])[:, None] + np.array([[pt[0] for pt, _, _ in tracks]])
    ) / 2
    mid_lon = (
        np.array([s[1] for s in site])[:, None] + np.array([[pt[1] for pt, _, _ in tracks]])
    ) / 2
    mid_mask = roe.allowed(
        effectors, [s[0] for s in site], [s[1] for s in site],
        [pt[0] for pt, _, _ in tracks], [pt[1] for pt, _, _ in tracks], p_drone, friendly,
        point_lat=mid_lat, point_lon=mid_lon,
    )  # fmt: skip
    for e, effector in enumerate(effectors):
        for t, (point, p, is_friend) in enumerate(tracks):
            probabilities = [0.0, p, 1.0 - p, 0.0]
            track = TrackState(point[0], point[1], friendly=is_friend)
            mid = (float(mid_lat[e, t]), float(mid_lon[e, t]))
            at_mid = roe.check(effector, site[e], track, probabilities, point=mid)
            assert at_mid.allowed == bool(mid_mask[e, t]), at_mid.reasons
            if not effector.kinetic and _near_airport(*mid):
                assert not at_mid.allowed
            decision = roe.check(effector, site[e], track, probabilities)
            assert decision.allowed == bool(mask[e, t]), decision.reasons
            if not effector.kinetic and (_near_airport(*site[e]) or _near_airport(*point)):
                assert not decision.allowed
            if effector.kinetic and _over_city(*point):
                assert not decision.allowed
            if decision.allowed:
                assert not is_friend and p >= 0.6


GEOJSON_ZONE = """
[pid]
default = 0.5
[[zone]]
name = "built-up (GeoJSON)"
forbid = ["kinetic"]
geojson = "{file}"
"""


def _feature_collection(*rings: list[list[float]]) -> str:
    features = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [r]}}
        for r in rings
    ]
    features.append(
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}}
    )
    return json.dumps({"type": "FeatureCollection", "features": features})  # fmt: skip


def test_a_zone_read_from_a_geojson_file_of_polygons(
    tmp_path: Path, catalogue: EffectorCatalogue
) -> None:
    square = [[12.5, 55.6], [12.7, 55.6], [12.7, 55.75], [12.5, 55.75], [12.5, 55.6]]  # lon, lat
    other = [[21.0, 52.2], [21.1, 52.2], [21.1, 52.3], [21.0, 52.2]]
    (tmp_path / "zones").mkdir()
    (tmp_path / "zones" / "built.geojson").write_text(_feature_collection(square, other))
    path = tmp_path / "roe.toml"
    path.write_text(GEOJSON_ZONE.format(file="zones/built.geojson"))
    rules = load_roe(path)
    gun = catalogue.get("skynex-35-ahead")
    over_city = rules.check(gun, (55.5, 12.6), TrackState(55.68, 12.6), DRONE)
    assert over_city.reasons == [
        "kinetic fire is forbidden in zone 'built-up (GeoJSON)' (the engagement point)"
    ]
    assert not rules.check(gun, (52.0, 21.0), TrackState(52.21, 21.01), DRONE).allowed
    assert rules.check(gun, (55.5, 12.6), TrackState(55.5, 12.6), DRONE).allowed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "zone[0].geojson: cannot read"),
        ("{not json", "is not JSON: Expecting property name"),
        ('{"type": "Point", "coordinates": [1, 2]}', "holds no Polygon or MultiPolygon"),
        ('{"type": "Polygon", "coordinates": "x"}', "not a GeoJSON geometry"),
        ("[1, 2]", "GeoJSON must be an object"),
    ],
)
def test_bad_geojson_zone_files_are_one_line_naming_the_zone(
    tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "z.geojson").write_text(content)
    path = tmp_path / "roe.toml"
    path.write_text(GEOJSON_ZONE.format(file="z.geojson"))
    with pytest.raises(ConfigError) as caught:
        load_roe(path)
    assert message in str(caught.value) and str(caught.value).startswith(f"{path}:7: ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pid]\ndefault = 1.5\n", "r.toml:2: pid.default: Input should be less than or equal"),
        ('weapons_control = "loose"\n[pid]\ndefault = 0.9\n', "r.toml:1: weapons_control: Input"),
        ("[pid]\ndefault = 0.9\n[[zone]]\nname = 'z'\nforbid = ['kinetic']\n"
         "circle = { lat = 1, lon = 1, radius_m = 5 }\npolygon = [[0, 0], [0, 1], [1, 1]]\n",
         "r.toml:3: zone[0]: a zone needs exactly one of circle, polygon or geojson"),
        ("[pid]\ndefault = 0.9\n[[zone]]\nname = 'z'\nforbid = ['lasers']\n"
         "circle = { lat = 1, lon = 1, radius_m = 5 }\n", "cannot forbid 'lasers'"),
        ("[pid]\ndefault = 0.9\n[approval]\ndefault = 'general'\n",
         "r.toml:4: approval.default: Input should be 'operator' or 'commander'"),
        ("[pid]\ndefault = 0.9\n[pid.kind]\nlaser = 0.5\n", "pid.kind.laser"),
        ("[pid]\ndefault = 0.9\n[airports]\nforbid = ['sound']\n", "cannot forbid 'sound'"),
        ("[pid]\ndefault = 0.9\n[[zone]]\nname = 'z'\nweapons_control = 'free'\n"
         "polygon = [[0, 0], [0, 1], [91, 1]]\n", "polygon vertex (91.0, 1.0)"),
    ],
)  # fmt: skip
def test_bad_rules_files_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_roe(text, "r.toml")
    assert message in str(caught.value) and "\n" not in str(caught.value)
