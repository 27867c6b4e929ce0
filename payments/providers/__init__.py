"""Wallet provider adapters, one module per provider, registered in `WALLET_ADAPTERS`.

`Wallets` is built once per process by `app.bootstrap` from the settings: the
wallets a payer may choose from (`PAYMENT_WALLETS`, default just `PAYMENT_PROVIDER`),
each adapter built once and reused. Adding a provider is a new module here plus one
line in `WALLET_ADAPTERS` (and its settings in `app/settings.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.errors import ValidationFailed
from app.settings import Settings
from payments.providers.base import WalletProvider
from payments.providers.sandbox import SandboxWallet


class UnknownProvider(LookupError):
    pass


WALLET_ADAPTERS: dict[str, Callable[[Settings], WalletProvider]] = {
    SandboxWallet.name: SandboxWallet.from_settings,
}


class Wallets:
    """The wallets this deployment offers, by name."""

    def __init__(self, settings: Settings,
                 adapters: dict[str, Callable[[Settings], WalletProvider]] | None = None) -> None:
        self.settings = settings
        self.adapters = dict(adapters if adapters is not None else WALLET_ADAPTERS)
        self.names = [name for name in settings.payment_wallets if name in self.adapters]
        self._built: dict[str, WalletProvider] = {}
        self._lock = threading.Lock()

    @property
    def default(self) -> str:
        return self.names[0] if self.names else self.settings.PAYMENT_PROVIDER

    def choose(self, wallet: str | None) -> str:
        """The payer's choice, checked against what is offered; none given means the default wallet."""
        if not wallet:
            return self.default
        name = wallet.strip().lower()
        if name not in self.names:
            raise ValidationFailed(f"Choose a wallet from: {', '.join(self.names)}.",
                                   field_errors={"wallet": "not offered"})
        return name

    def title(self, name: str) -> str:
        """What payers call the wallet (menus, messages)."""
        return self.get(name).title

    def get(self, name: str) -> WalletProvider:
        """The adapter of a wallet a payment was made with (also one no longer offered to new payers)."""
        if name not in self.adapters:
            raise UnknownProvider(f"unknown payment provider {name!r}")
        with self._lock:
            provider = self._built.get(name)
            if provider is None:
                provider = self._built[name] = self.adapters[name](self.settings)
        return provider
