"""CAT034 service messages to ``SensorStatus`` and ``SensorInfo`` (EUROCONTROL-SPEC-0149-2B,
edition 1.29: items I034/000, I034/041, I034/050, I034/060, I034/120).

A radar is ``ok`` unless its I034/050 common part says NOGO (operational use inhibited, "the
data shall be discarded by an operational SDPS") or TSV (its time source is invalid, so are
its time stamps). Overloads, data reduction steps, a reset of the RDP chain and jamming strobes
do not stop it but are named in the status detail, with the message type and the antenna
rotation period (I034/041).

I034/120 gives the radar's WGS-84 position; its height is taken as above the ellipsoid (the
item is "3D-Position of Data Source in WGS 84 Co-ordinates").
"""

from __future__ import annotations

import math

from dronewall.core.types import SensorKind
from dronewall.sensors.asterix.cat034 import (
    MESSAGE_TYPES,
    NORTH_MARKER,
    SECTOR_CROSSING,
    Cat034Record,
)
from dronewall.sensors.asterix.settings import RadarSettings
from dronewall.sensors.feed import SensorInfo, SensorStatus

_FLAGS = (
    ("nogo", "NOGO: operational use inhibited"),
    ("time_source_invalid", "time source invalid"),
    ("rdp_reset", "RDP chain reset"),
    ("rdp_overload", "RDP overload"),
    ("transmission_overload", "transmission overload"),
    ("psr_overload", "PSR overload"),
    ("ssr_overload", "SSR overload"),
    ("mode_s_overload", "Mode S overload"),
)
_REDUCTIONS = (
    ("reduction_rdp", "RDP"),
    ("reduction_transmission", "transmission"),
    ("reduction_psr", "PSR"),
    ("reduction_ssr", "SSR"),
    ("reduction_mode_s", "Mode S"),
)


def is_ok(record: Cat034Record) -> bool:
    """False when the radar says its data must not be used (NOGO) or its clock is invalid."""
    return not (record.nogo or record.time_source_invalid)


def status_detail(record: Cat034Record) -> str:
    """A one-line description: message type, rotation period, flags, reduction steps."""
    kind = record.message_type
    parts = [MESSAGE_TYPES.get(kind, f"message type {kind}") if kind is not None else "service"]
    if record.sector_deg is not None and kind not in (NORTH_MARKER, SECTOR_CROSSING):
        parts.append(f"sector {record.sector_deg:.1f}°")  # where a jamming strobe is
    if record.rotation_period_s is not None:
        parts.append(f"rotation period {record.rotation_period_s:.2f} s")
    parts += [text for name, text in _FLAGS if getattr(record, name)]
    for name, text in _REDUCTIONS:
        step = getattr(record, name)
        if step:
            parts.append(f"{text} data reduction step {step}")
    return "; ".join(parts)


def sensor_status(record: Cat034Record, key: str, t: float) -> SensorStatus:
    """The status a CAT034 record gives of its radar, at ``t``."""
    return SensorStatus(key=key, t=t, ok=is_ok(record), detail=status_detail(record))


def sensor_info(record: Cat034Record, key: str, radar: RadarSettings) -> SensorInfo | None:
    """The radar's position from I034/120 (None without it, or off the earth), with the
    configured name, nation and range."""
    lat, lon = record.lat_deg, record.lon_deg
    if lat is None or lon is None or record.height_m is None:
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None  # 24 bits hold up to ±180° of latitude: such a position is not one
    return SensorInfo(
        key=key,
        kind=SensorKind.RADAR,
        lat_deg=lat,
        lon_deg=lon,
        alt_m=record.height_m,
        max_range_m=radar.max_range_m,
        name=radar.name,
        nation=radar.nation,
        revisit_s=_revisit(record.rotation_period_s),
    )


def _revisit(period_s: float | None) -> float:
    """I034/041's antenna rotation period as the radar's revisit (NaN when not given or not
    a period: the tracker then takes a radar's default)."""
    return period_s if period_s is not None and period_s > 0 else math.nan


def configured_info(key: str, radar: RadarSettings, defaulted: bool = False) -> SensorInfo:
    """The radar as the settings describe it, announced when its first message arrives; with
    the default settings of unlisted radars (``defaulted``) its position is unknown (NaN)."""
    if defaulted:
        return SensorInfo(key=key, kind=SensorKind.RADAR, nation=radar.nation)
    return SensorInfo(
        key=key,
        kind=SensorKind.RADAR,
        lat_deg=radar.lat_deg,
        lon_deg=radar.lon_deg,
        alt_m=radar.alt_m,
        max_range_m=radar.max_range_m,
        name=radar.name,
        nation=radar.nation,
    )
