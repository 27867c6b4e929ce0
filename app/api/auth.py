"""Who is calling: a citizen (JWT access token) or an agency (API key), both as `Authorization: Bearer`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

from app.auth.agency_keys import authenticate_agency, looks_like_agency_key
from app.auth.tokens import AccessClaims, TokenConfig, decode_access_token
from app.catalogue.models import Agency
from app.errors import DomainError, InvalidToken, Unauthorized
from app.redis_batch import Batch
from app.runtime import Runtime, current

REVOKED_FAMILY_KEY = "rabta:api:revoked-family:{}"


def token_config(runtime: Runtime) -> TokenConfig:
    settings = runtime.settings
    return TokenConfig(secret=settings.SECRET_KEY, previous_secret=settings.SECRET_KEY_PREVIOUS,
                       access_ttl=settings.ACCESS_TOKEN_TTL_SECONDS, refresh_ttl=settings.REFRESH_TOKEN_TTL_SECONDS)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authenticate(kind: str | None) -> None:
    if kind is None:
        return
    token = bearer_token()
    if token is None:
        raise Unauthorized("Send a bearer token.")
    runtime = current()
    if kind == "agency":
        if not looks_like_agency_key(token):
            raise InvalidToken("This endpoint needs an agency API key.")
        with runtime.db.reading() as session:
            g.api_agency = authenticate_agency(session=session, secret_key=token)
        return
    if looks_like_agency_key(token):
        raise InvalidToken("This endpoint needs a citizen access token.")
    checked: RevocationCheck | None = g.pop(CHECKED_KEY, None)
    if checked is not None and checked.token == token and checked.revoked is not None:
        claims, revoked = checked.claims, checked.revoked
    else:
        claims = decode_access_token(config=token_config(runtime), token=token)
        revoked = bool(runtime.redis.exists(REVOKED_FAMILY_KEY.format(claims.family_id)))
    # Logout and refresh-token reuse revoke a family; its live access tokens die with it.
    if revoked:
        raise InvalidToken("This session has ended; sign in again.")
    g.api_citizen_id = claims.citizen_id


CHECKED_KEY = "api_revocation_checked"


@dataclass
class RevocationCheck:
    """A valid citizen token's family, looked up in Redis in the rate limiter's round trip (`authenticate`
    then reuses the answer instead of decoding and asking again)."""

    token: str
    claims: AccessClaims
    revoked: bool | None = None

    @classmethod
    def of(cls, token: str) -> RevocationCheck | None:
        if looks_like_agency_key(token):
            return None
        try:
            claims = decode_access_token(config=token_config(current()), token=token)
        except DomainError:
            return None  # `authenticate` says why, in its own words
        return cls(token, claims)

    def queue(self, batch: Batch) -> None:
        batch.exists(REVOKED_FAMILY_KEY.format(self.claims.family_id))

    def answered(self, reply: object) -> None:
        self.revoked = bool(reply)
        setattr(g, CHECKED_KEY, self)


def mark_family_revoked(runtime: Runtime, family_id: str) -> None:
    runtime.redis.set(REVOKED_FAMILY_KEY.format(family_id), "1", ex=runtime.settings.ACCESS_TOKEN_TTL_SECONDS)


def citizen_id() -> int:
    value: int = g.api_citizen_id
    return value


def agency() -> Agency:
    value: Agency = g.api_agency
    return value
