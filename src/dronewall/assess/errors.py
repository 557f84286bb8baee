"""Errors of the alert lifecycle, under ``dronewall.core.errors.DronewallError``::

DronewallError
 └── AlertError                 an alert operation that cannot be done
      ├── UnknownAlertError      no alert with that id (never raised, or long cleared)
      └── IllegalTransitionError the action is not allowed from the alert's state
"""

from __future__ import annotations

from dronewall.core.errors import DronewallError


class AlertError(DronewallError):
    """An alert operation that cannot be done."""


class UnknownAlertError(AlertError):
    def __init__(self, alert_id: int):
        self.alert_id = alert_id
        super().__init__(f"no alert {alert_id}")


class IllegalTransitionError(AlertError):
    """``action`` on alert ``alert_id`` in ``state``; ``allowed`` names the states it needs."""

    def __init__(self, alert_id: int, action: str, state: str, allowed: tuple[str, ...]):
        self.alert_id = alert_id
        self.action = action
        self.state = state
        self.allowed = allowed
        super().__init__(
            f"cannot {action} alert {alert_id}: it is {state}; "
            f"{action} is allowed only from {' or '.join(allowed)}"
        )
