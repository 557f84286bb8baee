"""The sharing file (``dronewall serve --share FILE``): which allies receive the picture, in
which formats, each cut to what its recipient is cleared for (issue 15).

```toml
[[recipient]]
name = "PL-ADOC"           # shown in logs, health and the audit trail
nation = "POL"             # ISO 3166-1 alpha-3
clearance = "SECRET"       # UNCLASSIFIED … TOP SECRET (core.release.CLASSIFICATIONS)
communities = ["NATO", "EU"]
  [[recipient.output]]
  kind = "cot-udp"          # cot-udp | cot-tcp | tak-udp | tak-tcp | asterix062-udp | sapient-up
  address = "239.2.3.1:6969"
  # kind-specific keys (interval_s, sac, sic, ttl, stale_s, …)
```

Each entry becomes a ``core.release.Recipient``; each output a ``PictureSink``
(``runtime/sinks.py``) made by the factory of its kind (``FACTORIES``: Cursor-on-Target and
TAK from ``cot_out``, ASTERIX CAT062 from ``asterix_out``, SAPIENT upward from ``upward``,
each imported when first used). Loading checks everything and makes the sinks (no socket is
opened before ``start``); a bad key or value is one ``ConfigError`` naming the file, the key
and its line. ``Sharing`` listens to the pipeline: every frame and alert event is cut per
recipient (``runtime/release.py``), once per recipient, and handed to that recipient's sinks.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dronewall.assess import AlertEvent
from dronewall.core.errors import ConfigError, DronewallError
from dronewall.core.release import LabelError, Recipient
from dronewall.core.tomlpos import line_of
from dronewall.core.tracks import SensorGeometry
from dronewall.runtime.release import Release, TrackLabels
from dronewall.runtime.sinks import PictureSink
from dronewall.store import PictureFrame

log = logging.getLogger(__name__)

SinkFactory = Callable[[Recipient, dict[str, Any]], PictureSink]
_RECIPIENT_KEYS = ("name", "nation", "clearance", "communities", "output")


def _cot(recipient: Recipient, table: dict[str, Any]) -> PictureSink:
    from dronewall.runtime.cot_out import make_cot_sink

    return make_cot_sink(recipient, table)


def _cat062(recipient: Recipient, table: dict[str, Any]) -> PictureSink:
    from dronewall.runtime.asterix_out import make_cat062_sink

    return make_cat062_sink(recipient, table)


def _sapient_up(recipient: Recipient, table: dict[str, Any]) -> PictureSink:
    from dronewall.runtime.release_upward import make_upward_sink

    return make_upward_sink(recipient, table)


FACTORIES: dict[str, SinkFactory] = {
    "cot-udp": _cot,
    "cot-tcp": _cot,
    "tak-udp": _cot,
    "tak-tcp": _cot,
    "asterix062-udp": _cat062,
    "sapient-up": _sapient_up,
}


@dataclass(slots=True)
class Share:
    """One recipient and its outputs."""

    recipient: Recipient
    sinks: list[PictureSink]


@dataclass(slots=True)
class SharingPlan:
    """A loaded sharing file: recipients with their sinks made, not started."""

    source: str
    shares: list[Share] = field(default_factory=list)


def load_sharing(path: Path | str, factories: dict[str, SinkFactory] | None = None) -> SharingPlan:
    """Read and check a sharing file; make each output's sink (not started)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the sharing file: {exc.strerror}", source=str(p)) from exc
    return parse_sharing(text, str(p), factories)


def parse_sharing(
    text: str, source: str = "<sharing>", factories: dict[str, SinkFactory] | None = None
) -> SharingPlan:
    """The sharing file's text checked and turned into recipients and sinks."""
    made = FACTORIES if factories is None else factories
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=source) from exc

    def fail(message: str, *path: str | int) -> ConfigError:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        return ConfigError(message, source=source, field=dotted, line=_line(text, path))

    unknown = sorted(set(raw) - {"recipient"})
    if unknown:
        raise fail("unknown key (the file holds [[recipient]] tables)", unknown[0])
    entries = raw.get("recipient", [])
    if not isinstance(entries, list):
        raise fail("must be an array of tables: [[recipient]]", "recipient")
    plan = SharingPlan(source)
    names: set[str] = set()
    for i, entry in enumerate(entries):
        recipient = _recipient(entry, i, fail)
        if recipient.name in names:
            raise fail(f"two recipients are named {recipient.name!r}", "recipient", i, "name")
        names.add(recipient.name)
        outputs = entry.get("output", [])
        if not isinstance(outputs, list) or not outputs:
            raise fail("needs at least one [[recipient.output]]", "recipient", i, "output")
        sinks = [_sink(recipient, out, i, j, made, fail) for j, out in enumerate(outputs)]
        plan.shares.append(Share(recipient, sinks))
    return plan


_HEADER = re.compile(r"^\s*\[\[\s*recipient(\.output)?\s*\]\]")
_KEY = re.compile(r"""^\s*("?)([A-Za-z0-9_\-]+)\1\s*=""")


