"""Which adapter decodes each feed format, built from the feed's settings (``FeedSpec``)."""

from __future__ import annotations

from dronewall.runtime.feeds import AdapterFactory

ADAPTERS: dict[str, AdapterFactory] = {}
