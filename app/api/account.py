"""The signed-in citizen's own account: profile edits and the transaction PIN.

Plain functions over the citizens service; the routes only translate HTTP.
"""

from __future__ import annotations

from sqlmodel import Session

from app.citizens.models import Citizen
from app.citizens.pins import validate_new_pin
from app.citizens.service import attempt_pin, set_cnic, set_language, set_pin
from app.errors import DomainError, ValidationFailed
from app.timeutil import utcnow


def update_profile(*, session: Session, citizen: Citizen, name: str | None = None, cnic: str | None = None,
                   language: str | None = None, sms_reminders: bool | None = None) -> Citizen:
    if name is not None:
        citizen.name = name.strip()
    if cnic is not None:
        set_cnic(session=session, citizen=citizen, cnic=cnic)
    if language is not None:
        set_language(session=session, citizen=citizen, language=language)
    if sms_reminders is not None:
        citizen.sms_opt_out = not sms_reminders
    citizen.updated_at = utcnow()
    session.add(citizen)
    session.flush()
    return citizen


def change_pin(*, session: Session, citizen: Citizen, new_pin: str, old_pin: str | None,
               otp_verified: bool) -> DomainError | None:
    """Set the first PIN freely; change it with the old PIN (counted by the lockout) or a fresh OTP.

    A wrong old PIN is returned, not raised: the caller commits the attempt counter, then raises it.
    """
    try:
        validate_new_pin(new_pin)
    except ValidationFailed as error:  # the API's field is `new_pin`
        raise ValidationFailed(error.detail, field_errors={"new_pin": error.field_errors.get("pin", "invalid")}) \
            from error
    if citizen.pin_hash and not otp_verified:
        if not old_pin:
            raise ValidationFailed("Give your current PIN or a fresh sign-in code.",
                                   field_errors={"old_pin": "required"})
        outcome = attempt_pin(session=session, citizen_id=citizen.id or 0, pin=old_pin)
        if outcome.error is not None:
            return outcome.error
    set_pin(session=session, citizen=citizen, new_pin=new_pin)
    return None

