"""The picture as CAT062 system tracks: ``PictureFrame`` rows into ``Track062`` records, with
the state one output keeps between frames (track numbers, the first time a track was sent,
its previous velocity) — for ``runtime/asterix_out``'s sink.

What each item is made from (docs/feeds-asterix.md, "Sharing the picture as CAT062"):

* I062/105 and I062/130: the frame's latitude, longitude and height above the ellipsoid;
  I062/100 (when the output has a reference point): east and north of the reference in its
  local tangent plane;
* I062/185 and I062/220: speed, course and climb; I062/210 and I062/200: the change of
  velocity since this output last sent the track (nothing on a track's first record);
* I062/040: ``TrackNumbers`` (stable while a track lives); I062/290 TRK: time since this
  output first sent the track; I062/500 APC: the frame's 1σ horizontal uncertainty in x and y;
* I062/080: SRC from the kinds of sensor that updated the track (GNSS for ADS-B and Remote ID,
  3-D radar, else triangulation of bearings), SDS co-operative / non-co-operative / combined,
  TSB on a track's first record, TSE on its last (the track left the picture or the output
  closed), SIM when the output is configured as simulated; MON is 0 (a fused track) and
  CNF 0 (a frame holds confirmed tracks only);
* I062/380: ADR when the identity is an ICAO 24-bit address, ID when it is a short
  callsign-like text, EMC 13 (UAV) for drones and the ADS-B emitter category of a classed
  manned aircraft kind; SP: class, kind, confidence, affiliation, priority, full identity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final, NamedTuple

import numpy as np

from dronewall.core.geodesy import geodetic_to_enu
from dronewall.core.types import ObjectClass, ObjectKind, SensorKind
from dronewall.sensors.asterix.cat062 import (
    ECAT_UAV,
    SDS_COMBINED,
    SDS_COOPERATIVE,
    SDS_NON_COOPERATIVE,
    SRC_3D_RADAR,
    SRC_GNSS,
    SRC_NONE,
    SRC_TRIANGULATION,
    UNDETERMINED,
    SpecialPurpose,
    Track062,
    TrackNumbers,
)
from dronewall.sensors.asterix.fields import icao_pack
from dronewall.store import PictureFrame

DAY_S: Final = 86_400.0
# I062/200 thresholds: below them a track counts as level, steady and straight. Small drones
# wander by a few tenths of a m/s between updates; these keep that out of "climb" or "turn".
LEVEL_MPS: Final = 0.5
STEADY_MPS2: Final = 0.3
STRAIGHT_DEG_S: Final = 2.0
TURN_MIN_SPEED_MPS: Final = 2.0  # below this the course is noise: turn undetermined
PREVIOUS_MAX_AGE_S: Final = 30.0  # an older previous state gives no acceleration
# ADS-B emitter categories (I062/380 EMC, DO-260B set A/B) of the manned kinds we class.
_ECAT_OF_KIND: Final = {
    ObjectKind.LIGHT_AIRCRAFT: 1,  # light, < 7,000 kg
    ObjectKind.HELICOPTER: 10,  # rotorcraft
    ObjectKind.GLIDER: 11,  # glider / sailplane
    ObjectKind.ULTRALIGHT: 15,  # ultralight / hang-glider / paraglider
}
_COOPERATIVE: Final = (1 << SensorKind.ADSB) | (1 << SensorKind.REMOTE_ID)
_NON_COOPERATIVE: Final = (
    (1 << SensorKind.RADAR) | (1 << SensorKind.RF) | (1 << SensorKind.ACOUSTIC)
) | (1 << SensorKind.EOIR)


@dataclass(frozen=True, slots=True)
class PictureOptions:
    """How one output writes its tracks."""

    reference: tuple[float, float] | None = None  # lat°, lon° of the I062/100 plane's origin
    simulated: bool = False  # I062/080 SIM on every record
    service_id: int | None = None  # I062/015


@dataclass(slots=True)
class _Seen:
    first_t: float  # data time this output first sent the track
    t: float  # data time of the last record sent
    vx: float
    vy: float
    speed: float
    course: float
    record: Track062  # the last record, re-sent with TSE when the track ends


class Cat062Picture:
    """Frames into CAT062 track records for one output. Not thread-safe: one caller."""

    def __init__(self, options: PictureOptions) -> None:
        self.options = options
        self.numbers = TrackNumbers()
        self._seen: dict[int, _Seen] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def records(self, frame: PictureFrame) -> list[Track062]:
        """The frame's tracks, then a last record (TSE) for each track sent before and gone."""
        t = frame.t
        out: list[Track062] = []
        live: set[int] = set()
        for row in _rows(frame, self.options.reference):
            live.add(row.track_id)
            prev = self._seen.get(row.track_id)
            record = self._record(row, t, prev)
            out.append(record)
            if prev is None:
                self._seen[row.track_id] = _Seen(
                    t, t, row.vx, row.vy, row.speed, row.course, record
                )
            else:
                prev.t, prev.vx, prev.vy, prev.record = t, row.vx, row.vy, record
                prev.speed, prev.course = row.speed, row.course
        out += self.end([tid for tid in self._seen if tid not in live])
        return out

    def end(self, track_ids: list[int] | None = None) -> list[Track062]:
        """The last record (TSE) of each track (all when None), and forget them."""
        ids = list(self._seen) if track_ids is None else track_ids
        out: list[Track062] = []
        for track_id in ids:
            seen = self._seen.pop(track_id)
            self.numbers.release(track_id)
            out.append(replace(seen.record, last=True, first=False))
        return out

    def _record(self, row: _Row, t: float, prev: _Seen | None) -> Track062:
        address, callsign = _identity_items(row.identity)
        accel, movement = _movement(row, t, prev)
        velocity = math.isfinite(row.vx) and math.isfinite(row.vy)
        return Track062(
            time_of_day_s=t % DAY_S,
            track_number=self.numbers.number(row.track_id),
            lat_deg=row.lat,
            lon_deg=row.lon,
            vx_mps=row.vx if velocity else None,
            vy_mps=row.vy if velocity else None,
            x_m=row.x,
            y_m=row.y,
            ax_mps2=accel[0] if accel else None,
            ay_mps2=accel[1] if accel else None,
            geometric_alt_m=_finite(row.alt),
            climb_mps=_finite(row.climb),
            address=address,
            callsign=callsign,
            emitter_category=_emitter_category(row.label, row.kind),
            altitude_source=_altitude_source(row.sensor_kinds),
            simulated=self.options.simulated,
            first=prev is None,
            surveillance=_surveillance(row.sensor_kinds),
            movement=movement,
            track_age_s=t - prev.first_t if prev is not None else 0.0,
            sigma_x_m=_finite(row.sigma),
            sigma_y_m=_finite(row.sigma),
            service_id=self.options.service_id,
            special=SpecialPurpose(
                object_class=row.label,
                object_kind=row.kind,
                confidence_pct=round(100.0 * row.confidence)
                if math.isfinite(row.confidence)
                else 0,
                affiliation=row.affiliation or "U",
                priority=round(row.priority) if math.isfinite(row.priority) else 0,
                identity=row.identity,
            ),
        )


