"""``dronewall serve``: the live pipeline (or a replay) behind the API and the web map, with a
running summary on the terminal.

Only cheap imports at module level (``cli.py`` explains why): the server, the pipeline and the
stores are imported inside ``serve`` once it runs.
"""

from __future__ import annotations

import math
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import typer
from rich.console import Console

from dronewall.app.common import fail, scenario_file, text_file
from dronewall.app.serve_auth import DEFAULT_USERS, AuthMode, AuthOptions, build_authenticator
from dronewall.app.serve_auth import describe as describe_auth

if TYPE_CHECKING:
    from dronewall.runtime.feedspec import FeedSpec
    from dronewall.runtime.pipeline import Summary
    from dronewall.runtime.sharing import Sharing
    from dronewall.runtime.upward import UpwardReporter
    from dronewall.server import ServerSettings
    from dronewall.server.auth import Authenticator
    from dronewall.server.feed import Feed
    from dronewall.server.hardening import HardeningSettings
    from dronewall.store import RetentionPolicy, Store

console = Console()
SUMMARY_EVERY_S = 5.0
DEFAULT_STORE = "sqlite:///out/dronewall.db"  # make demo records here too, so replays find it


def serve(
    scenario: Annotated[
        str | None, typer.Argument(help="scenario to simulate live; omit with --replay/--feed")
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            help="a live sensor feed, e.g. asterix+udp://239.1.1.1:8600, beast+tcp://host:30005, "
            "mqtt://127.0.0.1:1883/dronewall/v1 (repeatable; docs/feeds.md)",
        ),
    ] = None,
    feeds: Annotated[
        Path | None, typer.Option(help="a feeds file (TOML): feeds with their sensors' positions")
    ] = None,
    replay: Annotated[str | None, typer.Option(help="play a recorded run id instead")] = None,
    reprocess: Annotated[
        bool, typer.Option(help="with --replay: its reports (or raw feeds) back through")
    ] = False,
    speed: Annotated[float, typer.Option(help="data seconds per wall second")] = 30.0,
    duration: Annotated[float | None, typer.Option(help="simulated seconds")] = None,
    store: Annotated[str, typer.Option(help="sqlite:///file.db or postgresql://…")] = DEFAULT_STORE,
    host: Annotated[
        str, typer.Option(help="address to listen on; 0.0.0.0 opens it to the network")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    tls_cert: Annotated[
        Path | None,
        typer.Option(help="serve HTTPS: the server's certificate (PEM; may hold its key too)"),
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option(help="with --tls-cert: its private key (PEM), if apart")
    ] = None,
    tls_self_signed: Annotated[
        bool,
        typer.Option(
            help="serve HTTPS with a self-signed certificate made once under out/tls "
            "(make demo; the browser warns once)"
        ),
    ] = False,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="an origin (https://host[:port]) allowed to call the API from its "
            "pages (CORS); repeatable; none: no CORS headers"
        ),
    ] = None,
    max_body_kib: Annotated[
        int, typer.Option(help="largest request body accepted (KiB); larger: 413")
    ] = 64,
    auth: Annotated[
        AuthMode,
        typer.Option(help="sign-in: users (the users file), oidc (a provider), none (loopback)"),
    ] = AuthMode.users,
    users: Annotated[
        Path, typer.Option(help="the users file (dronewall users add …); its secret: FILE.key")
    ] = DEFAULT_USERS,
    token_hours: Annotated[float, typer.Option(help="how long a sign-in lasts")] = 8.0,
    oidc_issuer: Annotated[str | None, typer.Option(help="OIDC provider's issuer (iss)")] = None,
    oidc_audience: Annotated[str | None, typer.Option(help="audience (aud) to accept")] = None,
    oidc_jwks: Annotated[
        str | None, typer.Option(help="the provider's keys: a JWKS file or an https:// URL")
    ] = None,
    oidc_roles_claim: Annotated[str, typer.Option(help="claim with the roles")] = "roles",
    oidc_nation_claim: Annotated[str, typer.Option(help="claim with the nation")] = "nation",
    oidc_clearance_claim: Annotated[
        str, typer.Option(help="claim with the clearance")
    ] = "clearance",
    oidc_ca: Annotated[
        Path | None, typer.Option(help="CA certificates of an https JWKS URL's server")
    ] = None,
    exit_when_done: Annotated[
        bool, typer.Option(help="stop the server when the run ends (scripts)")
    ] = False,
    parent: Annotated[
        str | None,
        typer.Option(help="HOST:PORT of a parent fusion node to report to over SAPIENT"),
    ] = None,
    site_name: Annotated[
        str | None, typer.Option(help="with --parent: this site's name (default: dronewall HOST)")
    ] = None,
    parent_tls_ca: Annotated[
        Path | None, typer.Option(help="TLS to the parent: the CA that signed its certificate")
    ] = None,
    parent_tls_cert: Annotated[
        Path | None, typer.Option(help="TLS to the parent: our client certificate (PEM)")
    ] = None,
    parent_tls_key: Annotated[
        Path | None, typer.Option(help="with --parent-tls-cert: its key, if apart")
    ] = None,
    keep_days: Annotated[
        float, typer.Option(help="keep frames and raw feed messages this long (inf: for ever)")
    ] = 30.0,
    keep_full_hours: Annotated[
        float, typer.Option(help="keep every frame this long; beyond, one a minute")
    ] = 24.0,
    keep_reports_days: Annotated[
        float, typer.Option(help="keep reports this long (inf: for ever, the whole record)")
    ] = 30.0,
    share: Annotated[
        Path | None,
        typer.Option(
            help="sharing file (TOML): allies' CoT/TAK, ASTERIX CAT062 and SAPIENT outputs, "
            "each cut to what its recipient is cleared for (docs/releasability.md)"
        ),
    ] = None,
) -> None:
    """Run the pipeline on live sensor feeds (``--feed``, ``--feeds``) or on a scenario in
    accelerated time, and serve the map and the API; or replay a recorded run
    (``dronewall serve --replay RUN_ID [--reprocess]``)."""
    if scenario:
        scenario_file(scenario)
    if feeds is not None:
        text_file(feeds, "feeds file")
    if share is not None:
        text_file(share, "sharing file")
    from dronewall.app.node_cli import (
        DEFAULT_INTERVAL_S,
        parent_address,
        parent_tls,
        start_reporter,
    )

    address = parent_address(parent) if parent is not None else None
    if address is not None and not (feed or feeds):
        fail("--parent reports a site's live feeds up: give --feed or --feeds too")
    from dronewall.core.errors import ConfigError, DronewallError, NotFoundError
    from dronewall.runtime.pipeline import PipelineSettings
    from dronewall.runtime.sharing import Sharing, load_sharing
    from dronewall.server import ServerSettings
    from dronewall.server.app import build_feed
    from dronewall.store import open_store

    try:
        plan = load_sharing(share) if share is not None else None  # checked before anything runs
        specs = _feed_specs(feed or [], feeds)
        _check_arguments(scenario, replay, bool(specs), speed, duration, port)
        settings = ServerSettings(
            store_url=store,
            scenario=scenario,
            replay_run=replay,
            duration_s=duration,
            pipeline=PipelineSettings(speed=math.inf if specs else speed),
            replay_speed=speed,
            reprocess=reprocess,
            feeds=tuple(specs),
            retention=_retention(keep_days, keep_full_hours, keep_reports_days),
        )
        _check_port(host, port)
        if tls_self_signed:
            if tls_cert is not None:
                raise ConfigError("give --tls-self-signed or --tls-cert, not both")
            from dronewall.app.selfsigned import self_signed

            made_cert, made_key = self_signed(Path("out") / "tls")
            tls_cert, tls_key = Path(made_cert), Path(made_key)
        tls = _check_tls(tls_cert, tls_key, host)
        hardening = _hardening(cors_origin or [], max_body_kib)
        up_tls = parent_tls(parent_tls_ca, parent_tls_cert, parent_tls_key)
        sign_in = AuthOptions(auth, users, token_hours, oidc_issuer, oidc_audience,
                              oidc_jwks, oidc_roles_claim, oidc_nation_claim,
                              oidc_clearance_claim, oidc_ca)  # fmt: skip
        authenticator = build_authenticator(sign_in, host)
        console.print(describe_auth(authenticator, sign_in), highlight=False, soft_wrap=True)
        opened = open_store(settings.store_url)
    except DronewallError as exc:
        fail(str(exc))
    try:
        live_feed = build_feed(settings, opened)
    except (DronewallError, OSError) as exc:
        opened.close()
        if replay and isinstance(exc, NotFoundError):
            fail(f"{exc} in the store {_shown(store)} (give --store where the run was recorded)")
        fail(str(exc))
    if live_feed is not None:
        console.print(f"run [bold]{live_feed.run_id}[/] · {live_feed.summary.source}")
        if not replay:
            again = "" if store == DEFAULT_STORE else f" --store {_shown(store)}"
            console.print(f"replay it with: dronewall serve --replay {live_feed.run_id}{again}")
    reporter = None
    if address is not None:
        reporter = start_reporter(live_feed, address, site_name, DEFAULT_INTERVAL_S, tls=up_tls)
    sharing = None
    if plan is not None and live_feed is not None:
        sharing = _start_sharing(Sharing(plan, lambda: live_feed.sensors), live_feed)
    run_server(
        settings, host, port, exit_when_done, store=opened, feed=live_feed, parent=reporter,
        sharing=sharing, auth=authenticator, tls=tls, hardening=hardening,
    )  # fmt: skip


