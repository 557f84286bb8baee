"""The API contract: a pydantic model for every REST response and request body and for every
WebSocket message, so that ``/openapi.json`` describes every payload (``docs/live-api.md``,
"API contract"). The map's TypeScript types are generated from it (``web/src/generated/``).

The routes still answer with bytes encoded once by orjson (``encode.py``): the models here
describe those bytes for the OpenAPI description and the tests, which validate real answers
against the published JSON schemas; nothing is validated on the fast path.

WebSocket messages are not part of OpenAPI. They are published under ``components.schemas``
with the prefix ``Ws`` (``WsHello``, ``WsFrame``, ``WsEvents``, ``WsAlerts``, ``WsPong``,
their union ``WsServerMessage``; the client's ``WsPing``) and the binary column frame's header
as ``ColumnFrameHeader``; the WebSocket routes are listed under the top-level extension
``x-websockets`` (``{"/ws": {"summary", "description", "parameters", "receives", "sends"}}``),
whose description names the messages and gives the binary layout (``columns.py``).

``dronewall openapi FILE`` writes the OpenAPI description (what ``npm run gen:api`` in
``web/`` reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import orjson
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from dronewall.server import columns

ClassName = Literal["UNKNOWN", "DRONE", "BIRD", "AIRCRAFT"]
KindName = Literal["", "ONE_WAY_ATTACK", "DECOY", "QUADCOPTER", "RECON_FIXED_WING",
                   "CIVIL_AIRCRAFT", "BIRD_FLOCK", "GLIDER", "HELICOPTER", "LIGHT_AIRCRAFT",
                   "ULTRALIGHT"]  # fmt: skip
Affil = Literal["F", "H", "S", "N", "U"]
AlertStateName = Literal["new", "acknowledged", "engaged", "cleared"]
EventKindName = Literal["raised", "escalated", "acknowledged", "engaged", "cleared",
                        "auto-cleared", "track-changed", "reopened", "site-clear"]  # fmt: skip
Num = float | None  # a number that may be missing (NaN on the server): null in JSON


class Out(BaseModel):
    """A response: every field the server sends is listed, and only those (fields with a
    default are still always sent, so they are required in the published schema)."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- errors ------------------------------------------------------------------------------
class ErrorDetail(Out):
    """Every refusal but a malformed request: 400 bad input, 401 not signed in, 403 not
    allowed, 404 not found, 409 not allowed now, 503 not ready."""

    detail: str


class ValidationIssue(BaseModel):
    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorDetail(Out):
    """422: the request does not match its parameters or body; ``detail`` lists each issue
    (or is one line when the offending input cannot be written back as JSON)."""

    detail: list[ValidationIssue] | str


