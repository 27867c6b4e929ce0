"""The signed-in citizen: profile, preferences, transaction PIN."""

from __future__ import annotations

from app.api import bp
from app.api.auth import citizen_id
from app.api.framework import operation
from app.api.schemas.citizen import MeOut, MePatch, NotificationPreferences, PinChange
from app.auth.otp import check_otp
from app.citizens.identity import mask_cnic
from app.citizens.models import Citizen
from app.citizens.service import change_pin, get_citizen, update_profile
from app.identity.registry import identity_provider
from app.identity.service import link_cnic
from app.runtime import current

TAG = "Me"


def _me_out(citizen: Citizen) -> MeOut:
    return MeOut(id=citizen.id or 0, msisdn=citizen.msisdn, name=citizen.name,
                 cnic=mask_cnic(citizen.cnic) or None, language=citizen.language,  # type: ignore[arg-type]
                 has_pin=bool(citizen.pin_hash),
                 notification_preferences=NotificationPreferences(sms_reminders=not citizen.sms_opt_out))


@operation(bp, "GET", "/me", summary="My account", tag=TAG, auth="citizen", response=MeOut)
def get_me() -> MeOut:
    with current().db.reading() as session:
        return _me_out(get_citizen(session=session, citizen_id=citizen_id()))


@operation(bp, "PATCH", "/me", summary="Update my name, CNIC, language or preferences", tag=TAG, auth="citizen",
           body=MePatch, response=MeOut)
def patch_me(body: MePatch) -> MeOut:
    """The CNIC can be set once. It needs proof that this number is registered to it (the identity
    port): without a positive answer it is refused (403 `identity_not_verified`) or held for an officer
    (the profile then shows no CNIC until it is approved; the decision comes by SMS)."""
    prefs = body.notification_preferences
    runtime = current()
    with runtime.db.transaction() as session:
        citizen = get_citizen(session=session, citizen_id=citizen_id())
        update_profile(session=session, citizen=citizen, name=body.name, language=body.language,
                       sms_reminders=prefs.sms_reminders if prefs else None)
        if body.cnic is not None:
            link_cnic(session=session, citizen=citizen, cnic=body.cnic, identity=identity_provider(runtime.settings))
        return _me_out(citizen)


@operation(bp, "PUT", "/me/pin", summary="Set or change my transaction PIN", tag=TAG, auth="citizen",
           body=PinChange, status=204)
def put_pin(body: PinChange) -> None:
    """The first PIN needs nothing more; changing it needs `old_pin` or a fresh sign-in code in `otp`.
    Three wrong PINs lock PIN use for 15 minutes on every channel."""
    runtime = current()
    with runtime.db.transaction() as session:
        citizen = get_citizen(session=session, citizen_id=citizen_id())
        if body.otp:
            check_otp(redis=runtime.redis, secret=runtime.settings.SECRET_KEY, msisdn=citizen.msisdn, code=body.otp)
        failure = change_pin(session=session, citizen=citizen, new_pin=body.new_pin, old_pin=body.old_pin,
                             code_verified=bool(body.otp))
    if failure is not None:  # raised after commit, so the wrong attempt is counted
        raise failure
