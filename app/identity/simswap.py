"""SIM-swap defence: a number whose SIM changed recently (the identity port says so) gets a hold.

For `SIM_SWAP_HOLD_HOURS` (24) after the change is first seen, PIN-protected actions (paying with a PIN,
changing the PIN, linking a CNIC with the PIN; `app.citizens.service.attempt_pin` refuses them) and new app
sign-ins are refused, and the citizen is told on the number once, so the real owner, who lost the line,
learns of it from the message and a fraudster with the new SIM cannot act at once. The hold is armed the first
time the port reports the change (a real adapter reports when; the sandbox's `7777` rule is permanent, so
it is armed once).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from app.citizens.identity import mask_msisdn
from app.citizens.models import Citizen
from app.errors import SimSwapHold
from app.identity.port import IdentityPort
from app.notifications.service import queue_notification
from app.timeutil import utcnow

log = logging.getLogger("rabta.identity")


def arm_sim_swap_hold(*, session: Session, citizen: Citizen, identity: IdentityPort, hours: int,
                      now: datetime | None = None) -> datetime | None:
    """Ask the port about the citizen's SIM; on a recent change first seen now, hold for `hours` and queue the
    message. Returns the end of the hold in force (None: no hold)."""
    moment = now or utcnow()
    if citizen.sim_swap_hold_until is None and identity.sim_changed_recently(citizen.msisdn):
        citizen.sim_swap_hold_until = moment + timedelta(hours=hours)
        session.add(citizen)
        session.flush()
        queue_notification(session=session, kind="sim_swap", template="notify.sim_swap_hold",
                           params={"hours": hours}, citizen=citizen)
        log.info("SIM change on %s: PIN actions and new sign-ins held %s h", mask_msisdn(citizen.msisdn), hours)
    return held_until(citizen, moment)


def held_until(citizen: Citizen, now: datetime | None = None) -> datetime | None:
    until = citizen.sim_swap_hold_until
    return until if until is not None and until > (now or utcnow()) else None


def refuse_if_held(citizen: Citizen) -> None:
    until = held_until(citizen)
    if until is not None:
        raise SimSwapHold("This number's SIM changed recently; this is on hold for a while.", until=until)
