"""The browser pages Rabta serves, in one list: the landing page (`GET /`) and the `rabta dev` banner
both read it, so a new page is one line here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    path: str
    title_en: str
    title_ur: str
    about_en: str
    about_ur: str

    def title(self, language: str) -> str:
        return self.title_ur if language == "ur" else self.title_en

    def about(self, language: str) -> str:
        return self.about_ur if language == "ur" else self.about_en


PAGES: tuple[Page, ...] = (
    Page("/console/", "Agency console", "ادارہ کنسول",
         "Officers work applications, bills, refunds and the audit log (demo: officer@dc.demo / rabta-demo-2026).",
         "افسران درخواستیں، بل، واپسیاں اور آڈٹ لاگ سنبھالتے ہیں (ڈیمو: officer@dc.demo / rabta-demo-2026)۔"),
    Page("/docs", "API documentation", "API کی دستاویزات",
         "Every /api/v1 endpoint, with “try it” against this server.",
         "ہر /api/v1 اینڈ پوائنٹ، اسی سرور پر آزمانے کی سہولت کے ساتھ۔"),
    Page("/openapi.json", "OpenAPI document", "OpenAPI دستاویز",
         "The API contract (OpenAPI 3.1) for code generators.", "کوڈ جنریٹرز کے لیے API معاہدہ (OpenAPI 3.1)۔"),
    Page("/performance", "Service performance", "سروس کی کارکردگی",
         "Public figures for the last 30 days: volumes, speed, completion (also as /performance.json).",
         "پچھلے 30 دن کے عوامی اعداد و شمار: حجم، رفتار، تکمیل (/performance.json بھی)۔"),
    Page("/healthz", "Health", "صحت", "Answers while the web process is alive.", "ویب پروسیس زندہ ہو تو جواب دیتا ہے۔"),
    Page("/readyz", "Readiness", "تیاری", "Whether the database and Redis answer.",
         "کیا ڈیٹا بیس اور Redis جواب دے رہے ہیں۔"),
    Page("/simulator", "Phone simulator", "فون سمیولیٹر",
         "Feature phones in the browser: dial USSD and text SMS on the real endpoints, every hop shown.",
         "براؤزر میں سادہ فون: اصل اینڈ پوائنٹس پر USSD ملائیں اور SMS بھیجیں، ہر قدم دکھایا جاتا ہے۔"),
)
