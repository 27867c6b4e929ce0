"""Where the clear text of a message that carries a one-time code lives between queueing and sending.

Never in a table: the outbox row and the outbound message keep only the redacted body
(`app.messages.redaction.redact`). The clear text waits in Redis, next to the send jobs that need it,
under the row's reference, for `CLEAR_TEXT_TTL_SECONDS` (a retry after a failed delivery needs it again;
the codes themselves expire sooner). A code whose clear text is gone is not sent (a masked code helps
nobody): the citizen asks for a new one.
"""

from __future__ import annotations

from redis import Redis

CLEAR_TEXT_TTL_SECONDS = 900


def _key(ref: str) -> str:
    return f"rabta:cleartext:{ref}"


def for_notification(notification_id: int) -> str:
    return f"notification:{notification_id}"


def for_message(message_id: int) -> str:
    return f"outbound:{message_id}"


def keep(redis: Redis, ref: str, body: str, ttl: int = CLEAR_TEXT_TTL_SECONDS) -> None:
    redis.set(_key(ref), body.encode("utf-8"), ex=ttl)


def find(redis: Redis, *refs: str) -> str | None:
    """The clear text under the first of `refs` that has one (a message, then the notification it came from)."""
    for ref in refs:
        raw = redis.get(_key(ref))
        if isinstance(raw, bytes):
            return raw.decode("utf-8")
    return None


def forget(redis: Redis, *refs: str) -> None:
    if refs:
        redis.delete(*[_key(ref) for ref in refs])
