"""The report of a proof: shares detected and tracked before the depth line, warning per target."""

from __future__ import annotations

from typing import Any

import numpy as np

from dronewall.evaluate.prove import ProveResult
from dronewall.planning.report import html, plots


def target_rows(result: ProveResult) -> list[list[object]]:
    rows: list[list[object]] = []
    names = sorted({n for r in result.runs for n in r.warnings})
    for name in names:
        found = [w for r in result.runs for w in r.warnings.get(name, [])]
        if not found:
            rows.append([name, 0, "—", "—", "—", "—"])
            continue
        det = np.array([w[0] for w in found])
        trk = np.array([w[1] for w in found])
        rows.append(
            [
                name,
                len(found),
                round(float(np.median(det)), 1),
                round(float(det.min()), 1),
                round(float(np.median(trk)), 1),
                round(float(trk.min()), 1),
            ]
        )
    return rows


def to_json(result: ProveResult, laydown: str, raid: str) -> dict[str, Any]:
    return {
        "laydown": laydown,
        "raid": raid,
        "depth_km": result.depth_km,
        "detected_share": result.share("detected"),
        "tracked_share": result.share("tracked"),
        "tracker": result.tracker,
        "tracker_is_stand_in": result.stand_in,
        "runs": [
            {
                "seed": r.seed,
                "drones": r.drones,
                "penetrated": r.penetrated,
                "detected": r.detected,
                "tracked": r.tracked,
            }
            for r in result.runs
        ],
        "targets": [
            dict(
                zip(
                    [
                        "target",
                        "arrivals",
                        "median_detected_min",
                        "worst_detected_min",
                        "median_tracked_min",
                        "worst_tracked_min",
                    ],
                    row,
                    strict=True,
                )
            )
            for row in target_rows(result)
        ],
    }


def to_html(result: ProveResult, laydown: str, raid: str) -> str:
    seeds = [str(r.seed) for r in result.runs]
    svg = plots.bars_svg(
        seeds,
        {
            "detected": [r.detected / r.penetrated if r.penetrated else 0 for r in result.runs],
            "tracked": [r.tracked / r.penetrated if r.penetrated else 0 for r in result.runs],
        },
        f"share before {result.depth_km:g} km inside",
    )
    run_rows = [[r.seed, r.drones, r.penetrated, r.detected, r.tracked] for r in result.runs]
    sections = [
        html.section(
            "Summary",
            html.paragraph(
                f"{len(result.runs)} runs of raid {raid} against laydown {laydown}. Of the "
                f"drones that got {result.depth_km:g} km inside a defended country, "
                f"{result.share('detected'):.1%} had been detected and "
                f"{result.share('tracked'):.1%} tracked before they got there."
            ),
            _tracker_note(result),
            html.figure(svg, "Share of penetrating drones detected and tracked in time, per seed."),
            html.table(
                [
                    "seed",
                    "hostile drones",
                    f"reached {result.depth_km:g} km inside",
                    "detected before",
                    "tracked before",
                ],
                run_rows,
            ),
        ),
        html.section(
            "Warning at each target",
            html.table(
                [
                    "target",
                    "drones arrived",
                    "median warning, detected (min)",
                    "worst (min)",
                    "median warning, tracked (min)",
                    "worst (min)",
                ],
                target_rows(result),
            ),
        ),
    ]
    return html.page(f"Proof of laydown {laydown}", f"dronewall plan prove — raid {raid}", sections)


def _tracker_note(result: ProveResult) -> str:
    """What "tracked" means; a warning when it was not measured with a real tracker."""
    if result.stand_in:
        return html.note(
            f"'Tracked' uses a STAND-IN rule, not a tracker ({result.tracker}). Run without it "
            "for the real tracker's figures."
        )
    return html.paragraph(f"'Tracked' is measured with the real tracker: {result.tracker}.")
