"""The menu graph: every target exists, every screen is reachable, every text exists in every language."""

from __future__ import annotations

import string
from collections import deque

from flask import Flask

from app.messages.catalogue import TEXTS as SHARED
from app.messages.gsm7 import is_gsm7
from ussd.effects import EFFECTS
from ussd.inputs import PARSERS, PREDICATES
from ussd.screens import FAILURE, SCREENS, START, Branch, Final, Menu, Pick, Prompt, Task, targets
from ussd.texts import TEXTS

LANGUAGES = ("en", "ur", "ur-Latn")


def _reachable() -> set[str]:
    seen, todo = {START}, deque([START])
    while todo:
        for target in targets(SCREENS[todo.popleft()]):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_every_target_of_every_screen_exists() -> None:
    missing = {(screen.id, target) for screen in SCREENS.values() for target in targets(screen)
               if target not in SCREENS}
    assert missing == set()


def test_every_screen_is_reachable_from_the_start() -> None:
    assert set(SCREENS) - _reachable() == set()


def test_every_screen_can_reach_an_end_or_home() -> None:
    for screen_id in SCREENS:
        seen, todo = {screen_id}, deque([screen_id])
        while todo:
            current = SCREENS[todo.popleft()]
            if isinstance(current, Final | Menu | Prompt | Pick):
                break  # visible screens always offer 0/00
            for target in targets(current):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        else:
            raise AssertionError(f"{screen_id} leads nowhere a caller can see")


def test_tasks_branches_and_prompts_name_real_effects_tests_and_parsers() -> None:
    for screen in SCREENS.values():
        if isinstance(screen, Task):
            assert screen.effect in EFFECTS, screen.id
            assert screen.target("anything unexpected") == FAILURE
        if isinstance(screen, Branch):
            assert screen.test in PREDICATES, screen.id
        if isinstance(screen, Prompt):
            assert screen.parser in PARSERS, screen.id


def _keys() -> set[str]:
    keys: set[str] = set()
    for screen in SCREENS.values():
        if isinstance(screen, Menu | Prompt | Pick | Final) and screen.title:
            keys.add(screen.title)
        if isinstance(screen, Menu):
            keys.update(option.label for option in screen.options)
        if isinstance(screen, Pick):
            keys.add(screen.item)
    return keys


def test_every_screen_text_exists_in_every_language_and_is_gsm7_on_ussd() -> None:
    for key in _keys():
        by_language = TEXTS.get(key) or SHARED[key]
        for language in LANGUAGES:
            shown = by_language["ur-Latn" if language == "ur" and key in SHARED else language]
            assert shown and is_gsm7(shown), (key, language)


def test_ussd_texts_have_the_same_placeholders_in_every_language() -> None:
    for key, by_language in TEXTS.items():
        fields = {language: {f for _, f, _, _ in string.Formatter().parse(text) if f}
                  for language, text in by_language.items()}
        assert set(by_language) == set(LANGUAGES) and len({frozenset(f) for f in fields.values()}) == 1, key
        assert all(is_gsm7(text) for text in by_language.values()), key


def test_navigation_numbers_are_never_menu_items() -> None:
    for screen in SCREENS.values():
        if isinstance(screen, Menu):
            assert len(screen.options) < 10  # items are 1..9; 0, 00 and 98 stay navigation


def test_rabta_ussd_menu_prints_the_whole_tree(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["ussd", "menu"])
    assert result.exit_code == 0, result.output
    for screen_id in SCREENS:
        assert screen_id in result.output
    assert "pay.pin (input) [pin, secret]" in result.output
