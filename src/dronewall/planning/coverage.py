"""What a laydown sees of a watched area at one altitude: covered area and length, and gaps.

A point at altitude h counts as

* **seen** when at least one sensor detects the design threat there with the catalogue's
  required per-look probability (``SensorType.ground_reach_m``), and
* **fixed** when it can be located: seen by a ranging sensor (radar), or by at least
  ``min_bearing`` bearing-only sensors (acoustic, EO/IR, RF) whose bearings can be
  triangulated.

Area figures are sums of grid-cell areas (``planning.demand``); length figures are sums over
samples of the watched lines; a gap is a run of consecutive line samples that are not seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from dronewall.planning.areas import AreaGeometry
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.demand import LineSamples, Points
from dronewall.planning.geometry import to_laea, unit_vectors
from dronewall.planning.laydown import Laydown
from dronewall.planning.reach import incidence

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
MIN_BEARINGS_FOR_FIX = 2  # two bearings from different places cross at one point


@dataclass(frozen=True, slots=True)
class SensorCounts:
    """How many sensors see each point, in total, ranging and bearing-only."""

    any: IntArray
    ranging: IntArray
    bearing: IntArray

    def seen(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.any >= 1)

    def fixed(self, min_bearing: int = MIN_BEARINGS_FOR_FIX) -> npt.NDArray[np.bool_]:
        return np.asarray((self.ranging >= 1) | (self.bearing >= min_bearing))


@dataclass(frozen=True, slots=True)
class Gap:
    """A run of a watched line that no sensor sees."""

    stretch: str
    length_km: float
    start: tuple[float, float]  # lat, lon
    end: tuple[float, float]
    path: tuple[tuple[float, float], ...]  # lon, lat vertices (GeoJSON order)


@dataclass(frozen=True, slots=True)
class AltitudeCoverage:
    """Coverage figures of one laydown at one altitude."""

    altitude_m: float
    area_km2: float
    seen_km2: float
    fixed_km2: float
    line_km: float
    seen_line_km: float
    fixed_line_km: float
    gaps: tuple[Gap, ...]  # longest first
    seen_line_km_by_stretch: dict[str, float]
    line_km_by_stretch: dict[str, float]


def sensor_counts(
    laydown: Laydown, catalogue: SensorCatalogue, altitude_m: float, points: Points
) -> SensorCounts:
    """Counts of sensors seeing each point at ``altitude_m``."""
    inner, outer = reaches(laydown.types, catalogue, altitude_m)
    matrix = incidence(
        unit_vectors(laydown.lat, laydown.lon),
        inner,
        outer,
        unit_vectors(points.lat, points.lon),
    )
    ranging = np.array([catalogue.get(t).ranging for t in laydown.types], bool)
    matrix = matrix.astype(np.int64)
    total = np.asarray(matrix.sum(axis=0)).ravel()
    by_ranging = np.asarray(matrix[np.flatnonzero(ranging)].sum(axis=0)).ravel()
    return SensorCounts(total, by_ranging, total - by_ranging)


def reaches(
    types: tuple[str, ...] | list[str], catalogue: SensorCatalogue, altitude_m: float
) -> tuple[FloatArray, FloatArray]:
    """(inner, outer) ground reach in metres of each sensor of the given types."""
    by_type = {t: catalogue.get(t).ground_reach_m(catalogue.threat, altitude_m) for t in set(types)}
    inner = np.array([by_type[t][0] for t in types], float)
    outer = np.array([by_type[t][1] for t in types], float)
    return inner, outer


def altitude_coverage(
    laydown: Laydown,
    catalogue: SensorCatalogue,
    geometry: AreaGeometry,
    grid: Points,
    line: LineSamples,
    altitude_m: float,
) -> AltitudeCoverage:
    """Area, length and gaps of the laydown's coverage at one altitude."""
    on_grid = sensor_counts(laydown, catalogue, altitude_m, grid)
    on_line = sensor_counts(laydown, catalogue, altitude_m, line.points)
    labels = [s.label for s in geometry.area.stretches]
    weight = line.points.weight
    seen_line = on_line.seen()
    by_stretch_total: dict[str, float] = {}
    by_stretch_seen: dict[str, float] = {}
    for k, label in enumerate(labels):
        rows = line.stretch == k
        by_stretch_total[label] = by_stretch_total.get(label, 0.0) + float(weight[rows].sum())
        by_stretch_seen[label] = by_stretch_seen.get(label, 0.0) + float(
            weight[rows & seen_line].sum()
        )
    return AltitudeCoverage(
        altitude_m=altitude_m,
        area_km2=float(grid.weight.sum()),
        seen_km2=float(grid.weight[on_grid.seen()].sum()),
        fixed_km2=float(grid.weight[on_grid.fixed()].sum()),
        line_km=float(weight.sum()),
        seen_line_km=float(weight[seen_line].sum()),
        fixed_line_km=float(weight[on_line.fixed()].sum()),
        gaps=find_gaps(line, seen_line, labels),
        seen_line_km_by_stretch=by_stretch_seen,
        line_km_by_stretch=by_stretch_total,
    )


def find_gaps(line: LineSamples, seen: npt.NDArray[np.bool_], labels: list[str]) -> tuple[Gap, ...]:
    """Runs of unseen samples on each continuous line part, longest first."""
    gaps: list[Gap] = []
    for part in np.unique(line.part):
        rows = np.flatnonzero(line.part == part)
        unseen = ~seen[rows]
        edges = np.diff(np.concatenate([[0], unseen.astype(np.int8), [0]]))
        for start, stop in zip(
            np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True
        ):
            run = rows[start:stop]
            p = line.points
            gaps.append(
                Gap(
                    stretch=labels[int(line.stretch[run[0]])],
                    length_km=float(p.weight[run].sum()),
                    start=(float(p.lat[run[0]]), float(p.lon[run[0]])),
                    end=(float(p.lat[run[-1]]), float(p.lon[run[-1]])),
                    path=tuple(zip(p.lon[run].tolist(), p.lat[run].tolist(), strict=True)),
                )
            )
    return tuple(sorted(gaps, key=lambda g: -g.length_km))


def covered_polygon(
    laydown: Laydown, catalogue: SensorCatalogue, geometry: AreaGeometry, altitude_m: float
) -> shapely.Geometry:
    """The union of every sensor's ring at ``altitude_m`` inside the band, LAEA metres (for
    maps; the figures above come from the grid, not from this polygon)."""
    inner, outer = reaches(laydown.types, catalogue, altitude_m)
    x, y = to_laea(laydown.lon, laydown.lat)
    centres = shapely.points(x, y)
    rings = shapely.difference(
        shapely.buffer(centres, outer, quad_segs=12), shapely.buffer(centres, inner, quad_segs=8)
    )
    union = shapely.union_all(rings[outer > 0]) if np.any(outer > 0) else shapely.Polygon()
    return shapely.intersection(union, geometry.band).simplify(100.0)
