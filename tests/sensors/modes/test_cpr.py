"""CPR (DO-260B §A.1.7): the NL function, global and local decoding — against readsb's CPR
test vectors (wiedehopf/readsb ``cprtests.c``, from dump1090-fa), "The 1090 Megahertz Riddle"
examples, pyModeS 3 and an encode/decode round trip."""

from __future__ import annotations

import random

import pytest
from pyModeS.position import airborne_position_pair, airborne_position_with_ref, cprNL

from dronewall.sensors.modes import cpr
from tests.sensors.modes.encode import cpr_encode

Pair = tuple[float, float]

# readsb cprtests.c cprGlobalAirborneTests: even (lat, lon), odd (lat, lon), expected with the
# even frame latest, expected with the odd frame latest (to 1e-6 degrees).
READSB_GLOBAL = [
    ((80536, 9432), (61720, 9192), (51.686646, 0.700156), (51.686763, 0.701294)),
    ((80534, 9413), (61714, 9144), (51.686554, 0.698745), (51.686484, 0.697632)),
]
# readsb cprtests.c cprRelativeTests: reference, frame, odd, surface, expected.
READSB_RELATIVE = [
    ((52.00, 0.00), (80536, 9432), False, False, (51.686646, 0.700156)),
    ((52.00, 0.00), (61720, 9192), True, False, (51.686763, 0.701294)),
    ((48.70, 0.00), (80534, 9413), False, False, (51.686554, 0.698745)),
    ((54.60, 0.00), (61714, 9144), True, False, (51.686484, 0.697632)),
    ((52.00, 5.40), (80536, 9432), False, False, (51.686646, 0.700156)),
    ((52.00, -4.10), (61720, 9192), True, False, (51.686763, 0.701294)),
    ((52.00, 0.00), (105730, 9259), False, True, (52.209984, 0.176601)),
    ((52.00, 0.00), (29693, 8997), True, True, (52.209976, 0.176507)),
    ((51.46, 0.00), (105730, 9259), False, True, (52.209984, 0.176601)),
    ((52.95, 0.00), (29693, 8997), True, True, (52.209976, 0.176507)),
    ((52.00, 1.40), (105730, 9259), False, True, (52.209984, 0.176601)),
    ((52.00, -1.05), (29693, 8997), True, True, (52.209976, 0.176507)),
]


@pytest.mark.parametrize(("even", "odd", "when_even", "when_odd"), READSB_GLOBAL)
def test_global_airborne_readsb_vectors(
    even: tuple[int, int], odd: tuple[int, int], when_even: Pair, when_odd: Pair
) -> None:
    assert cpr.global_airborne(even, odd, odd_latest=False) == pytest.approx(when_even, abs=1e-6)
    assert cpr.global_airborne(even, odd, odd_latest=True) == pytest.approx(when_odd, abs=1e-6)


@pytest.mark.parametrize(("ref", "frame", "odd", "surface", "expected"), READSB_RELATIVE)
def test_local_readsb_vectors(
    ref: Pair, frame: tuple[int, int], odd: bool, surface: bool, expected: Pair
) -> None:
    fix = cpr.local(ref[0], ref[1], frame[0], frame[1], odd, surface)
    assert fix == pytest.approx(expected, abs=1e-6)


def test_book_global_and_local_examples() -> None:
    # "The 1090 Megahertz Riddle", ch. 5: 8D40621D58C382D690C8AC2863A7 (even, latest) and
    # 8D40621D58C386435CC412692AD6 (odd): 52.25720, 3.91937; local against (52.258, 3.918).
    even, odd = (93000, 51372), (74158, 50194)
    assert cpr.global_airborne(even, odd, odd_latest=False) == pytest.approx(
        (52.25720, 3.91937), abs=1e-5
    )
    assert cpr.local(52.258, 3.918, *even, odd=False, surface=False) == pytest.approx(
        (52.25720, 3.91937), abs=1e-5
    )


def test_nl_matches_pymodes_and_the_standard_edges() -> None:
    rng = random.Random(3)
    for _ in range(20_000):
        lat = rng.uniform(-90, 90)
        assert cpr.nl(lat) == cprNL(lat)
    assert cpr.nl(0.0) == 59 and cpr.nl(87.0) == 2 and cpr.nl(-87.0) == 2 and cpr.nl(87.5) == 1
    # DO-260B Table A-21: the first and last transition latitudes.
    assert cpr.nl(10.47047129) == 59 and cpr.nl(10.47047131) == 58
    assert cpr.nl(86.53536997) == 3 and cpr.nl(86.53537000) == 2


def test_zone_straddle_gives_no_global_position() -> None:
    # Two frames on either side of the NL 36/35 boundary (51.87°... 52.2°): latitudes with
    # different NL must not be combined.
    lat0 = 50.0
    while cpr.nl(lat0) == cpr.nl(lat0 + 0.01):
        lat0 += 0.01
    even = cpr_encode(lat0 - 0.004, 5.0, odd=False)
    odd = cpr_encode(lat0 + 0.02, 5.0, odd=True)
    assert cpr.global_airborne(even, odd, odd_latest=True) is None


def test_round_trip_global_and_local_and_pymodes() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        lat, lon = rng.uniform(-86, 86), rng.uniform(-180, 180)
        even, odd = cpr_encode(lat, lon, False), cpr_encode(lat, lon, True)
        got = cpr.global_airborne(even, odd, odd_latest=True)
        ref = airborne_position_pair(*even, *odd, even_is_newer=False)
        if got is None:
            assert (
                ref is None
                or cpr.nl(lat) != cpr.nl(lat + 0.01)
                or cpr.nl(lat) != cpr.nl(lat - 0.01)
            )
            continue
        assert cpr.distance_m(lat, lon, *got) < 10.0
        assert ref is not None and got == pytest.approx(ref, abs=1e-9)
        # Local decoding against a reference up to 150 NM away recovers the same position.
        ref_lat = lat + rng.uniform(-1.5, 1.5)
        ref_lon = lon + rng.uniform(-1.5, 1.5)
        local = cpr.local(ref_lat, ref_lon, *odd, odd=True, surface=False)
        assert local is not None and cpr.distance_m(lat, lon, *local) < 10.0
        assert local == pytest.approx(
            airborne_position_with_ref(1, *odd, ref_lat, ref_lon), abs=1e-9
        )


def test_surface_round_trip() -> None:
    rng = random.Random(5)
    for _ in range(1000):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        for odd in (False, True):
            frame = cpr_encode(lat, lon, odd, surface=True)
            fix = cpr.local(
                lat + rng.uniform(-0.5, 0.5), lon + rng.uniform(-0.5, 0.5), *frame, odd, True
            )
            assert fix is not None and cpr.distance_m(lat, lon, *fix) < 3.0
