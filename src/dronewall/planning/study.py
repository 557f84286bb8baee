"""One call per question: the coverage study of a laydown on an area (used by the command line
and by the siting report)."""

from __future__ import annotations

from dronewall.planning.areas import AreaGeometry
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.coverage import altitude_coverage, covered_polygon
from dronewall.planning.demand import grid_points, line_samples
from dronewall.planning.laydown import Laydown
from dronewall.planning.report.coverage_report import CoverageStudy
from dronewall.planning.warning import WarningSettings, site_warnings, sites_near
from dronewall.world import World

DEFAULT_ALTITUDES_M = (50.0, 150.0, 500.0)  # low-level bands named in issue #7
DEFAULT_WARNING = WarningSettings()


def coverage_study(
    geometry: AreaGeometry,
    laydown: Laydown,
    catalogue: SensorCatalogue,
    world: World,
    *,
    altitudes_m: tuple[float, ...] = DEFAULT_ALTITUDES_M,
    grid_m: float = 2000.0,
    line_step_m: float = 1000.0,
    warning: WarningSettings = DEFAULT_WARNING,
) -> CoverageStudy:
    """Coverage, gaps and warning depth of ``laydown`` at each altitude."""
    grid = grid_points(geometry.band, grid_m)
    line = line_samples(geometry.lines, line_step_m)
    sites = sites_near(geometry, world.sites, warning.max_site_km)
    results, warnings, covered = [], {}, {}
    for altitude in altitudes_m:
        results.append(altitude_coverage(laydown, catalogue, geometry, grid, line, altitude))
        warnings[altitude] = site_warnings(
            laydown, catalogue, geometry, line, sites, altitude, warning
        )
        covered[altitude] = covered_polygon(laydown, catalogue, geometry, altitude)
    return CoverageStudy(geometry, laydown, catalogue, tuple(results), warnings, covered)
