"""What a simulated phone does, as the simulator server performs it: dial, answer, hang up, text, read.

Every action goes over HTTP to the real endpoints (`simulator.network`); this module adds only what a
network adds (session ids, the accumulated text, the end-of-session event on END, hang-up or idle
timeout) and the event panel's entries, built from the gateway's hop report and the SMS tables read
through their services. Codes are masked in the panel (`app.messages.redaction`), never in the inbox:
the inbox is that phone's own screen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from app.messages.gsm7 import count_segments
from app.messages.redaction import carries_code, redact
from app.outbox import inbox
from app.runtime import Runtime
from app.timeutil import utcnow
from simulator import calls
from simulator.network import Answer, Network
from sms.parsing import YES, parse
from sms.providers.simulator import read_records
from sms.service import inbound_command

log = logging.getLogger("rabta.simulator")

INBOX_SIZE = 30
SUCCESS, INCOMPLETE = "Success", "Incomplete"
# The inbound command whose text carries a one-time code (YES <code>): masked like the code it answers.
_CODE_COMMANDS = {YES: "pay_code"}


class CallGone(LookupError):
    """The session is not one this simulator runs for this phone (or it already ended)."""


def _screen(answer: Answer) -> tuple[str, bool]:
    """The screen text and whether the session ended, as a handset reads an AT answer."""
    body = answer.body
    if answer.status != 200:
        return f"Connection problem (HTTP {answer.status}). {body[4:] if body[:4] in ('CON ', 'END ') else ''}", True
    if body.startswith("CON "):
        return body[4:], False
    return (body[4:] if body.startswith("END ") else body), True


def dial(runtime: Runtime, phone: str) -> dict[str, Any]:
    call = calls.start(runtime.redis, phone)
    return _hop(runtime, call, [])


def reply(runtime: Runtime, phone: str, session_id: str, inputs: list[str]) -> dict[str, Any]:
    call = calls.load(runtime.redis, session_id, phone)
    if call is None or call.ended:
        raise CallGone(session_id)
    if call.idle_for(time.time()) > runtime.settings.SIMULATOR_IDLE_TIMEOUT_SECONDS:
        hang_up(runtime, phone, session_id, inputs[:-1])  # the network gave up before this answer
        return {"session_id": session_id, "screen": "", "end": True, "timed_out": True,
                "event": _ended_event(INCOMPLETE, "timeout")}
    return _hop(runtime, call, inputs)


def _hop(runtime: Runtime, call: calls.Call, inputs: list[str]) -> dict[str, Any]:
    network = Network(runtime.settings)
    answer = network.ussd_hop(session_id=call.session_id, phone=call.phone, inputs=inputs)
    screen, end = _screen(answer)
    call.last, call.hops = time.time(), call.hops + 1
    calls.save(runtime.redis, call)
    hop = calls.take_hop(runtime.redis, call.session_id)
    event = _hop_event(hop, answer)
    if end:  # the network reports how every session ended
        _end(runtime, network, call, SUCCESS if answer.status == 200 else "Failed", inputs)
    return {"session_id": call.session_id, "screen": screen, "end": end, "event": event,
            "secret": bool(hop and hop.get("asks_secret"))}


def _hop_event(hop: dict[str, Any] | None, answer: Answer) -> dict[str, Any]:
    if hop is None:  # a repeated delivery answered from the session cache, or an error answer
        return {"kind": "ussd", "at": utcnow().isoformat(), "http": answer.status, "screen": None}
    return {"kind": "ussd", "http": answer.status, **{key: hop[key] for key in (
        "at", "came_from", "screen", "input", "secret", "effects", "funnel", "end", "elapsed_ms")}}


def hang_up(runtime: Runtime, phone: str, session_id: str, inputs: list[str],
            reason: str = "drop") -> dict[str, Any]:
    """The caller dropped the call, or the screen sat unanswered past the idle timeout: AT's `Incomplete`."""
    call = calls.load(runtime.redis, session_id, phone)
    if call is None:
        raise CallGone(session_id)
    if not call.ended:
        _end(runtime, Network(runtime.settings), call, INCOMPLETE, inputs)
    return {"session_id": session_id, "event": _ended_event(call.ended or INCOMPLETE, reason)}


def _end(runtime: Runtime, network: Network, call: calls.Call, status: str, inputs: list[str]) -> None:
    call.ended = status
    calls.save(runtime.redis, call)
    answer = network.ussd_ended(session_id=call.session_id, phone=call.phone, status=status, inputs=inputs,
                                duration_ms=int((time.time() - call.started) * 1000))
    if answer.status != 200:
        log.warning("end-of-session event for a simulated call answered HTTP %s", answer.status)


def _ended_event(status: str, reason: str) -> dict[str, Any]:
    return {"kind": "ussd_end", "at": utcnow().isoformat(), "status": status, "reason": reason}


def text(runtime: Runtime, phone: str, body: str) -> dict[str, Any]:
    """Text Rabta from the phone through the configured provider's inbound webhook."""
    at = utcnow().isoformat()  # when the phone sent it (its replies follow)
    provider, message_id, answer = Network(runtime.settings).text(phone=phone, body=body)
    with runtime.db.transaction(immediate=False) as session:
        command = inbound_command(session=session, provider=provider, provider_message_id=message_id)
    info = count_segments(body)
    understood = command or parse(body).command
    shown = redact(body, _CODE_COMMANDS[understood]) if understood in _CODE_COMMANDS else body
    return {"kind": "sms_in", "at": at, "http": answer.status, "provider": provider,
            "text": shown, "command": command or "(not recorded)", "segments": info.segments,
            "encoding": info.encoding}


def messages(runtime: Runtime, phone: str) -> list[dict[str, Any]]:
    """The phone's inbox: what the outbound path sent to it, newest last."""
    with runtime.db.transaction(immediate=False) as session:
        lines = inbox(session=session, settings=runtime.settings, number=phone, limit=INBOX_SIZE,
                      clear_bodies=lambda ids: read_records(runtime.redis, ids))
    return [{**asdict(line), "at": line.at.isoformat(),
             "masked": redact(line.body, line.kind) if carries_code(line.kind) else line.body} for line in lines]
