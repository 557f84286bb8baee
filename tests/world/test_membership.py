"""EU and NATO membership constants, and the flags they give each country."""

from __future__ import annotations

import pytest

from dronewall.world.countries import load_countries
from dronewall.world.membership import EU_MEMBERS, EUROPEAN_COUNTRIES, NATO_ALLIES, is_eu, is_nato


def test_there_are_27_eu_members_and_32_nato_allies() -> None:
    assert len(EU_MEMBERS) == 27
    assert len(NATO_ALLIES) == 32


def test_recent_and_non_european_allies_are_listed() -> None:
    assert {"FIN", "SWE", "USA", "CAN", "TUR", "ALB", "MNE", "MKD"} <= NATO_ALLIES


def test_every_eu_member_is_european_and_loaded() -> None:
    assert EU_MEMBERS <= EUROPEAN_COUNTRIES
    assert set(load_countries()) >= EUROPEAN_COUNTRIES


@pytest.mark.parametrize(
    ("a3", "eu", "nato"),
    [
        ("FIN", True, True),
        ("POL", True, True),
        ("SWE", True, True),
        ("NOR", False, True),
        ("AUT", True, False),
        ("UKR", False, False),
        ("ALD", True, True),  # Åland: inside the EU, part of Finland
        ("GRL", False, True),  # Greenland: outside the EU, defended by Denmark
    ],
)
def test_country_flags(a3: str, eu: bool, nato: bool) -> None:
    country = load_countries()[a3]
    assert (country.eu, country.nato) == (eu, nato)
    assert (is_eu(a3), is_nato(a3)) == (eu, nato)
