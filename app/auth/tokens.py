"""Citizen sessions: short-lived JWT access tokens and rotating, hashed refresh tokens.

Access tokens are HS256 JWTs signed with a key derived from SECRET_KEY; verification
also accepts SECRET_KEY_PREVIOUS so a key rotation does not sign everybody out.
Refresh tokens are opaque random strings; only their sha256 is stored. Each refresh
rotates the token inside a family; presenting an already-rotated token means it was
copied, so the whole family is revoked (RFC 9700 section 4.14.2).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import jwt
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.models import RefreshToken
from app.errors import DomainError, InvalidToken, RefreshTokenReused, TokenExpired
from app.timeutil import utcnow

ISSUER = "rabta"
ALGORITHM = "HS256"
REFRESH_PREFIX = "rt_"


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    previous_secret: str | None
    access_ttl: int
    refresh_ttl: int

    def signing_keys(self) -> list[bytes]:
        """The current key first; the previous one only for verifying."""
        raw = [self.secret] + ([self.previous_secret] if self.previous_secret else [])
        return [_derive(secret) for secret in raw]


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int


@dataclass(frozen=True)
class AccessClaims:
    citizen_id: int
    family_id: str


@dataclass(frozen=True)
class RefreshOutcome:
    """Returned, not raised, so a reuse revocation is committed before the 401 goes out."""

    pair: TokenPair | None = None
    citizen_id: int | None = None
    error: DomainError | None = None
    revoked_family: str | None = None

    def raise_if_failed(self) -> TokenPair:
        if self.error is not None or self.pair is None:
            raise self.error or InvalidToken("Invalid refresh token.")
        return self.pair


@lru_cache(maxsize=8)
def _derive(secret: str) -> bytes:
    # A purpose-bound key: a leaked access-token key reveals nothing about other uses of SECRET_KEY.
    return hmac.new(secret.encode(), b"rabta-api-access-token-v1", hashlib.sha256).digest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_access_token(*, config: TokenConfig, citizen_id: int, family_id: str) -> str:
    now = utcnow()
    claims = {"iss": ISSUER, "sub": str(citizen_id), "fid": family_id, "typ": "access",
              "iat": now, "exp": now + timedelta(seconds=config.access_ttl), "jti": uuid.uuid4().hex}
    return jwt.encode(claims, config.signing_keys()[0], algorithm=ALGORITHM)


# Tokens already verified by this process, with their expiry: a citizen's app sends the same token on
# every call until it expires, and checking its signature and claims again was a tenth of a small request.
# Keyed by the token and the keys that verified it, so a key change verifies afresh. Revocation is not
# cached here: it is asked of Redis on every request.
_verified: dict[tuple[str, tuple[bytes, ...]], tuple[AccessClaims, float]] = {}
MAX_VERIFIED = 10_000


def decode_access_token(*, config: TokenConfig, token: str) -> AccessClaims:
    """Verify with the current key, then the previous one; expired beats invalid."""
    keys = tuple(config.signing_keys())
    known = _verified.get((token, keys))
    if known is not None:
        claims, expires_at = known
        if time.time() < expires_at:
            return claims
        raise TokenExpired("The access token has expired.")
    verified = _verify(keys, token)
    if len(_verified) >= MAX_VERIFIED:
        _verified.clear()
    _verified[(token, keys)] = verified
    return verified[0]


def _verify(keys: tuple[bytes, ...], token: str) -> tuple[AccessClaims, float]:
    for key in keys:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "iss"]})
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired("The access token has expired.") from exc
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidToken("The access token is not valid.") from exc
        return _claims(claims), float(claims["exp"])  # type: ignore[arg-type]
    raise InvalidToken("The access token is not valid.")


def _claims(claims: dict[str, object]) -> AccessClaims:
    subject, family = claims.get("sub"), claims.get("fid")
    if claims.get("typ") != "access" or not isinstance(subject, str) or not subject.isdigit():
        raise InvalidToken("The access token is not valid.")
    return AccessClaims(citizen_id=int(subject), family_id=str(family or ""))


def start_session(*, session: Session, config: TokenConfig, citizen_id: int) -> TokenPair:
    """A fresh family: the first refresh token and an access token bound to it."""
    return _issue_pair(session=session, config=config, citizen_id=citizen_id, family_id=uuid.uuid4().hex)


def _issue_pair(*, session: Session, config: TokenConfig, citizen_id: int, family_id: str) -> TokenPair:
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    session.add(RefreshToken(citizen_id=citizen_id, family_id=family_id, token_hash=hash_token(refresh),
                             expires_at=utcnow() + timedelta(seconds=config.refresh_ttl)))
    session.flush()
    access = issue_access_token(config=config, citizen_id=citizen_id, family_id=family_id)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=config.access_ttl,
                     refresh_expires_in=config.refresh_ttl)


def rotate_refresh_token(*, session: Session, config: TokenConfig, refresh_token: str) -> RefreshOutcome:
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == hash_token(refresh_token))).first()
    if row is None or row.revoked_at is not None:
        return RefreshOutcome(error=InvalidToken("Invalid refresh token."))
    if row.expires_at <= utcnow():
        return RefreshOutcome(error=TokenExpired("The refresh token has expired."))
    # Compare-and-set: of two concurrent refreshes with one token, only one may rotate it.
    claimed = session.execute(
        update(RefreshToken).where(col(RefreshToken.id) == row.id, col(RefreshToken.rotated_at).is_(None))
        .values(rotated_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        revoke_family(session=session, family_id=row.family_id)
        return RefreshOutcome(error=RefreshTokenReused("That refresh token was already used; sign in again."),
                              revoked_family=row.family_id)
    pair = _issue_pair(session=session, config=config, citizen_id=row.citizen_id, family_id=row.family_id)
    return RefreshOutcome(pair=pair, citizen_id=row.citizen_id)


def revoke_family(*, session: Session, family_id: str) -> int:
    return int(session.execute(
        update(RefreshToken).where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    ).rowcount)  # type: ignore[attr-defined]


def family_of(*, session: Session, refresh_token: str) -> str | None:
    return session.exec(select(RefreshToken.family_id)
                        .where(RefreshToken.token_hash == hash_token(refresh_token))).first()
