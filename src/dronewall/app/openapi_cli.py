"""``dronewall openapi``: the server's OpenAPI description (every route's and WebSocket
message's schema, ``server/schemas.py``) as JSON — what ``npm run gen:api`` in ``web/`` turns
into the map's TypeScript types.

Only cheap imports at module level (``cli.py`` explains why)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dronewall.app.common import errors


def openapi(
    out: Annotated[
        Path | None, typer.Argument(help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Write the API's OpenAPI description (JSON, keys sorted)."""
    with errors():
        from dronewall.server.app import create_app
        from dronewall.server.schemas import dump

        text = dump(create_app())
        if out is None:
            sys.stdout.buffer.write(text)
        else:
            out.write_bytes(text)
