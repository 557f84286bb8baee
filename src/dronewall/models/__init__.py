"""Models shared by simulation and tracking: motion (NCV, coordinated turn) and measurement
(position fix, radar range/azimuth/elevation, bearing with optional elevation)."""

from dronewall.models.measurement import (
    angle_difference_deg,
    bearing_jacobian,
    bearing_measure,
    diagonal_covariance,
    position_covariance_ecef,
    radar_jacobian,
    radar_measure,
    radar_to_ecef,
)
from dronewall.models.motion import (
    constant_velocity_noise,
    constant_velocity_propagate,
    constant_velocity_transition,
    coordinated_turn_jacobian,
    coordinated_turn_propagate,
)

__all__ = [
    "angle_difference_deg",
    "bearing_jacobian",
    "bearing_measure",
    "constant_velocity_noise",
    "constant_velocity_propagate",
    "constant_velocity_transition",
    "coordinated_turn_jacobian",
    "coordinated_turn_propagate",
    "diagonal_covariance",
    "position_covariance_ecef",
    "radar_jacobian",
    "radar_measure",
    "radar_to_ecef",
]
