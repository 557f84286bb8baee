"""The releasability property (issue 15): no recipient ever receives a report, track, track
attribute or alert it is not cleared for — and a recipient cleared for everything receives
everything.

Random multi-nation laydowns (several nations' sensors with random labels), random objects
seen by random subsets of the sensors, random clutter and late reports, run through the real
tracker; random recipients. What each recipient receives (``runtime/release.Release``: frames,
track batches, reports, alert events) is checked against the tracker's own association record
— every (track, report) pair the tracker's late-reports part is told of when a report starts
or updates a track, in order or re-filtered — with ``core.release.cleared_all`` (the
recipient's nation a member of the communities it belongs to, ``with_memberships``),
independently of the label mask the release uses.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewall.assess import AlertEvent, AlertState, EventKind
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import CLASSIFICATIONS, Recipient, SecurityLabel, cleared_all
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.runtime.release import Release, TrackLabels, with_memberships
from dronewall.store import PictureFrame
from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.retrodiction import Refiltering
from dronewall.tracking.tracker import Tracker

NATIONS = ("DEU", "POL", "DNK", "FRA", "LTU")
REL = (*NATIONS, "NATO", "EU")
T0 = 1_700_000_000.0
LAT0, LON0 = 54.0, 12.0
EXAMPLES = 60
COUNTS: dict[str, int] = defaultdict(int)  # what the examples exercised, printed at the end


class Recording(Refiltering):
    """The default late-reports part, also writing down every (track id, sensor) pair the
    tracker reports an association through — the independent record of what made a track."""

    def __init__(self) -> None:
        super().__init__()
        self.made_by: dict[int, set[int]] = defaultdict(set)

    def record(self, tracker, track_rows, batch, rows) -> None:  # type: ignore[no-untyped-def]
        ids = tracker.store.track_id[track_rows]
        for tid, sensor in zip(ids.tolist(), batch.sensor_index[rows].tolist(), strict=True):
            self.made_by[int(tid)].add(int(sensor))
        super().record(tracker, track_rows, batch, rows)

    def handle(self, tracker, batch):  # type: ignore[no-untyped-def]
        back = super().handle(tracker, batch)
        COUNTS["late reports re-filtered"] += len(batch) - len(back)
        return back


labels_st = st.builds(
    SecurityLabel.make,
    st.sampled_from(NATIONS),
    st.sampled_from(CLASSIFICATIONS),
    st.lists(st.sampled_from(REL), max_size=3),
)
recipients_st = st.builds(
    Recipient.make,
    st.sampled_from(NATIONS),
    st.sampled_from(CLASSIFICATIONS),
    st.lists(st.sampled_from(("NATO", "EU")), max_size=2),
)


def _sensors(labels: list[SecurityLabel]) -> SensorGeometry:
    n = len(labels)
    lat, lon, alt = np.full(n, LAT0), np.full(n, LON0), np.zeros(n)
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    return SensorGeometry(
        [f"s{i}" for i in range(n)],
        np.full(n, int(SensorKind.REMOTE_ID), np.uint8),
        lat, lon, alt, ecef, np.full(n, np.inf),
        labels=tuple(labels),
    )  # fmt: skip


def _reports(data: st.DataObject, n_sensors: int, seconds: int) -> list[ReportBatch]:
    """One batch per second: each object seen by a random subset of the sensors, clutter,
    and some reports arriving late (measured up to 3 s before their batch)."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    n_obj = data.draw(st.integers(1, 4), label="objects")
    start = rng.uniform(-3000, 3000, (n_obj, 2))
    vel = rng.uniform(-30, 30, (n_obj, 2))
    # Each object has the sensors that can see it (often one only: a track one nation makes).
    seen_by = [
        rng.choice(n_sensors, size=rng.integers(1, n_sensors + 1), replace=False)
        for _ in range(n_obj)
    ]
    clutter = data.draw(st.floats(0.0, 1.5), label="clutter per second")
    late = data.draw(st.floats(0.0, 0.3), label="late fraction")
    out: list[ReportBatch] = []
    for k in range(seconds):
        rows: list[tuple[int, float, float, float]] = []  # sensor, east, north, t
        for o in range(n_obj):
            for s in seen_by[o]:
                if rng.random() < 0.8:
                    t = T0 + k + rng.uniform(0, 0.9)
                    e, nn = start[o] + vel[o] * (t - T0) + rng.normal(0, 10, 2)
                    rows.append((int(s), e, nn, t))
        for _ in range(rng.poisson(clutter)):
            e, nn = rng.uniform(-8000, 8000, 2)
            rows.append((int(rng.integers(n_sensors)), e, nn, T0 + k + rng.uniform(0, 0.9)))
        rows = [
            (s, e, nn, t - (rng.uniform(1, 6) if rng.random() < late else 0))
            for s, e, nn, t in rows
        ]
        b = ReportBatch.allocate(len(rows))
        if rows:
            s, e, nn, t = (np.array(c) for c in zip(*rows, strict=True))
            b.report_id[:] = np.arange(len(rows)) + 10_000 * k
            b.sensor_index[:] = s
            b.sensor_kind[:] = int(SensorKind.REMOTE_ID)
            b.measurement[:] = int(MeasurementKind.POSITION)
            b.t_measured[:] = t
            b.t_arrival[:] = T0 + k + 1.0
            b.lat_deg[:] = LAT0 + nn / 111_320.0
            b.lon_deg[:] = LON0 + e / (111_320.0 * np.cos(np.radians(LAT0)))
            b.alt_m[:] = 100.0
            b.sigma_horizontal_m[:] = 10.0
            b.sigma_vertical_m[:] = 10.0
        out.append(b)
    return out


