"""An alert as a CoT event of its own: an alarm beside the track it is on.

Type ``b-l``, "Alarm" in MITRE's ``CoTtypes.xml`` (its bits-alarm branch: ``b-l-…`` are kinds
of alarm, none of them for an air intrusion, so the root). We do not use ATAK's emergency
types (``b-a-o-tbl`` "911", ``b-a-o-pan`` "ring the bell"): those say the *sender* is in
trouble, and a TAK client raises them as its own user's emergency. The alarm stands at the
track's position, links to the track's event (``<link relation="p-p">``) and says in its
remarks which site is threatened, how urgent and what the operators did. A cleared alert is
sent once more, already stale, so clients drop it. The track itself carries the alert too:
its affiliation is hostile and its remarks say ``ALERT <id>``.
"""

from __future__ import annotations

import math

from dronewall.sensors.cot.event import MAX_REMARKS, CotEvent, Link, clean_text

ALARM_TYPE = "b-l"
HOW_MACHINE = "m-g"  # machine-generated


def alarm_uid(node: str, alert_id: int) -> str:
    return f"dronewall-{clean_text(node)}-alert-{int(alert_id)}"


def alarm_event(
    *,
    node: str,
    alert_id: int,
    state: str,
    site_id: str,
    priority: float,
    message: str,
    track: CotEvent,
    now_s: float,
    stale_s: float,
) -> CotEvent:
    """The alarm for alert ``alert_id`` on ``track`` (its event as just built); ``stale_s``
    absolute (``now_s`` to withdraw it)."""
    urgency = f"priority {priority:.0f}" if math.isfinite(priority) else "priority unknown"
    remarks = f"ALERT {int(alert_id)} {state}: {site_id or 'no site'}, {urgency}"
    if message:
        remarks += f"; {message}"
    return CotEvent(
        uid=alarm_uid(node, alert_id),
        type=ALARM_TYPE,
        how=HOW_MACHINE,
        time_s=now_s,
        stale_s=stale_s,
        lat=track.lat,
        lon=track.lon,
        hae=track.hae,
        ce=track.ce,
        callsign=clean_text(f"ALERT {int(alert_id)} {site_id}".strip(), 60),
        remarks=clean_text(remarks, MAX_REMARKS),
        access=track.access,
        links=(Link(uid=track.uid, type=track.type),),
    )
