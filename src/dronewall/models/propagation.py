"""Detection physics shared by the simulator and planning.

* **Radar and radio horizon** over a smooth Earth with an effective radius k·R (k = 4/3 for
  standard atmospheric refraction; Skolnik, *Introduction to Radar Systems*, §8.2): a sensor at
  height h₁ sees a target at height h₂ out to the ground distance
  ``kR·acos(kR/(kR+h₁)) + kR·acos(kR/(kR+h₂))`` — about 13.0 km + 41.2 km = 54.3 km for a
  10 m mast and a target at 100 m.
* **Radar equation** in ratio form: the signal-to-noise ratio scales as σ/R⁴, anchored at the
  range where a reference cross-section is detected with probability ½. Detection probability
  of a Swerling I target: P_d = P_fa^(1/(1+SNR)) (Skolnik §2.8).
* **Passive sensors** (acoustic, RF, optical): a smooth fall-off 1/(1+(R/R₅₀)⁴) around the range
  R₅₀ where the object is detected half the time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import EARTH_MEAN_RADIUS_M

FloatArray = npt.NDArray[np.float64]
STANDARD_REFRACTION_K = 4.0 / 3.0
PASSIVE_FALLOFF_EXPONENT = 4.0


def horizon_distance_m(height_m: npt.ArrayLike, k: float = STANDARD_REFRACTION_K) -> FloatArray:
    """Ground distance to the horizon from a height above a smooth Earth of radius k·R."""
    a = k * EARTH_MEAN_RADIUS_M
    h = np.maximum(np.asarray(height_m, float), 0.0)
    return np.asarray(a * np.arccos(a / (a + h)), float)


def line_of_sight(
    ground_distance_m: npt.ArrayLike,
    sensor_height_m: npt.ArrayLike,
    target_height_m: npt.ArrayLike,
    k: float = STANDARD_REFRACTION_K,
) -> npt.NDArray[np.bool_]:
    """True where the target is above the sensor's horizon."""
    limit = horizon_distance_m(sensor_height_m, k) + horizon_distance_m(target_height_m, k)
    return np.asarray(np.asarray(ground_distance_m, float) <= limit)


def snr_at_pd50(pfa: npt.ArrayLike) -> FloatArray:
    """Signal-to-noise ratio (linear) giving P_d = ½ for a Swerling I target at a given P_fa."""
    return np.asarray(np.log(np.asarray(pfa, float)) / np.log(0.5) - 1.0, float)


def radar_detection_probability(
    rcs_m2: npt.ArrayLike,
    range_m: npt.ArrayLike,
    range_pd50_m: npt.ArrayLike,
    reference_rcs_m2: npt.ArrayLike,
    pfa: npt.ArrayLike,
) -> FloatArray:
    """Swerling I detection probability from the radar equation, anchored at ``range_pd50_m``."""
    rng = np.maximum(np.asarray(range_m, float), 1.0)
    snr = (
        snr_at_pd50(pfa)
        * (np.asarray(rcs_m2, float) / np.asarray(reference_rcs_m2, float))
        * (np.asarray(range_pd50_m, float) / rng) ** 4
    )
    return np.asarray(np.asarray(pfa, float) ** (1.0 / (1.0 + snr)), float)


def passive_detection_probability(
    range_m: npt.ArrayLike, range_pd50_m: npt.ArrayLike
) -> FloatArray:
    """Detection probability of a passive sensor, ½ at ``range_pd50_m`` (0 where that is 0)."""
    r50 = np.asarray(range_pd50_m, float)
    ratio = np.asarray(range_m, float) / np.where(r50 > 0, r50, 1.0)
    return np.where(r50 > 0, 1.0 / (1.0 + ratio**PASSIVE_FALLOFF_EXPONENT), 0.0)
