"""Physics sanity of the simulated sensors, checked on the reports they write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.models.measurement import angle_difference_deg, bearing_measure
from dronewall.models.propagation import horizon_distance_m, radar_detection_probability
from dronewall.records import read_reports, read_sensors


def _sensor_rows(run: Path, sensor_id: str) -> tuple[np.ndarray, int]:
    reports = read_reports(run / "reports.parquet")
    sensors = read_sensors(run / "sensors.parquet").to_pydict()
    index = sensors["sensor_id"].index(sensor_id)
    return np.flatnonzero(reports.sensor_index == index), index


def test_horizon_of_a_10m_mast_for_a_100m_target_is_about_54km() -> None:
    total = horizon_distance_m(10.0) + horizon_distance_m(100.0)
    assert 53_500 < total < 55_000


def test_radar_sees_a_100m_target_to_the_horizon_and_not_beyond(physics_run: Path) -> None:
    rows, _ = _sensor_rows(physics_run, "horizon-radar")
    ranges = read_reports(physics_run / "reports.parquet").range_m[rows]
    truth = pq.read_table(physics_run / "truth.parquet").to_pydict()
    flown = geodetic_to_ecef(truth["lat_deg"][-1], truth["lon_deg"][-1], 0.0) - geodetic_to_ecef(
        52.1657, 20.9671, 0.0
    )
    assert np.linalg.norm(flown) > 70_000  # the drone flew well past the horizon
    assert rows.size > 400  # seen on nearly every 2 s scan out to the horizon
    assert 53_000 < ranges.max() < 54_600  # 54.25 km plus a few range sigmas, never beyond


def test_detection_probability_falls_with_range(physics_run: Path) -> None:
    rows, _ = _sensor_rows(physics_run, "pd-radar")
    ranges = read_reports(physics_run / "reports.parquet").range_m[rows]
    speed = 170 / 3.6  # scans per 5 km bin = 5000 / speed at one scan a second
    scans_per_bin = 5000 / speed
    seen = np.histogram(ranges, bins=[2_000, 7_000, 12_000, 17_000, 22_000])[0] / scans_per_bin
    assert seen[0] > 0.9
    assert np.all(np.diff(seen) < 0.05)  # non-increasing, allowing sampling noise
    assert seen[0] - seen[-1] > 0.7
    expected_mid = radar_detection_probability(0.1, 14_500, 15_000, 0.1, 1e-6)
    assert abs(seen[2] - expected_mid) < 0.2


def test_bearing_error_matches_declared_sigma(physics_run: Path) -> None:
    rows, index = _sensor_rows(physics_run, "df")
    reports = read_reports(physics_run / "reports.parquet")
    truth = pq.read_table(physics_run / "truth.parquet").to_pydict()
    t_truth = np.array([t.timestamp() for t in truth["t"]])
    t = reports.t_measured[rows]
    lat = np.interp(t, t_truth, truth["lat_deg"])
    lon = np.interp(t, t_truth, truth["lon_deg"])
    alt = np.interp(t, t_truth, truth["alt_m"])
    sensors = read_sensors(physics_run / "sensors.parquet").to_pydict()
    s_lat, s_lon, s_alt = (
        sensors["lat_deg"][index],
        sensors["lon_deg"][index],
        sensors["alt_m"][index],
    )
    n = rows.size
    sensor_ecef = np.repeat(geodetic_to_ecef(s_lat, s_lon, s_alt)[None], n, axis=0)
    true_az = bearing_measure(
        geodetic_to_ecef(lat, lon, alt), sensor_ecef, np.full(n, s_lat), np.full(n, s_lon)
    )[:, 0]
    error = angle_difference_deg(reports.azimuth_deg[rows], true_az)
    declared = reports.sigma_azimuth_deg[rows][0]
    assert n > 300
    assert abs(np.mean(error)) < 0.5
    assert 0.9 * declared < np.std(error) < 1.1 * declared
    assert np.all(np.isnan(reports.elevation_deg[rows]))  # an RF DF measures no elevation
