"""Releasability at the server (issue 15): REST picture, track, history, replay frame and
alert routes and the WebSocket answer each signed-in user with what their nation and
clearance allow — on a real pipeline run of a two-nation laydown (the Copenhagen scenario
with its sensors left at the safe default: each owned by the country it stands in, Denmark or
Sweden, releasable to nobody else).

Each answer is checked against the labels of the tracks the pipeline recorded, read back
with ``core.release.cleared_all`` (``LabelTable.labels_of`` of each row's mask)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from dronewall.core.release import Recipient, cleared_all
from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.runtime.release import with_memberships
from dronewall.sim.scenario import scenario_text
from dronewall.store.sqlite import SQLiteStore
from tests.server.authhelp import bearer, make_auth_app

SCENARIO = "copenhagen-2025-09"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pipeline, SQLiteStore]]:
    where = tmp_path_factory.mktemp("release-server")
    _, text = scenario_text(SCENARIO)
    text = text.replace('releasable_to = ["NATO", "EU"]', "")  # back to the safe default
    path = where / "two-nations.toml"
    path.write_text(text, encoding="utf-8")
    store = SQLiteStore(where / "run.db")
    pipeline = simulation_pipeline(str(path), store, PipelineSettings(speed=0.0), duration_s=600)
    pipeline.start()
    assert pipeline.join(300.0)
    yield pipeline, store
    store.close()


@pytest.fixture(scope="module")
def app(run: tuple[Pipeline, SQLiteStore], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    pipeline, store = run
    return make_auth_app(tmp_path_factory.mktemp("auth"), store=store, feed=pipeline)


def _cleared(pipeline: Pipeline, recipient: Recipient, masks: np.ndarray) -> np.ndarray:
    table = pipeline.sensors.label_table
    member = with_memberships(recipient)
    return np.array([cleared_all(member, table.labels_of(int(m))) for m in masks], bool)


USERS = [("DNK", "SECRET"), ("SWE", "SECRET"), ("DEU", "TOP SECRET")]


def test_the_laydown_has_two_owners_and_tracks_of_each(run: tuple[Pipeline, SQLiteStore]) -> None:
    pipeline, _ = run
    owners = {label.owner for label in pipeline.sensors.label_table.labels}
    assert owners == {"DNK", "SWE"}
    latest = pipeline.latest
    assert len(latest) > 5
    dnk = _cleared(pipeline, Recipient.make("DNK", "SECRET"), latest.label_mask)
    swe = _cleared(pipeline, Recipient.make("SWE", "SECRET"), latest.label_mask)
    assert dnk.any() and (~dnk).any()  # some tracks Denmark may see, some it may not
    assert not (dnk & swe).any()  # nothing is releasable to both


@pytest.mark.parametrize(("nation", "clearance"), USERS)
def test_rest_picture_and_track_routes(app, run, nation: str, clearance: str) -> None:  # type: ignore[no-untyped-def]
    pipeline, _ = run
    recipient = Recipient.make(nation, clearance)
    latest = pipeline.latest
    ok = _cleared(pipeline, recipient, latest.label_mask)
    with TestClient(app, headers=bearer(app, "viewer", nation, clearance)) as c:
        got = c.get("/api/tracks").json()
        assert sorted(got["id"]) == sorted(latest.track_id[ok].tolist())
        withheld = latest.track_id[~ok][:3].tolist()
        shown = latest.track_id[ok][:3].tolist()
        for tid in withheld:
            assert c.get(f"/api/tracks/{tid}").status_code == 404
            assert c.get(f"/api/tracks/{tid}/history").status_code == 404
        for tid in shown:
            assert c.get(f"/api/tracks/{tid}").status_code == 200
            assert c.get(f"/api/tracks/{tid}/history").status_code == 200
        frame = c.get(f"/api/runs/{pipeline.run_id}/frame", params={"t": latest.t}).json()
        assert sorted(frame["id"]) == sorted(latest.track_id[ok].tolist())
        alerts = c.get("/api/alerts", params={"include_cleared": True}).json()
        by_track = dict(zip(latest.track_id.tolist(), ok.tolist(), strict=True))
        for a in alerts:
            assert by_track.get(a["track_id"], False)
        events = c.get(f"/api/runs/{pipeline.run_id}/events").json()
        for e in events:
            if e["track_id"] is not None and e["track_id"] in by_track:
                assert by_track[e["track_id"]]


def test_no_sign_in_is_the_whole_picture(run: tuple[Pipeline, SQLiteStore]) -> None:
    """``serve --auth none`` (loopback): the node's own operator sees everything."""
    from dronewall.server import ServerSettings, create_app

    pipeline, store = run
    with TestClient(create_app(ServerSettings(), store=store, feed=pipeline)) as c:
        assert sorted(c.get("/api/tracks").json()["id"]) == sorted(pipeline.latest.track_id)


