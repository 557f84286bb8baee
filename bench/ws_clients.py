"""WebSocket clients for bench_live.py, run in their own process: each connects to /ws (binary
column frames, as the web map does; ``--json`` for JSON frames), receives until the deadline,
and records for every frame its seq, data time, the server's wall_ingest and the local receive
time (same machine, same clock). Prints JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import websockets

from dronewall.server.columns import MAGIC, decode_header


async def client(url: str, until: float, out: list[tuple[int, float, float, float, int]]) -> None:
    async with websockets.connect(url, max_size=None) as ws:
        while time.time() < until:
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=max(0.1, until - time.time()))
            except TimeoutError:
                break
            now = time.time()
            if not isinstance(text, bytes):
                continue
            # Parse the header fields only, so that one client's parsing does not delay the
            # next client's receive time.
            if text.startswith(MAGIC):
                m = decode_header(text)
            elif text.startswith(b'{"type":"frame"'):
                m = json.loads(text[: text.index(b',"id":')] + b"}")
            else:
                continue
            out.append((m["seq"], m["t"], m["wall_ingest"], now, m["n"]))


async def main(port: int, clients: int, seconds: float, fmt: str) -> None:
    until = time.time() + seconds
    results: list[list[tuple[int, float, float, float, int]]] = [[] for _ in range(clients)]
    await asyncio.gather(
        *(
            client(f"ws://127.0.0.1:{port}/ws?format={fmt}", until, results[i])
            for i in range(clients)
        )
    )
    print(json.dumps(results))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--json", action="store_true", help="JSON frames instead of columns")
    a = p.parse_args()
    asyncio.run(main(a.port, a.clients, a.seconds, "json" if a.json else "columns"))
