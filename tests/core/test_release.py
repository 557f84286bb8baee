"""Security labels and the one releasability rule (core/release.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dronewall.core.release import (
    CLASSIFICATIONS,
    LabelError,
    Recipient,
    SecurityLabel,
    cleared,
    cleared_all,
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
    st.frozensets(st.sampled_from(NATIONS + ("NATO",)), max_size=3),
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
