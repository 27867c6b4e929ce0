"""What happens to a charge, chosen by the payer's number (last 4 digits) or the amount (its paisa).

| number ends | amount ends (paisa) | scenario                                                          |
|-------------|---------------------|-------------------------------------------------------------------|
| 0001        | .01                 | declined by the payer                                              |
| 0002        | .02                 | insufficient funds                                                 |
| 0003        | .03                 | approved, but no callback is ever sent (only the status endpoint knows) |
| 0004        | .04                 | approved, the same callback is sent three times                    |
| 0005        | .05                 | approved late (after SANDBOX_WALLET_LATE_SECONDS, default 20 min)  |
| 0006        | .06                 | slow provider: every API answer takes SANDBOX_WALLET_SLOW_SECONDS (5 s) |
| 0007        | .07                 | flaky: the first 2 charge requests answer 503, then approved      |
| 0008        | .08                 | no wallet account: the charge is refused (422 invalid_account)    |
| 0009        | .09                 | approved, but every refund of it fails (422 refund_failed)        |
| other       | other               | approved after SANDBOX_WALLET_CALLBACK_DELAY_SECONDS, one callback |

Refunds (`POST /v1/refunds`) of any other charge succeed at once; asking again with the same
refund_reference answers the same refund.
"""

from __future__ import annotations

APPROVED = "approved"
DECLINED = "declined"
INSUFFICIENT_FUNDS = "insufficient_funds"
NO_CALLBACK = "no_callback"
CALLBACK_THRICE = "callback_thrice"
LATE_SUCCESS = "late_success"
SLOW = "slow"
FLAKY = "flaky"
NO_ACCOUNT = "no_account"
REFUND_FAILS = "refund_fails"

BY_CODE = {1: DECLINED, 2: INSUFFICIENT_FUNDS, 3: NO_CALLBACK, 4: CALLBACK_THRICE, 5: LATE_SUCCESS, 6: SLOW,
           7: FLAKY, 8: NO_ACCOUNT, 9: REFUND_FAILS}
# Final charge status and failure reason of each scenario.
OUTCOMES = {DECLINED: ("failed", "declined"), INSUFFICIENT_FUNDS: ("failed", "insufficient_funds")}


def scenario_for(msisdn: str, amount: int) -> str:
    digits = "".join(ch for ch in msisdn if ch.isdigit())
    if len(digits) >= 4 and digits[-4:-1] == "000" and int(digits[-1]) in BY_CODE:
        return BY_CODE[int(digits[-1])]
    return BY_CODE.get(amount % 100, APPROVED)


def outcome_of(scenario: str) -> tuple[str, str | None]:
    return OUTCOMES.get(scenario, ("succeeded", None))
