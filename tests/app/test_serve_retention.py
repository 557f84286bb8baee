"""``dronewall serve --keep-days/--keep-full-hours/--keep-reports-days``: the retention policy
the server applies while a pipeline records; a bad value is one line naming the option."""

from __future__ import annotations

import math

import pytest

from dronewall.app.serve_cli import _retention
from dronewall.store import RetentionPolicy
from tests.app.test_cli_errors import assert_one_line_error, dronewall


def test_the_options_make_the_policy() -> None:
    assert _retention(30.0, 24.0, math.inf) == RetentionPolicy()
    policy = _retention(7.0, 0.0, 90.0)
    assert (policy.raw_days, policy.frame_days, policy.full_frames_hours) == (7.0, 7.0, 0.0)
    assert policy.report_days == 90.0 and policy.thin_to_s == 60.0
    assert _retention(math.inf, math.inf, math.inf).frame_days == math.inf  # keep everything


@pytest.mark.parametrize(
    "option, value",
    [("--keep-days", "0"), ("--keep-full-hours", "-1"), ("--keep-reports-days", "nan")],
)
def test_a_bad_value_is_one_line_naming_the_option(option: str, value: str) -> None:
    done = dronewall("serve", "copenhagen-2025-09", option, value, "--port", "1")
    assert_one_line_error(done, option)