def _check(
    recipient: Recipient,
    labels: list[SecurityLabel],
    frame: PictureFrame,
    made_by: dict[int, set[int]],
    sensors: SensorGeometry,
) -> None:
    release = Release(recipient, lambda: sensors)
    got = release.frame(frame)
    delivered = set(got.track_id.tolist())
    for tid in frame.track_id.tolist():
        contributors = made_by[int(tid)]
        assert contributors, f"track {tid} has no recorded report"
        ok = cleared_all(with_memberships(recipient), [labels[s] for s in contributors])
        # never a track with a withheld contributor; never a cleared track withheld
        assert (tid in delivered) == ok, (tid, contributors, recipient)
        COUNTS["tracks delivered" if ok else "tracks withheld"] += 1
    # Every attribute of a delivered row is that track's own row (nothing of a withheld one).
    idx = {int(t): i for i, t in enumerate(frame.track_id.tolist())}
    for j, tid in enumerate(got.track_id.tolist()):
        i = idx[int(tid)]
        assert got.lat_deg[j] == frame.lat_deg[i] and got.identity[j] == frame.identity[i]
        assert got.class_reasons[j] == frame.class_reasons[i]
    # Alerts (derived from their track) follow the track.
    events = [
        AlertEvent(EventKind.RAISED, frame.t, 1000 + int(t), int(t), "site", 50.0,
                   AlertState.NEW, "")
        for t in frame.track_id.tolist()
    ]  # fmt: skip
    track_labels = TrackLabels()
    track_labels.note_frame(frame)
    kept = release.events(events, track_labels)
    assert {e.track_id for e in kept} == delivered


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    labels=st.lists(labels_st, min_size=2, max_size=6),
    recipients=st.lists(recipients_st, min_size=1, max_size=4),
    data=st.data(),
)
def test_no_recipient_receives_what_it_is_not_cleared_for(
    labels: list[SecurityLabel], recipients: list[Recipient], data: st.DataObject
) -> None:
    COUNTS["examples"] += 1
    sensors = _sensors(labels)
    late = Recording()
    live = data.draw(st.booleans(), label="live release (watermark)")
    tracker = Tracker(sensors, TrackerConfig(hold_back=not live), late=late)
    everyone = Recipient.make("DEU", "TOP SECRET", ["NATO", "EU"])
    for k, batch in enumerate(_reports(data, len(labels), seconds=30)):
        tracker.process(batch)
        COUNTS["reports"] += len(batch)
        for recipient in recipients:
            got = Release(recipient, lambda: sensors).reports(batch)
            member = with_memberships(recipient)  # a NATO nation receives "REL TO NATO"
            for s in got.sensor_index.tolist():
                assert cleared_all(member, [labels[s]])
            withheld = len(batch) - len(got)
            assert withheld == sum(
                not cleared_all(member, [labels[s]]) for s in batch.sensor_index.tolist()
            )
        t = T0 + k
        for confirmed in (True, False):
            tracks = tracker.tracks(t, confirmed_only=confirmed)
            frame = PictureFrame.build(t, tracks, None, None, None)
            for recipient in recipients:
                _check(recipient, labels, frame, late.made_by, sensors)
                got = Release(recipient, lambda: sensors).tracks(tracks)
                assert len(got) == len(Release(recipient, lambda: sensors).frame(frame))
            # A recipient cleared for every label of the table gets every row.
            if all(cleared_all(everyone, [x]) for x in labels):
                assert len(Release(everyone, lambda: sensors).frame(frame)) == len(frame)
    tracker.flush()
    COUNTS["tracks made"] += len(late.made_by)


