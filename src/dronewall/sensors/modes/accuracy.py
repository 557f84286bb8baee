"""ADS-B position quality: NACp (DO-260B §2.2.3.2.7.2.11, Table 2-70: the 95 % bound on
horizontal position error, EPU), NIC with its supplements A/B/C (§2.2.3.2.7.2.6 and
Table 2-14 / ED-102A Table N-4: the containment radius Rc), version-0 NUCp (DO-260 Table
2-14: the type code's 95 % accuracy) and GVA (§2.2.3.2.7.2.8: 95 % vertical accuracy).

Sigma from a 95 % radial bound: for a circular normal error with σ on each axis the radial
error exceeds r with probability exp(−r²/2σ²), so r95 = σ·√(−2 ln 0.05) = 2.448 σ. The
per-axis σ we report is EPU / 2.448 (the brief's "EPU / 2" is the same order, slightly more
cautious), combined in quadrature with the CPR quantisation (a 17-bit airborne cell is
5.1 m of latitude: σ = 5.1 / √12 ≈ 1.5 m; surface cells are four times finer).
"""

from __future__ import annotations

import math

NM = 1852.0
R95_PER_SIGMA = math.sqrt(-2.0 * math.log(0.05))  # 2.4477: 95 % radius of a circular normal
CPR_SIGMA_AIRBORNE_M = 1.5  # 17-bit airborne CPR cell (360°/60/2^17 ≈ 5.1 m) / √12
CPR_SIGMA_SURFACE_M = 0.4  # surface cells are 90°/60/2^17 ≈ 1.3 m

# NACp → EPU (m), DO-260B Table 2-70. NACp 0 is "unknown or ≥ 10 NM": taken at 10 NM.
EPU_M = (
    10 * NM, 10 * NM, 4 * NM, 2 * NM, 1 * NM, 0.5 * NM, 0.3 * NM, 0.1 * NM, 0.05 * NM,
    30.0, 10.0, 3.0,
)  # fmt: skip

# Version 0 (DO-260): NUCp from the position type code, and its 95 % horizontal error bound.
NUCP_OF_TYPE = {
    5: 9, 6: 8, 7: 7, 8: 6, 9: 9, 10: 8, 11: 7, 12: 6, 13: 5, 14: 4, 15: 3, 16: 2, 17: 1,
    18: 0, 20: 9, 21: 8, 22: 0,
}  # fmt: skip
NUCP_95_M = (
    math.inf, 10 * NM, 5 * NM, 1 * NM, 0.5 * NM, 0.25 * NM, 0.1 * NM, 0.05 * NM, 10.0, 3.0,
)  # fmt: skip

GVA_95_M = (math.inf, 150.0, 45.0, math.inf)  # GVA 0: unknown or > 150 m; 3 is reserved


def sigma_from_nacp(nacp: int, surface: bool = False) -> float:
    """Per-axis σ (m) from a NACp value 0–11 (12–15 are reserved: treated as NACp 0)."""
    epu = EPU_M[nacp] if 0 <= nacp <= 11 else EPU_M[0]
    return _with_cpr(epu / R95_PER_SIGMA, surface)


def sigma_from_nucp(type_code: int, surface: bool = False) -> float:
    """Per-axis σ (m) of a version-0 position from its type code; inf when unknown (NUCp 0)."""
    bound = NUCP_95_M[NUCP_OF_TYPE.get(type_code, 0)]
    return _with_cpr(bound / R95_PER_SIGMA, surface)


def sigma_from_rc(rc_m: float, surface: bool = False) -> float:
    """A cautious per-axis σ from a containment radius, taken as if it were a 95 % bound (Rc is
    an integrity bound, 1e-7 per hour, always at least the accuracy bound)."""
    return _with_cpr(rc_m / R95_PER_SIGMA, surface)


def sigma_vertical_from_gva(gva: int) -> float:
    """Per-axis σ (m) of a GNSS height from GVA (inf when unknown)."""
    return GVA_95_M[gva & 3] / 1.96  # 1-D normal: the 95 % two-sided bound is 1.96 σ


def _with_cpr(sigma: float, surface: bool) -> float:
    q = CPR_SIGMA_SURFACE_M if surface else CPR_SIGMA_AIRBORNE_M
    return math.hypot(sigma, q)


def containment_radius_m(type_code: int, version: int, nic_a: int, nic_b: int, nic_c: int) -> float:
    """Rc (m) of a position message: DO-260B Table 2-14 (airborne, surface) with the NIC
    supplements of version 2 (A and C from TC 31, B in the position message), version 1 (one
    supplement, A) and version 0 (the NUCp's HPL); inf when unknown."""
    fixed = _RC_FIXED.get(type_code)
    if fixed is not None:
        return fixed
    if version == 0:
        return _RC_V0.get(type_code, math.inf)
    if type_code == 7:  # surface
        return 75.0 if nic_a and not (version == 2 and nic_c) else 0.1 * NM
    if type_code == 8:  # surface: only version 2 says
        return _RC_TC8.get((nic_a, nic_c), math.inf) if version == 2 else math.inf
    if type_code == 11:
        return 75.0 if nic_a and (nic_b or version == 1) else 0.1 * NM
    if type_code == 13:
        if version == 1:
            return 0.6 * NM if nic_a else 0.5 * NM
        return _RC_TC13.get((nic_a, nic_b), math.inf)
    if type_code == 16:
        return 4 * NM if nic_a and (nic_b or version == 1) else 8 * NM
    return math.inf


# NIC 11 … 1 by its containment radius bound Rc < …, DO-260B Table 2-14 (NIC 6 spans the
# 0.3, 0.5 and 0.6 NM bounds); Rc ≥ 20 NM or unknown is NIC 0.
NIC_RC_M = (7.5, 25.0, 75.0, 0.1 * NM, 0.2 * NM, 0.6 * NM, 1 * NM, 2 * NM, 4 * NM, 8 * NM, 20 * NM)


def nic_from_rc(rc_m: float) -> int:
    """The NIC (0–11) of a containment radius, as report format 1.1 carries it."""
    for i, bound in enumerate(NIC_RC_M):
        if rc_m <= bound:
            return 11 - i
    return 0


def reported_nacp(nacp: int) -> int:
    """NACp as report format 1.1 carries it: 1–11; 0 for unknown, not heard or reserved."""
    return nacp if 0 < nacp <= 11 else 0


_RC_FIXED = {
    5: 7.5, 6: 25.0, 9: 7.5, 10: 25.0, 12: 0.2 * NM, 14: 1 * NM, 15: 2 * NM, 17: 20 * NM,
    20: 7.5, 21: 25.0,
}  # fmt: skip
_RC_V0 = {7: 0.1 * NM, 11: 0.1 * NM, 13: 0.5 * NM, 16: 10 * NM}
_RC_TC8 = {(1, 1): 0.2 * NM, (1, 0): 0.3 * NM, (0, 1): 0.6 * NM}
_RC_TC13 = {(0, 1): 0.3 * NM, (0, 0): 0.5 * NM, (1, 1): 0.6 * NM}
