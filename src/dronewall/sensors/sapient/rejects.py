"""Why a SAPIENT input was rejected, the error that says so, and per-reason counters.

Every rejection is a ``SapientError`` — a ``dronewall.core.errors.DecodeError`` that keeps the
offending value (the frame bytes, the field value) and names a ``Reason`` and, where there is
one, the dotted path of the field at fault (``detection_report.location.datum``). The tree::

    DecodeError                     (dronewall.core.errors)
     └── SapientError               reason: Reason, field: str, value: the bad input

``Counters`` counts rejections per reason and accepted messages per content type; its
``snapshot()`` is what metrics read. ``error_reply`` is the SAPIENT ``Error`` message
(``error.proto``) that tells the sender: the offending packet and why it was refused.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from dronewall.core.errors import DecodeError
from dronewall.sensors.sapient.binding import Content, Error

MAX_ERROR_PACKET = 65_536  # bytes of the offending packet echoed in an Error message


class Reason(StrEnum):
    """Why an input was rejected. The values are the counter names."""

    FRAME_TOO_LONG = "frame_too_long"  # length prefix over the configured limit: connection closed
    EMPTY_FRAME = "empty_frame"  # length prefix of zero
    TRUNCATED = "truncated"  # the stream ended inside a frame: connection closed
    NOT_PROTOBUF = "not_protobuf"  # the frame does not parse as a SapientMessage
    UNKNOWN_FIELD = "unknown_field"  # fields that BSI Flex 335 v2.0 does not define
    MISSING_FIELD = "missing_field"  # a field the ICD marks mandatory is absent or empty
    BAD_ENUM = "bad_enum"  # an enumeration value the ICD does not define, or UNSPECIFIED
    BAD_ID = "bad_id"  # a UUID or ULID that is not one
    OUT_OF_RANGE = "out_of_range"  # a number outside its range or unit (NaN, lat > 90°…)
    BAD_VERSION = "bad_version"  # Registration.icd_version is not "BSI Flex 335 v2.0"
    UNREGISTERED = "unregistered"  # a message from a node that has not registered
    UNEXPECTED = "unexpected"  # a message a fusion node does not take from this peer
    UNSUPPORTED = "unsupported"  # valid, but not convertible (geoid heights, magnetic north…)
    REPLAYED = "replayed_registration"  # a node id bound to another connection or certificate


class SapientError(DecodeError):
    """A SAPIENT input rejected for ``reason``; ``field`` is the dotted path at fault."""

    def __init__(self, reason: Reason, message: str, value: object = None, field: str = ""):
        self.reason = reason
        self.field = field
        where = f" at {field}" if field else ""
        super().__init__(f"{reason.value}{where}: {message}", value)


class Counters:
    """Accepted messages per content type, rejections per reason, rows handed to the sink."""

    def __init__(self) -> None:
        self.accepted: Counter[Content] = Counter()
        self.rejected: Counter[Reason] = Counter()
        self.rows = 0
        self.sink_failures = 0

    def accept(self, content: Content) -> None:
        self.accepted[content] += 1

    def reject(self, reason: Reason) -> None:
        self.rejected[reason] += 1

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())

    def snapshot(self) -> dict[str, int]:
        """Flat counter names → values, every reason and content type present (0 if none)."""
        counts = {f"accepted_{c.value}": self.accepted[c] for c in Content}
        counts |= {f"rejected_{r.value}": self.rejected[r] for r in Reason}
        counts["rows_forwarded"] = self.rows
        counts["sink_failures"] = self.sink_failures
        return counts


def error_reply(error: SapientError, payload: bytes) -> Error:
    """The Error answering a refused frame ``payload`` (not empty: ``packet`` is mandatory)."""
    return Error(packet=payload[:MAX_ERROR_PACKET], error_message=[str(error)])
