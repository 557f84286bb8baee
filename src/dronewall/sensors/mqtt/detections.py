"""The ``detections`` payload of dronewall's MQTT schema (``docs/feeds-mqtt.md``,
"Detections"): one detection object, or an array of them (all or nothing), and its
``Report``.

A detection is either a bearing (``az``, optional ``el`` and ``range``) or a position fix
(``lat``, ``lon``, ``alt``), never both. Field choice after SAPIENT's DetectionReport (BSI Flex
335 v2.0: ``range_bearing`` or ``location``, ``classification`` with a confidence, the node's
``object_id``, ``signal`` frequency and amplitude for RF), cut to what cheap nodes give.

To a ``Report``: a bearing becomes ``BEARING`` (elevation used when a sigma for it is known);
a bearing with a range and a range sigma becomes ``RADAR`` (an elevation computed for an
assumed target height when none is measured, with a wide sigma); a fix becomes
``POSITION``. Sigmas come from the detection, else the node's registration; a measurement
with no sigma at all is refused (``no_sigma``): the tracker cannot weigh it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dronewall.core.types import MeasurementKind, ObjectClass, icao_identity
from dronewall.sensors.feed import Report
from dronewall.sensors.mqtt import values as v
from dronewall.sensors.mqtt.registration import MAX_RANGE_M, MAX_SIGMA_M, NodeRegistration

NAN = math.nan
CLASSES = {
    "drone": ObjectClass.DRONE,
    "bird": ObjectClass.BIRD,
    "aircraft": ObjectClass.AIRCRAFT,
    "unknown": ObjectClass.UNKNOWN,
}
# Target heights: below the Dead Sea to above any drone or airliner a node could report.
TARGET_ALT_M = (-1_000.0, 50_000.0)
MAX_TRACK_ID = 64  # the node's own object/track id
# Printable ASCII without spaces: an ANSI/CTA-2063-A serial is 20, a UTM UUID 36, a session
# ID in hex 38; 64 bounds the memory a node can make us keep per report.
MAX_UID = 64
UID = re.compile(r"[\x21-\x7e]{1,64}")
VERTICAL_RATE_MPS = (-150.0, 150.0)  # beyond any drone or aircraft climb or descent
RCS_DBSM = (-80.0, 80.0)  # an insect (−40 dBsm) to a ship (+60)
DOPPLER_MPS = (-2000.0, 2000.0)
MAX_PROTOCOL = 32  # "ocusync3", "elrs-2.4", "mavlink", …
MAX_FREQUENCY_HZ = 1e12  # radio up to 1 THz
RSSI_DBM = (-200.0, 50.0)
SNR_DB = (-50.0, 200.0)


@dataclass(frozen=True, slots=True)
class Detection:
    """One detection in dronewall units (NaN or "" where not given)."""

    t: float = NAN  # NaN: not given (the time of receipt is used)
    az_deg: float = NAN
    el_deg: float = NAN
    range_m: float = NAN
    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_m: float = NAN
    sigma_az_deg: float = NAN
    sigma_el_deg: float = NAN
    sigma_range_m: float = NAN
    sigma_h_m: float = NAN
    sigma_v_m: float = NAN
    declared_class: ObjectClass = ObjectClass.UNKNOWN
    confidence: float = 0.0
    track_id: str = ""
    uid: str = ""
    protocol: str = ""
    freq_hz: float = NAN
    bw_hz: float = NAN
    rssi_dbm: float = NAN
    snr_db: float = NAN
    vertical_rate_mps: float = NAN  # version 1.1
    rcs_dbsm: float = NAN
    radial_velocity_mps: float = NAN


def read_detections(payload: object, node_id: str, max_batch: int) -> list[Detection]:
    """A ``detections`` payload (a JSON object or an array of 1…``max_batch`` objects)
    → its detections; raises ``Invalid`` for the first fault (the whole message fails)."""
    if type(payload) is dict:
        return [read_detection(payload, node_id)]
    if type(payload) is not list:
        raise v.Invalid("type", "detections payload is neither an object nor an array")
    if not 1 <= len(payload) <= max_batch:
        raise v.Invalid("batch", f"{len(payload)} detections, 1 to {max_batch} allowed")
    out = []
    for i, item in enumerate(payload):
        if type(item) is not dict:
            raise v.Invalid("type", f"detection {i} is not an object")
        out.append(read_detection(item, node_id))
    return out


_DETECTION: v.Table = {
    "t": ("t", v.time_value),
    "az": ("az_deg", v.number(0.0, 360.0)),
    "el": ("el_deg", v.number(-90.0, 90.0)),
    "range": ("range_m", v.number(0.0, MAX_RANGE_M, open_lo=True)),
    "lat": ("lat_deg", v.number(-90.0, 90.0)),
    "lon": ("lon_deg", v.number(-180.0, 180.0)),
    "alt": ("alt_m", v.number(*TARGET_ALT_M)),
    "sigma_az": ("sigma_az_deg", v.number(0.0, 180.0, open_lo=True)),
    "sigma_el": ("sigma_el_deg", v.number(0.0, 90.0, open_lo=True)),
    "sigma_range": ("sigma_range_m", v.number(0.0, MAX_SIGMA_M, open_lo=True)),
    "sigma_h": ("sigma_h_m", v.number(0.0, MAX_SIGMA_M, open_lo=True)),
    "sigma_v": ("sigma_v_m", v.number(0.0, MAX_SIGMA_M, open_lo=True)),
    "class": ("declared_class", v.choice(CLASSES)),
    "conf": ("confidence", v.number(0.0, 1.0)),
    "id": ("track_id", v.identifier(MAX_TRACK_ID)),
    "uid": ("uid", v.pattern(UID, MAX_UID)),
    "protocol": ("protocol", v.text(MAX_PROTOCOL)),
    "freq": ("freq_hz", v.number(0.0, MAX_FREQUENCY_HZ, open_lo=True)),
    "bw": ("bw_hz", v.number(0.0, MAX_FREQUENCY_HZ, open_lo=True)),
    "rssi": ("rssi_dbm", v.number(*RSSI_DBM)),
    "snr": ("snr_db", v.number(*SNR_DB)),
    "vrate": ("vertical_rate_mps", v.number(*VERTICAL_RATE_MPS)),
    "rcs": ("rcs_dbsm", v.number(*RCS_DBSM)),
    "doppler": ("radial_velocity_mps", v.number(*DOPPLER_MPS)),
}


def read_detection(obj: v.Obj, node_id: str) -> Detection:
    v.check_common(obj, node_id)
    fields = v.read_members(obj, _DETECTION)
    fix = ("lat_deg" in fields) + ("lon_deg" in fields) + ("alt_m" in fields)
    bearing = "az_deg" in fields
    if bearing == (fix > 0):
        raise v.Invalid("geometry", "a detection has either az or lat/lon/alt")
    if bearing:
        if fields["az_deg"] == 360.0:
            fields["az_deg"] = 0.0
    elif fix < 3:
        raise v.Invalid("missing", "a position fix needs lat, lon and alt")
    return Detection(**fields)


@dataclass(frozen=True, slots=True)
class Assumed:
    """The elevation given to a ranged detection that measured none (adapter settings)."""

    target_height_m: float
    sigma_el_deg: float


def report_for(
    node_id: str, det: Detection, reg: NodeRegistration, t: float, assumed: Assumed
) -> Report:
    """The ``Report`` of a detection measured at ``t``; raises ``Invalid("no_sigma")``."""
    if not math.isnan(det.lat_deg):
        return Report(
            sensor=node_id,
            sensor_kind=reg.kind,
            measurement=MeasurementKind.POSITION,
            t_measured=t,
            lat_deg=det.lat_deg,
            lon_deg=det.lon_deg,
            alt_m=det.alt_m,
            sigma_horizontal_m=_sigma(det.sigma_h_m, reg.sigma_h_m, "sigma_h"),
            sigma_vertical_m=_sigma(det.sigma_v_m, reg.sigma_v_m, "sigma_v"),
            identity=icao_identity(det.uid),
            declared_class=det.declared_class,
            class_confidence=det.confidence,
            vertical_rate_mps=det.vertical_rate_mps,
            rcs_dbsm=det.rcs_dbsm,
            radial_velocity_mps=det.radial_velocity_mps,
        )
    el, sigma_el = det.el_deg, NAN
    if not math.isnan(el):  # measured: its sigma if one is known
        sigma_el = _or(det.sigma_el_deg, reg.sigma_el_deg)
    sigma_range = _or(det.sigma_range_m, reg.sigma_range_m)
    measurement = MeasurementKind.BEARING
    if not math.isnan(det.range_m) and not math.isnan(sigma_range):
        measurement = MeasurementKind.RADAR
        if math.isnan(sigma_el):
            if math.isnan(el):
                ratio = max(-1.0, min(1.0, assumed.target_height_m / det.range_m))
                el = math.degrees(math.asin(ratio))
            sigma_el = assumed.sigma_el_deg
    else:
        sigma_range = NAN
    return Report(
        sensor=node_id,
        sensor_kind=reg.kind,
        measurement=measurement,
        t_measured=t,
        range_m=det.range_m,
        azimuth_deg=det.az_deg,
        elevation_deg=el,
        sigma_range_m=sigma_range,
        sigma_azimuth_deg=_sigma(det.sigma_az_deg, reg.sigma_az_deg, "sigma_az"),
        sigma_elevation_deg=sigma_el,
        identity=icao_identity(det.uid),
        declared_class=det.declared_class,
        class_confidence=det.confidence,
        vertical_rate_mps=det.vertical_rate_mps,
        rcs_dbsm=det.rcs_dbsm,
        radial_velocity_mps=det.radial_velocity_mps,
    )


def _or(first: float, second: float) -> float:
    return second if math.isnan(first) else first


def _sigma(first: float, second: float, name: str) -> float:
    sigma = _or(first, second)
    if math.isnan(sigma):
        raise v.Invalid("no_sigma", f"{name} is given neither by the detection nor the node")
    return sigma
