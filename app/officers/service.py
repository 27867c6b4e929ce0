"""Officer accounts: create, sign in (5 wrong passwords lock the account for 15 minutes), TOTP, disable.

Passwords are hashed with scrypt, the slow KDF the citizens' PINs use (`app.citizens.pins`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from sqlmodel import Session, col, select

from app.catalogue.models import Agency
from app.catalogue.service import get_agency
from app.citizens.pins import hash_pin, pin_matches
from app.errors import AlreadyExists, DomainError, NotFound, ValidationFailed
from app.officers.models import Officer
from app.officers_scope import ROLES, OfficerScope
from app.timeutil import utcnow

log = logging.getLogger("rabta.officers")

MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
CONSOLE_LANGUAGES = ("en", "ur")


class SecondFactorFailed(DomainError):
    code = "second_factor_failed"
    http_status = 401
    message_key = "console.login.totp_failed"


@dataclass(frozen=True)
class NewOfficer:
    officer: Officer
    password: str  # shown to the operator once, never stored


def normalise_email(email: str) -> str:
    value = (email or "").strip().lower()
    if "@" not in value or len(value) > 254 or " " in value:
        raise ValidationFailed("Enter an email address.", field_errors={"email": "invalid"})
    return value


def create_officer(*, session: Session, email: str, role: str, agency_code: str | None,
                   password: str | None = None, with_totp: bool = False) -> NewOfficer:
    """A new account; an admin belongs to no agency, everyone else to exactly one."""
    address = normalise_email(email)
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field_errors={"role": "unknown"})
    agency = None
    if role != "admin":
        if not agency_code:
            raise ValidationFailed("An officer or supervisor belongs to an agency.",
                                   field_errors={"agency": "required"})
        agency = get_agency(session=session, code=agency_code)
    if session.exec(select(Officer.id).where(Officer.email == address)).first() is not None:
        raise AlreadyExists("An officer with that email exists.")
    secret = password or secrets.token_urlsafe(12)
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("A password has at least 12 characters.", field_errors={"password": "too short"})
    officer = Officer(email=address, role=role, agency_id=agency.id if agency else None,
                      password_hash=hash_pin(secret), totp_secret=pyotp.random_base32() if with_totp else None)
    session.add(officer)
    session.flush()
    log.info("officer %s created (role %s)", officer.id, role)
    return NewOfficer(officer=officer, password=secret)


def authenticate(*, session: Session, email: str, password: str) -> Officer | None:
    """The officer these credentials belong to, or None for a wrong email or password, a locked or a disabled
    account (one indistinguishable answer). Five wrong passwords in a row lock the account for 15 minutes;
    returned rather than raised so the caller commits the attempt counter."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        return None
    officer = session.exec(select(Officer).where(Officer.email == address).with_for_update()).first()
    if officer is None:
        return None
    now = utcnow()
    if officer.locked_until and officer.locked_until > now:
        return None
    if not pin_matches(password or "", officer.password_hash):
        officer.failed_attempts += 1
        if officer.failed_attempts >= MAX_FAILED_SIGN_INS:
            officer.failed_attempts, officer.locked_until = 0, now + timedelta(minutes=LOCK_MINUTES)
            log.info("officer %s locked after %s wrong passwords", officer.id, MAX_FAILED_SIGN_INS)
        session.add(officer)
        session.flush()
        return None
    if officer.disabled_at is not None:
        return None
    if officer.failed_attempts or officer.locked_until:
        officer.failed_attempts, officer.locked_until = 0, None
        session.add(officer)
        session.flush()
    return officer


def verify_totp(officer: Officer, code: str) -> None:
    if not officer.totp_secret or not pyotp.TOTP(officer.totp_secret).verify((code or "").strip(), valid_window=1):
        raise SecondFactorFailed("That code is not right.")


def start_totp_enrolment() -> str:
    return pyotp.random_base32()


def totp_uri(officer: Officer, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=officer.email, issuer_name="Rabta")


def enrol_totp(*, session: Session, officer_id: int, secret: str, code: str) -> Officer:
    officer = get_officer(session=session, officer_id=officer_id)
    if not pyotp.TOTP(secret).verify((code or "").strip(), valid_window=1):
        raise SecondFactorFailed("That code is not right.")
    officer.totp_secret = secret
    session.add(officer)
    return officer


def get_officer(*, session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise NotFound("No such officer.")
    return officer


def active_scope(*, session: Session, officer_id: int) -> OfficerScope | None:
    """The signed-in officer as pages see them, or None when the account is gone or disabled (checked on
    every request, so disabling an officer ends their live session at once)."""
    officer = session.get(Officer, officer_id)
    if officer is None or officer.disabled_at is not None:
        return None
    return scope_of(officer)


def scope_of(officer: Officer) -> OfficerScope:
    return OfficerScope(officer_id=officer.id or 0, email=officer.email, role=officer.role,
                        agency_id=officer.agency_id, language=officer.language)


def set_language(*, session: Session, officer_id: int, language: str) -> Officer:
    if language not in CONSOLE_LANGUAGES:
        raise ValidationFailed("Unsupported language.", field_errors={"language": "unsupported"})
    officer = get_officer(session=session, officer_id=officer_id)
    officer.language = language
    session.add(officer)
    return officer


def find_officer(*, session: Session, email: str, agency_id: int | None = None) -> Officer:
    """By email; with `agency_id`, only that agency's (another agency's officer does not exist for you)."""
    officer = session.exec(select(Officer).where(Officer.email == normalise_email(email))).first()
    if officer is None or (agency_id is not None and officer.agency_id != agency_id):
        raise NotFound("No such officer.")
    return officer


def disable_officer(*, session: Session, email: str, agency_id: int | None = None) -> Officer:
    officer = find_officer(session=session, email=email, agency_id=agency_id)
    if officer.disabled_at is None:
        officer.disabled_at = utcnow()
        session.add(officer)
        log.info("officer %s disabled", officer.id)
    return officer


def list_officers(*, session: Session, agency_id: int | None = None) -> list[tuple[Officer, Agency | None]]:
    query = select(Officer, Agency).join(Agency, col(Agency.id) == col(Officer.agency_id), isouter=True)
    if agency_id is not None:
        query = query.where(Officer.agency_id == agency_id)
    return [(o, a) for o, a in session.exec(query.order_by(col(Officer.email)))]


def officer_exists(*, session: Session, email: str) -> bool:
    return session.exec(select(Officer.id).where(Officer.email == normalise_email(email))).first() is not None


def demo_officer_reset(*, session: Session, email: str, password: str) -> None:
    """`rabta seed --demo --reset`: the documented password, enabled, unlocked, English, no TOTP."""
    officer = find_officer(session=session, email=email)
    officer.password_hash, officer.failed_attempts, officer.locked_until = hash_pin(password), 0, None
    officer.disabled_at, officer.totp_secret, officer.language = None, None, "en"
    session.add(officer)