_WHY = {
    400: "bad input",
    401: "not signed in: no or an invalid bearer token",
    403: "the signed-in user's roles do not allow this",
    404: "not found (or nothing is live)",
    409: "not allowed now: the alert's state, a user that exists, the last admin",
    422: "the request does not match its parameters or body",
    503: "the store is not open yet, or not reachable",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route decorator: the error answers it may give."""
    return {
        code: {
            "model": ValidationErrorDetail if code == 422 else ErrorDetail,
            "description": _WHY[code],
        }
        for code in codes
    }


PROMETHEUS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Prometheus text exposition format",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


# ---- service -----------------------------------------------------------------------------
class ParentLink(Out):
    """A site reporting up to a parent fusion node over SAPIENT (``serve --parent``).
    ``/api/health`` validates it as it answers, so a new count is let through, not refused."""

    model_config = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)

    parent: str = Field(description="host:port of the parent")
    site_name: str
    node_id: str
    connected: bool
    registrations: int
    children: int
    tracks_sent: int
    tracks_dropped: int
    tracks_invalid: int
    pictures_sent: int
    alerts_sent: int
    alerts_refused: int
    alerts_dropped: int
    alerts_invalid: int
    errors: int
    last_sent_s: Num


class ParentStatus(Out):
    """``GET /api/parent``: ``{"configured": false}`` alone, or true with the link's counts."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)
    configured: bool
    parent: str | None = None
    site_name: str | None = None
    node_id: str | None = None
    connected: bool | None = None
    registrations: int | None = None
    children: int | None = None
    tracks_sent: int | None = None
    tracks_dropped: int | None = None
    tracks_invalid: int | None = None
    pictures_sent: int | None = None
    alerts_sent: int | None = None
    alerts_refused: int | None = None
    alerts_dropped: int | None = None
    alerts_invalid: int | None = None
    errors: int | None = None
    last_sent_s: Num = None


class Health(Out):
    """``GET /api/health``; HTTP 503 with ``status`` "unhealthy" when a stage died or
    stalled."""

    status: Literal["ok", "unhealthy"]
    reason: str = Field(default="", description="why it is unhealthy")
    mode: Literal["live", "replay", "idle"]
    run_id: str | None
    state: str = Field(description="starting, running, finished, failed, stopped or idle")
    t: Num
    clients: int = Field(description="WebSocket clients connected")
    parent: ParentLink | None = Field(default=None, description="a site reporting up")


class Summary(Out):
    """``GET /api/summary``: the running summary of the pipeline or replay."""

    run_id: str
    source: str
    state: str
    t: Num
    t_start: Num
    reports: int
    tracks: int
    tracks_by_class: dict[str, int]
    alerts_active: int
    alerts_raised: int
    frames: int
    shed: int
    speed: float = Field(description="recent data seconds per wall second")
    error: str


# ---- the picture -------------------------------------------------------------------------
class FrameColumns(Out):
    """One array per column, rows aligned (``n`` rows); names as in ``encode.frame_arrays``."""

    n: int = Field(ge=0, description="rows (tracks)")
    id: list[int] = Field(description="track numbers")
    lat: list[Num] = Field(description="degrees, 5 decimals")
    lon: list[Num]
    alt: list[Num] = Field(description="metres above the ellipsoid")
    speed: list[Num] = Field(description="m/s over ground")
    course: list[Num] = Field(description="degrees from north")
    climb: list[Num] = Field(description="m/s")
    sigma: list[Num] = Field(description="horizontal position uncertainty, m")
    cls: list[ClassName]
    p_unknown: list[Num]
    p_drone: list[Num]
    p_bird: list[Num]
    p_aircraft: list[Num]
    kind: list[KindName] = Field(description="drone type, '' when not a drone")
    affil: list[Affil] = Field(description="APP-6 standard identity")
    prio: list[Num] = Field(description="threat priority 0–100")
    site: list[str] = Field(description="most threatened site, '' when none")
    tts: list[Num] = Field(description="seconds to that site, null when none")
    ident: list[str] = Field(description="ICAO address / Remote ID serial, '' when none")
    alert: list[int] = Field(description="active alert id, 0 when none")


class Frame(FrameColumns):
    """The picture as columns: ``GET /api/tracks``, ``GET /api/runs/{run_id}/frame`` and the
    WebSocket's JSON frame (``WsFrame``)."""

    type: Literal["frame"]
    run_id: str
    t: Num = Field(description="data time, POSIX s")
    seq: int = Field(description="frame number in the run (0 for a frame read back)")
    wall_ingest: Num = Field(
        description="wall time the oldest report first reflected here entered the pipeline"
    )
    wall_sent: float = Field(description="wall time the frame was encoded (0 over REST)")


class Cooperative(Out):
    """What live feeds said of a cooperative identity (ADS-B, Remote ID)."""

    identity: str
    t: float
    callsign: str
    category: str
    operator_id: str
    operator_lat_deg: Num
    operator_lon_deg: Num
    description: str


class TrackDetail(Out):
    """``GET /api/tracks/{track_id}``: every frame column as a scalar, and the explanations."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)
    id: int
    lat: Num
    lon: Num
    alt: Num
    speed: Num
    course: Num
    climb: Num
    sigma: Num
    cls: ClassName
    p_unknown: Num
    p_drone: Num
    p_bird: Num
    p_aircraft: Num
    kind: KindName
    affil: Affil
    prio: Num
    site: str
    tts: Num
    ident: str
    alert: int
    t: Num
    p: dict[ClassName, float] = Field(description="class probabilities by class name")
    class_reasons: str
    threat_reasons: str
    sensor_kinds: int = Field(description="bit (1 << SensorKind) per kind that updated it")
    cooperative: Cooperative | None = Field(default=None, description="live feeds only")


class TrackHistory(FrameColumns):
    """``GET /api/tracks/{track_id}/history``: the track's recorded rows as columns."""

    track_id: int
    t: list[Num] = Field(description="data time of each row")


# ---- alerts ------------------------------------------------------------------------------
class AlertAction(Out):
    action: str
    operator: str
    t: float
    note: str


class Alert(Out):
    """One alert; ``GET /api/alerts`` lists them highest priority first."""

    alert_id: int
    track_id: int
    state: AlertStateName
    site_id: str
    sites: list[str]
    priority: float
    peak_priority: float
    p_drone: float
    time_to_site_s: Num = Field(description="0 inside; null when no longer threatening")
    t_raised: float
    t_updated: float
    t_cleared: Num
    reasons: str
    actions: list[AlertAction]


class AlertEvent(Out):
    """Something that happened to an alert (``state``: the alert's state after it), or a site
    declared clear (no alert, no track)."""

    kind: EventKindName
    t: float
    alert_id: int | None
    track_id: int | None
    site_id: str
    priority: Num
    state: AlertStateName | None
    message: str


class ActionBody(In):
    """``POST /api/alerts/{alert_id}/{action}``."""

    operator: str | None = Field(
        default=None,
        max_length=100,
        description="ignored: the signed-in user acts (kept so older clients are not refused)",
    )
    note: str = Field(default="", max_length=1000)


# ---- world -------------------------------------------------------------------------------
class Point(Out):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=3, description="[lon, lat]")


