"""ASTERIX radar feeds: CAT048 monoradar target reports and CAT034 monoradar service messages
(EUROCONTROL-SPEC-0149 Part 1 framing, Part 4 CAT048 editions 1.21–1.32, Part 2b CAT034
editions 1.27–1.29), decoded into radar ``Report``s, ``SensorStatus``es and ``SensorInfo``s
by ``AsterixAdapter``; ``encode`` writes the same records for a simulated radar. ``cat062``
writes (and reads back) CAT062 system tracks: the picture shared with allies.

See docs/feeds-asterix.md.
"""

from dronewall.sensors.asterix.adapter import AsterixAdapter
from dronewall.sensors.asterix.blocks import BlockStream, decode_datagram, decode_records
from dronewall.sensors.asterix.cat034 import Cat034Record, decode_cat034_record
from dronewall.sensors.asterix.cat048 import Cat048Record, decode_cat048_record
from dronewall.sensors.asterix.cat062 import (
    Cat062Record,
    SpecialPurpose,
    Track062,
    TrackNumbers,
    decode_cat062_datagram,
    encode_cat062_datagrams,
)
from dronewall.sensors.asterix.encode import (
    Plot048,
    Service034,
    encode_cat034,
    encode_cat048,
    encode_cat048_datagrams,
    north_marker,
)
from dronewall.sensors.asterix.fields import AsterixError
from dronewall.sensors.asterix.settings import RadarSettings, parse_sensor_key, sensor_key
from dronewall.sensors.asterix.timeofday import resolve_time_of_day

__all__ = [
    "AsterixAdapter",
    "AsterixError",
    "BlockStream",
    "Cat034Record",
    "Cat048Record",
    "Cat062Record",
    "Plot048",
    "RadarSettings",
    "Service034",
    "SpecialPurpose",
    "Track062",
    "TrackNumbers",
    "decode_cat034_record",
    "decode_cat048_record",
    "decode_cat062_datagram",
    "decode_datagram",
    "decode_records",
    "encode_cat034",
    "encode_cat048",
    "encode_cat048_datagrams",
    "encode_cat062_datagrams",
    "north_marker",
    "parse_sensor_key",
    "resolve_time_of_day",
    "sensor_key",
]
