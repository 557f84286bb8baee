"""Recordings for the ingest tests and benchmark, made with the project's encoders: an
aircraft flying north at 200 m/s seen by an ASTERIX radar (``sensors.asterix.encode``), its
ADS-B as Beast/AVR/SBS (``tests/sensors/modes/encode.py``), a drone's Remote ID packs
(``sensors.remoteid.encode``) raw and as JSON lines, and an acoustic MQTT node's bearings as
a recording (``sensors.mqtt.record_line``). Times are given; every generator returns
``(t, bytes)`` pieces in time order."""

from __future__ import annotations

import math

import orjson

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.sensors.asterix.encode import Plot048, Service034, encode_cat034, encode_cat048
from dronewall.sensors.mqtt import record_line
from dronewall.sensors.remoteid.encode import encode_message, encode_pack
from dronewall.sensors.remoteid.messages import BasicId, Location
from tests.sensors.modes import encode as enc

T0 = 1_759_406_400.0  # 2025-10-02 12:00:00 UTC
DAY = 1_759_363_200.0  # its midnight
RADAR = (52.0, 4.5, 30.0)  # lat, lon, antenna height (m above the ellipsoid)
SAC, SIC = 25, 10
ICAO = 0x4840D6
SPEED = 200.0  # m/s, due north
M_PER_DEG = 111_250.0  # near 52°N, close enough for test tracks


def aircraft(t: float) -> tuple[float, float, float]:
    """Where the aircraft is at ``t``: 20 km south of the radar at T0 (and every 10 minutes
    after), flying north at 3,048 m (FL100)."""
    return RADAR[0] - 0.18 + SPEED * ((t - T0) % 600.0) / M_PER_DEG, RADAR[1] + 0.05, 3048.0


def _range_azimuth(t: float) -> tuple[float, float]:
    lat, lon, alt = aircraft(t)
    r = geodetic_to_ecef(lat, lon, alt).reshape(3) - geodetic_to_ecef(*RADAR).reshape(3)
    north = (lat - RADAR[0]) * M_PER_DEG
    east = (lon - RADAR[1]) * M_PER_DEG * math.cos(math.radians(RADAR[0]))
    return float(math.sqrt((r**2).sum())), math.degrees(math.atan2(east, north)) % 360


def asterix(seconds: int, t0: float = T0, period: float = 4.0) -> list[tuple[float, bytes]]:
    """A north marker (CAT034) and a plot (CAT048) every scan."""
    out = []
    for k in range(int(seconds / period)):
        t = t0 + k * period
        tod = (t - DAY) % 86_400
        out.append((t, encode_cat034([Service034(tod, 1, rotation_period_s=period)], SAC, SIC)))
        rng, az = _range_azimuth(t)
        plot = Plot048(tod, rng, az, mode3a=0o1234, flight_level=100.0, address=ICAO,
                       callsign="KLM1023")  # fmt: skip
        out.append((t + 0.01, encode_cat048([plot], SAC, SIC)))
    return out


def modes_frames(seconds: float, t0: float = T0, rate: float = 2.0) -> list[tuple[float, bytes]]:
    """Airborne positions, even and odd in turn, ``rate`` a second; an identification first."""
    out = [(t0, enc.extended_squitter(ICAO, enc.me_identification("A3", "KLM1023")))]
    for k in range(int(seconds * rate)):
        t = t0 + 0.05 + k / rate
        lat, lon, _ = aircraft(t)
        me = enc.me_airborne(lat, lon, k % 2 == 1, enc.ac12_q(10_000))
        out.append((t, enc.extended_squitter(ICAO, me)))
    return out


def beast(frames: list[tuple[float, bytes]], ticks0: int = 987_654_321) -> bytes:
    t0 = frames[0][0]
    return b"".join(enc.beast("3", f, ticks0 + round((t - t0) * 12e6)) for t, f in frames)


def avr(frames: list[tuple[float, bytes]], ticks0: int = 987_654_321) -> bytes:
    t0 = frames[0][0]
    return b"".join(enc.avr(f, ticks0 + round((t - t0) * 12e6)) for t, f in frames)


def sbs(seconds: float, t0: float = T0, zone_s: float = 0.0) -> list[tuple[float, bytes]]:
    """MSG,3 positions once a second, the clock ``zone_s`` ahead of UTC."""
    import datetime as dt

    out = []
    for k in range(int(seconds)):
        t = t0 + k
        lat, lon, _ = aircraft(t)
        when = dt.datetime.fromtimestamp(t + zone_s, dt.UTC).strftime("%Y/%m/%d,%H:%M:%S.%f")[:-3]
        line = enc.sbs(3, f"{ICAO:06X}", when, alt="10000", lat=f"{lat:.5f}", lon=f"{lon:.5f}")
        out.append((t, line))
    return out


def drone(t: float) -> tuple[float, float, float]:
    return RADAR[0] + 0.01 + 10.0 * (t - T0) / M_PER_DEG, RADAR[1] - 0.01, 120.0


def remoteid_packs(seconds: float, t0: float = T0) -> list[tuple[float, bytes]]:
    """A pack (Basic ID + Location) once a second."""
    out = []
    basic = encode_message(BasicId(1, 2, "1581F5FKD229400B2"))
    for k in range(int(seconds)):
        t = t0 + k
        lat, lon, alt = drone(t)
        loc = Location(status=2, direction_deg=0.0, speed_mps=10.0, vertical_speed_mps=0.0,
                       lat_deg=lat, lon_deg=lon, geodetic_alt_m=alt, horizontal_accuracy=10,
                       vertical_accuracy=4, timestamp_s=round(t % 3600, 1),
                       timestamp_accuracy_s=0.1)  # fmt: skip
        out.append((t, encode_pack([basic, encode_message(loc)])))
    return out


def remoteid_json(seconds: float, t0: float = T0) -> list[tuple[float, bytes]]:
    return [
        (t, orjson.dumps({"hex": pack.hex(), "t": t, "mac": "60:60:1f:71:93:3b"}) + b"\n")
        for t, pack in remoteid_packs(seconds, t0)
    ]


NODE = "ua-kv-ac-0042"
NODE_AT = (RADAR[0] + 0.02, RADAR[1], 50.0)


def mqtt_lines(
    seconds: float, t0: float = T0, prefix: str = "dronewall/v1"
) -> list[tuple[float, bytes]]:
    """A retained registration, then a bearing to the drone once a second."""
    reg = {"v": 1, "kind": "acoustic", "lat": NODE_AT[0], "lon": NODE_AT[1], "alt": NODE_AT[2],
           "sigma_az": 5.0, "max_range": 5000}  # fmt: skip
    out = [(t0 - 1, record_line(f"{prefix}/{NODE}/register", orjson.dumps(reg), t0 - 1, True))]
    for k in range(int(seconds)):
        t = t0 + k
        lat, lon, _ = drone(t)
        north = (lat - NODE_AT[0]) * M_PER_DEG
        east = (lon - NODE_AT[1]) * M_PER_DEG * math.cos(math.radians(lat))
        az = math.degrees(math.atan2(east, north)) % 360
        payload = orjson.dumps({"v": 1, "t": t, "az": round(az, 2)})
        out.append((t + 0.2, record_line(f"{prefix}/{NODE}/detections", payload, t + 0.2)))
    return out
