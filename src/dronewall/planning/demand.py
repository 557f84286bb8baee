"""Demand points: where a plan must see the threat, and how much each point counts.

The watched band is sampled on a regular LAEA grid (``planning.geometry``): each grid point
stands for one cell of ``spacing_m²`` of true area, so covered area is the sum of the weights
of covered points. The watched lines are sampled every ``step_m`` for covered length and gaps.
A denser grid gives finer answers at the cost of more points; the siting benchmark uses about
1.2 km (100,000 points on the eastern land border).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from dronewall.planning.geometry import to_lonlat

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Points:
    """Points with LAEA metres, lon/lat degrees and a weight each."""

    x: FloatArray
    y: FloatArray
    lon: FloatArray
    lat: FloatArray
    weight: FloatArray  # km² for grid points, km of line for line samples

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @classmethod
    def at(cls, x: FloatArray, y: FloatArray, weight: FloatArray) -> Points:
        lon, lat = to_lonlat(x, y)
        return cls(x, y, lon, lat, weight)


@dataclass(frozen=True, slots=True)
class LineSamples:
    """Samples along the watched lines, in order; ``part`` numbers each continuous line."""

    points: Points
    part: npt.NDArray[np.int64]
    stretch: npt.NDArray[np.int64]  # which stretch of the area each sample belongs to


def grid_points(band: BaseGeometry, spacing_m: float) -> Points:
    """Centres of the ``spacing_m`` grid cells whose centre lies in ``band``."""
    x_min, y_min, x_max, y_max = band.bounds
    xs = np.arange(np.floor(x_min / spacing_m), np.ceil(x_max / spacing_m) + 1) * spacing_m
    ys = np.arange(np.floor(y_min / spacing_m), np.ceil(y_max / spacing_m) + 1) * spacing_m
    shapely.prepare(band)
    keep_x, keep_y = [], []
    for y in ys:  # row by row keeps memory flat for large bands
        row = xs[shapely.contains_xy(band, xs, np.full_like(xs, y))]
        keep_x.append(row)
        keep_y.append(np.full_like(row, y))
    x, y = np.concatenate(keep_x), np.concatenate(keep_y)
    return Points.at(x, y, np.full(x.shape, (spacing_m / 1000.0) ** 2))


def line_samples(lines: tuple[BaseGeometry, ...], step_m: float) -> LineSamples:
    """Points every ``step_m`` along each part of each line; weight = km of line each stands for."""
    xs, ys, weights, parts, stretches = [], [], [], [], []
    part_no = 0
    for stretch_no, line in enumerate(lines):
        for part in shapely.get_parts(shapely.line_merge(line)):
            count = max(int(np.ceil(part.length / step_m)), 1)
            distances = (np.arange(count) + 0.5) * part.length / count
            coords = shapely.get_coordinates(shapely.line_interpolate_point(part, distances))
            xs.append(coords[:, 0])
            ys.append(coords[:, 1])
            weights.append(np.full(count, part.length / count / 1000.0))
            parts.append(np.full(count, part_no))
            stretches.append(np.full(count, stretch_no))
            part_no += 1
    points = Points.at(np.concatenate(xs), np.concatenate(ys), np.concatenate(weights))
    return LineSamples(points, np.concatenate(parts), np.concatenate(stretches))
