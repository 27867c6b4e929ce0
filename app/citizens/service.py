"""Citizen accounts: identity, language, PIN checks with lockout."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.citizens.cnic_vault import lookup_hash
from app.citizens.identity import mask_cnic, normalise_cnic, normalise_msisdn
from app.citizens.models import LANGUAGES, Citizen
from app.citizens.pins import hash_pin, pin_matches, validate_new_pin
from app.errors import (
    AlreadyExists,
    CitizenNotFound,
    DomainError,
    PinLocked,
    PinNotSet,
    SimSwapHold,
    ValidationFailed,
    WrongPin,
)
from app.timeutil import utcnow

log = logging.getLogger("rabta.citizens")

MAX_PIN_ATTEMPTS = 3
PIN_LOCK_MINUTES = 15


def find_by_msisdn(*, session: Session, msisdn: str, region: str = "PK") -> Citizen | None:
    number = normalise_msisdn(msisdn, region)
    return session.exec(select(Citizen).where(Citizen.msisdn == number)).first()


@dataclass(frozen=True)
class Caller:
    """Who is on the line (a USSD session, a text): three columns, not a whole account."""

    citizen_id: int
    language: str
    has_pin: bool


# Built once: making a statement anew costs about as much as sending it (issue 15).
_CALLER = select(Citizen.id, Citizen.language, Citizen.pin_hash).where(col(Citizen.msisdn) == bindparam("msisdn"))


_CNIC_LINKED = col(Citizen.cnic_hash).is_not(None)
_ACCOUNT_BY_ID = select(Citizen.id, _CNIC_LINKED).where(col(Citizen.id) == bindparam("citizen_id"))
_ACCOUNT_BY_MSISDN = select(Citizen.id, _CNIC_LINKED).where(col(Citizen.msisdn) == bindparam("msisdn"))


def account_and_cnic_linked(*, session: Session, citizen_id: int | None, msisdn: str,
                            region: str = "PK") -> tuple[int, bool] | None:
    """The account (by id when the caller is known, else by number) and whether a CNIC is linked to it:
    one narrow row, the CNIC itself never unsealed."""
    if citizen_id is not None:
        row = session.connection().execute(_ACCOUNT_BY_ID, {"citizen_id": citizen_id}).first()
    else:
        row = session.connection().execute(_ACCOUNT_BY_MSISDN,
                                           {"msisdn": normalise_msisdn(msisdn, region)}).first()
    return (row[0], bool(row[1])) if row is not None else None


def caller_by_msisdn(*, session: Session, msisdn: str, region: str = "PK") -> Caller | None:
    """`find_by_msisdn` for the start of every USSD session and every inbound text: one narrow Core row
    instead of an ORM object with its CNIC decrypted (a tenth of a USSD hop's cost otherwise, issue 15)."""
    row = session.connection().execute(_CALLER, {"msisdn": normalise_msisdn(msisdn, region)}).first()
    return Caller(citizen_id=row[0], language=row[1], has_pin=bool(row[2])) if row is not None else None


def get_by_msisdn(*, session: Session, msisdn: str, region: str = "PK") -> Citizen:
    citizen = find_by_msisdn(session=session, msisdn=msisdn, region=region)
    if citizen is None:
        raise CitizenNotFound("No account is registered for that number.")
    return citizen


def get_citizen(*, session: Session, citizen_id: int) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise CitizenNotFound("No such citizen.")
    return citizen


def find_citizen_by_cnic(*, session: Session, cnic: str, verified_only: bool = False) -> Citizen | None:
    """The one CNIC lookup (every channel and the console call this). `verified_only`: only a number proven
    to belong to the CNIC (what may be told about the CNIC's bills)."""
    citizen = _holder_of(session, normalise_cnic(cnic))
    if citizen is not None and verified_only and citizen.cnic_verified_at is None:
        return None
    return citizen


def _holder_of(session: Session, digits: str) -> Citizen | None:
    # CNICs are sealed at rest with a randomised cipher: SQL can only compare the keyed hash.
    return session.exec(select(Citizen).where(Citizen.cnic_hash == lookup_hash(digits))).first()


def find_by_cnic(*, session: Session, cnic: str) -> Citizen | None:
    return find_citizen_by_cnic(session=session, cnic=cnic)


def opted_out_of_reminders(*, session: Session, citizen_id: int | None) -> bool:
    """The one opt-out rule: a citizen who sent STOP gets no non-essential messages."""
    if citizen_id is None:
        return False
    citizen = session.get(Citizen, citizen_id)
    return bool(citizen and citizen.sms_opt_out)


def validate_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed(f"Language must be one of {', '.join(LANGUAGES)}.",
                               field_errors={"language": "unsupported"})
    return language


def register_citizen(
    *, session: Session, msisdn: str, name: str = "", language: str = "en",
    cnic: str | None = None, pin: str | None = None, region: str = "PK",
) -> Citizen:
    number = normalise_msisdn(msisdn, region)
    if session.exec(select(Citizen).where(Citizen.msisdn == number)).first():
        raise AlreadyExists("That number already has an account.")
    citizen = Citizen(msisdn=number, name=name.strip(), language=validate_language(language))
    session.add(citizen)
    if cnic:
        set_cnic(session=session, citizen=citizen, cnic=cnic)
    if pin:
        citizen.pin_hash = hash_pin(validate_new_pin(pin))
    session.flush()
    log.info("citizen registered id=%s cnic=%s", citizen.id, mask_cnic(citizen.cnic))
    return citizen


def get_or_create_by_msisdn(*, session: Session, msisdn: str, region: str = "PK") -> Citizen:
    existing = find_by_msisdn(session=session, msisdn=msisdn, region=region)
    return existing or register_citizen(session=session, msisdn=msisdn, region=region)


def set_cnic(*, session: Session, citizen: Citizen, cnic: str) -> Citizen:
    """Record a CNIC someone vouches for (the demo seed, an agency's own register). Channels never call this:
    a citizen's claim goes through `app.identity.service.link_cnic`, which wants proof."""
    digits = normalise_cnic(cnic)
    if citizen.cnic == digits:
        return citizen
    if citizen.cnic:
        raise ValidationFailed("A CNIC, once set, cannot be changed here.", field_errors={"cnic": "already set"})
    holder = _holder_of(session, digits)
    if holder is not None and holder.id != citizen.id:
        raise AlreadyExists("That CNIC is linked to another number.")
    citizen.cnic = digits
    citizen.cnic_verified_at = citizen.updated_at = utcnow()
    session.add(citizen)
    return citizen


def set_language(*, session: Session, citizen: Citizen, language: str) -> Citizen:
    citizen.language = validate_language(language)
    citizen.updated_at = utcnow()
    session.add(citizen)
    return citizen


def set_sms_reminders(*, session: Session, citizen: Citizen, enabled: bool) -> Citizen:
    """The one writer of a citizen's opt-out (SMS STOP/START, the app's preferences, the console).
    Only non-essential messages (reminders) are affected; `notifications.service.dispatch` enforces it."""
    citizen.sms_opt_out = not enabled
    citizen.updated_at = utcnow()
    session.add(citizen)
    return citizen


def update_profile(*, session: Session, citizen: Citizen, name: str | None = None, cnic: str | None = None,
                   language: str | None = None, sms_reminders: bool | None = None) -> Citizen:
    if name is not None:
        citizen.name = name.strip()
    if cnic is not None:
        set_cnic(session=session, citizen=citizen, cnic=cnic)
    if language is not None:
        set_language(session=session, citizen=citizen, language=language)
    if sms_reminders is not None:
        set_sms_reminders(session=session, citizen=citizen, enabled=sms_reminders)
    citizen.updated_at = utcnow()
    session.add(citizen)
    session.flush()
    return citizen


def change_pin(*, session: Session, citizen: Citizen, new_pin: str, old_pin: str | None = None,
               code_verified: bool = False) -> DomainError | None:
    """Set or change the transaction PIN, on every channel.

    The first PIN needs nothing more. Changing an existing one needs the old PIN (counted by the
    lockout like any PIN attempt) or a one-time code just sent to the number (`code_verified`). A
    lockout is never cleared by a PIN change. A wrong old PIN is returned, not raised: the caller
    commits the attempt counter, then reports it.
    """
    validate_new_pin(new_pin, field="new_pin")
    if citizen.pin_hash and not code_verified:
        if not old_pin:
            raise ValidationFailed("Give your current PIN or a fresh one-time code.",
                                   field_errors={"old_pin": "required"})
        outcome = attempt_pin(session=session, citizen_id=citizen.id or 0, pin=old_pin)
        if outcome.error is not None:
            return outcome.error
    citizen.pin_hash = hash_pin(new_pin)
    citizen.updated_at = utcnow()
    session.add(citizen)
    session.flush()
    return None


@dataclass(frozen=True)
class PinOutcome:
    """The result of one PIN attempt. `error` is None when the PIN was right.

    Returned rather than raised so the caller can commit the attempt counter
    before reporting the failure (a rollback would forget the wrong try).
    """

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error


def attempt_pin(*, session: Session, citizen_id: int, pin: str) -> PinOutcome:
    """Check a PIN; three wrong ones lock PIN use for 15 minutes on every channel."""
    # Row lock: two concurrent wrong PINs must both count.
    citizen = session.get(Citizen, citizen_id, with_for_update=True)
    if citizen is None:
        raise CitizenNotFound("No such citizen.")
    now = utcnow()
    if citizen.sim_swap_hold_until and citizen.sim_swap_hold_until > now:  # app.identity.simswap
        return PinOutcome(SimSwapHold("This number's SIM changed recently.", until=citizen.sim_swap_hold_until))
    if citizen.pin_locked_until and citizen.pin_locked_until > now:
        return PinOutcome(PinLocked("Too many wrong PINs. Try again later.", until=citizen.pin_locked_until))
    if not citizen.pin_hash:
        return PinOutcome(PinNotSet("Set a PIN first."))
    if pin_matches(pin or "", citizen.pin_hash):
        if citizen.pin_failed_attempts or citizen.pin_locked_until:
            _record_pin_attempts(session, citizen, attempts=0, locked_until=None)
        return PinOutcome()
    attempts = citizen.pin_failed_attempts + 1
    locked_until = now + timedelta(minutes=PIN_LOCK_MINUTES) if attempts >= MAX_PIN_ATTEMPTS else None
    _record_pin_attempts(session, citizen, attempts=0 if locked_until else attempts, locked_until=locked_until)
    log.info("wrong PIN citizen=%s attempt=%s locked=%s", citizen_id, attempts, bool(locked_until))
    if locked_until:
        return PinOutcome(PinLocked("Too many wrong PINs. PIN use is locked for 15 minutes.", until=locked_until))
    return PinOutcome(WrongPin("Wrong PIN.", attempts_left=MAX_PIN_ATTEMPTS - attempts))


def _record_pin_attempts(session: Session, citizen: Citizen, *, attempts: int,
                         locked_until: datetime | None) -> None:
    citizen.pin_failed_attempts = attempts
    citizen.pin_locked_until = locked_until
    session.add(citizen)
    session.flush()
