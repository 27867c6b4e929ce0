"""SMS providers: one module each behind one small interface (see `base.py`).

Clients are built once per process and reused, so the SDKs keep their HTTP
connections alive across messages (the send path is throughput-bound).
"""

from __future__ import annotations

import threading

from app.settings import Settings
from sms.providers.base import Provider, ProviderNotConfigured

CONSOLE, TWILIO, AFRICASTALKING = "console", "twilio", "africastalking"
PROVIDER_NAMES = (CONSOLE, TWILIO, AFRICASTALKING)

_cache: dict[tuple[str, str], Provider] = {}
_lock = threading.Lock()


def is_configured(name: str, settings: Settings) -> bool:
    if name == CONSOLE:
        return True
    if name == TWILIO:
        return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM)
    if name == AFRICASTALKING:
        return bool(settings.AT_USERNAME and settings.AT_API_KEY)
    return False


def get_provider(name: str, settings: Settings) -> Provider:
    """The process-wide client for `name`, rebuilt when its settings change."""
    if not is_configured(name, settings):
        raise ProviderNotConfigured(f"SMS provider {name!r} is not configured")
    key = (name, _fingerprint(name, settings))
    with _lock:
        provider = _cache.get(key)
        if provider is None:
            provider = _build(name, settings)
            _cache[key] = provider
    return provider


def _fingerprint(name: str, settings: Settings) -> str:
    if name == TWILIO:
        values = [settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM,
                  settings.TWILIO_API_BASE_URL, settings.PUBLIC_BASE_URL]
    elif name == AFRICASTALKING:
        values = [settings.AT_USERNAME, settings.AT_API_KEY, settings.AT_SENDER_ID, settings.AT_API_BASE_URL]
    else:
        values = []
    return "|".join(str(v) for v in values)


def _build(name: str, settings: Settings) -> Provider:
    if name == TWILIO:
        from sms.providers.twilio import TwilioProvider

        return TwilioProvider(settings)
    if name == AFRICASTALKING:
        from sms.providers.africastalking import AfricasTalkingProvider

        return AfricasTalkingProvider(settings)
    from sms.providers.console import ConsoleProvider

    return ConsoleProvider()


__all__ = ["PROVIDER_NAMES", "Provider", "ProviderNotConfigured", "get_provider", "is_configured"]
