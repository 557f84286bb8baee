"""runtime/release.py: one recipient's cut of each kind of data, memberships, and the track
label memory alerts are judged by."""

from __future__ import annotations

import numpy as np

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import UNKNOWN_MASK, Recipient, SecurityLabel
from dronewall.core.tracks import ClassBatch, SensorGeometry, TrackBatch
from dronewall.runtime.release import Release, TrackLabels, with_memberships

LABELS = (SecurityLabel.make("POL", "SECRET"), SecurityLabel.make("DEU", "RESTRICTED", ["EU"]))


def _sensors(labels: tuple[SecurityLabel, ...] = LABELS) -> SensorGeometry:
    n = len(labels)
    lat, lon, alt = np.full(n, 54.0), np.full(n, 12.0), np.zeros(n)
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    return SensorGeometry(
        [f"s{i}" for i in range(n)], np.ones(n, np.uint8), lat, lon, alt, ecef,
        np.full(n, 1e4), labels=labels,
    )  # fmt: skip


def test_memberships_come_from_the_nation() -> None:
    assert with_memberships(Recipient.make("FRA")).communities == {"NATO", "EU"}
    assert with_memberships(Recipient.make("AUT")).communities == {"EU"}
    swiss = Recipient.make("CHE")
    assert with_memberships(swiss) is swiss


def test_tracks_and_classes_are_cut_by_their_tracks_labels() -> None:
    sensors = _sensors()
    french = Release(Recipient.make("FRA", "SECRET"), lambda: sensors)  # EU member
    assert not french.everything
    empty = TrackBatch.empty()
    tracks = TrackBatch(
        **{
            **{name: getattr(empty, name) for name in TrackBatch.column_names()},
            "track_id": np.array([7, 8, 9], np.int64),
            "t": np.zeros(3),
            "status": np.ones(3, np.uint8),
            "state": np.zeros((3, 6)),
            "covariance": np.zeros((3, 6, 6)),
            "t_last_update": np.zeros(3),
            "n_updates": np.ones(3, np.int64),
            "sensor_kinds": np.zeros(3, np.uint16),
            "identity": np.full(3, "", object),
            "t_first": np.zeros(3),
            "kind_updates": np.zeros((3, 7), np.int32),
            "class_evidence": np.zeros((3, 4)),
            "rf_stations": np.zeros(3, np.uint8),
            "label_mask": np.array([0b01, 0b10, 0b11], np.int64),
        }
    )
    assert french.tracks(tracks).track_id.tolist() == [8]
    labels = TrackLabels()
    labels.note(tracks.track_id, tracks.label_mask)
    classes = ClassBatch(
        track_id=np.array([9, 8, 7, 6], np.int64),
        t=np.zeros(4),
        probabilities=np.tile([0.1, 0.7, 0.1, 0.1], (4, 1)),
        label=np.ones(4, np.uint8),
        drone_kind=np.zeros(4, np.uint8),
        drone_kind_probability=np.zeros(4),
        friendly=np.zeros(4, bool),
        reasons=["a", "b", "c", "d"],
    )
    cut = french.classes(classes, labels)
    assert cut.track_id.tolist() == [8] and cut.reasons == ["b"]  # 6: never seen, withheld
    polish = Release(Recipient.make("POL", "SECRET"), lambda: sensors)  # EU: both labels
    assert polish.everything and polish.classes(classes, labels) is classes


def test_a_growing_table_keeps_bits_and_is_followed() -> None:
    current = [_sensors()]
    release = Release(Recipient.make("LTU", "SECRET"), lambda: current[0])  # EU member
    assert release.rows([0b10]).tolist() == [True]
    current[0] = _sensors((*LABELS, SecurityLabel.make("LTU", "SECRET")))  # a sensor joins
    assert release.rows([0b10, 0b100, 0b001]).tolist() == [True, True, False]


def test_track_labels_forget_the_oldest_past_their_limit() -> None:
    labels = TrackLabels(limit=3)
    labels.note(np.arange(5, dtype=np.int64), np.arange(5, dtype=np.int64) + 1)
    assert labels.mask_of(4) == 5 and labels.mask_of(0) == UNKNOWN_MASK
    assert labels.mask_of(None) == 0  # an event naming no track
