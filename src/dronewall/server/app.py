"""The FastAPI application: REST for the picture, alerts, sites, sensors, runs and history;
a WebSocket that pushes changes; Prometheus metrics; the web map. ``docs/live-api.md``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import Body, FastAPI, HTTPException, Path, Query, Request, WebSocket
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dronewall.assess import (
    AlertError,
    IllegalTransitionError,
    ProtectedZones,
    UnknownAlertError,
    protected_zones,
)
from dronewall.core.errors import DronewallError, NotFoundError
from dronewall.runtime.live import feeds_pipeline, reprocess_pipeline, simulation_pipeline
from dronewall.runtime.pipeline import Pipeline
from dronewall.runtime.player import FramePlayer
from dronewall.runtime.retention import RetentionTask
from dronewall.runtime.sensor_table import sensors_from_json
from dronewall.runtime.sources import StoreSource
from dronewall.runtime.upward import UpwardReporter
from dronewall.server import geo, schemas
from dronewall.server.access import AccessGuard, AccessMetrics
from dronewall.server.audit_trail import AlertsSeen, AuditTrail, add_audit_routes
from dronewall.server.auth import AuditHook, Authenticator, audit
from dronewall.server.auth_routes import add_auth_routes, principal_from
from dronewall.server.encode import (
    alert_dict,
    alert_list,
    event_dict,
    frame_message,
    history,
    run_dict,
    track_detail,
)
from dronewall.server.feed import (
    Feed,
    alert_with_id,
    alerts_message,
    connect,
    cut_frame,
    cut_run_events,
    encode_both,
    recipient_of,
    release_for,
    released_alerts,
    released_rows,
    released_sensors,
    run_sensors,
)
from dronewall.server.hardening import (
    Hardening,
    HardeningMetrics,
    HardeningSettings,
    LoginThrottle,
    RateLimit,
)
from dronewall.server.hub import Hub
from dronewall.server.schemas import ActionBody, Health, errors
from dronewall.server.settings import ServerSettings
from dronewall.store import Store, StoreError, open_store
from dronewall.world import load_world

ACTIONS = ("acknowledge", "engage", "clear")
Id = Annotated[int, Path(ge=0, lt=2**63, description="a track or alert number")]  # int64


@dataclass
class Live:
    """Everything the routes read, built in the app's lifespan."""

    settings: ServerSettings
    hub: Hub = field(default_factory=Hub)
    store: Store | None = None
    feed: Feed | None = None
    zones: ProtectedZones | None = None
    mode: str = "idle"
    parent: UpwardReporter | None = None  # ``serve --parent``: the picture sent up over SAPIENT

    def need_store(self) -> Store:
        if self.store is None:
            raise HTTPException(503, "the store is not open yet")
        return self.store


