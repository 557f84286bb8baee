"""The coverage report (HTML, JSON, GeoJSON) of a laydown on an area, used by ``plan coverage``
and ``plan siting``. GeoJSON follows RFC 7946 (lon/lat WGS-84)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import shapely

from dronewall.planning.areas import AreaGeometry
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.coverage import AltitudeCoverage
from dronewall.planning.geometry import geometry_to_lonlat
from dronewall.planning.laydown import Laydown
from dronewall.planning.report import html, plots
from dronewall.planning.warning import SiteWarning


@dataclass(frozen=True, slots=True)
class CoverageStudy:
    """Everything ``plan coverage`` computed, ready to report."""

    geometry: AreaGeometry
    laydown: Laydown
    catalogue: SensorCatalogue
    altitudes: tuple[AltitudeCoverage, ...]
    warnings: dict[float, list[SiteWarning]]
    covered: dict[float, shapely.Geometry]  # LAEA polygons per altitude, for maps


def to_json(study: CoverageStudy) -> dict[str, Any]:
    return {
        "area": study.geometry.area.name,
        "stretches": [s.label for s in study.geometry.area.stretches],
        "laydown": study.laydown.name,
        "sensors": study.laydown.counts(),
        "cost_eur": study.laydown.cost_eur(study.catalogue),
        "threat": asdict(study.catalogue.threat),
        "altitudes": [
            {
                **{k: v for k, v in asdict(a).items() if k != "gaps"},
                "gaps": [_gap(g) for g in a.gaps],
            }
            for a in study.altitudes
        ],
        "warning": {str(h): [asdict(w) for w in ws] for h, ws in study.warnings.items()},
    }


def _gap(gap: Any) -> dict[str, Any]:
    return {"stretch": gap.stretch, "length_km": gap.length_km, "start": gap.start, "end": gap.end}


def to_geojson(study: CoverageStudy) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for sensor_id, type_id, lat, lon in zip(
        study.laydown.ids, study.laydown.types, study.laydown.lat, study.laydown.lon, strict=True
    ):
        features.append(
            _feature(
                {"type": "Point", "coordinates": [float(lon), float(lat)]},
                kind="sensor",
                id=sensor_id,
                sensor_type=type_id,
            )
        )
    for altitude in study.altitudes:
        for gap in altitude.gaps:
            coords = [list(p) for p in gap.path] if len(gap.path) > 1 else [list(gap.path[0])] * 2
            features.append(
                _feature(
                    {"type": "LineString", "coordinates": coords},
                    kind="gap",
                    altitude_m=altitude.altitude_m,
                    stretch=gap.stretch,
                    length_km=round(gap.length_km, 2),
                )
            )
    for altitude_m, polygon in study.covered.items():
        shape = shapely.geometry.mapping(geometry_to_lonlat(polygon))
        features.append(_feature(dict(shape), kind="covered", altitude_m=altitude_m))
    band = shapely.geometry.mapping(geometry_to_lonlat(study.geometry.band.simplify(500.0)))
    features.append(_feature(dict(band), kind="watched-band"))
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def to_html(study: CoverageStudy, title: str, extra: list[str] | None = None) -> str:
    """The whole coverage report page."""
    sections = html_sections(study) + (extra or [])
    return html.page(title, f"dronewall plan — {study.geometry.area.name}", sections)


def html_sections(study: CoverageStudy) -> list[str]:
    """The report's sections, to include in another report (e.g. procurement's "where")."""
    cat, lay = study.catalogue, study.laydown
    rows = [
        [
            f"{a.altitude_m:.0f} m",
            round(a.area_km2),
            round(a.seen_km2),
            f"{_pct(a.seen_km2, a.area_km2)}",
            round(a.fixed_km2),
            f"{_pct(a.fixed_km2, a.area_km2)}",
            round(a.line_km),
            round(a.seen_line_km),
            f"{_pct(a.seen_line_km, a.line_km)}",
            len(a.gaps),
        ]
        for a in study.altitudes
    ]
    buy = [
        [
            t,
            n,
            cat.get(t).name,
            html.eur(cat.get(t).unit_price_eur),
            html.eur(n * cat.get(t).unit_price_eur),
            cat.get(t).supplier,
            cat.get(t).origin,
            "illustrative" if cat.get(t).illustrative else cat.get(t).price_source,
        ]
        for t, n in lay.counts().items()
    ]
    lowest = study.altitudes[0]
    covered = study.covered.get(lowest.altitude_m)
    sensors = {
        t: (
            lay.lon[[i for i, x in enumerate(lay.types) if x == t]].tolist(),
            lay.lat[[i for i, x in enumerate(lay.types) if x == t]].tolist(),
        )
        for t in lay.counts()
    }
    figure = plots.map_svg(
        geometry_to_lonlat(study.geometry.band.simplify(1000.0)),
        [geometry_to_lonlat(line) for line in study.geometry.lines],
        sensors,
        [g.path for g in lowest.gaps],
        geometry_to_lonlat(covered) if covered is not None else None,
    )
    sections = [
        html.section(
            "Summary",
            html.paragraph(
                f"Area {study.geometry.area.name}: "
                f"{', '.join(s.label for s in study.geometry.area.stretches)}; watched band "
                f"{study.geometry.area.inside_km:g} km inside and "
                f"{study.geometry.area.outside_km:g} km beyond the line."
            ),
            html.paragraph(
                f"{len(lay)} sensors costing {html.eur(lay.cost_eur(cat))}; design threat: "
                f"{cat.threat.name}, RCS {cat.threat.rcs_m2} m², {cat.threat.speed_kmh:g} "
                f"km/h, seen at per-look P_d ≥ {cat.threat.required_pd}."
            ),
            html.table(
                [
                    "altitude",
                    "band km²",
                    "seen km²",
                    "seen",
                    "fixed km²",
                    "fixed",
                    "line km",
                    "seen km",
                    "seen",
                    "gaps",
                ],
                rows,
            ),
            html.paragraph(
                "'Seen': at least one sensor detects the threat. 'Fixed': a radar sees it, or "
                "at least two bearing sensors do (triangulation). Terrain is not modelled "
                "(smooth 4/3-Earth horizon).",
                "muted",
            ),
        ),
        html.section(
            "What to buy",
            html.table(
                [
                    "type",
                    "count",
                    "system",
                    "unit price",
                    "total",
                    "supplier",
                    "origin",
                    "price source",
                ],
                buy,
            ),
        ),
        html.section(
            "Map",
            html.figure(
                figure,
                f"Watched band (grey), covered at {lowest.altitude_m:.0f} m (green), watched "
                "line (black), gaps (red), sensors.",
            ),
        ),
        html.section(
            "Longest gaps",
            html.table(
                ["altitude", "stretch", "length km", "from (lat, lon)", "to (lat, lon)"],
                [
                    [
                        f"{a.altitude_m:.0f} m",
                        g.stretch,
                        round(g.length_km, 1),
                        _ll(g.start),
                        _ll(g.end),
                    ]
                    for a in study.altitudes
                    for g in a.gaps[:8]
                ],
            ),
        ),
        html.section(
            "Depth of warning before protected sites",
            *[_warning_table(h, ws) for h, ws in study.warnings.items()],
        ),
    ]
    return sections


def _warning_table(altitude: float, warnings: list[SiteWarning]) -> str:
    rows = [
        [
            w.site_name,
            w.country,
            round(w.distance_to_line_km),
            w.approaches,
            round(w.worst_km, 1),
            round(w.median_km, 1),
            round(w.worst_min, 1),
            round(w.median_min, 1),
            f"{w.unseen_share:.0%}",
        ]
        for w in warnings
    ]
    if not rows:
        return html.paragraph(
            f"At {altitude:.0f} m: no protected site of a defended country near the line."
        )
    return html.paragraph(
        f"At {altitude:.0f} m, straight approaches from beyond the line:"
    ) + html.table(
        [
            "site",
            "country",
            "km from line",
            "paths",
            "worst km",
            "median km",
            "worst min",
            "median min",
            "unseen paths",
        ],
        rows,
    )


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole > 0 else "—"


def _ll(point: tuple[float, float]) -> str:
    return f"{point[0]:.3f}, {point[1]:.3f}"


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, default=float)
