"""``dronewall assess``: classify tracks, assess their threat to protected zones and raise
alerts; write classes, threats and alert events as Parquet.

Only cheap imports at module level (``cli.py`` explains why); the classifier, the world and
Arrow are imported inside the functions that use them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from dronewall.app.common import errors, existing, output_dir, text_file

if TYPE_CHECKING:
    from dronewall.assess import AlertEvent
    from dronewall.core.tracks import TrackBatch
    from dronewall.runtime.picture import Picture

console = Console()


def assess(
    tracks: Annotated[Path, typer.Argument(help="tracks.parquet or the directory holding it")],
    out: Annotated[Path, typer.Option("--out", help="directory to write to")],
    sites: Annotated[Path | None, typer.Option(help="protected sites file (TOML)")] = None,
    geofences: Annotated[Path | None, typer.Option(help="geofences file (TOML)")] = None,
    friendly: Annotated[Path | None, typer.Option(help="registered friendly drones (TOML)")] = None,
) -> None:
    """Write classes.parquet, threats.parquet, alert_events.parquet and alerts.json."""
    path = existing(tracks / "tracks.parquet" if tracks.is_dir() else tracks, "tracks file")
    for option, given in (("--sites", sites), ("--geofences", geofences), ("--friendly", friendly)):
        if given is not None:
            text_file(given, f"{option} file")
    output_dir(out)
    from dronewall.assess import load_geofences, protected_zones
    from dronewall.identify import Classifier, IdentifyConfig, load_friendly
    from dronewall.records.tracks import read_tracks, track_batches
    from dronewall.runtime.picture import Picture
    from dronewall.world import load_world

    with errors():
        fences = load_geofences(geofences) if geofences else ()
        serials = load_friendly(friendly) if friendly else frozenset()
        picture = Picture(
            protected_zones(load_world(sites), fences),
            Classifier(IdentifyConfig(friendly_serials=serials)),
        )
        events = write_picture(picture, track_batches(read_tracks(path)), out)
    raised = [e for e in events if e.kind.value == "raised"]
    console.print(f"{len(raised)} alerts raised, {len(events)} alert events → {out}")
    for e in raised[:15]:
        console.print(f"  track {e.track_id}: {e.message}")


def write_picture(picture: Picture, snapshots: Iterable[TrackBatch], out: Path) -> list[AlertEvent]:
    """Run the picture over track snapshots; write its tables to ``out``."""
    import pyarrow as pa

    from dronewall.records.parquet import write_table
    from dronewall.runtime.picture import class_table, event_table, threat_table

    events: list[AlertEvent] = []
    classes: list[pa.Table] = []
    threats: list[pa.Table] = []
    for step in picture.run(snapshots):
        classes.append(class_table(step.classes))
        threats.append(threat_table(step.threats))
        events += step.events
    for name, tables in (("classes", classes), ("threats", threats)):
        if tables:
            write_table(out / f"{name}.parquet", pa.concat_tables(tables))
    write_table(out / "alert_events.parquet", event_table(events))
    alerts = [
        {
            "alert_id": a.alert_id,
            "track_id": a.track_id,
            "state": a.state.value,
            "site_id": a.site_id,
            "peak_priority": a.peak_priority,
            "t_raised": a.t_raised,
            "reasons": a.reasons,
        }
        for a in picture.alerts.alerts(include_cleared=True)
    ]
    (out / "alerts.json").write_text(json.dumps(alerts, indent=2) + "\n", encoding="utf-8")
    return events
