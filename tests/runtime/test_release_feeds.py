"""Security labels declared by the feeds file and feed URLs (runtime/feedspec.py) reach the
live sensor table the tracker uses (sensors/table.py), and survive a recorded run's feed
settings; bad values are refused naming the file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewall.core.errors import ConfigError
from dronewall.core.release import DEFAULT_OWNER, SecurityLabel
from dronewall.core.types import SensorKind
from dronewall.runtime.feeds import spec_from_json, spec_to_json
from dronewall.runtime.feedspec import load_feeds_file, parse_feed_url
from dronewall.sensors.feed import SensorInfo
from dronewall.sensors.table import SensorTable

FEEDS = """
[[feed]]
name = "radar-north"
url = "asterix+udp://0.0.0.0:8600"
nation = "PL"
classification = "RESTRICTED"
releasable_to = ["NATO"]
  [[feed.sensor]]
  key = "25/10"
  lat = 54.1
  lon = 18.2
  [[feed.sensor]]
  key = "25/11"
  lat = 54.2
  lon = 18.3
  classification = "SECRET"
  releasable_to = []

[[feed]]
url = "sbs://127.0.0.1:30003"
lat = 54.4
lon = 18.6
"""


def _table(path: Path) -> SensorTable:
    """A live sensor table as FeedSource fills it from the specs."""
    table = SensorTable()
    for spec in load_feeds_file(path):
        if spec.label is not None:
            table.feed_labels[spec.name] = spec.label
        if (receiver := spec.receiver()) is not None:
            table.declare(spec.name, receiver)
        for info in spec.declared():
            table.declare(spec.name, info)
    return table


def test_feed_and_sensor_labels_reach_the_trackers_sensor_table(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS, encoding="utf-8")
    table = _table(path)
    # a radar the feed did not declare registers later (CAT034): the feed's label
    table.declare("radar-north", SensorInfo("25/12", SensorKind.RADAR))
    geometry = table.geometry()
    labels = dict(zip(geometry.sensor_id, geometry.labels, strict=True))
    feed_label = SecurityLabel.make("POL", "RESTRICTED", ["NATO"])
    assert labels["radar-north:25/10"] == feed_label
    assert labels["radar-north:25/11"] == SecurityLabel.make("POL", "SECRET")
    assert labels["radar-north:25/12"] == feed_label
    assert labels["sbs-30003:sbs-30003"] == SecurityLabel.make(DEFAULT_OWNER)  # safe default
    assert len(geometry.label_table.labels) == 3
    # a registration naming no label keeps the declared one
    table.declare("radar-north", SensorInfo("25/11", SensorKind.RADAR, name="north-2"))
    again = dict(zip(table.geometry().sensor_id, table.geometry().labels, strict=True))
    assert again["radar-north:25/11"] == SecurityLabel.make("POL", "SECRET")


def test_url_keys_and_recorded_settings(tmp_path: Path) -> None:
    spec = parse_feed_url("sbs://h:30003?nation=DNK&classification=secret&releasable_to=NATO,DEU")
    assert spec.label == SecurityLabel.make("DNK", "SECRET", ["NATO", "DEU"])
    assert "classification" not in spec.options  # label keys are not adapter options
    again = spec_from_json(spec_to_json(spec))
    assert again.label == spec.label
    old = spec_to_json(spec)
    del old["label"]  # a run recorded before labels existed
    assert spec_from_json(old).label is None


@pytest.mark.parametrize(
    ("line", "key", "text", "words"),
    [
        (6, "classification", 'classification = "RESTRICTED"', 'classification = "SEKRET"'),
        (7, "releasable_to", 'releasable_to = ["NATO"]', 'releasable_to = ["WARSAW"]'),
        (5, "nation", 'nation = "PL"', 'nation = "XX"'),
    ],
)
def test_bad_label_values_name_file_key_and_line(
    tmp_path: Path, line: int, key: str, text: str, words: str
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS.replace(text, words), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_feeds_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: feed[1]: ")
    assert f"{key}: " in message
    assert words.split('"')[1] in message


def test_a_bad_sensor_label_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS.replace('classification = "SECRET"', 'classification = "X"'), "utf-8")
    with pytest.raises(ConfigError, match="classification: unknown classification 'X'"):
        load_feeds_file(path)
