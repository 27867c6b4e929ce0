from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class LocalisedNames(SQLModel):
    name_en: str = Field(max_length=160)
    name_ur: str = Field(default="", max_length=160)
    name_ur_latn: str = Field(default="", max_length=160)

    def name_in(self, language: str) -> str:
        return name_in(language, self.name_en, self.name_ur, self.name_ur_latn)


def name_in(language: str, name_en: str, name_ur: str, name_ur_latn: str) -> str:
    """The name in `language`, falling back to English where a translation is missing (also for names
    read as plain columns, without loading the row as an object)."""
    by_language = {"en": name_en, "ur": name_ur, "ur-Latn": name_ur_latn}
    return by_language.get(language) or name_en


class AgencyBase(LocalisedNames):
    code: str = Field(max_length=16, unique=True)


class Agency(AgencyBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class ServiceBase(LocalisedNames):
    code: str = Field(max_length=16, unique=True, description="Also the tracking-number prefix")
    fee_paisa: int = Field(default=0, ge=0)
    sla_days: int = Field(default=7, ge=0)
    active: bool = Field(default=True)


class Service(ServiceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    # Field name -> {"label": ..., "pattern": ..., "required": bool}; checked when an application is made.
    required_fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
