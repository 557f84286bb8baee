"""The air picture after tracking: identify every track, assess its threat to protected zones,
raise and manage alerts — one step per output instant, the same in a live or offline run."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from dronewall.assess import (
    AlertEvent,
    AlertManager,
    ProtectedZones,
    ThreatAssessor,
    ThreatBatch,
)
from dronewall.core.tracks import ClassBatch, TrackBatch
from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.identify import Classifier
from dronewall.records.parquet import time_array


@dataclass(frozen=True, slots=True)
class PictureStep:
    t: float
    tracks: TrackBatch
    classes: ClassBatch
    threats: ThreatBatch
    events: list[AlertEvent]


class Picture:
    """Identify → assess → alert over a stream of track snapshots."""

    def __init__(
        self,
        zones: ProtectedZones,
        classifier: Classifier | None = None,
        alerts: AlertManager | None = None,
    ):
        self.classifier = classifier or Classifier()
        self.assessor = ThreatAssessor(zones)
        self.alerts = alerts or AlertManager()

    def step(self, tracks: TrackBatch, t: float | None = None) -> PictureStep:
        """One instant; ``t`` defaults to the tracks' time (give it when there are none)."""
        if t is None:
            t = float(tracks.t[0]) if len(tracks) else 0.0
        classes = self.classifier.classify(tracks)
        threats = self.assessor.assess(tracks, classes)
        events = self.alerts.update(t, classes, threats)
        return PictureStep(t, tracks, classes, threats, events)

    def run(self, snapshots: Iterable[TrackBatch]) -> Iterator[PictureStep]:
        for tracks in snapshots:
            if len(tracks):
                yield self.step(tracks)


def class_table(c: ClassBatch) -> pa.Table:
    return pa.table(
        {
            "t": time_array(c.t),
            "track_id": c.track_id,
            "p_unknown": c.probabilities[:, 0],
            "p_drone": c.probabilities[:, 1],
            "p_bird": c.probabilities[:, 2],
            "p_aircraft": c.probabilities[:, 3],
            "label": pa.array([ObjectClass(int(v)).name for v in c.label], pa.string()),
            "drone_kind": pa.array(
                [ObjectKind(int(v)).name if v else "" for v in c.drone_kind], pa.string()
            ),
            "p_drone_kind": c.drone_kind_probability,
            "friendly": c.friendly,
            "reasons": pa.array(c.reasons, pa.string()),
        }
    )


def threat_table(th: ThreatBatch) -> pa.Table:
    return pa.table(
        {
            "t": time_array(th.t),
            "track_id": th.track_id,
            "site_id": pa.array(th.site_id.tolist(), pa.string()),
            "range_m": th.range_m,
            "cpa_m": th.cpa_m,
            "t_cpa_s": th.t_cpa_s,
            "time_to_site_s": th.time_to_site_s,
            "inside": th.inside,
            "priority": th.priority,
            "reasons": pa.array(th.reasons, pa.string()),
        }
    )


def event_table(events: list[AlertEvent]) -> pa.Table:
    return pa.table(
        {
            "t": time_array(np.array([e.t for e in events], float)),
            "kind": pa.array([str(e.kind.value) for e in events], pa.string()),
            "alert_id": pa.array([e.alert_id for e in events], pa.int64()),
            "track_id": pa.array([e.track_id for e in events], pa.int64()),
            "site_id": pa.array([e.site_id for e in events], pa.string()),
            "priority": pa.array([e.priority for e in events], pa.float64()),
            "state": pa.array([e.state.value if e.state else None for e in events], pa.string()),
            "message": pa.array([e.message for e in events], pa.string()),
        }
    )
