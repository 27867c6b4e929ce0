"""The sandbox identity registry: deterministic answers from seeded pairs and documented rules.

Rules (README "Identity sandbox"), for E.164 numbers and 13-digit CNICs:
1. A seeded pair (`SEEDED_PAIRS`, the demo citizens) is `verified`; a seeded number with another CNIC, or a
   seeded CNIC with another number, is a `mismatch`.
2. Otherwise a CNIC whose last four digits equal the number's last four digits is `verified`
   (testers make a verified pair by choosing them so).
3. Otherwise a CNIC ending in `0` is a `mismatch`; anything else is `unknown` (held for an officer).
4. A number ending in `7777` had its SIM changed recently (SIM-swap defence); no other number has.
"""

from __future__ import annotations

from app.identity.port import MISMATCH, UNKNOWN, VERIFIED, Answer

SEEDED_PAIRS: dict[str, str] = {
    "+923001234567": "3520212345672",  # Ayesha (demo)
    "+923331234567": "6110176543211",  # Bilal (demo)
}
SIM_SWAP_SUFFIX = "7777"


class SandboxIdentity:
    name = "sandbox"

    def verify(self, msisdn: str, cnic: str) -> Answer:
        seeded = SEEDED_PAIRS.get(msisdn)
        if seeded is not None:
            return VERIFIED if seeded == cnic else MISMATCH
        if cnic in SEEDED_PAIRS.values():
            return MISMATCH
        if cnic[-4:] == msisdn[-4:]:
            return VERIFIED
        return MISMATCH if cnic.endswith("0") else UNKNOWN

    def sim_changed_recently(self, msisdn: str) -> bool:
        return msisdn.endswith(SIM_SWAP_SUFFIX)
