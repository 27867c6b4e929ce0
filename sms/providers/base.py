"""The provider interface and the one classification of send failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sms.models import PERMANENT, TEMPORARY


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    provider_status: str  # the provider's own word, e.g. "queued" or "Success"


class SendFailed(Exception):
    """A send the provider refused or we could not hand over.

    `retryable` decides everything downstream: retry with backoff (and fail over) or stop at once.
    """

    def __init__(self, code: str, reason: str, *, retryable: bool) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code[:40]
        self.reason = reason[:200]
        self.retryable = retryable

    @property
    def failure_class(self) -> str:
        return TEMPORARY if self.retryable else PERMANENT


class ProviderNotConfigured(RuntimeError):
    pass


class Provider(Protocol):
    name: str

    def send(self, *, to: str, body: str, kind: str) -> SendResult: ...


def http_status_retryable(status: int) -> bool:
    """Network-level rule shared by both providers: 5xx and 429 may work later, other 4xx will not."""
    return status >= 500 or status == 429
