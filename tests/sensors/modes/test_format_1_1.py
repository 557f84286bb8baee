"""Report format 1.1 from Mode S / ADS-B: the emitter category code (TC 1–4), NIC from the
position's containment radius, NACp (TC 31 / 29), vertical rate (TC 19, SBS MSG,4), and ICAO
addresses in upper case whatever case an SBS feed writes them in."""

from __future__ import annotations

import pytest

from dronewall.sensors.modes import SbsAdapter
from dronewall.sensors.modes.accuracy import nic_from_rc, reported_nacp
from dronewall.sensors.modes.reports import FPM, category_code
from tests.sensors.modes.encode import (
    extended_squitter,
    me_identification,
    me_opstatus,
    me_velocity_ground,
    sbs,
)
from tests.sensors.modes.test_decoder import ICAO, at, pos, run


@pytest.mark.parametrize(
    ("category", "code"),
    [("A3", 0xA3), ("A5", 0xA5), ("A7", 0xA7), ("B1", 0xB1), ("B6", 0xB6), ("C3", 0xC3),
     ("A0", 0xA0), ("", 0), ("E1", 0), ("A8", 0), ("A", 0)],
)  # fmt: skip
def test_category_codes_read_as_hex(category: str, code: int) -> None:
    assert category_code(category) == code


def test_nic_from_containment_radius_and_nacp_range() -> None:
    assert [nic_from_rc(rc) for rc in (7.5, 25.0, 75.0, 185.2, 0.5 * 1852.0)] == [11, 10, 9, 8, 6]
    assert nic_from_rc(20 * 1852.0) == 1 and nic_from_rc(float("inf")) == 0
    assert [reported_nacp(n) for n in (-1, 0, 8, 11, 12, 15)] == [0, 0, 8, 11, 0, 0]


def test_adsb_reports_carry_category_nic_nacp_and_vertical_rate() -> None:
    p = at(100)
    ident = extended_squitter(ICAO, me_identification("B1", "DGLID"))  # glider
    status = extended_squitter(ICAO, me_opstatus(2, 9))  # NACp 9: EPU < 30 m
    climb = extended_squitter(ICAO, me_velocity_ground(40, 30, 640))  # +640 ft/min
    frames = [(ident, 0.0), (status, 0.1), (climb, 0.5)]
    _, out = run([*frames, (pos(p, False, tc=9), 1.0), (pos(p, True, tc=9), 2.0)])
    (report,) = out.reports
    assert report.emitter_category == 0xB1
    assert report.nacp == 9
    assert report.nic == 11  # TC 9: Rc < 7.5 m
    assert report.vertical_rate_mps == pytest.approx(640 * FPM)


def test_nothing_heard_is_not_given() -> None:
    p = at(100)
    _, out = run([(pos(p, False, tc=18), 1.0), (pos(p, True, tc=18), 2.0)])
    (report,) = out.reports
    assert (report.emitter_category, report.nacp) == (0, 0)
    assert report.nic == 0  # TC 18: Rc unknown
    assert report.vertical_rate_mps != report.vertical_rate_mps  # NaN


def test_sbs_lower_case_address_is_the_same_icao_identity_with_vertical_rate() -> None:
    adapter = SbsAdapter("rx")
    adapter.receive(sbs(4, "4ca7b1", gs="120", track="90", vr="-512"), 1_483_995_424.0)
    adapter.receive(sbs(3, "4ca7b1", alt="3000", lat="50.1", lon="10.1"), 1_483_995_424.5)
    adapter.receive(sbs(3, "4CA7B1", alt="3000", lat="50.1", lon="10.11"), 1_483_995_425.0)
    reports = adapter.output.reports
    assert [r.identity for r in reports] == ["4CA7B1", "4CA7B1"]
    assert reports[0].vertical_rate_mps == pytest.approx(-512 * FPM)