def _start_sharing(sharing: Sharing, feed: Feed) -> Sharing:
    """Each recipient's outputs listening to ``feed``; one line and exit 2 if one cannot
    start."""
    from dronewall.core.errors import DronewallError

    sharing.attach(feed)
    try:
        sharing.start()
    except (DronewallError, OSError) as exc:
        sharing.close(1.0)
        fail(f"sharing: {exc}")
    for share in sharing.plan.shares:
        outputs = ", ".join(sink.name for sink in share.sinks)
        console.print(f"sharing with [bold]{share.recipient.name}[/] ({outputs})", highlight=False)
    return sharing


def _audit_sharing(hook: Any, sharing: Sharing) -> None:
    """One ``sharing.change`` entry per recipient the node shares with, by the system (the
    audit trail queues them until the store opens)."""
    for share in sharing.plan.shares:
        r = share.recipient
        detail = {
            "nation": r.nation,
            "clearance": r.clearance,
            "communities": sorted(r.communities),
            "outputs": [sink.name for sink in share.sinks],
            "file": sharing.plan.source,
        }
        hook(None, "sharing.change", r.name, detail)


def _shown(url: str) -> str:
    """A store URL fit to print: a password in it replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _feed_specs(urls: list[str], path: Path | None) -> list[FeedSpec]:
    from dronewall.runtime.feedspec import check_unique, load_feeds_file, parse_feed_url

    specs = [parse_feed_url(u) for u in urls]
    if path is not None:
        specs += load_feeds_file(path)
    check_unique(specs)
    return specs


def _check_arguments(
    scenario: str | None,
    replay: str | None,
    live: bool,
    speed: float,
    duration: float | None,
    port: int,
) -> None:
    from dronewall.core.errors import ConfigError
    from dronewall.sim import bundled_names

    if sum(bool(x) for x in (scenario, replay, live)) > 1:
        raise ConfigError("give one of a scenario, --replay or --feed/--feeds, not several")
    if not (speed > 0):
        raise ConfigError(f"--speed must be positive, not {speed}")
    if duration is not None and not (duration > 0):
        raise ConfigError(f"--duration must be positive, not {duration}")
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be 1–65535, not {port}")
    if scenario and scenario not in bundled_names() and not Path(scenario).is_file():
        names = ", ".join(bundled_names())
        raise ConfigError(f"unknown scenario {scenario!r}: one of {names}, or a scenario file")


def _retention(days: float, full_hours: float, reports_days: float) -> RetentionPolicy:
    """What the store keeps while a pipeline records (docs/live-api.md, "Retention")."""
    from dronewall.core.errors import ConfigError
    from dronewall.store import RetentionPolicy

    for option, value in (("--keep-days", days), ("--keep-reports-days", reports_days)):
        if not value > 0:
            raise ConfigError(f"{option} must be positive (inf: for ever), not {value}")
    if not full_hours >= 0:
        raise ConfigError(f"--keep-full-hours must be 0 or more, not {full_hours}")
    return RetentionPolicy(
        raw_days=days, frame_days=days, report_days=reports_days, full_frames_hours=full_hours
    )


def _check_tls(cert: Path | None, key: Path | None, host: str) -> tuple[str, str | None] | None:
    """HTTPS files, loaded once to check they are a certificate and its key (ConfigError
    naming the file otherwise); without them on a non-loopback address, a warning."""
    from dronewall.core.errors import ConfigError
    from dronewall.sensors.tls import server_context

    if cert is None:
        if key is not None:
            raise ConfigError("--tls-key needs --tls-cert")
        if not _loopback(host):
            console.print(
                f"[yellow]warning:[/] serving plain HTTP on {host}: sign-in tokens and the "
                "picture travel in clear; give --tls-cert/--tls-key for HTTPS",
                highlight=False, soft_wrap=True,
            )  # fmt: skip
        return None
    try:
        server_context(str(cert), str(key) if key else None, require_client_cert=False)
    except ValueError as exc:
        text = str(exc).replace("tls_cert/tls_key", "--tls-cert/--tls-key")
        text = text.replace("tls_cert ", "--tls-cert ").replace("tls_key ", "--tls-key ")
        raise ConfigError(text) from exc
    return str(cert), str(key) if key else None


def _hardening(origins: list[str], max_body_kib: int) -> HardeningSettings:
    from dronewall.core.errors import ConfigError
    from dronewall.server.hardening import HardeningSettings, check_origin

    if max_body_kib < 1:
        raise ConfigError(f"--max-body-kib must be at least 1, not {max_body_kib}")
    try:
        checked = tuple(check_origin(o) for o in origins)
    except ValueError as exc:
        raise ConfigError(f"--cors-origin: {exc}") from None
    return HardeningSettings(max_body=max_body_kib * 1024, cors_origins=checked)


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _check_port(host: str, port: int) -> None:
    """The map's port must be free: say so now rather than after the feeds have started."""
    from dronewall.core.errors import ConfigError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror}") from exc


