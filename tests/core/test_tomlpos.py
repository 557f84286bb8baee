"""Finding the line of a table, an array element or a key in TOML text."""

from __future__ import annotations

from dronewall.core.tomlpos import line_of

TEXT = """\
title = "x"

[[site]]
id = "a"
"lat" = 1

[[site]]
id = "b"

[other]
lat = 3
'long name' = 4
"""


def test_key_in_the_nth_table() -> None:
    assert line_of(TEXT, ("site", 0, "id")) == 4
    assert line_of(TEXT, ("site", 0, "lat")) == 5  # quoted key
    assert line_of(TEXT, ("site", 1, "id")) == 8


def test_missing_key_falls_back_to_the_table_header_and_stops_at_the_next_table() -> None:
    assert line_of(TEXT, ("site", 1, "lat")) == 7
    assert line_of(TEXT, ("site", 2, "id")) is None


def test_top_level_keys_and_headers() -> None:
    assert line_of(TEXT, ("title",)) == 1
    assert line_of(TEXT, ("site",)) == 3  # an array of tables: its first header
    assert line_of(TEXT, ("other",)) == 10
    assert line_of(TEXT, ("lat",)) is None  # only inside tables


def test_element_of_an_array_and_key_of_a_plain_table() -> None:
    assert line_of(TEXT, ("site", 1)) == 7
    assert line_of(TEXT, ("other", "lat")) == 11
    assert line_of(TEXT, ("other", "long name")) == 12  # quoted key with a space
    assert line_of(TEXT, ("other", "absent")) == 10


def test_nothing_to_find() -> None:
    assert line_of(TEXT, ()) is None
    assert line_of("", ("title",)) is None
    assert line_of('inline = [{ id = "a" }]\n', ("inline", 0, "id")) == 1  # the enclosing key
