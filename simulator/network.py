"""The simulated network: real HTTP posts to Rabta's own webhook endpoints, in the providers' exact formats.

USSD as Africa's Talking sends it (`sessionId`, `serviceCode`, `phoneNumber`, `networkCode`, the `*`-joined
`text`; the end-of-session notice with its `status`), with the AT token in the `X-Rabta-Token` header. SMS in
the configured provider's inbound format: Twilio's form signed with `TWILIO_AUTH_TOKEN` (Twilio's own
`RequestValidator`), or Africa's Talking's with the token. Secrets stay on the server; the browser only
ever talks to the simulator.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from twilio.request_validator import RequestValidator

from app.settings import Settings
from app.webhooks import AT_TOKEN_HEADER

NETWORK_CODE = "41001"  # Jazz (Pakistan) MCC+MNC, as AT reports it
TIMEOUT_SECONDS = 20
SHORT_CODE = "8012"  # the number texts go to when no sender id is configured


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


class Network:
    """One per request; posts to `PUBLIC_BASE_URL`, so every hop takes the path a provider's would."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = settings.PUBLIC_BASE_URL.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False  # loopback: never through a proxy from the environment

    def _at_headers(self) -> dict[str, str]:
        token = self.settings.AT_WEBHOOK_TOKEN
        return {AT_TOKEN_HEADER: token} if token else {}

    def _post(self, path: str, form: dict[str, str], headers: dict[str, str]) -> Answer:
        response = self.http.post(self.base + path, data=form, headers=headers, timeout=TIMEOUT_SECONDS)
        return Answer(response.status_code, response.text)

    # --- USSD (Africa's Talking) ----------------------------------------------------------------------

    def ussd_hop(self, *, session_id: str, phone: str, inputs: list[str]) -> Answer:
        form = {"sessionId": session_id, "serviceCode": self.settings.SIMULATOR_SERVICE_CODE,
                "phoneNumber": phone, "networkCode": NETWORK_CODE, "text": "*".join(inputs)}
        return self._post("/ussd/africastalking", form, self._at_headers())

    def ussd_ended(self, *, session_id: str, phone: str, status: str, inputs: list[str], duration_ms: int) -> Answer:
        form = {"sessionId": session_id, "serviceCode": self.settings.SIMULATOR_SERVICE_CODE, "phoneNumber": phone,
                "networkCode": NETWORK_CODE, "status": status, "input": inputs[-1] if inputs else "",
                "hopsCount": str(len(inputs) + 1), "durationInMillis": str(duration_ms), "cost": "0",
                "date": _now(), "errorMessage": "" if status == "Success" else "SESSION_TIMEOUT"}
        return self._post("/ussd/africastalking/events", form, self._at_headers())

    # --- SMS (the configured provider's inbound format) -----------------------------------------------

    def provider(self) -> str:
        return "twilio" if self.settings.SMS_PROVIDER == "twilio" else "africastalking"

    def text(self, *, phone: str, body: str) -> tuple[str, str, Answer]:
        """Post an inbound text; returns (provider, its message id, the answer)."""
        if self.provider() == "twilio":
            return ("twilio", *self._twilio_text(phone, body))
        return ("africastalking", *self._at_text(phone, body))

    def _at_text(self, phone: str, body: str) -> tuple[str, Answer]:
        message_id = f"ATXid_sim{secrets.token_hex(12)}"
        form = {"from": phone, "to": self.settings.AT_SENDER_ID or SHORT_CODE, "text": body, "date": _now(),
                "id": message_id, "linkId": f"SimLink{secrets.token_hex(6)}", "networkCode": NETWORK_CODE}
        return message_id, self._post("/sms/africastalking", form, self._at_headers())

    def _twilio_text(self, phone: str, body: str) -> tuple[str, Answer]:
        sid = "SM" + secrets.token_hex(16)
        account = self.settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32
        form = {"ToCountry": "PK", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
                "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
                "Body": body, "FromCountry": "PK", "To": self.settings.TWILIO_FROM or SHORT_CODE, "ToZip": "",
                "NumSegments": "1", "MessageSid": sid, "AccountSid": account, "From": phone,
                "ApiVersion": "2010-04-01"}
        url = self.base + "/sms/twilio"
        signature = RequestValidator(self.settings.TWILIO_AUTH_TOKEN or "").compute_signature(url, form)
        return sid, self._post("/sms/twilio", form, {"X-Twilio-Signature": signature})


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
