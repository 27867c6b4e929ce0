"""CNICs at rest: sealed (Fernet) so a database dump alone does not reveal them, plus a keyed hash for lookups.

Fernet is randomised, so two seals of one CNIC differ and `cnic == x` cannot work in SQL: every equality lookup
goes through the `cnic_hash` column (`lookup_hash`), and only `app.citizens.service` builds those queries.
Both keys are derived from one secret, `CNIC_ENCRYPTION_KEY` (a development placeholder by default; production
refuses to start with it, see `Settings.production_problems`). It is not derived from SECRET_KEY on purpose:
signing keys rotate (SECRET_KEY_PREVIOUS), and a new CNIC key would leave every stored CNIC unreadable.

The key is process-wide because the column type (`SealedCnic`) seals and opens inside SQLAlchemy, where no
settings are at hand: `build_runtime` calls `configure(settings)`; a process that never does (an Alembic run,
a script) derives it from `Settings()`, that is from the environment, like everything else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from app.settings import Settings

SEALED_LENGTH = 255  # a 13-digit CNIC seals to a 100-character token; room for a versioned format later


@dataclass(frozen=True)
class _Keys:
    fernet: Fernet
    lookup: bytes


_keys: _Keys | None = None


def _derive(secret: str) -> _Keys:
    # Two purpose-labelled HMACs of one secret: the encryption and the lookup keys never coincide.
    fernet_key = hmac.new(secret.encode(), b"rabta-cnic-fernet-v1", hashlib.sha256).digest()
    lookup_key = hmac.new(secret.encode(), b"rabta-cnic-lookup-v1", hashlib.sha256).digest()
    return _Keys(Fernet(base64.urlsafe_b64encode(fernet_key)), lookup_key)


def configure(settings: Settings) -> None:
    global _keys
    _keys = _derive(settings.CNIC_ENCRYPTION_KEY)


def _current() -> _Keys:
    global _keys
    if _keys is None:
        from app.settings import Settings

        _keys = _derive(Settings().CNIC_ENCRYPTION_KEY)
    return _keys


def seal(cnic_digits: str) -> str:
    return _current().fernet.encrypt(cnic_digits.encode()).decode("ascii")


def open_(token: str) -> str:
    return _current().fernet.decrypt(token.encode("ascii")).decode()


def lookup_hash(cnic_digits: str) -> str:
    """Deterministic, keyed: equal CNICs give equal hashes, and a dump without the key cannot brute-force the
    ~10^13 CNIC space the way it could a plain SHA-256."""
    return hmac.new(_current().lookup, cnic_digits.encode(), hashlib.sha256).hexdigest()


def optional_hash(cnic_digits: str | None) -> str | None:
    return lookup_hash(cnic_digits) if cnic_digits else None


class SealedCnic(TypeDecorator[str]):
    """A column holding a sealed CNIC: Python code sees the clear digits, the database only the token.
    Never compare this column in SQL (the bound value is sealed afresh, so it never matches): use `cnic_hash`."""

    impl = String(SEALED_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return seal(value) if value else None

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return open_(value) if value else None
