"""``dronewall node``: a site node without a map. The live pipeline on the site's sensor feeds
(the same ``--feed`` / ``--feeds`` as ``serve``), recorded to a store, with its tracks, alerts
and status reported up to a parent fusion node over SAPIENT (BSI Flex 335 v2.0) — the child
link of ``docs/sapient.md``, "A site node reporting up". A running summary every 5 s;
Ctrl-C (or SIGTERM) says goodbye to the parent and stops cleanly.

Only cheap imports at module level (``cli.py`` explains why): the pipeline, the store and the
SAPIENT link are imported inside ``node`` once it runs. ``serve --parent`` uses the helpers
here too (``parent_address``, ``start_reporter``).
"""

from __future__ import annotations

import math
import signal
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from dronewall.app.common import check_positive, errors, fail, text_file
from dronewall.app.serve_cli import DEFAULT_STORE, SUMMARY_EVERY_S, _feed_specs

if TYPE_CHECKING:
    import ssl

    from dronewall.runtime.pipeline import Pipeline, Summary
    from dronewall.runtime.upward import UpwardReporter
    from dronewall.store import Store

console = Console()
DEFAULT_INTERVAL_S = 2.0  # the picture goes up every 2 s (docs/sapient.md: ~110 µs a track)


def default_site_name() -> str:
    """The name a site registers with when none is given: stable per machine, since the
    node's UUID derives from it (a restarted site is the same node to its parent)."""
    return f"dronewall {socket.gethostname()}"


def node(
    parent: Annotated[
        str, typer.Option(help="HOST:PORT of the parent fusion node (SAPIENT) to report to")
    ],
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            help="a live sensor feed, e.g. asterix+udp://239.1.1.1:8600, "
            "sapient://0.0.0.0:12000, mqtt://127.0.0.1:1883/dronewall/v1 (repeatable)",
        ),
    ] = None,
    feeds: Annotated[
        Path | None, typer.Option(help="a feeds file (TOML): feeds with their sensors' positions")
    ] = None,
    store: Annotated[str, typer.Option(help="sqlite:///file.db or postgresql://…")] = DEFAULT_STORE,
    site_name: Annotated[
        str | None, typer.Option(help="this site's name to the parent (default: dronewall HOST)")
    ] = None,
    interval: Annotated[
        float, typer.Option(help="seconds between pictures sent up")
    ] = DEFAULT_INTERVAL_S,
    parent_tls_ca: Annotated[
        Path | None, typer.Option(help="TLS to the parent: the CA that signed its certificate")
    ] = None,
    parent_tls_cert: Annotated[
        Path | None, typer.Option(help="TLS to the parent: our client certificate (PEM)")
    ] = None,
    parent_tls_key: Annotated[
        Path | None, typer.Option(help="with --parent-tls-cert: its key, if apart")
    ] = None,
) -> None:
    """Run a site node without the map: fuse the site's sensor feeds, record the run, and
    report tracks, alerts and status up to a parent fusion node over SAPIENT."""
    address = parent_address(parent)
    check_positive("--interval", interval)
    if feeds is not None:
        text_file(feeds, "feeds file")
    from dronewall.core.errors import ConfigError, DronewallError
    from dronewall.runtime.live import feeds_pipeline
    from dronewall.runtime.pipeline import PipelineSettings
    from dronewall.store import open_store

    try:
        specs = _feed_specs(feed or [], feeds)
        if not specs:
            raise ConfigError("give the site's sensor feeds: --feed URL (repeatable) or --feeds")
        tls = parent_tls(parent_tls_ca, parent_tls_cert, parent_tls_key)
        opened = open_store(store)
    except DronewallError as exc:
        fail(str(exc))
    try:
        pipeline = feeds_pipeline(specs, opened, PipelineSettings(speed=math.inf))
    except (DronewallError, OSError) as exc:
        opened.close()
        fail(str(exc))
    with errors():
        reporter = start_reporter(pipeline, address, site_name, interval, tls=tls)
        run_node(pipeline, opened, reporter)


