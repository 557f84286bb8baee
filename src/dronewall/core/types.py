"""Domain types shared by every layer: kinds of sensors, measurements and objects, and the
columnar ``ReportBatch`` that carries sensor reports through the system.

Reports travel as struct-of-arrays batches (one numpy array per column), never as one Python
object per detection. A column that does not apply to a report's measurement kind holds NaN
(floats), 0 (integers) or "" (strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Self

import numpy as np
import numpy.typing as npt


class SensorKind(IntEnum):
    """What kind of sensor produced a report."""

    RADAR = 1
    RF = 2
    ACOUSTIC = 3
    EOIR = 4
    REMOTE_ID = 5
    ADSB = 6


def sensor_kind_name(value: int) -> str:
    """The ``SensorKind`` name of a value, or "OTHER" for a value outside the enumeration."""
    try:
        return SensorKind(value).name
    except ValueError:
        return "OTHER"


class MeasurementKind(IntEnum):
    """The geometry of a measurement; decides which columns of a report are filled."""

    POSITION = 1  # lat, lon, alt with sigma_horizontal_m / sigma_vertical_m (Remote ID, ADS-B)
    RADAR = 2  # range_m, azimuth_deg, elevation_deg from the sensor, with their sigmas
    BEARING = 3  # azimuth_deg (and elevation_deg when measured) from the sensor


class ObjectClass(IntEnum):
    """The classes a track or a sensor's declaration can take."""

    UNKNOWN = 0
    DRONE = 1
    BIRD = 2
    AIRCRAFT = 3


class ObjectKind(IntEnum):
    """What a simulated (truth) object really is. Finer than ``ObjectClass``."""

    ONE_WAY_ATTACK = 1  # Shahed/Geran-class loitering munition
    DECOY = 2  # Gerbera-class decoy
    QUADCOPTER = 3
    RECON_FIXED_WING = 4  # Orlan-class reconnaissance drone
    CIVIL_AIRCRAFT = 5
    BIRD_FLOCK = 6
    GLIDER = 7  # sailplanes: slow, high, thermalling in tight circles
    HELICOPTER = 8
    LIGHT_AIRCRAFT = 9  # single-engine piston (Cessna 172 class)
    ULTRALIGHT = 10  # microlights, gyrocopters, paramotors

    @property
    def object_class(self) -> ObjectClass:
        if self is ObjectKind.BIRD_FLOCK:
            return ObjectClass.BIRD
        if self in _MANNED:
            return ObjectClass.AIRCRAFT
        return ObjectClass.DRONE


_MANNED = frozenset(
    {
        ObjectKind.CIVIL_AIRCRAFT,
        ObjectKind.GLIDER,
        ObjectKind.HELICOPTER,
        ObjectKind.LIGHT_AIRCRAFT,
        ObjectKind.ULTRALIGHT,
    }
)


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# Identities have no length limit (ANSI/CTA-2063-A serials are up to 20 characters, a UTM
# UUID 36 as text, session and operator ids longer): an array of Python strings, so filling
# an allocated batch never cuts one. Not numpy's StringDType: its take and concatenate are
# 20–40× slower than a fixed-width or object array's, and the tracker takes rows all the time.
IDENTITY_DTYPE = np.dtype(object)
# ICAO 24-bit address as receivers and open data write it, in either case.
_ICAO_ADDRESS = re.compile(r"[0-9A-Fa-f]{6}")


def icao_identity(text: str) -> str:
    """An ICAO 24-bit address in the one spelling reports use (upper-case hex), so that the
    same aircraft is one identity whoever wrote it; any other text is returned unchanged."""
    return text.upper() if _ICAO_ADDRESS.fullmatch(text) else text