class SiteProperties(Out):
    site_id: str
    name: str
    kind: str
    radius_m: float
    geofence: bool


class SiteFeature(Out):
    type: Literal["Feature"]
    geometry: Point
    properties: SiteProperties


class SiteCollection(Out):
    """``GET /api/sites``: protected zones."""

    type: Literal["FeatureCollection"]
    features: list[SiteFeature]


class SensorProperties(Out):
    """A simulated run's sensor has the first four; a live one (feeds) all of them."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)
    sensor_id: str
    kind: str
    max_range_m: Num
    alt_m: Num
    index: int | None = None
    feed: str | None = None
    key: str | None = None
    name: str | None = None
    nation: str | None = None
    vendor: str | None = None
    lat_deg: Num = None
    lon_deg: Num = None
    state: Literal["ok", "stale", "offline", "fault", "waiting"] | None = None
    last_report_s: Num = None
    last_heard_s: Num = None
    silent_s: Num = None
    reports: int | None = None
    rate_hz: float | None = None
    rejects: int | None = None
    status: str | None = None


class SensorFeature(Out):
    type: Literal["Feature"]
    geometry: Point | None = Field(description="null while a live sensor's place is unknown")
    properties: SensorProperties


class SensorCollection(Out):
    """``GET /api/sensors``."""

    type: Literal["FeatureCollection"]
    features: list[SensorFeature]


class FeedStatus(Out):
    """``GET /api/feeds``: one live feed."""

    name: str
    url: str
    format: str
    connection: str
    messages: int
    reports: int
    bytes: int
    rejects: dict[str, int] = Field(description="rejected messages by reason")
    last_reject: str
    silent_s: Num
    state: Literal["down", "waiting", "stale", "ok"]
    reconnects: int


class Polygonal(Out):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class CountryProperties(Out):
    a3: str
    name: str
    eu: bool
    nato: bool


class CountryFeature(Out):
    type: Literal["Feature"]
    geometry: Polygonal
    properties: CountryProperties


class Basemap(Out):
    """``GET /api/basemap``: countries as simplified polygons."""

    type: Literal["FeatureCollection"]
    features: list[CountryFeature]


# ---- history -----------------------------------------------------------------------------
class RunInfo(Out):
    """``GET /api/runs``: one recorded run."""

    run_id: str
    source: str
    t_start: Num
    t_end: Num = Field(description="null while the run is live")
    wall_started: float
    settings: dict[str, Any]


class RunDetail(Out):
    """``GET /api/runs/{run_id}``."""

    run_id: str
    source: str
    t_start: Num
    t_end: Num
    wall_started: float
    frames: int
    t_first_frame: Num
    t_last_frame: Num


# ---- WebSocket ---------------------------------------------------------------------------
class WsHello(Out):
    """First message on connect; then the latest frame and a ``WsAlerts``."""

    type: Literal["hello"]
    run_id: str | None
    mode: Literal["live", "replay", "idle"]
    t_start: Num
    t: Num
    sites_url: str
    sensors_url: str


class WsFrame(Frame):
    """A frame as JSON (``/ws``; a binary message holding UTF-8 JSON)."""


class WsEvents(Out):
    """Alert events, never dropped."""

    type: Literal["events"]
    events: list[AlertEvent]


class WsAlerts(Out):
    """Every active alert, after any change (and on connect)."""

    type: Literal["alerts"]
    alerts: list[Alert]


class WsPong(Out):
    type: Literal["pong"]


class WsPing(In):
    """Client → server; answered with ``WsPong``."""

    type: Literal["ping"]


WsServerMessage = Annotated[
    WsHello | WsFrame | WsEvents | WsAlerts | WsPong, Field(discriminator="type")
]


class ColumnSpec(Out):
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)
    name: str
    dtype: Literal["f8", "f4", "u1", "u2", "u4"]
    offset: int = Field(ge=0, multiple_of=8, description="bytes from the start of the body")
    values: list[str] | None = Field(
        default=None, description="text columns: the distinct strings the codes index"
    )


class ColumnFrameHeader(Out):
    """The JSON header of a binary column frame (``/ws?format=columns``, magic ``DWC1``)."""

    type: Literal["frame"]
    run_id: str
    t: Num
    seq: int
    wall_ingest: Num
    wall_sent: float
    n: int = Field(ge=0)
    columns: list[ColumnSpec]


WS_MESSAGES: dict[str, type[BaseModel]] = {
    "hello": WsHello,
    "frame": WsFrame,
    "events": WsEvents,
    "alerts": WsAlerts,
    "pong": WsPong,
}  # server → client, by their ``type``
WS_MODELS: tuple[type[BaseModel], ...] = (*WS_MESSAGES.values(), WsPing, ColumnFrameHeader)

WS_DESCRIPTION = f"""WebSocket upgrade (`ws://HOST/ws`, `?format=columns` for binary column
frames). Server → client messages, in `components.schemas`: `WsHello` on connect, then the
latest frame and `WsAlerts`; `WsFrame` every output instant (a binary message holding UTF-8
JSON, or with `format=columns` the binary layout below, header `ColumnFrameHeader`);
`WsEvents` for alert events; `WsAlerts` after any alert change; `WsPong` answering the
client's `WsPing`. All of them: `WsServerMessage`, told apart by `type`.

