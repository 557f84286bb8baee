"""Errors of the stores, under ``dronewall.core.errors.DronewallError``::

DronewallError
 ├── NotFoundError              a run asked for (or written to) that was never started
 └── StoreError                 a write or read the store cannot do: a duplicate run or
                                frame, malformed input, a closed store, or the database's own
                                error (kept as ``__cause__``)

A store never lets a raw ``sqlite3`` or ``psycopg`` exception escape.
"""

from __future__ import annotations

from dronewall.core.errors import DronewallError


class StoreError(DronewallError):
    """``run_id`` names the run the operation was about ("" when none)."""

    def __init__(self, message: str, *, run_id: str = ""):
        self.run_id = run_id
        super().__init__(f"run {run_id!r}: {message}" if run_id else message)
