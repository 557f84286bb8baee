"""Domain types: the columnar ``ReportBatch`` keeps its columns aligned through every operation."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pytest

from dronewall.core import MeasurementKind, ObjectClass, ObjectKind, ReportBatch, SensorKind
from dronewall.core.types import IDENTITY_DTYPE, icao_identity

FLOAT_COLUMNS = [
    "t_measured", "t_arrival", "lat_deg", "lon_deg", "alt_m", "sigma_horizontal_m",
    "sigma_vertical_m", "range_m", "azimuth_deg", "elevation_deg", "sigma_range_m",
    "sigma_azimuth_deg", "sigma_elevation_deg", "speed_mps", "course_deg",
    "vertical_rate_mps", "rcs_dbsm", "radial_velocity_mps",
]  # fmt: skip


def _filled(n: int, first_id: int) -> ReportBatch:
    """A batch whose every column is a function of report_id, so misalignment shows."""
    batch = ReportBatch.allocate(n)
    ids = np.arange(first_id, first_id + n)
    batch.report_id[:] = ids
    batch.sensor_index[:] = ids % 7
    batch.sensor_kind[:] = ids % 6 + 1
    batch.measurement[:] = ids % 3 + 1
    for offset, name in enumerate(FLOAT_COLUMNS):
        getattr(batch, name)[:] = ids * 10.0 + offset
    batch.identity[:] = [f"id{i}" for i in ids]
    batch.declared_class[:] = ids % 4
    batch.class_confidence[:] = (ids % 100) / 100.0
    return batch


def _assert_aligned(batch: ReportBatch) -> None:
    ids = batch.report_id
    for name in ReportBatch.column_names():
        assert getattr(batch, name).shape == (len(batch),), name
    np.testing.assert_array_equal(batch.sensor_index, ids % 7)
    np.testing.assert_array_equal(batch.sensor_kind, ids % 6 + 1)
    np.testing.assert_array_equal(batch.measurement, ids % 3 + 1)
    for offset, name in enumerate(FLOAT_COLUMNS):
        np.testing.assert_array_equal(getattr(batch, name), ids * 10.0 + offset)
    np.testing.assert_array_equal(batch.identity, [f"id{i}" for i in ids])
    np.testing.assert_array_equal(batch.declared_class, ids % 4)
    np.testing.assert_array_equal(batch.class_confidence, ((ids % 100) / 100.0).astype(np.float32))


def test_column_names_cover_every_field_in_order() -> None:
    names = ReportBatch.column_names()
    assert names == tuple(typing.get_type_hints(ReportBatch))
    assert names == tuple(f.name for f in dataclasses.fields(ReportBatch))
    assert len(set(names)) == len(names)
    assert set(FLOAT_COLUMNS) < set(names)
    assert names[0] == "report_id"


@pytest.mark.parametrize("n", [0, 1, 5])
def test_allocate_fills_not_applicable_values(n: int) -> None:
    batch = ReportBatch.allocate(n)
    assert len(batch) == n
    for name in ReportBatch.column_names():
        assert getattr(batch, name).shape == (n,), name
    for name in FLOAT_COLUMNS:
        assert np.isnan(getattr(batch, name)).all(), name
    assert (batch.identity == "").all()
    assert (batch.report_id == 0).all()
    assert (batch.class_confidence == 0).all()


def test_allocate_columns_do_not_share_memory() -> None:
    batch = ReportBatch.allocate(3)
    arrays = [getattr(batch, name) for name in ReportBatch.column_names()]
    for i, a in enumerate(arrays):
        for b in arrays[i + 1 :]:
            assert not np.shares_memory(a, b)


def test_allocate_dtypes_are_declared_dtypes() -> None:
    batch = ReportBatch.allocate(2)
    assert batch.report_id.dtype == np.int64
    assert batch.sensor_index.dtype == np.int32
    assert batch.sensor_kind.dtype == np.uint8
    assert batch.measurement.dtype == np.uint8
    assert batch.declared_class.dtype == np.uint8
    assert batch.class_confidence.dtype == np.float32
    assert batch.identity.dtype == IDENTITY_DTYPE  # variable width: no identity is ever cut
    for name in ("emitter_category", "nic", "nacp"):
        assert getattr(batch, name).dtype == np.uint8, name
        assert not getattr(batch, name).any(), name  # 0: not given
    for name in FLOAT_COLUMNS:
        assert getattr(batch, name).dtype == np.float64, name


def test_empty() -> None:
    empty = ReportBatch.empty()
    assert len(empty) == 0
    assert len(ReportBatch.concat([])) == 0


def test_concat_keeps_rows_aligned_and_in_order() -> None:
    parts = [_filled(3, 0), _filled(0, 100), _filled(4, 50), _filled(1, 7)]
    joined = ReportBatch.concat(parts)
    assert len(joined) == 8
    np.testing.assert_array_equal(joined.report_id, [0, 1, 2, 50, 51, 52, 53, 7])
    _assert_aligned(joined)
    assert joined.sensor_index.dtype == np.int32
    assert joined.class_confidence.dtype == np.float32


def test_take_by_index_and_by_mask() -> None:
    batch = _filled(10, 20)
    picked = batch.take([7, 2, 2, 9])
    np.testing.assert_array_equal(picked.report_id, [27, 22, 22, 29])
    _assert_aligned(picked)
    mask = batch.report_id % 3 == 0
    masked = batch.take(mask)
    np.testing.assert_array_equal(masked.report_id, [21, 24, 27])
    _assert_aligned(masked)
    assert len(batch.take(np.zeros(10, bool))) == 0
    _assert_aligned(batch)  # the original is untouched


def test_batch_is_frozen() -> None:
    batch = ReportBatch.allocate(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        batch.report_id = np.zeros(1, np.int64)  # type: ignore[misc]


def test_object_kind_maps_to_class() -> None:
    expected = {
        ObjectKind.ONE_WAY_ATTACK: ObjectClass.DRONE,
        ObjectKind.DECOY: ObjectClass.DRONE,
        ObjectKind.QUADCOPTER: ObjectClass.DRONE,
        ObjectKind.RECON_FIXED_WING: ObjectClass.DRONE,
        ObjectKind.CIVIL_AIRCRAFT: ObjectClass.AIRCRAFT,
        ObjectKind.BIRD_FLOCK: ObjectClass.BIRD,
        ObjectKind.GLIDER: ObjectClass.AIRCRAFT,
        ObjectKind.HELICOPTER: ObjectClass.AIRCRAFT,
        ObjectKind.LIGHT_AIRCRAFT: ObjectClass.AIRCRAFT,
        ObjectKind.ULTRALIGHT: ObjectClass.AIRCRAFT,
    }
    assert set(expected) == set(ObjectKind)
    for kind, object_class in expected.items():
        assert kind.object_class is object_class


def test_enum_values_fit_their_uint8_columns() -> None:
    for enum in (SensorKind, MeasurementKind, ObjectClass):
        assert all(0 <= member.value <= 255 for member in enum)
    assert ObjectClass.UNKNOWN.value == 0  # the "nothing declared" default of declared_class


def test_an_allocated_batch_takes_identities_of_any_length() -> None:
    batch = ReportBatch.allocate(3)
    serial, uuid = "1581F5FJD23190000K7Z", "0f8e2b7c5d4a49f6b1e3a2c4d5e6f708"
    batch.identity[:] = [serial, uuid, "X" * 100]
    joined = ReportBatch.concat([batch, ReportBatch.allocate(1)])
    assert joined.identity.tolist() == [serial, uuid, "X" * 100, ""]


def test_icao_identity_is_upper_case_hex_and_leaves_other_text_alone() -> None:
    assert icao_identity("4ca7b1") == "4CA7B1"
    assert icao_identity("4CA7B1") == "4CA7B1"
    assert icao_identity("1581f5fjd23190000k7z") == "1581f5fjd23190000k7z"  # not 6 hex digits
    assert icao_identity("~4ca7b1") == "~4ca7b1"  # a non-ICAO address keeps its mark
