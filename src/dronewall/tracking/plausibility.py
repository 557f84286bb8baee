"""Kinematic plausibility of cooperative positions: a report that says an aircraft or a drone
is where it cannot have got to since its identity's last believed fix is flagged
"implausible position (spoofed or jumping)" and kept out of tracking.

Cooperative sources (ADS-B, Remote ID, a SAPIENT or MQTT node's identified fix) report
positions the object itself computes, from GNSS that can be spoofed or jammed — the 552 km
jump of an aircraft's reported position in issue 14 — or from a decoder that went wrong. The
screen keeps, per identity, an *anchor*: the last accepted fix (position, time, σ). A new fix
is plausible when the distance to the anchor is at most

    max_speed(kind) · |Δt| + k_sigma · √(σ_anchor² + σ_fix²) + margin_m

with σ the 3-D spread of a fix (√(2σh² + σv²)) and ``max_speed`` by what the identity is
(``PlausibilityLimits``): faster than any aircraft of its kind could fly, the report cannot be
true. A plausible fix moves the anchor; an implausible one is flagged, counted by reason and
not used.

Which one is real, without a non-cooperative sensor to ask? Consistency over time. Flagged
fixes of one identity form a *challenger* chain when each is plausible from the one before
(the same speed test). The screen re-anchors to the challenger when the anchor has had no
plausible fix since the chain began (the old position has gone silent) and the chain holds
``reanchor_reports`` fixes spanning at least ``reanchor_s`` *and at least as long as the
anchor's own consistent run*, capped at ``reanchor_max_s``: the longer story wins. A spoof
that takes over an aircraft heard honestly for minutes is kept out for up to
``reanchor_max_s``, and when it ends the real fixes fit the anchor that never moved; a bad
first fix (a run of one) gives way to the real stream within seconds. A spoof lasting longer
than ``reanchor_max_s`` does take over — the stream alone cannot tell it from an object that
really is elsewhere — and each re-anchoring is counted (``reanchored``) for the operator. A
spoof *interleaved* with the real stream never re-anchors: every plausible fix of the anchor
breaks the chain. A single bad fix costs one report.

The class is pure and vectorised: ``screen(batch)`` works on a ``ReportBatch`` with no Python
loop over rows (one over the rounds of the most reports one identity has in the batch).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
IMPLAUSIBLE = "implausible position (spoofed or jumping)"
FORGET_EVERY_S = 60.0  # how often (report time) unheard identities are looked for
REANCHORED = "reanchored"  # a counter, not a row's reason: the screen believed a new position


@dataclass(frozen=True, slots=True)
class PlausibilityLimits:
    """How fast each kind of identity can be, and how much slack noise earns.

    ``aircraft_mps`` 400: above the fastest airliner ground speed on record (358 m/s, a jet
    stream over the Atlantic in 2020) and any general-aviation aircraft; ``fast_mps`` 700 for
    an ADS-B high-performance emitter (category A6: > 400 kt, > 5 g); ``drone_mps`` 100 for
    Remote ID senders and ADS-B UAVs (B6) — racing quadcopters reach ~60 m/s, fixed-wing
    drones of the open and specific categories far less.
    """

    aircraft_mps: float = 400.0
    fast_mps: float = 700.0
    drone_mps: float = 100.0
    # 5 σ of the two fixes' 3-D spread: a real fix falls outside with probability ~1e-5.
    k_sigma: float = 5.0
    # Timestamp and quantisation slack (a CPR cell is 5 m; clocks of receivers differ by ~0.1 s,
    # which at 250 m/s is 25 m): small beside any spoof worth the name.
    margin_m: float = 200.0
    # Re-anchoring: four self-consistent fixes over at least 5 s while the anchor is silent —
    # ADS-B gives two positions a second, Remote ID one: a few seconds of a new, steady stream.
    reanchor_reports: int = 4
    reanchor_s: float = 5.0
    # ... and at least as long as the anchor's own consistent run, up to two minutes: longer
    # than the spoofing episodes of a GNSS jammer/spoofer passing by, short enough that an
    # aircraft first heard through a spoof is followed within minutes.
    reanchor_max_s: float = 120.0
    # Identities unheard this long are forgotten (an aircraft gone for ten minutes may come
    # back anywhere: its next fix starts a new anchor).
    forget_s: float = 600.0


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """Per row of the screened batch: whether the tracker may use it, and why not."""

    ok: BoolArray
    reason: npt.NDArray[np.str_]  # "" for an accepted row, ``IMPLAUSIBLE`` for a flagged one


@dataclass(slots=True)
class _State:
    """Per identity (slot): anchor and challenger, each position (ECEF), time, 3-D σ."""

    anchor: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))
    anchor_t: FloatArray = field(default_factory=lambda: np.zeros(0))
    anchor_sigma: FloatArray = field(default_factory=lambda: np.zeros(0))
    anchor_since: FloatArray = field(default_factory=lambda: np.zeros(0))  # its run's start
    chain: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))
    chain_t: FloatArray = field(default_factory=lambda: np.zeros(0))
    chain_sigma: FloatArray = field(default_factory=lambda: np.zeros(0))
    chain_first_t: FloatArray = field(default_factory=lambda: np.zeros(0))
    chain_count: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))

    def grow(self, n: int) -> None:
        nan = np.full(n, np.nan)
        self.anchor = np.concatenate([self.anchor, np.full((n, 3), np.nan)])
        self.chain = np.concatenate([self.chain, np.full((n, 3), np.nan)])
        for name in ("anchor_t", "anchor_sigma", "anchor_since", "chain_t", "chain_sigma",
                     "chain_first_t"):  # fmt: skip
            setattr(self, name, np.concatenate([getattr(self, name), nan]))
        self.chain_count = np.concatenate([self.chain_count, np.zeros(n, np.int64)])

    def keep(self, rows: IntArray) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name)[rows])


class IdentityScreen:
    """Flags cooperative fixes that their identity cannot have flown to (module docstring).

    ``screen(batch)`` returns a ``ScreenResult`` aligned with the batch and updates the
    per-identity state; ``counts`` holds the flagged rows by reason and the re-anchorings."""

    def __init__(self, limits: PlausibilityLimits | None = None):
        self.limits = limits if limits is not None else PlausibilityLimits()
        self.counts: Counter[str] = Counter()
        self._slots: dict[str, int] = {}
        self._last_seen: dict[str, float] = {}
        self._next_forget = -np.inf
        self._state = _State()

    def screen(self, batch: ReportBatch) -> ScreenResult:
        """Screen every cooperative position fix of ``batch`` (others pass untouched)."""
        n = len(batch)
        ok = np.ones(n, bool)
        rows = _cooperative_fixes(batch)
        if rows.size:
            slots = self._slot_of(batch.identity[rows], batch.t_measured[rows])
            points = geodetic_to_ecef(batch.lat_deg[rows], batch.lon_deg[rows], batch.alt_m[rows])
            sigma = np.hypot(np.sqrt(2.0) * batch.sigma_horizontal_m[rows],
                             batch.sigma_vertical_m[rows])  # fmt: skip
            sigma = np.where(np.isfinite(sigma), sigma, 0.0)
            speed = self._max_speed(batch, rows)
            t = batch.t_measured[rows]
            for part in _rounds(slots, t):
                ok[rows[part]] = self._step(slots[part], points[part], t[part], sigma[part],
                                            speed[part])  # fmt: skip
        flagged = int((~ok).sum())
        if flagged:
            self.counts[IMPLAUSIBLE] += flagged
        reason = np.where(ok, "", IMPLAUSIBLE).astype(np.str_)
        return ScreenResult(ok, reason)

    # ---- one round: at most one fix per identity -------------------------------------------
    def _step(
        self, slots: IntArray, x: FloatArray, t: FloatArray, sigma: FloatArray, speed: FloatArray
    ) -> BoolArray:
        s, lim = self._state, self.limits
        new = ~np.isfinite(s.anchor_t[slots])
        s.anchor_since[slots[new]] = t[new]
        fits_anchor = new | _reachable(s.anchor[slots], s.anchor_t[slots],
                                       s.anchor_sigma[slots], x, t, sigma, speed, lim)  # fmt: skip
        self._move_anchor(slots[fits_anchor], x[fits_anchor], t[fits_anchor], sigma[fits_anchor])
        s.chain_count[slots[fits_anchor]] = 0  # a live anchor breaks any challenger
        out = ~fits_anchor
        if out.any():
            reanchor = self._challenge(slots[out], x[out], t[out], sigma[out], speed[out])
            accepted = np.flatnonzero(out)[reanchor]
            fits_anchor[accepted] = True
        return fits_anchor

    def _challenge(
        self, slots: IntArray, x: FloatArray, t: FloatArray, sigma: FloatArray, speed: FloatArray
    ) -> BoolArray:
        """Extend or restart each identity's challenger chain; True where it re-anchors."""
        s, lim = self._state, self.limits
        started = s.chain_count[slots] > 0
        follows = started & _reachable(s.chain[slots], s.chain_t[slots], s.chain_sigma[slots],
                                       x, t, sigma, speed, lim)  # fmt: skip
        s.chain_count[slots] = np.where(follows, s.chain_count[slots] + 1, 1)
        s.chain_first_t[slots] = np.where(follows, s.chain_first_t[slots], t)
        s.chain[slots], s.chain_t[slots], s.chain_sigma[slots] = x, t, sigma
        span = t - s.chain_first_t[slots]
        anchor_run = np.minimum(s.anchor_t[slots] - s.anchor_since[slots], lim.reanchor_max_s)
        needed = np.maximum(lim.reanchor_s, anchor_run)
        reanchor = (s.chain_count[slots] >= lim.reanchor_reports) & (span >= needed)
        if reanchor.any():
            self.counts[REANCHORED] += int(reanchor.sum())
            won = slots[reanchor]
            s.anchor_since[won] = s.chain_first_t[won]
            self._move_anchor(won, x[reanchor], t[reanchor], sigma[reanchor])
            s.chain_count[won] = 0
        return reanchor

    def _move_anchor(
        self, slots: IntArray, x: FloatArray, t: FloatArray, sigma: FloatArray
    ) -> None:
        """Anchors move forward in time only (a late fix checks but does not pull back)."""
        s = self._state
        later = ~(t < s.anchor_t[slots])  # NaN anchor time: a first fix
        slots = slots[later]
        s.anchor[slots], s.anchor_t[slots], s.anchor_sigma[slots] = x[later], t[later], sigma[later]

    # ---- identities ------------------------------------------------------------------------
    def _slot_of(self, identity: npt.NDArray[np.str_], t: FloatArray) -> IntArray:
        names, inverse = np.unique(np.asarray(identity.tolist(), dtype=object), return_inverse=True)
        latest = np.full(names.size, -np.inf)
        np.maximum.at(latest, inverse, t)
        now = float(np.max(latest))
        if now >= self._next_forget:
            self._next_forget = now + FORGET_EVERY_S
            self._forget(now)
        fresh = [str(k) for k in names if str(k) not in self._slots]
        if fresh:
            first = len(self._slots)
            self._slots.update({k: first + i for i, k in enumerate(fresh)})
            self._state.grow(len(fresh))
        for k, seen in zip(names.tolist(), latest.tolist(), strict=True):
            self._last_seen[k] = max(self._last_seen.get(k, -np.inf), seen)
        slot_of_name = np.array([self._slots[str(k)] for k in names], np.int64)
        return np.asarray(slot_of_name[inverse], np.int64)

    def _forget(self, now: float) -> None:
        """Drop identities unheard for ``forget_s`` (compacting the state arrays)."""
        stale = [k for k, seen in self._last_seen.items() if now - seen > self.limits.forget_s]
        if not stale:
            return
        for k in stale:
            del self._last_seen[k]
        keep = sorted(self._slots[k] for k in self._last_seen if k in self._slots)
        renumber = {old: new for new, old in enumerate(keep)}
        self._slots = {k: renumber[v] for k, v in self._slots.items() if v in renumber}
        self._state.keep(np.array(keep, np.int64))

    def _max_speed(self, batch: ReportBatch, rows: IntArray) -> FloatArray:
        lim = self.limits
        category = batch.emitter_category[rows]
        drone = (batch.sensor_kind[rows] == SensorKind.REMOTE_ID) | (category == UAV_CATEGORY)
        aircraft = np.where(category == FAST_CATEGORY, lim.fast_mps, lim.aircraft_mps)
        return np.where(drone, lim.drone_mps, aircraft)