@dataclass(frozen=True, slots=True)
class ReportBatch:
    """A batch of sensor reports, one row per report, as parallel numpy arrays.

    Times are POSIX seconds (UTC). Angles are degrees: azimuth clockwise from true north in
    [0, 360), elevation above the local horizontal. Heights are metres above the WGS-84
    ellipsoid. The sensor that made a report is ``sensor_index`` into the run's sensor table.
    """

    report_id: npt.NDArray[np.int64]
    sensor_index: npt.NDArray[np.int32]
    sensor_kind: npt.NDArray[np.uint8]
    measurement: npt.NDArray[np.uint8]
    t_measured: FloatArray
    t_arrival: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    sigma_horizontal_m: FloatArray
    sigma_vertical_m: FloatArray
    range_m: FloatArray
    azimuth_deg: FloatArray
    elevation_deg: FloatArray
    sigma_range_m: FloatArray
    sigma_azimuth_deg: FloatArray
    sigma_elevation_deg: FloatArray
    speed_mps: FloatArray  # ground speed where the sensor reports it (ADS-B, Remote ID)
    course_deg: FloatArray  # course over ground where reported
    # ICAO address (6 upper-case hex digits) or Remote ID UAS ID, else "": any length (any
    # numpy array of str; ``allocate`` gives ``IDENTITY_DTYPE``, Python strings).
    identity: npt.NDArray[np.str_]
    declared_class: npt.NDArray[np.uint8]  # ObjectClass the sensor declares
    class_confidence: npt.NDArray[np.float32]  # 0..1, 0 when nothing is declared
    # Format 1.1 (docs/report-format.md): what some sensors also say; "not given" is 0 / NaN.
    emitter_category: npt.NDArray[np.uint8]  # DO-260B set and number as hex: 0xA3 = "A3"
    nic: npt.NDArray[np.uint8]  # DO-260B navigation integrity category 1–11; 0 unknown
    nacp: npt.NDArray[np.uint8]  # DO-260B navigation accuracy category 1–11; 0 unknown
    vertical_rate_mps: FloatArray  # climb rate, up positive
    rcs_dbsm: FloatArray  # radar cross-section, dB relative to 1 m²
    radial_velocity_mps: FloatArray  # Doppler range rate, positive moving away from the sensor

    def __len__(self) -> int:
        return int(self.report_id.shape[0])

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def empty(cls) -> Self:
        return cls.allocate(0)

    @classmethod
    def allocate(cls, n: int) -> Self:
        """A batch of ``n`` rows with every optional column at its "not applicable" value."""
        nan = np.full(n, np.nan)
        return cls(
            report_id=np.zeros(n, np.int64),
            sensor_index=np.zeros(n, np.int32),
            sensor_kind=np.zeros(n, np.uint8),
            measurement=np.zeros(n, np.uint8),
            t_measured=nan.copy(),
            t_arrival=nan.copy(),
            lat_deg=nan.copy(),
            lon_deg=nan.copy(),
            alt_m=nan.copy(),
            sigma_horizontal_m=nan.copy(),
            sigma_vertical_m=nan.copy(),
            range_m=nan.copy(),
            azimuth_deg=nan.copy(),
            elevation_deg=nan.copy(),
            sigma_range_m=nan.copy(),
            sigma_azimuth_deg=nan.copy(),
            sigma_elevation_deg=nan.copy(),
            speed_mps=nan.copy(),
            course_deg=nan.copy(),
            identity=np.full(n, "", dtype=IDENTITY_DTYPE),
            declared_class=np.zeros(n, np.uint8),
            class_confidence=np.zeros(n, np.float32),
            emitter_category=np.zeros(n, np.uint8),
            nic=np.zeros(n, np.uint8),
            nacp=np.zeros(n, np.uint8),
            vertical_rate_mps=nan.copy(),
            rcs_dbsm=nan.copy(),
            radial_velocity_mps=nan.copy(),
        )

    @classmethod
    def concat(cls, batches: list[Self]) -> Self:
        if not batches:
            return cls.empty()
        if len(batches) == 1:  # batches are not changed in place: no copy needed
            return batches[0]
        return cls(
            **{
                name: np.concatenate([getattr(b, name) for b in batches])
                for name in cls.column_names()
            }
        )

    def take(self, index: npt.ArrayLike) -> Self:
        """Rows selected by an integer index or a boolean mask, as a new batch."""
        idx = np.asarray(index)
        return type(self)(**{name: getattr(self, name)[idx] for name in self.column_names()})
