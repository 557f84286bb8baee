"""The ASTERIX feed adapter: CAT048 plots and CAT034 service messages (EUROCONTROL-SPEC-0149
Part 1 framing, Part 4 CAT048, Part 2b CAT034) into a ``FeedOutput``.

``receive(data, t_receive)`` takes one UDP datagram (whole data blocks, the usual transport:
multicast or unicast UDP) or, with ``stream=True``, any chunk of a raw recording or TCP stream
of back-to-back blocks: a block cut between two calls is kept until its end arrives, and a
stream knocked out of step by corrupt octets finds its step again (see ``BlockStream``).

One *message* is one record. Each is either accepted (``output.messages``, whether or not it
gave a report) or rejected by reason: ``category`` (a block of another category, one reject
per block), ``length``, ``truncated``, ``fspec``, ``item``, ``empty`` (block structure;
the rest of a block is lost after a malformed record, whose FSPEC cannot be trusted),
``unknown_sensor`` (a SAC/SIC with no settings and no default), ``no_source`` (no I048/010,
I034/010) and ``time`` (a time of day ≥ 86,400 s). Accepted records that give no report are
counted in ``skipped`` (see ``plots``). It never raises on input.

Out of each radar's CAT034 stream, every message but a sector crossing that says nothing new
becomes a ``SensorStatus`` (north markers are the once-a-scan heartbeat); its first message
of any kind announces the radar's configured ``SensorInfo``, and I034/120 a measured one.
A Mode S plot with a callsign gives an ``Identity`` when the callsign is new or a minute old.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from dronewall.sensors.asterix.blocks import BlockStream, decode_datagram
from dronewall.sensors.asterix.cat034 import SECTOR_CROSSING, Cat034Record
from dronewall.sensors.asterix.cat048 import Cat048Record
from dronewall.sensors.asterix.fields import AsterixError
from dronewall.sensors.asterix.plots import plot_report, skip_reason
from dronewall.sensors.asterix.service import (
    configured_info,
    sensor_info,
    sensor_status,
)
from dronewall.sensors.asterix.settings import RadarSettings, parse_sensor_key, sensor_key
from dronewall.sensors.asterix.timeofday import DAY_S, resolve_time_of_day
from dronewall.sensors.feed import FeedOutput, Identity, SensorStatus

UNKNOWN_SENSOR: Final = "unknown_sensor"
NO_SOURCE: Final = "no_source"
TIME: Final = "time"
# An aircraft's callsign is sent again at most this often (a listener joining late learns it
# within a minute; every scan would flood the identities with repeats).
IDENTITY_REPEAT_S: Final = 60.0
# Bound on the addresses remembered for that; cleared past it (a day of a busy radar sees a
# few thousand aircraft).
_MAX_IDENTITIES: Final = 100_000

Radar = tuple[str, RadarSettings]


class AsterixAdapter:
    """CAT048 + CAT034 bytes in, radar ``Report``s, ``Identity``s, ``SensorStatus``es and
    ``SensorInfo``s out.

    ``radars`` maps ``"SAC/SIC"`` keys to each radar's settings; records of any other source
    are rejected as ``unknown_sensor`` unless ``default`` settings are given: then they are
    reported under their own key with those settings, announced as a sensor of unknown
    position until its CAT034 I034/120 gives one (whose height then replaces the default's
    antenna height). ``stream=True`` reassembles blocks across calls (raw recordings, TCP);
    the default takes each call as one UDP datagram.
    """

    def __init__(
        self,
        radars: Mapping[str, RadarSettings],
        *,
        default: RadarSettings | None = None,
        stream: bool = False,
    ) -> None:
        self.output = FeedOutput()
        self.skipped: Counter[str] = Counter()  # accepted records that gave no report
        self._radars: dict[tuple[int, int], Radar] = {}
        for key, radar in radars.items():
            sac, sic = parse_sensor_key(key)
            self._radars[sac, sic] = (sensor_key(sac, sic), radar)
        self._default = default
        self._stream = BlockStream() if stream else None
        self._announced: set[str] = set()
        self._positions: dict[str, tuple[float, float, float]] = {}
        self._callsigns: dict[int, tuple[str, float]] = {}
        self._statuses: dict[str, SensorStatus] = {}
        self._defaulted: set[str] = set()  # keys reported with the default settings

    def receive(self, data: bytes, t_receive: float) -> None:
        """Decode one datagram (or stream chunk) that arrived at ``t_receive`` (POSIX s)."""
        data = bytes(data)
        blocks = self._stream.feed(data) if self._stream is not None else decode_datagram(data)
        for block in blocks:
            if isinstance(block, AsterixError):
                self.output.reject(block.reason, block.detail)
                continue
            _, records, error = block
            for record in records:
                if isinstance(record, Cat048Record):
                    self._plot(record, t_receive)
                else:
                    self._service(record, t_receive)
            if error is not None:
                self.output.reject(error.reason, error.detail)

    @property
    def pending(self) -> int:
        """Octets of a block still waiting for its end (stream mode), else 0."""
        return self._stream.pending if self._stream is not None else 0

    def _radar(self, sac: int | None, sic: int | None) -> Radar | None:
        if sac is None or sic is None:
            self.output.reject(NO_SOURCE, "record without a data source identifier")
            return None
        radar = self._radars.get((sac, sic))
        if radar is None:
            if self._default is None:
                self.output.reject(UNKNOWN_SENSOR, f"SAC/SIC {sac}/{sic} is not configured")
                return None
            radar = self._radars[sac, sic] = (sensor_key(sac, sic), self._default)
            self._defaulted.add(radar[0])
        key = radar[0]
        if key not in self._announced:
            self._announced.add(key)
            self.output.sensors.append(configured_info(key, radar[1], key in self._defaulted))
        return radar

    def _time(self, time_of_day_s: float | None, t_receive: float) -> float | None:
        if time_of_day_s is None:
            return t_receive  # mandatory item missing: the arrival time is the best estimate
        if time_of_day_s >= DAY_S:
            self.output.reject(TIME, f"time of day {time_of_day_s} s ≥ 86400 s")
            return None
        return resolve_time_of_day(time_of_day_s, t_receive)

    def _plot(self, record: Cat048Record, t_receive: float) -> None:
        radar = self._radar(record.sac, record.sic)
        if radar is None:
            return
        t = self._time(record.time_of_day_s, t_receive)
        if t is None:
            return
        self.output.messages += 1
        reason = skip_reason(record)
        if reason:
            self.skipped[reason] += 1
            return
        key, settings = radar
        report = plot_report(record, key, settings, t)
        self.output.reports.append(report)
        if record.address is not None and record.callsign and "?" not in record.callsign:
            self._identity(report.identity, record.callsign, t)

    def _identity(self, identity: str, callsign: str, t: float) -> None:
        address = int(identity, 16)
        last = self._callsigns.get(address)
        if last is not None and last[0] == callsign and t - last[1] < IDENTITY_REPEAT_S:
            return
        if len(self._callsigns) >= _MAX_IDENTITIES:
            self._callsigns.clear()
        self._callsigns[address] = (callsign, t)
        self.output.identities.append(Identity(identity=identity, t=t, callsign=callsign))

    def _service(self, record: Cat034Record, t_receive: float) -> None:
        radar = self._radar(record.sac, record.sic)
        if radar is None:
            return
        t = self._time(record.time_of_day_s, t_receive)
        if t is None:
            return
        self.output.messages += 1
        key, settings = radar
        status = sensor_status(record, key, t)
        last = self._statuses.get(key)
        repeat = last is not None and (last.ok, last.detail) == (status.ok, status.detail)
        if not (repeat and record.message_type == SECTOR_CROSSING):
            self.output.statuses.append(status)
        self._statuses[key] = status
        info = sensor_info(record, key, settings)
        if info is not None:
            position = (info.lat_deg, info.lon_deg, info.alt_m)
            if self._positions.get(key) != position:
                self._positions[key] = position
                self.output.sensors.append(info)
                if key in self._defaulted:  # its antenna height now known: use it
                    moved = replace(settings, lat_deg=position[0], lon_deg=position[1])
                    source = parse_sensor_key(key)  # record.sac/sic are known here: key is theirs
                    self._radars[source] = (key, replace(moved, alt_m=position[2]))
