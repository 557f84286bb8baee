"""The error tree: every error is a ``DronewallError`` and carries the data that caused it."""

from __future__ import annotations

import pytest

from dronewall.core import ConfigError, DataError, DecodeError, DronewallError, UnknownPlaceError


def test_config_error_names_source_line_and_field() -> None:
    error = ConfigError(
        "must be positive", source="scenarios/poland.toml", field="raid[1].speed_kmh", line=12
    )
    message = str(error)
    assert "scenarios/poland.toml:12" in message
    assert "raid[1].speed_kmh" in message
    assert "must be positive" in message
    assert (error.source, error.field, error.line) == (
        "scenarios/poland.toml",
        "raid[1].speed_kmh",
        12,
    )


def test_config_error_without_line_still_names_source_and_field() -> None:
    message = str(ConfigError("is required", source="site.toml", field="sensors[0].kind"))
    assert "site.toml" in message
    assert "sensors[0].kind" in message
    assert "is required" in message
    assert "None" not in message


def test_config_error_with_line_but_no_source() -> None:
    message = str(ConfigError("bad value", field="x", line=3))
    assert "line 3" in message
    assert "x" in message


def test_config_error_message_only() -> None:
    error = ConfigError("empty file")
    assert str(error) == "empty file"
    assert error.line is None


@pytest.mark.parametrize(
    "error",
    [
        ConfigError("bad"),
        DataError("broken"),
        UnknownPlaceError("airport", "XXXX"),
        DecodeError("bad frame", b"\x00"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_error_is_a_dronewall_error(error: Exception) -> None:
    assert isinstance(error, DronewallError)
    with pytest.raises(DronewallError):
        raise error


def test_unknown_place_is_a_data_error_and_keeps_its_name() -> None:
    error = UnknownPlaceError("airport", "EPZZ")
    assert isinstance(error, DataError)
    assert (error.kind, error.name) == ("airport", "EPZZ")
    assert "EPZZ" in str(error)
    assert "airport" in str(error)


def test_decode_error_keeps_the_bad_value() -> None:
    raw = "8D4840D6202CC371C32CE0576098"
    error = DecodeError("unexpected type code", raw)
    assert error.value is raw
    assert "unexpected type code" in str(error)
    assert DecodeError("no value").value is None
