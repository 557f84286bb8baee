"""Security labels and the one releasability rule (core/release.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dronewall.core.release import (
    CLASSIFICATIONS,
    MAX_LABELS,
    UNKNOWN_MASK,
    LabelError,
    LabelTable,
    Recipient,
    SecurityLabel,
    cleared,
    cleared_all,
    default_label,
    released,
)

NATIONS = ("DEU", "POL", "FRA", "LTU", "USA")


def test_owner_and_releasable_nations_are_cleared_others_not() -> None:
    label = SecurityLabel.make("POL", "RESTRICTED", ["LTU"])
    assert cleared(Recipient.make("POL", "SECRET"), label)
    assert cleared(Recipient.make("LTU", "RESTRICTED"), label)
    assert not cleared(Recipient.make("DEU", "SECRET"), label)
    assert not cleared(Recipient.make("LTU", "UNCLASSIFIED"), label)  # clearance too low


def test_communities_release_to_their_members() -> None:
    label = SecurityLabel.make("DEU", "UNCLASSIFIED", ["NATO"])
    assert cleared(Recipient.make("USA", communities=["NATO"]), label)
    assert not cleared(Recipient.make("USA"), label)


def test_bad_labels_are_named() -> None:
    with pytest.raises(LabelError, match="classification"):
        SecurityLabel.make("DEU", "SEKRET")
    with pytest.raises(LabelError, match="alpha-3"):
        SecurityLabel.make("DE")
    with pytest.raises(LabelError, match="communities"):
        Recipient.make("DEU", communities=["OSCE"])


def test_marking_reads_like_a_banner() -> None:
    label = SecurityLabel.make("pol", "nato_restricted".removeprefix("nato_"), ["deu"])
    assert label.marking() == "NATO RESTRICTED REL TO DEU, POL"


labels = st.builds(
    SecurityLabel.make,
    st.sampled_from(NATIONS),
    st.sampled_from(CLASSIFICATIONS),
    st.frozensets(st.sampled_from((*NATIONS, "NATO")), max_size=3),
)
recipients = st.builds(
    Recipient.make,
    st.sampled_from(NATIONS),
    st.sampled_from(CLASSIFICATIONS),
    st.frozensets(st.just("NATO"), max_size=1),
)


@given(recipients, st.lists(labels, max_size=4), labels)
def test_more_sources_never_widen_release(
    r: Recipient, base: list[SecurityLabel], extra: SecurityLabel
) -> None:
    # Adding a contributing label can only withdraw data from a recipient, never release it.
    assert cleared_all(r, [*base, extra]) <= cleared_all(r, base)


@given(recipients, labels)
def test_higher_clearance_never_loses_access(r: Recipient, label: SecurityLabel) -> None:
    top = Recipient.make(r.nation, CLASSIFICATIONS[-1], r.communities)
    assert cleared(r, label) <= cleared(top, label)


# ---- label masks (LabelTable) ----------------------------------------------------------


def test_a_label_table_gives_each_distinct_label_one_bit_in_order_of_appearance() -> None:
    pl = SecurityLabel.make("POL", "SECRET")
    de = SecurityLabel.make("DEU", "UNCLASSIFIED", ["NATO"])
    table = LabelTable.of([pl, de, pl, de, pl])
    assert table.labels == (pl, de)
    assert table.sensor_bits.tolist() == [1, 2, 1, 2, 1]
    grown = LabelTable.of([pl, de, pl, de, pl, SecurityLabel.make("FRA")])  # appended sensor
    assert grown.labels[:2] == table.labels  # bits stay
    assert table.labels_of(0b11) == [pl, de] and table.labels_of(UNKNOWN_MASK) == [pl, de]


def test_allowed_mask_and_released_follow_the_rule() -> None:
    pl = SecurityLabel.make("POL", "SECRET")
    de = SecurityLabel.make("DEU", "UNCLASSIFIED", ["NATO"])
    table = LabelTable.of([pl, de])
    fr = Recipient.make("FRA", "SECRET", ["NATO"])
    pol = Recipient.make("POL", "SECRET", ["NATO"])
    masks = [0b01, 0b10, 0b11, UNKNOWN_MASK]
    assert released(masks, table.allowed_mask(fr)).tolist() == [False, True, False, False]
    # cleared for every label: unknown provenance too
    assert released(masks, table.allowed_mask(pol)).tolist() == [True, True, True, True]
    assert table.allowed_mask(pol) == UNKNOWN_MASK
    # a bit the table does not know (a newer table's sensor) goes to no one partly cleared
    assert released([0b110], table.allowed_mask(fr)).tolist() == [False]


@given(
    labels=st.lists(
        st.builds(
            SecurityLabel.make,
            st.sampled_from(NATIONS),
            st.sampled_from(CLASSIFICATIONS),
            st.lists(st.sampled_from((*NATIONS, "NATO")), max_size=2),
        ),
        min_size=1,
        max_size=8,
    ),
    recipient=st.builds(
        Recipient.make,
        st.sampled_from(NATIONS),
        st.sampled_from(CLASSIFICATIONS),
        st.lists(st.just("NATO"), max_size=1),
    ),
    mask=st.integers(1, 255),
)
def test_a_released_mask_is_exactly_cleared_all_of_its_labels(
    labels: list[SecurityLabel], recipient: Recipient, mask: int
) -> None:
    table = LabelTable.of(labels)
    mask &= (1 << len(table.labels)) - 1
    expected = cleared_all(recipient, table.labels_of(mask))
    assert bool(released([mask], table.allowed_mask(recipient))[0]) == expected


def test_too_many_labels_and_the_default() -> None:
    many = [SecurityLabel.make("DEU", "UNCLASSIFIED", [f"{chr(65 + i // 26)}{chr(65 + i % 26)}A"])
            for i in range(MAX_LABELS + 1)]  # fmt: skip
    with pytest.raises(LabelError, match="at most 63"):
        LabelTable.of(many)
    label = default_label("POL")
    assert label.owner == "POL" and label.classification == "UNCLASSIFIED"
    assert not label.releasable_to  # shared with nobody else
