"""The picture at one instant, as the operator sees it: one row per confirmed track, in
display units (latitude, longitude, height, speed, course), with its class, affiliation and
threat. What the pipeline publishes, the store records and the map draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt

from dronewall.assess import ThreatBatch
from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.core.release import UNKNOWN_MASK
from dronewall.core.tracks import ClassBatch, TrackBatch
from dronewall.core.types import ObjectClass

FloatArray = npt.NDArray[np.float64]


class Affiliation:
    """APP-6 standard identities, as the one-letter codes milsymbol's SIDC uses."""

    FRIEND = "F"
    HOSTILE = "H"
    SUSPECT = "S"
    NEUTRAL = "N"
    UNKNOWN = "U"


@dataclass(frozen=True, slots=True)
class PictureFrame:
    """Columns, one row per track. ``alert_id`` is 0 when the track has no active alert."""

    t: float  # POSIX seconds of the data
    track_id: npt.NDArray[np.int64]
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray  # height above the WGS-84 ellipsoid
    speed_mps: FloatArray  # ground speed
    course_deg: FloatArray  # 0 = north, clockwise
    climb_mps: FloatArray
    sigma_m: FloatArray  # 1-σ horizontal position uncertainty
    label: npt.NDArray[np.uint8]  # ObjectClass
    probabilities: FloatArray  # (n, 4) in ObjectClass order
    drone_kind: npt.NDArray[np.uint8]  # ObjectKind value or 0
    affiliation: npt.NDArray[np.str_]  # Affiliation codes
    priority: FloatArray  # 0–100
    site_id: npt.NDArray[np.str_]  # most threatened site, "" when none
    time_to_site_s: FloatArray  # NaN when not threatening
    identity: npt.NDArray[np.str_]  # ICAO address / Remote ID serial, "" when none
    sensor_kinds: npt.NDArray[np.uint16]  # bit (1 << SensorKind) per kind that updated it
    alert_id: npt.NDArray[np.int64]
    class_reasons: list[str]
    threat_reasons: list[str]
    # The track's security labels as bits over the run's sensor ``label_table``
    # (``core.release``); −1, every label, where not known (frames recorded before it).
    label_mask: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        n = self.track_id.shape[0]
        if self.label_mask.shape[0] != n:
            object.__setattr__(self, "label_mask", np.full(n, UNKNOWN_MASK, np.int64))

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    def take(self, index: npt.ArrayLike) -> Self:
        idx = np.asarray(index, np.int64)
        rows = idx.tolist()  # Python ints index a list faster than numpy's
        kw: dict[str, object] = {"t": self.t}
        for name in self.__slots__:
            if name == "t":
                continue
            value = getattr(self, name)
            kw[name] = [value[i] for i in rows] if isinstance(value, list) else value[idx]
        return type(self)(**kw)  # type: ignore[arg-type]

    @classmethod
    def empty(cls, t: float) -> Self:
        return cls.build(t, TrackBatch.empty(), None, None, None)

    @classmethod
    def build(
        cls,
        t: float,
        tracks: TrackBatch,
        classes: ClassBatch | None,
        threats: ThreatBatch | None,
        alert_of_track: dict[int, int] | None,
    ) -> Self:
        """Join tracks with their classes and threats (on track id; rows missing from either
        get an unknown class / no threat) and turn the ECEF state into display units."""
        n = len(tracks)
        lat, lon, alt = ecef_to_geodetic(tracks.state[:, :3]) if n else (_f(0), _f(0), _f(0))
        rot = ecef_to_enu_rotation(lat, lon) if n else np.zeros((0, 3, 3))
        enu_v = np.einsum("nij,nj->ni", rot, tracks.state[:, 3:6]) if n else np.zeros((0, 3))
        # horizontal variance = trace of the position covariance minus its vertical part
        cov = tracks.covariance[:, :3, :3]
        up = rot[:, 2, :]
        vertical = np.einsum("ni,nij,nj->n", up, cov, up)
        horizontal = np.trace(cov, axis1=1, axis2=2) - vertical
        sigma = np.sqrt(np.maximum(horizontal, 0.0) / 2.0)
        probs = np.tile(np.array([1.0, 0.0, 0.0, 0.0]), (n, 1))
        label = np.zeros(n, np.uint8)
        kind = np.zeros(n, np.uint8)
        friendly = np.zeros(n, bool)
        class_reasons = [""] * n
        if classes is not None and len(classes):
            src, dst = _join(classes.track_id, tracks.track_id)
            probs[dst] = classes.probabilities[src]
            label[dst] = classes.label[src]
            kind[dst] = classes.drone_kind[src]
            friendly[dst] = classes.friendly[src]
            class_reasons = _spread(classes.reasons, src, dst, n)
        priority = np.zeros(n)
        site = np.full(n, "", dtype=object)
        tts = np.full(n, np.nan)
        threat_reasons = [""] * n
        if threats is not None and len(threats):
            src, dst = _join(threats.track_id, tracks.track_id)
            priority[dst] = threats.priority[src]
            site[dst] = threats.site_id[src]
            tts[dst] = threats.time_to_site_s[src]
            threat_reasons = _spread(threats.reasons, src, dst, n)
        alert_id = np.zeros(n, np.int64)
        if alert_of_track:
            with_alert = np.fromiter(alert_of_track, np.int64, len(alert_of_track))
            src, dst = _join(with_alert, tracks.track_id.astype(np.int64))
            alert_id[dst] = np.fromiter(alert_of_track.values(), np.int64)[src]
        return cls(
            t=float(t),
            track_id=tracks.track_id.astype(np.int64),
            lat_deg=np.asarray(lat, float),
            lon_deg=np.asarray(lon, float),
            alt_m=np.asarray(alt, float),
            speed_mps=np.hypot(enu_v[:, 0], enu_v[:, 1]),
            course_deg=np.degrees(np.arctan2(enu_v[:, 0], enu_v[:, 1])) % 360.0,
            climb_mps=enu_v[:, 2].copy(),
            sigma_m=sigma,
            label=label,
            probabilities=probs,
            drone_kind=kind,
            affiliation=_affiliation(label, friendly, alert_id),
            priority=priority,
            site_id=site.astype(np.str_) if n else np.zeros(0, np.str_),
            time_to_site_s=tts,
            identity=tracks.identity.astype(np.str_),
            sensor_kinds=tracks.sensor_kinds.astype(np.uint16),
            alert_id=alert_id,
            class_reasons=class_reasons,
            threat_reasons=threat_reasons,
            label_mask=tracks.label_mask.astype(np.int64),
        )


