"""A site's picture in the terms of SAPIENT (BSI Flex 335 v2.0) for its parent fusion node:
``PictureFrame`` rows → ``UpwardTracks`` (sent as DetectionReports, ``sensors/sapient/tracks``)
and the alert manager's events → SAPIENT ``Alert`` messages (``alert.proto``).

Tracks: a picture frame holds each track in display units — latitude, longitude, height above
the WGS-84 ellipsoid, ground speed, course, climb and ``sigma_m``, the 1-σ horizontal position
error — not the tracker's ECEF state and covariance. The velocity is rebuilt in east-north-up
from speed, course and climb; the position covariance is ``diag(σ², σ², σ²)`` in ENU with
``σ = sigma_m``: the frame carries no vertical error, so the vertical error sent (``z_error``)
is the horizontal one. The class is the frame's label with its probability as confidence.

Alerts (``docs/alerts.md`` lifecycle → ``Alert.AlertStatus``): raised, escalated, re-opened or
handed to another track → ACTIVE; acknowledged or engaged → ACKNOWLEDGE; cleared (by an
operator or automatically) → CLEAR. "Airspace clear at a site" has no alert: not sent. Every
message of one dronewall alert carries the same ULID ``alert_id``; the location is its track's
in the latest frame, the associated detection is that track's ``object_id`` as sent upward.
"""

from __future__ import annotations

import math

import numpy as np

from dronewall.assess import AlertEvent
from dronewall.assess.alert_types import EventKind
from dronewall.core.types import ObjectClass
from dronewall.sensors.sapient import Fix, UpwardTracks, alert
from dronewall.sensors.sapient.alerts import AlertStatus, AlertType, Priority
from dronewall.sensors.sapient.binding import Alert
from dronewall.store import PictureFrame

STATUS_OF: dict[EventKind, AlertStatus] = {
    EventKind.RAISED: AlertStatus.ACTIVE,
    EventKind.ESCALATED: AlertStatus.ACTIVE,
    EventKind.REOPENED: AlertStatus.ACTIVE,
    EventKind.TRACK_CHANGED: AlertStatus.ACTIVE,
    EventKind.ACKNOWLEDGED: AlertStatus.ACKNOWLEDGE,
    EventKind.ENGAGED: AlertStatus.ACKNOWLEDGE,
    EventKind.CLEARED: AlertStatus.CLEAR,
    EventKind.AUTO_CLEARED: AlertStatus.CLEAR,
}
# dronewall's priority (0–100, docs/alerts.md) in SAPIENT's three steps, in even thirds: the
# score adds points linearly (base, site, type, motion) and has no natural break of its own.
MEDIUM_PRIORITY = 100.0 / 3.0
HIGH_PRIORITY = 200.0 / 3.0


def upward_tracks(frame: PictureFrame) -> UpwardTracks:
    """Every track of ``frame``, timed at the frame's data time (see the module's notes)."""
    n = len(frame)
    course = np.radians(frame.course_deg)
    velocity = np.column_stack(
        [frame.speed_mps * np.sin(course), frame.speed_mps * np.cos(course), frame.climb_mps]
    ).reshape(n, 3)
    covariance = np.zeros((n, 3, 3))
    for axis in range(3):
        covariance[:, axis, axis] = frame.sigma_m**2
    label = frame.label.astype(np.intp)
    confidence = frame.probabilities[np.arange(n), label] if n else np.zeros(0)
    return UpwardTracks.from_geodetic(
        frame.track_id,
        np.full(n, frame.t),
        frame.lat_deg,
        frame.lon_deg,
        frame.alt_m,
        velocity,
        covariance,
        frame.label,
        np.clip(confidence, 0.0, 1.0),
    )


def take(tracks: UpwardTracks, start: int, stop: int) -> UpwardTracks:
    """Rows ``start:stop`` of ``tracks``."""
    part = slice(start, stop)
    return UpwardTracks(
        track_id=tracks.track_id[part],
        t=tracks.t[part],
        position_ecef_m=tracks.position_ecef_m[part],
        velocity_ecef_mps=tracks.velocity_ecef_mps[part],
        position_covariance_ecef_m2=tracks.position_covariance_ecef_m2[part],
        object_class=tracks.object_class[part],
        class_confidence=tracks.class_confidence[part],
    )


def track_fix(frame: PictureFrame | None, track_id: int | None) -> tuple[Fix | None, float]:
    """Where ``track_id`` is in ``frame`` (σ as in ``upward_tracks``) and its drone
    probability; ``(None, NaN)`` when the frame does not hold it."""
    if frame is None or track_id is None:
        return None, math.nan
    rows = np.flatnonzero(frame.track_id == track_id)
    if rows.size == 0:
        return None, math.nan
    i = int(rows[0])
    sigma = float(frame.sigma_m[i])
    fix = Fix(
        float(frame.lat_deg[i]), float(frame.lon_deg[i]), float(frame.alt_m[i]),
        sigma, sigma, sigma,
    )  # fmt: skip
    return fix, float(frame.probabilities[i, int(ObjectClass.DRONE)])


def upward_alert(
    event: AlertEvent,
    alert_ulid: str,
    site_name: str,
    where: tuple[Fix | None, float],
    objects: tuple[tuple[str, str], ...],
) -> Alert | None:
    """The SAPIENT Alert for one alert event (``None`` for events without an alert).
    ``where``: the track's fix and drone probability (``track_fix``); ``objects``: the
    associated detections, (this node's id, the track's object id)."""
    status = STATUS_OF.get(event.kind)
    if status is None or event.alert_id is None:
        return None
    fix, p_drone = where
    if fix is not None and not all(math.isfinite(v) for v in (fix.lat_deg, fix.lon_deg)):
        fix = None
    priority = event.priority if math.isfinite(event.priority) else 0.0
    text = event.message or f"alert {event.kind.value}"
    message = alert(
        alert_ulid,
        f"{site_name}: alert {event.alert_id} {event.kind.value} — {text}",
        alert_type=AlertType.WARNING,
        status=status,
        location=fix,
        priority=_priority(priority),
        confidence=p_drone if 0.0 <= p_drone <= 1.0 else math.nan,
        objects=objects,
    )
    message.ranking = min(max(priority / 100.0, 0.0), 1.0)
    if event.site_id:
        message.additional_information = f"site {event.site_id}"
    return message


def _priority(priority: float) -> Priority:
    if priority >= HIGH_PRIORITY:
        return Priority.HIGH
    return Priority.MEDIUM if priority >= MEDIUM_PRIORITY else Priority.LOW
