"""Who may use the simulator, and with which numbers.

Development: anyone, any number (the demo citizens are offered). Anywhere else: only when
`SIMULATOR_ENABLED` and only for a signed-in console admin (`app.officers_scope.current_officer`),
and only with numbers from the reserved range (`SIMULATOR_NUMBER_PREFIX`), whose texts the outbound
path hands to the simulator instead of a provider (`sms.sending.provider_for`).
"""

from __future__ import annotations

from app.citizens.identity import normalise_msisdn
from app.errors import InvalidPhoneNumber
from app.officers_scope import current_officer
from app.settings import Settings

OPEN, HIDDEN, SIGN_IN = "open", "hidden", "sign_in"
E164_PK_LENGTH = 13  # +92 3xx xxxxxxx


def is_development(settings: Settings) -> bool:
    return settings.RABTA_ENV == "development"


def verdict(settings: Settings) -> str:
    """OPEN, HIDDEN (answer 404: the page does not exist here) or SIGN_IN (403: an admin must sign in)."""
    if is_development(settings):
        return OPEN
    if not settings.SIMULATOR_ENABLED:
        return HIDDEN
    officer = current_officer()
    return OPEN if officer is not None and officer.is_admin else SIGN_IN


def phone_number(raw: str, settings: Settings) -> str:
    """The E.164 number a simulated phone may use; InvalidPhoneNumber otherwise."""
    number = normalise_msisdn(raw, settings.DEFAULT_REGION)
    prefix = settings.SIMULATOR_NUMBER_PREFIX
    if not is_development(settings) and not (prefix and number.startswith(prefix)):
        raise InvalidPhoneNumber(f"Simulated phones use numbers starting {prefix}.")
    return number


def first_number(settings: Settings, demo_numbers: list[str]) -> str:
    """The phone a new simulator page starts with: the first demo citizen in development, else the first
    number of the reserved range."""
    if is_development(settings) and demo_numbers:
        return demo_numbers[0]
    prefix = settings.SIMULATOR_NUMBER_PREFIX
    return prefix + "1".rjust(max(E164_PK_LENGTH - len(prefix), 1), "0")
