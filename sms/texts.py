"""What the SMS channel says in its own words (domain facts come from the shared catalogue).

English and Roman Urdu stay GSM-7 so one reply is one cheap part; Urdu script is UCS-2.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "sms.help": {
        "en": "Rabta SMS: STATUS <tracking no>, BILL <PSID>, PAY <PSID>, BILLS, LANG EN/UR/RU, STOP, START, HELP",
        "ur": "رابطہ SMS: حالت <ٹریکنگ نمبر>، بل <PSID>، ادا <PSID>، بلز، زبان EN/UR/RU، بند، شروع، مدد",
        "ur-Latn": "Rabta SMS: HALAT <tracking no>, BILL <PSID>, ADA <PSID>, BILLS, ZUBAN EN/UR/RU, BAND, SHURU, MADAD",
    },
    "sms.unknown": {
        "en": "Sorry, we did not understand. Send HELP for commands.",
        "ur": "معذرت، پیغام سمجھ نہیں آیا۔ احکامات کے لیے مدد بھیجیں۔",
        "ur-Latn": "Maazrat, samajh nahi aaya. Commands ke liye MADAD bhejein.",
    },
    "sms.status_usage": {
        "en": "Send STATUS and your tracking number, e.g. STATUS DOM-2026-000001",
        "ur": "حالت اور ٹریکنگ نمبر بھیجیں، مثلاً: حالت DOM-2026-000001",
        "ur-Latn": "HALAT aur tracking number bhejein, misal: HALAT DOM-2026-000001",
    },
    "sms.bill_usage": {
        "en": "Send BILL and the 17-digit PSID, e.g. BILL 10000000000000001",
        "ur": "بل اور 17 ہندسوں کا PSID بھیجیں، مثلاً: بل 10000000000000001",
        "ur-Latn": "BILL aur 17 hindson ka PSID bhejein, misal: BILL 10000000000000001",
    },
    "sms.pay_usage": {
        "en": "Send PAY and the 17-digit PSID, e.g. PAY 10000000000000001",
        "ur": "ادا اور 17 ہندسوں کا PSID بھیجیں، مثلاً: ادا 10000000000000001",
        "ur-Latn": "ADA aur 17 hindson ka PSID bhejein, misal: ADA 10000000000000001",
    },
    "sms.pay_confirm": {
        "en": "Pay {amount} for {agency} {description} (PSID {psid})? Reply YES {code} within 10 minutes.",
        "ur": "{agency} {description} (PSID {psid}) کے {amount} ادا کریں؟ 10 منٹ میں جواب دیں: ہاں {code}",
        "ur-Latn": "{agency} {description} (PSID {psid}) ke {amount} ada karein? 10 minute mein HAAN {code} bhejein.",
    },
    "sms.pay_started": {
        "en": "Payment {reference} of {amount} started. Approve it on your wallet. Your receipt will follow by SMS.",
        "ur": "ادائیگی {reference} ({amount}) شروع ہو گئی۔ اپنے والیٹ پر منظوری دیں۔ رسید SMS سے آئے گی۔",
        "ur-Latn": "Adaigi {reference} ({amount}) shuru. Apne wallet par manzoor karein. Raseed SMS se aayegi.",
    },
    "sms.yes_usage": {
        "en": "Reply YES and the code we sent you, e.g. YES 123456",
        "ur": "ہاں اور بھیجا گیا کوڈ لکھیں، مثلاً: ہاں 123456",
        "ur-Latn": "HAAN aur bheja gaya code likhein, misal: HAAN 123456",
    },
    "sms.code_invalid": {
        "en": "That code is wrong or has expired. Send PAY <PSID> again.",
        "ur": "یہ کوڈ غلط ہے یا ختم ہو چکا۔ دوبارہ ادا <PSID> بھیجیں۔",
        "ur-Latn": "Yeh code ghalat hai ya khatam ho gaya. Dobara ADA <PSID> bhejein.",
    },
    "sms.bills_none": {
        "en": "You have no unpaid bills.",
        "ur": "آپ کا کوئی بل واجب الادا نہیں۔",
        "ur-Latn": "Aap ka koi bill baqi nahi.",
    },
    "sms.bills_item": {
        "en": "{agency} {psid} {amount} due {due}",
        "ur": "{agency} {psid} {amount} آخری تاریخ {due}",
        "ur-Latn": "{agency} {psid} {amount} due {due}",
    },
    "sms.bills_more": {
        "en": "+{count} more. Send BILL <PSID> for details.",
        "ur": "مزید {count}۔ تفصیل کے لیے بل <PSID> بھیجیں۔",
        "ur-Latn": "+{count} aur. Tafseel ke liye BILL <PSID> bhejein.",
    },
    "sms.lang_usage": {
        "en": "Send LANG EN, LANG UR or LANG RU (Roman Urdu).",
        "ur": "زبان EN، زبان UR یا زبان RU (رومن اردو) بھیجیں۔",
        "ur-Latn": "ZUBAN EN, ZUBAN UR ya ZUBAN RU (Roman Urdu) bhejein.",
    },
    "sms.lang_set": {
        "en": "Language set to English.",
        "ur": "زبان اردو کر دی گئی۔",
        "ur-Latn": "Zuban Roman Urdu kar di gayi.",
    },
    "sms.stopped": {
        "en": "You will no longer get reminders. Receipts and replies still come. Send START to resume.",
        "ur": "اب آپ کو یاد دہانیاں نہیں آئیں گی۔ رسیدیں اور جوابات آتے رہیں گے۔ دوبارہ کے لیے شروع بھیجیں۔",
        "ur-Latn": "Ab reminders nahi aayenge. Raseed aur jawab aate rahenge. Dobara ke liye SHURU bhejein.",
    },
    "sms.started": {
        "en": "Reminders are on again. Send STOP to turn them off.",
        "ur": "یاد دہانیاں دوبارہ شروع۔ بند کرنے کے لیے بند بھیجیں۔",
        "ur-Latn": "Reminders dobara shuru. Band karne ke liye BAND bhejein.",
    },
    "sms.flood_warning": {
        "en": "Too many messages from your number. Please wait an hour before texting again.",
        "ur": "آپ کے نمبر سے بہت زیادہ پیغامات۔ ایک گھنٹہ بعد دوبارہ بھیجیں۔",
        "ur-Latn": "Aap ke number se bohat zyada messages. Aik ghante baad dobara bhejein.",
    },
    "sms.notify.bill_reminder": {
        "en": "Rabta reminder: {agency} {description}, PSID {psid}, {amount} due {due}. Reply PAY {psid} to pay.",
        "ur": "رابطہ یاد دہانی: {agency} {description}، PSID {psid}، {amount} آخری تاریخ {due}۔ ادا {psid} بھیج کر ادا کریں۔",
        "ur-Latn": "Rabta yaad-dehani: {agency} {description}, PSID {psid}, {amount} {due} tak. ADA {psid} bhej kar ada karein.",
    },
}
