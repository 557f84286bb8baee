"""What every outbound share of the picture looks like to the pipeline (issue 15).

An ally's output — Cursor-on-Target XML or TAK protobuf over UDP multicast or TCP, ASTERIX
CAT062 over UDP, SAPIENT upward — is a ``PictureSink``: the pipeline (through the sharing
layer, which has already cut each frame and alert event down to what that sink's recipient is
cleared for, ``core/release.py``) hands it frames and alert events on the pipeline's thread,
and the sink must not block there: it queues and sends on its own thread or event loop, keeping
only the latest frame when it falls behind. ``runtime/upward.UpwardReporter`` already has this
shape.
"""

from __future__ import annotations

from typing import Any, Protocol

from dronewall.assess import AlertEvent
from dronewall.store import PictureFrame


class PictureSink(Protocol):
    """One outbound share of the picture, for one recipient."""

    name: str  # e.g. "cot-udp:239.2.3.1:6969", for logs, health and the audit trail

    def start(self) -> None:
        """Open sockets or threads; may raise DronewallError naming what could not be opened."""

    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        """A new picture (already filtered for this sink's recipient). Never blocks."""

    def take_events(self, events: list[AlertEvent]) -> None:
        """Alert events (already filtered for this sink's recipient). Never blocks."""

    def close(self, timeout_s: float = 5.0) -> None:
        """Flush what is queued within ``timeout_s`` and release sockets and threads."""

    def health(self) -> dict[str, Any]:
        """Counts for /api/health and /metrics: sent, dropped, errors, connected."""
