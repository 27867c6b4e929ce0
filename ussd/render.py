"""Turning a session state into one USSD screen: <= 160 GSM-7 septets, paged, never a cut word.

Pure functions. Long bodies (a bill, a status) and long lists (twelve unpaid bills)
are split into pages reached with `98`; a single item too long for any page is
shortened at a word boundary with `...`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.messages.catalogue import TEXTS as SHARED_TEXTS
from app.messages.gsm7 import septets, to_gsm7
from ussd.screens import SCREENS, Final, Menu, Pick, Prompt
from ussd.texts import TEXTS

if TYPE_CHECKING:
    from ussd.engine import State

MAX_SEPTETS = 160
ITEM_MAX_SEPTETS = 38
TRANSIENT_RESERVE_SEPTETS = 24  # room kept on untitled paged screens for a short reason ("Invalid choice.")
ELLIPSIS = "..."
_TOKEN = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Reply:
    text: str
    end: bool


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def display_language(language: str) -> str:
    """USSD is GSM-7 only: Urdu is shown in Roman Urdu."""
    return "ur-Latn" if language in ("ur", "ur-Latn") else "en"


def t(key: str, language: str, /, **params: Any) -> str:
    """A USSD or shared text in the display language; missing params render empty."""
    by_language = TEXTS.get(key) or SHARED_TEXTS.get(key) or {"en": key}
    lang = display_language(language)
    template = by_language.get(lang) or by_language["en"]
    return to_gsm7(template.format_map(_Blank(params)))


def shorten(value: str, limit: int) -> str:
    """Fit `value` into `limit` septets, cutting only between words (line breaks kept)."""
    if septets(value) <= limit:
        return value
    kept = ""
    for token in _TOKEN.findall(value):
        if septets((kept + token).rstrip()) + len(ELLIPSIS) > limit:
            break
        kept += token
    kept = kept.rstrip()
    return kept + ELLIPSIS if kept else ELLIPSIS[: max(limit, 0)]


@dataclass(frozen=True)
class _Layout:
    transient: list[str]  # a notice or a reason: shown if it fits, never moves page breaks
    header: list[str]  # the screen's title: on every page
    lines: list[str]  # pageable content: body lines (split between words if need be) or list items
    footer: list[str]  # options and navigation: on every page
    splittable: bool  # body lines may break between words; list items never break


def render(state: State) -> Reply:
    screen = SCREENS[state.screen]
    if isinstance(screen, Final):
        return Reply(_final_text(state, screen), end=True)
    layout = _layout(state)
    pages = _pages(layout, state.language)
    page = pages[min(state.page, len(pages) - 1)]
    return Reply(_with_transient(layout, page), end=False)


def page_count(state: State) -> int:
    if isinstance(SCREENS[state.screen], Final):
        return 1
    return len(_pages(_layout(state), state.language))


def _lines_above(state: State) -> list[str]:
    lang = state.language
    lines = []
    if state.notice:
        lines.append(t(state.notice, lang))
    if state.error:
        key, params = state.error
        lines.append(t(key, lang, **params))
    return lines


def _layout(state: State) -> _Layout:
    screen = SCREENS[state.screen]
    lang, data = state.language, state.data
    transient = [shorten(line, MAX_SEPTETS // 2) for line in _lines_above(state)]
    nav = [t("ussd.nav.back_home", lang)]
    if isinstance(screen, Prompt):
        return _Layout(transient, [t(screen.title, lang, **data)], [], nav, False)
    if isinstance(screen, Pick):
        items = data.get(screen.items) or []
        title = t(screen.title, lang, count=len(items), **data)
        lines = [f"{n} {_item(screen, item, lang)}" for n, item in enumerate(items, start=1)]
        return _Layout(transient, [title], lines, nav, False)
    if not isinstance(screen, Menu):
        raise TypeError(f"screen {state.screen!r} is not shown with a menu")
    header = [t(screen.title, lang, **data)] if screen.title else []
    body = to_gsm7(str(data.get(screen.body) or "")) if screen.body else ""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    options = [f"{n} {t(option.label, lang, **data)}" for n, option in enumerate(screen.options, start=1)]
    return _Layout(transient, header, lines, [*options, *(nav if screen.nav else [])], True)


def _item(screen: Pick, item: dict[str, Any], language: str) -> str:
    """One list line: the description gives way before the amount does."""
    fixed = septets(t(screen.item, language, **{**item, "description": ""}))
    description = shorten(to_gsm7(str(item.get("description", ""))), max(ITEM_MAX_SEPTETS - fixed, 3))
    return shorten(t(screen.item, language, **{**item, "description": description}), ITEM_MAX_SEPTETS)


def _compose(*parts: list[str]) -> str:
    return "\n".join(line for part in parts for line in part if line)


def _with_transient(layout: _Layout, page: list[str]) -> str:
    """The notice/reason above the page if it fits; else the reason alone; else it stands in for the title."""
    header = [shorten(line, MAX_SEPTETS // 2) for line in layout.header]
    reason = layout.transient[-1:]
    for candidate in ((layout.transient, header), (reason, header), (reason, []), ([], header)):
        text = _compose(*candidate, page)
        if septets(text) <= MAX_SEPTETS:
            return text
    return _compose(page)


def _pages(layout: _Layout, language: str) -> list[list[str]]:
    """Each page's lines below the title. Page breaks depend only on the screen and its data (never on a
    reason shown above), so `98` always leads to the same next page."""
    header = [shorten(line, MAX_SEPTETS // 2) for line in layout.header]
    # A reason can stand in for the title; a screen without a title keeps room for one.
    reserve = 0 if header or not layout.lines else TRANSIENT_RESERVE_SEPTETS
    if septets(_compose(header, layout.lines, layout.footer)) <= MAX_SEPTETS - reserve:
        return [[*layout.lines, *layout.footer]]
    with_more = [t("ussd.nav.more", language), *layout.footer]
    budget = MAX_SEPTETS - reserve - septets(_compose(header, with_more)) - 1  # -1: the content's newline
    pages: list[list[str]] = []
    rest = list(layout.lines)
    while rest:
        if septets(_compose(header, rest, layout.footer)) <= MAX_SEPTETS - reserve:
            pages.append([*rest, *layout.footer])
            break
        taken, rest = _fill(rest, budget, layout.splittable)
        pages.append([*taken, *with_more])
    return pages


def _fill(lines: list[str], budget: int, splittable: bool) -> tuple[list[str], list[str]]:
    """Whole lines while they fit; a line too long for an empty page breaks between words (or is shortened)."""
    count = 0
    while count < len(lines) and septets("\n".join(lines[: count + 1])) <= budget:
        count += 1
    if count:
        return lines[:count], lines[count:]
    words, kept = lines[0].split(), list[str]()
    while splittable and words and septets(" ".join([*kept, words[0]])) <= budget:
        kept.append(words.pop(0))
    if not kept:  # one word longer than a page is not a word a citizen can read: show it shortened
        return [shorten(lines[0], budget)], lines[1:]
    remainder = [" ".join(words)] if words else []
    return [" ".join(kept)], remainder + lines[1:]


def _final_text(state: State, screen: Final) -> str:
    lang = state.language
    lines = _lines_above(state)
    if screen.title:
        lines.append(t(screen.title, lang, **state.data))
    if screen.body:
        lines.append(to_gsm7(str(state.data.get(screen.body) or "")))
    return shorten("\n".join(lines), MAX_SEPTETS)
