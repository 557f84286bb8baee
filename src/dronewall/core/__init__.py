"""Core: domain types, WGS-84 geodesy, injected time and the error tree. numpy only, no I/O."""

from dronewall.core.clock import Clock, ManualClock, SystemClock
from dronewall.core.errors import (
    ConfigError,
    DataError,
    DecodeError,
    DronewallError,
    UnknownPlaceError,
)
from dronewall.core.types import MeasurementKind, ObjectClass, ObjectKind, ReportBatch, SensorKind

__all__ = [
    "Clock",
    "ConfigError",
    "DataError",
    "DecodeError",
    "DronewallError",
    "ManualClock",
    "MeasurementKind",
    "ObjectClass",
    "ObjectKind",
    "ReportBatch",
    "SensorKind",
    "SystemClock",
    "UnknownPlaceError",
]
