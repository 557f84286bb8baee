"""``ModeSDecoder``: Mode S / ADS-B frames of one receiver → reports and identities (the shared
state of the Beast, AVR and SBS adapters). Frame and parity rules: ``frame.py``; ME fields:
``me.py`` (DO-260B); CPR policy: ``positions.py``; report fields: ``reports.py``.

Every frame ends as exactly one of: an accepted message (``FeedOutput.messages``; what it gave
nothing to report for is counted by kind in ``unused``) or a reject by reason: "length", "df",
"crc" (framing / parity), "callsign" (illegal character), "unknown_icao" (an address recovered
from AP parity that no DF11/17/18 has proved — most likely a corrupt reply), "cpr" (an
implausible position jump), "range" (beyond the receiver's maximum range).
"""

from __future__ import annotations

import math
from collections import Counter

from dronewall.sensors.feed import FeedOutput, Identity
from dronewall.sensors.modes import me as es
from dronewall.sensors.modes.accuracy import containment_radius_m
from dronewall.sensors.modes.aircraft import Aircraft, AircraftTable, CprFrame
from dronewall.sensors.modes.altitude import ac13_ft, squawk
from dronewall.sensors.modes.frame import Frame, parse
from dronewall.sensors.modes.positions import PositionResolver
from dronewall.sensors.modes.reports import (
    BARO_FALLBACK_AGE_S,
    height,
    position_report,
    sigma_horizontal,
    surface_report,
)
from dronewall.sensors.modes.settings import ReceiverSettings

# An identification (every 5 s per aircraft) is passed on when it changes, else this often.
IDENTITY_REPEAT_S = 30.0
_TISB_UNUSED = (3, 4, 7)  # DF18 CF 3 coarse TIS-B, 4 management, 7 reserved: other ME formats


