"""``dronewall serve``: the live pipeline (or a replay) behind the API and the web map, with a
running summary on the terminal."""

from __future__ import annotations

import asyncio
import math
import sys
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from dronewall.runtime.pipeline import PipelineSettings, Summary
from dronewall.server import ServerSettings, create_app
from dronewall.server.serving import uvicorn_config

console = Console()
SUMMARY_EVERY_S = 5.0


def serve(
    scenario: Annotated[
        str | None, typer.Argument(help="scenario to simulate live; omit with --replay")
    ] = None,
    replay: Annotated[str | None, typer.Option(help="play a recorded run id instead")] = None,
    reprocess: Annotated[
        bool, typer.Option(help="with --replay: its reports back through the pipeline")
    ] = False,
    speed: Annotated[float, typer.Option(help="data seconds per wall second")] = 30.0,
    duration: Annotated[float | None, typer.Option(help="simulated seconds")] = None,
    store: Annotated[str, typer.Option(help="sqlite:///file.db or postgresql://…")] = (
        "sqlite:///out/dronewall.db"
    ),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    exit_when_done: Annotated[
        bool, typer.Option(help="stop the server when the run ends (scripts)")
    ] = False,
) -> None:
    """Run the pipeline on a scenario in accelerated time and serve the map and the API;
    or replay a recorded run (``dronewall serve --replay RUN_ID [--reprocess]``)."""
    settings = ServerSettings(
        store_url=store,
        scenario=scenario,
        replay_run=replay,
        duration_s=duration,
        pipeline=PipelineSettings(speed=speed),
        replay_speed=speed,
        reprocess=reprocess,
    )
    run_server(settings, host, port, exit_when_done)


def run_server(settings: ServerSettings, host: str, port: int, exit_when_done: bool) -> None:
    # Hand the interpreter lock over every millisecond rather than five, so that the server's
    # event loop gets a frame out promptly while the pipeline threads compute (measured in
    # bench/bench_live.py: p99 report-to-client latency 1.1 s → 0.35 s at 10,000 tracks).
    sys.setswitchinterval(0.001)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn_config(app, host, port))

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.1)
        console.print(
            f"[bold green]dronewall is live:[/] open [link]http://{host}:{port}[/link] "
            f"(API: http://{host}:{port}/docs, metrics: /metrics). Ctrl-C stops."
        )
        while not task.done():
            await asyncio.sleep(SUMMARY_EVERY_S)
            feed = app.state.live.feed
            if feed is None:
                continue
            console.print(
                summary_line(feed.summary, app.state.live.hub.client_count), soft_wrap=True
            )
            if exit_when_done and feed.summary.state in ("finished", "failed", "stopped"):
                server.should_exit = True
        await task

    asyncio.run(main())


def summary_line(s: Summary, clients: int) -> str:
    when = (
        datetime.fromtimestamp(s.t, UTC).strftime("%Y-%m-%d %H:%M:%S")
        if math.isfinite(s.t)
        else "—"
    )
    classes = ", ".join(f"{k.lower()} {v}" for k, v in sorted(s.tracks_by_class.items()))
    line = (
        f"[{time.strftime('%H:%M:%S')}] {s.state} · data {when} UTC · {s.speed:4.0f}× · "
        f"{s.reports:,} reports · {s.tracks} tracks ({classes or 'none'}) · "
        f"alerts {s.alerts_active} active / {s.alerts_raised} raised · {clients} viewers"
    )
    if s.shed:
        line += f" · shed {s.shed}"
    if s.error:
        line += f" · [red]{s.error}[/]"
    return line
