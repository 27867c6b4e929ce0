"""The identity-verification port every adapter implements."""

from __future__ import annotations

from typing import Final, Literal, Protocol

Answer = Literal["verified", "mismatch", "unknown"]
VERIFIED: Final = "verified"
MISMATCH: Final = "mismatch"
UNKNOWN: Final = "unknown"


class IdentityPort(Protocol):
    name: str

    def verify(self, msisdn: str, cnic: str) -> Answer:
        """`verified`: the SIM behind `msisdn` is registered to `cnic`; `mismatch`: it is registered to someone
        else (or the CNIC to other SIMs only); `unknown`: no answer (not covered, the registry is down)."""
        ...

    def sim_changed_recently(self, msisdn: str) -> bool:
        """Whether the SIM behind `msisdn` was swapped recently (a SIM-swap fraud signal)."""
        ...
