"""Reading what people actually type: any case, extra spaces and punctuation, small typos,
keywords in English, Roman Urdu and Urdu script, Urdu digits, bare tracking numbers and PSIDs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.applications.tracking import looks_like_tracking_number
from app.bills.psid import looks_like_psid

STATUS, BILL, BILLS, PAY, YES, LANG, HELP, STOP, START, VERIFY, UNKNOWN = (
    "STATUS", "BILL", "BILLS", "PAY", "YES", "LANG", "HELP", "STOP", "START", "VERIFY", "UNKNOWN")
MAX_PARSED_CHARS = 200

# keyword -> (command, language of the keyword; None when it is shared, like BILL)
_KEYWORDS: dict[str, tuple[str, str | None]] = {}


def _add(command: str, language: str | None, *words: str) -> None:
    for word in words:
        _KEYWORDS[word] = (command, language)


_add(STATUS, "en", "STATUS", "STAT", "TRACK", "CHECK")
_add(STATUS, "ur-Latn", "HALAT", "HAALAT", "HALAAT", "SURATEHAL")
_add(STATUS, "ur", "حالت", "اسٹیٹس", "سٹیٹس", "صورتحال")
_add(BILL, None, "BILL", "BIL")
_add(VERIFY, "en", "VERIFY", "GENUINE", "REAL")
_add(VERIFY, "ur-Latn", "TASDEEQ", "TASDIQ")
_add(VERIFY, "ur", "تصدیق")
_add(BILL, "ur", "بل")
_add(BILLS, None, "BILLS")
_add(BILLS, "ur", "بلز", "بل‌ز")
_add(PAY, "en", "PAY")
_add(PAY, "ur-Latn", "ADA", "ADAIGI", "ADAYGI", "ADAEGI")
_add(PAY, "ur", "ادا", "ادائیگی")
_add(YES, "en", "YES", "Y", "CONFIRM")
_add(YES, "ur-Latn", "HAAN", "HAN", "HAAN", "JI", "JEE")
_add(YES, "ur", "ہاں", "ہان", "جی", "هاں")
_add(LANG, "en", "LANG", "LANGUAGE")
_add(LANG, "ur-Latn", "ZUBAN", "ZUBAAN", "ZABAN", "ZABAAN")
_add(LANG, "ur", "زبان")
_add(HELP, "en", "HELP", "MENU", "INFO", "?")
_add(HELP, "ur-Latn", "MADAD")
_add(HELP, "ur", "مدد")
_add(STOP, "en", "STOP", "UNSUBSCRIBE", "OPTOUT")
_add(STOP, "ur-Latn", "BAND", "BUND")
_add(STOP, "ur", "بند")
_add(START, "en", "START", "SUBSCRIBE", "UNSTOP")
_add(START, "ur-Latn", "SHURU", "SHUROO", "SHUROO")
_add(START, "ur", "شروع")

LANGUAGE_WORDS: dict[str, str] = {
    "EN": "en", "ENG": "en", "ENGLISH": "en", "ANGREZI": "en", "انگریزی": "en",
    "UR": "ur", "URDU": "ur", "اردو": "ur",
    "RU": "ur-Latn", "ROMAN": "ur-Latn", "ROMANURDU": "ur-Latn", "UR-LATN": "ur-Latn", "URLATN": "ur-Latn",
    "رومن": "ur-Latn",
}

# Eastern Arabic-Indic (Urdu) and Arabic-Indic digits to ASCII.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_FIRST_WORD = re.compile(r"^[\W_]*([^\W\d_]+|\?)[\W_]*(.*)$", re.DOTALL)
_PSID_THEN_REST = re.compile(r"^([\d][\d\s\-]*\d)\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Parsed:
    command: str
    argument: str
    language: str | None  # the keyword's language, when it tells us one


def clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")[:MAX_PARSED_CHARS].translate(_DIGITS)
    # Urdu keyboards add tatweel and zero-width joiners; neither changes a word.
    text = text.replace("ـ", "").replace("\u200c", "").replace("\u200d", "")
    return " ".join(text.split()).strip(" .,;:!-_*#'\"،۔")


def parse(text: str) -> Parsed:
    body = clean(text)
    if looks_like_tracking_number(body):
        return Parsed(STATUS, body.upper(), None)
    if looks_like_psid(body):
        return Parsed(BILL, body, None)
    match = _FIRST_WORD.match(body)
    if not match:
        return Parsed(UNKNOWN, body, None)
    word, argument = match.group(1).upper(), match.group(2).strip(" .,;:!-_*#'\"،۔")
    found = _KEYWORDS.get(word) or _fuzzy(word)
    if found is None:
        return Parsed(UNKNOWN, body, None)
    command, language = found
    if command in (BILL, BILLS):  # "BILL" alone lists the bills; "BILLS 1000..." asks about one
        command = BILL if re.search(r"\d", argument) else BILLS
    return Parsed(command, argument, language)


def _fuzzy(word: str) -> tuple[str, str | None] | None:
    """A keyword one edit away (typo, dropped or doubled letter, swapped pair), if only one command fits."""
    if len(word) < 4 or not word.isascii():
        return None
    hits = {_KEYWORDS[k] for k in _KEYWORDS if k.isascii() and abs(len(k) - len(word)) <= 1 and _one_edit(word, k)}
    commands = {BILL if command == BILLS else command for command, _ in hits}
    if len(commands) != 1:
        return None
    return sorted(hits, key=lambda hit: hit[1] or "")[0]


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = [*diffs, 0, 0][:2]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def language_from(argument: str) -> str | None:
    word = argument.upper().replace(" ", "")
    return LANGUAGE_WORDS.get(word) or LANGUAGE_WORDS.get(argument.strip())


def digits_of(argument: str) -> str:
    return re.sub(r"\D", "", argument)


def psid_and_rest(argument: str) -> tuple[str, str, str]:
    """`PAY 1000 0000 0000 00001 JAZZCASH`: the digits typed first (the PSID), and the word after them."""
    match = _PSID_THEN_REST.match(argument.strip())
    if not match:
        return "", "", argument.strip()
    return match.group(1), " ", match.group(2).strip()
