"""One error vocabulary for every channel.

Each domain error carries a stable machine `code`, an HTTP status for the API and a
message key into the citizen message catalogue, so the API, USSD and SMS all say the
same thing in the citizen's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    message_key = "error.generic"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail or self.code.replace("_", " ")
        self.params = params


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422
    message_key = "error.invalid_input"

    def __init__(self, detail: str = "", field_errors: dict[str, str] | None = None, **params: Any):
        super().__init__(detail, **params)
        self.field_errors = field_errors or {}


class InvalidPhoneNumber(ValidationFailed):
    code = "invalid_phone_number"
    message_key = "error.invalid_phone"


class InvalidCnic(ValidationFailed):
    code = "invalid_cnic"
    message_key = "error.invalid_cnic"


class InvalidPsid(ValidationFailed):
    code = "invalid_psid"
    message_key = "error.invalid_psid"


class InvalidTrackingNumber(ValidationFailed):
    code = "invalid_tracking_number"
    message_key = "error.invalid_tracking"


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    message_key = "error.not_found"


class CitizenNotFound(NotFound):
    code = "citizen_not_found"
    message_key = "error.citizen_not_found"


class BillNotFound(NotFound):
    code = "bill_not_found"
    message_key = "error.bill_not_found"


class ServiceRequestNotFound(NotFound):
    code = "request_not_found"
    message_key = "error.request_not_found"


class AgencyNotFound(NotFound):
    code = "agency_not_found"


class ServiceNotFound(NotFound):
    code = "service_not_found"


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    message_key = "error.generic"


class AlreadyExists(Conflict):
    code = "already_exists"
    message_key = "error.already_exists"


class IllegalTransition(Conflict):
    code = "illegal_transition"
    message_key = "error.illegal_transition"


class StaleStatus(Conflict):
    """Someone else moved the application after the mover looked at it."""

    code = "stale_status"
    message_key = "error.stale_status"


class BillNotPayable(Conflict):
    code = "bill_not_payable"
    message_key = "error.bill_not_payable"


class BillAlreadyPaid(BillNotPayable):
    code = "bill_already_paid"
    message_key = "error.bill_paid"


class BillBlocked(BillNotPayable):
    code = "bill_blocked"
    message_key = "error.bill_blocked"


class PaymentInFlight(BillNotPayable):
    code = "payment_in_flight"
    message_key = "error.payment_in_flight"


class BillNotIssued(BillNotPayable):
    code = "bill_not_issued"
    message_key = "error.bill_not_issued"


class WrongAmount(ValidationFailed):
    code = "wrong_amount"
    message_key = "error.wrong_amount"


class PinError(DomainError):
    code = "pin_error"
    http_status = 403
    message_key = "error.pin_wrong"


class PinNotSet(PinError):
    code = "pin_not_set"
    message_key = "error.pin_not_set"


class WrongPin(PinError):
    code = "wrong_pin"
    message_key = "error.pin_wrong"


class PinLocked(PinError):
    code = "pin_locked"
    http_status = 423
    message_key = "error.pin_locked"


class SimSwapHold(PinLocked):
    """The number's SIM changed recently: PIN actions and new sign-ins wait (app.identity.simswap)."""

    code = "sim_swap_hold"
    message_key = "error.sim_swap_hold"


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429
    message_key = "error.rate_limited"

    def __init__(self, detail: str = "", retry_after: int = 60, **params: Any) -> None:
        super().__init__(detail, **params)
        self.retry_after = retry_after


class IdentityNotVerified(DomainError):
    """The identity port says the number is not registered to that CNIC."""

    code = "identity_not_verified"
    http_status = 403
    message_key = "error.identity_not_verified"


class ServiceUnavailable(DomainError):
    """Redis or the database is down: 503 with Retry-After, so providers and apps retry later."""

    code = "service_unavailable"
    http_status = 503
    message_key = "error.unavailable"

    def __init__(self, detail: str = "", retry_after: int = 30, **params: Any) -> None:
        super().__init__(detail, **params)
        self.retry_after = retry_after


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401
    message_key = "error.unauthorized"


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403
    message_key = "error.forbidden"


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message_key = "error.payment_not_found"


# App API (sign-in, tokens, idempotency header); texts live in app/api/texts.py.
class InvalidOtp(Unauthorized):
    code = "invalid_otp"
    message_key = "error.invalid_otp"


class OtpLocked(RateLimited):
    code = "otp_locked"
    message_key = "error.otp_locked"


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message_key = "error.unauthorized"


class TokenExpired(Unauthorized):
    code = "token_expired"
    message_key = "error.token_expired"


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    message_key = "error.unauthorized"


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency_key_required"
    http_status = 400
    message_key = "error.idempotency_key_required"


class MalformedJson(ValidationFailed):
    code = "malformed_json"
    http_status = 400
    message_key = "error.invalid_input"
