"""Payment wording for every channel (English, Urdu script, Roman Urdu; Roman Urdu stays GSM-7)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "error.payment_not_found": {"en": "No payment with that reference.", "ur": "اس حوالے کی کوئی ادائیگی نہیں۔",
                                "ur-Latn": "Is reference ki koi adaigi nahi."},
    # Status labels
    "payment.status.initiated": {"en": "Starting", "ur": "شروع ہو رہی ہے", "ur-Latn": "Shuru ho rahi hai"},
    "payment.status.pending": {"en": "Approve it on your phone", "ur": "اپنے فون پر منظوری دیں",
                               "ur-Latn": "Apne phone par manzoori dein"},
    "payment.status.succeeded": {"en": "Paid", "ur": "ادا ہو گئی", "ur-Latn": "Ada ho gayi"},
    "payment.status.failed": {"en": "Failed", "ur": "ناکام", "ur-Latn": "Nakam"},
    "payment.status.expired": {"en": "Expired", "ur": "وقت ختم", "ur-Latn": "Waqt khatam"},
    "payment.status.refunded": {"en": "Refunded", "ur": "رقم واپس", "ur-Latn": "Raqam wapas"},
    "error.refund_not_due": {"en": "This payment has no refund due.", "ur": "اس ادائیگی کی کوئی واپسی واجب نہیں۔",
                             "ur-Latn": "Is adaigi ki koi wapsi wajib nahi."},
    # Failure reasons a citizen can act on
    "payment.reason.declined": {"en": "You declined it on your phone.", "ur": "آپ نے فون پر انکار کر دیا۔",
                                "ur-Latn": "Aap ne phone par inkar kar diya."},
    "payment.reason.insufficient_funds": {"en": "Not enough wallet balance.", "ur": "والٹ میں بیلنس کم ہے۔",
                                          "ur-Latn": "Wallet mein balance kam hai."},
    "payment.reason.expired": {"en": "It was not approved in time.", "ur": "وقت پر منظوری نہیں ہوئی۔",
                               "ur-Latn": "Waqt par manzoori nahi hui."},
    "payment.reason.provider_unavailable": {"en": "The wallet service is down. Try later.",
                                            "ur": "والٹ سروس دستیاب نہیں۔ بعد میں کوشش کریں۔",
                                            "ur-Latn": "Wallet service band hai. Baad mein koshish karein."},
    "payment.reason.invalid_account": {"en": "No wallet account on this number.",
                                       "ur": "اس نمبر پر کوئی والٹ اکاؤنٹ نہیں۔",
                                       "ur-Latn": "Is number par wallet account nahi."},
    "payment.reason.bill_already_paid": {"en": "The bill was already paid.", "ur": "بل پہلے ہی ادا ہو چکا تھا۔",
                                         "ur-Latn": "Bill pehle hi ada ho chuka tha."},
    "payment.reason.bill_blocked": {"en": "The agency blocked the bill.", "ur": "ادارے نے بل روک دیا۔",
                                    "ur-Latn": "Idare ne bill rok diya."},
    "payment.reason.not_payable": {"en": "The bill cannot be paid now.", "ur": "بل ابھی ادا نہیں ہو سکتا۔",
                                   "ur-Latn": "Bill abhi ada nahi ho sakta."},
    "payment.reason.provider_error": {"en": "The wallet refused the payment.", "ur": "والٹ نے ادائیگی قبول نہیں کی۔",
                                      "ur-Latn": "Wallet ne adaigi qabool nahi ki."},
    "payment.reason.amount_mismatch": {"en": "Amount mismatch. Contact support.", "ur": "رقم میں فرق۔ مدد سے رابطہ کریں۔",
                                       "ur-Latn": "Raqam mein farq. Madad se rabta karein."},
    "payment.refund_note": {"en": " A refund is due to you.", "ur": " آپ کو رقم واپس ملے گی۔",
                            "ur-Latn": " Aap ko raqam wapas milegi."},
    "payment.receipt_note": {"en": " Receipt {receipt}.", "ur": " رسید {receipt}۔", "ur-Latn": " Raseed {receipt}."},
    # One-screen rendering (USSD / SMS / API summaries)
    "payment.view": {
        "en": "Payment {reference}: {amount} for PSID {psid} ({agency}). {status}.{detail}",
        "ur": "ادائیگی {reference}: PSID {psid} ({agency}) کے لیے {amount}۔ {status}۔{detail}",
        "ur-Latn": "Adaigi {reference}: PSID {psid} ({agency}) ke liye {amount}. {status}.{detail}",
    },
    # Outbox notifications
    "payment.receipt": {
        "en": "Rabta: {amount} received for PSID {psid} ({agency}). Receipt {receipt}. Ref {reference}.",
        "ur": "رابطہ: PSID {psid} ({agency}) کے لیے {amount} وصول ہو گئے۔ رسید {receipt}۔ حوالہ {reference}۔",
        "ur-Latn": "Rabta: PSID {psid} ({agency}) ke {amount} wasool ho gaye. Raseed {receipt}. Ref {reference}.",
    },
    "payment.failed": {
        "en": "Rabta: payment {reference} of {amount} for PSID {psid} did not go through. {reason}",
        "ur": "رابطہ: PSID {psid} کی ادائیگی {reference} ({amount}) مکمل نہیں ہوئی۔ {reason}",
        "ur-Latn": "Rabta: PSID {psid} ki adaigi {reference} ({amount}) mukammal nahi hui. {reason}",
    },
    "payment.refund_due": {
        "en": "Rabta: {amount} from payment {reference} arrived after PSID {psid} was already paid. "
              "A refund case is open; you will get an SMS when it is refunded.",
        "ur": "رابطہ: ادائیگی {reference} کے {amount} PSID {psid} کی ادائیگی کے بعد پہنچے۔ واپسی کا کیس کھل گیا ہے؛ رقم واپس ہونے پر آپ کو SMS ملے گا۔",
        "ur-Latn": "Rabta: adaigi {reference} ke {amount} PSID {psid} ada hone ke baad pohnche. "
                   "Wapsi ka case khul gaya hai; raqam wapas hone par SMS milega.",
    },
    "payment.refund_approved": {
        "en": "Rabta: the refund of {amount} from payment {reference} is approved and being sent to your wallet.",
        "ur": "رابطہ: ادائیگی {reference} کے {amount} کی واپسی منظور ہو گئی ہے اور آپ کے والٹ میں بھیجی جا رہی ہے۔",
        "ur-Latn": "Rabta: adaigi {reference} ke {amount} ki wapsi manzoor ho gayi, aap ke wallet mein bheji ja rahi hai.",
    },
    "payment.refunded": {
        "en": "Rabta: {amount} from payment {reference} has been refunded to your wallet.",
        "ur": "رابطہ: ادائیگی {reference} کے {amount} آپ کے والٹ میں واپس کر دیے گئے۔",
        "ur-Latn": "Rabta: adaigi {reference} ke {amount} aap ke wallet mein wapas kar diye gaye.",
    },
    "payment.refund_failed": {
        "en": "Rabta: the refund of {amount} from payment {reference} could not be sent. "
              "The agency will retry or contact you.",
        "ur": "رابطہ: ادائیگی {reference} کے {amount} کی واپسی نہیں بھیجی جا سکی۔ ادارہ دوبارہ کوشش کرے گا یا آپ سے رابطہ کرے گا۔",
        "ur-Latn": "Rabta: adaigi {reference} ke {amount} ki wapsi nahi bheji ja saki. "
                   "Idara dobara koshish karega ya aap se rabta karega.",
    },
}
