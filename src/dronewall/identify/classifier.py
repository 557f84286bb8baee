"""Drone, bird, manned aircraft or unknown — with a calibrated probability and a reason.

Each update folds the tracks into moving-average kinematic features (``features``), sums the
class log-likelihoods of every evidence source (``models``) with the log prior, divides by a
temperature fitted on simulated runs (calibration; ``bench/bench_identify.py`` measures the
reliability), and normalises. The label is the most probable class, or unknown when no class
reaches ``min_probability``. Drone type comes from the drone mixture's components, nudged by
Remote ID (quadcopters) and RF emission (quadcopters and reconnaissance drones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import ClassBatch, TrackBatch
from dronewall.core.types import ObjectClass, ObjectKind, SensorKind
from dronewall.identify import models, signature
from dronewall.identify.features import FeatureHistory, Features

FloatArray = npt.NDArray[np.float64]
_TYPE_KINDS = np.array([int(k) for k in models.DRONE_TYPES], np.uint8)
_QUAD = np.array([k is ObjectKind.QUADCOPTER for k in models.DRONE_TYPES])


@dataclass(frozen=True, slots=True)
class IdentifyConfig:
    # Prior class probabilities (unknown, drone, bird, aircraft): most of what flies low and
    # slow is birds; "unknown" keeps room for what none of the models describes, such as the
    # wandering false tracks that clutter can make.
    prior: tuple[float, float, float, float] = (0.10, 0.28, 0.31, 0.31)
    # > 1 softens over-confident naive-Bayes sums, < 1 sharpens timid ones; fitted by maximum
    # likelihood on the training split of bench/EVALUATION.md (seed 1101, all eight runs;
    # bench/bench_identify.py --split train: 1.013 on 2026-12-07 before RCS and emitter
    # category evidence, 0.866 with them, tracker with its existence score, 22:42 UTC).
    temperature: float = 0.87
    min_probability: float = 0.5  # below this the label is unknown
    feature_time_constant_s: float = 20.0
    friendly_serials: frozenset[str] = field(default_factory=frozenset)


class Classifier:
    """Keeps per-track feature history; ``classify`` one snapshot of tracks at a time."""

    def __init__(self, config: IdentifyConfig | None = None):
        self.config = config or IdentifyConfig()
        self.history = FeatureHistory(self.config.feature_time_constant_s)
        self._log_prior = np.log(np.asarray(self.config.prior, float))

    def classify(self, tracks: TrackBatch) -> ClassBatch:
        f = self.history.update(tracks)
        kinematic, types = models.kinematic_loglik(
            models.Kinematics(
                f.speed,
                f.speed_sigma,
                f.height,
                f.height_sigma,
                f.height_known,
                f.straightness,
                f.route_straightness,
                f.age,
            ),
            _rcs(tracks),
        )
        rf = tracks.kind_updates[:, int(SensorKind.RF)]
        emitter = models.emission_weight(rf, f.rf_share, f.rf_crossed, f.rf_duty)
        emission, emission_by_type = models.emission_loglik(emitter)
        types = types + emission_by_type  # drone types given kinematics and emission together
        kinematic[:, 1] = models.logsumexp_rows(types)
        evidence = (
            kinematic
            + emission
            + _cooperative(tracks)
            + models.declared_loglik(tracks.class_evidence)
        )
        logits = (evidence + self._log_prior) / self.config.temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        p = _given_existence(p, tracks)
        best = p.argmax(axis=1)
        label = np.where(
            p.max(axis=1) >= self.config.min_probability, best, int(ObjectClass.UNKNOWN)
        )
        kind, kind_p = self._drone_type(types, tracks, f.height_known)
        friendly = np.array(
            [i.upper() in self.config.friendly_serials for i in tracks.identity.tolist()], bool
        )
        return ClassBatch(
            track_id=tracks.track_id.copy(),
            t=tracks.t.copy(),
            probabilities=p,
            label=label.astype(np.uint8),
            drone_kind=np.where(label == int(ObjectClass.DRONE), kind, 0).astype(np.uint8),
            drone_kind_probability=np.where(label == int(ObjectClass.DRONE), kind_p, 0.0),
            friendly=friendly,
            reasons=_reasons(tracks, f, p, label, emitter, friendly),
        )

    def _drone_type(
        self, types: FloatArray, tracks: TrackBatch, height_known: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.uint8], FloatArray]:
        """The most likely drone type and its probability; none (0) for a track whose height
        is unknown and that has no Remote ID: its speed from bearings alone is no type."""
        logits = types.copy()  # kinematics and emission (models.RF_TYPE_EVIDENCE)
        has_rid = np.array(
            [bool(i) and not models.ICAO_ADDRESS.match(i) for i in tracks.identity.tolist()],
            bool,
        )
        logits += np.where(has_rid[:, None], np.where(_QUAD, 0.0, -3.0), 0.0)
        logits -= logits.max(axis=1, keepdims=True)
        q = np.exp(logits)
        q /= q.sum(axis=1, keepdims=True)
        named = height_known | has_rid
        kind = np.where(named, _TYPE_KINDS[q.argmax(axis=1)], 0).astype(np.uint8)
        return kind, np.where(named, np.asarray(q.max(axis=1), float), 0.0)

    def forget(self, keep_ids: npt.NDArray[np.int64]) -> None:
        self.history.forget(keep_ids)


def _rcs(tracks: TrackBatch) -> tuple[FloatArray, FloatArray]:
    """The track's averaged RCS (dBsm, NaN: none) and its σ from the radar updates behind it."""
    value = np.asarray(tracks.rcs_dbsm, float)
    return value, signature.rcs_sigma(value, tracks.kind_updates[:, int(SensorKind.RADAR)])


