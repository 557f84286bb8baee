"""SBS-1 BaseStation CSV, as dump1090, dump1090-fa and readsb serve it on TCP port 30003 (the
Kinetic SBS-1 "socket data" format): one line per message, 22 comma-separated fields

    MSG, transmission type 1–8, session, aircraft, hex ident, flight, date generated,
    time generated, date logged, time logged, callsign, altitude (ft), ground speed (kt),
    track (°), latitude, longitude, vertical rate (ft/min), squawk, alert, emergency, SPI,
    on ground

MSG,1 identification → ``Identity``; MSG,2 surface position and MSG,3 airborne position (the
receiver has already decoded the CPR) → ``Report``; MSG,4 velocity is kept and merged into the
aircraft's next positions; MSG,5–8 (surveillance altitude, squawk, all-call) update the aircraft.
An altitude ending in "H" (dump1090 ``--gnss``) is GNSS height. SEL, ID, AIR, STA and CLK
lines are accepted and unused.

Time: the receiver writes its own clock — local time in dump1090-fa, UTC in readsb — with no
zone. The "generated" date/time is used when, after removing the whole number of quarter hours
nearest to its difference from ``t_receive`` (the zone), it lies within ``sbs_time_window_s`` of
``t_receive``; otherwise ``t_receive`` is the measurement time.

Rejects: "sbs" (not a known record, too few fields, bad transmission type), "address",
"number" (a field that is not a number), "position" (latitude/longitude out of range),
"range" (beyond the receiver's maximum range), "vertical_rate" (beyond the ±32,704 ft/min
ADS-B can carry). A lower-case hex ident is the same ICAO address as its upper case.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from dronewall.sensors.feed import FeedOutput, Identity
from dronewall.sensors.modes import cpr
from dronewall.sensors.modes.aircraft import Aircraft
from dronewall.sensors.modes.decoder import IDENTITY_REPEAT_S, ModeSDecoder
from dronewall.sensors.modes.reports import (
    BARO_FALLBACK_AGE_S,
    height,
    position_report,
    sigma_horizontal,
    surface_report,
)
from dronewall.sensors.modes.settings import ReceiverSettings

MAX_LINE = 1024  # an SBS line is under 200 characters (dump1090 reserves 200)
_OTHER_RECORDS = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
_HEX = frozenset("0123456789abcdefABCDEF")
_KINDS = frozenset("12345678")  # MSG transmission types
_POSITION_FIELDS = 16  # up to the longitude
QUARTER_HOUR_S = 900.0  # time zones are whole quarter hours from UTC
MAX_ZONE_S = 14 * 3600.0  # UTC−12 … UTC+14
MAX_VERTICAL_RATE_FPM = 511 * 64  # the largest TC 19 vertical rate (9 bits of 64 ft/min)


class SbsError(ValueError):
    """A reject reason for one line."""


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise SbsError("number") from None
    if not math.isfinite(value):
        raise SbsError("number")
    return value


def _altitude(text: str) -> tuple[float | None, bool]:
    """(feet, is GNSS height)."""
    text = text.strip()
    gnss = text.endswith("H")
    return _number(text[:-1] if gnss else text), gnss


@lru_cache(maxsize=8)
def _day_start(date: str) -> float:
    year, month, day = (int(part) for part in date.split("/"))
    return (dt.date(year, month, day).toordinal() - 719_163) * 86_400.0  # 719163: 1970-01-01


def measurement_time(date: str, clock: str, t_receive: float, window_s: float) -> float:
    """The generated time of a line, if trustworthy (module docstring); else ``t_receive``."""
    try:
        hours, minutes, seconds = clock.split(":")
        naive = _day_start(date.strip()) + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except (ValueError, OverflowError):
        return t_receive
    if not math.isfinite(naive):
        return t_receive
    zone = round((t_receive - naive) / QUARTER_HOUR_S) * QUARTER_HOUR_S
    t = naive + zone
    return t if abs(zone) <= MAX_ZONE_S and abs(t - t_receive) <= window_s else t_receive


class SbsAdapter:
    """SBS-1 BaseStation stream of one receiver → ``output`` (the feed contract).

    With ``decoder`` given (shared with another framing of the same receiver) its settings are
    used, not ``settings``.
    """

    def __init__(
        self,
        key: str,
        settings: ReceiverSettings | None = None,
        *,
        decoder: ModeSDecoder | None = None,
    ):
        self.decoder = decoder if decoder is not None else ModeSDecoder(key, settings)
        if self.decoder.key != key:
            raise ValueError(f"decoder is for receiver {self.decoder.key!r}, not {key!r}")
        self.key = key
        self.settings = self.decoder.settings
        self.output = FeedOutput()
        self._partial = b""

    def receive(self, data: bytes, t_receive: float) -> None:
        """Decode the lines completed by ``data`` (bytes read at wall time ``t_receive``)."""
        text = self._partial + data if self._partial else data
        lines = text.split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE:
            self._partial = b""
            self.output.reject("sbs", "over-long line")
        for raw in lines:
            line = raw.strip()
            if line:
                self.line(line, t_receive)

    def line(self, raw: bytes, t_receive: float) -> None:
        """Decode one line (without its end of line)."""
        try:
            fields = raw.decode("ascii").split(",")
            self._fields(fields, t_receive)
        except UnicodeDecodeError:
            self.output.reject("sbs", raw[:40].hex())
        except SbsError as error:
            self.output.reject(str(error), raw[:80].decode("ascii", "replace"))
        else:
            self.output.messages += 1

    def _fields(self, fields: list[str], t_receive: float) -> None:
        record = fields[0].strip()
        if record in _OTHER_RECORDS:
            self.decoder.unused["sbs_other"] += 1
            return
        if record != "MSG" or len(fields) < 11 or fields[1].strip() not in _KINDS:
            raise SbsError("sbs")
        kind = int(fields[1])
        t = measurement_time(fields[6], fields[7], t_receive, self.settings.sbs_time_window_s)
        ac = self._aircraft(fields[4].strip(), t)
        if kind == 1:
            self._identification(ac, fields[10].strip(), t)
        elif kind in (2, 3):
            self._position(ac, fields, t, surface=kind == 2)
        elif kind == 4:
            self._velocity(ac, fields, t)
        elif kind in (5, 7):
            alt, gnss = _altitude(fields[11]) if len(fields) > 11 else (None, False)
            if alt is not None and not gnss:
                ac.baro_ft, ac.baro_t = alt, t
        elif kind == 6 and len(fields) > 17 and fields[17].strip():
            ac.squawk = fields[17].strip()

    def _aircraft(self, ident: str, t: float) -> Aircraft:
        icao = not ident.startswith("~")
        digits = ident if icao else ident[1:]
        if len(digits) != 6 or not _HEX.issuperset(digits):
            raise SbsError("address")
        ac = self.decoder.table.touch(int(digits, 16), icao, t)
        ac.verified_seen = max(ac.verified_seen, t)  # the receiver checked its parity
        return ac

    def _identification(self, ac: Aircraft, callsign: str, t: float) -> None:
        if not callsign:
            self.decoder.unused["sbs_empty"] += 1
            return
        changed = callsign != ac.callsign
        ac.callsign = callsign
        if changed or t - ac.identity_sent_t >= IDENTITY_REPEAT_S:
            ac.identity_sent_t = t
            self.output.identities.append(Identity(ac.identity, t, callsign, ac.category))

    def _velocity(self, ac: Aircraft, fields: list[str], t: float) -> None:
        if len(fields) < 17:
            raise SbsError("sbs")
        gs, track = _number(fields[12]), _number(fields[13])
        vr, _geometric = _altitude(fields[16])
        if vr is not None and abs(vr) > MAX_VERTICAL_RATE_FPM:
            raise SbsError("vertical_rate")  # before anything of the line is believed
        if gs is not None and track is not None:
            ac.gs_kt, ac.track_deg, ac.vel_t = gs, track % 360.0, t
        if vr is not None:
            ac.vr_fpm, ac.vr_t = vr, t

    def _position(self, ac: Aircraft, fields: list[str], t: float, surface: bool) -> None:
        if len(fields) < _POSITION_FIELDS:
            raise SbsError("sbs")
        lat, lon = _number(fields[14]), _number(fields[15])
        alt, gnss = _altitude(fields[11])
        if alt is not None and not gnss:
            ac.baro_ft, ac.baro_t = alt, t
        if lat is None or lon is None:
            self.decoder.unused["sbs_no_position"] += 1
            return
        if abs(lat) > 90 or abs(lon) > 180:
            raise SbsError("position")
        settings = self.settings
        rx = (settings.lat_deg, settings.lon_deg)
        if settings.has_position and cpr.distance_m(*rx, lat, lon) > settings.max_range_m:
            raise SbsError("range")
        ac.lat, ac.lon, ac.pos_t, ac.pos_is_reference = lat, lon, t, True
        self._report(ac, (lat, lon), t, surface, (alt, gnss), fields)

    def _report(
        self,
        ac: Aircraft,
        fix: tuple[float, float],
        t: float,
        surface: bool,
        altitude: tuple[float | None, bool],
        fields: list[str],
    ) -> None:
        settings, unused = self.settings, self.decoder.unused
        sigma_h = sigma_horizontal(ac, 0, surface, settings)
        if surface:
            if not (settings.surface_reports and math.isfinite(settings.alt_m)):
                unused["surface"] += 1
                return
            motion = (_number(fields[12]), _number(fields[13]))
            report = surface_report(self.key, ac, fix, t, motion, sigma_h, settings)
            self.output.reports.append(report)
            return
        alt_ft, gnss = altitude
        if alt_ft is None and t - ac.baro_t <= BARO_FALLBACK_AGE_S:
            alt_ft, gnss = ac.baro_ft, False
        if alt_ft is None or not math.isfinite(alt_ft):
            unused["no_altitude"] += 1
            return
        alt = height(ac, alt_ft, gnss, t, settings)
        self.output.reports.append(position_report(self.key, ac, fix, t, alt, sigma_h))
