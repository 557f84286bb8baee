"""The Remote ID feed adapter: UDP datagrams of ASTM F3411-22a / ASD-STAN EN 4709-002
broadcast messages (bare, counter-prefixed, packs, Bluetooth service data or a Wi-Fi beacon
vendor element — see ``framing``) in, ``Report``s and ``Identity``s out (``feed.py``).

Every Location with a position gives a POSITION report; Basic ID, Operator ID, Self-ID and
System messages update the aircraft (``aircraft``) and give an ``Identity`` when it changes
(or every ``identity_refresh_s``). Each message is counted: accepted in ``output.messages``
or rejected by reason; a datagram that fits no framing counts as one reject.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dronewall.core.types import SensorKind
from dronewall.sensors.feed import FeedOutput, Identity, SensorInfo
from dronewall.sensors.remoteid.aircraft import Aircraft, AircraftTable
from dronewall.sensors.remoteid.decode import RemoteIdError, decode_message
from dronewall.sensors.remoteid.framing import Frame, unwrap_datagram
from dronewall.sensors.remoteid.messages import (
    AuthPage,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)
from dronewall.sensors.remoteid.reports import RemoteIdSettings, distance_m, location_report

OPERATOR_MOVE_M = 10.0  # a live operator position moving less is not news (GNSS jitter)


class RemoteIdAdapter:
    """Remote ID broadcast messages from one receiver (``receiver`` is its sensor key).

    ``receive(data, t_receive, source="")`` takes one UDP datagram; ``source`` (the sender's
    MAC or address, as the transport knows it) joins messages of an aircraft that arrive in
    separate datagrams. ``receive_frame`` takes an unwrapped radio frame (``transports``)."""

    def __init__(
        self,
        receiver: str,
        settings: RemoteIdSettings | None = None,
        output: FeedOutput | None = None,
    ):
        self.receiver = receiver
        self.settings = settings or RemoteIdSettings()
        self.output = output if output is not None else FeedOutput()
        self.aircraft = AircraftTable(self.settings.max_aircraft)
        s = self.settings
        self.output.sensors.append(
            SensorInfo(
                key=receiver,
                kind=SensorKind.REMOTE_ID,
                lat_deg=s.receiver_lat_deg,
                lon_deg=s.receiver_lon_deg,
                alt_m=s.receiver_alt_m,
                max_range_m=s.max_range_m,
                name=s.name,
                nation=s.nation,
                vendor=s.vendor,
            )
        )

    def receive(self, data: bytes, t_receive: float, source: str = "") -> None:
        """One datagram in whichever framing it has; never raises."""
        try:
            frame = unwrap_datagram(bytes(data))
        except RemoteIdError as err:
            self.output.reject(err.reason, str(err))
            return
        except Exception as err:  # a bug of ours, not the input: counted, never raised
            self.output.reject("internal", repr(err))
            return
        self.receive_frame(frame, t_receive, source)

    def receive_frame(self, frame: Frame, t_receive: float, source: str = "") -> None:
        """The messages of one transport unit; never raises."""
        decoded: list[Message] = []
        for raw in frame.messages:
            try:
                decoded.append(decode_message(raw))
            except RemoteIdError as err:
                self.output.reject(err.reason, str(err))
            except Exception as err:  # a bug of ours, not the input: counted, never raised
                self.output.reject("internal", repr(err))
        if decoded:
            self.receive_messages(decoded, t_receive, frame.mac, source)

    def receive_messages(
        self, messages: Sequence[Message], t_receive: float, mac: str = "", source: str = ""
    ) -> None:
        """Decoded messages heard together from one transmitter; each is counted."""
        uas_id = next((m.uas_id for m in messages if isinstance(m, BasicId) and m.uas_id), "")
        aircraft = self.aircraft.lookup(uas_id, mac, source)
        told_identity = False
        # Basic IDs first, so that a Location packed before them already carries the UAS ID.
        for msg in sorted(messages, key=lambda m: not isinstance(m, BasicId)):
            try:
                told_identity |= self._apply(aircraft, msg, t_receive)
            except RemoteIdError as err:
                self.output.reject(err.reason, str(err))
                continue
            except Exception as err:  # a bug of ours, not the input: counted, never raised
                self.output.reject("internal", repr(err))
                continue
            self.output.messages += 1
        if told_identity:
            self._identity(aircraft, t_receive)

    def _apply(self, aircraft: Aircraft, msg: Message, t_receive: float) -> bool:
        """Take one message into the aircraft; True when it may change its Identity."""
        if isinstance(msg, Location):
            report, source = location_report(
                self.receiver, msg, aircraft.identity, t_receive, self.settings, aircraft.ua_type
            )
            if report is not None:
                aircraft.altitude_source = source
                self.output.reports.append(report)
            return False
        if isinstance(msg, BasicId):
            aircraft.basic_ids[msg.id_type] = msg
        elif isinstance(msg, OperatorId):
            aircraft.operator_id = msg.operator_id
        elif isinstance(msg, SelfId):
            aircraft.description = msg.description
        elif isinstance(msg, System):
            aircraft.system = msg
        elif isinstance(msg, AuthPage):
            aircraft.add_auth_page(msg)
            return False
        return True

    def _identity(self, aircraft: Aircraft, t: float) -> None:
        """Send the aircraft's Identity if it changed or was last sent long ago."""
        record = aircraft.identity_record(t)
        if record is None:
            return
        last = aircraft.last_identity
        recent = last is not None and t - last.t < self.settings.identity_refresh_s
        if recent and last is not None and _same_identity(last, record):
            return
        aircraft.last_identity = record
        self.output.identities.append(record)


def _same_identity(a: Identity, b: Identity) -> bool:
    """Whether two Identities say the same (an operator moved less than ``OPERATOR_MOVE_M``)."""
    texts = (a.identity, a.callsign, a.category, a.operator_id, a.description)
    if texts != (b.identity, b.callsign, b.category, b.operator_id, b.description):
        return False
    known_a = not math.isnan(a.operator_lat_deg)
    known_b = not math.isnan(b.operator_lat_deg)
    if known_a != known_b:
        return False
    if not known_a:
        return True
    moved = distance_m(
        a.operator_lat_deg, a.operator_lon_deg, b.operator_lat_deg, b.operator_lon_deg
    )
    return moved < OPERATOR_MOVE_M
