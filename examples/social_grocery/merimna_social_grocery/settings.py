"""Per-tenant settings, from the municipal council's regulation of the social grocery.

Defaults are the example thresholds of ../shared/domain/FACTS.md §5.4: a single person up to
€5,500 a year, €1,200 more per dependant, €3,000 more with a disability of 67 % or more.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _label(el: str, en: str) -> dict[str, Any]:
    return {"label_el": el, "label_en": en}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    income_limit_single: int = Field(
        default=5500,
        ge=0,
        le=100_000,
        description="Yearly income limit of a single person, in euros.",
        json_schema_extra=_label(
            "Εισοδηματικό όριο μονοπρόσωπου (€/έτος)", "Income limit, single (€/year)"
        ),
    )
    per_dependant: int = Field(
        default=1200,
        ge=0,
        le=20_000,
        description="Added to the limit per dependant, in euros.",
        json_schema_extra=_label("Προσαύξηση ανά εξαρτώμενο μέλος (€)", "Added per dependant (€)"),
    )
    disability_bonus: int = Field(
        default=3000,
        ge=0,
        le=20_000,
        description="Added to the limit with a disability of 67 % or more, in euros.",
        json_schema_extra=_label(
            "Προσαύξηση για αναπηρία ≥ 67% (€)", "Added for disability ≥ 67% (€)"
        ),
    )
    card_months: int = Field(
        default=6,
        ge=6,
        le=12,
        description="How long a card is valid before renewal (6 to 12 months).",
        json_schema_extra=_label("Διάρκεια κάρτας (μήνες)", "Card validity (months)"),
    )
    monthly_points: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="Points a month for a single adult; households get more by the OECD scale.",
        json_schema_extra=_label("Πόντοι τον μήνα (μονοπρόσωπο)", "Points a month (single adult)"),
    )
    monthly_limit: int = Field(
        default=4,
        ge=1,
        le=31,
        description="At most this many shopping visits for one person in a calendar month.",
        json_schema_extra=_label("Επισκέψεις ανά μήνα", "Visits per month"),
    )
