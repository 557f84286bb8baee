"""The hub tells the feed when a frame has reached every client (ServerSettings.fanout_wait_s)."""

from __future__ import annotations

import asyncio
import threading

from starlette.websockets import WebSocketDisconnect

from dronewall.server.hub import Hub


class _Socket:
    """A WebSocket whose frame sends wait for ``release``; ``leave`` disconnects it."""

    def __init__(self, release: asyncio.Event):
        self.release = release
        self.gone = asyncio.Event()
        self.frames: list[bytes] = []

    async def accept(self) -> None:
        return None

    async def send_text(self, data: str) -> None:
        return None

    async def send_bytes(self, data: bytes) -> None:
        await self.release.wait()
        self.frames.append(data)

    async def receive_text(self) -> str:
        await self.gone.wait()
        raise WebSocketDisconnect()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.gone.set()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_sent_is_set_at_once_without_clients() -> None:
    sent = threading.Event()
    Hub().publish_frame(b"frame", None, sent)
    assert sent.is_set()


def test_sent_waits_for_every_client_and_for_none_that_left() -> None:
    async def scenario() -> None:
        hub, release = Hub(), asyncio.Event()
        a, b, c = _Socket(release), _Socket(release), _Socket(release)
        tasks = [asyncio.create_task(hub.serve(s, [], columns=True)) for s in (a, b, c)]  # type: ignore[arg-type]
        await _settle()
        sent = threading.Event()
        hub.publish_frame(b"frame-1", None, sent)
        await _settle()
        assert not sent.is_set()  # all three are still sending
        c.gone.set()  # one leaves before its send completes
        await _settle()
        assert not sent.is_set()
        release.set()
        await _settle()
        assert sent.is_set()
        assert a.frames == b.frames == [b"frame-1"]
        newer = threading.Event()
        hub.publish_frame(b"frame-2", None, newer)
        await _settle()
        assert newer.is_set() and a.frames[-1] == b"frame-2"
        for s in (a, b):
            s.gone.set()
        await asyncio.gather(*tasks)

    asyncio.run(scenario())


def test_a_newer_frame_releases_the_waiter_of_the_older() -> None:
    async def scenario() -> None:
        hub, release = Hub(), asyncio.Event()
        a = _Socket(release)
        task = asyncio.create_task(hub.serve(a, [], columns=True))  # type: ignore[arg-type]
        await _settle()
        first, second = threading.Event(), threading.Event()
        hub.publish_frame(b"1", None, first)
        hub.publish_frame(b"2", None, second)
        assert first.is_set() and not second.is_set()
        release.set()
        await _settle()
        assert second.is_set()
        a.gone.set()
        await task

    asyncio.run(scenario())
