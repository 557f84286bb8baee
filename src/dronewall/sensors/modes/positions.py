"""Which CPR decoding to trust for an aircraft's new position frame (DO-260B §A.1.7; the policy
of dump1090-fa's ``track.c``, written afresh):

1. Global decoding (§A.1.7.7) when the other parity's frame of the same kind arrived within
   ``PAIR_WINDOW_S`` — airborne only; a pair across a longitude-zone boundary falls through.
2. Otherwise local decoding (§A.1.7.5) against the aircraft's last position if it is recent
   and trusted, or — for a first airborne fix — against the receiver, accepted only within a
   range that cannot alias: the receiver's maximum range if that is under half a zone (180 NM),
   else 360 NM minus it (never again for an aircraft once a global decode put it beyond the
   maximum range: its single frames could alias inside). Surface frames are always decoded
   locally (against the aircraft, or the receiver within 45 NM).
3. Every fix must lie within the receiver's ``max_range_m`` ("range") and be reachable from the
   last trusted position at a plausible speed ("cpr"): the aircraft's own ground speed + ⅓
   (at least 200 kt airborne, 20–150 kt on the surface) or ``max_speed_mps`` when unknown, over
   the elapsed time + 1 s, plus 500 m (100 m surface). A failed global decode discards both
   frames and the trust in the old position, so the next pair starts afresh.
"""

from __future__ import annotations

import math
from typing import Literal

from dronewall.sensors.modes import cpr
from dronewall.sensors.modes.aircraft import Aircraft, CprFrame
from dronewall.sensors.modes.settings import NM, ReceiverSettings

PAIR_WINDOW_S = 10.0  # DO-260B §A.1.7.7: even and odd frames at most 10 s apart (airborne)
# Age of a last position still good as a local reference: at 1000 kt an aircraft covers 30 km
# in 60 s, far inside half a zone (333 km); on the surface half a zone is 83 km.
REFERENCE_AGE_S = 60.0
SURFACE_REFERENCE_AGE_S = 300.0
SPEED_AGE_S = 30.0  # an aircraft's own ground speed is used for the speed check this long
KT = 1852.0 / 3600.0  # m/s per knot
HALF_ZONE_AIRBORNE_M = 180 * NM
HALF_ZONE_SURFACE_M = 45 * NM

Fix = tuple[float, float]
Miss = Literal["cpr", "range", "wait"]  # rejects "cpr" and "range"; "wait": no fix yet


class PositionResolver:
    """Turns CPR frames into positions for one receiver's aircraft."""

    def __init__(self, settings: ReceiverSettings):
        self.settings = settings
        self._rx = (settings.lat_deg, settings.lon_deg) if settings.has_position else None
        limit = _receiver_limit(settings.max_range_m)
        self._rx_limit_m = limit if settings.receiver_relative_cpr else 0.0

    def airborne(self, ac: Aircraft, frame: CprFrame, odd: bool) -> Fix | Miss:
        """Store the frame and decode a position from it if possible."""
        if odd:
            ac.odd, other = frame, ac.even
        else:
            ac.even, other = frame, ac.odd
        if other is not None and not other.surface and abs(frame.t - other.t) <= PAIR_WINDOW_S:
            even, odd_frame = (other, frame) if odd else (frame, other)
            fix = cpr.global_airborne(
                (even.lat_cpr, even.lon_cpr), (odd_frame.lat_cpr, odd_frame.lon_cpr), odd
            )
            if fix is not None:
                miss = self._check(ac, fix, frame.t, surface=False)
                if miss is not None:
                    ac.even = ac.odd = None
                    ac.pos_is_reference = False
                    if miss == "range":  # heard from beyond: a single frame could alias
                        ac.receiver_cpr_ok = False
                    return miss
                return self._accept(ac, fix, frame.t)
        if self._is_reference(ac, frame.t, REFERENCE_AGE_S):
            return self._local(ac, frame, odd, (ac.lat, ac.lon), surface=False)
        if self._rx is not None and self._rx_limit_m > 0 and ac.receiver_cpr_ok:
            fix = cpr.local(*self._rx, frame.lat_cpr, frame.lon_cpr, odd, surface=False)
            if fix is not None and cpr.distance_m(*self._rx, *fix) <= self._rx_limit_m:
                return self._accept(ac, fix, frame.t)
        return "wait"

    def surface(self, ac: Aircraft, frame: CprFrame, odd: bool) -> Fix | Miss:
        """Decode a surface frame locally (against the aircraft, else the receiver)."""
        if odd:
            ac.odd = frame
        else:
            ac.even = frame
        if self._is_reference(ac, frame.t, SURFACE_REFERENCE_AGE_S):
            return self._local(ac, frame, odd, (ac.lat, ac.lon), surface=True)
        if self._rx is None:
            return "wait"
        fix = cpr.local(*self._rx, frame.lat_cpr, frame.lon_cpr, odd, surface=True)
        if fix is None or cpr.distance_m(*self._rx, *fix) > HALF_ZONE_SURFACE_M:
            return "wait"
        miss = self._check(ac, fix, frame.t, surface=True)
        return miss if miss is not None else self._accept(ac, fix, frame.t)

    def _local(
        self, ac: Aircraft, frame: CprFrame, odd: bool, ref: Fix, surface: bool
    ) -> Fix | Miss:
        fix = cpr.local(ref[0], ref[1], frame.lat_cpr, frame.lon_cpr, odd, surface)
        if fix is None:
            return "cpr"
        miss = self._check(ac, fix, frame.t, surface)
        return miss if miss is not None else self._accept(ac, fix, frame.t)

    def _check(self, ac: Aircraft, fix: Fix, t: float, surface: bool) -> Miss | None:
        if self._rx is not None and cpr.distance_m(*self._rx, *fix) > self.settings.max_range_m:
            return "range"
        if not ac.pos_is_reference:
            return None
        reach = (0.1e3 if surface else 0.5e3) + (abs(t - ac.pos_t) + 1.0) * self._speed(
            ac, t, surface
        )
        return None if cpr.distance_m(ac.lat, ac.lon, *fix) <= reach else "cpr"

    def _speed(self, ac: Aircraft, t: float, surface: bool) -> float:
        """Plausible speed (m/s) for the jump check."""
        if t - ac.vel_t <= SPEED_AGE_S and math.isfinite(ac.gs_kt):
            speed = ac.gs_kt * 4 / 3
        elif t - ac.air_t <= SPEED_AGE_S and math.isfinite(ac.airspeed_kt):
            speed = ac.airspeed_kt * 4 / 3 * 1.5  # airspeed: leave room for a tail wind
        else:
            return 150 * KT if surface else self.settings.max_speed_mps
        if surface:
            return min(max(speed, 20.0), 150.0) * KT
        return max(speed, 200.0) * KT

    @staticmethod
    def _is_reference(ac: Aircraft, t: float, max_age: float) -> bool:
        return ac.pos_is_reference and abs(t - ac.pos_t) <= max_age

    @staticmethod
    def _accept(ac: Aircraft, fix: Fix, t: float) -> Fix:
        ac.lat, ac.lon = fix
        ac.pos_t = t
        ac.pos_is_reference = True
        return fix


def _receiver_limit(max_range_m: float) -> float:
    """How far from the receiver a single-frame decode cannot be an alias (0: never safe)."""
    if not math.isfinite(max_range_m) or max_range_m <= 0:
        return 0.0
    if max_range_m <= HALF_ZONE_AIRBORNE_M:
        return max_range_m
    return max(2 * HALF_ZONE_AIRBORNE_M - max_range_m, 0.0)
