"""The live server: ``create_app(settings)`` builds the FastAPI app (``docs/live-api.md``)."""

from dronewall.server.app import create_app
from dronewall.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
