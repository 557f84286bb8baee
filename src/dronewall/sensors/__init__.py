"""Sensor interfaces (layer 2): adapters that turn what real sensors say into ``ReportBatch``
rows and speak back to them. Each standard has its own subpackage:

* ``sapient`` — SAPIENT, BSI Flex 335 v2.0, over TCP (``dronewall.sensors.sapient``).

Imports only ``dronewall.core`` and ``dronewall.models``.
"""
