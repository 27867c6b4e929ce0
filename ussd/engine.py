"""The menu engine: a pure `step(state, event) -> Step` over the screens in `ussd.screens`.

No I/O happens here. When a journey reaches a Task screen, `step` returns an
`Effect` for the shell (`ussd.gateway`) to perform; the shell feeds the result back
as an `Outcome` event. Funnel events (arrival, completion, back, invalid, end) are
returned alongside, for the shell to count.

Navigation is the same everywhere: `0` back, `00` home, `98` more.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ussd import render
from ussd.inputs import PARSERS, PREDICATES, Rejected, parse_choice
from ussd.screens import FAILURE, HOME, SCREENS, START, Branch, Final, Menu, Pick, Prompt, Restore, Task

BACK, GO_HOME, MORE = "0", "00", "98"
MAX_STACK = 20
MAX_REDIRECTS = 8
STATE_UPDATES = ("language", "citizen_id", "has_pin")


@dataclass(frozen=True)
class State:
    session_id: str
    phone: str
    language: str = "en"
    screen: str = START
    stack: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # keys starting with "_" are never resumed
    page: int = 0
    error: tuple[str, dict[str, Any]] | None = None  # reason shown above a re-prompt
    notice: str | None = None  # a one-off line above the next screen
    citizen_id: int | None = None
    has_pin: bool = False
    ended: bool = False


@dataclass(frozen=True)
class Start:
    """The session begins (or we lost track of it and begin again)."""


@dataclass(frozen=True)
class Input:
    text: str


@dataclass(frozen=True)
class Outcome:
    task: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)  # None values delete the key
    updates: dict[str, Any] = field(default_factory=dict)  # language / citizen_id / has_pin
    error: tuple[str, dict[str, Any]] | None = None
    notice: str | None = None


Event = Start | Input | Outcome


@dataclass(frozen=True)
class Effect:
    task: str
    name: str
    args: dict[str, Any]
    secret: str | None = field(default=None, repr=False)  # a PIN: lives only in this object


@dataclass(frozen=True)
class Step:
    state: State
    effect: Effect | None = None
    funnel: tuple[tuple[str, str], ...] = ()


def step(state: State, event: Event) -> Step:
    if isinstance(event, Start):
        return _go(replace(state, screen=START, stack=(), page=0), START, [])
    if isinstance(event, Outcome):
        return _on_outcome(state, event)
    if state.ended:
        return Step(state)
    return _on_input(replace(state, error=None, notice=None), event.text)


def _on_input(state: State, text: str) -> Step:
    screen = SCREENS[state.screen]
    value = text.strip()
    if isinstance(screen, Final):
        return Step(state)
    if value == GO_HOME:
        return _go(state, HOME, [(state.screen, "back")])
    if value == BACK:
        return _back(state)
    if value == MORE and not isinstance(screen, Prompt):
        return _more(state)
    try:
        if isinstance(screen, Menu):
            return _choose(state, screen, value)
        if isinstance(screen, Pick):
            return _pick(state, screen, value)
        if isinstance(screen, Prompt):
            return _answer(state, screen, value)
    except Rejected as rejected:
        return _reprompt(state, rejected.reason, rejected.params)
    raise TypeError(f"screen {state.screen!r} cannot take input")


def _choose(state: State, screen: Menu, value: str) -> Step:
    choice = parse_choice(value)
    if not 1 <= choice <= len(screen.options):
        raise Rejected("ussd.reason.choice")
    option = screen.options[choice - 1]
    if screen.field and option.value is not None:
        state = replace(state, data={**state.data, screen.field: option.value})
    return _go(state, option.target, [(screen.id, "completion")])


def _pick(state: State, screen: Pick, value: str) -> Step:
    items = state.data.get(screen.items) or []
    choice = parse_choice(value)
    if not 1 <= choice <= len(items):
        raise Rejected("ussd.reason.choice")
    state = replace(state, data={**state.data, screen.field: items[choice - 1]["value"]})
    return _go(state, screen.then, [(screen.id, "completion")])


def _answer(state: State, screen: Prompt, value: str) -> Step:
    parsed = PARSERS[screen.parser](value)
    if screen.field is None:
        return _go(state, screen.then, [(screen.id, "completion")], secret=parsed)
    state = replace(state, data={**state.data, screen.field: parsed})
    return _go(state, screen.then, [(screen.id, "completion")])


def _reprompt(state: State, reason: str, params: dict[str, Any]) -> Step:
    return Step(replace(state, error=(reason, params)), funnel=((state.screen, "invalid"),))


def _back(state: State) -> Step:
    funnel = [(state.screen, "back")]
    if not state.stack:
        return _go(state, HOME, funnel)
    previous, stack = state.stack[-1], state.stack[:-1]
    return Step(replace(state, screen=previous, stack=stack, page=0), funnel=(*funnel, (previous, "arrival")))


def _more(state: State) -> Step:
    if state.page + 1 < render.page_count(state):
        return Step(replace(state, page=state.page + 1))
    return _reprompt(state, "ussd.reason.no_more", {})


def _on_outcome(state: State, outcome: Outcome) -> Step:
    task = SCREENS[outcome.task]
    if not isinstance(task, Task):
        raise TypeError(f"{outcome.task!r} is not a task")
    data = {**state.data, **outcome.data}
    data = {key: value for key, value in data.items() if value is not None}
    updates = {key: value for key, value in outcome.updates.items() if key in STATE_UPDATES}
    state = replace(state, data=data, error=outcome.error, notice=outcome.notice or state.notice, **updates)
    return _go(state, task.target(outcome.name), [])


def _go(state: State, target: str, funnel: list[tuple[str, str]], secret: str | None = None,
        redirects: int = 0) -> Step:
    """Move to `target`, resolving tasks (as an effect) and pure branches on the way."""
    if redirects > MAX_REDIRECTS:
        target = FAILURE
    screen = SCREENS[target]
    if isinstance(screen, Task):
        args = {name: state.data.get(name) for name in screen.args}
        return Step(state, Effect(screen.id, screen.effect, args, secret), tuple(funnel))
    if isinstance(screen, Branch):
        chosen = screen.yes if PREDICATES[screen.test](state) else screen.no
        return _go(state, chosen, funnel, secret, redirects + 1)
    if isinstance(screen, Restore):
        return _restore(state, screen, funnel, redirects)
    if target != state.screen:  # a re-prompt after a task (wrong PIN) is not a new arrival
        funnel.append((target, "arrival"))
    stack = _stack_for(state, target)
    state = replace(state, screen=target, stack=stack, page=0, ended=isinstance(screen, Final))
    if isinstance(screen, Final):
        funnel.append((target, "end"))
    return Step(state, funnel=tuple(funnel))


def _stack_for(state: State, target: str) -> tuple[str, ...]:
    if target == HOME:
        return ()
    if target == state.screen or state.screen not in SCREENS or not _is_visible(state.screen):
        return state.stack
    return (*state.stack, state.screen)[-MAX_STACK:]


def _is_visible(screen_id: str) -> bool:
    return isinstance(SCREENS[screen_id], Menu | Prompt | Pick)


def _restore(state: State, screen: Restore, funnel: list[tuple[str, str]], redirects: int) -> Step:
    saved = state.data.get("_resume")
    if not isinstance(saved, dict) or saved.get("screen") not in SCREENS or not _is_visible(saved["screen"]):
        return _go(state, screen.fallback, funnel, None, redirects + 1)
    stack = tuple(s for s in saved.get("stack", ()) if s in SCREENS and _is_visible(s))
    data = dict(saved.get("data") or {})
    restored = replace(state, screen=saved["screen"], stack=stack, data=data, page=0)
    funnel.append((restored.screen, "arrival"))
    return Step(restored, funnel=tuple(funnel))
