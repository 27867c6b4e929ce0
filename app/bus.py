"""Domain events and the message bus that acts on them after a commit.

A service that changes data and owes the outside world something (an outbox drain, a
charge job, an SMS send) records a typed event on the unit of work it was given. It
never enqueues itself and never looks a collaborator up: when the outermost
transaction commits, `Database` hands the events to the bus, whose handlers
`app.bootstrap` wires once per process (the message-bus pattern of *Architecture
Patterns with Python*, ch. 8-13). A rollback drops them, so nothing is ever enqueued
for a change that did not happen.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

log = logging.getLogger("rabta.bus")

_EVENTS_KEY = "rabta_events"


@dataclass(frozen=True)
class Event:
    """Base class of every domain event."""


# A handler receives every event of its type that one commit produced, in order, so it can batch.
Handler = Callable[[Sequence[Event]], None]


def record(session: Session, event: Event) -> None:
    """Remember `event` until this session's outermost transaction commits (or forget it on rollback)."""
    session.info.setdefault(_EVENTS_KEY, []).append(event)


def take_events(session: Session) -> list[Event]:
    events: list[Event] = session.info.pop(_EVENTS_KEY, [])
    return events


def pending_events(session: Session) -> int:
    """How many events this session holds so far: a mark for `drop_events_since`."""
    return len(session.info.get(_EVENTS_KEY, []))


def drop_events_since(session: Session, mark: int) -> None:
    """Forget the events recorded after `mark` (the work of a rolled-back SAVEPOINT)."""
    del session.info.get(_EVENTS_KEY, [])[mark:]


def drop_events(session: Session) -> None:
    session.info.pop(_EVENTS_KEY, None)


class MessageBus:
    """Event type -> handlers, built once by `app.bootstrap`. A failing handler is logged and the
    others still run: every event here has a periodic sweep that recovers a lost kick."""

    def __init__(self, handlers: dict[type[Event], list[Handler]] | None = None) -> None:
        self.handlers: dict[type[Event], list[Handler]] = dict(handlers or {})

    def publish(self, events: Sequence[Event]) -> None:
        by_type: dict[type[Event], list[Event]] = defaultdict(list)
        for event in events:
            by_type[type(event)].append(event)
        for kind, batch in by_type.items():
            for handler in self.handlers.get(kind, []):
                try:
                    handler(batch)
                except Exception:
                    log.exception("handler for %s failed; the periodic sweep will recover", kind.__name__)
