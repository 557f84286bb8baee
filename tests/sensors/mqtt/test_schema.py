"""Cross-check against an independent implementation: the JSON Schema of the payloads
(``src/dronewall/sensors/mqtt/schema.json``, draft 2020-12) checked by the ``jsonschema``
library on the standard library's JSON parse, and an independent reading of the values.

On the documented examples and 10,000 generated payloads (valid ones, structured mutations):
* every payload the decoder accepts is valid under the schema;
* every payload the schema finds invalid is rejected;
* a schema-valid payload is rejected only for what a schema cannot know (time window,
  calendar dates, the topic's node id, sigma defaults of the registration);
* every accepted payload decodes, field by field, to what ``expected_*`` below read from the
  standard library's parse (``datetime.fromisoformat`` for times).
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind
from dronewall.sensors import mqtt
from dronewall.sensors.feed import Report
from dronewall.sensors.mqtt import Channel, MqttAdapter, topic_for
from tests.sensors.mqtt import generate
from tests.sensors.mqtt.doc_examples import T_RECEIVE, examples
from tests.sensors.mqtt.helpers import feed

SCHEMA = json.loads((Path(mqtt.__file__).parent / "schema.json").read_text(encoding="utf-8"))
SEMANTIC = {"time_past", "time_future", "time", "node_mismatch", "no_sigma"}
PLAIN_REG = {"kind": "acoustic", "lat": 49.0, "lon": 31.0}  # no sigma defaults
REGS = {"n-0": generate.ALL_SIGMAS, "n-1": PLAIN_REG}
GENERATED = 10_000
T0 = generate.T0
assert T_RECEIVE == T0


def validator(channel: Channel) -> jsonschema.protocols.Validator:
    schema = {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{channel.value}"}
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(schema)


VALIDATORS = {channel: validator(channel) for channel in Channel}


def _no_constants(name: str) -> None:
    raise ValueError(name)


def schema_view(payload: bytes, channel: Channel) -> tuple[bool, Any]:
    """(valid under the schema, the standard library's parse)."""
    try:
        obj = json.loads(payload, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return False, None
    return VALIDATORS[channel].is_valid(obj), obj


def fresh_adapter() -> MqttAdapter:
    adapter = MqttAdapter()
    for node, reg in REGS.items():
        feed(adapter, topic_for("dronewall/v1", node, Channel.REGISTER), orjson.dumps(reg), T0)
    return adapter


def corpus() -> list[tuple[str, bytes]]:
    """(topic, payload), generated: valid ones and mutations."""
    out = []
    rng = random.Random(20250914)
    for _ in range(GENERATED):
        node = rng.choice(list(REGS))
        channel = rng.choice(list(Channel))
        payload = generate.valid_payload(rng, channel, node)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            payload = generate.mutate(rng, payload)
        data = generate.encode(rng, payload)
        out.append((topic_for("dronewall/v1", node, channel), data))
    return out


CORPUS = corpus()


def _time(value: Any) -> float:
    if value is None:
        return T0
    if isinstance(value, str):
        return datetime.fromisoformat(value).timestamp()
    return float(value)


def _sigma(d: dict[str, Any], reg: dict[str, Any], key: str) -> float:
    return float(d.get(key, reg.get(key, math.nan)))


def expected_detection(d: dict[str, Any], reg: dict[str, Any]) -> dict[str, Any]:
    """The report of one schema-valid detection, read independently of the decoder."""
    out: dict[str, Any] = {
        "t_measured": _time(d.get("t")),
        "declared_class": ObjectClass[d.get("class", "unknown").upper()],
        "class_confidence": float(d.get("conf", 0.0)),
        "identity": d.get("uid", ""),
        "sensor_kind": SensorKind[reg["kind"].upper()],
        "vertical_rate_mps": float(d.get("vrate", math.nan)),
        "rcs_dbsm": float(d.get("rcs", math.nan)),
        "radial_velocity_mps": float(d.get("doppler", math.nan)),
    }
    if "lat" in d:
        out |= {
            "measurement": MeasurementKind.POSITION,
            "lat_deg": d["lat"],
            "lon_deg": d["lon"],
            "alt_m": d["alt"],
            "sigma_horizontal_m": _sigma(d, reg, "sigma_h"),
            "sigma_vertical_m": _sigma(d, reg, "sigma_v"),
        }
        return out
    el = float(d.get("el", math.nan))
    sigma_el = _sigma(d, reg, "sigma_el") if "el" in d else math.nan
    sigma_range = _sigma(d, reg, "sigma_range")
    radar = "range" in d and not math.isnan(sigma_range)
    if radar and math.isnan(sigma_el):
        if "el" not in d:
            el = math.degrees(math.asin(min(1.0, 300.0 / d["range"])))
        sigma_el = 10.0
    out |= {
        "measurement": MeasurementKind.RADAR if radar else MeasurementKind.BEARING,
        "azimuth_deg": 0.0 if d["az"] == 360 else float(d["az"]),
        "sigma_azimuth_deg": _sigma(d, reg, "sigma_az"),
        "elevation_deg": el,
        "sigma_elevation_deg": sigma_el,
        "range_m": float(d.get("range", math.nan)),
        "sigma_range_m": sigma_range if radar else math.nan,
    }
    return out


def same(report: Report, expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        got = getattr(report, key)
        if isinstance(value, float):
            assert got == pytest.approx(value, abs=1e-6, nan_ok=True), key
        else:
            assert got == value, key


def check_values(channel: Channel, node: str, obj: Any, regs: dict[str, Any], got: Any) -> None:
    if channel is Channel.DETECTIONS:
        items = obj if isinstance(obj, list) else [obj]
        assert len(got.reports) == len(items)
        for report, d in zip(got.reports, items, strict=True):
            same(report, expected_detection(d, regs[node]))
    elif channel is Channel.REGISTER:
        (info,) = got.sensors
        assert (info.kind, info.lat_deg, info.lon_deg) == (
            SensorKind[obj["kind"].upper()],
            obj["lat"],
            obj["lon"],
        )
        assert info.alt_m == pytest.approx(obj.get("alt", math.nan), nan_ok=True)
        assert info.name == (obj.get("name") or obj.get("model", ""))
        assert (info.nation, info.vendor) == (obj.get("nation", ""), obj.get("vendor", ""))
    else:
        (status,) = got.statuses
        assert status.ok == (obj["state"] in ("online", "degraded"))
        assert status.t == pytest.approx(min(_time(obj.get("t")), T0), abs=1e-6)


class Tally:
    """Cross-checks messages one by one; counts the three outcomes."""

    def __init__(self) -> None:
        self.accepted = self.invalid = self.semantic = 0

    def check(self, adapter: MqttAdapter, regs: dict[str, Any], topic: str, data: bytes) -> None:
        node, channel = topic.split("/")[2], Channel(topic.split("/")[3])
        valid, obj = schema_view(data, channel)
        got = feed(adapter, topic, data, T0)
        assert got.accepted + sum(got.rejects.values()) == 1, data
        if got.accepted:
            self.accepted += 1
            assert valid, (data, "accepted but invalid under the schema")
            check_values(channel, node, obj, regs, got)
            if channel is Channel.REGISTER:
                regs[node] = obj
        elif not valid:
            self.invalid += 1
        else:
            self.semantic += 1
            assert got.reason in SEMANTIC, (data, got.rejects)


def test_the_documented_examples_cross_check() -> None:
    adapter, regs, tally = MqttAdapter(), dict[str, Any](), Tally()
    for example in examples():
        tally.check(adapter, regs, example.topic, example.payload)
    assert tally.accepted == 13 and tally.semantic == 2 and tally.invalid == 6


def test_the_schema_and_the_decoder_agree_on_generated_payloads() -> None:
    tally = Tally()
    for topic, data in CORPUS:
        tally.check(fresh_adapter(), dict(REGS), topic, data)
    # The corpus exercises all three outcomes in earnest.
    assert tally.accepted > 2_500 and tally.invalid > 2_500 and tally.semantic > 50, vars(tally)


def test_the_schema_rejects_what_the_documentation_rejects() -> None:
    for example in examples():
        channel = Channel(example.topic.split("/")[3])
        valid, _ = schema_view(example.payload, channel)
        structural = example.reject not in SEMANTIC and example.reject is not None
        assert valid == (not structural), example.name
