"""Agency API keys: `rbk_<key id>_<secret>`, shown once, stored as a sha256, revocable.

sha256 (not a slow hash) is right here: the secret is 256 random bits, so there is
nothing to brute-force, and every agency request must look its key up quickly.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from app.auth.models import AgencyApiKey
from app.auth.tokens import hash_token
from app.catalogue.models import Agency
from app.catalogue.service import get_agency
from app.errors import InvalidToken, NotFound
from app.timeutil import utcnow

log = logging.getLogger("rabta.auth.keys")

KEY_PREFIX = "rbk_"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    agency_code: str
    secret_key: str  # shown to the operator once, never stored


def looks_like_agency_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


def create_key(*, session: Session, agency_code: str, label: str = "") -> IssuedKey:
    agency = get_agency(session=session, code=agency_code)
    key_id = secrets.token_hex(6)
    secret_key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    session.add(AgencyApiKey(agency_id=agency.id or 0, key_id=key_id, key_hash=hash_token(secret_key),
                             label=label.strip()[:80]))
    session.flush()
    log.info("agency key %s created for %s", key_id, agency.code)
    return IssuedKey(key_id=key_id, agency_code=agency.code, secret_key=secret_key)


def revoke_key(*, session: Session, key_id: str, agency_id: int | None = None) -> AgencyApiKey:
    """With `agency_id`, only that agency's key (another agency's does not exist for it)."""
    key = session.exec(select(AgencyApiKey).where(AgencyApiKey.key_id == key_id.strip())).first()
    if key is None or (agency_id is not None and key.agency_id != agency_id):
        raise NotFound(f"No agency key {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        log.info("agency key %s revoked", key.key_id)
    return key


def list_keys(*, session: Session, agency_code: str | None = None) -> list[tuple[AgencyApiKey, Agency]]:
    query = select(AgencyApiKey, Agency).where(AgencyApiKey.agency_id == Agency.id)
    if agency_code:
        query = query.where(Agency.code == agency_code.upper())
    rows = session.exec(query.order_by(Agency.code, AgencyApiKey.id))  # type: ignore[arg-type]
    return [(key, agency) for key, agency in rows]


def authenticate_agency(*, session: Session, secret_key: str) -> Agency:
    """The agency a live key belongs to; anything else is one indistinguishable 401."""
    row = session.exec(
        select(Agency).join(AgencyApiKey, AgencyApiKey.agency_id == Agency.id)  # type: ignore[arg-type]
        .where(AgencyApiKey.key_hash == hash_token(secret_key), AgencyApiKey.revoked_at == None)  # noqa: E711
    ).first()
    if row is None:
        raise InvalidToken("The API key is not valid.")
    return row
