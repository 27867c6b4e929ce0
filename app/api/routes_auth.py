"""Sign-in: OTP by SMS, then JWT access + rotating refresh tokens."""

from __future__ import annotations

import logging

from app.api import bp
from app.api.auth import mark_family_revoked, token_config
from app.api.framework import operation
from app.api.schemas.citizen import OtpRequest, OtpSent, RefreshRequest, TokenPairOut, TokenRequest
from app.auth.otp import OTP_TTL_SECONDS, check_otp, send_otp
from app.auth.tokens import TokenPair, family_of, revoke_family, rotate_refresh_token, start_session
from app.citizens.identity import normalise_msisdn
from app.citizens.service import get_or_create_by_msisdn
from app.errors_http import request_language
from app.identity.registry import identity_provider
from app.identity.simswap import arm_sim_swap_hold, refuse_if_held
from app.runtime import current

log = logging.getLogger("rabta.api.auth")
TAG = "Sign-in"


def _pair_out(pair: TokenPair) -> TokenPairOut:
    return TokenPairOut(access_token=pair.access_token, expires_in=pair.expires_in,
                        refresh_token=pair.refresh_token, refresh_expires_in=pair.refresh_expires_in)


@operation(bp, "POST", "/auth/otp", summary="Send a sign-in code by SMS", tag=TAG, body=OtpRequest,
           response=OtpSent, status=202)
def request_otp(body: OtpRequest) -> OtpSent:
    """Sends a 6-digit code valid for 5 minutes (at most 3 per number per 15 minutes).
    The answer is the same whether or not the number has an account."""
    runtime = current()
    msisdn = normalise_msisdn(body.msisdn, runtime.settings.DEFAULT_REGION)
    with runtime.db.transaction() as session:
        send_otp(session=session, redis=runtime.redis, secret=runtime.settings.SECRET_KEY, msisdn=msisdn,
                 language=request_language())
    return OtpSent(expires_in=OTP_TTL_SECONDS)


@operation(bp, "POST", "/auth/token", summary="Exchange a sign-in code for tokens", tag=TAG, body=TokenRequest,
           response=TokenPairOut)
def issue_tokens(body: TokenRequest) -> TokenPairOut:
    """A 15-minute access token and a 30-day refresh token. The first sign-in creates the account.
    Five wrong codes lock the number for 15 minutes."""
    runtime = current()
    msisdn = normalise_msisdn(body.msisdn, runtime.settings.DEFAULT_REGION)
    check_otp(redis=runtime.redis, secret=runtime.settings.SECRET_KEY, msisdn=msisdn, code=body.otp)
    with runtime.db.transaction() as session:
        citizen = get_or_create_by_msisdn(session=session, msisdn=msisdn, region=runtime.settings.DEFAULT_REGION)
        held = arm_sim_swap_hold(session=session, citizen=citizen, identity=identity_provider(runtime.settings),
                                 hours=runtime.settings.SIM_SWAP_HOLD_HOURS)
    if held is not None:  # committed first: the hold and the message to the number stand
        refuse_if_held(citizen)
    with runtime.db.transaction() as session:
        pair = start_session(session=session, config=token_config(runtime), citizen_id=citizen.id or 0)
    log.info("citizen %s signed in", citizen.id)
    return _pair_out(pair)


@operation(bp, "POST", "/auth/refresh", summary="Rotate the refresh token", tag=TAG, body=RefreshRequest,
           response=TokenPairOut)
def refresh_tokens(body: RefreshRequest) -> TokenPairOut:
    """Each refresh token works once. Presenting one that was already used ends every session
    descended from the same sign-in (the token was probably copied)."""
    runtime = current()
    with runtime.db.transaction() as session:
        outcome = rotate_refresh_token(session=session, config=token_config(runtime),
                                       refresh_token=body.refresh_token)
    if outcome.revoked_family:
        mark_family_revoked(runtime, outcome.revoked_family)
        log.warning("refresh token reused; session family revoked")
    return _pair_out(outcome.raise_if_failed())


@operation(bp, "POST", "/auth/logout", summary="End this session", tag=TAG, body=RefreshRequest, status=204)
def logout(body: RefreshRequest) -> None:
    """Revokes the refresh token's whole family and its access tokens. Unknown tokens are ignored."""
    runtime = current()
    with runtime.db.transaction() as session:
        family = family_of(session=session, refresh_token=body.refresh_token)
        if family:
            revoke_family(session=session, family_id=family)
    if family:
        mark_family_revoked(runtime, family)
