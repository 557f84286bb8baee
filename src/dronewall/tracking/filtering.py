"""The default filter: the IMM of extended Kalman filters over the track store, in place.

Prediction mixes and predicts every model of the given tracks (``motion``, Blom and
Bar-Shalom 1988); the update runs the compiled Kalman update on every model (``kalman``) and
reweights the model probabilities by each model's innovation likelihood.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.tracking import kalman
from dronewall.tracking.measurements import MeasurementGroup
from dronewall.tracking.store import TrackStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class ImmFilter:
    """IMM predict and update (``parts.Filter``)."""

    def predict(self, store: TrackStore, rows: IntArray, t: FloatArray) -> None:
        store.predict(rows, t)

    def update(
        self, store: TrackStore, group: MeasurementGroup, member: IntArray, track_rows: IntArray
    ) -> FloatArray:
        """Update every model; the mixture's innovation log-likelihood per track."""
        k, m = track_rows.size, store.models.size
        position = store.x[track_rows, :, :3].reshape(k * m, 3)
        rep = np.repeat(member, m)
        z_pred, H = group.predict(position, rep)
        nu = kalman.innovation(group.z[rep], z_pred, group.angular)
        ll = kalman.update_rows(store.x, store.P, track_rows, nu, H, group.R[rep])
        if m == 1:
            return np.asarray(ll[:, 0], float)
        top = ll.max(axis=1, keepdims=True)
        weights = store.mu[track_rows] * np.exp(ll - top)
        total = weights.sum(axis=1, keepdims=True)
        store.mu[track_rows] = weights / total
        return np.asarray(top[:, 0] + np.log(total[:, 0]), float)
