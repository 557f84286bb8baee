"""One Cursor-on-Target event, as both encoders (``xml``, ``proto``) take it, and the events
of a picture's tracks.

A CoT event (MITRE's Cursor-on-Target schema 2.0, ``Event.xsd``/``Point.xsd``) says what
(``type``), where (``point``: latitude, longitude, ``hae`` height above the WGS-84 ellipsoid,
``ce`` circular and ``le`` linear 1-σ errors in metres, 9 999 999 when unknown) and when
(``time`` made, ``start`` valid from, ``stale`` valid until). ``track_events`` builds one event
per track of a picture; every value from outside is checked here, once, so the encoders only
format: a position that is not a number or off the globe drops the track (counted), other
values that are not finite or out of range are left out or clipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.sensors.cot.types import cot_type

UNKNOWN_ERROR = 9_999_999.0  # CoT's "not known" for hae, ce and le
HOW_FUSED = "m-f"  # machine-made, fused from several sources
MAX_HAE_M = 1_000_000.0  # heights beyond ±1000 km are not air tracks: sent as unknown
MAX_SPEED_MPS = 10_000.0  # clip: faster than any air track, keeps numbers short
MAX_REMARKS = 1000  # characters; a TAK client shows a few lines
MAX_TEXT = 200  # characters of a uid, callsign or other attribute
_CLASS_NAMES = {int(c): c.name.lower() for c in ObjectClass}
_KIND_NAMES = {int(k): k.name.lower().replace("_", " ") for k in ObjectKind}
_AFFILIATION_NAMES = {
    "F": "friend",
    "H": "hostile",
    "S": "suspect",
    "N": "neutral",
    "U": "unknown",
}
# Characters XML 1.0 does not allow (C0 controls but tab, newline, return; U+FFFE/FFFF) and lone
# surrogates, which UTF-8 cannot carry.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Link:
    """A ``<link>`` to another event (an alarm's track)."""

    uid: str
    type: str
    relation: str = "p-p"  # parent-point: this event refers to that one


@dataclass(frozen=True, slots=True)
class CotEvent:
    """One CoT event with the detail dronewall sends. Times are POSIX seconds (UTC)."""

    uid: str
    type: str
    time_s: float
    stale_s: float
    lat: float
    lon: float
    hae: float = UNKNOWN_ERROR
    ce: float = UNKNOWN_ERROR
    le: float = UNKNOWN_ERROR
    how: str = HOW_FUSED
    callsign: str = ""
    remarks: str = ""
    course_deg: float | None = None  # <track course speed>, both or neither
    speed_mps: float | None = None
    group_name: str = ""  # <__group name role>, when the output names a team
    group_role: str = ""
    access: str = ""  # the event's access attribute (a marking), when configured
    links: tuple[Link, ...] = field(default=())

    @property
    def start_s(self) -> float:
        return self.time_s


@dataclass(frozen=True, slots=True)
class EventOptions:
    """What an output puts in its events besides the track's own values."""

    node: str = "dronewall"  # uids are dronewall-<node>-<track id>
    callsign_prefix: str = "DW"
    stale_s: float = 10.0
    birds: bool = False
    group_name: str = ""
    group_role: str = ""
    access: str = ""


class TrackColumns(Protocol):
    """The picture columns the events are built from (``store.PictureFrame`` has them)."""

    @property
    def track_id(self) -> npt.NDArray[np.int64]: ...
    @property
    def lat_deg(self) -> npt.NDArray[np.float64]: ...
    @property
    def lon_deg(self) -> npt.NDArray[np.float64]: ...
    @property
    def alt_m(self) -> npt.NDArray[np.float64]: ...
    @property
    def speed_mps(self) -> npt.NDArray[np.float64]: ...
    @property
    def course_deg(self) -> npt.NDArray[np.float64]: ...
    @property
    def sigma_m(self) -> npt.NDArray[np.float64]: ...
    @property
    def label(self) -> npt.NDArray[np.uint8]: ...
    @property
    def probabilities(self) -> npt.NDArray[np.float64]: ...
    @property
    def drone_kind(self) -> npt.NDArray[np.uint8]: ...
    @property
    def affiliation(self) -> npt.NDArray[np.str_]: ...
    @property
    def identity(self) -> npt.NDArray[np.str_]: ...
    @property
    def alert_id(self) -> npt.NDArray[np.int64]: ...
    @property
    def site_id(self) -> npt.NDArray[np.str_]: ...
    @property
    def time_to_site_s(self) -> npt.NDArray[np.float64]: ...
    @property
    def class_reasons(self) -> list[str]: ...
    @property
    def threat_reasons(self) -> list[str]: ...


def clean_text(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` as a string XML can carry: forbidden characters dropped, at most ``limit``."""
    s = _NOT_XML.sub("", str(text))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def track_uid(node: str, track_id: int) -> str:
    return f"dronewall-{clean_text(node)}-{int(track_id)}"


def finite_or(value: float, default: float, low: float, high: float) -> float:
    """``value`` when it is a number in [low, high], else ``default``."""
    v = float(value)
    return v if math.isfinite(v) and low <= v <= high else default


@dataclass(frozen=True, slots=True)
class _Row:
    """One track's values as plain Python (numpy scalars, taken one by one, cost 2× more)."""

    track_id: int
    lat: float
    lon: float
    alt: float
    speed: float
    course: float
    sigma: float
    label: int
    p: float  # probability of the track's class
    kind: int
    affiliation: str
    identity: str
    alert_id: int
    site_id: str
    time_to_site_s: float
    class_reasons: str
    threat_reasons: str


def _rows(tracks: TrackColumns) -> list[_Row]:
    n = len(tracks.track_id)
    if n == 0:
        return []
    label = np.asarray(tracks.label, np.int64)
    probs = np.asarray(tracks.probabilities, float).reshape(n, -1)
    known = (label >= 0) & (label < probs.shape[1])
    p = np.full(n, np.nan)
    p[known] = probs[np.flatnonzero(known), label[known]]
    columns = (
        tracks.track_id.tolist(),
        tracks.lat_deg.tolist(),
        tracks.lon_deg.tolist(),
        tracks.alt_m.tolist(),
        tracks.speed_mps.tolist(),
        tracks.course_deg.tolist(),
        tracks.sigma_m.tolist(),
        label.tolist(),
        p.tolist(),
        tracks.drone_kind.tolist(),
        [str(a) for a in tracks.affiliation.tolist()],
        [str(x) for x in tracks.identity.tolist()],
        tracks.alert_id.tolist(),
        [str(x) for x in tracks.site_id.tolist()],
        tracks.time_to_site_s.tolist(),
        [str(x) for x in tracks.class_reasons],
        [str(x) for x in tracks.threat_reasons],
    )
    return [_Row(*values) for values in zip(*columns, strict=True)]


def track_events(
    tracks: TrackColumns, now_s: float, options: EventOptions
) -> tuple[list[CotEvent], int]:
    """One event per track that can be sent, and how many tracks could not (no position).
    Birds are left out unless ``options.birds``; they are not counted as dropped."""
    events: list[CotEvent] = []
    bad = 0
    stale = now_s + options.stale_s
    prefix = clean_text(options.callsign_prefix, 40)
    uid_prefix = track_uid(options.node, 0)[:-1]  # "dronewall-<node>-"
    group_name = clean_text(options.group_name, 40)
    group_role = clean_text(options.group_role, 40)
    access = clean_text(options.access)
    for row in _rows(tracks):
        kind = cot_type(row.label, row.kind, row.affiliation, birds=options.birds)
        if kind is None:
            continue
        if not (abs(row.lat) <= 90.0 and abs(row.lon) <= 180.0):  # also False for NaN
            bad += 1
            continue
        has_track = math.isfinite(row.speed) and math.isfinite(row.course)
        identity = clean_text(row.identity, 40) if row.identity else ""
        callsign = f"{prefix}-{row.track_id}"
        event = CotEvent(
            uid=f"{uid_prefix}{row.track_id}",
            type=kind,
            time_s=now_s,
            stale_s=stale,
            lat=row.lat,
            lon=row.lon,
            hae=finite_or(row.alt, UNKNOWN_ERROR, -MAX_HAE_M, MAX_HAE_M),
            ce=finite_or(row.sigma, UNKNOWN_ERROR, 0.0, UNKNOWN_ERROR),
            callsign=f"{callsign} {identity}" if identity else callsign,
            remarks=track_remarks(row),
            course_deg=row.course % 360.0 if has_track else None,
            speed_mps=min(max(row.speed, 0.0), MAX_SPEED_MPS) if has_track else None,
            group_name=group_name,
            group_role=group_role,
            access=access,
        )
        events.append(event)
    return events, bad


def track_remarks(row: _Row) -> str:
    """What an operator reads in the track's remarks: class and kind with probability,
    identity, alert, threat and the reasons."""
    what = _CLASS_NAMES.get(row.label, "unknown")
    if row.kind in _KIND_NAMES:
        what += f" ({_KIND_NAMES[row.kind]})"
    parts = [f"{what} p={row.p:.2f}" if math.isfinite(row.p) else what]
    parts.append(_AFFILIATION_NAMES.get(row.affiliation, "unknown"))
    if row.identity:
        parts.append(f"id {row.identity}")
    if row.alert_id > 0:
        parts.append(f"ALERT {row.alert_id}")
    if row.site_id:
        tts = row.time_to_site_s
        when = f" in {tts:.0f} s" if math.isfinite(tts) and abs(tts) < 1e7 else ""
        parts.append(f"site {row.site_id}{when}")
    parts.extend(reasons for reasons in (row.class_reasons, row.threat_reasons) if reasons)
    return clean_text("; ".join(parts), MAX_REMARKS)