def test_a_recipient_cleared_for_everything_receives_everything() -> None:
    labels = [SecurityLabel.make(n, "SECRET", ["NATO"]) for n in ("DEU", "POL", "DNK")]
    sensors = _sensors(labels)
    tracker = Tracker(sensors)
    data = _FixedData(seed=7)
    for k, batch in enumerate(_reports(data, 3, seconds=20)):  # type: ignore[arg-type]
        tracker.process(batch)
        frame = PictureFrame.build(T0 + k, tracker.tracks(T0 + k), None, None, None)
        allied = Recipient.make("FRA", "SECRET", ["NATO"])
        release = Release(allied, lambda: sensors)
        assert release.everything
        assert release.frame(frame) is frame  # nothing cut, not even copied
        assert len(release.reports(batch)) == len(batch)
    assert len(frame) > 0  # the check above ran on real tracks


def test_derived_data_of_a_withheld_sensor_is_withheld() -> None:
    """Object A seen only by a SECRET Polish sensor, B by it and a shared German sensor, C by
    the German one alone. A German recipient receives C only: A's position, class, threat and
    alert nowhere, and B neither — a position once supported by withheld data keeps that
    history. A Polish recipient (NATO) receives all three."""
    labels = [
        SecurityLabel.make("POL", "SECRET"),  # releasable to nobody else
        SecurityLabel.make("DEU", "UNCLASSIFIED", ["NATO"]),
    ]
    sensors = _sensors(labels)
    late = Recording()
    tracker = Tracker(sensors, late=late)
    for k in range(20):
        b = ReportBatch.allocate(4)
        b.sensor_index[:] = [0, 0, 1, 1]
        b.sensor_kind[:] = int(SensorKind.REMOTE_ID)
        b.measurement[:] = int(MeasurementKind.POSITION)
        b.t_measured[:] = T0 + k + np.array([0.1, 0.2, 0.3, 0.4])
        b.t_arrival[:] = T0 + k + 0.5
        b.report_id[:] = np.arange(4) + 10 * k
        north = np.array([0.0, 5000.0, 5000.0, 10_000.0]) + 10.0 * k
        b.lat_deg[:] = LAT0 + north / 111_320.0
        b.lon_deg[:] = LON0
        b.alt_m[:] = 100.0
        b.sigma_horizontal_m[:] = 10.0
        b.sigma_vertical_m[:] = 10.0
        tracker.process(b)
    tracker.flush()
    frame = PictureFrame.build(T0 + 19, tracker.tracks(T0 + 19), None, None, None)
    assert len(frame) == 3
    a, b_, c = (int(frame.track_id[i]) for i in np.argsort(frame.lat_deg))
    assert late.made_by[a] == {0} and late.made_by[b_] == {0, 1} and late.made_by[c] == {1}
    german = Release(Recipient.make("DEU", "SECRET", ["NATO"]), lambda: sensors)
    polish = Release(Recipient.make("POL", "SECRET", ["NATO"]), lambda: sensors)
    assert german.frame(frame).track_id.tolist() == [c]
    assert sorted(polish.frame(frame).track_id.tolist()) == sorted([a, b_, c])
    seen = TrackLabels()
    seen.note_frame(frame)
    alerts = [
        AlertEvent(EventKind.RAISED, T0 + 19, i + 1, tid, "site", 90.0, AlertState.NEW, "")
        for i, tid in enumerate((a, b_, c))
    ]
    assert [e.track_id for e in german.events(alerts, seen)] == [c]
    assert german.track_ids([a, b_, c], seen).tolist() == [False, False, True]
    # An alert on a track never seen (provenance unknown) goes to no one not cleared for
    # every label.
    unknown = AlertEvent(EventKind.RAISED, T0, 9, 999_999, "site", 90.0, AlertState.NEW, "")
    assert german.events([unknown], seen) == []
    assert polish.everything and polish.events([unknown], seen) == [unknown]


class _FixedData:
    """Draws for ``_reports`` outside hypothesis: fixed choices."""

    def __init__(self, seed: int):
        self._values = iter([seed, 3, 0.5, 0.2])

    def draw(self, strategy: object, label: str = "") -> object:
        return next(self._values)


def teardown_module() -> None:
    print("\nreleasability property:", dict(COUNTS))
