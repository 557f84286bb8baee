"""Sensors' security labels as columns of ``sensors.parquet`` (``core.release``): the owner
nation, classification, releasable-to list (comma-separated alpha-3 codes and communities)
and policy of each sensor. A run written before labels existed has none of these columns:
its sensors read back with the default label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dronewall.core.errors import DataError
from dronewall.core.release import LabelError, SecurityLabel

LABEL_COLUMNS = ("label_owner", "label_classification", "label_releasable_to", "label_policy")


def label_columns(labels: Sequence[SecurityLabel]) -> dict[str, list[str]]:
    """One list per column of ``LABEL_COLUMNS``, a value per sensor."""
    return {
        "label_owner": [x.owner for x in labels],
        "label_classification": [x.classification for x in labels],
        "label_releasable_to": [",".join(sorted(x.releasable_to)) for x in labels],
        "label_policy": [x.policy for x in labels],
    }


def labels_from_columns(
    cols: dict[str, list[Any]], order: Sequence[int]
) -> tuple[SecurityLabel, ...]:
    """The labels of rows ``order`` of a sensors table; () when the table has no labels."""
    if "label_owner" not in cols:
        return ()
    out = []
    for i in order:
        try:
            rel = str(cols["label_releasable_to"][i] or "")
            out.append(
                SecurityLabel.make(
                    str(cols["label_owner"][i]),
                    str(cols["label_classification"][i]),
                    [x for x in rel.split(",") if x.strip()],
                    str(cols["label_policy"][i]),
                )
            )
        except (KeyError, IndexError, LabelError) as exc:
            raise DataError(f"sensors table row {i}: bad security label: {exc}") from exc
    return tuple(out)
