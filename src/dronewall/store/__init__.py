"""Recording the live picture: every report, track state, alert event and operator action.

``open_store(url)`` opens the store a URL names: ``SQLiteStore`` (embedded, the default) or
``PostgresStore``. Both implement the ``Store`` protocol with the same semantics (``sql.py``),
retention included (``RetentionPolicy``, ``retention.py``).
"""

from dronewall.store.audit import AuditLog
from dronewall.store.base import ActionRecord, RawMessage, RunInfo, Store, TrackHistory
from dronewall.store.errors import StoreError
from dronewall.store.frame import Affiliation, PictureFrame
from dronewall.store.postgres import PostgresStore
from dronewall.store.retention import RetentionPolicy, RetentionResult
from dronewall.store.sqlite import SQLiteStore
from dronewall.store.url import open_store

__all__ = [
    "ActionRecord",
    "Affiliation",
    "AuditLog",
    "PictureFrame",
    "PostgresStore",
    "RawMessage",
    "RetentionPolicy",
    "RetentionResult",
    "RunInfo",
    "SQLiteStore",
    "Store",
    "StoreError",
    "TrackHistory",
    "open_store",
]
