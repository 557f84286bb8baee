"""Planning: where to put sensors (coverage, siting) and what to buy with whom (procurement).

Layer 2: uses ``core``, ``models`` (the same propagation physics as the simulator) and
``world`` (real borders, coasts and protected sites). Method notes are in each module's
docstring; file formats and usage in ``docs/planning.md``.
"""

from dronewall.planning.areas import (
    NAMED_AREAS,
    Area,
    AreaGeometry,
    Stretch,
    border_area,
    named_area,
    resolve,
)
from dronewall.planning.candidates import (
    Candidates,
    generate_candidates,
    load_candidates,
    parse_candidates,
    spacing_for_count,
)
from dronewall.planning.catalogue import (
    SensorCatalogue,
    SensorClass,
    SensorType,
    Threat,
    load_catalogue,
    parse_catalogue,
)
from dronewall.planning.coverage import (
    AltitudeCoverage,
    Gap,
    SensorCounts,
    altitude_coverage,
    sensor_counts,
)
from dronewall.planning.demand import LineSamples, Points, grid_points, line_samples
from dronewall.planning.laydown import Laydown, laydown_toml, load_laydown, parse_laydown
from dronewall.planning.siting import SitingProblem, SitingResult, solve_siting
from dronewall.planning.study import coverage_study
from dronewall.planning.warning import SiteWarning, WarningSettings, site_warnings

__all__ = [
    "NAMED_AREAS",
    "AltitudeCoverage",
    "Area",
    "AreaGeometry",
    "Candidates",
    "Gap",
    "Laydown",
    "LineSamples",
    "Points",
    "SensorCatalogue",
    "SensorClass",
    "SensorCounts",
    "SensorType",
    "SiteWarning",
    "SitingProblem",
    "SitingResult",
    "Stretch",
    "Threat",
    "WarningSettings",
    "altitude_coverage",
    "border_area",
    "coverage_study",
    "generate_candidates",
    "grid_points",
    "laydown_toml",
    "line_samples",
    "load_candidates",
    "load_catalogue",
    "load_laydown",
    "named_area",
    "parse_candidates",
    "parse_catalogue",
    "parse_laydown",
    "resolve",
    "sensor_counts",
    "site_warnings",
    "solve_siting",
    "spacing_for_count",
]
