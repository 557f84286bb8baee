"""The upward SAPIENT link as a TLS client: a site presents its client certificate to a
parent that requires one and registers (the parent knows it by its certificate's name); a
site without a certificate is refused by that parent, counted there, and keeps retrying
without a crash. Real TLS on loopback, certificates made here."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dronewall.core.clock import ManualClock
from dronewall.sensors.sapient import FusionNode, FusionNodeConfig
from dronewall.sensors.sapient.registry import SensorRegistry
from dronewall.sensors.sapient.upward import ParentConfig, ParentLink
from dronewall.sensors.tls import client_context, server_context
from tests.sensors.test_feed_tls import make_pki

T0 = 1_759_429_800.0


def _parent(pki: dict[str, Path]) -> FusionNode:
    tls = server_context(str(pki["server"]), None, str(pki["ca"]))
    config = FusionNodeConfig(tls=tls, allowed_clients=frozenset({"radar-1"}))
    return FusionNode(lambda batch: None, config, clock=ManualClock(T0))


def test_a_site_with_its_certificate_registers_with_a_parent_that_requires_one(
    tmp_path: Path,
) -> None:
    pki = make_pki(tmp_path)
    parent = _parent(pki)
    seen: dict[str, str] = {}

    async def scenario() -> str:
        async with parent:
            tls = client_context(str(pki["ca"]), str(pki["radar-1"]))
            config = ParentConfig("127.0.0.1", parent.port, name="site tls", tls=tls,
                                  status_interval_s=3600.0)  # fmt: skip
            link = ParentLink(config, SensorRegistry(), ManualClock(T0))
            await link.connect()
            assert link.connected
            seen.update(parent.identities)
            await link.close()
            await parent.wait_for_connections(0)
            return config.uuid

    child = asyncio.run(scenario())
    assert parent.registry.get(child) is not None
    assert list(seen.values()) == ["radar-1"] and parent.refused == {}


def test_a_site_without_a_certificate_is_refused_and_retries(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    parent = _parent(pki)

    async def scenario() -> bool:
        async with parent:
            tls = client_context(str(pki["ca"]))  # trusts the parent, presents nothing
            config = ParentConfig("127.0.0.1", parent.port, name="site bare", tls=tls,
                                  reconnect_min_s=0.05, reconnect_max_s=0.1)  # fmt: skip
            link = ParentLink(config, SensorRegistry(), ManualClock(T0))
            link.start()
            for _ in range(200):
                if sum(parent.refused.values()) >= 2:
                    break
                await asyncio.sleep(0.02)
            connected = link.connected
            await link.close()
            return connected

    assert asyncio.run(scenario()) is False
    assert parent.refused["tls_handshake"] >= 2  # refused, and tried again
    assert len(parent.registry) == 0
