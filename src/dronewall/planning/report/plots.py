"""Plots for the reports, drawn with matplotlib's object API (no pyplot, no global state) and
returned as SVG markup to inline in HTML."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def to_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def map_svg(
    band: BaseGeometry,
    lines: Sequence[BaseGeometry],
    sensors: dict[str, tuple[Sequence[float], Sequence[float]]],
    gaps: Sequence[Sequence[tuple[float, float]]] = (),
    covered: BaseGeometry | None = None,
) -> str:
    """A lon/lat map: band (grey), covered area (green), lines (black), gaps (red), sensors."""
    fig = Figure(figsize=(9, 7))
    ax = fig.add_subplot()
    _fill(ax, band, "#e4e7ec")
    if covered is not None:
        _fill(ax, covered, "#b7e4c7")
    for line in lines:
        for part in getattr(line, "geoms", [line]):
            x, y = part.xy
            ax.plot(x, y, color="black", linewidth=0.8)
    for k, gap in enumerate(gaps):
        ax.plot(
            [p[0] for p in gap],
            [p[1] for p in gap],
            color="#d00000",
            linewidth=2.5,
            label="gap" if k == 0 else None,
        )
    for k, (name, (lon, lat)) in enumerate(sensors.items()):
        ax.scatter(
            lon,
            lat,
            s=3,
            alpha=0.8,
            color=_COLOURS[k % len(_COLOURS)],
            label=f"{name} ({len(lon)})",
            zorder=3,
        )
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_aspect(1.6)
    ax.legend(loc="best", fontsize=8)
    return to_svg(fig)


def _fill(ax: object, geometry: BaseGeometry, colour: str) -> None:
    for poly in getattr(geometry, "geoms", [geometry]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        x, y = poly.exterior.xy
        ax.fill(x, y, color=colour, linewidth=0)  # type: ignore[attr-defined]


def bars_svg(
    labels: Sequence[str], series: dict[str, Sequence[float]], ylabel: str, stacked: bool = False
) -> str:
    """Grouped (or stacked) bars, one group per label."""
    fig = Figure(figsize=(8, 3.6))
    ax = fig.add_subplot()
    count = len(series)
    width = 0.8 if stacked else 0.8 / max(count, 1)
    bottom = [0.0] * len(labels)
    for k, (name, values) in enumerate(series.items()):
        xs = [i + (0 if stacked else (k - (count - 1) / 2) * width) for i in range(len(labels))]
        ax.bar(
            xs,
            values,
            width=width,
            bottom=bottom if stacked else None,
            label=name,
            color=_COLOURS[k % len(_COLOURS)],
        )
        if stacked:
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return to_svg(fig)


def line_svg(
    x: Sequence[float], series: dict[str, Sequence[float]], xlabel: str, ylabel: str
) -> str:
    fig = Figure(figsize=(7, 3.4))
    ax = fig.add_subplot()
    for k, (name, values) in enumerate(series.items()):
        ax.plot(x, values, marker="o", label=name, color=_COLOURS[k % len(_COLOURS)])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return to_svg(fig)
