"""``dronewall score``: GOSPA, SIAP and track breaks of a tracker's output against truth.

Only cheap imports at module level (``cli.py`` explains why); the scoring and the Parquet
readers are imported inside the command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dronewall.app.common import check_positive, errors, existing

console = Console()


def score(
    tracks: Annotated[Path, typer.Argument(help="tracks.parquet or the directory holding it")],
    truth: Annotated[Path, typer.Option("--truth", help="truth.parquet or its run directory")],
    cutoff: Annotated[float, typer.Option(help="GOSPA cut-off c (m)")] = 200.0,
    threshold: Annotated[float, typer.Option(help="SIAP association threshold (m)")] = 100.0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write the figures here")
    ] = None,
) -> None:
    """Print GOSPA (α = 2, p = 1) and SIAP of tracks against the truth of a run."""
    check_positive("--cutoff", cutoff)
    check_positive("--threshold", threshold)
    track_path = existing(tracks / "tracks.parquet" if tracks.is_dir() else tracks, "tracks file")
    truth_path = existing(truth / "truth.parquet" if truth.is_dir() else truth, "truth file")
    from rich.table import Table

    from dronewall.records.parquet import read_truth
    from dronewall.records.tracks import read_tracks
    from dronewall.runtime.scoring import score as score_tracks
    from dronewall.runtime.scoring import track_trajectories, truth_trajectories

    with errors():
        result = score_tracks(
            truth_trajectories(read_truth(truth_path)),
            track_trajectories(read_tracks(track_path)),
            cutoff_m=cutoff,
            threshold_m=threshold,
        )
    table = Table("metric", "value", title=f"{track_path} against {truth_path}")
    for name, value in result.as_dict().items():
        table.add_row(name.replace("_", " "), f"{value:,.4g}")
    console.print(table)
    if json_out:
        with errors():
            json_out.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
