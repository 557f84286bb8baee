"""Report format 1.1 in the store: the new columns and identities of any length round-trip,
and a database made before the new columns (report format 1.0) gains them when a store opens
it, its old rows reading back as "not given" — on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import numpy as np

from dronewall.core.types import ReportBatch
from dronewall.records.parquet import COLUMNS_1_1
from dronewall.store.sql import SQLStore
from tests.store.conftest import RUN, Opener, assert_reports_equal, reports, run_info


def test_format_1_1_columns_and_long_identities_round_trip(run_store: SQLStore) -> None:
    batch = reports(40)
    run_store.add_reports(RUN, batch)
    got = run_store.reports(RUN)
    assert_reports_equal(got, batch)
    assert {"1581F5FJD23190000K7Z", "0f8e2b7c5d4a49f6b1e3a2c4d5e6f708"} <= set(got.identity)
    assert (got.emitter_category > 0).any() and np.isfinite(got.rcs_dbsm).any()


def _drop_new_columns(store: SQLStore) -> None:
    """Make the store's database look like one created before report format 1.1."""
    with store._backend.transaction(write=True) as s:
        for name in COLUMNS_1_1:
            s.execute(f"ALTER TABLE reports DROP COLUMN {name}")


def _old_rows(store: SQLStore, batch: ReportBatch) -> None:
    """Insert ``batch`` as a 1.0 store did: without the 1.1 columns."""
    from dronewall.store.rows import REPORT_COLUMNS, report_rows

    keep = [i for i, c in enumerate(REPORT_COLUMNS) if c.name not in COLUMNS_1_1]
    rows = [(r[0], *(r[1 + i] for i in keep)) for r in report_rows(RUN, batch)]
    columns = ("run_id", *(REPORT_COLUMNS[i].name for i in keep))
    with store._backend.transaction(write=True) as s:
        s.insert("reports", columns, rows)


def test_an_older_database_gains_the_new_columns(opener: Opener) -> None:
    old = opener()
    old.start_run(run_info())
    _drop_new_columns(old)
    before = reports(12)
    _old_rows(old, before)
    old.close()

    store = opener()  # adds the missing columns
    got = store.reports(RUN)
    assert len(got) == 12
    not_given = ReportBatch.allocate(12)
    for name in COLUMNS_1_1:
        np.testing.assert_array_equal(getattr(got, name), getattr(not_given, name), name)
    np.testing.assert_array_equal(got.identity, before.identity)
    newer = reports(5, first_id=100)
    store.add_reports(RUN, newer)
    assert_reports_equal(store.reports(RUN).take(np.arange(12, 17)), newer)
