"""The imperative shell around the pure engine: load the session, step, run effects, render, save.

Channel-neutral: it takes a normalised request (session id, caller's number, the
latest input) and returns a `Reply`; only `ussd.routes` knows Africa's Talking.
Per hop: one GET of the session, the effects the journey needs, one batched (`app.redis_batch`)
write of the session, the resume snapshot, the funnel counters and the hop's log entry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app import metrics
from app.messages.redaction import mask_entry
from app.redaction import mask_text
from app.redis_batch import Batch
from app.timeutil import utcnow
from ussd import funnel, store
from ussd.effects import EFFECTS, Context
from ussd.engine import Input, Outcome, Start, State, Step, step
from ussd.render import Reply, render
from ussd.screens import SCREENS, Prompt

log = logging.getLogger("rabta.ussd")

MAX_EFFECTS_PER_HOP = 6


@dataclass(frozen=True)
class UssdRequest:
    session_id: str
    phone: str  # E.164
    input: str | None  # None: the first hop of a session
    lost: bool = False  # the provider is mid-session but we have no record of it


@dataclass(frozen=True)
class Hop:
    """What one hop did, for observers (the phone simulator's event panel). A secret entry (a PIN) is
    masked here, at the source, so no observer ever holds it."""

    session_id: str
    phone: str
    came_from: str | None  # the screen the input answered (None: a new session)
    screen: str  # the screen shown now
    input: str | None  # the latest input as the adapter parsed it: a PIN masked, CNICs and numbers partly
    secret: bool
    effects: tuple[tuple[str, str], ...]  # (effect, outcome) in the order they ran
    funnel: tuple[tuple[str, str], ...]  # (screen, event) counted for this hop
    end: bool
    asks_secret: bool  # the screen shown now wants a PIN
    at: str  # server time (UTC, ISO 8601)
    elapsed_ms: float


HopObserver = Callable[[Hop], None]


@dataclass(frozen=True)
class Gateway:
    context: Context
    session_ttl: int
    resume_window: int
    default_language: str = "en"
    # Told about every hop (a channel's setup adds one); not part of the gateway's identity.
    observers: list[HopObserver] = field(default_factory=list, compare=False)

    def load(self, session_id: str) -> store.Record:
        """The session's record (one GET); the adapter reads its own bookkeeping from `.channel`."""
        return store.load(self.context.redis, session_id)

    def queue_load(self, pipe: Batch, session_id: str) -> None:
        """`load` as one command on the adapter's batch (sharing a round trip); its reply goes to `loaded`."""
        pipe.get(store.session_key(session_id))

    def loaded(self, raw: bytes | str | None) -> store.Record:
        return store.loads(raw)

    def handle(self, request: UssdRequest, record: store.Record | None = None,
               channel: Callable[[Reply], str] | None = None) -> Reply:
        """One hop. `record` is what `load` returned (loaded here if not given); `channel(reply)` is the
        adapter's bookkeeping, saved with the session in the same write."""
        started = time.perf_counter()
        if record is None:
            record = self.load(request.session_id) if request.input is not None else store.Record(None, None)
        state = record.state if request.input is not None else None
        if state is not None and state.phone != request.phone:
            log.warning("USSD session %s changed number; starting again", request.session_id)
            state = None
        came_from = state.screen if state is not None else None
        if state is None:
            lost = request.lost or request.input is not None
            fresh = State(session_id=request.session_id, phone=request.phone, language=self.default_language,
                          notice="ussd.notice.expired" if lost else None)
            result = step(fresh, Start())
        else:
            result = step(state, Input(request.input or ""))
        ran: list[tuple[str, str]] = []
        result, events = self._run_effects(result, ran)
        reply = render(result.state)
        pipe = Batch(self.context.redis)
        store.save(pipe, result.state, channel=channel(reply) if channel else None, ttl=self.session_ttl,
                   resume_window=self.resume_window)
        funnel.record(pipe, events)
        elapsed = time.perf_counter() - started
        funnel.log_hop(pipe, request.session_id, result.state.screen, events, int(elapsed * 1000))
        pipe.execute()
        metrics.observe_ussd_hop(result.state.screen, elapsed)
        if self.observers:
            self._tell(Hop(request.session_id, request.phone, came_from, result.state.screen,
                           _shown_input(came_from, request.input), _is_secret(came_from), tuple(ran),
                           tuple(events), reply.end, _is_secret(result.state.screen), utcnow().isoformat(),
                           round(elapsed * 1000, 1)))
        return reply

    def _tell(self, hop: Hop) -> None:
        for observer in self.observers:
            try:
                observer(hop)
            except Exception:  # an observer never breaks a caller's hop
                log.exception("USSD hop observer failed (session %s)", hop.session_id)

    def _run_effects(self, result: Step, ran: list[tuple[str, str]] | None = None
                     ) -> tuple[Step, list[tuple[str, str]]]:
        events = list(result.funnel)
        for _ in range(MAX_EFFECTS_PER_HOP):
            effect = result.effect
            if effect is None:
                break
            try:
                outcome = EFFECTS[effect.name](self.context, result.state, effect)
            except Exception:  # a broken dependency ends the session politely, never a 500
                log.exception("USSD effect %s failed in session %s", effect.name, result.state.session_id)
                outcome = Outcome(effect.task, "error")
            if ran is not None:
                ran.append((effect.name, outcome.name))
            result = step(result.state, outcome)
            events.extend(result.funnel)
        if result.effect is not None:  # a loop of tasks is a menu bug; fail closed
            log.error("USSD effects did not settle in session %s", result.state.session_id)
            result = step(result.state, Outcome(result.effect.task, "error"))
        return result, events

    def session_ended(self, *, session_id: str, status: str, phone: str | None) -> bool:
        """Record AT's end-of-session notice once; False when it is a repeat."""
        redis = self.context.redis
        if not redis.set(f"{store.PREFIX}:ended:{session_id}", status, nx=True, ex=86400):
            return False
        state = store.load(redis, session_id).state
        metrics.count_ussd_session(status)
        events = [(funnel.SESSIONS, status.lower())]
        completed = status == "Success" or bool(state and state.ended)
        if state is not None and not completed:
            events.append((state.screen, "timeout"))
        pipe = Batch(redis)
        funnel.record(pipe, events)
        funnel.log_session_end(pipe, session_id, status, completed, state.screen if state else "")
        pipe.execute()
        store.session_ended(redis, state, phone, completed=completed, resume_window=self.resume_window)
        return True


def _is_secret(screen_id: str | None) -> bool:
    """A prompt that stores nothing hands its answer to an effect as a secret (a PIN)."""
    screen = SCREENS.get(screen_id or "")
    return isinstance(screen, Prompt) and screen.field is None


def _shown_input(screen_id: str | None, value: str | None) -> str | None:
    if value is None:
        return None
    # A PIN is never shown; a CNIC or a phone number typed at a prompt is shown masked, as in the logs.
    return mask_entry(value) if _is_secret(screen_id) else mask_text(value.strip())
