"""SMS providers: one module each implementing `SmsProvider` (see `base.py`), registered below.

`SmsProviders` is built once per process by `app.bootstrap`; each adapter is built once
and reused, so the SDKs keep their HTTP connections alive across messages (the send
path is throughput-bound). The channel's routes are made from this registry: a provider
with an `inbound_path` gets its inbound and delivery-report endpoints.
"""

from __future__ import annotations

import threading

from app.settings import Settings
from sms.providers.africastalking import AfricasTalkingProvider
from sms.providers.base import ProviderNotConfigured, SmsProvider
from sms.providers.console import ConsoleProvider
from sms.providers.simulator import SimulatorProvider
from sms.providers.twilio import TwilioProvider

SMS_ADAPTERS: dict[str, type[SmsProvider]] = {
    ConsoleProvider.name: ConsoleProvider,
    TwilioProvider.name: TwilioProvider,
    AfricasTalkingProvider.name: AfricasTalkingProvider,
    # Only ever chosen by `sms.sending.provider_for` for the simulator's reserved numbers.
    SimulatorProvider.name: SimulatorProvider,
}
CONSOLE = ConsoleProvider.name
SIMULATOR = SimulatorProvider.name


class SmsProviders:
    """The SMS provider adapters of this process: the primary (`SMS_PROVIDER`) and an optional fallback."""

    def __init__(self, settings: Settings, adapters: dict[str, type[SmsProvider]] | None = None) -> None:
        self.settings = settings
        self.adapters = dict(adapters if adapters is not None else SMS_ADAPTERS)
        choices = [name for name in self.adapters if name != SIMULATOR]
        if settings.SMS_PROVIDER not in choices or settings.SMS_FALLBACK_PROVIDER == SIMULATOR:
            raise ValueError(f"SMS_PROVIDER={settings.SMS_PROVIDER!r}: choose one of {', '.join(choices)}")
        self._built: dict[str, SmsProvider] = {}
        self._lock = threading.Lock()

    @property
    def primary(self) -> str:
        return self.settings.SMS_PROVIDER

    @property
    def fallback(self) -> str | None:
        """The provider the 3rd and 4th attempts use, when one is set and configured."""
        name = self.settings.SMS_FALLBACK_PROVIDER
        return name if name and name != self.primary and self.is_configured(name) else None

    def is_configured(self, name: str) -> bool:
        adapter = self.adapters.get(name)
        return adapter is not None and adapter.is_configured(self.settings)

    def adapter(self, name: str) -> SmsProvider:
        """The adapter for webhooks from `name` (built even when it cannot send: its checks then refuse)."""
        with self._lock:
            provider = self._built.get(name)
            if provider is None:
                provider = self._built[name] = self.adapters[name](self.settings)
        return provider

    def warm_up(self) -> None:
        """Warm the adapters this process sends through (a worker, before its first job)."""
        for name in filter(None, (self.primary, self.fallback)):
            if self.is_configured(name):
                self.adapter(name).warm_up()

    def sender(self, name: str) -> SmsProvider:
        """The adapter to send through; ProviderNotConfigured when its settings are missing."""
        if not self.is_configured(name):
            raise ProviderNotConfigured(f"SMS provider {name!r} is not configured")
        return self.adapter(name)


__all__ = ["CONSOLE", "SIMULATOR", "SMS_ADAPTERS", "ProviderNotConfigured", "SmsProvider", "SmsProviders"]
