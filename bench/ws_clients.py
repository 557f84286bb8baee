"""WebSocket clients for bench_live.py, run in their own process: each connects to /ws (binary
column frames, as the web map does; ``--json`` for JSON frames), receives until the deadline,
(signed in with ``--tokens``: client i with token i mod n, as ``?access_token=``),
and records for every frame its seq, data time, the server's wall_ingest, the local receive
time (same machine, same clock) and its track count. Prints JSON.

``--client lean`` (the default) counts each message's bytes as they arrive and stamps the
time its last byte is read (``ws_raw.py``); ``--client websockets`` receives whole messages
with the ``websockets`` library, which costs these shared cores more CPU per frame.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from pathlib import Path

import websockets

from dronewall.server.columns import MAGIC, decode_header
from ws_raw import connect

Stamp = tuple[int, float, float, float, int]  # seq, data t, wall_ingest, received, tracks


def stamp(data: bytes, now: float) -> Stamp | None:
    """The stamp of one frame message from its first bytes (the header alone is parsed, so
    that one client's parsing does not delay the next client's receive time)."""
    if data.startswith(MAGIC):
        m = decode_header(data)
    elif data.startswith(b'{"type":"frame"'):
        m = json.loads(data[: data.index(b',"id":')] + b"}")
    else:
        return None
    return m["seq"], m["t"], m["wall_ingest"], now, m["n"]


async def library_client(url: str, until: float, out: list[Stamp]) -> None:
    async with websockets.connect(url, max_size=None) as ws:
        while time.time() < until:
            try:
                data = await asyncio.wait_for(ws.recv(), timeout=max(0.1, until - time.time()))
            except TimeoutError:
                break
            if isinstance(data, bytes) and (s := stamp(data, time.time())) is not None:
                out.append(s)


async def lean_client(port: int, path: str, until: float, out: list[Stamp]) -> None:
    def on_message(opcode: int, head: bytes, size: int, now: float) -> None:
        if opcode == 0x2 and (s := stamp(head, now)) is not None:
            out.append(s)

    client = await connect("127.0.0.1", port, path, on_message)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(client.closed), max(0.1, until - time.time()))
    client.close()


async def main(
    port: int, clients: int, seconds: float, fmt: str, kind: str, tokens: list[str]
) -> None:
    until = time.time() + seconds
    results: list[list[Stamp]] = [[] for _ in range(clients)]
    paths = [
        f"/ws?format={fmt}" + (f"&access_token={tokens[i % len(tokens)]}" if tokens else "")
        for i in range(clients)
    ]
    if kind == "lean":
        runs = [lean_client(port, paths[i], until, results[i]) for i in range(clients)]
    else:
        runs = [library_client(f"ws://127.0.0.1:{port}{paths[i]}", until, results[i])
                for i in range(clients)]  # fmt: skip
    await asyncio.gather(*runs)
    print(json.dumps(results))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--json", action="store_true", help="JSON frames instead of columns")
    p.add_argument("--client", choices=("lean", "websockets"), default="lean")
    p.add_argument("--tokens", help="JSON file: a list of tokens, client i signs in with i mod n")
    a = p.parse_args()
    toks = json.loads(Path(a.tokens).read_text()) if a.tokens else []
    fmt = "json" if a.json else "columns"
    asyncio.run(main(a.port, a.clients, a.seconds, fmt, a.client, toks))
