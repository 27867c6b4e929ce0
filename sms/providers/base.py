"""What every SMS provider adapter offers, and the one classification of send failures.

An adapter is the only code that knows its provider: how to send (through the official
SDK), how its webhooks are authenticated, what its inbound-text and delivery-report
forms look like, and how an inbound text is acknowledged. Everything else in `sms/`
works on the dataclasses below. Adding a provider is a new module implementing
`SmsProvider` plus one line in `sms.providers.SMS_ADAPTERS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sms.models import PERMANENT, TEMPORARY

if TYPE_CHECKING:
    from app.settings import Settings


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


class MalformedWebhook(ValueError):
    """A verified callback that lacks what we need (answered 400 with this message)."""


@dataclass(frozen=True)
class WebhookRequest:
    """A provider's HTTP callback, framework-neutral: what the routes hand an adapter."""

    public_url: str  # the URL the provider called, as it knows it (PUBLIC_BASE_URL + path + query)
    form: Mapping[str, str]
    args: Any  # a mapping with .get (werkzeug's MultiDict / Headers, or a dict)
    headers: Any


@dataclass(frozen=True)
class InboundText:
    provider: str
    provider_message_id: str
    sender: str
    to: str
    body: str
    link_id: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    provider: str
    provider_message_id: str
    status: str  # our canonical status (sms.models)
    provider_status: str
    error_code: str | None = None
    error_reason: str | None = None
    retryable: bool = False

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Acknowledgement:
    """The HTTP answer to an inbound text (Twilio wants TwiML carrying the reply)."""

    body: str
    mimetype: str


class SmsProvider(ABC):
    name: ClassVar[str]
    inbound_path: ClassVar[str | None] = None  # where the provider posts inbound texts
    report_path: ClassVar[str | None] = None  # where it posts delivery reports
    replies_inline: ClassVar[bool] = False  # answer an inbound text in the webhook response itself
    refusal_reason: ClassVar[str] = "bad_signature"  # how a failed `verify` is counted in the metrics

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    @abstractmethod
    def is_configured(cls, settings: Settings) -> bool:
        """Whether the settings are enough to send through this provider."""

    @abstractmethod
    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        """Hand one text to the provider; raise SendFailed (retryable or not)."""

    def warm_up(self) -> None:
        """Build what the first send would (the SDK's client and the modules it imports on first use), so the
        first message after a worker starts is not the slow one. Nothing is sent."""
        return None  # an adapter with nothing to build

    def verify(self, request: WebhookRequest) -> bool:
        """Whether a webhook really comes from this provider (signature or shared secret)."""
        return False

    def parse_inbound(self, request: WebhookRequest) -> InboundText:
        """An inbound text; MalformedWebhook when required fields are missing."""
        raise MalformedWebhook(f"{self.name} does not receive texts")

    def parse_report(self, request: WebhookRequest) -> DeliveryReport | None:
        """A delivery report; None for a status word we do not map; MalformedWebhook when fields are missing."""
        raise MalformedWebhook(f"{self.name} does not send delivery reports")

    def acknowledge(self, reply: str | None) -> Acknowledgement:
        """The answer to an inbound text; `reply` is only given when `replies_inline`."""
        return Acknowledgement("OK", "text/plain")


def http_status_retryable(status: int) -> bool:
    """Network-level rule shared by every provider: 5xx and 429 may work later, other 4xx will not."""
    return status >= 500 or status == 429


def required(form: Mapping[str, str], *names: str) -> list[str]:
    """The stripped values of required form fields; MalformedWebhook naming them when one is empty."""
    values = [(form.get(name) or "").strip() for name in names]
    if not all(values):
        raise MalformedWebhook(f"{' and '.join(names)} are required")
    return values
