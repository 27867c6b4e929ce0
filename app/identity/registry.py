"""Identity adapters by name; `IDENTITY_PROVIDER` picks one. A real one (an operator's or NADRA's API) is a
class with `verify` and `sim_changed_recently` plus one line here."""

from __future__ import annotations

from collections.abc import Callable

from app.identity.port import IdentityPort
from app.identity.sandbox import SandboxIdentity
from app.settings import Settings

IDENTITY_ADAPTERS: dict[str, Callable[[Settings], IdentityPort]] = {
    "sandbox": lambda settings: SandboxIdentity(),
}


def identity_provider(settings: Settings) -> IdentityPort:
    try:
        return IDENTITY_ADAPTERS[settings.IDENTITY_PROVIDER](settings)
    except KeyError as exc:
        raise LookupError(f"IDENTITY_PROVIDER={settings.IDENTITY_PROVIDER!r} is not one of "
                          f"{', '.join(IDENTITY_ADAPTERS)}") from exc
