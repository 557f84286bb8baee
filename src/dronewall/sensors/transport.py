"""The small transports that carry sensor bytes to adapters: UDP (unicast and multicast), a TCP
client that reconnects (receivers such as readsb serve Beast, AVR and SBS on TCP), and a TCP
listener (senders that push). asyncio only; each call of ``on_data`` gets what one datagram or
one read gave, the wall time it arrived and the peer's address.

Faults never end a transport: a TCP connection that fails or drops is retried with a backoff
(0.5 s doubling to 10 s) until ``stop`` is set; ``on_state`` hears "connected",
"disconnected: <why>" once per change, so an outage is logged once, not once per attempt.

A listener given an allow-list (``tls.SourceFilter``) drops what comes from any other address
before it reaches the adapter: a datagram, or a TCP connection at once; ``on_refused`` hears
the sender (the caller counts it; nothing is logged per datagram).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
import time
from collections.abc import Callable

from dronewall.sensors.tls import SourceFilter

OnData = Callable[[bytes, float, str], None]  # bytes, wall time received, "host:port" of peer
OnState = Callable[[str], None]
OnRefused = Callable[[str], None]  # "host:port" of a sender the allow-list refused
READ_BYTES = 65_536
UDP_BUFFER_BYTES = 4 << 20  # a radar's burst after a network hiccup fits (kernel may cap it)
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 10.0


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(
        self,
        on_data: OnData,
        clock: Callable[[], float],
        allow: SourceFilter | None = None,
        on_refused: OnRefused | None = None,
    ):
        self.on_data, self.clock = on_data, clock
        self.allow, self.on_refused = allow, on_refused

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self.allow is not None and not self.allow.allows(str(addr[0])):
            if self.on_refused is not None:
                self.on_refused(f"{addr[0]}:{addr[1]}")
            return
        self.on_data(data, self.clock(), f"{addr[0]}:{addr[1]}")


def is_multicast(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_multicast
    except ValueError:
        return False


async def listen_udp(
    host: str,
    port: int,
    on_data: OnData,
    *,
    interface: str = "0.0.0.0",
    clock: Callable[[], float] = time.time,
    allow: SourceFilter | None = None,
    on_refused: OnRefused | None = None,
) -> asyncio.DatagramTransport:
    """Receive datagrams on ``host:port``; a multicast ``host`` is joined on ``interface``.
    With ``allow``, datagrams from other senders go to ``on_refused`` instead. Raises
    OSError when the port cannot be bound (the caller reports it)."""
    multicast = is_multicast(host)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        if multicast:  # several listeners may share a group's port; a unicast port is ours
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER_BYTES)
        sock.bind(("" if multicast else host, port))
        if multicast:
            membership = struct.pack("4s4s", socket.inet_aton(host), socket.inet_aton(interface))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Datagrams(on_data, clock, allow, on_refused), sock=sock
    )
    return transport


async def stream_tcp(
    host: str,
    port: int,
    on_data: OnData,
    stop: asyncio.Event,
    *,
    on_state: OnState | None = None,
    on_reconnect: Callable[[], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> None:
    """Connect to ``host:port`` and hand everything read to ``on_data`` until ``stop``;
    reconnect with backoff whenever the connection fails or ends. ``on_reconnect`` is called
    before each new connection after the first (a stream adapter drops its partial frame)."""
    backoff, state, first = BACKOFF_FIRST_S, "", True
    peer = f"{host}:{port}"
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            state = _tell(on_state, state, f"disconnected: cannot connect to {peer}: {exc}")
        else:
            if not first and on_reconnect is not None:
                on_reconnect()
            first = False
            state = _tell(on_state, state, "connected")
            backoff = BACKOFF_FIRST_S
            why = await _read_until_closed(reader, stop, on_data, peer, clock)
            writer.close()
            with contextlib.suppress(OSError, asyncio.TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            if stop.is_set():
                break
            state = _tell(on_state, state, f"disconnected: {peer} {why}")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), backoff)
        backoff = min(BACKOFF_MAX_S, backoff * 2)


async def _read_until_closed(
    reader: asyncio.StreamReader,
    stop: asyncio.Event,
    on_data: OnData,
    peer: str,
    clock: Callable[[], float],
) -> str:
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            read = asyncio.ensure_future(reader.read(READ_BYTES))
            done, _ = await asyncio.wait({read, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if read not in done:
                read.cancel()
                return "stopped"
            try:
                data = read.result()
            except OSError as exc:
                return f"failed: {exc}"
            if not data:
                return "closed the connection"
            on_data(data, clock(), peer)
    finally:
        stopping.cancel()


async def serve_tcp(
    host: str,
    port: int,
    on_data: OnData,
    *,
    on_state: OnState | None = None,
    clock: Callable[[], float] = time.time,
    allow: SourceFilter | None = None,
    on_refused: OnRefused | None = None,
) -> asyncio.Server:
    """Accept connections on ``host:port``; each connection's bytes go to ``on_data`` with its
    peer (a stream adapter keeps one partial frame per peer). With ``allow``, a connection
    from another address is closed at once and goes to ``on_refused``. Raises OSError when
    the port cannot be bound."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("peername") or ("?", 0)
        peer = f"{address[0]}:{address[1]}"
        if allow is not None and not allow.allows(str(address[0])):
            writer.close()
            if on_refused is not None:
                on_refused(peer)
            return
        if on_state is not None:
            on_state(f"connected: {peer}")
        try:
            while data := await reader.read(READ_BYTES):
                on_data(data, clock(), peer)
        except OSError:
            pass
        finally:
            writer.close()
            if on_state is not None:
                on_state(f"disconnected: {peer}")

    return await asyncio.start_server(connection, host, port)


def _tell(on_state: OnState | None, old: str, new: str) -> str:
    if on_state is not None and new != old:
        on_state(new)
    return new
