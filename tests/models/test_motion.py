"""Motion models against closed forms (Bar-Shalom, Li and Kirubarajan §6.3.2 and §11.7.1),
geometric facts about circles, and finite differences.

The turn tests work in real tangent planes: the up, east and north unit vectors at a geodetic
point come from pymap3d (test-only oracle), not from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.models import motion

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)

# Places whose tangent planes the turn tests use: equator, Warsaw, Sydney, near the pole.
PLACES = [(0.0, 0.0), (52.23, 21.01), (-33.87, 151.21), (88.0, -120.0)]


def _local_axes(lat: float, lon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF unit vectors (east, north, up) at a geodetic point, from pymap3d."""
    axes = [np.array(pymap3d.enu2uvw(*enu, lat, lon)) for enu in np.eye(3)]
    return axes[0], axes[1], axes[2]


def _position(lat: float, lon: float, height: float = 500.0) -> np.ndarray:
    return np.array(pymap3d.geodetic2ecef(lat, lon, height))


# --- nearly constant velocity ---------------------------------------------------------------


def _ncv_closed_form(dt: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """F and Q per axis, expanded to [p(3), v(3)] ordering with a Kronecker product."""
    transition = np.kron(np.array([[1.0, dt], [0.0, 1.0]]), np.eye(3))
    noise = q * np.kron(np.array([[dt**3 / 3, dt**2 / 2], [dt**2 / 2, dt]]), np.eye(3))
    return transition, noise


@pytest.mark.parametrize("dt", [0.0, 0.1, 1.0, 4.5])
@pytest.mark.parametrize("q", [0.0, 0.5, 20.0])
def test_ncv_matches_closed_form_scalar(dt: float, q: float) -> None:
    transition, noise = _ncv_closed_form(dt, q)
    np.testing.assert_allclose(motion.constant_velocity_transition(dt), transition, rtol=1e-15)
    ours = motion.constant_velocity_noise(dt, q)
    assert ours.shape == (6, 6)
    np.testing.assert_allclose(ours, noise, rtol=1e-14, atol=0)


def test_ncv_matches_closed_form_per_row() -> None:
    dt = np.array([0.2, 1.0, 3.0, 7.5])
    q = np.array([1.0, 0.1, 5.0, 2.0])
    transitions = motion.constant_velocity_transition(dt)
    noises = motion.constant_velocity_noise(dt, q)
    assert transitions.shape == noises.shape == (4, 6, 6)
    for i in range(4):
        transition, noise = _ncv_closed_form(dt[i], q[i])
        np.testing.assert_allclose(transitions[i], transition, rtol=1e-15)
        np.testing.assert_allclose(noises[i], noise, rtol=1e-14)


def test_ncv_noise_is_integral_of_white_acceleration() -> None:
    """Q = ∫₀^dt F(s) G q Gᵀ F(s)ᵀ ds with G = [0; I], computed by Simpson's rule."""
    dt, q = 2.0, 3.0
    s = np.linspace(0.0, dt, 2001)
    gain = np.vstack([np.zeros((3, 3)), np.eye(3)])
    integrand = np.array(
        [
            motion.constant_velocity_transition(si)
            @ gain
            @ gain.T
            @ motion.constant_velocity_transition(si).T
            for si in s
        ]
    )
    weights = np.ones_like(s)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    integral = q * np.einsum("k,kij->ij", weights, integrand) * (s[1] - s[0]) / 3.0
    noise = motion.constant_velocity_noise(dt, q)
    np.testing.assert_allclose(noise, integral, rtol=1e-10, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(noise) > 0)


def test_ncv_propagate_equals_transition_times_state() -> None:
    rng = np.random.default_rng(3)
    position = rng.normal(0, 6e6, (20, 3))
    velocity = rng.normal(0, 80, (20, 3))
    dt = rng.uniform(0, 10, 20)
    new_position, new_velocity = motion.constant_velocity_propagate(position, velocity, dt)
    state = np.concatenate([position, velocity], axis=1)
    expected = np.einsum("nij,nj->ni", motion.constant_velocity_transition(dt), state)
    np.testing.assert_allclose(new_position, expected[:, :3], rtol=0, atol=1e-8)
    np.testing.assert_allclose(new_velocity, expected[:, 3:], rtol=0, atol=1e-12)
    assert new_velocity is not velocity


# --- coordinated turn -----------------------------------------------------------------------


def _turn(
    position: np.ndarray, velocity: np.ndarray, omega: float, dt: float, up: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One-row wrapper around the vectorised function."""
    p, v = motion.coordinated_turn_propagate(
        position[None], velocity[None], np.array([omega]), np.array([dt]), up[None]
    )
    return p[0], v[0]


@pytest.mark.parametrize(("lat", "lon"), PLACES)
@pytest.mark.parametrize("omega", [0.05, -0.3, 1.2])
def test_full_turn_returns_to_start(lat: float, lon: float, omega: float) -> None:
    east, north, up = _local_axes(lat, lon)
    start = _position(lat, lon)
    climb = 2.5
    velocity = 40.0 * east - 25.0 * north + climb * up
    period = 2 * math.pi / abs(omega)
    end, end_velocity = _turn(start, velocity, omega, period, up)
    np.testing.assert_allclose(end, start + climb * period * up, rtol=0, atol=1e-6)
    np.testing.assert_allclose(end_velocity, velocity, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("lat", "lon"), PLACES)
@pytest.mark.parametrize("speed", [15.0, 180.0])
def test_quarter_left_turn_from_east_ends_north_east(lat: float, lon: float, speed: float) -> None:
    """ω > 0 turns counter-clockwise seen from above: heading east, the object swings north."""
    east, north, up = _local_axes(lat, lon)
    start = _position(lat, lon)
    omega = 0.1
    end, end_velocity = _turn(start, speed * east, omega, (math.pi / 2) / omega, up)
    radius = speed / omega
    np.testing.assert_allclose(end - start, radius * east + radius * north, rtol=0, atol=1e-6)
    np.testing.assert_allclose(end_velocity, speed * north, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("lat", "lon"), PLACES)
def test_quarter_right_turn_from_north_ends_north_east(lat: float, lon: float) -> None:
    """ω < 0 turns clockwise: heading north, the object swings east."""
    east, north, up = _local_axes(lat, lon)
    start = _position(lat, lon)
    omega, speed = -0.2, 50.0
    end, end_velocity = _turn(start, speed * north, omega, (math.pi / 2) / abs(omega), up)
    radius = speed / abs(omega)
    np.testing.assert_allclose(end - start, radius * north + radius * east, rtol=0, atol=1e-6)
    np.testing.assert_allclose(end_velocity, speed * east, rtol=0, atol=1e-9)


def test_half_turn_reverses_course_and_offsets_by_diameter() -> None:
    east, north, up = _local_axes(52.23, 21.01)
    start = _position(52.23, 21.01)
    omega, speed = 0.25, 30.0
    end, end_velocity = _turn(start, speed * north, omega, math.pi / omega, up)
    # Counter-clockwise from north swings west; a half turn ends one diameter to the west.
    np.testing.assert_allclose(end - start, -2 * speed / omega * east, rtol=0, atol=1e-6)
    np.testing.assert_allclose(end_velocity, -speed * north, rtol=0, atol=1e-9)


def _random_turn_inputs(seed: int, n: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-85, 85, n)
    lon = rng.uniform(-180, 180, n)
    position = np.array(pymap3d.geodetic2ecef(lat, lon, rng.uniform(0, 3000, n))).T
    up = np.array(pymap3d.enu2uvw(0.0, 0.0, 1.0, lat, lon)).T
    velocity = rng.normal(0, 60, (n, 3))
    omega = rng.uniform(-0.5, 0.5, n)
    dt = rng.uniform(0.01, 30, n)
    return position, velocity, omega, dt, up


def test_turn_preserves_speed_and_vertical_velocity() -> None:
    position, velocity, omega, dt, up = _random_turn_inputs(seed=4, n=200)
    new_position, new_velocity = motion.coordinated_turn_propagate(
        position, velocity, omega, dt, up
    )
    assert new_position.shape == new_velocity.shape == (200, 3)
    np.testing.assert_allclose(
        np.linalg.norm(new_velocity, axis=1), np.linalg.norm(velocity, axis=1), rtol=1e-12
    )
    vz_before = np.einsum("ni,ni->n", velocity, up)
    vz_after = np.einsum("ni,ni->n", new_velocity, up)
    np.testing.assert_allclose(vz_after, vz_before, rtol=0, atol=1e-10)
    climbed = np.einsum("ni,ni->n", new_position - position, up)
    np.testing.assert_allclose(climbed, vz_before * dt, rtol=0, atol=1e-6)


def test_turn_is_row_by_row() -> None:
    position, velocity, omega, dt, up = _random_turn_inputs(seed=8, n=10)
    batch_p, batch_v = motion.coordinated_turn_propagate(position, velocity, omega, dt, up)
    for i in range(10):
        p, v = _turn(position[i], velocity[i], omega[i], dt[i], up[i])
        np.testing.assert_allclose(batch_p[i], p, rtol=0, atol=1e-9)
        np.testing.assert_allclose(batch_v[i], v, rtol=0, atol=1e-12)


def test_turn_accepts_shared_omega_or_dt() -> None:
    """Every object may have its own ω and dt — or share one, as an IMM's turn model does."""
    position, velocity, omega, dt, up = _random_turn_inputs(seed=9, n=5)
    per_row_p, per_row_v = motion.coordinated_turn_propagate(
        position, velocity, np.full(5, 0.1), dt, up
    )
    shared_p, shared_v = motion.coordinated_turn_propagate(position, velocity, 0.1, dt, up)
    np.testing.assert_allclose(shared_p, per_row_p, rtol=0, atol=1e-9)
    np.testing.assert_allclose(shared_v, per_row_v, rtol=0, atol=1e-12)
    shared_dt_p, _ = motion.coordinated_turn_propagate(position, velocity, omega, 2.0, up)
    per_row_dt_p, _ = motion.coordinated_turn_propagate(
        position, velocity, omega, np.full(5, 2.0), up
    )
    np.testing.assert_allclose(shared_dt_p, per_row_dt_p, rtol=0, atol=1e-9)
    jac_shared = motion.coordinated_turn_jacobian(velocity, 0.1, dt, up)
    jac_per_row = motion.coordinated_turn_jacobian(velocity, np.full(5, 0.1), dt, up)
    np.testing.assert_allclose(jac_shared, jac_per_row, rtol=0, atol=1e-12)


@pytest.mark.parametrize("omega", [0.0, 1e-12, -1e-12])
def test_zero_turn_rate_is_constant_velocity(omega: float) -> None:
    position, velocity, _, dt, up = _random_turn_inputs(seed=5, n=50)
    omegas = np.full(50, omega)
    turn_p, turn_v = motion.coordinated_turn_propagate(position, velocity, omegas, dt, up)
    ncv_p, ncv_v = motion.constant_velocity_propagate(position, velocity, dt)
    np.testing.assert_allclose(turn_p, ncv_p, rtol=0, atol=1e-6)
    np.testing.assert_allclose(turn_v, ncv_v, rtol=0, atol=1e-6)


@pytest.mark.parametrize("omega", [1e-3, -1e-5, 1e-7, 1.1e-9, -0.9e-9, 1e-11])
def test_turn_departs_from_constant_velocity_by_at_most_its_sagitta(omega: float) -> None:
    """A turn at rate ω leaves the straight line by at most |ω| |v| dt² / 2 (position) and
    |ω| |v| dt (velocity) — so as ω → 0 the turn tends to constant velocity, on both sides of
    the switch to the small-rate formulae."""
    position, velocity, _, dt, up = _random_turn_inputs(seed=6, n=50)
    turn_p, turn_v = motion.coordinated_turn_propagate(
        position, velocity, np.full(50, omega), dt, up
    )
    ncv_p, ncv_v = motion.constant_velocity_propagate(position, velocity, dt)
    speed = np.linalg.norm(velocity, axis=1)
    slack = 1e-6  # m and m/s of rounding in ECEF coordinates of 6e6 m
    assert np.all(np.linalg.norm(turn_p - ncv_p, axis=1) <= abs(omega) * speed * dt**2 / 2 + slack)
    assert np.all(np.linalg.norm(turn_v - ncv_v, axis=1) <= abs(omega) * speed * dt + slack)


@pytest.mark.parametrize("omega", [0.9e-9, -0.9e-9, 1.1e-9, -1.1e-9, 1e-7])
def test_small_turn_rate_keeps_the_lateral_drift(omega: float) -> None:
    """Over a long step, a tiny turn still drifts sideways by ω v dt² / 2 (to the left for ω > 0):
    the small-rate limit keeps that term rather than dropping to a straight line, and the
    closed form above the switch must not lose it to cancellation in 1 − cos ωdt."""
    east, north, up = _local_axes(52.23, 21.01)
    start = _position(52.23, 21.01)
    speed, dt = 60.0, 1000.0
    end, _ = _turn(start, speed * east, omega, dt, up)
    theta = omega * dt
    along = speed * math.sin(theta) / omega
    left = speed * 2 * math.sin(theta / 2) ** 2 / omega  # the stable form of (1 − cos θ)/ω
    np.testing.assert_allclose(end - start, along * east + left * north, rtol=0, atol=1e-6)
    assert np.sign(float((end - start) @ north)) == np.sign(omega)


def _finite_difference_jacobian(
    position: np.ndarray,
    velocity: np.ndarray,
    omega: np.ndarray,
    dt: np.ndarray,
    up: np.ndarray,
    step: float = 1.0,
) -> np.ndarray:
    n = position.shape[0]
    state = np.concatenate([position, velocity], axis=1)
    out = np.zeros((n, 6, 6))
    for k in range(6):
        delta = np.zeros(6)
        delta[k] = step
        plus = motion.coordinated_turn_propagate(
            (state + delta)[:, :3], (state + delta)[:, 3:], omega, dt, up
        )
        minus = motion.coordinated_turn_propagate(
            (state - delta)[:, :3], (state - delta)[:, 3:], omega, dt, up
        )
        out[:, :, k] = (np.concatenate(plus, axis=1) - np.concatenate(minus, axis=1)) / (2 * step)
    return out


@pytest.mark.parametrize("omega_scale", [0.5, 1e-10, 0.0])
def test_turn_jacobian_equals_finite_differences(omega_scale: float) -> None:
    position, velocity, omega, dt, up = _random_turn_inputs(seed=12, n=30)
    omega = omega * omega_scale
    analytic = motion.coordinated_turn_jacobian(velocity, omega, dt, up)
    assert analytic.shape == (30, 6, 6)
    numeric = _finite_difference_jacobian(position, velocity, omega, dt, up)
    np.testing.assert_allclose(analytic, numeric, rtol=0, atol=1e-6)


@SETTINGS
@given(
    omega=st.floats(-1.0, 1.0),
    dt=st.floats(0.0, 60.0),
    lat=st.floats(-89.0, 89.0),
    lon=st.floats(-180.0, 180.0),
)
def test_turn_jacobian_propagates_state_exactly(
    omega: float, dt: float, lat: float, lon: float
) -> None:
    """At fixed ω and up the turn is linear in the state, so J @ x equals the propagated x."""
    _, _, up = _local_axes(lat, lon)
    position = _position(lat, lon)[None]
    velocity = np.array([[30.0, -12.0, 4.0]])
    jacobian = motion.coordinated_turn_jacobian(
        velocity, np.array([omega]), np.array([dt]), up[None]
    )
    new_p, new_v = motion.coordinated_turn_propagate(
        position, velocity, np.array([omega]), np.array([dt]), up[None]
    )
    state = np.concatenate([position, velocity], axis=1)[0]
    np.testing.assert_allclose(
        jacobian[0] @ state, np.concatenate([new_p[0], new_v[0]]), rtol=0, atol=1e-5
    )
