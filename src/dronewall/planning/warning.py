"""Depth of warning: how far from a protected site, and how many minutes before it, a threat
crossing the watched line is first seen.

For each protected site of a defended country near the line, straight approach paths start
``outside_km`` beyond the line at samples spaced ``approach_spacing_km`` along it and end at the
site. Each path is sampled every ``path_step_km``; the warning distance is the path length
left between the first sample any sensor sees and the edge of the site's protection radius,
and the warning time is that distance at the threat's cruise speed (``Threat.speed_kmh``).
A path seen nowhere gives no warning. Straight paths are the planning convention; the
simulator (``dronewall plan prove``) flies real dog-legged routes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from dronewall.planning.areas import AreaGeometry
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.coverage import sensor_counts
from dronewall.planning.demand import LineSamples, Points
from dronewall.planning.geometry import to_laea
from dronewall.planning.laydown import Laydown
from dronewall.world import Site

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SiteWarning:
    """Warning figures of one site over every approach path."""

    site_id: str
    site_name: str
    country: str
    distance_to_line_km: float
    approaches: int
    worst_km: float  # shortest warning distance over the paths
    median_km: float
    worst_min: float
    median_min: float
    unseen_share: float  # share of paths on which nothing is seen before the site


@dataclass(frozen=True, slots=True)
class WarningSettings:
    """Which sites count and how finely approach paths are sampled."""

    max_site_km: float = 250.0  # sites farther from the line are not counted
    approach_spacing_km: float = 15.0
    path_step_km: float = 1.0


def sites_near(geometry: AreaGeometry, sites: tuple[Site, ...], max_km: float) -> list[Site]:
    """Sites in a defended country of the area within ``max_km`` of its lines."""
    homes = {s.home for s in geometry.area.stretches}
    lines = shapely.union_all(list(geometry.lines))
    near = []
    for site in sites:
        x, y = to_laea(site.lon, site.lat)
        if site.country in homes and lines.distance(shapely.Point(x, y)) <= max_km * 1000.0:
            near.append(site)
    return near


def site_warnings(
    laydown: Laydown,
    catalogue: SensorCatalogue,
    geometry: AreaGeometry,
    line: LineSamples,
    sites: list[Site],
    altitude_m: float,
    settings: WarningSettings | None = None,
) -> list[SiteWarning]:
    """Warning figures of each site at ``altitude_m``."""
    settings = settings or WarningSettings()
    out = []
    speed = catalogue.threat.speed_kmh
    lines = shapely.union_all(list(geometry.lines))
    for site in sites:
        paths = _approach_paths(site, line, geometry.area.outside_km, settings)
        if paths is None:
            continue
        points, path_of, left_km = paths
        seen = sensor_counts(laydown, catalogue, altitude_m, points).seen()
        warning = np.zeros(int(path_of.max()) + 1)
        for k in range(warning.size):  # samples run from the far end towards the site
            rows = np.flatnonzero((path_of == k) & seen)
            warning[k] = left_km[rows[0]] if rows.size else 0.0
        warning = np.maximum(warning - site.radius_m / 1000.0, 0.0)
        x, y = to_laea(site.lon, site.lat)
        out.append(
            SiteWarning(
                site_id=site.id,
                site_name=site.name,
                country=site.country,
                distance_to_line_km=lines.distance(shapely.Point(x, y)) / 1000.0,
                approaches=int(warning.size),
                worst_km=float(warning.min()),
                median_km=float(np.median(warning)),
                worst_min=float(warning.min() / speed * 60.0),
                median_min=float(np.median(warning) / speed * 60.0),
                unseen_share=float(np.mean(warning <= 0.0)),
            )
        )
    return out


def _approach_paths(
    site: Site, line: LineSamples, outside_km: float, settings: WarningSettings
) -> tuple[Points, npt.NDArray[np.int64], FloatArray] | None:
    """Samples of every approach path, the path each belongs to and the km left to the site."""
    sx, sy = (float(v) for v in to_laea(site.lon, site.lat))
    dx, dy = line.points.x - sx, line.points.y - sy
    distance = np.hypot(dx, dy)
    near = np.flatnonzero((distance <= settings.max_site_km * 1000.0) & (distance > 1.0))
    if near.size == 0:
        return None
    step = max(round(settings.approach_spacing_km / max(float(line.points.weight.mean()), 1e-9)), 1)
    starts = near[::step]
    xs, ys, owner, left = [], [], [], []
    for k, i in enumerate(starts):
        length = distance[i] + outside_km * 1000.0
        ux, uy = dx[i] / distance[i], dy[i] / distance[i]
        along = np.arange(length, 0.0, -settings.path_step_km * 1000.0)
        xs.append(sx + ux * along)
        ys.append(sy + uy * along)
        owner.append(np.full(along.size, k))
        left.append(along / 1000.0)
    x, y = np.concatenate(xs), np.concatenate(ys)
    return Points.at(x, y, np.zeros(x.size)), np.concatenate(owner), np.concatenate(left)
