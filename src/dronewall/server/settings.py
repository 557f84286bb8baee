"""What ``create_app`` is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dronewall.runtime.feedspec import FeedSpec
from dronewall.runtime.pipeline import PipelineSettings
from dronewall.runtime.retention import INTERVAL_S
from dronewall.store import RetentionPolicy

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """``scenario``: simulate it live through the pipeline; ``replay_run``: play a recorded
    run's frames from the store into the map at ``replay_speed`` or, with ``reprocess``, feed
    its reports back through a fresh pipeline (its raw feed messages through the decoders,
    when it recorded live feeds); ``feeds``: live sensor feeds through the pipeline; none of
    them: serve the recorded runs only. ``retention``: while a pipeline records (not for a
    replay), thin and delete what the store no longer keeps, at start and every
    ``retention_interval_s`` (None: keep everything)."""

    store_url: str = "sqlite:///out/dronewall.db"
    scenario: str | None = None
    replay_run: str | None = None
    duration_s: float | None = None
    seed: int | None = None
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    replay_speed: float = 10.0
    reprocess: bool = False  # replay_run's reports back through a fresh pipeline (a new run)
    feeds: tuple[FeedSpec, ...] = ()
    static_dir: Path = STATIC_DIR
    retention: RetentionPolicy | None = None
    retention_interval_s: float = INTERVAL_S