def _f(n: int) -> FloatArray:
    return np.zeros(n)


def _join(
    ids: npt.NDArray[np.int64], targets: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows of ``ids`` and of ``targets`` holding the same id (ids are unique in each)."""
    _, src, dst = np.intersect1d(ids, targets, assume_unique=True, return_indices=True)
    return src, dst


def _spread(
    values: list[str], src: npt.NDArray[np.intp], dst: npt.NDArray[np.intp], n: int
) -> list[str]:
    """``n`` strings, ``values[src]`` at rows ``dst`` and "" elsewhere (vectorised: a Python
    loop over 10,000 rows cost 2 ms a column)."""
    out = np.full(n, "", dtype=object)
    out[dst] = np.array(values, dtype=object)[src]
    return list(out.tolist())


def _affiliation(
    label: npt.NDArray[np.uint8],
    friendly: npt.NDArray[np.bool_],
    alert_id: npt.NDArray[np.int64],
) -> npt.NDArray[np.str_]:
    """Friendly list → friend; drone with an active alert → hostile; other drones → suspect;
    aircraft and birds → neutral; unclassified → unknown. A cooperative identity alone does not
    make a drone friendly (Remote ID can be spoofed): only the friendly list does."""
    out = np.full(label.shape[0], Affiliation.UNKNOWN, dtype="<U1")
    drone = label == ObjectClass.DRONE
    out[(label == ObjectClass.AIRCRAFT) | (label == ObjectClass.BIRD)] = Affiliation.NEUTRAL
    out[drone] = Affiliation.SUSPECT
    out[drone & (alert_id > 0)] = Affiliation.HOSTILE
    out[friendly] = Affiliation.FRIEND
    return out
