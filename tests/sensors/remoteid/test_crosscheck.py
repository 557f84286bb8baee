"""Cross-check of the Remote ID decoder against two independent implementations, whose
outputs were recorded offline on the same 1267 messages (``corpus/reference/`` says how):

* opendroneid-core-c (Apache-2.0, commit beb5639), the reference library of the Open Drone ID
  project, through our harness ``opendroneid_decode.c`` → ``corpus/opendroneid.jsonl``;
* librid by Mika Tuupola (MIT, commit 20c5032), through its ``rid`` CLI → ``librid.jsonl``.

The messages: 1200 seeded ones (encoded records with unknown values, and 330 random bodies
behind valid headers) and the 67 distinct messages of the public captures.

Where both accept a message, every field must agree. Where they differ in what they accept,
the difference must be one of the documented policies, checked here from the raw bytes:
opendroneid-core-c validates almost nothing (we reject positions beyond ±90°/±180°, tracks
over 361°, vertical speeds beyond ±62 m/s, timestamps past the hour, and identifiers that
are not printable ASCII); librid also validates the serial number / UUID formats and the
Self-ID characters, which we do not.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid.decode import RemoteIdError, decode_message
from dronewall.sensors.remoteid.messages import (
    AuthPage,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)
from tests.sensors.remoteid.helpers import CORPUS, jsonl

EPOCH = f.SYSTEM_EPOCH_POSIX
ODID = jsonl("opendroneid.jsonl")
LIBRID = jsonl("librid.jsonl")
INPUTS = (CORPUS / "inputs.txt").read_text().split()


def _ours(hex_msg: str) -> Message | RemoteIdError:
    try:
        return decode_message(bytes.fromhex(hex_msg))
    except RemoteIdError as err:
        return err


def _same(ours: float, theirs: float | None, tol: float = 1e-6) -> bool:
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return math.isnan(ours)
    return abs(ours - theirs) <= tol


def _unknown_or(value: float, *unknown: float) -> float:
    return math.nan if value in unknown else value


def _printable(raw: bytes) -> bool:
    return all(0x20 <= b <= 0x7E for b in raw.rstrip(b"\0"))


def test_the_recordings_cover_the_same_messages() -> None:
    assert len(INPUTS) == len(ODID) == len(LIBRID) == 1267
    assert [r["hex"] for r in ODID] == INPUTS
    assert [r["hex"] for r in LIBRID] == INPUTS
    kinds = {int(h[0], 16) for h in INPUTS}
    assert {0, 1, 2, 3, 4, 5} <= kinds  # and some damaged captured messages


# opendroneid-core-c ---------------------------------------------------------------------


def _location_range_error(rec: dict[str, Any]) -> bool:
    """The values opendroneid-core-c decodes without checking, that our decoder rejects."""
    return (
        abs(rec["lat"]) > 90
        or abs(rec["lon"]) > 180
        or rec["direction"] > 361
        or (abs(rec["speed_v"]) > 62 and rec["speed_v"] != 63)
        or 3600 < rec["timestamp"] < 65535
    )


def _check_location(ours: Location, rec: dict[str, Any]) -> None:
    both_zero = rec["lat"] == 0 and rec["lon"] == 0
    assert ours.status == rec["status"] and ours.height_type == rec["height_type"]
    assert _same(ours.direction_deg, _unknown_or(rec["direction"] % 360, 361 % 360)) or (
        rec["direction"] == 361 and math.isnan(ours.direction_deg)
    )
    assert _same(ours.speed_mps, _unknown_or(rec["speed_h"], 255.0))
    assert _same(ours.vertical_speed_mps, _unknown_or(rec["speed_v"], 63.0))
    assert _same(ours.lat_deg, math.nan if both_zero else rec["lat"], 1e-9)
    assert _same(ours.lon_deg, math.nan if both_zero else rec["lon"], 1e-9)
    assert _same(ours.pressure_alt_m, _unknown_or(rec["alt_baro"], -1000.0))
    assert _same(ours.geodetic_alt_m, _unknown_or(rec["alt_geo"], -1000.0))
    assert _same(ours.height_m, _unknown_or(rec["height"], -1000.0))
    assert ours.horizontal_accuracy == rec["h_acc"] and ours.vertical_accuracy == rec["v_acc"]
    assert ours.baro_accuracy == rec["baro_acc"] and ours.speed_accuracy == rec["speed_acc"]
    assert _same(ours.timestamp_s, _unknown_or(rec["timestamp"], 65535.0), 5e-4)  # float32
    assert _same(ours.timestamp_accuracy_s, rec["ts_acc"] / 10 if rec["ts_acc"] else None)


def _check_system(ours: System, rec: dict[str, Any]) -> None:
    both_zero = rec["op_lat"] == 0 and rec["op_lon"] == 0
    assert ours.operator_location_type == rec["op_loc_type"]
    assert ours.classification_type == rec["class_type"]
    assert _same(ours.operator_lat_deg, math.nan if both_zero else rec["op_lat"], 1e-9)
    assert _same(ours.operator_lon_deg, math.nan if both_zero else rec["op_lon"], 1e-9)
    assert ours.area_count == rec["area_count"] and ours.area_radius_m == rec["area_radius"]
    assert _same(ours.area_ceiling_m, _unknown_or(rec["area_ceiling"], -1000.0))
    assert _same(ours.area_floor_m, _unknown_or(rec["area_floor"], -1000.0))
    assert ours.category_eu == rec["category_eu"] and ours.class_eu == rec["class_eu"]
    assert _same(ours.operator_alt_m, _unknown_or(rec["op_alt"], -1000.0))
    assert _same(ours.timestamp, EPOCH + rec["sys_ts"] if rec["sys_ts"] else None)


def _check_auth(ours: AuthPage, rec: dict[str, Any]) -> None:
    assert (ours.auth_type, ours.page) == (rec["auth_type"], rec["page"])
    assert (ours.last_page, ours.length) == (rec["last_page"], rec["length"])
    assert _same(ours.timestamp, EPOCH + rec["auth_ts"] if rec["auth_ts"] else None)
    assert ours.data.hex() == rec["data"]


def _check_basic_id(ours: BasicId, rec: dict[str, Any], raw: bytes) -> None:
    assert (ours.id_type, ours.ua_type) == (rec["id_type"], rec["ua_type"])
    if ours.id_type in (1, 2):
        assert ours.uas_id == rec["uas_id"].strip()
    elif ours.id_type == 3:
        assert ours.uas_id == str(uuid.UUID(bytes=raw[2:18]))
    elif ours.id_type == 4:
        assert ours.uas_id == raw[2:22].rstrip(b"\0").hex().upper()


def _text_like_core_c(text: str) -> str:
    return "".join(c if " " <= c <= "~" else "?" for c in text).rstrip()


@pytest.mark.parametrize("index", range(len(ODID)))
def test_fields_agree_with_opendroneid_core_c(index: int) -> None:
    rec, raw = ODID[index], bytes.fromhex(INPUTS[index])
    ours = _ours(INPUTS[index])
    if not rec["ok"]:  # core-c refuses unknown types and impossible authentication pages
        assert isinstance(ours, RemoteIdError)
        if ours.reason == "range":
            assert raw[0] >> 4 == f.MessageType.AUTH and raw[1] & 0x0F == 0
        else:
            assert ours.reason in ("type", "pack", "version") and raw[0] >> 4 > 5
        return
    if isinstance(ours, RemoteIdError):
        if ours.reason == "version":  # core-c does not look at the protocol version
            assert raw[0] & 0x0F > f.MAX_PROTOCOL_VERSION
        elif ours.reason == "text":  # an ID with bytes that are not printable ASCII
            assert rec["type"] in (0, 5) and not _printable(raw[2:22])
        else:
            assert ours.reason == "range"
            if rec["type"] == 1:
                assert _location_range_error(rec)
            else:
                assert rec["type"] == 4 and (abs(rec["op_lat"]) > 90 or abs(rec["op_lon"]) > 180)
        return
    if isinstance(ours, Location):
        assert not _location_range_error(rec)
        _check_location(ours, rec)
    elif isinstance(ours, System):
        _check_system(ours, rec)
    elif isinstance(ours, AuthPage):
        _check_auth(ours, rec)
    elif isinstance(ours, BasicId):
        assert ours.id_type not in (1, 2) or _printable(raw[2:22])
        _check_basic_id(ours, rec, raw)
    elif isinstance(ours, SelfId):
        assert ours.description_type == rec["desc_type"]
        assert ours.description == _text_like_core_c(rec["desc"])
    else:
        assert isinstance(ours, OperatorId) and _printable(raw[2:22])
        assert (ours.operator_id_type, ours.operator_id) == (rec["op_id_type"], rec["op_id"])


# librid -------------------------------------------------------------------------------

LIBRID_RANGE = {
    "Error: RID_ERROR_INVALID_LATITUDE",
    "Error: RID_ERROR_INVALID_LONGITUDE",
    "Error: RID_ERROR_INVALID_TIMESTAMP",
}
LIBRID_STRICTER = {
    "Error: RID_ERROR_INVALID_UUID_VERSION",  # UTM UUIDs must be RFC 4122 version 4
    "Error: RID_ERROR_INVALID_UUID_VARIANT",
    "Error: RID_ERROR_INVALID_SERIAL_NUMBER",  # ANSI/CTA-2063-A serial format checked
    "Error: RID_ERROR_INVALID_CAA_REGISTRATION_ID",  # registration format checked
    "Error: RID_ERROR_INVALID_CHARACTER",  # Self-ID text must be printable
    "Error: RID_ERROR_INVALID_TRACK_DIRECTION",  # an east-segment byte of 180..255
    "unparsable output",  # librid printed control bytes inside a JSON string
}


def _check_librid_location(ours: Location, d: dict[str, Any]) -> None:
    assert _same(ours.lat_deg, d["latitude"], 1e-7) and _same(ours.lon_deg, d["longitude"], 1e-7)
    assert _same(ours.geodetic_alt_m, d["geodetic_altitude"], 0.01)
    assert _same(ours.pressure_alt_m, d["pressure_altitude"], 0.01)
    assert _same(ours.height_m, d["height"], 0.01) and ours.height_type == d["height_type"]
    assert _same(ours.speed_mps, d["speed"], 0.01)
    assert _same(ours.vertical_speed_mps, d["vertical_speed"], 0.01)
    track = d["track_direction"]  # librid keeps 360 where we read north as 0
    assert _same(ours.direction_deg, None if track is None else track % 360)
    assert ours.status == d["operational_status"]
    assert (ours.horizontal_accuracy, ours.vertical_accuracy) == (
        d["horizontal_accuracy"],
        d["vertical_accuracy"],
    )
    assert (ours.speed_accuracy, ours.baro_accuracy) == (
        d["speed_accuracy"],
        d["baro_altitude_accuracy"],
    )
    ts = d["timestamp"]
    assert _same(ours.timestamp_s, None if ts is None else ts / 10, 1e-6)
    assert _same(ours.timestamp_accuracy_s, d["timestamp_accuracy"] / 10 or None)


def _check_librid_system(ours: System, d: dict[str, Any]) -> None:
    assert _same(ours.operator_lat_deg, d["operator_latitude"], 1e-7)
    assert _same(ours.operator_lon_deg, d["operator_longitude"], 1e-7)
    assert ours.operator_location_type == d["operator_location_type"]
    assert ours.classification_type == d["classification_type"]
    assert (ours.category_eu, ours.class_eu) == (
        d["ua_classification_category"],
        d["ua_classification_class"],
    )
    assert ours.area_count == d["area_count"] and ours.area_radius_m == d["area_radius"]
    assert _same(ours.area_ceiling_m, d["area_ceiling"], 0.01)
    assert _same(ours.area_floor_m, d["area_floor"], 0.01)
    assert _same(ours.operator_alt_m, d["operator_altitude"], 0.01)
    assert _same(ours.timestamp, EPOCH + d["timestamp"] if d["timestamp"] else None)


def _check_librid(ours: Message, d: dict[str, Any]) -> None:
    if isinstance(ours, Location):
        _check_librid_location(ours, d)
    elif isinstance(ours, System):
        _check_librid_system(ours, d)
    elif isinstance(ours, BasicId):
        assert (ours.id_type, ours.ua_type) == (d["id_type"], d["ua_type"])
        if ours.id_type in (1, 2):
            assert ours.uas_id == d["uas_id"]
    elif isinstance(ours, OperatorId):
        assert ours.operator_id == d["operator_id"]
    elif isinstance(ours, SelfId):
        assert (ours.description_type, ours.description) == (
            d["description_type"],
            d["description"].rstrip(),
        )
    elif isinstance(ours, AuthPage):
        assert (ours.auth_type, ours.page) == (d["auth_type"], d["page_number"])
        if ours.page == 0:
            assert (ours.last_page, ours.length) == (d["last_page_index"], d["length"])
            assert _same(ours.timestamp, EPOCH + d["timestamp"] if d["timestamp"] else None)
        if ours.auth_type not in (0, 4):  # librid gives no data for "none", "network RID"
            assert ours.data.hex() == d["auth_data"]


@pytest.mark.parametrize("index", range(len(LIBRID)))
def test_fields_agree_with_librid(index: int) -> None:
    rec, raw = LIBRID[index], bytes.fromhex(INPUTS[index])
    ours = _ours(INPUTS[index])
    if not rec["ok"]:
        error = rec["error"]
        if error == "Error: RID_ERROR_UNKNOWN_MESSAGE_TYPE":
            assert isinstance(ours, RemoteIdError) and ours.reason in ("type", "pack", "version")
        elif error == "Error: RID_ERROR_INVALID_PROTOCOL_VERSION":
            assert isinstance(ours, RemoteIdError) and ours.reason == "version"
        elif error in LIBRID_RANGE:
            assert isinstance(ours, RemoteIdError) and ours.reason == "range"
        else:
            assert error in LIBRID_STRICTER, error
            if error == "Error: RID_ERROR_INVALID_TRACK_DIRECTION":
                degrees = raw[2] + (180 if raw[1] & 2 else 0)
                if degrees > 361:
                    assert isinstance(ours, RemoteIdError) and ours.reason == "range"
                else:  # east segment, byte 180..255: we read it as that many degrees
                    assert raw[2] >= 180 and not isinstance(ours, RemoteIdError)
        return
    if isinstance(ours, RemoteIdError):  # we are stricter: say where
        assert ours.reason in ("range", "text", "version")
        if ours.reason == "version":
            assert raw[0] & 0x0F > f.MAX_PROTOCOL_VERSION
        elif ours.reason == "text":
            assert not _printable(raw[2:22])
        elif raw[0] >> 4 == f.MessageType.AUTH:  # a last page over 15, a length too long
            assert raw[1] & 0x0F == 0 and (raw[2] >= 16 or raw[3] > 17 + 23 * raw[2])
        else:
            assert raw[0] >> 4 in (1, 4)
        return
    _check_librid(ours, rec["decoded"])


def test_the_two_implementations_and_ours_mostly_accept() -> None:
    """The policies above explain a minority: most messages are decoded by all three."""
    accepted = sum(
        1
        for i, h in enumerate(INPUTS)
        if LIBRID[i]["ok"] and ODID[i]["ok"] and not isinstance(_ours(h), RemoteIdError)
    )
    assert accepted > 0.75 * len(INPUTS)
