"""The USSD menu's own wording: English and Roman Urdu.

USSD screens are GSM-7 only, so Urdu (`ur`) is shown in Roman Urdu: both Urdu
entries carry the same Roman Urdu text. Domain facts (statuses, bills, errors)
come from the shared catalogue in `app.messages`, never reworded here.
"""

from __future__ import annotations


def _t(en: str, roman: str) -> dict[str, str]:
    return {"en": en, "ur": roman, "ur-Latn": roman}


TEXTS: dict[str, dict[str, str]] = {
    # Navigation (always the same numbers: 0 back, 00 home, 98 more)
    "ussd.nav.back_home": _t("0 Back 00 Home", "0 Wapas 00 Shuru"),
    "ussd.nav.home": _t("00 Home", "00 Shuru"),
    "ussd.nav.more": _t("98 More", "98 Mazeed"),
    # Home
    "ussd.home.title": _t("Rabta govt services", "Rabta sarkari khidmat"),
    "ussd.home.pay": _t("Pay bill/challan", "Bill/challan ada karein"),
    "ussd.home.status": _t("Application status", "Darkhwast ki soorat-e-haal"),
    "ussd.home.bills": _t("My bills", "Mere bills"),
    "ussd.home.language": _t("Language", "Zaban"),
    "ussd.home.verify": _t("Verify a challan/receipt", "Challan/raseed ki tasdeeq"),
    "ussd.verify.reference": _t("Enter the PSID or receipt number to check",
                                "Check karne ke liye PSID ya raseed number likhein"),
    # Resume
    "ussd.resume.title": _t("Your last session was cut off.", "Aap ka pichla session toot gaya."),
    "ussd.resume.continue": _t("Continue where you left off", "Wahin se jari rakhein"),
    "ussd.resume.restart": _t("Start again", "Naye sire se shuru"),
    # Pay
    "ussd.pay.psid": _t("Enter the 17-digit PSID from your bill or challan",
                        "Bill ya challan ka 17 hindson wala PSID likhein"),
    "ussd.pay.bill": _t("{agency}\n{description}\nPSID {psid}\nPay today: {amount}\nDue: {due}",
                        "{agency}\n{description}\nPSID {psid}\nAaj ki raqam: {amount}\nAakhri tareekh: {due}"),
    "ussd.pay.bill_overdue": _t("{agency}\n{description}\nPSID {psid}\nPay today: {amount}\nOverdue since {due}",
                                "{agency}\n{description}\nPSID {psid}\nAaj ki raqam: {amount}\n{due} se overdue"),
    "ussd.pay.confirm": _t("Pay {amount} now", "{amount} abhi ada karein"),
    "ussd.pay.wallet": _t("Pay from which wallet?", "Kis wallet se ada karein?"),
    "ussd.pay.wallet_item": _t("{title}", "{title}"),
    "ussd.pay.pin": _t("Enter your 4-digit PIN to pay {amount}", "{amount} ada karne ke liye apna 4 hindson ka PIN likhein"),
    "ussd.pay.started": _t("Payment of {amount} started (ref {reference}). Approve it on your wallet when asked. "
                           "An SMS receipt will follow.",
                           "{amount} ki adaigi shuru (ref {reference}). Wallet par manzoori dein. "
                           "SMS raseed aa jayegi."),
    "ussd.pay.unknown": _t("No bill has PSID {psid}. Check the number on your bill.",
                           "PSID {psid} ka koi bill nahi. Bill par number check karein."),
    "ussd.pay.no_account_pin": _t("Set a PIN under My bills first.", "Pehle Mere bills mein PIN banayein."),
    # Application status
    "ussd.status.tracking": _t("Enter your tracking number, e.g. DOM-2026-000001",
                               "Apna tracking number likhein, maslan DOM-2026-000001"),
    # My bills
    "ussd.bills.title": _t("Your unpaid bills ({count}):", "Aap ke baqi bills ({count}):"),
    "ussd.bills.item": _t("{agency} {description} {amount}", "{agency} {description} {amount}"),
    "ussd.bills.none": _t("You have no unpaid bills.", "Aap ka koi bill baqi nahi."),
    "ussd.bills.link_offer": _t("This number is not linked to a CNIC yet. Link it to see your bills here.",
                                "Yeh number abhi CNIC se munsalik nahi. Bills dekhne ke liye munsalik karein."),
    "ussd.bills.link": _t("Link my CNIC", "Mera CNIC munsalik karein"),
    # Linking the number to a CNIC
    "ussd.link.cnic": _t("Enter your 13-digit CNIC", "Apna 13 hindson ka CNIC likhein"),
    "ussd.link.pin": _t("Choose a 4-digit PIN for payments", "Adaigi ke liye 4 hindson ka PIN chunein"),
    "ussd.link.current_pin": _t("Enter your 4-digit PIN to link this CNIC", "Yeh CNIC munsalik karne ke liye apna PIN likhein"),
    "ussd.link.done_kept": _t("Your number is linked to CNIC {cnic}.", "Aap ka number CNIC {cnic} se munsalik."),
    "ussd.link.pin_again": _t("Enter the same PIN again", "Wohi PIN dobara likhein"),
    "ussd.link.done": _t("Your number is linked to CNIC {cnic}. Your PIN is set.",
                         "Aap ka number CNIC {cnic} se munsalik. PIN ban gaya."),
    "ussd.link.my_bills": _t("My bills", "Mere bills"),
    "ussd.link.cnic_taken": _t("That CNIC is linked to another number. Please visit a service centre.",
                               "Yeh CNIC kisi aur number se munsalik hai. Service centre tashreef layen."),
    "ussd.link.cnic_fixed": _t("This number is already linked to another CNIC.",
                               "Yeh number pehle se kisi aur CNIC se munsalik hai."),
    "ussd.link.pending": _t("CNIC not confirmed for your SIM yet. An officer will check it and SMS you.",
                            "CNIC ki SIM par tasdeeq nahi hui. Officer check kar ke SMS karega."),
    "ussd.link.not_verified": _t("This CNIC is not registered to your SIM. Visit a service centre.",
                                 "Yeh CNIC aap ki SIM par registered nahi. Service centre jayein."),
    # Language
    "ussd.lang.title": _t("Choose your language", "Apni zaban chunein"),
    "ussd.lang.en": _t("English", "English"),
    "ussd.lang.ur": _t("Urdu", "Urdu"),
    "ussd.lang.ur_latn": _t("Roman Urdu", "Roman Urdu"),
    # Short reasons shown above a re-prompt, and notices
    "ussd.reason.choice": _t("Invalid choice.", "Ghalat intikhab."),
    "ussd.reason.empty": _t("Nothing was entered.", "Kuch nahi likha gaya."),
    "ussd.reason.no_more": _t("No more items.", "Mazeed kuch nahi."),
    "ussd.reason.pin_format": _t("A PIN is 4 digits.", "PIN 4 hindson ka hota hai."),
    "ussd.reason.pin_wrong": _t("Wrong PIN. Tries left: {left}.", "Ghalat PIN. Baqi koshishein: {left}."),
    "ussd.reason.pin_mismatch": _t("The PINs did not match.", "Dono PIN mukhtalif thay."),
    "ussd.reason.pin_weak": _t("Choose a PIN that is harder to guess.", "Mushkil PIN chunein."),
    "ussd.notice.expired": _t("Your session timed out. Starting again.", "Session khatam ho gaya. Dobara shuru."),
    "ussd.notice.language": _t("Language saved.", "Zaban mehfooz ho gayi."),
    "ussd.end.goodbye": _t("Thank you for using Rabta.", "Rabta istemal karne ka shukriya."),
    "ussd.end.unavailable": _t("Rabta is busy right now. Please dial again in a minute.",
                               "Rabta abhi masroof hai. Aik minute baad dobara dial karein."),
    "ussd.end.bad_request": _t("Sorry, we could not read that request. Please dial again.",
                               "Maazrat, request parhi nahi ja saki. Dobara dial karein."),
}
