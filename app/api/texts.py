"""App API wording (English, Urdu script, Roman Urdu; Roman Urdu stays GSM-7 for SMS)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "otp.sms": {
        "en": "Your Rabta sign-in code is {code}. It expires in {minutes} minutes. Never share it.",
        "ur": "آپ کا رابطہ سائن اِن کوڈ {code} ہے۔ یہ {minutes} منٹ میں ختم ہو جائے گا۔ کسی کو نہ بتائیں۔",
        "ur-Latn": "Aap ka Rabta sign-in code {code} hai. {minutes} minute mein khatam. Kisi ko na batayein.",
    },
    "notify.bill_issued": {
        "en": "Rabta: new bill. {bill}",
        "ur": "رابطہ: نیا بل۔ {bill}",
        "ur-Latn": "Rabta: naya bill. {bill}",
    },
    "error.invalid_otp": {"en": "That code is wrong or has expired.", "ur": "یہ کوڈ غلط ہے یا اس کی مدت ختم ہو گئی ہے۔",
                          "ur-Latn": "Code ghalat hai ya khatam ho gaya."},
    "error.otp_locked": {"en": "Too many wrong codes. Try again in 15 minutes.",
                         "ur": "بہت زیادہ غلط کوڈ۔ 15 منٹ بعد کوشش کریں۔",
                         "ur-Latn": "Bohat ghalat code. 15 minute baad koshish karein."},
    "error.token_expired": {"en": "Your session has expired. Refresh or sign in again.",
                            "ur": "آپ کا سیشن ختم ہو گیا ہے۔ دوبارہ سائن اِن کریں۔",
                            "ur-Latn": "Session khatam. Dobara sign in karein."},
    "error.idempotency_key_required": {"en": "Send an Idempotency-Key header with this request.",
                                       "ur": "اس درخواست کے ساتھ Idempotency-Key ہیڈر بھیجیں۔",
                                       "ur-Latn": "Is request ke sath Idempotency-Key header bhejein."},
    # Transport-level problems (werkzeug HTTP errors), so those answer in the caller's language too.
    "error.http_400": {"en": "The request could not be understood.", "ur": "درخواست سمجھ میں نہیں آئی۔",
                       "ur-Latn": "Request samajh nahi aayi."},
    "error.http_404": {"en": "Not found.", "ur": "نہیں ملا۔", "ur-Latn": "Nahi mila."},
    "error.http_405": {"en": "That method is not allowed here.", "ur": "یہاں یہ طریقہ قابلِ قبول نہیں۔",
                       "ur-Latn": "Yahan yeh method allowed nahi."},
    "error.http_413": {"en": "The request body is too large (64 KB at most).",
                       "ur": "درخواست بہت بڑی ہے (زیادہ سے زیادہ 64 KB)۔",
                       "ur-Latn": "Request bohat bari hai (64 KB tak)."},
    "error.http_415": {"en": "Send the body as application/json.", "ur": "باڈی application/json میں بھیجیں۔",
                       "ur-Latn": "Body application/json mein bhejein."},
}
