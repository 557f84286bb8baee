"""Prove a plan in the simulator: a planning laydown flown against a raid, many seeds, scored
for detection and tracking (by the real tracker, ``dronewall.tracking``) before the drones get
deep inside, and warning at each target.
Layer 3: uses ``sim``, ``planning`` and ``tracking``."""

from dronewall.evaluate.bridge import check_sim_models, sim_params, with_laydown
from dronewall.evaluate.prove import REAL_TRACKER, ProveResult, RunScore, prove
from dronewall.evaluate.real_tracker import ASSOCIATION_DISTANCE_M, RealTracker, sensor_geometry
from dronewall.evaluate.tracking import (
    ReportsInWindowStandIn,
    RunReports,
    Tracker,
    first_confirmation_by_object,
    first_report_by_object,
    reports_in_window_stand_in,
)

__all__ = [
    "ASSOCIATION_DISTANCE_M",
    "REAL_TRACKER",
    "ProveResult",
    "RealTracker",
    "ReportsInWindowStandIn",
    "RunReports",
    "RunScore",
    "Tracker",
    "check_sim_models",
    "first_confirmation_by_object",
    "first_report_by_object",
    "prove",
    "reports_in_window_stand_in",
    "sensor_geometry",
    "sim_params",
    "with_laydown",
]
