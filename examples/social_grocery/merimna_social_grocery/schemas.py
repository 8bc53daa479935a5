"""Request and response models: they validate the API, document it and render the web form."""

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["visit", "call", "support"]

KIND_TITLES: dict[str, dict[str, Any]] = {
    "el": {"visit": "Επίσκεψη", "call": "Τηλεφωνική επικοινωνία", "support": "Υποστήριξη"},
    "en": {"visit": "Visit", "call": "Phone call", "support": "Support"},
}


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: UUID = Field(
        json_schema_extra={"label_el": "Ωφελούμενος (κωδικός)", "label_en": "Beneficiary (id)"}
    )
    kind: Kind = Field(
        json_schema_extra={
            "label_el": "Είδος",
            "label_en": "Kind",
            "options_el": KIND_TITLES["el"],
            "options_en": KIND_TITLES["en"],
        }
    )
    occurred_on: date = Field(json_schema_extra={"label_el": "Ημερομηνία", "label_en": "Date"})
    note: str = Field(
        default="",
        max_length=2000,
        json_schema_extra={"label_el": "Σημείωση", "label_en": "Note", "widget": "textarea"},
    )


class EntryOut(BaseModel):
    id: UUID
    person_id: UUID
    kind: Kind
    occurred_on: date
    note: str


class EntryPage(BaseModel):
    items: list[EntryOut]
    next_cursor: str | None


class MonthParams(BaseModel):
    """Parameters of the monthly report."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(
        default_factory=lambda: date.today().year,
        ge=2000,
        le=2100,
        json_schema_extra={"label_el": "Έτος", "label_en": "Year"},
    )
