"""Garbage collection off the latency path: the idle collector frees reference cycles when it
is time and not before; the pipeline freezes what exists at start and thaws it at the end."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from dronewall.runtime import collector


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture
def no_automatic_gc() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_idle_collects_cycles_when_due(no_automatic_gc: None) -> None:
    c = collector.IdleCollector(every_s=0.0)
    ref = _cycle()
    assert ref() is not None  # only the cyclic collector can free it
    took = c.idle()
    assert took is not None and took >= 0.0
    assert ref() is None
    assert c.collections == 1


def test_idle_waits_for_its_interval(no_automatic_gc: None) -> None:
    c = collector.IdleCollector(every_s=3600.0)
    ref = _cycle()
    assert c.idle() is None
    assert ref() is not None and c.collections == 0
    gc.collect()
    assert ref() is None


def test_freeze_then_thaw(no_automatic_gc: None) -> None:
    try:
        collector.freeze()
        assert gc.get_freeze_count() > 0
        ref = _cycle()  # made after the freeze: still collectable
        gc.collect()
        assert ref() is None
    finally:
        collector.thaw()
    assert gc.get_freeze_count() == 0
