"""Bills and challans: issue (through `app.bills.issuing`, the API's function), list, block and unblock
with a reason (`app.bills.service`), and the payments made against a bill."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, request, url_for
from pydantic import ValidationError as PydanticError
from werkzeug.wrappers import Response

from app.api.schemas.agency import AgencyBillCreate
from app.audit.service import record
from app.bills.issuing import issue_agency_bill
from app.bills.models import BILL_KINDS, BILL_STATUSES
from app.bills.queries import BillFilter, agency_bill, bills
from app.bills.service import block_bill, inquiry_for, unblock_bill
from app.catalogue.service import agency_codes, get_agency
from app.errors import ValidationFailed
from app.runtime import current
from console.views_applications import page_number
from console.web import PAGE_SIZE, bp, client_ip, officer, render, t
from payments.refunds import PaymentFilter, payments

REASON_LIMIT = 300


def bill_filter() -> BillFilter:
    args = request.args
    return BillFilter(agency_id=officer().agency_id,
                      status=args.get("status", "") if args.get("status") in BILL_STATUSES else "",
                      kind=args.get("kind", "") if args.get("kind") in BILL_KINDS else "",
                      overdue_on=current().today() if args.get("overdue") == "1" else None)


@bp.get("/bills")
def bill_list() -> tuple[str, int]:
    page, scope = page_number(), officer()
    runtime = current()
    with runtime.db.session() as db_session:
        found = bills(session=db_session, where=bill_filter(), limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        rows = [inquiry_for(session=db_session, bill=b, on=runtime.today(), language=scope.language)
                for b in found[:PAGE_SIZE]]
    return render("bills.html", rows=rows, page=page, has_next=len(found) > PAGE_SIZE, statuses=BILL_STATUSES,
                  kinds=BILL_KINDS, args=request.args)


@bp.get("/bills/<psid>")
def bill(psid: str) -> tuple[str, int]:
    scope, runtime = officer(), current()
    with runtime.db.session() as db_session:
        found = agency_bill(session=db_session, psid=psid, agency_id=scope.agency_id)
        view = inquiry_for(session=db_session, bill=found, on=runtime.today(), language=scope.language)
        paid = payments(session=db_session, where=PaymentFilter(agency_id=scope.agency_id, bill_id=found.id),
                        limit=100)
    return render("bill.html", bill=view, payments=[p for p, _b in paid], reason_limit=REASON_LIMIT)


def _reason() -> str:
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        raise ValidationFailed(t("console.bill.reason_required", limit=REASON_LIMIT),
                               field_errors={"reason": "required"})
    return reason


@bp.post("/bills/<psid>/block")
def block(psid: str) -> Response:
    return _block_or_unblock(psid, blocking=True)


@bp.post("/bills/<psid>/unblock")
def unblock(psid: str) -> Response:
    return _block_or_unblock(psid, blocking=False)


def _block_or_unblock(psid: str, *, blocking: bool) -> Response:
    scope = officer()
    reason = _reason()
    with current().db.transaction() as db_session:
        change = block_bill if blocking else unblock_bill
        moved = change(session=db_session, psid=psid, agency_id=scope.agency_id)
        record(session=db_session, actor=scope.email, action="bill.blocked" if blocking else "bill.unblocked",
               subject=moved.psid, agency_id=moved.agency_id, detail=reason, ip=client_ip())
    flash(t("console.bill.blocked" if blocking else "console.bill.unblocked"), "info")
    return redirect(url_for("console.bill", psid=moved.psid), 303)


@bp.get("/bills/new")
def new_bill() -> tuple[str, int]:
    return render("bill_new.html", kinds=BILL_KINDS, form={}, agencies=_agencies_for_admin())


def _agencies_for_admin() -> list[str]:
    if officer().agency_id is not None:
        return []
    with current().db.session() as db_session:
        return sorted(agency_codes(session=db_session).values())


def _paisa(field: str, required: bool = True) -> int | None:
    raw = request.form.get(field, "").strip().replace(",", "")
    if not raw and not required:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationFailed(t("console.bill.amount_invalid"), field_errors={field: "invalid"}) from exc
    if value != value.quantize(Decimal("0.01")) or value <= 0 or value > Decimal("10000000000"):
        raise ValidationFailed(t("console.bill.amount_invalid"), field_errors={field: "invalid"})
    return int(value * 100)


def _validated() -> AgencyBillCreate:
    """The form checked by the agency API's own request model: the same validation on both channels."""
    form = request.form
    fields = {"kind": form.get("kind", ""), "description": form.get("description", ""),
              "amount_within_due": _paisa("amount_within_due"),
              "amount_after_due": _paisa("amount_after_due", required=False), "due_date": form.get("due_date", ""),
              "citizen_cnic": form.get("citizen_cnic", "").strip() or None,
              "citizen_msisdn": form.get("citizen_msisdn", "").strip() or None}
    try:
        return AgencyBillCreate.model_validate(fields)
    except PydanticError as exc:
        errors = {".".join(str(p) for p in e["loc"]) or "form": e["msg"] for e in exc.errors()}
        detail = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise ValidationFailed(detail, field_errors=errors) from exc


@bp.post("/bills/new")
def issue() -> Response:
    scope, runtime = officer(), current()
    body = _validated()
    with runtime.db.transaction() as db_session:
        code = request.form.get("agency", "") if scope.agency_id is None else \
            agency_codes(session=db_session)[scope.agency_id]
        agency = get_agency(session=db_session, code=code)
        issued = issue_agency_bill(
            session=db_session, agency=agency, kind=body.kind, description=body.description,
            amount_within_due=body.amount_within_due, amount_after_due=body.amount_after_due,
            due_date=body.due_date, cnic=body.citizen_cnic, msisdn=body.citizen_msisdn,
            currency=runtime.settings.DEFAULT_CURRENCY, region=runtime.settings.DEFAULT_REGION, today=runtime.today())
        record(session=db_session, actor=scope.email, action="bill.issued", subject=issued.bill.psid,
               agency_id=agency.id, detail=f"{issued.bill.kind} {issued.bill.amount_within_due}", ip=client_ip())
        psid = issued.bill.psid
    flash(t("console.bill.issued", psid=psid), "info")
    return redirect(url_for("console.bill", psid=psid), 303)