class _Row(NamedTuple):
    """One frame row as Python values (reading numpy scalars one by one costs ~10× more)."""

    track_id: int
    lat: float
    lon: float
    alt: float
    vx: float  # east
    vy: float  # north
    speed: float
    course: float
    climb: float
    sigma: float
    label: int
    kind: int
    confidence: float  # probability of the label
    affiliation: str
    priority: float
    identity: str
    sensor_kinds: int
    x: float | None  # east of the reference point, when the output has one
    y: float | None


def _rows(frame: PictureFrame, reference: tuple[float, float] | None) -> list[_Row]:
    n = len(frame)
    if not n:
        return []
    rad = np.radians(frame.course_deg)
    vx = frame.speed_mps * np.sin(rad)
    vy = frame.speed_mps * np.cos(rad)
    confidence = frame.probabilities[np.arange(n), frame.label.astype(np.intp)]
    x: list[float | None] = [None] * n
    y: list[float | None] = [None] * n
    if reference is not None:
        enu = geodetic_to_enu(frame.lat_deg, frame.lon_deg, frame.alt_m, *reference, 0.0)
        x, y = enu[:, 0].tolist(), enu[:, 1].tolist()
    columns = (
        frame.track_id,
        frame.lat_deg,
        frame.lon_deg,
        frame.alt_m,
        vx,
        vy,
        frame.speed_mps,
        frame.course_deg,
        frame.climb_mps,
        frame.sigma_m,
        frame.label,
        frame.drone_kind,
        confidence,
        frame.affiliation,
        frame.priority,
    )
    lists = [c.tolist() for c in columns]
    identity = [str(v) for v in frame.identity.tolist()]
    kinds = frame.sensor_kinds.tolist()
    return [_Row(*r) for r in zip(*lists, identity, kinds, x, y, strict=True)]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _identity_items(identity: str) -> tuple[int | None, str | None]:
    """(I062/380 ADR, I062/380 ID) for an identity: an ICAO address, or a text of at most
    eight characters of the ICAO 6-bit set (a callsign, a registration)."""
    if len(identity) == 6:
        try:
            return int(identity, 16), None
        except ValueError:
            pass
    if 0 < len(identity) <= 8:
        try:
            icao_pack(identity)
        except ValueError:
            return None, None
        return None, identity.upper()
    return None, None


