"""Cheap acoustic, RF, EO/IR and radar nodes over MQTT (3.1.1 or 5): dronewall's own small
JSON schema, ``docs/feeds-mqtt.md``.

Nodes publish under a prefix (``dronewall/v1``): ``<prefix>/<node_id>/register`` (retained),
``…/status`` (retained; the last will says offline) and ``…/detections``. Modules, one role
each: ``values`` (typed JSON members), ``topics``, ``registration`` (register and status),
``detections``, ``settings``, ``adapter`` (``MqttAdapter``), ``recording`` (raw JSON-lines
recordings), ``transport`` (``run_mqtt``: subscribe, feed, reconnect) and ``node`` (a node's
end: will, registration, detections — for tests, benchmarks and simulated nodes).
``schema.json`` is the same schema as JSON Schema (draft 2020-12).
"""

from dronewall.sensors.mqtt.adapter import MqttAdapter
from dronewall.sensors.mqtt.detections import Detection
from dronewall.sensors.mqtt.recording import Recorded, parse_line, record_line
from dronewall.sensors.mqtt.registration import NodeRegistration, registration_from_info
from dronewall.sensors.mqtt.settings import MqttSettings
from dronewall.sensors.mqtt.topics import DEFAULT_PREFIX, Channel, subscriptions, topic_for

__all__ = [
    "DEFAULT_PREFIX",
    "Channel",
    "Detection",
    "MqttAdapter",
    "MqttSettings",
    "NodeRegistration",
    "Recorded",
    "parse_line",
    "record_line",
    "registration_from_info",
    "subscriptions",
    "topic_for",
]