Binary column frame (`DWC1`):

{columns.__doc__}"""


def ws_schemas() -> dict[str, Any]:
    """JSON schemas of the WebSocket messages (and what they refer to), for
    ``components.schemas``."""
    defs = _component_schemas(list(WS_MODELS))
    defs["WsServerMessage"] = {
        "oneOf": [{"$ref": f"#/components/schemas/{m.__name__}"} for m in WS_MESSAGES.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {k: f"#/components/schemas/{m.__name__}" for k, m in WS_MESSAGES.items()},
        },
        "title": "WsServerMessage",
    }
    return defs


def _error_response(code: int) -> dict[str, Any]:
    model = ValidationErrorDetail if code == 422 else ErrorDetail
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "description": _WHY.get(code, "refused"),
        "content": {"application/json": {"schema": ref}},
    }


def _refusals(spec: dict[str, Any]) -> None:
    """Every refusal as this server writes it: 422 as ``ValidationErrorDetail`` (not FastAPI's
    default), the rest as ``ErrorDetail``; 401 and 403 on every operation that the access
    table (``access.ACCESS``) does not make public, with the bearer scheme."""
    from dronewall.server.access import ACCESS  # the guard's own table

    spec["components"].setdefault("securitySchemes", {})["bearer"] = BEARER
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            responses = op.setdefault("responses", {})
            rule = ACCESS.get((method.upper(), path))
            if rule is None or not rule.public:
                op.setdefault("security", [{"bearer": []}])
                codes = (401,) if rule is not None and rule.signed_in else (401, 403)
                for code in codes:
                    responses.setdefault(str(code), {"description": _WHY[code]})
            for code, response in responses.items():
                if code == "422":
                    responses[code] = _error_response(422)
                elif code[0] in "45" and "content" not in response:
                    response.update(content=_error_response(int(code))["content"])
    schemas = spec["components"]["schemas"]
    for model in (ErrorDetail, ValidationErrorDetail):
        if model.__name__ not in schemas:
            schemas.update(_component_schemas([model]))
    uses = orjson.dumps(spec["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'/{unused}"'.encode() not in uses:
            schemas.pop(unused, None)


BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "POST /api/auth/login gives the token; WebSockets take ?access_token=",
}


def _component_schemas(models: list[type[BaseModel]]) -> dict[str, Any]:
    _, top = models_json_schema(
        [(m, "serialization") for m in models], ref_template="#/components/schemas/{model}"
    )
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


WS_ROUTES = {
    "/ws": {
        "summary": "The live picture pushed over a WebSocket",
        "description": WS_DESCRIPTION,
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["columns"]},
                "description": "columns: frames as binary DWC1 column frames",
            },
            {
                "name": "access_token",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "the bearer token (browsers cannot set headers on a WebSocket);"
                " without a valid one the server closes with 4401, without the role 4403",
            },
        ],
        "receives": {"$ref": "#/components/schemas/WsServerMessage"},
        "sends": {"$ref": "#/components/schemas/WsPing"},
    }
}  # OpenAPI has no WebSockets: they are listed under "x-websockets", their messages in
# components.schemas


def document(app: FastAPI) -> None:
    """Make the app's OpenAPI description carry the WebSocket routes (``x-websockets``) and
    messages, and every refusal as the server writes it."""
    plain: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = plain()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in ws_schemas().items():
            schemas.setdefault(name, schema)
        _refusals(spec)
        spec["x-websockets"] = WS_ROUTES
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def dump(app: FastAPI) -> bytes:
    """The OpenAPI description as stable, indented JSON."""
    return orjson.dumps(app.openapi(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
