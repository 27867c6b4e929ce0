"""Shared API shapes: strict request bodies, safe text, problems, pagination."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.applications.tracking import TRACKING_INPUT_PATTERN
from app.bills.psid import PSID_INPUT_PATTERN
from app.citizens.pins import PIN_INPUT_PATTERN

# No control characters (PostgreSQL refuses NUL; none belong in names or notes).
SAFE_PATTERN = r"^[^\x00-\x1f\x7f]*$"

Name = Annotated[str, StringConstraints(pattern=SAFE_PATTERN, max_length=120)]
Description = Annotated[str, StringConstraints(pattern=SAFE_PATTERN, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(pattern=SAFE_PATTERN, max_length=500)]
FieldName = Annotated[str, StringConstraints(pattern=SAFE_PATTERN, min_length=1, max_length=40)]
FieldValue = Annotated[str, StringConstraints(pattern=SAFE_PATTERN, max_length=500)]
Secret = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,200}$")]


Language = Literal["en", "ur", "ur-Latn"]
Otp = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
Pin = Annotated[str, StringConstraints(pattern=PIN_INPUT_PATTERN)]
Msisdn = Annotated[str, StringConstraints(pattern=SAFE_PATTERN, min_length=1, max_length=32),
                   Field(examples=["03001234567"])]
Cnic = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}-?[0-9]{7}-?[0-9]$"), Field(examples=["35202-1234567-2"])]
Psid = Annotated[str, StringConstraints(pattern=PSID_INPUT_PATTERN), Field(examples=["10000000000000001"])]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,16}$")]
Tracking = Annotated[str, StringConstraints(pattern=TRACKING_INPUT_PATTERN), Field(examples=["DOM-2026-000001"])]
WalletName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,20}$"), Field(examples=["sandbox"])]
Reference = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Cursor = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_=-]{1,200}$")]
Paisa = Annotated[int, Field(ge=0, le=2_000_000_000, description="Amount in paisa (1/100 of a rupee)")]


class Body(BaseModel):
    """Every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageQuery(Query):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: Cursor | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; `code` is stable, `detail` is in the caller's language."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    code: str = Field(description="Stable machine-readable error code")
    detail: str = Field(description="Human-readable, localised by Accept-Language")
    errors: dict[str, str] | None = Field(default=None, description="Field name -> what is wrong with it")
