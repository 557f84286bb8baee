"""Feed URLs and the feeds file: what they give, and one clear error naming what is wrong."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dronewall.core.errors import ConfigError
from dronewall.core.types import SensorKind
from dronewall.runtime.feeds import spec_from_json, spec_to_json
from dronewall.runtime.feedspec import load_feeds_file, parse_feed_url


def test_urls_give_format_transport_defaults_and_settings() -> None:
    beast = parse_feed_url("beast://10.0.0.5?lat=54.4&lon=18.6&nation=PL&name=gdansk")
    assert (beast.format, beast.transport, beast.port) == ("beast", "tcp", 30005)
    assert (beast.lat_deg, beast.lon_deg, beast.nation, beast.name) == (54.4, 18.6, "PL", "gdansk")
    receiver = beast.receiver()
    assert receiver is not None and receiver.kind is SensorKind.ADSB
    radar = parse_feed_url("asterix+udp://239.1.1.1:8600?interface=10.0.0.2")
    assert (radar.transport, radar.name, radar.options) == ("udp", "asterix-8600",
                                                           {"interface": "10.0.0.2"})  # fmt: skip
    assert radar.receiver() is None  # a radar feed's sensors are named by SAC/SIC
    mqtt = parse_feed_url("mqtt://127.0.0.1/dronewall/v1")
    assert (mqtt.port, mqtt.path) == (1883, "/dronewall/v1")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("radar://host:1", "unknown feed format 'radar'"),
        ("asterix+tcp://host:1", "asterix feeds come over udp"),
        ("asterix+udp://:8600", "needs HOST:PORT"),
        ("remoteid+udp://host", "needs HOST:PORT"),
        ("beast://host:99999", "bad port"),
        ("sbs://host:30003?lat=north", "lat must be a number"),
        ("sbs://host:30003?lat=95&lon=0", "out of range"),
    ],
)
def test_bad_urls_are_named(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_feed_url(url)


def test_feeds_file_places_sensors_and_names_the_line_of_an_error(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        """
[[feed]]
name = "radar-north"
url = "asterix+udp://0.0.0.0:8600"
nation = "PL"
  [[feed.sensor]]
  key = "25/10"
  lat = 54.1
  lon = 18.2
  alt = 40.0
  range_km = 60

[[feed]]
url = "sbs://127.0.0.1:30003"
lat = 54.4
lon = 18.6
""",
        encoding="utf-8",
    )
    radar, sbs = load_feeds_file(path)
    (info,) = radar.declared()
    assert (info.key, info.kind, info.lat_deg, info.max_range_m, info.nation) == (
        "25/10", SensorKind.RADAR, 54.1, 60_000.0, "PL")  # fmt: skip
    assert sbs.name == "sbs-30003" and math.isnan(sbs.alt_m)
    assert spec_to_json(spec_from_json(spec_to_json(radar))) == spec_to_json(radar)  # kept
    path.write_text('[[feed]]\nname = "a"\n\n[[feed]]\nurl = "nope://x:1"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds.toml:1: feed\[1\].url: missing url"):
        load_feeds_file(path)
    path.write_text('[[feed]]\nurl = "sbs://h:1"\n[[feed]]\nurl = "sbs://g:1"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="two feeds are named 'sbs-1'"):
        load_feeds_file(path)


def test_feeds_declare_revisit_detection_probability_and_clutter(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        "[[feed]]\n"
        'url = "sbs://127.0.0.1:30003"\n'
        "revisit_s = 8.5\n"
        "[[feed]]\n"
        'url = "asterix://239.1.1.1:8600"\n'
        "[[feed.sensor]]\n"
        'key = "25/10"\n'
        "revisit_s = 4.0\n"
        "pd = 0.8\n"
        "clutter_density = 2e-9\n",
        encoding="utf-8",
    )
    network, radar = load_feeds_file(path)
    receiver = network.receiver()
    assert receiver is not None and receiver.revisit_s == 8.5 and math.isnan(receiver.pd)
    (declared,) = radar.declared()
    assert (declared.revisit_s, declared.pd, declared.clutter_density) == (4.0, 0.8, 2e-9)
    again = spec_from_json(spec_to_json(network))
    assert again.claims == {"revisit_s": 8.5}  # kept with a recorded run for its replay


@pytest.mark.parametrize(
    ("line", "message"),
    [("pd = 1.5", "pd must lie in"), ("revisit_s = 0", "revisit_s must lie in"),
     ('clutter_density = "x"', "clutter_density must be a number")],
)  # fmt: skip
def test_bad_declarations_are_refused_with_their_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        f'[[feed]]\nurl = "asterix://239.1.1.1:8600"\n[[feed.sensor]]\nkey = "1/2"\n{line}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=message):
        load_feeds_file(path)
