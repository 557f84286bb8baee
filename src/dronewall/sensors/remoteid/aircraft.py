"""What a receiver knows of each aircraft heard on Remote ID, joined across messages: ASTM
F3411-22a §5.4.4 (a transmitter sends Basic ID, Location, System, Operator ID, Self-ID and
Authentication separately — in turn on Bluetooth legacy advertising, together in a pack on
the other transports — and a receiver joins them per aircraft).

Aircraft are keyed by their UAS ID (``id:<serial>``) once a Basic ID has been heard; before
that, and for messages without a Basic ID beside them, by the transmitter's MAC address
(``mac:<address>``) or by the transport's source (``src:<address>``). A MAC or source that
has carried a Basic ID is an alias of that aircraft from then on. The table holds at most
``capacity`` aircraft and forgets the least recently heard.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

from dronewall.sensors.feed import Identity
from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid.messages import AuthPage, BasicId, System

NAN = math.nan
V = TypeVar("V")
_ID_PREFERENCE = (
    f.IdType.SERIAL_NUMBER,
    f.IdType.CAA_REGISTRATION,
    f.IdType.UTM_ASSIGNED_UUID,
    f.IdType.SPECIFIC_SESSION_ID,
    f.IdType.NONE,
)  # which Basic ID names the aircraft when several are heard: the serial number first


@dataclass(frozen=True, slots=True)
class Authentication:
    """A reassembled authentication: type, timestamp (POSIX s) and its ``length`` bytes."""

    auth_type: int
    timestamp: float
    data: bytes


@dataclass(slots=True)
class Aircraft:
    """Everything heard of one aircraft."""

    key: str
    basic_ids: dict[int, BasicId] = field(default_factory=dict)
    operator_id: str = ""
    description: str = ""
    system: System | None = None
    auth_pages: dict[int, AuthPage] = field(default_factory=dict)
    authentication: Authentication | None = None
    last_identity: Identity | None = None
    altitude_source: str = ""  # "geodetic", "pressure" or "height" of the latest report

    @property
    def identity(self) -> str:
        """The UAS ID naming this aircraft (serial number first), or "" if none heard."""
        for id_type in _ID_PREFERENCE:
            basic = self.basic_ids.get(id_type)
            if basic is not None and basic.uas_id:
                return basic.uas_id
        return ""

    @property
    def ua_type(self) -> int:
        for basic in self.basic_ids.values():
            if basic.ua_type:
                return basic.ua_type
        return 0

    def identity_record(self, t: float) -> Identity | None:
        """The ``Identity`` of what is known, or None while no UAS ID has been heard."""
        identity = self.identity
        if not identity:
            return None
        registration = self.basic_ids.get(f.IdType.CAA_REGISTRATION)
        system = self.system
        return Identity(
            identity=identity,
            t=t,
            callsign=registration.uas_id if registration and registration.uas_id else identity,
            category=f.ua_type_name(self.ua_type),
            operator_id=self.operator_id,
            operator_lat_deg=system.operator_lat_deg if system else NAN,
            operator_lon_deg=system.operator_lon_deg if system else NAN,
            description=self.description,
        )

    def add_auth_page(self, page: AuthPage) -> None:
        """Keep an authentication page; reassemble when page 0 and all the pages it
        announces have arrived (a new page 0 with another timestamp starts over)."""
        first = self.auth_pages.get(0)
        if page.page == 0 and first is not None and not _same_stamp(first, page):
            self.auth_pages.clear()
        self.auth_pages[page.page] = page
        first = self.auth_pages.get(0)
        if first is None:
            return
        pages = [self.auth_pages.get(n) for n in range(first.last_page + 1)]
        if any(p is None or p.auth_type != first.auth_type for p in pages):
            return
        data = b"".join(p.data for p in pages if p is not None)[: first.length]
        self.authentication = Authentication(first.auth_type, first.timestamp, data)


def _same_stamp(a: AuthPage, b: AuthPage) -> bool:
    return a.timestamp == b.timestamp or (math.isnan(a.timestamp) and math.isnan(b.timestamp))


class AircraftTable:
    """Aircraft by key, with the MAC/source aliases of the identified ones."""

    def __init__(self, capacity: int = 4096):
        self.capacity = capacity
        self._aircraft: OrderedDict[str, Aircraft] = OrderedDict()
        self._aliases: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._aircraft)

    def get(self, key: str) -> Aircraft | None:
        return self._aircraft.get(key)

    def lookup(self, uas_id: str, mac: str, source: str) -> Aircraft:
        """The aircraft a frame belongs to: by its UAS ID when the frame carries one, else
        by the alias of its MAC address or source. An unkeyed frame gets a fresh record."""
        link = f"mac:{mac}" if mac else f"src:{source}" if source else ""
        if uas_id:
            key = f"id:{uas_id}"
            if link:
                previous = self._aliases.get(link, link)
                self._remember(self._aliases, link, key)
                if previous != key and key not in self._aircraft and previous in self._aircraft:
                    self._rename(previous, key)
        elif link:
            key = self._aliases.get(link, link)
        else:
            return Aircraft("")
        aircraft = self._aircraft.get(key)
        if aircraft is None:
            aircraft = Aircraft(key)
        self._remember(self._aircraft, key, aircraft)
        return aircraft

    def _rename(self, old: str, new: str) -> None:
        """A MAC- or source-keyed aircraft has told its UAS ID: keep what it said."""
        aircraft = self._aircraft.pop(old)
        aircraft.key = new
        self._aircraft[new] = aircraft

    def _remember(self, table: OrderedDict[str, V], key: str, value: V) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.capacity:
            table.popitem(last=False)