def _emitter_category(label: int, kind: int) -> int | None:
    if label == ObjectClass.DRONE:
        return ECAT_UAV
    if label == ObjectClass.AIRCRAFT and kind:
        return _ECAT_OF_KIND.get(ObjectKind(kind))
    return None


def _altitude_source(kinds: int) -> int:
    if kinds & _COOPERATIVE:
        return SRC_GNSS
    if kinds & (1 << SensorKind.RADAR):
        return SRC_3D_RADAR
    return SRC_TRIANGULATION if kinds else SRC_NONE


def _surveillance(kinds: int) -> int | None:
    cooperative, non_cooperative = bool(kinds & _COOPERATIVE), bool(kinds & _NON_COOPERATIVE)
    if cooperative and non_cooperative:
        return SDS_COMBINED
    if cooperative:
        return SDS_COOPERATIVE
    return SDS_NON_COOPERATIVE if non_cooperative else None


def _movement(
    row: _Row, t: float, prev: _Seen | None
) -> tuple[tuple[float, float] | None, tuple[int, int, int]]:
    """(I062/210 acceleration or None, I062/200 TRANS, LONG, VERT) from the change since the
    previous record of the track."""
    climb = row.climb
    vert = 1 if climb > LEVEL_MPS else 2 if climb < -LEVEL_MPS else 0
    if math.isnan(climb):
        vert = UNDETERMINED
    dt = t - prev.t if prev is not None else 0.0
    if prev is None or not 0.0 < dt <= PREVIOUS_MAX_AGE_S:
        return None, (UNDETERMINED, UNDETERMINED, vert)
    ax, ay = (row.vx - prev.vx) / dt, (row.vy - prev.vy) / dt
    accel = (ax, ay) if math.isfinite(ax) and math.isfinite(ay) else None
    speed_rate = (row.speed - prev.speed) / dt
    longitudinal = 1 if speed_rate > STEADY_MPS2 else 2 if speed_rate < -STEADY_MPS2 else 0
    trans = UNDETERMINED
    if min(prev.speed, row.speed) >= TURN_MIN_SPEED_MPS:
        turn = ((row.course - prev.course + 180.0) % 360.0 - 180.0) / dt
        trans = 1 if turn > STRAIGHT_DEG_S else 2 if turn < -STRAIGHT_DEG_S else 0
    return accel, (trans, longitudinal, vert)
