"""The WTA instance reader: good files read, every kind of malformed file rejected with one
line naming the file and the line; a fuzz of malformed text never escapes as another error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.engage import WtaFormatError, parse_wta, read_wta

GOOD = "2 3 2\n5\n7\n0\n0 0 0.5\n0 1 1\n0 2 0\n1 0 0.25\n1 1 0.5\n1 2 0.75\n"


def test_reads_a_good_instance() -> None:
    instance = parse_wta(GOOD)
    assert instance.values.tolist() == [5, 7, 0]
    assert instance.kill_probability.tolist() == [[0.5, 1.0, 0.0], [0.25, 0.5, 0.75]]
    assert instance.units.tolist() == [2, 2]


def test_pairs_in_any_order_and_blank_lines() -> None:
    rows = GOOD.splitlines()
    text = "\n".join([*rows[:4], "", *reversed(rows[4:])]) + "\n\n"
    assert np.array_equal(parse_wta(text).kill_probability, parse_wta(GOOD).kill_probability)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty file"),
        ("\n \n", None, "empty file"),
        ("2 3\n", 1, "expected 3 numbers"),
        ("2 x 2\n", 1, "n is not a whole number"),
        ("2 -3 2\n", 1, "n is negative"),
        ("0 3 2\n", 1, "at least 1"),
        (GOOD.replace("\n7\n", "\n-7\n"), 3, "target value is negative"),
        (GOOD.replace("\n7\n", "\n7 8\n"), 3, "expected 1 numbers"),
        (GOOD.replace("\n7\n", "\nnan\n"), 3, "not finite"),
        (GOOD.replace("0 1 1\n", "0 1 1.5\n"), 6, "outside [0, 1]"),
        (GOOD.replace("0 1 1\n", "0 1 -0.1\n"), 6, "outside [0, 1]"),
        (GOOD.replace("0 1 1\n", "0 1\n"), 6, "expected 3 numbers"),
        (GOOD.replace("0 1 1\n", "0 0 1\n"), 6, "given twice"),
        (GOOD.replace("0 1 1\n", "2 1 1\n"), 6, "i=2 out of range"),
        (GOOD.replace("0 1 1\n", "0 3 1\n"), 6, "j=3 out of range"),
        (GOOD.replace("1 2 0.75\n", ""), 9, "file ends"),
        (GOOD + "1 2 0.75\n", 11, "extra line"),
        (GOOD.replace("2 3 2", "2 4 2"), 10, "file ends"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int | None, words: str) -> None:
    with pytest.raises(WtaFormatError) as caught:
        parse_wta(text, source="x.txt")
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith("x.txt")


def test_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_text("1 1 1\n5\n0 0 2\n", encoding="utf-8")
    with pytest.raises(WtaFormatError, match=r"broken\.txt:3: probability 2\.0 outside"):
        read_wta(path)
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(WtaFormatError, match="not a text file"):
        read_wta(path)


tokens = st.sampled_from(["0", "1", "2", "3", "-1", "0.5", "1.5", "x", "nan", "inf", "1e400", ""])
lines = st.lists(tokens, min_size=0, max_size=4).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, max_size=12))
def test_fuzz_malformed_text_raises_only_the_format_error(body: list[str]) -> None:
    text = "\n".join(body)
    try:
        instance = parse_wta(text, source="fuzz")
    except WtaFormatError as exc:
        assert str(exc).startswith("fuzz")
        return
    # accepted: then it is a consistent instance
    m, n = instance.kill_probability.shape
    assert instance.values.shape == (n,) and instance.units.shape == (m,)
    assert ((instance.kill_probability >= 0) & (instance.kill_probability <= 1)).all()
    assert (instance.values >= 0).all()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_fuzz_one_broken_line_of_a_good_file(data: st.DataObject) -> None:
    lines_of = GOOD.splitlines()
    at = data.draw(st.integers(0, len(lines_of) - 1))
    lines_of[at] = data.draw(lines)
    try:
        parse_wta("\n".join(lines_of), source="f")
    except WtaFormatError as exc:
        assert exc.line is None or 1 <= exc.line <= len(lines_of)
