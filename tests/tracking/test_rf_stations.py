"""Which RF detectors heard a track: the store's slots and the tracker's count per snapshot."""

from __future__ import annotations

import numpy as np

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.tracking import Tracker, TrackerConfig
from dronewall.tracking.motion import ModelSet
from dronewall.tracking.store import RF_STATION_SLOTS, TrackStore

T0 = 1.76e9
LAT, LON, ALT = 52.20, 21.00, 150.0  # the emitter hovers here
STATIONS = {"rf-south": (52.18, 21.00), "rf-west": (52.20, 20.97), "rf-east": (52.20, 21.03)}


def _sensors() -> SensorGeometry:
    lat = np.array([p[0] for p in STATIONS.values()])
    lon = np.array([p[1] for p in STATIONS.values()])
    alt = np.full(lat.size, 110.0)
    return SensorGeometry(
        sensor_id=list(STATIONS),
        kind=np.full(lat.size, int(SensorKind.RF), np.uint8),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=alt,
        ecef=geodetic_to_ecef(lat, lon, alt).reshape(-1, 3),
        max_range_m=np.full(lat.size, 40_000.0),
    )


def _bearings(t: float, stations: list[int]) -> ReportBatch:
    """Noise-free bearings (σ 3°) from ``stations`` to the emitter at time ``t``."""
    b = ReportBatch.allocate(len(stations))
    sensors = _sensors()
    for k, s in enumerate(stations):
        d_north = (LAT - sensors.lat_deg[s]) * 111_200.0
        d_east = (LON - sensors.lon_deg[s]) * 111_200.0 * np.cos(np.radians(LAT))
        b.azimuth_deg[k] = np.degrees(np.arctan2(d_east, d_north)) % 360.0
    b.sensor_index[:] = stations
    b.sensor_kind[:] = int(SensorKind.RF)
    b.measurement[:] = int(MeasurementKind.BEARING)
    b.t_measured[:] = t
    b.t_arrival[:] = t + 0.5
    b.sigma_azimuth_deg[:] = 3.0
    b.report_id[:] = np.arange(len(stations)) + int(t - T0) * 10
    return b


def _run(schedule: list[list[int]]) -> list[int]:
    """Feed one second of bearings per entry (the stations heard that second); the largest
    ``rf_stations`` among the confirmed tracks after each second."""
    tracker = Tracker(_sensors(), TrackerConfig(reorder_window_s=0.0))
    out = []
    for k, stations in enumerate(schedule):
        t = T0 + k
        if stations:
            tracker.process(_bearings(t, stations))
        tracks = tracker.tracks(t)
        out.append(int(tracks.rf_stations.max()) if len(tracks) else 0)
    return out


def test_a_track_heard_by_two_stations_records_both() -> None:
    counts = _run([[0, 1]] * 20)
    assert counts[-1] == 2


def test_stations_no_longer_heard_age_out_of_the_window() -> None:
    """Two stations for 20 s, then only the first: the second still counts for the window
    (60 s) after its last bearing, then no more."""
    window = TrackerConfig().rf_station_window_s
    quiet = int(window) + 10
    counts = _run([[0, 1]] * 20 + [[0]] * quiet)
    assert counts[19] == 2
    assert counts[19 + int(window) - 5] == 2
    assert counts[-1] == 1


def test_the_store_keeps_the_most_recently_heard_stations() -> None:
    store = TrackStore(ModelSet.from_config(TrackerConfig()), rf_station_window_s=60.0)
    store.add(np.zeros((1, 6)), np.eye(6)[None], np.array([0.0]))
    row = np.array([0])
    for k in range(RF_STATION_SLOTS + 1):  # one more station than there are slots
        store.hear_rf(row, np.array([k]), np.array([float(k)]))
    store.hear_rf(row, np.array([2]), np.array([10.0]))  # heard again: refreshed, not doubled
    assert sorted(store.rf_station[0].tolist()) == [1, 2, 3, 4]
    assert store.rf_stations(row, np.array([10.0]))[0] == RF_STATION_SLOTS
    assert store.rf_stations(row, np.array([65.0]))[0] == 1  # only station 2 (t = 10) is recent


def test_a_track_from_bearings_alone_carries_its_height_as_unknown() -> None:
    """Azimuths only: the track's vertical σ stays wide (not a default height read as
    truth), and its speed is not inflated by an unobservable climb."""
    tracker = Tracker(_sensors(), TrackerConfig(reorder_window_s=0.0))
    for k in range(20):
        tracker.process(_bearings(T0 + k, [0, 1, 2]))
    tracks = tracker.tracks(T0 + 19)
    assert len(tracks) == 1
    from dronewall.core.geodesy import ecef_to_enu_rotation

    rot = ecef_to_enu_rotation(np.array([LAT]), np.array([LON])).reshape(3, 3)
    cov = rot @ tracks.covariance[0, :3, :3] @ rot.T
    assert np.sqrt(cov[2, 2]) > 500.0  # height unknown
    assert np.sqrt(cov[0, 0]) < 300.0  # while the bearings fix it horizontally
    assert np.linalg.norm(tracks.state[0, 3:]) < 15.0  # the emitter hovers
