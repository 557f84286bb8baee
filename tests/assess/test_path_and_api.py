"""Predicted paths for the map, and the package's public names."""

from __future__ import annotations

import numpy as np
import pytest

import dronewall.assess
from dronewall.assess import predict_path
from dronewall.core.geodesy import surface_distance_m
from tests.assess.conftest import Fly, tracks


def test_predicted_path_keeps_speed_course_and_climb() -> None:
    batch = tracks([Fly(1, 0.0, 0.0, up_m=200.0, v_north=50.0, v_up=2.0, sigma_m=30.0)])
    path = predict_path(batch, horizon_s=600.0, step_s=60.0)
    assert path.dt_s.tolist() == [60.0 * k for k in range(11)]
    assert path.lat_deg.shape == (1, 11)
    travelled = surface_distance_m(
        path.lat_deg[0, 0], path.lon_deg[0, 0], path.lat_deg[0], path.lon_deg[0]
    )
    assert travelled == pytest.approx(50.0 * path.dt_s, abs=0.5)
    assert np.allclose(path.lon_deg[0], 20.0)  # due north along the meridian
    climbed = path.alt_m[0, -1] - path.alt_m[0, 0]  # alt_m: above the ellipsoid
    assert climbed == pytest.approx(2.0 * 600.0, abs=0.5)
    assert path.sigma_m[0, 0] == pytest.approx(30.0)
    assert path.sigma_m[0, -1] == pytest.approx(np.sqrt(30.0**2 + 600.0**3 / 3.0))
    assert (np.diff(path.sigma_m[0]) > 0).all()


def test_predict_path_rejects_a_bad_step() -> None:
    with pytest.raises(ValueError, match="step_s must be positive"):
        predict_path(tracks([Fly(1, 0.0, 0.0)]), horizon_s=60.0, step_s=0.0)


def test_exported_members() -> None:
    for name in dronewall.assess.__all__:
        assert hasattr(dronewall.assess, name), name
    assert {
        "ThreatAssessor",
        "ThreatBatch",
        "AlertManager",
        "AlertEvent",
        "protected_zones",
        "load_geofences",
        "predict_path",
    } <= set(dronewall.assess.__all__)
