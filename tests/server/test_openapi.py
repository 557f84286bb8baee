"""The API contract as published: every route and WebSocket declares its payloads in
``/openapi.json`` (``server/schemas.py``), and the schemas follow what the encoders write."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount, Route

from dronewall.assess.alert_types import AlertState, EventKind
from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.server import ServerSettings, create_app, schemas
from dronewall.server.access import ACCESS
from dronewall.server.encode import frame_arrays
from dronewall.store import PictureFrame

# Starlette routes FastAPI adds itself (the description and its viewers), and the map.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(ServerSettings())


@pytest.fixture(scope="module")
def spec(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _has_schema(response: dict[str, Any]) -> bool:
    return any("schema" in media for media in response.get("content", {}).values())


def _routes(routes: list[Any]) -> list[Any]:
    """Every route, those of included routers too (FastAPI keeps a router included with
    ``include_router`` as one entry holding its own routes)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out.extend(_routes(inner.routes) if inner is not None else [route])
    return out


def test_every_route_declares_its_response(app: FastAPI, spec: dict[str, Any]) -> None:
    """A new route without a declared answer fails here."""
    seen = 0
    for route in _routes(app.routes):
        if isinstance(route, APIRoute):
            if not route.include_in_schema:
                assert route.path == "/", f"{route.path} is left out of /openapi.json"
                continue
            for method in route.methods:
                op = spec["paths"][route.path][method.lower()]
                status = str(route.status_code or 200)
                ok = op["responses"].get(status)
                assert ok is not None and _has_schema(ok), f"{method} {route.path}: no schema"
                declared = route.response_model is not None or route.responses.get(200)
                assert declared, f"{method} {route.path}: declares no response_model"
                if route.body_field is not None:
                    body = op["requestBody"]["content"]["application/json"]["schema"]
                    assert "$ref" in body, f"{method} {route.path}: body without a model"
                seen += 1
        elif isinstance(route, APIWebSocketRoute):
            documented = spec["x-websockets"][route.path]
            assert documented["receives"] == {"$ref": "#/components/schemas/WsServerMessage"}
            seen += 1
        elif isinstance(route, Route):
            assert route.path in FRAMEWORK_ROUTES, f"undeclared route {route.path}"
        else:
            assert isinstance(route, Mount) and route.path == "", f"undeclared {route!r}"
    assert seen >= 18


def test_error_answers_are_declared(spec: dict[str, Any]) -> None:
    """Every refusal is ``{"detail": …}``; a route with parameters lists its 422; none uses
    FastAPI's default 422 shape (this server writes its own)."""
    refs = {
        "ErrorDetail": "#/components/schemas/ErrorDetail",
        "ValidationErrorDetail": "#/components/schemas/ValidationErrorDetail",
    }
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")) and not (path == "/api/health" and code == "503"):
                    schema = response["content"]["application/json"]["schema"]
                    want = refs["ValidationErrorDetail" if code == "422" else "ErrorDetail"]
                    assert schema == {"$ref": want}, (method, path, code)
            if op.get("parameters") or op.get("requestBody"):
                assert "422" in op["responses"], (method, path)
            rule = ACCESS.get((method.upper(), path))
            if rule is None or not rule.public:  # a token is needed: the answers without one
                assert op["security"] == [{"bearer": []}], (method, path)
                need = {"401"} if rule is not None and rule.signed_in else {"401", "403"}
                assert need <= set(op["responses"]), (method, path)
            else:
                assert "security" not in op, (method, path)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["detail"]


def test_websocket_messages_are_components(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    for name in ("WsHello", "WsFrame", "WsEvents", "WsAlerts", "WsPong", "WsPing",
                 "WsServerMessage", "ColumnFrameHeader", "ColumnSpec"):  # fmt: skip
        assert name in components, name
    union = components["WsServerMessage"]
    assert union["discriminator"]["mapping"].keys() == schemas.WS_MESSAGES.keys()
    for kind, model in schemas.WS_MESSAGES.items():  # each message's "type" is its own
        assert components[model.__name__]["properties"]["type"]["const"] == kind
    ws = spec["x-websockets"]["/ws"]
    assert "DWC1" in ws["description"] and "ColumnFrameHeader" in ws["description"]
    # Every reference resolves.
    text = json.dumps(spec)
    for name in {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}:
        assert name in components, name


def test_response_fields_are_required(spec: dict[str, Any]) -> None:
    """The server always writes these fields, so generated types must not make them
    optional."""
    components = spec["components"]["schemas"]
    assert set(components["Frame"]["required"]) == set(components["Frame"]["properties"])
    assert set(components["Health"]["required"]) >= {"status", "reason", "parent", "clients"}
    body = spec["paths"]["/api/alerts/{alert_id}/{action}"]["post"]["requestBody"]
    assert body["required"] is True  # a body, though each of its fields may be left out


def test_frame_schema_follows_the_encoder() -> None:
    """The frame's columns are the encoder's (one list for JSON and binary columns)."""
    columns = set(schemas.FrameColumns.model_fields) - {"n"}
    assert columns == set(frame_arrays(PictureFrame.empty(0.0)))


def test_enumerations_follow_the_code() -> None:
    assert typing.get_args(schemas.ClassName) == tuple(c.name for c in ObjectClass)
    assert typing.get_args(schemas.KindName) == ("", *(k.name for k in ObjectKind))
    assert typing.get_args(schemas.AlertStateName) == tuple(s.value for s in AlertState)
    assert typing.get_args(schemas.EventKindName) == tuple(k.value for k in EventKind)


def test_the_cli_writes_the_description(tmp_path: Any, spec: dict[str, Any]) -> None:
    from dronewall.app.cli import run

    out = tmp_path / "openapi.json"
    assert run(["openapi", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["paths"].keys() == spec["paths"].keys()
    assert written == json.loads(schemas.dump(create_app(ServerSettings())))


def test_the_cli_says_why_it_cannot_write(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from dronewall.app.cli import run

    assert run(["openapi", str(tmp_path / "no-such-dir" / "openapi.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "No such file or directory" in err and "\n" not in err
