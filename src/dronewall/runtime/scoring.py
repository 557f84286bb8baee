"""Score a tracker's output against a run's truth: GOSPA, SIAP and track breaks per target,
in ECEF metres, optionally for some kinds of object only — what ``dronewall score`` prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dronewall.core.geodesy import ecef_to_enu_rotation, geodetic_to_ecef
from dronewall.metrics import Trajectories, associate_tracks_to_truth, gospa_run, siap_metrics
from dronewall.records.parquet import time_seconds

FloatArray = npt.NDArray[np.float64]
TIME_TOLERANCE_S = 1e-3  # track and truth instants are whole seconds in our runs


@dataclass(frozen=True, slots=True)
class Score:
    """Figures of one scoring (GOSPA in metres per frame; SIAP as Stone Soup defines it)."""

    gospa_mean: float
    gospa_localisation: float
    gospa_missed: float
    gospa_false: float
    gospa_per_truth: float
    completeness: float
    ambiguity: float
    spuriousness: float
    position_accuracy_m: float
    velocity_accuracy_mps: float
    track_number_change_rate: float
    longest_segment: float
    breaks_per_target: float  # distinct tracks that followed a target, minus one, on average
    targets: int
    tracks: int
    cutoff_m: float
    association_threshold_m: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def truth_trajectories(truth: pa.Table, object_ids: npt.ArrayLike | None = None) -> Trajectories:
    """Truth rows (optionally of some objects only) as ECEF trajectories."""
    cols = {c: truth.column(c) for c in truth.column_names}
    ids = np.asarray(cols["object_id"].to_numpy(), np.int64)
    keep = np.ones(ids.size, bool) if object_ids is None else np.isin(ids, object_ids)
    lat = np.asarray(cols["lat_deg"].to_numpy(), float)[keep]
    lon = np.asarray(cols["lon_deg"].to_numpy(), float)[keep]
    alt = np.asarray(cols["alt_m"].to_numpy(), float)[keep]
    enu = np.column_stack(
        [
            np.asarray(cols[c].to_numpy(), float)[keep]
            for c in ("vel_east_mps", "vel_north_mps", "vel_up_mps")
        ]
    )
    rotation = ecef_to_enu_rotation(lat, lon)
    velocity = np.einsum("nji,nj->ni", rotation, enu)
    return Trajectories(
        time_seconds(cols["t"])[keep],
        ids[keep],
        geodetic_to_ecef(lat, lon, alt).reshape(-1, 3),
        velocity,
    )


def track_trajectories(tracks: pa.Table) -> Trajectories:
    pos = np.column_stack([tracks.column(c).to_numpy() for c in ("x_m", "y_m", "z_m")]).astype(
        float
    )
    vel = np.column_stack(
        [tracks.column(c).to_numpy() for c in ("vx_mps", "vy_mps", "vz_mps")]
    ).astype(float)
    return Trajectories(
        time_seconds(tracks.column("t")),
        np.asarray(tracks.column("track_id").to_numpy(), np.int64),
        pos,
        vel,
    )


def score(
    truth: Trajectories,
    tracks: Trajectories,
    *,
    cutoff_m: float = 200.0,
    threshold_m: float = 100.0,
) -> Score:
    """GOSPA (α = 2, p = 1, cut-off ``cutoff_m``) and SIAP (association within ``threshold_m``)
    restricted to the time span of the truth."""
    if truth.times.size:
        inside = (tracks.times >= truth.times.min() - TIME_TOLERANCE_S) & (
            tracks.times <= truth.times.max() + TIME_TOLERANCE_S
        )
        tracks = Trajectories(
            tracks.times[inside],
            tracks.ids[inside],
            tracks.positions[inside],
            None if tracks.velocities is None else tracks.velocities[inside],
        )
    g = gospa_run(truth, tracks, c=cutoff_m, p=1.0, time_tolerance=TIME_TOLERANCE_S)
    s = siap_metrics(
        truth, tracks, association_threshold=threshold_m, time_tolerance=TIME_TOLERANCE_S
    )
    links = associate_tracks_to_truth(
        truth, tracks, association_threshold=threshold_m, time_tolerance=TIME_TOLERANCE_S
    )
    targets = np.unique(truth.ids)
    per_target = [np.unique(links.track_id[links.truth_id == t]).size for t in targets]
    followed = [n for n in per_target if n > 0]
    truths_per_frame = _mean_truths_per_frame(truth)
    return Score(
        gospa_mean=float(g.mean),
        gospa_localisation=float(np.mean(g.localisation)) if g.localisation.size else 0.0,
        gospa_missed=float(np.mean(g.missed)) if g.missed.size else 0.0,
        gospa_false=float(np.mean(g.false)) if g.false.size else 0.0,
        gospa_per_truth=float(g.mean / truths_per_frame) if truths_per_frame else float("nan"),
        completeness=s.completeness,
        ambiguity=s.ambiguity,
        spuriousness=s.spuriousness,
        position_accuracy_m=s.position_accuracy,
        velocity_accuracy_mps=s.velocity_accuracy,
        track_number_change_rate=s.rate_of_track_number_change,
        longest_segment=s.longest_track_segment,
        breaks_per_target=float(np.mean(followed) - 1.0) if followed else float("nan"),
        targets=int(targets.size),
        tracks=int(np.unique(tracks.ids).size),
        cutoff_m=cutoff_m,
        association_threshold_m=threshold_m,
    )


def _mean_truths_per_frame(truth: Trajectories) -> float:
    if truth.times.size == 0:
        return 0.0
    _, counts = np.unique(np.round(truth.times / TIME_TOLERANCE_S), return_counts=True)
    return float(np.mean(counts))
