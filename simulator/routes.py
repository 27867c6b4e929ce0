"""`/simulator`: the page, and the small JSON endpoints its script calls (which call the real webhooks).

The JSON endpoints take JSON only and want the `X-Rabta-Simulator` header: a cross-site form cannot send
either without a CORS preflight we never answer, so a signed-in admin's browser cannot be made to dial.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from app.errors import InvalidPhoneNumber
from app.runtime import current
from app.seed import CITIZENS
from simulator import access, phone

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates",
               static_folder="static", static_url_path="/static")

API_HEADER = "X-Rabta-Simulator"
MAX_INPUTS = 60
MAX_TEXT = 480


@bp.before_request
def _gate() -> Response | None:
    verdict = access.verdict(current().settings)
    if verdict == access.HIDDEN:
        abort(404)
    if verdict == access.SIGN_IN:
        return Response("The phone simulator is for console admins: sign in to the console first.", 403,
                        mimetype="text/plain")
    if request.method == "POST" and (not request.is_json or request.headers.get(API_HEADER) != "1"):
        return _problem("The simulator's endpoints take JSON from its own page.", 400)
    return None


def _problem(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _number(raw: object) -> str:
    return access.phone_number(str(raw or ""), current().settings)


@bp.errorhandler(InvalidPhoneNumber)
def _bad_number(error: InvalidPhoneNumber) -> Response:
    return _problem(str(error), 400)


@bp.errorhandler(phone.CallGone)
def _call_gone(_error: phone.CallGone) -> Response:
    return _problem("That call has ended; press Call to dial again.", 409)


@bp.get("")
def page() -> Response:
    settings = current().settings
    development = access.is_development(settings)
    demo = [(spec["msisdn"], spec["name"]) for spec in CITIZENS] if development else []
    html = render_template("simulator.html", first=access.first_number(settings, [n for n, _ in demo]), demo=demo,
                           service_code=settings.SIMULATOR_SERVICE_CODE, development=development,
                           idle_seconds=settings.SIMULATOR_IDLE_TIMEOUT_SECONDS,
                           prefix=settings.SIMULATOR_NUMBER_PREFIX, sms_provider=settings.SMS_PROVIDER)
    return Response(html, mimetype="text/html")


@bp.get("/api/inbox")
def inbox() -> Response:
    number = _number(request.args.get("phone"))
    return jsonify({"phone": number, "messages": phone.messages(current(), number)})


@bp.post("/api/ussd/dial")
def dial() -> Response:
    return jsonify(phone.dial(current(), _number(_body().get("phone"))))


def _inputs(data: dict[str, Any]) -> list[str]:
    raw = data.get("inputs")
    if not isinstance(raw, list) or len(raw) > MAX_INPUTS or not all(isinstance(v, str) for v in raw):
        abort(_problem("inputs: a list of what was typed on each screen", 400))
    return [value[:MAX_TEXT] for value in raw]


@bp.post("/api/ussd/reply")
def reply() -> Response:
    data = _body()
    inputs = _inputs(data)
    if not inputs:
        return _problem("Type an answer first.", 400)
    return jsonify(phone.reply(current(), _number(data.get("phone")), str(data.get("session_id") or ""), inputs))


@bp.post("/api/ussd/hang-up")
def hang_up() -> Response:
    data = _body()
    reason = "timeout" if data.get("reason") == "timeout" else "drop"
    return jsonify(phone.hang_up(current(), _number(data.get("phone")), str(data.get("session_id") or ""),
                                 _inputs(data), reason))


@bp.post("/api/sms")
def send_sms() -> Response:
    data = _body()
    body = str(data.get("text") or "").strip()
    if not body or len(body) > MAX_TEXT:
        return _problem("Type a message (at most 480 characters).", 400)
    return jsonify(phone.text(current(), _number(data.get("phone")), body))

