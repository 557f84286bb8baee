"""How the app is served: one uvicorn configuration for the CLI, the benchmarks and tests."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


def uvicorn_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """WebSocket compression (permessage-deflate) is off: every client would get the same
    frame compressed again, which cost 30 % of the server's time with 50 clients of a
    10,000-track picture (bench/bench_live.py, py-spy); frames are encoded once and the same
    bytes go to everyone."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=16 * 2**20,
    )
