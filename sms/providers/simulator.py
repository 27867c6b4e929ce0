"""The phone simulator's inbox as an SMS "provider": texts owed to simulated phones end here, never at a provider.

`sms.sending.provider_for` sends every number in the reserved range (`SIMULATOR_NUMBER_PREFIX`) here. The
body as sent is kept in Redis for a day under its message id, as the console provider keeps its transcript
in development, so the simulated phone can show it (codes included: it is that phone's own inbox); the
table keeps what it keeps for any text.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from redis import Redis

from app.citizens.identity import mask_msisdn
from app.settings import Settings
from sms.providers.base import SendFailed, SendResult, SmsProvider

log = logging.getLogger("rabta.sms.simulator")

RECORD_SECONDS = 86400
_PREFIX = "rabta:sim:sms:"


def record_key(message_id: str) -> str:
    return _PREFIX + message_id


def read_records(redis: Redis, message_ids: Sequence[str]) -> dict[str, str]:
    """provider message id -> the body as sent, for those the simulator still holds."""
    wanted = [i for i in message_ids if i.startswith("simulator-")]
    if not wanted:
        return {}
    values = redis.mget([record_key(i) for i in wanted])
    return {i: v.decode("utf-8") if isinstance(v, bytes) else str(v) for i, v in zip(wanted, values, strict=True)
            if v is not None}


class SimulatorProvider(SmsProvider):
    name = "simulator"

    @classmethod
    def is_configured(cls, settings: Settings) -> bool:
        return True

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        from app.runtime import current  # the worker's runtime: this provider writes to Redis, not the network

        message_id = f"simulator-{uuid.uuid4().hex[:20]}"
        try:
            current().redis.set(record_key(message_id), body, ex=RECORD_SECONDS)
        except Exception as exc:  # Redis down: try again later, as after a provider outage
            raise SendFailed("simulator_unavailable", str(exc)[:200], retryable=True) from exc
        log.info("SMS to simulated phone %s [%s] handed to the simulator", mask_msisdn(to), kind)
        return SendResult(provider_message_id=message_id, provider_status="simulated")
