"""Wallet provider adapters, one module per provider, looked up by name."""

from __future__ import annotations

from app.settings import Settings
from payments.providers.base import WalletProvider


class UnknownProvider(LookupError):
    pass


WALLET_PROVIDERS = ("sandbox",)


def get_provider(name: str, settings: Settings) -> WalletProvider:
    if name == "sandbox":
        from payments.providers.sandbox import SandboxWallet

        return SandboxWallet(base_url=settings.SANDBOX_WALLET_URL, secret=settings.SANDBOX_WALLET_SECRET,
                             timeout=settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS,
                             tolerance=settings.PAYMENT_CALLBACK_TOLERANCE_SECONDS)
    raise UnknownProvider(f"unknown payment provider {name!r}")