def _line(text: str, path: tuple[str | int, ...]) -> int | None:
    """The line of ``path`` in the sharing file; ``[[recipient.output]]`` tables are counted
    within their recipient (``tomlpos.line_of`` counts nested arrays of tables file-wide)."""
    if len(path) < 4 or path[2] != "output":
        return line_of(text, path)
    i, j = int(path[1]), int(path[3])
    recipients = outputs = -1
    start: int | None = None
    for n, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header and header.group(1) is None:
            recipients += 1
            outputs = -1
            if start is not None:
                break
        elif header and recipients == i:
            outputs += 1
            if start is not None:
                break
            if outputs == j:
                start = n
                if len(path) == 4:
                    return n
        elif start is not None and (key := _KEY.match(line)) and key.group(2) == path[4]:
            return n
    return start if start is not None else line_of(text, path[:2])


def _recipient(entry: Any, i: int, fail: Callable[..., ConfigError]) -> Recipient:
    if not isinstance(entry, dict):
        raise fail("must be a table", "recipient", i)
    unknown = sorted(set(entry) - set(_RECIPIENT_KEYS))
    if unknown:
        raise fail(f"unknown key (known: {', '.join(_RECIPIENT_KEYS)})", "recipient", i, unknown[0])
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("needs a name (a non-empty string)", "recipient", i, "name")
    for key, kind in (("nation", str), ("clearance", str), ("communities", list)):
        if key in entry and not isinstance(entry[key], kind):
            raise fail(f"must be a {kind.__name__}", "recipient", i, key)
    if "nation" not in entry:
        raise fail("needs a nation (ISO 3166-1 alpha-3, e.g. POL)", "recipient", i, "nation")
    checks: dict[str, Callable[[Any], Recipient]] = {
        "nation": lambda v: Recipient.make(v),
        "clearance": lambda v: Recipient.make("XXX", v),
        "communities": lambda v: Recipient.make("XXX", communities=[str(x) for x in v]),
    }
    for key, check in checks.items():  # each key alone, so the error names it
        if key in entry:
            try:
                check(entry[key])
            except LabelError as exc:
                raise fail(str(exc), "recipient", i, key) from None
    return Recipient.make(
        entry["nation"],
        entry.get("clearance", "UNCLASSIFIED"),
        [str(x) for x in entry.get("communities", [])],
        name.strip(),
    )


def _sink(
    recipient: Recipient,
    table: Any,
    i: int,
    j: int,
    factories: dict[str, SinkFactory],
    fail: Callable[..., ConfigError],
) -> PictureSink:
    where = ("recipient", i, "output", j)
    if not isinstance(table, dict):
        raise fail("must be a table", *where)
    kind = table.get("kind")
    if kind not in factories:
        raise fail(f"kind must be one of {', '.join(factories)}, got {kind!r}", *where, "kind")
    try:
        return factories[str(kind)](recipient, dict(table))
    except ConfigError as exc:
        key = exc.field or "kind"
        message = str(exc).split(": ", 2)[-1] if exc.field else str(exc)
        raise fail(message, *where, key) from None
    except DronewallError as exc:
        raise fail(str(exc), *where) from None


class Sharing:
    """The loaded plan wired to a pipeline: each frame and alert event cut per recipient and
    handed to that recipient's sinks (on the pipeline's thread; sinks never block)."""

    def __init__(self, plan: SharingPlan, sensors: Callable[[], SensorGeometry]):
        self.plan = plan
        self.labels = TrackLabels()
        self._releases = [(Release(s.recipient, sensors), s.sinks) for s in plan.shares]
        self.frames_in = 0
        self.rows_withheld = 0  # track rows withheld, summed over recipients

    @property
    def sinks(self) -> list[PictureSink]:
        return [sink for share in self.plan.shares for sink in share.sinks]

    def attach(self, pipeline: Any) -> None:
        """Listen to ``pipeline`` (``on_frame``, ``on_events``): a Pipeline or a replay."""
        pipeline.on_frame(self.take_frame)
        pipeline.on_events(self.take_events)

    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        self.labels.note_frame(frame)
        self.frames_in += 1
        for release, sinks in self._releases:
            mine = release.frame(frame)
            self.rows_withheld += len(frame) - len(mine)
            for sink in sinks:
                sink.take_frame(mine, wall_ingest, seq)

    def take_events(self, events: list[AlertEvent]) -> None:
        for release, sinks in self._releases:
            mine = release.events(events, self.labels)
            if mine:
                for sink in sinks:
                    sink.take_events(mine)

    def start(self) -> None:
        for sink in self.sinks:
            sink.start()
            log.info("sharing: %s started", sink.name)

    def close(self, timeout_s: float = 5.0) -> None:
        for sink in self.sinks:
            try:
                sink.close(timeout_s)
            except Exception:
                log.exception("sharing: %s did not close cleanly", sink.name)

    def health(self) -> dict[str, Any]:
        return {
            "frames_in": self.frames_in,
            "rows_withheld": self.rows_withheld,
            "recipients": [
                {
                    "name": share.recipient.name,
                    "nation": share.recipient.nation,
                    "clearance": share.recipient.clearance,
                    "outputs": {sink.name: sink.health() for sink in share.sinks},
                }
                for share in self.plan.shares
            ],
        }