def parent_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:12000`` for IPv6) → (host, port); one line and exit 2 if not."""
    host, sep, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        fail(f"--parent must be HOST:PORT of the parent fusion node (e.g. 10.0.0.5:12000), "
             f"not {text!r}")  # fmt: skip
    return host, int(port)


def parent_tls(ca: Path | None, cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """TLS to the parent when any ``--parent-tls-*`` is given: its server checked against
    ``ca`` (else the system's CAs), our client certificate presented; ConfigError naming the
    option whose file is bad."""
    if ca is None and cert is None and key is None:
        return None
    from dronewall.core.errors import ConfigError
    from dronewall.sensors.tls import client_context

    try:
        return client_context(*(str(p) if p else None for p in (ca, cert, key)))
    except ValueError as exc:
        text = str(exc).replace("tls_cert/tls_key", "--parent-tls-cert/--parent-tls-key")
        for key_name in ("tls_ca", "tls_cert", "tls_key"):
            text = text.replace(f"{key_name} ", f"--parent-{key_name.replace('_', '-')} ")
        raise ConfigError(text) from exc


def start_reporter(
    feed: object,
    address: tuple[str, int],
    site_name: str | None,
    interval_s: float,
    *,
    tls: ssl.SSLContext | None = None,
) -> UpwardReporter:
    """Report ``feed``'s picture (a live pipeline) up to the parent at ``address``: listening
    from now on, connecting in the background."""
    from dronewall.core.errors import ConfigError
    from dronewall.runtime.pipeline import Pipeline
    from dronewall.runtime.upward import UpwardReporter, UpwardSettings

    if not isinstance(feed, Pipeline):
        raise ConfigError("--parent needs a live pipeline: a replay is not reported up")
    name = site_name or default_site_name()
    settings = UpwardSettings(
        address[0], address[1], site_name=name, interval_s=interval_s, tls=tls
    )
    reporter = UpwardReporter.for_pipeline(feed, settings)
    reporter.start()
    console.print(
        f"reporting up to the SAPIENT fusion node at {address[0]}:{address[1]}"
        f"{' over TLS' if tls is not None else ''} "
        f"as [bold]{name}[/] (node {reporter.node_id})",
        soft_wrap=True,
        highlight=False,
    )
    return reporter


def run_node(pipeline: Pipeline, store: Store, reporter: UpwardReporter) -> None:
    """Run until Ctrl-C, SIGTERM or the pipeline's end; then goodbye to the parent, stop the
    pipeline (what came in is processed and recorded) and close the store."""
    stop = threading.Event()
    restore = _on_signals(lambda *_: stop.set())
    try:
        pipeline.start()
        console.print(f"run [bold]{pipeline.run_id}[/] · {pipeline.summary.source}. Ctrl-C stops.")
        while not stop.wait(SUMMARY_EVERY_S) and pipeline.running:
            console.print(node_line(pipeline.summary, reporter.health()), soft_wrap=True)
    finally:
        reporter.close()
        pipeline.stop()
        pipeline.join(30.0)
        store.close()
        restore()
    s = pipeline.summary
    if s.error:
        fail(s.error)
    console.print(f"{s.state}: {node_line(s, reporter.health())}", soft_wrap=True)


def _on_signals(handler: Any) -> Any:
    """Install ``handler`` for SIGINT and SIGTERM (main thread only); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def node_line(s: Summary, parent: dict[str, Any]) -> str:
    classes = ", ".join(f"{k.lower()} {v}" for k, v in sorted(s.tracks_by_class.items()))
    link = "connected" if parent["connected"] else "[yellow]not connected[/]"
    line = (
        f"[{time.strftime('%H:%M:%S')}] {s.state} · {s.reports:,} reports · {s.tracks} tracks "
        f"({classes or 'none'}) · alerts {s.alerts_active} active / {s.alerts_raised} raised · "
        f"parent {parent['parent']} {link}: {parent['tracks_sent']:,} tracks and "
        f"{parent['alerts_sent']} alerts sent, {parent['tracks_dropped']:,} tracks and "
        f"{parent['alerts_dropped']} alerts dropped while away"
    )
    if s.error:
        line += f" · [red]{s.error}[/]"
    return line
