"""WGS-84 geodesy against published reference values and an independent implementation.

Oracles, none of them our own output:

* WGS-84 defining constants (NIMA TR8350.2): a = 6 378 137 m, b = 6 356 752.314245 m, so the
  equator, the poles and the 90° E meridian have exact ECEF coordinates.
* The worked example of pymap3d's test suite (``pymap3d/tests/test_geodetic.py``, values
  checked there against MATLAB's Mapping Toolbox): (42° N, 82° W, 200 m) →
  (660 675.2518247, −4 700 948.68316, 4 245 737.66222) m.
* Vincenty's inverse-problem example as published by Geoscience Australia (GDA94 Technical
  Manual, "Vincenty's inverse formulae"): Flinders Peak → Buninyong, 54 972.271 m, forward
  azimuth 306°52′05.37″, reverse azimuth 127°10′25.07″. The manual uses GRS80, whose flattening
  differs from WGS-84's by 1.5e-12 relative; that moves a 55 km line by far less than 1 mm.
* The WGS-84 meridian quadrant, 10 001 965.729 m, and the equatorial quadrant a·π/2.
* pymap3d (test-only dependency) for ENU conversions at random points.
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.core import geodesy

WGS84_A = 6_378_137.0
WGS84_B = 6_356_752.314245  # TR8350.2 Table 3.3, semi-minor axis
MERIDIAN_QUADRANT_M = 10_001_965.729  # pole to equator along a meridian, WGS-84

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)

latitudes = st.floats(-90.0, 90.0, allow_nan=False)
longitudes = st.floats(-180.0, 180.0, allow_nan=False)
# Airspace we track. PROJ's ECEF → geodetic inverse is Bowring's one-step formula, whose height
# error grows roughly as h²: about 1 µm at 10 km and 20 µm at 40 km (measured), so the 1 µm round
# trip holds up to 10 km and the stratosphere gets its own, looser bound.
heights = st.floats(-500.0, 10_000.0, allow_nan=False)
high_heights = st.floats(10_000.0, 50_000.0, allow_nan=False)


def _dms(degrees: int, minutes: int, seconds: float) -> float:
    return degrees + minutes / 60.0 + seconds / 3600.0


def _wrap180(angle_deg: float | np.ndarray) -> float | np.ndarray:
    """Independent angle wrap into [-180, 180) for comparing longitudes and azimuths."""
    return (np.asarray(angle_deg) + 180.0) % 360.0 - 180.0


# --- geodetic → ECEF: published values --------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "height", "expected"),
    [
        pytest.param(0.0, 0.0, 0.0, (WGS84_A, 0.0, 0.0), id="equator-greenwich"),
        pytest.param(0.0, 90.0, 0.0, (0.0, WGS84_A, 0.0), id="equator-90E"),
        pytest.param(0.0, -90.0, 0.0, (0.0, -WGS84_A, 0.0), id="equator-90W"),
        pytest.param(0.0, 180.0, 0.0, (-WGS84_A, 0.0, 0.0), id="equator-antimeridian"),
        pytest.param(90.0, 0.0, 0.0, (0.0, 0.0, WGS84_B), id="north-pole"),
        pytest.param(-90.0, 0.0, 0.0, (0.0, 0.0, -WGS84_B), id="south-pole"),
        pytest.param(0.0, 0.0, 1000.0, (WGS84_A + 1000.0, 0.0, 0.0), id="equator-1km-up"),
        pytest.param(90.0, 0.0, -100.0, (0.0, 0.0, WGS84_B - 100.0), id="north-pole-below"),
        # pymap3d tests/test_geodetic.py (lla0, xyz0).
        pytest.param(
            42.0, -82.0, 200.0, (660_675.2518247, -4_700_948.68316, 4_245_737.66222), id="pymap3d"
        ),
    ],
)
def test_geodetic_to_ecef_published_values(
    lat: float, lon: float, height: float, expected: tuple[float, float, float]
) -> None:
    ecef = geodesy.geodetic_to_ecef(lat, lon, height)
    assert ecef.shape == (3,)
    np.testing.assert_allclose(ecef, expected, rtol=0, atol=1e-5)


def test_ecef_to_geodetic_published_value() -> None:
    lat, lon, h = geodesy.ecef_to_geodetic([660_675.2518247, -4_700_948.68316, 4_245_737.66222])
    assert float(lat) == pytest.approx(42.0, abs=1e-9)
    assert float(lon) == pytest.approx(-82.0, abs=1e-9)
    assert float(h) == pytest.approx(200.0, abs=1e-5)


def test_ecef_to_geodetic_poles_and_equator() -> None:
    points = np.array([[WGS84_A, 0, 0], [0, 0, WGS84_B], [0, 0, -WGS84_B - 50.0], [0, -WGS84_A, 0]])
    lat, lon, h = geodesy.ecef_to_geodetic(points)
    np.testing.assert_allclose(lat, [0.0, 90.0, -90.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(h, [0.0, 0.0, 50.0, 0.0], atol=1e-6)
    assert lon[0] == pytest.approx(0.0, abs=1e-12)
    assert lon[3] == pytest.approx(-90.0, abs=1e-12)


def test_constants_match_wgs84_definition() -> None:
    assert geodesy.WGS84_A == WGS84_A
    assert abs(geodesy.WGS84_B - WGS84_B) < 1e-6


# --- round trips ----------------------------------------------------------------------------


@SETTINGS
@given(lat=latitudes, lon=longitudes, height=heights)
def test_geodetic_ecef_round_trip(lat: float, lon: float, height: float) -> None:
    lat2, lon2, h2 = geodesy.ecef_to_geodetic(geodesy.geodetic_to_ecef(lat, lon, height))
    assert float(lat2) == pytest.approx(lat, abs=1e-9)
    assert float(h2) == pytest.approx(height, abs=1e-6)
    if abs(lat) < 90.0 - 1e-6:  # longitude is undefined at the poles
        assert abs(float(_wrap180(float(lon2) - lon))) < 1e-9


@SETTINGS
@given(lat=latitudes, lon=longitudes, height=high_heights)
def test_geodetic_ecef_round_trip_high_altitude(lat: float, lon: float, height: float) -> None:
    lat2, _, h2 = geodesy.ecef_to_geodetic(geodesy.geodetic_to_ecef(lat, lon, height))
    assert float(lat2) == pytest.approx(lat, abs=1e-9)
    assert float(h2) == pytest.approx(height, abs=5e-5)


def test_geodetic_to_ecef_is_vectorised_row_by_row() -> None:
    rng = np.random.default_rng(1)
    lat = rng.uniform(-90, 90, 50)
    lon = rng.uniform(-180, 180, 50)
    h = rng.uniform(-100, 10_000, 50)
    batch = geodesy.geodetic_to_ecef(lat, lon, h)
    assert batch.shape == (50, 3)
    expected = np.array(pymap3d.geodetic2ecef(lat, lon, h)).T
    np.testing.assert_allclose(batch, expected, rtol=0, atol=1e-6)
    lat2, lon2, h2 = geodesy.ecef_to_geodetic(batch)
    assert lat2.shape == lon2.shape == h2.shape == (50,)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)
    np.testing.assert_allclose(h2, h, atol=1e-6)


# --- ENU ------------------------------------------------------------------------------------


def _random_local_points(seed: int, n: int, spread_deg: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref_lat = rng.uniform(-85, 85, n)
    ref_lon = rng.uniform(-180, 180, n)
    ref_h = rng.uniform(-100, 3000, n)
    lat = np.clip(ref_lat + rng.uniform(-spread_deg, spread_deg, n), -89.9, 89.9)
    lon = ref_lon + rng.uniform(-spread_deg, spread_deg, n)
    h = rng.uniform(-100, 20_000, n)
    return {"lat": lat, "lon": lon, "h": h, "ref_lat": ref_lat, "ref_lon": ref_lon, "ref_h": ref_h}


@pytest.mark.parametrize("spread_deg", [0.05, 1.0, 20.0])
def test_geodetic_to_enu_matches_pymap3d(spread_deg: float) -> None:
    p = _random_local_points(seed=7, n=40, spread_deg=spread_deg)
    for i in range(40):
        ours = geodesy.geodetic_to_enu(
            p["lat"][i], p["lon"][i], p["h"][i], p["ref_lat"][i], p["ref_lon"][i], p["ref_h"][i]
        )
        oracle = pymap3d.geodetic2enu(
            p["lat"][i], p["lon"][i], p["h"][i], p["ref_lat"][i], p["ref_lon"][i], p["ref_h"][i]
        )
        np.testing.assert_allclose(ours, oracle, rtol=0, atol=1e-6)


def test_ecef_to_enu_per_row_reference_matches_pymap3d() -> None:
    p = _random_local_points(seed=11, n=60, spread_deg=2.0)
    ecef = np.array(pymap3d.geodetic2ecef(p["lat"], p["lon"], p["h"])).T
    ref_ecef = np.array(pymap3d.geodetic2ecef(p["ref_lat"], p["ref_lon"], p["ref_h"])).T
    ours = geodesy.ecef_to_enu(ecef, p["ref_lat"], p["ref_lon"], ref_ecef)
    oracle = np.array(
        pymap3d.ecef2enu(ecef[:, 0], ecef[:, 1], ecef[:, 2], p["ref_lat"], p["ref_lon"], p["ref_h"])
    ).T
    assert ours.shape == (60, 3)
    np.testing.assert_allclose(ours, oracle, rtol=0, atol=1e-6)
    back = geodesy.enu_to_ecef(ours, p["ref_lat"], p["ref_lon"], ref_ecef)
    np.testing.assert_allclose(back, ecef, rtol=0, atol=1e-6)


def test_enu_to_geodetic_matches_pymap3d() -> None:
    rng = np.random.default_rng(5)
    for _ in range(30):
        ref = (rng.uniform(-80, 80), rng.uniform(-180, 180), rng.uniform(0, 500))
        enu = rng.uniform(-50_000, 50_000, 3) * np.array([1, 1, 0.2])
        lat, lon, h = geodesy.enu_to_geodetic(enu, *ref)
        olat, olon, oh = pymap3d.enu2geodetic(*enu, *ref)
        assert float(lat) == pytest.approx(olat, abs=1e-9)
        assert abs(float(_wrap180(float(lon) - olon))) < 1e-9
        assert float(h) == pytest.approx(oh, abs=1e-5)


def test_enu_axes_point_east_north_up() -> None:
    """A point 1 km up the ellipsoid normal is (0, 0, 1000); on the equator east is +y in ECEF."""
    ref = (0.0, 0.0, 0.0)
    enu = geodesy.geodetic_to_enu(0.0, 0.0, 1000.0, *ref)
    np.testing.assert_allclose(enu, [0, 0, 1000], atol=1e-6)
    ref_ecef = geodesy.geodetic_to_ecef(*ref)
    east = geodesy.ecef_to_enu(ref_ecef + np.array([0.0, 10.0, 0.0]), 0.0, 0.0, ref_ecef)
    north = geodesy.ecef_to_enu(ref_ecef + np.array([0.0, 0.0, 10.0]), 0.0, 0.0, ref_ecef)
    np.testing.assert_allclose(east, [10, 0, 0], atol=1e-9)
    np.testing.assert_allclose(north, [0, 10, 0], atol=1e-9)


@SETTINGS
@given(lat=st.floats(-90, 90), lon=longitudes)
def test_ecef_to_enu_rotation_is_proper_orthonormal(lat: float, lon: float) -> None:
    rotation = geodesy.ecef_to_enu_rotation(lat, lon)
    assert rotation.shape == (3, 3)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0, abs=1e-12)
    assert rotation[0, 2] == 0.0  # east is horizontal in every frame
    np.testing.assert_allclose(rotation[2], geodesy.up_vector(lat, lon), atol=1e-15)


def test_ecef_to_enu_rotation_is_vectorised() -> None:
    lat = np.array([[0.0, 45.0], [-30.0, 89.0]])
    lon = np.array([[0.0, 10.0], [-120.0, 179.0]])
    batch = geodesy.ecef_to_enu_rotation(lat, lon)
    assert batch.shape == (2, 2, 3, 3)
    for i in range(2):
        for j in range(2):
            np.testing.assert_array_equal(
                batch[i, j], geodesy.ecef_to_enu_rotation(lat[i, j], lon[i, j])
            )


@pytest.mark.parametrize(("lat", "lon"), [(0.0, 0.0), (52.2, 21.0), (-33.9, 151.2), (89.0, -45.0)])
def test_up_vector_is_ellipsoid_normal(lat: float, lon: float) -> None:
    """The derivative of position with respect to height is the unit normal."""
    step = 10.0
    delta = geodesy.geodetic_to_ecef(lat, lon, step) - geodesy.geodetic_to_ecef(lat, lon, 0.0)
    np.testing.assert_allclose(geodesy.up_vector(lat, lon), delta / step, atol=1e-9)


# --- geodesics ------------------------------------------------------------------------------

FLINDERS_PEAK = (-_dms(37, 57, 3.72030), _dms(144, 25, 29.52440))
BUNINYONG = (-_dms(37, 39, 10.15610), _dms(143, 55, 35.38390))
ARCSEC = 1.0 / 3600.0


def test_vincenty_published_example() -> None:
    distance = geodesy.surface_distance_m(*FLINDERS_PEAK, *BUNINYONG)
    assert float(distance) == pytest.approx(54_972.271, abs=1e-3)
    forward = geodesy.initial_bearing_deg(*FLINDERS_PEAK, *BUNINYONG)
    assert float(forward) == pytest.approx(_dms(306, 52, 5.37), abs=0.01 * ARCSEC)
    reverse = geodesy.initial_bearing_deg(*BUNINYONG, *FLINDERS_PEAK)
    assert float(reverse) == pytest.approx(_dms(127, 10, 25.07), abs=0.01 * ARCSEC)
    lat, lon = geodesy.destination(*FLINDERS_PEAK, _dms(306, 52, 5.37), 54_972.271)
    assert float(lat) == pytest.approx(BUNINYONG[0], abs=1e-7)
    assert float(lon) == pytest.approx(BUNINYONG[1], abs=1e-7)


def test_quadrants() -> None:
    equator = geodesy.surface_distance_m(0.0, 0.0, 0.0, 90.0)
    assert float(equator) == pytest.approx(WGS84_A * math.pi / 2, abs=1e-3)
    meridian = geodesy.surface_distance_m(0.0, 10.0, 90.0, 10.0)
    assert float(meridian) == pytest.approx(MERIDIAN_QUADRANT_M, abs=1e-3)


@pytest.mark.parametrize(
    ("lat2", "lon2", "bearing"),
    [(1.0, 0.0, 0.0), (0.0, 1.0, 90.0), (-1.0, 0.0, 180.0), (0.0, -1.0, 270.0)],
)
def test_initial_bearing_cardinal(lat2: float, lon2: float, bearing: float) -> None:
    assert float(geodesy.initial_bearing_deg(0.0, 0.0, lat2, lon2)) == pytest.approx(
        bearing, abs=1e-9
    )


def test_geodesic_functions_broadcast() -> None:
    lat2 = np.array([1.0, 0.0, -1.0, 0.0])
    lon2 = np.array([0.0, 1.0, 0.0, -1.0])
    distance = geodesy.surface_distance_m(0.0, 0.0, lat2, lon2)
    bearing = geodesy.initial_bearing_deg(0.0, 0.0, lat2, lon2)
    assert distance.shape == bearing.shape == (4,)
    assert np.all((bearing >= 0.0) & (bearing < 360.0))
    lat, lon = geodesy.destination(0.0, 0.0, bearing, distance)
    np.testing.assert_allclose(lat, lat2, atol=1e-9)
    np.testing.assert_allclose(lon, lon2, atol=1e-9)


@SETTINGS
@given(
    lat=st.floats(-80.0, 80.0),
    lon=longitudes,
    azimuth=st.floats(0.0, 360.0, exclude_max=True),
    distance=st.floats(1.0, 2_000_000.0),
)
def test_destination_bearing_distance_consistent(
    lat: float, lon: float, azimuth: float, distance: float
) -> None:
    lat2, lon2 = geodesy.destination(lat, lon, azimuth, distance)
    assert float(geodesy.surface_distance_m(lat, lon, lat2, lon2)) == pytest.approx(
        distance, rel=1e-9, abs=1e-6
    )
    bearing = float(geodesy.initial_bearing_deg(lat, lon, lat2, lon2))
    assert 0.0 <= bearing < 360.0
    assert abs(float(_wrap180(bearing - azimuth))) < 1e-6


# --- the closed forms against PROJ over a global grid ------------------------------------------


def _global_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes every 0.25° with the poles and points just off them, longitudes every 2°,
    heights from 1 km below the ellipsoid to 100 km above it."""
    lat = np.r_[np.linspace(-90.0, 90.0, 721), 89.9999999, -89.9999999]
    lon = np.linspace(-180.0, 180.0, 181)
    h = np.array([-1000.0, -100.0, 0.0, 1.0, 500.0, 3000.0, 10_000.0, 40_000.0, 100_000.0])
    grid = np.meshgrid(lat, lon, h, indexing="ij")
    return grid[0].ravel(), grid[1].ravel(), grid[2].ravel()


