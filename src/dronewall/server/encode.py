"""JSON the server sends (``docs/live-api.md``): frames as columns, alerts, events, tracks.
A frame is encoded once and the same bytes go to every client."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from dronewall.assess import Alert, AlertEvent
from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.store import PictureFrame, RunInfo, TrackHistory

_CLASS_NAMES = np.array([c.name for c in ObjectClass])
_KIND_NAMES = np.array([""] + [k.name for k in ObjectKind])


def _r(values: npt.NDArray[np.float64], decimals: int) -> list[float | None]:
    """Rounded floats, NaN as null (JSON has no NaN)."""
    out: list[float | None] = np.round(values, decimals).tolist()
    if not np.isfinite(values).all():
        bad = np.flatnonzero(~np.isfinite(values))
        for i in bad:
            out[int(i)] = None
    return out


@dataclass(frozen=True, slots=True)
class Categorical:
    """A text column held as small integer codes into ``names`` (the class and drone-type
    enums): the binary encoding takes the codes as they are instead of sorting 10,000
    strings (np.unique on text was 7.7 of the 8.9 ms a 10k-track frame took to encode)."""

    codes: npt.NDArray[np.uint8]
    names: npt.NDArray[np.str_]

    def strings(self) -> npt.NDArray[np.str_]:
        return self.names[self.codes]


def frame_arrays(f: PictureFrame) -> dict[str, npt.NDArray[Any] | Categorical]:
    """A frame's columns by their wire names, at full precision (text as strings or
    categorical codes): the one list both encodings follow — JSON here, binary columns in
    ``columns.py``."""
    p = f.probabilities
    return {
        "id": f.track_id,
        "lat": f.lat_deg,
        "lon": f.lon_deg,
        "alt": f.alt_m,
        "speed": f.speed_mps,
        "course": f.course_deg,
        "climb": f.climb_mps,
        "sigma": f.sigma_m,
        "cls": Categorical(f.label, _CLASS_NAMES),
        "p_unknown": p[:, 0],
        "p_drone": p[:, 1],
        "p_bird": p[:, 2],
        "p_aircraft": p[:, 3],
        "kind": Categorical(f.drone_kind, _KIND_NAMES),
        "affil": f.affiliation,
        "prio": f.priority,
        "site": f.site_id,
        "tts": f.time_to_site_s,
        "ident": f.identity,
        "alert": f.alert_id,
    }


# Decimals of each float column in JSON; integer and text columns go as they are.
_DECIMALS = {"lat": 5, "lon": 5, "alt": 0, "speed": 1, "course": 0, "climb": 1, "sigma": 0,
             "p_unknown": 3, "p_drone": 3, "p_bird": 3, "p_aircraft": 3, "prio": 1,
             "tts": 0}  # fmt: skip


def frame_columns(f: PictureFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(f)}
    for name, values in frame_arrays(f).items():
        if isinstance(values, Categorical):
            out[name] = values.strings().tolist()
        else:
            out[name] = _r(values, _DECIMALS[name]) if name in _DECIMALS else values.tolist()
    return out


def frame_message(f: PictureFrame, run_id: str, seq: int, wall_ingest: float) -> dict[str, Any]:
    return {
        "type": "frame",
        "run_id": run_id,
        "t": _finite(f.t),
        "seq": seq,
        "wall_ingest": wall_ingest,
        "wall_sent": 0.0,  # set by encode_frame
        **frame_columns(f),
    }


def encode_frame(message: dict[str, Any], wall_sent: float) -> bytes:
    message["wall_sent"] = wall_sent
    return orjson.dumps(message)


def track_detail(f: PictureFrame, row: int) -> dict[str, Any]:
    """One track with every column and the operator's explanations."""
    one = f.take([row])
    cols = frame_columns(one)
    detail = {k: v[0] for k, v in cols.items() if isinstance(v, list)}
    detail["t"] = _finite(f.t)
    detail["p"] = {c.name: round(float(one.probabilities[0, c.value]), 4) for c in ObjectClass}
    detail["class_reasons"] = one.class_reasons[0]
    detail["threat_reasons"] = one.threat_reasons[0]
    detail["sensor_kinds"] = int(one.sensor_kinds[0])
    return detail


def history(h: TrackHistory) -> dict[str, Any]:
    return {"track_id": h.track_id, "t": _r(h.times, 1), **frame_columns(h.rows)}


def alert_dict(a: Alert) -> dict[str, Any]:
    return {
        "alert_id": a.alert_id,
        "track_id": a.track_id,
        "state": a.state.value,
        "site_id": a.site_id,
        "sites": list(a.sites),
        "priority": round(a.priority, 1),
        "peak_priority": round(a.peak_priority, 1),
        "p_drone": round(a.p_drone, 3),
        "time_to_site_s": _finite(a.time_to_site_s),
        "t_raised": a.t_raised,
        "t_updated": a.t_updated,
        "t_cleared": _finite(a.t_cleared),
        "reasons": a.reasons,
        "actions": [
            {"action": x.action, "operator": x.operator, "t": x.t, "note": x.note}
            for x in a.actions
        ],
    }


def alert_list(alerts: Iterable[Alert]) -> list[dict[str, Any]]:
    """Alerts as JSON objects, highest priority first (ties: oldest alert first)."""
    return [alert_dict(a) for a in sorted(alerts, key=lambda a: (-a.priority, a.alert_id))]


def event_dict(e: AlertEvent) -> dict[str, Any]:
    return {
        "kind": e.kind.value,
        "t": e.t,
        "alert_id": e.alert_id,
        "track_id": e.track_id,
        "site_id": e.site_id,
        "priority": _finite(round(e.priority, 1)),
        "state": e.state.value if e.state else None,
        "message": e.message,
    }


def run_dict(r: RunInfo, frames: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "run_id": r.run_id,
        "source": r.source,
        "t_start": _finite(r.t_start),
        "t_end": _finite(r.t_end),
        "wall_started": r.wall_started,
        "settings": r.settings,
    }
    if frames is not None:
        out["frames"] = frames
    return out


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