def create_app(
    settings: ServerSettings | None = None,
    *,
    store: Store | None = None,
    feed: Feed | None = None,
    zones: ProtectedZones | None = None,
    parent: UpwardReporter | None = None,
    auth: Authenticator | None = None,
    audit: AuditHook | None = None,
    hardening: HardeningSettings | None = None,
) -> FastAPI:
    """The app; ``store``, ``feed`` and ``zones`` may be given (tests, the CLI), else they are
    built from ``settings`` when the app starts. ``parent``: the feed's picture is also sent
    to a parent fusion node (closed, with its goodbye, before the feed stops).

    ``auth``: who may sign in (``docs/auth.md``); every route is checked against
    ``access.ACCESS``. None: no sign-in, every request is the local principal of
    ``Authenticator.disabled`` (nation DEU, every role but admin) — what ``serve --auth none``
    gives on loopback; ``dronewall serve`` passes its users file or OIDC provider otherwise.
    ``audit``: receives sign-ins, alert actions, user changes and refusals; by default an
    ``AuditTrail`` into the store's audit log (``docs/audit.md``). ``hardening``: size and rate
    limits, login throttling, CORS origins (``server/hardening.py``; if None its defaults, but
    no rate limits when ``auth`` is None too)."""
    live = Live(settings or ServerSettings(), store=store, feed=feed, zones=zones, parent=parent)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned_store = live.store is None
        live.store = live.store or open_store(live.settings.store_url)
        live.zones = live.zones or protected_zones(load_world())
        if live.feed is None:
            live.feed = build_feed(live.settings, live.store)
        if live.feed is not None:
            live.mode = "replay" if isinstance(live.feed, FramePlayer) else "live"
            connect(live.feed, live.hub, asyncio.get_running_loop())
            if live.feed.summary.state == "starting":
                live.feed.start()
        retention = start_retention(live)
        if hook is trail:
            trail.start(live.store.audit_log(), {"mode": live.mode})
        yield
        if retention is not None:
            retention.stop()
            await asyncio.to_thread(retention.join, 30.0)
        if live.parent is not None:
            await asyncio.to_thread(live.parent.close)
        if live.feed is not None:
            live.feed.stop()
            await asyncio.to_thread(live.feed.join, 30.0)
        await asyncio.to_thread(trail.close)
        if owned_store:
            live.store.close()

    app = FastAPI(
        title="dronewall",
        version="0.1.0",
        summary="The fused counter-drone air picture: tracks, classes, threats and alerts.",
        lifespan=lifespan,
    )
    app.state.live = live
    auth_off = auth is None
    app.state.auth = auth = auth or Authenticator.disabled("DEU")
    trail = AuditTrail(live.hub.metrics.registry)  # into the store's audit log (docs/audit.md)
    app.state.audit = hook = audit or trail
    access_metrics = AccessMetrics(live.hub.metrics.registry)
    app.state.refusals = access_metrics.refusals
    # Without sign-in (tests, benchmarks) no rate limits unless asked; serve always asks.
    harden = hardening or HardeningSettings(rate_limits=not auth_off)
    harden_metrics = HardeningMetrics(live.hub.metrics.registry)
    app.state.hardening_refusals = harden_metrics.refusals
    app.state.login_throttle = LoginThrottle(harden)
    app.add_middleware(RateLimit, settings=harden, metrics=harden_metrics)  # inside the guard
    app.add_middleware(
        AccessGuard, routes=app.router.routes, auth=auth, metrics=access_metrics, audit=hook
    )

    @app.middleware("http")
    async def count(request: Request, call_next: Any) -> Response:
        """Every response counted by route template and status class, so rejected (4xx) and
        failed (5xx) requests show in /metrics."""
        response: Response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        live.hub.metrics.http.labels(path, f"{response.status_code // 100}xx").inc()
        return response

    app.add_middleware(Hardening, settings=harden, metrics=harden_metrics)  # outermost

    _errors(app)
    add_auth_routes(app, auth)
    seen = AlertsSeen(lambda: live.feed, lambda: live.hub.track_labels)
    add_audit_routes(app, live.need_store, trail if hook is trail else None, seen)
    _routes(app, live)
    schemas.document(app)  # the WebSocket's messages in /openapi.json
    if live.settings.static_dir.joinpath("index.html").exists():
        app.mount("/", StaticFiles(directory=live.settings.static_dir, html=True), name="map")
    else:

        @app.get("/", include_in_schema=False)
        def no_map() -> HTMLResponse:
            return HTMLResponse(
                "<h1>dronewall</h1><p>The web map is not built: run <code>make web</code>. "
                "The API is at <a href='/docs'>/docs</a>.</p>"
            )

    return app


def start_retention(live: Live) -> RetentionTask | None:
    """The store's retention (``settings.retention``) while a pipeline records, counted in
    ``/metrics``; none for a replay (its frames are not thinned under it) or an idle server."""
    policy = live.settings.retention
    if policy is None or live.mode != "live" or live.store is None:
        return None
    interval = live.settings.retention_interval_s
    registry = live.hub.metrics.registry
    task = RetentionTask(live.store, policy, interval_s=interval, registry=registry)
    task.start()
    return task


def build_feed(settings: ServerSettings, store: Store) -> Feed | None:
    """What the settings ask the server to show; raises DronewallError (a feed that cannot
    start, an unknown scenario or run) for the caller to report."""
    if settings.feeds:
        return feeds_pipeline(list(settings.feeds), store, settings.pipeline)
    if settings.scenario:
        return simulation_pipeline(
            settings.scenario,
            store,
            settings.pipeline,
            duration_s=settings.duration_s,
            seed=settings.seed,
        )
    if settings.replay_run:
        info = store.run(settings.replay_run)
        sensors = sensors_from_json(info.settings.get("sensors", {}))
        if settings.reprocess:
            raw = reprocess_pipeline(store, info.run_id, settings.pipeline)
            if raw is not None:
                return raw
            source = StoreSource(store, info.run_id, sensors)
            return Pipeline(source, protected_zones(load_world()), store, settings.pipeline)
        return FramePlayer(store, info.run_id, sensors, speed=settings.replay_speed)
    return None