def test_geodetic_to_ecef_equals_proj_over_the_globe() -> None:
    from pyproj import Transformer

    lat, lon, h = _global_grid()
    x, y, z = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True).transform(lon, lat, h)
    ours = geodesy.geodetic_to_ecef(lat, lon, h)
    np.testing.assert_allclose(ours, np.stack([x, y, z], axis=-1), rtol=0, atol=1e-6)


def test_ecef_to_geodetic_against_proj_over_the_globe() -> None:
    """Ours inverts our forward to float64 rounding at every height; PROJ's one-step Bowring
    agrees to 1 µm up to 10 km and drifts as h² above (0.1 mm at 100 km), so above 10 km the
    comparison with PROJ is only as tight as PROJ is."""
    from pyproj import Transformer

    lat, lon, h = _global_grid()
    ecef = geodesy.geodetic_to_ecef(lat, lon, h)
    lat2, lon2, h2 = geodesy.ecef_to_geodetic(ecef)
    np.testing.assert_allclose(geodesy.geodetic_to_ecef(lat2, lon2, h2), ecef, rtol=0, atol=1e-6)
    np.testing.assert_allclose(lat2, lat, rtol=0, atol=1e-11)
    np.testing.assert_allclose(h2, h, rtol=0, atol=1e-6)
    off_axis = np.abs(lat) < 89.999
    assert np.abs(_wrap180(lon2 - lon))[off_axis].max() < 1e-11
    _, p_lat, p_h = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True).transform(
        ecef[:, 0], ecef[:, 1], ecef[:, 2]
    )
    low = h <= 10_000.0
    np.testing.assert_allclose(lat2[low], p_lat[low], rtol=0, atol=1e-10)
    np.testing.assert_allclose(h2[low], p_h[low], rtol=0, atol=1.5e-6)
    np.testing.assert_allclose(h2, p_h, rtol=0, atol=2e-4)  # PROJ's drift at 100 km


def test_geodesy_imports_no_pyproj_until_a_geodesic_is_asked_for() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from dronewall.core import geodesy\n"
        "geodesy.ecef_to_geodetic(geodesy.geodetic_to_ecef(52.0, 21.0, 100.0))\n"
        "before = 'pyproj' in sys.modules\n"
        "geodesy.surface_distance_m(52.0, 21.0, 52.1, 21.0)\n"
        "print(before, 'pyproj' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
