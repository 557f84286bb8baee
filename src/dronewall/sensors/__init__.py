"""Sensor interfaces (layer 2): adapters that turn what real sensors say into reports and
speak back to them. Every adapter fills the contract of ``feed`` (``Report``, ``SensorInfo``,
``SensorStatus``, ``Identity``, ``FeedOutput``); each standard has its own subpackage:

* ``asterix`` — ASTERIX CAT048 radar plots and CAT034 service messages (EUROCONTROL);
* ``modes`` — Mode S and ADS-B from receivers: Beast, AVR and SBS-1 framings;
* ``remoteid`` — Remote ID broadcast, ASTM F3411 / ASD-STAN EN 4709-002;
* ``mqtt`` — dronewall's JSON schema for cheap acoustic and RF nodes over MQTT;
* ``sapient`` — SAPIENT, BSI Flex 335 v2.0, over TCP: fusion node and child link.
* ``cot`` — outward only: the picture as Cursor-on-Target XML and TAK protobuf (docs/cot.md).

``table`` keeps the live sensor table with each sensor's health; ``transport`` the UDP and
TCP transports. Imports only ``dronewall.core`` and ``dronewall.models``.
"""
