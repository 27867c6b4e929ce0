"""One definition each of the PSID, the tracking number, "overdue" and the GSM-7 alphabet.

Every channel accepts a PSID or a tracking number typed the same ways (spaces, dashes, any case)
and refuses the same malformed ones, because they all normalise through `app.bills.psid` and
`app.applications.tracking`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app.messages import gsm7, text
from app.runtime import Runtime
from tests.fixtures.api import SignedIn, agency_headers, sign_in
from tests.fixtures.channels import TextRabta
from tests.fixtures.ussd import UssdCall, screen_of

AYESHA = "+923001234567"


@pytest.fixture
def ayesha_in_app(client: FlaskClient, runtime: Runtime, demo: None) -> SignedIn:
    return sign_in(client, runtime, AYESHA)


@pytest.mark.parametrize("typed", ["10000000000000001", "1000 0000 0000 00001", "1000-0000-0000-0000-1"])
def test_a_psid_typed_with_spaces_or_dashes_is_the_same_bill_everywhere(
        client: FlaskClient, ayesha_in_app: SignedIn, dial: Callable[..., UssdCall], text_rabta: TextRabta,
        typed: str) -> None:
    assert client.get(f"/api/v1/bills/{typed}", headers=ayesha_in_app.headers).json["psid"] == "10000000000000001"
    call = dial(AYESHA)
    call.send("1", typed)
    assert "PSID 10000000000000001" in screen_of(call)
    reply = text_rabta(AYESHA, f"BILL {typed}")
    assert reply is not None and "PSID 10000000000000001" in reply


def test_a_psid_of_sixteen_digits_is_refused_the_same_way_everywhere(
        client: FlaskClient, ayesha_in_app: SignedIn, dial: Callable[..., UssdCall], text_rabta: TextRabta) -> None:
    api = client.get("/api/v1/bills/1000000000000001", headers=ayesha_in_app.headers)
    assert (api.status_code, api.json["code"]) == (422, "invalid_psid")
    call = dial(AYESHA)
    call.send("1")
    assert call.send("1000000000000001").startswith("CON " + text("error.invalid_psid", "en"))
    assert text_rabta(AYESHA, "BILL 1000000000000001") == text("error.invalid_psid", "en")


@pytest.mark.parametrize("typed", ["DOM-2026-000001", "dom 2026 000001", "DOM2026000001", "dom.2026.000001"])
def test_a_tracking_number_typed_any_way_finds_the_application_everywhere(
        client: FlaskClient, ayesha_in_app: SignedIn, dial: Callable[..., UssdCall], text_rabta: TextRabta,
        typed: str) -> None:
    api = client.get(f"/api/v1/requests/{typed}", headers=ayesha_in_app.headers)
    assert api.json["tracking_number"] == "DOM-2026-000001"
    call = dial(AYESHA)
    call.send("2", typed)
    assert "DOM-2026-000001" in screen_of(call)
    reply = text_rabta(AYESHA, f"STATUS {typed}")
    assert reply is not None and reply.startswith("DOM-2026-000001")


def test_overdue_means_the_same_in_the_citizens_and_the_agencys_lists(
        client: FlaskClient, runtime: Runtime, ayesha_in_app: SignedIn) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from app.applications.models import ServiceRequest
    from app.timeutil import utcnow

    with runtime.db.transaction() as session:  # the domicile application is now past its service level
        session.execute(update(ServiceRequest).where(ServiceRequest.tracking_number == "DOM-2026-000001")  # type: ignore[arg-type]
                        .values(sla_due_at=utcnow() - timedelta(hours=1)))
    mine = client.get("/api/v1/requests/DOM-2026-000001", headers=ayesha_in_app.headers).json
    queue = client.get("/api/v1/agency/requests", headers=agency_headers(runtime, "DC")).json["items"]
    assert mine["overdue"] is True and queue[0]["tracking_number"] == "DOM-2026-000001" and queue[0]["overdue"]


def test_ussd_screens_and_sms_segments_use_one_gsm7_alphabet() -> None:
    from sms import service
    from ussd import render

    assert render.to_gsm7 is gsm7.to_gsm7 and render.septets is gsm7.septets
    assert service.count_segments is gsm7.count_segments
    assert gsm7.to_gsm7("“Domicile” — approved…") == '"Domicile" - approved...'
    assert gsm7.count_segments("“Domicile” — approved").encoding == gsm7.UCS2  # as typed: curly quotes
    assert gsm7.count_segments(gsm7.normalise_look_alikes("“Domicile” — approved")).encoding == gsm7.GSM7
