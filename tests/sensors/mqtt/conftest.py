"""Fixtures of the MQTT feed tests: a unique topic prefix per test, so no test sees another's
retained messages on the shared broker."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def prefix() -> str:
    return f"dronewall-test/{uuid.uuid4().hex[:12]}/v1"
