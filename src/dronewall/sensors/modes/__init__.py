"""Mode S and ADS-B (1090 MHz) from ground receivers — dump1090, dump1090-fa, readsb, Mode-S
Beast, Radarcape — in their three usual framings (``docs/feeds-adsb.md``):

* ``BeastAdapter`` — Beast binary (TCP 30005), ``beast.py``;
* ``AvrAdapter`` — AVR hex text (TCP 30002), ``avr.py``;
* ``SbsAdapter`` — SBS-1 BaseStation CSV (TCP 30003), ``sbs.py``.

Each is built with the receiver's key and ``ReceiverSettings`` (position, maximum range,
nation…) and may share one ``ModeSDecoder`` (the per-aircraft state) with the others of the same
receiver. The Mode S decoder follows ICAO Annex 10 Vol IV and DO-260B (ED-102A): CRC-24,
ADS-B identification, airborne and surface position with CPR, velocity, and the NIC / NACp
quality fields that give each report its σ.
"""

from dronewall.sensors.modes.avr import AvrAdapter, AvrFramer
from dronewall.sensors.modes.beast import BeastAdapter, BeastFrame, BeastFramer
from dronewall.sensors.modes.decoder import ModeSDecoder
from dronewall.sensors.modes.sbs import SbsAdapter
from dronewall.sensors.modes.settings import ReceiverSettings

__all__ = [
    "AvrAdapter",
    "AvrFramer",
    "BeastAdapter",
    "BeastFrame",
    "BeastFramer",
    "ModeSDecoder",
    "ReceiverSettings",
    "SbsAdapter",
]
