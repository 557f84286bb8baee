"""Hierarchical fusion: a dronewall fusion node reporting upward to a parent fusion node
(site → region → nation → continent), as BSI Flex 335 v2.0 provides for with
``NODE_TYPE_FUSION_NODE``, ``Registration.dependent_nodes`` and ``reporting_region``, and the
repeated ``StatusReport.coverage`` ("so that a Fusion Node can report the total coverage from
its child/edge nodes").

``ParentLink`` registers this node with its parent as a child fusion node, naming the nodes
registered beneath it (and registers again when they change); sends a status report at once
and every ``status_interval_s`` (the interval its Registration declares), whose coverage is
the union (as a list of polygons) of its children's; sends its tracks as DetectionReports
(``tracks.py``); raises alerts upward; answers every Task with a TaskAck (``answer_task``);
and says goodbye (a GOODBYE status) when it closes.

The connection is kept up by a supervisor task: when the parent goes away it reconnects after
a backoff (``reconnect_min_s`` doubling to ``reconnect_max_s``, jittered) and registers again.
While the parent is unreachable, tracks and alerts are dropped and counted, never queued: the
parent wants the current picture, not a backlog. Nothing here waits without a bound: a parent
that reads nothing for ``send_timeout_s`` is dropped (and reconnected to); ``close()`` gives
it ``close_timeout_s`` to close its end after our goodbye, then aborts the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from dronewall.core.clock import Clock
from dronewall.sensors.sapient.binding import Alert, AlertAck, Content, Task, TaskAck
from dronewall.sensors.sapient.client import RegistrationRefusedError, SapientLink
from dronewall.sensors.sapient.ids import UlidFactory, node_uuid
from dronewall.sensors.sapient.nodes import fusion_registration
from dronewall.sensors.sapient.registry import SensorRegistry
from dronewall.sensors.sapient.rejects import SapientError
from dronewall.sensors.sapient.status import Health, Polygon, fusion_status, polygon_area
from dronewall.sensors.sapient.tasks import TaskStatus, command_of, task_ack
from dronewall.sensors.sapient.tracks import TrackReporter, UpwardTracks

log = logging.getLogger(__name__)
ANSWERED_REQUESTS = frozenset({"status", "registration"})  # what a fusion child carries out


@dataclass(frozen=True, slots=True)
class ParentConfig:
    """Where the parent fusion node listens and who this node is to it."""

    host: str
    port: int
    name: str = "dronewall fusion node"
    node_id: str = ""  # this node's UUID as the parent's child; default node_uuid(name)
    status_interval_s: float = 5.0
    reporting_region: tuple[Polygon, ...] = field(default_factory=tuple)
    seed: int = 0
    reconnect_min_s: float = 0.5  # first retry after a loss: a restarting parent is back soon
    reconnect_max_s: float = 30.0  # the backoff's cap: a parent back up is found within this
    ack_timeout_s: float = 10.0  # for a RegistrationAck or an AlertAck (and to connect)
    send_timeout_s: float = 10.0  # a parent that reads nothing this long is dropped
    close_timeout_s: float = 2.0  # for the parent to close its end after our goodbye
    tls: ssl.SSLContext | None = None  # TLS to the parent, our client certificate in it

    @property
    def uuid(self) -> str:
        return self.node_id or node_uuid(self.name)


def answer_task(task: Task, name: str) -> TaskAck:
    """A fusion child's answer: it carries out the "Status" and "Registration" requests (a
    status report, a new Registration) and refuses, with the reason, every sensor task."""
    command = command_of(task)
    if command == "request" and task.command.request.strip().lower() in ANSWERED_REQUESTS:
        return task_ack(task.task_id, TaskStatus.ACCEPTED)
    what = f"the {command} command" if command else "a task without a command"
    reason = f"{what} is not supported by {name}, a fusion node: task its sensors directly"
    return task_ack(task.task_id, TaskStatus.REJECTED, (reason,))


class Backoff:
    """Pauses between attempts to reach the parent: ``low`` doubling to ``high``, each drawn
    in [½, 1] of that (jitter, seeded by ``seed``: the children of a parent that restarts do
    not all call back at the same instant)."""

    def __init__(self, low: float, high: float, seed: str):
        self.low, self.high = low, high
        self._random = random.Random(seed)
        self._delay = low

    def reset(self) -> None:
        self._delay = self.low

    def next(self) -> float:
        pause = self._delay * (0.5 + 0.5 * self._random.random())
        self._delay = min(self._delay * 2.0, self.high)
        return pause


class ParentLink:
    """This fusion node's connection to its parent, kept up until ``close()``."""

    def __init__(self, config: ParentConfig, children: SensorRegistry, clock: Clock):
        self.config = config
        self.children = children
        self.clock = clock
        self._ulids = UlidFactory(f"{config.seed}/{config.uuid}")
        self._backoff = Backoff(config.reconnect_min_s, config.reconnect_max_s, config.uuid)
        self.reporter = TrackReporter(config.uuid, self._ulids)
        self.link: SapientLink | None = None  # the current connection
        self.registrations = 0  # accepted registrations, re-registrations included
        self.dropped_tracks = 0  # tracks not sent: no parent
        self.dropped_alerts = 0
        self.invalid_tracks = 0  # tracks that broke the ICD (non-finite state…): never sent
        self._registered = asyncio.Event()
        self._stop = asyncio.Event()
        self._registering = asyncio.Lock()
        self._dependents: tuple[str, ...] = ()
        self._supervisor: asyncio.Task[None] | None = None
        self._chores: set[asyncio.Task[Any]] = set()

    @property
    def connected(self) -> bool:
        """Whether this node is registered with its parent on an open connection."""
        return self._registered.is_set() and self.link is not None and not self.link.closed

    def start(self) -> None:
        """Start keeping the connection up (in the background; returns at once)."""
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._supervise())

    async def wait_registered(self) -> None:
        await self._registered.wait()

    async def connect(self) -> None:
        """``start()``, then wait until the parent has accepted the registration."""
        self.start()
        await self.wait_registered()

    async def send_status(self, health: Health = Health.OK) -> bool:
        """A StatusReport whose coverage is every connected child's coverage; ``False`` if
        there is no parent to send it to."""
        link = self.link
        if not self.connected or link is None:
            return False
        return await self._send_status(link, health)

    async def _send_status(
        self, link: SapientLink, health: Health, stall_s: float | None = None
    ) -> bool:
        now = self.clock.now()
        report = fusion_status(self._ulids.new(now), self.children.coverage(), health)
        link.write(Content.STATUS_REPORT, report, now)
        return await self._drain(link, stall_s)

    async def send_tracks(self, tracks: UpwardTracks) -> int:
        """Every track as a DetectionReport timed at its state; returns how many were sent
        (0 while there is no parent: those are counted in ``dropped_tracks``; a track the ICD
        cannot carry, e.g. with a NaN position, is skipped and counted in ``invalid_tracks``)."""
        link = self.link
        if not self.connected or link is None:
            self.dropped_tracks += len(tracks)
            return 0
        written = 0
        for time_s, report in self.reporter.reports(tracks):
            try:
                link.write(Content.DETECTION_REPORT, report, time_s)
                written += 1
            except SapientError as bad:  # a track the ICD cannot carry (NaN, lat > 90°…)
                self.invalid_tracks += 1
                log.debug("SAPIENT parent: track not sent: %s", bad)
        if await self._drain(link):
            return written
        self.dropped_tracks += written  # the parent went away or stalled meanwhile
        return 0

    async def raise_alert(self, alert: Alert) -> AlertAck | None:
        """Raise an alert; the parent's AlertAck, or ``None`` if there is no parent or it does
        not answer within ``ack_timeout_s`` (counted in ``dropped_alerts``)."""
        link = self.link
        if self.connected and link is not None:
            with contextlib.suppress(ConnectionError, OSError, TimeoutError):
                return await link.raise_alert(alert, self.config.ack_timeout_s)
        self.dropped_alerts += 1
        return None

    async def close(self) -> None:
        """Stop reconnecting, say goodbye (a GOODBYE status), close the connection."""
        registered = self.connected
        self._stop.set()
        for task in (self._supervisor, *self._chores):
            if task is not None:
                task.cancel()
        running = [t for t in (self._supervisor, *self._chores) if t is not None]
        if running:
            await asyncio.wait(running, timeout=self.config.close_timeout_s)
        link = self.link
        if link is None:
            return
        self._registered.clear()
        if registered and not link.closed:
            await self._send_status(link, Health.GOODBYE, self.config.close_timeout_s)
        await link.close(self.config.close_timeout_s)

    # --- the supervisor --------------------------------------------------------------------

    async def _supervise(self) -> None:
        config = self.config
        while not self._stop.is_set():
            registered = self.registrations
            try:
                await self._session()
            except RegistrationRefusedError as refused:
                log.error("SAPIENT parent %s:%d: %s", config.host, config.port, refused)
            except (ConnectionError, OSError, TimeoutError) as exc:
                log.warning("SAPIENT parent %s:%d unreachable: %r", config.host, config.port, exc)
            finally:
                self._registered.clear()
            if self.registrations > registered:  # it was up: a fresh loss, try again soon
                self._backoff.reset()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._backoff.next()):
                    await self._stop.wait()

    async def _session(self) -> None:
        """One connection: connect, register, report status until the connection ends."""
        config = self.config
        link = SapientLink(config.uuid, self.clock, on_task=self._on_task)
        async with asyncio.timeout(config.ack_timeout_s):
            await link.connect(config.host, config.port, tls=config.tls)
        self.link = link
        try:
            await self._register(link)
            self._registered.set()
            await self._report(link)
        finally:
            if not self._stop.is_set():
                link.abort()

    async def _register(self, link: SapientLink) -> None:
        """(Re-)register, naming the nodes currently beneath this one."""
        dependents = tuple(entry.node_id for entry in self.children.entries())
        registration = fusion_registration(
            self.config.name,
            self.config.status_interval_s,
            list(dependents),
            [polygon_area(p) for p in self.config.reporting_region],
        )
        async with self._registering:  # one RegistrationAck awaited at a time
            await link.register(registration, self.config.ack_timeout_s)
        self._dependents = dependents
        self.registrations += 1

    async def register(self) -> None:
        """Register again now (the supervisor does so itself when the children change)."""
        if self.link is not None and not self.link.closed:
            await self._register(self.link)

    async def _report(self, link: SapientLink) -> None:
        """A status report now and every ``status_interval_s``, registering again first when
        the nodes beneath have changed, until the connection ends."""
        ended = asyncio.ensure_future(link.wait_closed())
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            while not link.closed and not self._stop.is_set():
                if tuple(e.node_id for e in self.children.entries()) != self._dependents:
                    await self._register(link)
                await self.send_status()
                await asyncio.wait(
                    [ended, stopping],
                    timeout=self.config.status_interval_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        finally:
            ended.cancel()
            stopping.cancel()

    async def _drain(self, link: SapientLink, stall_s: float | None = None) -> bool:
        """Wait for the parent to take what was written; drop a parent that reads nothing for
        ``stall_s`` (default ``send_timeout_s``): the supervisor then connects again."""
        stall_s = self.config.send_timeout_s if stall_s is None else stall_s
        try:
            if await link.flush(stall_s):
                return True
        except (ConnectionError, OSError):
            pass
        else:
            log.warning("SAPIENT parent read nothing for %g s: dropped", stall_s)
        link.abort()
        return False

    def _on_task(self, task: Task) -> TaskAck:
        ack = answer_task(task, self.config.name)
        if TaskStatus(ack.task_status) is TaskStatus.ACCEPTED:  # done after the TaskAck is sent
            request = task.command.request.strip().lower()
            self._chore(self.send_status() if request == "status" else self.register())
        return ack

    def _chore(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(_quietly(work))
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)


async def _quietly(work: Coroutine[Any, Any, Any]) -> None:
    """Run a task's follow-up; a lost parent is the supervisor's business, not an error here."""
    try:
        await work
    except (ConnectionError, OSError, TimeoutError, RegistrationRefusedError) as exc:
        log.warning("SAPIENT parent: a task's follow-up failed: %r", exc)