@pytest.mark.parametrize(("nation", "clearance"), USERS[:2])
def test_websocket_frames_carry_only_released_tracks(app, run, nation: str, clearance: str) -> None:  # type: ignore[no-untyped-def]
    pipeline, _ = run
    latest = pipeline.latest
    ok = _cleared(pipeline, Recipient.make(nation, clearance), latest.label_mask)
    with TestClient(app) as c:
        token = bearer(app, "viewer", nation, clearance)["Authorization"].split()[1]
        with c.websocket_connect(f"/ws?access_token={token}") as ws:
            seen: set[int] | None = None
            for _ in range(5):
                message = ws.receive()
                data = message.get("bytes") or message.get("text", "").encode()
                body = orjson.loads(data)
                if body.get("type") == "frame":
                    seen = set(body["id"])
                    break
            assert seen == set(latest.track_id[ok].tolist())


def test_recorded_frames_keep_their_labels(run: tuple[Pipeline, SQLiteStore]) -> None:
    pipeline, store = run
    frame = store.frame_at(pipeline.run_id, pipeline.latest.t)
    assert frame is not None
    assert np.array_equal(np.sort(frame.label_mask), np.sort(pipeline.latest.label_mask))
    assert (frame.label_mask > 0).all()


def test_sensors_are_listed_to_whom_their_labels_allow(app, run) -> None:  # type: ignore[no-untyped-def]
    pipeline, _ = run
    owner = {
        sid: label.owner
        for sid, label in zip(pipeline.sensors.sensor_id, pipeline.sensors.labels, strict=True)
    }
    with TestClient(app, headers=bearer(app, "viewer", "DNK", "SECRET")) as c:
        listed = [f["properties"]["sensor_id"] for f in c.get("/api/sensors").json()["features"]]
    assert listed and {owner[s] for s in listed} == {"DNK"}
    assert len(listed) == sum(1 for o in owner.values() if o == "DNK")


def test_a_replay_streams_each_client_its_own_cut(
    run: tuple[Pipeline, SQLiteStore], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two users of different nations on one replay at once: every frame each receives holds
    only tracks its labels allow (judged from the recorded frame at that time)."""
    from dronewall.server import ServerSettings

    pipeline, store = run
    settings = ServerSettings(replay_run=pipeline.run_id, replay_speed=100.0)
    app = make_auth_app(tmp_path_factory.mktemp("auth-replay"), settings, store=store)
    users = {nation: Recipient.make(nation, "SECRET") for nation in ("DNK", "SWE")}
    seen: dict[str, list[tuple[float, list[int]]]] = {n: [] for n in users}
    with TestClient(app) as c:
        tokens = {n: bearer(app, "viewer", n)["Authorization"].split()[1] for n in users}
        with (
            c.websocket_connect(f"/ws?access_token={tokens['DNK']}") as dk,
            c.websocket_connect(f"/ws?access_token={tokens['SWE']}") as se,
        ):
            for nation, ws in (("DNK", dk), ("SWE", se)):
                while len(seen[nation]) < 60 and not any(ids for _, ids in seen[nation][3:]):
                    message = ws.receive()
                    data = message.get("bytes") or message.get("text", "").encode()
                    body = orjson.loads(data)
                    if body.get("type") == "frame":
                        seen[nation].append((body["t"], body["id"]))
    nonempty = 0  # the first frames of a run may hold no track yet: read until one does
    for nation, frames in seen.items():
        for t, ids in frames:
            recorded = store.frame_at(pipeline.run_id, t)
            assert recorded is not None
            ok = _cleared(pipeline, users[nation], recorded.label_mask)
            assert sorted(ids) == sorted(recorded.track_id[ok].tolist()), (nation, t)
            nonempty += bool(ids)
    assert nonempty > 0
