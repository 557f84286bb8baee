"""The sensor registry: stable indices, status, coverage and the sensor table."""

from __future__ import annotations

from dronewall.core.types import SensorKind
from dronewall.sensors.sapient import Counters, Reason, SensorRegistry
from dronewall.sensors.sapient.binding import Content
from dronewall.sensors.sapient.nodes import registration_for, traits_of
from dronewall.sensors.sapient.registry import canonical_uuid
from dronewall.sensors.sapient.status import Health, NodeStatus
from dronewall.sensors.sapient.units import Fix
from tests.sensors.sapient.conftest import sensor

A = "a8654cdf-4328-47de-81fa-c495589e30c8"
B = "a8654cdf-4328-47de-81fa-c495589e30c9"
C = "a8654cdf-4328-47de-81fa-c495589e30ca"


def _register(registry: SensorRegistry, node_id: str, kind: SensorKind = SensorKind.RADAR) -> int:
    registration = registration_for(sensor(kind, node_id))
    return registry.register(node_id, registration, traits_of(registration), 0.0).sensor_index


def test_pinned_nodes_keep_their_index_and_others_follow() -> None:
    registry = SensorRegistry({B.upper(): 4})
    assert [_register(registry, n) for n in (A, B, C)] == [5, 4, 6]
    assert _register(registry, A) == 5  # re-registering keeps the index
    assert [e.sensor_index for e in registry.entries()] == [4, 5, 6]


def test_coverage_and_the_sensor_table_come_from_status_reports() -> None:
    registry = SensorRegistry()
    _register(registry, A)
    _register(registry, B, SensorKind.ACOUSTIC)
    square = ((52.0, 21.0), (52.0, 21.1), (52.1, 21.1), (52.1, 21.0))
    entry = registry.get(A)
    assert entry is not None
    entry.status = NodeStatus(1.0, Health.WARNING, "default", Fix(52.0, 21.0, 10.0), (square,), ())
    assert registry.coverage() == [square]
    table = registry.sensor_table()
    assert table["kind"].tolist() == [SensorKind.RADAR, SensorKind.ACOUSTIC]
    assert table["lat_deg"][0] == 52.0 and table["health"].tolist() == [Health.WARNING, 0]
    registry.disconnected(A)
    assert registry.coverage() == [] and registry.entries()[0].health is Health.GOODBYE


def test_canonical_uuids() -> None:
    assert canonical_uuid("{A8654CDF432847DE81FAC495589E30C8}") == A


def test_counters_snapshot_names_every_reason_and_content() -> None:
    counters = Counters()
    counters.accept(Content.DETECTION_REPORT)
    counters.reject(Reason.BAD_ID)
    counters.reject(Reason.BAD_ID)
    snapshot = counters.snapshot()
    assert snapshot["accepted_detection_report"] == 1 and snapshot["rejected_bad_id"] == 2
    assert snapshot["rejected_truncated"] == 0
    assert len(snapshot) == len(Content) + len(Reason) + 2
    assert counters.total_rejected == 2
