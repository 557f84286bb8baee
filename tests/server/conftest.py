from __future__ import annotations

from collections.abc import Iterator

import pytest

from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.store.sqlite import SQLiteStore


@pytest.fixture(scope="package")
def finished_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Pipeline, SQLiteStore]]:
    """Ten minutes of the Copenhagen scenario run through the pipeline into SQLite."""
    store = SQLiteStore(tmp_path_factory.mktemp("server") / "run.db")
    pipeline = simulation_pipeline(
        "copenhagen-2025-09", store, PipelineSettings(speed=0.0), duration_s=900.0
    )
    pipeline.start()
    assert pipeline.join(300.0)
    yield pipeline, store
    store.close()