class ModeSDecoder:
    """Decodes one receiver's frames; keeps what each aircraft said (``table``)."""

    def __init__(self, key: str, settings: ReceiverSettings | None = None):
        self.key = key
        self.settings = settings if settings is not None else ReceiverSettings()
        self.table = AircraftTable()
        self.resolver = PositionResolver(self.settings)
        self.unused: Counter[str] = Counter()  # accepted messages with nothing to report

    def decode(self, msg: bytes, t: float, out: FeedOutput) -> None:
        """Decode one frame (7 or 14 bytes) received at ``t``; never raises on bad input."""
        frame = parse(msg)
        if isinstance(frame, str):
            out.reject(frame, msg.hex())
            return
        if frame.df in (17, 18):
            reason = self._squitter(frame, t, out)
        elif frame.df == 11:
            self.table.touch(frame.address, True, t).verified_seen = t
            self.unused["all_call"] += 1
            reason = None
        elif frame.df == 19:
            self.unused["military"] += 1
            reason = None
        else:
            reason = self._reply(frame, t)
        if reason is None:
            out.messages += 1
        else:
            out.reject(reason, msg.hex())

    def _reply(self, frame: Frame, t: float) -> str | None:
        """DF0/4/5/16/20/21/24: altitude or identity for an address proved before."""
        ac = self.table.known_address(frame.address, t)
        if ac is None:
            return "unknown_icao"
        ac.last_seen = max(ac.last_seen, t)
        if frame.df in (5, 21):
            ac.squawk = squawk(frame.code)
        elif frame.df != 24:
            alt = ac13_ft(frame.code)
            if alt is not None:
                ac.baro_ft, ac.baro_t = float(alt), t
        self.unused["surveillance"] += 1
        return None

    def _squitter(self, frame: Frame, t: float, out: FeedOutput) -> str | None:
        """DF17/18: one ADS-B message."""
        if frame.df == 18 and frame.code in _TISB_UNUSED:
            self.unused["tisb"] += 1
            return None
        record = es.decode_me(frame.me)
        if isinstance(record, str):
            return record
        ac = self.table.touch(frame.address, frame.icao, t)
        ac.verified_seen = t
        if isinstance(record, es.AirbornePosition):
            return self._airborne(ac, record, t, out)
        if isinstance(record, es.Velocity):
            _velocity(ac, record, t)
        elif isinstance(record, es.Identification):
            self._identification(ac, record, t, out)
        elif isinstance(record, es.SurfacePosition):
            return self._surface(ac, record, t, out)
        elif isinstance(record, es.OperationalStatus):
            _operational_status(ac, record, t)
        elif isinstance(record, es.TargetState):
            ac.version = 2 if ac.version < 0 else ac.version  # TC 29 subtype 1 is version 2
            ac.nacp, ac.nacp_t, ac.sil = record.nacp, t, record.sil
        elif isinstance(record, es.AircraftStatus):
            ac.squawk, ac.emergency = record.squawk, record.emergency
        else:
            self.unused[f"tc{frame.me >> 51}"] += 1
        return None

    def _airborne(
        self, ac: Aircraft, pos: es.AirbornePosition, t: float, out: FeedOutput
    ) -> str | None:
        if pos.alt_ft is not None and not pos.gnss:
            ac.baro_ft, ac.baro_t = float(pos.alt_ft), t
        frame = CprFrame(pos.lat_cpr, pos.lon_cpr, t, False)
        fix = self.resolver.airborne(ac, frame, pos.odd)
        if isinstance(fix, str):
            return self._miss(fix)
        ac.rc_m = containment_radius_m(pos.type_code, max(ac.version, 0), ac.nic_a, pos.nic_b, 0)
        alt_ft = float(pos.alt_ft) if pos.alt_ft is not None else math.nan
        if pos.alt_ft is None and not pos.gnss and t - ac.baro_t <= BARO_FALLBACK_AGE_S:
            alt_ft = ac.baro_ft
        if not math.isfinite(alt_ft):
            self.unused["no_altitude"] += 1
            return None
        alt = height(ac, alt_ft, pos.gnss, t, self.settings)
        sigma_h = sigma_horizontal(ac, pos.type_code, False, self.settings)
        out.reports.append(position_report(self.key, ac, fix, t, alt, sigma_h))
        return None

    def _surface(
        self, ac: Aircraft, pos: es.SurfacePosition, t: float, out: FeedOutput
    ) -> str | None:
        frame = CprFrame(pos.lat_cpr, pos.lon_cpr, t, True)
        fix = self.resolver.surface(ac, frame, pos.odd)
        if isinstance(fix, str):
            return self._miss(fix)
        ac.rc_m = containment_radius_m(pos.type_code, max(ac.version, 0), ac.nic_a, 0, ac.nic_c)
        if not (self.settings.surface_reports and math.isfinite(self.settings.alt_m)):
            self.unused["surface"] += 1
            return None
        sigma_h = sigma_horizontal(ac, pos.type_code, True, self.settings)
        motion = (pos.speed_kt, pos.track_deg)
        out.reports.append(surface_report(self.key, ac, fix, t, motion, sigma_h, self.settings))
        return None

    def _miss(self, miss: str) -> str | None:
        if miss == "wait":
            self.unused["cpr_wait"] += 1
            return None
        return miss

    def _identification(
        self, ac: Aircraft, ident: es.Identification, t: float, out: FeedOutput
    ) -> None:
        changed = (ident.callsign, ident.category) != (ac.callsign, ac.category)
        ac.callsign, ac.category = ident.callsign, ident.category
        if changed or t - ac.identity_sent_t >= IDENTITY_REPEAT_S:
            ac.identity_sent_t = t
            out.identities.append(Identity(ac.identity, t, ac.callsign, ac.category))
        else:
            self.unused["identity_repeat"] += 1


def _velocity(ac: Aircraft, vel: es.Velocity, t: float) -> None:
    if vel.gs_kt is not None and vel.track_deg is not None:
        ac.gs_kt, ac.track_deg, ac.vel_t = vel.gs_kt, vel.track_deg, t
    if vel.airspeed_kt is not None:
        ac.airspeed_kt, ac.air_t = vel.airspeed_kt, t
    if vel.vr_fpm is not None:
        ac.vr_fpm, ac.vr_t = float(vel.vr_fpm), t
    if vel.geo_minus_baro_ft is not None:
        ac.geo_minus_baro_ft, ac.geo_t = float(vel.geo_minus_baro_ft), t


def _operational_status(ac: Aircraft, status: es.OperationalStatus, t: float) -> None:
    ac.version = status.version
    if status.nacp is None:
        return
    ac.nic_a, ac.nacp, ac.nacp_t = status.nic_a, status.nacp, t
    if status.sil is not None:
        ac.sil = status.sil
    if status.gva is not None:
        ac.gva = status.gva
    if status.nic_c is not None:
        ac.nic_c = status.nic_c
