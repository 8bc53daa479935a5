"""Request and response models: they validate the API, document it and render the web form."""

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["food", "hygiene", "clothing", "toys_books"]

KIND_TITLES: dict[str, dict[str, Any]] = {
    "el": {
        "food": "Τρόφιμα",
        "hygiene": "Είδη υγιεινής",
        "clothing": "Ρουχισμός",
        "toys_books": "Παιχνίδια και βιβλία",
    },
    "en": {
        "food": "Food",
        "hygiene": "Hygiene products",
        "clothing": "Clothing",
        "toys_books": "Toys and books",
    },
}


def _label(el: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"label_el": el, "label_en": en, **extra}


class CardIn(BaseModel):
    """An application for a card: the household's facts as declared with the documents."""

    model_config = ConfigDict(extra="forbid")

    person_id: UUID = Field(json_schema_extra=_label("Ωφελούμενος (κωδικός)", "Beneficiary (id)"))
    resident: bool = Field(
        json_schema_extra=_label(
            "Δημότης ή μόνιμος κάτοικος του δήμου", "Resident of the municipality"
        )
    )
    annual_income: int = Field(
        ge=0,
        le=10_000_000,
        json_schema_extra=_label("Ετήσιο οικογενειακό εισόδημα (€)", "Household income (€/year)"),
    )
    persons_14_plus: int = Field(
        default=1,
        ge=1,
        le=20,
        json_schema_extra=_label("Μέλη 14 ετών και άνω", "Members aged 14 or more"),
    )
    children_under_14: int = Field(
        default=0, ge=0, le=20, json_schema_extra=_label("Παιδιά κάτω των 14", "Children under 14")
    )
    dependants: int = Field(
        default=0, ge=0, le=20, json_schema_extra=_label("Εξαρτώμενα μέλη", "Dependants")
    )
    disability_percent: int = Field(
        default=0,
        ge=0,
        le=100,
        json_schema_extra=_label("Ποσοστό αναπηρίας (%)", "Disability (%)"),
    )
    valid_from: date = Field(
        default_factory=date.today, json_schema_extra=_label("Έναρξη ισχύος", "Valid from")
    )


class CardOut(BaseModel):
    id: UUID
    person_id: UUID
    status: Literal["approved", "rejected"]
    reasons: list[str]
    income_limit: int
    points_per_month: int
    valid_from: date
    valid_until: date | None


class CardPage(BaseModel):
    items: list[CardOut]
    next_cursor: str | None


class EntryIn(BaseModel):
    """A shopping visit."""

    model_config = ConfigDict(extra="forbid")

    person_id: UUID = Field(json_schema_extra=_label("Ωφελούμενος (κωδικός)", "Beneficiary (id)"))
    kind: Kind = Field(
        json_schema_extra=_label(
            "Είδος", "Kind", options_el=KIND_TITLES["el"], options_en=KIND_TITLES["en"]
        )
    )
    occurred_on: date = Field(
        default_factory=date.today, json_schema_extra=_label("Ημερομηνία", "Date")
    )
    points: int = Field(default=0, ge=0, le=1000, json_schema_extra=_label("Πόντοι", "Points"))
    note: str = Field(
        default="",
        max_length=2000,
        json_schema_extra=_label("Σημείωση", "Note", widget="textarea"),
    )


class EntryOut(BaseModel):
    id: UUID
    person_id: UUID
    kind: Kind
    occurred_on: date
    points: int
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
        json_schema_extra=_label("Έτος", "Year"),
    )
