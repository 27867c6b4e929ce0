"""Rabta never sends links (issue 14, "verify what is genuine"): no text in the catalogue contains a URL, and
every template Rabta sends unasked (a notification: sign-in code, bill, receipt, reminder, status change)
names the official sender, so citizens can be taught that a "Rabta" text with a link is fake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.messages.catalogue import TEXTS as CORE_TEXTS
from payments.channel import CHANNEL as PAYMENTS
from sms.channel import CHANNEL as SMS
from ussd.channel import CHANNEL as USSD

EVERY_TEXT = {**CORE_TEXTS, **SMS.texts, **USSD.texts, **PAYMENTS.texts}

ROOT = Path(__file__).resolve().parents[3]
URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|pk|org|net|gov|io|ly|me|info|co)\b", re.IGNORECASE)
SENDER = {"en": "Rabta", "ur-Latn": "Rabta", "ur": "رابطہ"}


def _sent_templates() -> set[str]:
    """Every template a notification is queued with (`template="..."` in a `queue_notification` call)."""
    found: set[str] = set()
    for package in ("app", "payments", "sms", "ussd"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            if "queue_notification(" in source:
                found.update(re.findall(r'template="([\w.]+)"', source))
                found.update(re.findall(r'"((?:sms\.)?notify\.[\w.]+)"', source))
    return found


def test_the_notification_templates_are_found() -> None:
    assert {"otp.sms", "notify.bill_issued", "notify.cnic_link_approved"} <= _sent_templates()


@pytest.mark.parametrize("key", sorted(EVERY_TEXT))
def test_no_text_contains_a_link(key: str) -> None:
    for language, wording in EVERY_TEXT[key].items():
        assert not URL.search(wording), f"{key} [{language}] contains a link: {wording}"


@pytest.mark.parametrize("key", sorted(_sent_templates() | {k for k in CORE_TEXTS if k.startswith("verify.")}))
def test_every_sent_template_names_the_official_sender(key: str) -> None:
    for language, wording in EVERY_TEXT[key].items():
        assert SENDER[language] in wording, f"{key} [{language}] does not name Rabta: {wording}"
