"""The ``register`` and ``status`` payloads of dronewall's MQTT schema (``docs/feeds-mqtt.md``,
"Registration" and "Status"): a node's identity, place and performance, and its health.

Field choice after SAPIENT (BSI Flex 335 v2.0): the Registration's node type, location, field
of view, detection performance and vendor details, and the StatusReport's system state
(online/offline/degraded/fault, like ``system: OK / Error / Tamper``), cut to what a cheap
acoustic or RF node knows. Units: degrees (WGS-84 latitude/longitude, angles from true
north), metres (heights above the WGS-84 ellipsoid), hertz, seconds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dronewall.core.types import SensorKind
from dronewall.sensors.feed import SensorInfo, SensorStatus
from dronewall.sensors.mqtt import values as v

NAN = math.nan
KINDS = {
    "acoustic": SensorKind.ACOUSTIC,
    "rf": SensorKind.RF,
    "eoir": SensorKind.EOIR,
    "radar": SensorKind.RADAR,
}
STATES = frozenset({"online", "offline", "degraded", "fault"})
OK_STATES = frozenset({"online", "degraded"})  # still reporting, maybe less well
NATION = re.compile(r"[A-Z]{2}")  # ISO 3166-1 alpha-2
MAX_TEXT = 64  # vendor, model and name: enough for a product name, short on screens
MAX_DETAIL = 200  # a status line, not a log
# Node heights: below the Dead Sea shore (−430 m) to above any mast on a European summit.
NODE_ALT_M = (-1_000.0, 10_000.0)
MAX_RANGE_M = 1_000_000.0  # nothing a node hears or sees lies beyond 1,000 km
MAX_SIGMA_M = 100_000.0  # a wider error than 100 km carries no information
MAX_RATE_HZ = 1_000.0  # a higher report rate would be a unit error (ms given as Hz)


@dataclass(frozen=True, slots=True)
class NodeRegistration:
    """What a node says of itself; sigma defaults apply to detections that give none."""

    kind: SensorKind
    lat_deg: float
    lon_deg: float
    alt_m: float = NAN
    heading_deg: float = NAN  # centre of the field of view
    fov_deg: float = NAN  # width of the field of view (360: all round)
    max_range_m: float = NAN
    sigma_az_deg: float = NAN
    sigma_el_deg: float = NAN
    sigma_range_m: float = NAN
    sigma_h_m: float = NAN
    sigma_v_m: float = NAN
    rate_hz: float = NAN
    nation: str = ""
    vendor: str = ""
    model: str = ""
    name: str = ""

    def sensor_info(self, node_id: str) -> SensorInfo:
        return SensorInfo(
            key=node_id,
            kind=self.kind,
            lat_deg=self.lat_deg,
            lon_deg=self.lon_deg,
            alt_m=self.alt_m,
            max_range_m=self.max_range_m,
            name=self.name or self.model,
            nation=self.nation,
            vendor=self.vendor,
        )


def registration_from_info(
    info: SensorInfo,
    *,
    sigma_az_deg: float = NAN,
    sigma_el_deg: float = NAN,
    sigma_range_m: float = NAN,
    sigma_h_m: float = NAN,
    sigma_v_m: float = NAN,
) -> NodeRegistration:
    """A registration for a node declared in the feeds file (``MqttSettings.known``), so its
    detections are taken before its own registration arrives, with default sigmas."""
    return NodeRegistration(
        kind=info.kind,
        lat_deg=info.lat_deg,
        lon_deg=info.lon_deg,
        alt_m=info.alt_m,
        max_range_m=info.max_range_m,
        nation=info.nation,
        vendor=info.vendor,
        name=info.name,
        sigma_az_deg=sigma_az_deg,
        sigma_el_deg=sigma_el_deg,
        sigma_range_m=sigma_range_m,
        sigma_h_m=sigma_h_m,
        sigma_v_m=sigma_v_m,
    )


_REGISTER: v.Table = {
    "kind": ("kind", v.choice(KINDS)),
    "lat": ("lat_deg", v.number(-90.0, 90.0)),
    "lon": ("lon_deg", v.number(-180.0, 180.0)),
    "alt": ("alt_m", v.number(*NODE_ALT_M)),
    "heading": ("heading_deg", v.number(0.0, 360.0)),
    "fov": ("fov_deg", v.number(0.0, 360.0, open_lo=True)),
    "max_range": ("max_range_m", v.number(0.0, MAX_RANGE_M, open_lo=True)),
    "sigma_az": ("sigma_az_deg", v.number(0.0, 180.0, open_lo=True)),
    "sigma_el": ("sigma_el_deg", v.number(0.0, 90.0, open_lo=True)),
    "sigma_range": ("sigma_range_m", v.number(0.0, MAX_SIGMA_M, open_lo=True)),
    "sigma_h": ("sigma_h_m", v.number(0.0, MAX_SIGMA_M, open_lo=True)),
    "sigma_v": ("sigma_v_m", v.number(0.0, MAX_SIGMA_M, open_lo=True)),
    "rate": ("rate_hz", v.number(0.0, MAX_RATE_HZ, open_lo=True)),
    "nation": ("nation", v.pattern(NATION, 2)),
    "vendor": ("vendor", v.text(MAX_TEXT)),
    "model": ("model", v.text(MAX_TEXT)),
    "name": ("name", v.text(MAX_TEXT)),
}
_STATUS: v.Table = {
    "state": ("state", v.choice({state: state for state in STATES})),
    "t": ("t", v.time_value),
    "battery": ("battery", v.number(0.0, 1.0)),
    "detail": ("detail", v.text(MAX_DETAIL)),
}


def read_registration(obj: v.Obj, node_id: str) -> NodeRegistration:
    """A ``register`` payload (a JSON object) → ``NodeRegistration``; raises ``Invalid``."""
    v.check_common(obj, node_id)
    fields = v.read_members(obj, _REGISTER)
    v.require(fields, "kind", "lat_deg", "lon_deg")
    return NodeRegistration(**fields)


def read_status(obj: v.Obj, node_id: str, t_receive: float) -> SensorStatus:
    """A ``status`` payload → ``SensorStatus``. ``ok`` for online and degraded; the detail
    starts with the state ("offline", "fault: …") — the sensor table reads "offline" in it.
    The time is the payload's ``t`` (never later than receipt) or the receipt time."""
    v.check_common(obj, node_id)
    fields = v.read_members(obj, _STATUS)
    v.require(fields, "state")
    state: str = fields["state"]
    parts = [fields["detail"]] if fields.get("detail") else []
    if "battery" in fields:
        parts.append(f"battery {fields['battery']:.0%}")
    detail = f"{state}: {', '.join(parts)}" if parts else state
    when = min(fields.get("t", t_receive), t_receive)
    return SensorStatus(node_id, when, state in OK_STATES, detail)