def _errors(app: FastAPI) -> None:
    def handler(status: int) -> Any:
        async def handle(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        return handle

    app.add_exception_handler(NotFoundError, handler(404))
    app.add_exception_handler(UnknownAlertError, handler(404))
    app.add_exception_handler(IllegalTransitionError, handler(409))
    app.add_exception_handler(AlertError, handler(409))
    app.add_exception_handler(StoreError, handler(503))
    app.add_exception_handler(DronewallError, handler(400))

    async def invalid(_: Request, exc: Exception) -> Response:
        """422 as FastAPI's own handler, but with the offending input made JSON-safe: a body
        of ``Infinity`` or an integer beyond 64 bits made the default handler fail (500)
        encoding it back (fuzzing). The standard library's encoder takes both."""
        assert isinstance(exc, RequestValidationError)
        detail = jsonable_encoder(exc.errors())
        body = json.dumps({"detail": detail}, default=str, allow_nan=False) if _safe(detail) else (
            json.dumps({"detail": str(detail)}))  # fmt: skip
        return Response(body, status_code=422, media_type="application/json")

    app.add_exception_handler(RequestValidationError, invalid)


def _safe(value: Any) -> bool:
    """Whether strict JSON can encode ``value`` (no NaN or infinity anywhere)."""
    try:
        json.dumps(value, default=str, allow_nan=False)
    except ValueError:
        return False
    return True


def _json(value: Any) -> Response:
    return Response(orjson.dumps(value), media_type="application/json")


def _routes(app: FastAPI, live: Live) -> None:
    def feed() -> Feed:
        if live.feed is None:
            raise HTTPException(404, "nothing is live: no pipeline or replay is running")
        return live.feed

    @app.get(
        "/api/health",
        response_model=Health,
        tags=["service"],
        responses={503: {"model": Health, "description": "a pipeline stage died or stalled"}},
    )
    def health(response: Response) -> Health:
        """``ok``, or ``unhealthy`` with the reason (HTTP 503) when a pipeline stage has died
        or stalled; the map shows the reason in a banner."""
        f = live.feed
        check = getattr(f, "health", None)
        ok, reason = check() if check is not None else (True, "")
        if not ok:
            response.status_code = 503
        return Health(
            status="ok" if ok else "unhealthy",
            reason=reason,
            mode=live.mode,
            run_id=f.run_id if f else None,
            state=f.summary.state if f else "idle",
            t=_finite(f.summary.t) if f else None,
            clients=live.hub.client_count,
            parent=live.parent.health() if live.parent is not None else None,
        )

    @app.get("/api/parent", tags=["service"], response_model=schemas.ParentStatus)
    def parent() -> Response:
        """A site reporting up (``serve --parent``): connection to the parent fusion node,
        tracks and alerts sent, dropped while it was away, refused; ``{"configured": false}``
        when this node reports to no parent."""
        if live.parent is None:
            return _json({"configured": False})
        return _json({"configured": True, **live.parent.health()})

    @app.get("/metrics", tags=["service"], response_class=Response, responses=schemas.PROMETHEUS)
    def metrics() -> Response:
        """Prometheus text format: pipeline counters, queue depths, latencies, clients."""
        body = generate_latest(live.hub.metrics.registry)
        metrics_of = getattr(live.feed, "metrics", None)
        if metrics_of is not None:
            body = metrics_of.render() + body
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get(
        "/api/summary", tags=["picture"], response_model=schemas.Summary, responses=errors(404)
    )
    def summary() -> Response:
        s = feed().summary
        return _json({**asdict(s), "t": _finite(s.t), "t_start": _finite(s.t_start)})

    @app.get("/api/tracks", tags=["picture"], response_model=schemas.Frame, responses=errors(404))
    def tracks(request: Request) -> Response:
        """The live picture now: every confirmed track the signed-in user may see (their
        nation and clearance against each track's labels), as columns (frame JSON)."""
        f = feed()
        latest = cut_frame(f.latest, f.sensors, recipient_of(request))
        return _json(frame_message(latest, f.run_id, f.summary.frames, math.nan))

    @app.get(
        "/api/tracks/{track_id}",
        tags=["picture"],
        response_model=schemas.TrackDetail,
        responses=errors(404, 422),
    )
    def track(request: Request, track_id: Id) -> Response:
        """One track now, with class probabilities and the reasons for class and threat
        (404 for a track the signed-in user may not see)."""
        f = feed()
        latest = cut_frame(f.latest, f.sensors, recipient_of(request))
        rows = np.flatnonzero(latest.track_id == track_id)
        if rows.size == 0:
            raise NotFoundError("track", track_id)
        detail = track_detail(latest, int(rows[0]))
        lookup = getattr(f, "cooperative", None)  # live feeds: callsign, category, operator
        if lookup is not None and (found := lookup(str(latest.identity[rows[0]]))):
            detail["cooperative"] = found
        return _json(detail)

    @app.get(
        "/api/tracks/{track_id}/history",
        tags=["history"],
        response_model=schemas.TrackHistory,
        responses=errors(404, 422, 503),
    )
    def track_history(
        request: Request,
        track_id: Id,
        run_id: str | None = None,
        t0: float | None = None,
        t1: float | None = None,
    ) -> Response:
        """A track's recorded rows; only those the user may see (a row is judged by the labels
        the track carried then)."""
        run = run_id or feed().run_id
        store = live.need_store()
        h = store.track_history(run, track_id, t0, t1)
        if (recipient := recipient_of(request)) is not None:
            rows = released_rows(h.rows, run_sensors(store, live.feed, run), recipient)
            h = type(h)(h.track_id, h.times[rows], h.rows.take(rows))
        if len(h.times) == 0:
            raise NotFoundError("track", track_id)
        return _json(history(h))

    @app.get(
        "/api/alerts",
        tags=["alerts"],
        response_model=list[schemas.Alert],
        responses=errors(404, 422),
    )
    def alerts(request: Request, include_cleared: bool = False) -> Response:
        """Alerts on tracks the signed-in user may see, highest priority first."""
        f = feed()
        release = release_for(f.sensors, recipient_of(request))
        found = released_alerts(
            f.alerts(include_cleared=include_cleared), release, live.hub.track_labels
        )
        return _json(alert_list(found))

    @app.post(
        "/api/alerts/{alert_id}/{action}",
        tags=["alerts"],
        response_model=schemas.Alert,
        responses=errors(404, 409, 422),
    )
    async def act(
        request: Request, alert_id: Id, action: str, body: Annotated[ActionBody, Body()]
    ) -> Response:
        """``acknowledge`` (new → acknowledged), ``engage`` (acknowledged → engaged) or
        ``clear`` (any active state → cleared), recorded under the signed-in user's name
        (a body's ``operator`` is ignored). 404 unknown alert, 409 not allowed now; who may
        do which: ``access.ALERT_ACTIONS``."""
        if action not in ACTIONS:
            raise HTTPException(404, f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
        f = feed()
        release = release_for(f.sensors, recipient_of(request))
        found = alert_with_id(f, alert_id)
        if found and not released_alerts(found, release, live.hub.track_labels):
            raise NotFoundError("alert", alert_id)  # on a track this user may not see
        who = principal_from(request).user
        detail: dict[str, Any] = {"alert_id": alert_id, "note": body.note}
        try:
            alert = await asyncio.to_thread(f.act, alert_id, action, who, body.note)
        except Exception as exc:
            audit(request, f"alert.{action}.refused", str(alert_id), {**detail, "why": str(exc)})
            raise
        audit(request, f"alert.{action}", str(alert_id), detail)
        return _json(alert_dict(alert))

    @app.get("/api/sites", tags=["world"], response_model=schemas.SiteCollection)
    def sites() -> Response:
        """Protected zones as GeoJSON points with their radius."""
        assert live.zones is not None
        return _json(geo.sites(live.zones))

    @app.get(
        "/api/sensors",
        tags=["world"],
        response_model=schemas.SensorCollection,
        responses=errors(404),
    )
    def sensors(request: Request) -> Response:
        """The run's sensors as GeoJSON points with their kind and maximum range; with live
        feeds, every sensor as it registers, with owner nation and health (state ok, stale,
        offline, fault or waiting; last report, rate, rejects)."""
        f = feed()
        health = getattr(f, "sensor_health", None)
        rows = health() if health is not None else None
        found = geo.live_sensors(rows) if rows is not None else geo.sensors(f.sensors)
        return _json(released_sensors(found, f.sensors, recipient_of(request)))

    @app.get(
        "/api/feeds", tags=["world"], response_model=list[schemas.FeedStatus], responses=errors(404)
    )
    def feeds() -> Response:
        """Live feeds: URL, format, connection, messages, reports, rejects by reason."""
        health = getattr(feed(), "feed_health", None)
        rows = health() if health is not None else None  # a pipeline without feeds: None
        return _json(rows if rows is not None else [])

    @app.get("/api/basemap", tags=["world"], response_model=schemas.Basemap)
    def basemap() -> Response:
        """Countries (land and borders) as GeoJSON, from the shipped Natural Earth data."""
        return _json(geo.basemap())

    @app.get(
        "/api/runs", tags=["history"], response_model=list[schemas.RunInfo], responses=errors(503)
    )
    def runs() -> Response:
        store = live.need_store()
        return _json([run_dict(r) for r in store.runs()])

    @app.get(
        "/api/runs/{run_id}",
        tags=["history"],
        response_model=schemas.RunDetail,
        responses=errors(404, 503),
    )
    def run(run_id: str) -> Response:
        store = live.need_store()
        info = store.run(run_id)
        times = store.frame_times(run_id)
        out = run_dict(info, len(times))
        out["t_first_frame"] = times[0] if times else None
        out["t_last_frame"] = times[-1] if times else None
        out.pop("settings", None)
        return _json(out)

    @app.get(
        "/api/runs/{run_id}/frame",
        tags=["history"],
        response_model=schemas.Frame,
        responses=errors(404, 422, 503),
    )
    def run_frame(
        request: Request, run_id: str, t: Annotated[float, Query(allow_inf_nan=False)]
    ) -> Response:
        """The recorded picture at data time ``t`` (the latest frame at or before it), the
        tracks the signed-in user may see."""
        store = live.need_store()
        store.run(run_id)
        frame = store.frame_at(run_id, t)
        if frame is None:
            raise NotFoundError("frame at or before", t)
        frame = cut_frame(frame, run_sensors(store, live.feed, run_id), recipient_of(request))
        return _json(frame_message(frame, run_id, 0, math.nan))

    @app.get(
        "/api/runs/{run_id}/events",
        tags=["history"],
        response_model=list[schemas.AlertEvent],
        responses=errors(404, 422, 503),
    )
    def run_events(
        request: Request, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> Response:
        """A recorded run's alert events on tracks the signed-in user may see."""
        store = live.need_store()
        store.run(run_id)
        events = store.events(run_id, t0, t1)
        sensors = run_sensors(store, live.feed, run_id)
        events = cut_run_events(events, store, run_id, sensors, recipient_of(request))
        return _json([event_dict(e) for e in events])

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        f = live.feed
        hello = {
            "type": "hello",
            "run_id": f.run_id if f else None,
            "mode": live.mode,
            "t_start": _finite(f.summary.t_start) if f else None,
            "t": _finite(f.summary.t) if f else None,
            "sites_url": "/api/sites",
            "sensors_url": "/api/sensors",
        }
        greeting = [orjson.dumps(hello).decode()]
        columns = websocket.query_params.get("format") == "columns"
        recipient = recipient_of(websocket)
        if f is not None and recipient is not None:  # what this user may see, from the start
            release = release_for(f.sensors, recipient)
            greeting.append(alerts_message(f, release, live.hub.track_labels))
            if recipient not in live.hub.last_by_recipient and f.summary.frames:
                mine = cut_frame(f.latest, f.sensors, recipient)
                live.hub.last_by_recipient[recipient] = encode_both(
                    mine, f.run_id, f.summary.frames, math.nan, json=True
                )
        elif f is not None:
            greeting.append(alerts_message(f))
            hub = live.hub
            missing = hub.last_columns is None if columns else hub.last_frame is None
            if missing and f.summary.frames:  # nothing published in this format yet
                binary, json = encode_both(
                    f.latest, f.run_id, f.summary.frames, math.nan, json=not columns
                )
                if columns:
                    hub.last_columns = binary
                else:
                    hub.last_frame = json
        await live.hub.serve(websocket, greeting, columns=columns, recipient=recipient)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
