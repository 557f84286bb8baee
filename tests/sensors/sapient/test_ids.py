"""UUIDs and ULIDs as the BSI Flex 335 v2.0 test harness checks them."""

from __future__ import annotations

import pytest

from dronewall.sensors.sapient.ids import (
    UlidFactory,
    is_ulid,
    is_uuid,
    keyed_ulid,
    make_ulid,
    node_uuid,
)


@pytest.mark.parametrize(
    "text",
    [
        "a8654cdf-4328-47de-81fa-c495589e30c8",
        "A8654CDF-4328-47DE-81FA-C495589E30C8",
        "a8654cdf432847de81fac495589e30c8",
        "{a8654cdf-4328-47de-81fa-c495589e30c8}",
    ],
)
def test_uuid_forms_the_harness_accepts(text: str) -> None:
    assert is_uuid(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a8654cdf-4328-47de-81fa",
        "a8654cdf-4328-47de-81fa-c495589e30cz",
        "{a8654cdf-4328-47de-81fa-c495589e30c8",
        "a8654cdf-432847de-81fa-c495589e30c8",
        "a8654cdf-4328-47de-81fa-c495589e30c8 ",
    ],
)
def test_not_uuids(text: str) -> None:
    assert not is_uuid(text)


def test_ulids_follow_the_spec() -> None:
    assert is_ulid("01GGYFBAXGDG7AGAHRZ6XSNY12")
    assert is_ulid("01ggyfbaxgdg7agahrz6xsny12")
    assert is_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")  # the largest ULID
    assert not is_ulid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")  # over 128 bits
    assert not is_ulid("01GGYFBAXGDG7AGAHRZ6XSNYU2")  # U is not Crockford base 32
    assert not is_ulid("01GGYFBAXGDG7AGAHRZ6XSNY1")  # 25 characters


def test_make_ulid_puts_the_time_first_in_crockford_base32() -> None:
    assert make_ulid(0, bytes(10)) == "0" * 26
    assert make_ulid((1 << 48) - 1, b"\xff" * 10) == "7" + "Z" * 25
    # the spec's example, 01ARZ3NDEKTSV4RRFFQ69G5FAV, has time 1469922850259 ms
    assert make_ulid(1469922850259, bytes(10)).startswith("01ARZ3NDEK")
    with pytest.raises(ValueError):
        make_ulid(-1, bytes(10))
    with pytest.raises(ValueError):
        make_ulid(0, bytes(9))


def test_ulids_sort_by_time_and_are_reproducible_from_a_seed() -> None:
    first = UlidFactory(7)
    second = UlidFactory(7)
    ids = [first.new(1_759_429_800.0 + i) for i in range(5)]
    assert ids == sorted(ids)
    assert ids == [second.new(1_759_429_800.0 + i) for i in range(5)]
    assert all(is_ulid(i) for i in ids)
    assert len(set(ids)) == 5


def test_keyed_ulids_and_node_uuids_are_stable() -> None:
    assert keyed_ulid(1.0, "a") == keyed_ulid(1.0, "a") != keyed_ulid(1.0, "b")
    assert node_uuid("eddm-cuas-000") == node_uuid("eddm-cuas-000")
    assert node_uuid("eddm-cuas-000") != node_uuid("eddm-cuas-001")
    assert is_uuid(node_uuid("x"))