UAV_CATEGORY = 0xB6  # DO-260B emitter categories as report format 1.1 codes them
FAST_CATEGORY = 0xA6


def _cooperative_fixes(batch: ReportBatch) -> IntArray:
    """Rows with an identity and a finite position fix: what the screen judges."""
    fix = batch.measurement == MeasurementKind.POSITION
    finite = np.isfinite(batch.lat_deg) & np.isfinite(batch.lon_deg) & np.isfinite(batch.alt_m)
    return np.flatnonzero(fix & finite & (batch.identity != "") & np.isfinite(batch.t_measured))


def _rounds(slots: IntArray, t: FloatArray) -> list[IntArray]:
    """Positions into ``slots`` grouped so that each group has at most one fix per identity,
    the groups in time order within every identity."""
    order = np.lexsort((t, slots))
    sorted_slots = slots[order]
    starts = np.flatnonzero(np.r_[True, sorted_slots[1:] != sorted_slots[:-1]])
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return [order[rank == r] for r in range(int(rank.max()) + 1)]


def _reachable(
    a: FloatArray,
    a_t: FloatArray,
    a_sigma: FloatArray,
    x: FloatArray,
    t: FloatArray,
    sigma: FloatArray,
    speed: FloatArray,
    lim: PlausibilityLimits,
) -> BoolArray:
    """Whether each fix ``x`` at ``t`` can follow the fix ``a`` at ``a_t`` (module docstring)."""
    distance = np.linalg.norm(x - a, axis=-1)
    allowed = speed * np.abs(t - a_t) + lim.k_sigma * np.hypot(a_sigma, sigma) + lim.margin_m
    return np.asarray(distance <= allowed)
