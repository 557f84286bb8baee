"""What every sensor adapter produces, whatever the wire format: reports, sensors, identities
and rejects, collected in a ``FeedOutput`` that the live pipeline drains into ``ReportBatch``es.

An adapter (one per format: ``asterix``, ``modes``, ``remoteid``, ``mqtt``) is a pure decoder
plus a little state (a partial TCP frame, the last CPR frame of an aircraft). It is handed the
bytes a transport received and the wall time they arrived; it appends what it understood to
its ``FeedOutput`` and counts what it did not, by reason. It never raises on bad input.

Sensors are named by a *key* unique within the feed (``"25/10"`` for an ASTERIX SAC/SIC, a
receiver name for ADS-B, a node id for MQTT); the pipeline's sensor table turns the feed name
and key into a ``sensor_index``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from dronewall.core.release import SecurityLabel
from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind

NAN = math.nan


@dataclass(slots=True)
class Report:
    """One report in sensor-neutral form: the columns of a ``ReportBatch`` row, except the
    ones the pipeline assigns (report id, sensor index, arrival time)."""

    sensor: str  # key of the sensor within its feed
    sensor_kind: SensorKind
    measurement: MeasurementKind
    t_measured: float  # POSIX seconds (UTC)
    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_m: float = NAN  # above the WGS-84 ellipsoid (barometric heights: see ``alt_is_baro``)
    sigma_horizontal_m: float = NAN
    sigma_vertical_m: float = NAN
    range_m: float = NAN
    azimuth_deg: float = NAN
    elevation_deg: float = NAN
    sigma_range_m: float = NAN
    sigma_azimuth_deg: float = NAN
    sigma_elevation_deg: float = NAN
    speed_mps: float = NAN
    course_deg: float = NAN
    vertical_rate_mps: float = NAN  # up positive
    identity: str = ""  # ICAO address (6 hex digits, upper case), Remote ID serial, …
    declared_class: ObjectClass = ObjectClass.UNKNOWN
    class_confidence: float = 0.0
    emitter_category: int = 0  # DO-260B category as hex (0xA3 = "A3"); 0 not given
    nic: int = 0  # DO-260B NIC 1–11; 0 unknown
    nacp: int = 0  # DO-260B NACp 1–11; 0 unknown
    rcs_dbsm: float = NAN  # radar cross-section
    radial_velocity_mps: float = NAN  # Doppler range rate, positive away from the sensor


@dataclass(frozen=True, slots=True)
class SensorInfo:
    """What is known of a sensor: from a registration message, a feeds file or both. NaN or
    empty where unknown; a later ``SensorInfo`` for the same key updates the known fields."""

    key: str
    kind: SensorKind
    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_m: float = NAN
    max_range_m: float = NAN
    name: str = ""
    nation: str = ""  # ISO 3166-1 alpha-2 of the owner
    vendor: str = ""
    # What the sensor declares for the tracker's existence score (NaN: its kind's default,
    # core.tracks.DEFAULT_PD …): how often it looks at a place (a radar's rotation period),
    # its detection probability, and its clutter density (false reports per look per m² for
    # point sensors, per degree of azimuth for bearing sensors).
    revisit_s: float = NAN
    pd: float = NAN
    clutter_density: float = NAN
    label: SecurityLabel | None = None  # its security label (core.release); None: the feed's


@dataclass(frozen=True, slots=True)
class SensorStatus:
    """A sensor says how it is (ASTERIX CAT034, a SAPIENT status report, an MQTT will)."""

    key: str
    t: float
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Identity:
    """Cooperative identity learnt from a message that carries no position (an ADS-B
    identification, a Remote ID Basic ID or Operator ID): joins the track with that
    ``identity`` (the key of ``Report.identity``)."""

    identity: str
    t: float
    callsign: str = ""  # flight identification, Remote ID serial or registration
    category: str = ""  # ADS-B emitter category (e.g. "A3", "B6") or Remote ID UA type
    operator_id: str = ""
    operator_lat_deg: float = NAN
    operator_lon_deg: float = NAN
    description: str = ""  # Remote ID Self-ID text


@dataclass(slots=True)
class FeedOutput:
    """Everything adapters decoded since the last ``take``; rejects counted by reason."""

    reports: list[Report] = field(default_factory=list)
    sensors: list[SensorInfo] = field(default_factory=list)
    statuses: list[SensorStatus] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    rejects: Counter[str] = field(default_factory=Counter)
    messages: int = 0  # messages accepted (decoded, whether or not they gave a report)
    last_reject: str = ""  # the latest reject's detail, for the operator

    def reject(self, reason: str, detail: str = "") -> None:
        """Count one rejected message; ``reason`` is a short token (a metrics label)."""
        self.rejects[reason] += 1
        self.last_reject = f"{reason}: {detail}" if detail else reason

    def take(self) -> FeedOutput:
        """What was collected, as a new object; this one starts empty (counts included)."""
        out = FeedOutput(
            self.reports,
            self.sensors,
            self.statuses,
            self.identities,
            self.rejects,
            self.messages,
            self.last_reject,
        )
        self.reports, self.sensors, self.statuses, self.identities = [], [], [], []
        self.rejects, self.messages, self.last_reject = Counter(), 0, ""
        return out


class Adapter(Protocol):
    """Bytes in, ``FeedOutput`` filled. ``receive`` takes what one read or one datagram gave
    (stream adapters keep a partial frame until the rest arrives) and never raises."""

    @property
    def output(self) -> FeedOutput: ...

    def receive(self, data: bytes, t_receive: float) -> None: ...
