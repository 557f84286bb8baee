"""The tracker's counters for monitoring (exported as metrics by the runtime)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TrackerStats:
    """Counters for monitoring (exported as metrics by the runtime)."""

    reports_in: int = 0
    reports_rejected: int = 0  # malformed or from an unknown sensor
    reports_implausible: int = 0  # cooperative fixes their identity cannot have flown to
    reports_late: int = 0  # arrived after their slice was processed, still used
    reports_too_late: int = 0  # older than the reorder window allows: not used
    reports_retrodicted: int = 0  # late reports a LateReports part used out of sequence
    updates: int = 0
    tracks_started: int = 0
    tracks_confirmed: int = 0
    tracks_deleted: int = 0
    triangulated: int = 0
    largest_cluster: int = 0  # largest gate-graph cluster seen (sampled on 1 slice in 16)
    slices: int = 0
