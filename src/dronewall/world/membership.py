"""Membership of the European Union and of NATO, and which countries count as European.

Codes are Natural Earth ``ADM0_A3`` codes (ISO 3166-1 alpha-3 except where Natural Earth
differs, e.g. ``KOS`` for Kosovo).

Sources, checked against the lists as published in 2025:

* EU member states (27): https://european-union.europa.eu/principles-countries-history/eu-countries_en
  — the last accession was Croatia on 1 July 2013; the United Kingdom left on 31 January 2020.
* NATO allies (32): https://www.nato.int/cps/en/natohq/topics_52044.htm ("NATO member
  countries") — the last accessions were Finland on 4 April 2023 and Sweden on 7 March 2024.

Natural Earth splits some territories from the state that is responsible for them (Åland,
the Faroe Islands, Greenland, the Crown Dependencies, Gibraltar, the UK Sovereign Base Areas
on Cyprus). ``EU_TERRITORIES`` and ``NATO_TERRITORIES`` say which of them share the
membership of their state: Åland is inside the EU (Accession Treaty 1994, Protocol 2); the
others are outside the EU but defended by their NATO state (North Atlantic Treaty, Art. 6).
"""

from __future__ import annotations

from typing import Final

EU_MEMBERS: Final = frozenset(
    {
        "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN",
        "FRA", "DEU", "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX",
        "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
    }
)  # fmt: skip

NATO_ALLIES: Final = frozenset(
    {
        "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
        "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
        "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
    }
)  # fmt: skip

# Natural Earth units that are part of, or defended by, a member state.
EU_TERRITORIES: Final = {"ALD": "FIN"}
NATO_TERRITORIES: Final = {
    "ALD": "FIN",
    "FRO": "DNK",
    "GRL": "DNK",
    "JEY": "GBR",
    "GGY": "GBR",
    "IMN": "GBR",
    "GIB": "GBR",
    "ESB": "GBR",
    "WSB": "GBR",
}

# What dronewall calls "European": the EU, EFTA, the UK and its dependencies in Europe,
# the microstates, the Western Balkans, Eastern Europe including Russia, Turkey and the South
# Caucasus (the Council of Europe's footprint plus Belarus and Russia). Greenland, North
# Africa and the Middle East are loaded as neighbours but are not European.
EUROPEAN_COUNTRIES: Final = EU_MEMBERS | frozenset(
    {
        "ALD", "FRO", "ISL", "NOR", "CHE", "LIE", "GBR", "JEY", "GGY", "IMN", "GIB",
        "ESB", "WSB", "AND", "MCO", "SMR", "VAT", "ALB", "BIH", "MNE", "MKD", "SRB",
        "KOS", "UKR", "BLR", "MDA", "RUS", "TUR", "GEO", "ARM", "AZE",
    }
)  # fmt: skip


def is_eu(a3: str) -> bool:
    """True if the Natural Earth unit ``a3`` is inside the European Union."""
    return a3 in EU_MEMBERS or a3 in EU_TERRITORIES


def is_nato(a3: str) -> bool:
    """True if the Natural Earth unit ``a3`` is an ally or territory defended by one."""
    return a3 in NATO_ALLIES or a3 in NATO_TERRITORIES
