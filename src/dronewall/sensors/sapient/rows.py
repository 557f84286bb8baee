"""Collects decoded detections as rows and hands them out as a columnar ``ReportBatch``.

Rows are kept as tuples (cheap to append one message at a time) and turned into numpy
columns once per batch. Beside each batch come its ``ReportKeys``: for every row, which
SAPIENT node sent it, that node's own object (track) id and report id — data the
``ReportBatch`` has no column for, and that a tracker can use to follow a sensor's tracks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.types import IDENTITY_DTYPE, ReportBatch
from dronewall.sensors.sapient.detections import Detection
from dronewall.sensors.sapient.units import NAN

_FLOAT_COLUMNS = (
    "t_measured",
    "t_arrival",
    "lat_deg",
    "lon_deg",
    "alt_m",
    "sigma_horizontal_m",
    "sigma_vertical_m",
    "range_m",
    "azimuth_deg",
    "elevation_deg",
    "sigma_range_m",
    "sigma_azimuth_deg",
    "sigma_elevation_deg",
    "speed_mps",
    "course_deg",
    "vertical_rate_mps",
    "rcs_dbsm",
    "radial_velocity_mps",
)
_NO_FIX = (NAN,) * 5
_NO_POLAR = (NAN,) * 6


@dataclass(frozen=True, slots=True)
class ReportKeys:
    """Per row of a ReportBatch: the SAPIENT sender and its own ids for the report."""

    report_id: npt.NDArray[np.int64]  # the ReportBatch.report_id of the row
    node_id: npt.NDArray[np.str_]  # UUID of the node that sent it
    object_id: npt.NDArray[np.str_]  # the node's ULID for the object (its track id)
    sapient_report_id: npt.NDArray[np.str_]  # the node's ULID for the report

    def __len__(self) -> int:
        return int(self.report_id.shape[0])


class RowBuffer:
    """Rows waiting to become the next ReportBatch."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self._floats: list[tuple[float, ...]] = []
        self._ints: list[tuple[int, ...]] = []
        self._confidence: list[float] = []
        self._identity: list[str] = []
        self._keys: list[tuple[str, str, str]] = []

    def __len__(self) -> int:
        return len(self._ints)

    def add(
        self,
        detection: Detection,
        *,
        sensor_index: int,
        sensor_kind: int,
        t_measured: float,
        t_arrival: float,
        keys: tuple[str, str, str],
    ) -> None:
        """Append one row; ``keys`` is (node_id, object_id, sapient report_id)."""
        fix, polar = detection.fix, detection.polar
        position = (
            (fix.lat_deg, fix.lon_deg, fix.alt_m, fix.sigma_horizontal_m, fix.sigma_up_m)
            if fix is not None
            else _NO_FIX
        )
        geometry = (
            (
                polar.range_m,
                polar.azimuth_deg,
                polar.elevation_deg,
                polar.sigma_range_m,
                polar.sigma_azimuth_deg,
                polar.sigma_elevation_deg,
            )
            if polar is not None
            else _NO_POLAR
        )
        motion = (
            detection.speed_mps,
            detection.course_deg,
            detection.vertical_rate_mps,
            detection.rcs_dbsm,
            detection.radial_velocity_mps,
        )
        self._floats.append((t_measured, t_arrival, *position, *geometry, *motion))
        kind = int(detection.measurement)
        codes = (detection.emitter_category, detection.nic, detection.nacp)
        self._ints.append((sensor_index, sensor_kind, kind, int(detection.declared_class), *codes))
        self._confidence.append(detection.class_confidence)
        self._identity.append(detection.identity)
        self._keys.append(keys)

    def take(self, first_report_id: int) -> tuple[ReportBatch, ReportKeys]:
        """Everything buffered as a batch with report ids from ``first_report_id``; empties."""
        n = len(self)
        floats = np.array(self._floats, dtype=np.float64).reshape(n, len(_FLOAT_COLUMNS))
        ints = np.array(self._ints, dtype=np.int64).reshape(n, 7)
        report_id = np.arange(first_report_id, first_report_id + n, dtype=np.int64)
        columns = {
            name: np.ascontiguousarray(floats[:, i]) for i, name in enumerate(_FLOAT_COLUMNS)
        }
        batch = ReportBatch(
            report_id=report_id,
            sensor_index=ints[:, 0].astype(np.int32),
            sensor_kind=ints[:, 1].astype(np.uint8),
            measurement=ints[:, 2].astype(np.uint8),
            identity=np.array(self._identity, dtype=IDENTITY_DTYPE).reshape(n),
            declared_class=ints[:, 3].astype(np.uint8),
            class_confidence=np.array(self._confidence, dtype=np.float32).reshape(n),
            emitter_category=ints[:, 4].astype(np.uint8),
            nic=ints[:, 5].astype(np.uint8),
            nacp=ints[:, 6].astype(np.uint8),
            **columns,
        )
        key_columns = np.array(self._keys, dtype=np.str_).reshape(n, 3)
        keys = ReportKeys(
            report_id.copy(),
            np.ascontiguousarray(key_columns[:, 0]),
            np.ascontiguousarray(key_columns[:, 1]),
            np.ascontiguousarray(key_columns[:, 2]),
        )
        self._clear()
        return batch, keys
