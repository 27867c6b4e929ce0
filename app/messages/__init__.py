"""The citizen message catalogue and its renderings (see `catalogue.py`)."""

from __future__ import annotations

from typing import Any

from app.messages.catalogue import TEXTS

FALLBACK_LANGUAGE = "en"


def register(texts: dict[str, dict[str, str]]) -> None:
    """Let a channel package add its own screens' wording to the one catalogue."""
    for key, by_language in texts.items():
        if key in TEXTS and TEXTS[key] != by_language:
            raise ValueError(f"message key {key!r} is defined twice")
        TEXTS[key] = by_language


def text(key: str, language: str, **params: Any) -> str:
    """Render message `key` in `language` (falling back to English) with `params`."""
    by_language = TEXTS[key]
    template = by_language.get(language) or by_language[FALLBACK_LANGUAGE]
    return template.format(**params) if params else template


def has(key: str) -> bool:
    return key in TEXTS