def _cooperative(tracks: TrackBatch) -> FloatArray:
    """Evidence of the identity and the ADS-B emitter category: a category that says manned or
    UAV replaces the identity's evidence (an ICAO address with category B6 is a drone with
    ADS-B out; a manned category and its address are one piece of evidence, not two)."""
    by_identity = models.cooperative_loglik(tracks.identity)
    by_category = signature.category_loglik(tracks.emitter_category)
    said = np.any(by_category != 0.0, axis=1)
    return np.asarray(np.where(said[:, None], by_category, by_identity), float)


def _given_existence(p: FloatArray, tracks: TrackBatch) -> FloatArray:
    """Class probabilities marginalised over the track's existence, when the tracker gives it
    (``TrackBatch.existence``, 0..1): a track that follows nothing is a false track, which
    is "unknown" — so a low-existence track is not called a drone with confidence."""
    existence = getattr(tracks, "existence", None)
    if existence is None:
        return p
    e = np.clip(np.nan_to_num(np.asarray(existence, float), nan=1.0), 0.0, 1.0)[:, None]
    out = e * p
    out[:, int(ObjectClass.UNKNOWN)] += 1.0 - e[:, 0]
    return np.asarray(out, float)


def _reasons(
    tracks: TrackBatch,
    f: Features,
    p: FloatArray,
    label: npt.NDArray[np.int64],
    emission: FloatArray,
    friendly: npt.NDArray[np.bool_],
) -> list[str]:
    # Columns become Python lists first: indexing numpy arrays element by element cost most
    # of the picture step with 10,000 tracks (273 ms of reasons per second of data).
    names = [c.name.lower() for c in ObjectClass]
    evidence = tracks.class_evidence
    said = (np.argmax(evidence[:, 1:], axis=1) + 1).tolist() if len(tracks) else []
    columns = zip(
        label.tolist(),
        p.max(axis=1).tolist() if len(tracks) else [],
        (f.speed * 3.6).tolist(),
        f.height.tolist(),
        f.height_known.tolist(),
        tracks.identity.tolist(),
        emission.tolist(),
        tracks.rf_stations.tolist(),
        np.asarray(evidence.any(axis=1), bool).tolist(),
        said,
        (f.hovering > 0.5).tolist(),
        friendly.tolist(),
        np.asarray(tracks.rcs_dbsm, float).tolist(),
        np.asarray(tracks.emitter_category, np.int64).tolist(),
        strict=True,
    )
    out = []
    for (
        lab,
        prob,
        kmh,
        height,
        known,
        ident,
        rf,
        stations,
        declared,
        said_k,
        hover,
        friend,
        rcs,
        category,
    ) in columns:
        where = f"at {height:.0f} m above ground" if known else "height unknown"
        parts = [f"{names[lab]} {prob:.2f}", f"{kmh:.0f} km/h {where}"]
        if ident:
            parts.append(("ADS-B " if models.ICAO_ADDRESS.match(ident) else "Remote ID ") + ident)
        if category in signature.CATEGORY_NAMES:
            parts.append(f"ADS-B category {signature.CATEGORY_NAMES[category]}")
        if rcs == rcs:  # not NaN
            parts.append(signature.rcs_words(rcs))
        if rf > 0:  # stray bearings on a ray are not an emitter (models.emission_weight)
            parts.append(_rf_reason(rf, stations))
        if declared:
            parts.append(f"camera says {names[said_k]}")
        if hover:
            parts.append("hovering")
        if friend:
            parts.append("registered friendly")
        out.append("; ".join(parts))
    return out


def _rf_reason(weight: float, stations: int) -> str:
    """How the RF evidence reads to an operator: an emitter where the bearings of several
    stations cross, bearings of one station (anything on its ray fits), or a few bearings."""
    if weight >= 0.5:
        return f"RF emitter ({stations} stations)" if stations >= 2 else "RF emitter"
    return "RF bearings from one station" if stations == 1 else "a few RF bearings"
