"""Picture frames for the CoT tests: a few tracks of each class, built row by row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.store import PictureFrame

T0 = 1_796_688_000.0  # 2026-12-08T00:00:00Z


@dataclass(frozen=True, slots=True)
class Row:
    track_id: int
    label: int = int(ObjectClass.DRONE)
    kind: int = int(ObjectKind.QUADCOPTER)
    affiliation: str = "S"
    lat: float = 52.2297
    lon: float = 21.0122
    alt: float = 180.0
    speed: float = 12.5
    course: float = 270.0
    sigma: float = 15.0
    p: float = 0.93
    identity: str = ""
    alert_id: int = 0
    site: str = ""
    tts: float = float("nan")
    class_reasons: str = "small, slow, hovering"
    threat_reasons: str = ""


def frame_of(rows: list[Row], t: float = T0) -> PictureFrame:
    n = len(rows)
    probs = np.zeros((n, 4))
    for i, r in enumerate(rows):
        probs[i, :] = (1.0 - r.p) / 3.0
        if 0 <= r.label < 4:
            probs[i, r.label] = r.p
    return PictureFrame(
        t=t,
        track_id=np.array([r.track_id for r in rows], np.int64),
        lat_deg=np.array([r.lat for r in rows], float),
        lon_deg=np.array([r.lon for r in rows], float),
        alt_m=np.array([r.alt for r in rows], float),
        speed_mps=np.array([r.speed for r in rows], float),
        course_deg=np.array([r.course for r in rows], float),
        climb_mps=np.zeros(n),
        sigma_m=np.array([r.sigma for r in rows], float),
        label=np.array([r.label for r in rows], np.uint8),
        probabilities=probs,
        drone_kind=np.array([r.kind for r in rows], np.uint8),
        affiliation=np.array([r.affiliation for r in rows], dtype="<U1"),
        priority=np.zeros(n),
        site_id=np.array([r.site for r in rows], dtype=np.str_),
        time_to_site_s=np.array([r.tts for r in rows], float),
        identity=np.array([r.identity for r in rows], dtype=object).astype(np.str_),
        sensor_kinds=np.zeros(n, np.uint16),
        alert_id=np.array([r.alert_id for r in rows], np.int64),
        class_reasons=[r.class_reasons for r in rows],
        threat_reasons=[r.threat_reasons for r in rows],
    )


def mixed_frame(t: float = T0) -> PictureFrame:
    """A hostile quadcopter on alert, a suspect loitering munition, a civil airliner with its
    ICAO address, an unknown track and a bird."""
    return frame_of(
        [
            Row(7, affiliation="H", alert_id=3, site="Airport EPWA", tts=95.0),
            Row(8, kind=int(ObjectKind.ONE_WAY_ATTACK), speed=50.0, course=45.0),
            Row(
                9,
                label=int(ObjectClass.AIRCRAFT),
                kind=0,
                affiliation="N",
                alt=3000.0,
                speed=120.0,
                identity="48AE21",
            ),
            Row(10, label=int(ObjectClass.UNKNOWN), kind=0, affiliation="U", p=0.4),
            Row(11, label=int(ObjectClass.BIRD), kind=0, affiliation="N"),
        ],
        t,
    )
