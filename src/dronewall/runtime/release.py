"""Releasability applied: every output cut down to what its recipient is cleared for (issue 15).

A track carries the labels of every sensor whose reports made it (``TrackBatch.label_mask``,
bits over the sensor table's ``LabelTable``, ``core/release.py``); its class, threat and alert
are derived from it and carry the same labels. ``Release`` is one recipient's view: it keeps
the rows of a frame, a track batch or a class batch, the reports and the alert events whose
labels the recipient is cleared for (``core.release.cleared_all`` on each row's labels,
computed once per label table as an allowed bit mask). Every outbound path uses it: REST and
WebSocket clients (``server/``), SAPIENT upward, the sharing config's outputs
(``runtime/sharing.py``), replays and exports (stored frames keep their ``label_mask``).

``TrackLabels`` remembers each track's latest mask (masks only grow), so an alert event or an
alert row, which names only its track, is released with its track's labels; an alert on a
track this process never saw is withheld (its provenance is unknown).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from dronewall.assess import AlertEvent
from dronewall.core.release import (
    UNKNOWN_MASK,
    LabelTable,
    Recipient,
    released,
)
from dronewall.core.tracks import ClassBatch, SensorGeometry, TrackBatch
from dronewall.core.types import ReportBatch
from dronewall.store import PictureFrame
from dronewall.world.membership import is_eu, is_nato

BoolArray = npt.NDArray[np.bool_]


def with_memberships(recipient: Recipient) -> Recipient:
    """The recipient with the communities its nation belongs to (``world.membership``): a
    label releasable to NATO or the EU is releasable to each member state."""
    known = {"NATO": is_nato(recipient.nation), "EU": is_eu(recipient.nation)}
    comms = recipient.communities | {name for name, member in known.items() if member}
    return recipient if comms == recipient.communities else replace(recipient, communities=comms)


@dataclass(slots=True)
class TrackLabels:
    """The latest label mask of each track seen (a mask only grows while its track lives)."""

    masks: dict[int, int] = field(default_factory=dict)
    limit: int = 200_000  # tracks remembered; the oldest are forgotten past this

    def note(self, track_id: npt.NDArray[np.int64], label_mask: npt.NDArray[np.int64]) -> None:
        self.masks.update(zip(track_id.tolist(), label_mask.tolist(), strict=True))
        if len(self.masks) > self.limit:
            for key in list(self.masks)[: len(self.masks) - self.limit]:
                del self.masks[key]

    def note_frame(self, frame: PictureFrame, *_: Any) -> None:
        """A pipeline frame listener."""
        self.note(frame.track_id, frame.label_mask)

    def mask_of(self, track_id: int | None) -> int:
        if track_id is None:
            return 0
        return self.masks.get(int(track_id), UNKNOWN_MASK)


@dataclass(slots=True)
class Release:
    """What one recipient may receive, given the current sensor table (``sensors()``: a live
    table grows; bits stay). The recipient's nation counts as a member of the communities
    it belongs to (``with_memberships``)."""

    recipient: Recipient
    sensors: Callable[[], SensorGeometry]
    _geometry: SensorGeometry | None = None
    _table: LabelTable | None = None
    _allowed: int = 0

    def _current(self) -> LabelTable:
        """The label table of the current sensor table (recomputed when it is replaced)."""
        geometry = self.sensors()
        if geometry is not self._geometry or self._table is None:
            table = geometry.label_table
            member = with_memberships(self.recipient)
            self._geometry, self._table = geometry, table
            self._allowed = table.allowed_mask(member)
        return self._table

    @property
    def allowed(self) -> int:
        """The recipient's allowed bits for the current label table."""
        self._current()
        return self._allowed

    @property
    def everything(self) -> bool:
        """True when the recipient is cleared for every label of the table."""
        return self.allowed == UNKNOWN_MASK

    def rows(self, label_mask: npt.ArrayLike) -> BoolArray:
        return released(label_mask, self.allowed)

    def frame(self, frame: PictureFrame) -> PictureFrame:
        """The frame's rows the recipient is cleared for (the frame itself when all are)."""
        keep = self.rows(frame.label_mask)
        return frame if bool(keep.all()) else frame.take(np.flatnonzero(keep))

    def tracks(self, batch: TrackBatch) -> TrackBatch:
        keep = self.rows(batch.label_mask)
        return batch if bool(keep.all()) else batch.take(np.flatnonzero(keep))

    def classes(self, batch: ClassBatch, labels: TrackLabels) -> ClassBatch:
        """Class rows whose track the recipient is cleared for."""
        masks = np.array([labels.mask_of(int(t)) for t in batch.track_id], np.int64)
        keep = np.flatnonzero(self.rows(masks))
        if keep.size == len(batch):
            return batch
        return ClassBatch(
            track_id=batch.track_id[keep],
            t=batch.t[keep],
            probabilities=batch.probabilities[keep],
            label=batch.label[keep],
            drone_kind=batch.drone_kind[keep],
            drone_kind_probability=batch.drone_kind_probability[keep],
            friendly=batch.friendly[keep],
            reasons=[batch.reasons[i] for i in keep],
        )

    def reports(self, batch: ReportBatch) -> ReportBatch:
        """Reports of sensors whose label the recipient is cleared for."""
        bits = self._current().sensor_bits
        keep = self.rows(bits[batch.sensor_index.astype(np.int64)])
        return batch if bool(keep.all()) else batch.take(np.flatnonzero(keep))

    def events(self, events: Iterable[AlertEvent], labels: TrackLabels) -> list[AlertEvent]:
        """Alert events on tracks the recipient is cleared for (an event naming no track — a
        site declared clear — goes to everyone)."""
        allowed = self.allowed
        return [e for e in events if labels.mask_of(e.track_id) & ~allowed == 0]

    def track_ids(self, track_ids: npt.ArrayLike, labels: TrackLabels) -> BoolArray:
        """Which of these tracks (by id: alert rows, a track's detail) may be released."""
        ids = np.asarray(track_ids, np.int64)
        masks = np.array([labels.mask_of(int(t)) for t in ids.tolist()], np.int64)
        return self.rows(masks)
