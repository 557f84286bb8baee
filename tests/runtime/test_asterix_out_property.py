"""Random pictures through the CAT062 output's conversion and encoder, decoded by the
independent CROCO decoder (``asterix-decoder``, GPL, a test oracle only): every track of
the frame comes back once, with its position, height, velocity, climb, identity and class
within the items' quantisation."""

from __future__ import annotations

import math
from typing import Any

import asterix  # GPL oracle, tests only
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewall.core.types import ObjectClass, ObjectKind, SensorKind
from dronewall.runtime.asterix_frames import Cat062Picture, PictureOptions
from dronewall.sensors.asterix.cat062 import (
    ECAT_UAV,
    FT_M,
    LATLON_LSB,
    encode_cat062_record,
    pack_datagrams,
)
from dronewall.store import PictureFrame

T0 = 1_759_429_800.0
HEX = "0123456789ABCDEF"


@st.composite
def frames(draw: st.DrawFn) -> PictureFrame:
    n = draw(st.integers(1, 30))
    ids = draw(st.lists(st.integers(0, 2**40), min_size=n, max_size=n, unique=True))

    def column(low: float, high: float) -> np.ndarray:
        values = st.floats(low, high, allow_nan=False)
        return np.array(draw(st.lists(values, min_size=n, max_size=n)))

    label = draw(st.lists(st.sampled_from(list(ObjectClass)), min_size=n, max_size=n))
    kind = draw(st.lists(st.sampled_from([0, *ObjectKind]), min_size=n, max_size=n))
    identity = draw(
        st.lists(
            st.one_of(
                st.just(""),
                st.text(HEX, min_size=6, max_size=6),
                st.text("ABCDEFGHXYZ0123456789", min_size=1, max_size=8),
                st.text(min_size=9, max_size=40),
            ),
            min_size=n,
            max_size=n,
        )
    )
    kinds = draw(st.lists(st.integers(0, (1 << (max(SensorKind) + 1)) - 1), min_size=n, max_size=n))
    probs = np.array(draw(st.lists(st.tuples(*[st.floats(0, 1)] * 4), min_size=n, max_size=n)))
    return PictureFrame(
        t=T0 + draw(st.floats(0, 86_400)),
        track_id=np.array(ids, np.int64),
        lat_deg=column(-89.9, 89.9),
        lon_deg=column(-179.9, 179.9),
        alt_m=column(-300, 20_000),
        speed_mps=column(0, 1000),
        course_deg=column(0, 359.99),
        climb_mps=column(-200, 200),
        sigma_m=column(0, 5000),
        label=np.array(label, np.uint8),
        probabilities=probs,
        drone_kind=np.array(kind, np.uint8),
        affiliation=np.array(draw(st.lists(st.sampled_from("FHSNU"), min_size=n, max_size=n))),
        priority=column(0, 100),
        site_id=np.full(n, ""),
        time_to_site_s=np.full(n, math.nan),
        identity=np.array(identity, dtype=object),
        sensor_kinds=np.array(kinds, np.uint16),
        alert_id=np.zeros(n, np.int64),
        class_reasons=[""] * n,
        threat_reasons=[""] * n,
    )


def _val(item: dict[str, Any], *path: str) -> Any:
    node: Any = item
    for key in path:
        node = node[key]
    return node["val"]


def _check(frame: PictureFrame, i: int, o: dict[str, Any]) -> None:
    assert abs(_val(o, "I105", "Lat") - frame.lat_deg[i]) <= LATLON_LSB
    assert abs(_val(o, "I105", "Lon") - frame.lon_deg[i]) <= LATLON_LSB
    assert abs(_val(o, "I130", "Alt") * FT_M - frame.alt_m[i]) <= 6.25 * FT_M
    rad = math.radians(frame.course_deg[i])
    assert abs(_val(o, "I185", "Vx") - frame.speed_mps[i] * math.sin(rad)) <= 0.125 + 1e-9
    assert abs(_val(o, "I185", "Vy") - frame.speed_mps[i] * math.cos(rad)) <= 0.125 + 1e-9
    assert abs(_val(o, "I220", "RoC") * FT_M / 60 - frame.climb_mps[i]) <= 6.25 * FT_M / 60
    assert abs(_val(o, "I070", "ToT") - frame.t % 86_400) <= 1 / 256
    identity = str(frame.identity[i])
    derived = o.get("I380", {})
    if len(identity) == 6 and all(c in HEX for c in identity):
        assert _val(derived, "ADR", "ADR") == identity
    if frame.label[i] == ObjectClass.DRONE:
        assert _val(derived, "EMC", "ECAT") == ECAT_UAV
    elif frame.label[i] != ObjectClass.AIRCRAFT:
        assert "EMC" not in derived
    sp = bytes(int(part["TRI"]["val"], 16) for part in o["ISP"])
    assert sp[1:3] == bytes((frame.label[i], frame.drone_kind[i]))
    assert sp[6:].decode() == identity.encode()[:240].decode(errors="ignore")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_every_track_of_a_random_frame_reaches_croco(frame: PictureFrame) -> None:
    picture = Cat062Picture(PictureOptions())
    records = [encode_cat062_record(r, 25, 7) for r in picture.records(frame)]
    decoded = [o for d in pack_datagrams(62, records, 1400) for o in asterix.parse(d)]
    assert len(decoded) == len(frame)
    numbers = [_val(o, "I040", "TrkN") for o in decoded]
    assert len(set(numbers)) == len(frame)  # one number per live track, even 2^16 apart
    for i, o in enumerate(decoded):
        _check(frame, i, o)