def run_server(
    settings: ServerSettings,
    host: str,
    port: int,
    exit_when_done: bool,
    *,
    store: Store | None = None,
    feed: Feed | None = None,
    parent: UpwardReporter | None = None,
    sharing: Sharing | None = None,
    auth: Authenticator | None = None,
    tls: tuple[str, str | None] | None = None,
    hardening: HardeningSettings | None = None,
) -> None:
    import asyncio

    import uvicorn

    from dronewall.server import create_app
    from dronewall.server.serving import uvicorn_config

    # Hand the interpreter lock over every millisecond rather than five, so that the server's
    # event loop gets a frame out promptly while the pipeline threads compute (measured in
    # bench/bench_live.py: p99 report-to-client latency 1.1 s → 0.35 s at 10,000 tracks).
    sys.setswitchinterval(0.001)
    app = create_app(
        settings, store=store, feed=feed, parent=parent, auth=auth, hardening=hardening
    )
    if sharing is not None:
        _audit_sharing(app.state.audit, sharing)
    config = uvicorn_config(app, host, port)
    if tls is not None:  # HTTPS (and wss:// for the live picture)
        config.ssl_certfile, config.ssl_keyfile = tls
    scheme = "https" if tls is not None else "http"
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.1)
        if not server.started:
            return
        console.print(
            f"[bold green]dronewall is live:[/] open [link]{scheme}://{host}:{port}[/link] "
            f"(API: {scheme}://{host}:{port}/docs, metrics: /metrics). Ctrl-C stops."
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

    try:
        asyncio.run(main())
    finally:
        if parent is not None:
            parent.close()  # done at shutdown already; here if the server never started
        if sharing is not None:
            sharing.close()
        if store is not None:
            store.close()
    if not server.started:
        fail(f"the server could not start on {host}:{port}")


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
