"""Per-tenant settings of the Help at Home module.

Every threshold the rules use lives here, never in code (DESIGN.md, "Forms, rules, reports"):
the programme has national practice but no national income cut-off (FACTS.md §3.2), so each
municipality sets its own figures. Every field has a default and a description (conformance).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scale = Literal["katz", "lawton", "barthel"]
SCALES: tuple[Scale, ...] = ("katz", "lawton", "barthel")


class PriorityWeights(BaseModel):
    """Points each factor adds to the waiting-list priority score (FACTS.md §3.2: priority
    goes to those who live alone, have no family support and have low income)."""

    model_config = ConfigDict(extra="forbid")

    lives_alone: int = Field(
        default=30, ge=0, le=100, description="Points for living alone (μοναχικά)."
    )
    no_family_support: int = Field(
        default=20,
        ge=0,
        le=100,
        description="Points for no family support; half of them for partial support.",
    )
    low_income: int = Field(
        default=20,
        ge=0,
        le=100,
        description="Points for an annual income at or below `low_income_threshold`.",
    )
    dependency: int = Field(
        default=30,
        ge=0,
        le=100,
        description="Points at total dependency, scaled by the latest scores of the counted "
        "scales (a fully independent person gets 0).",
    )
    age_80_plus: int = Field(default=10, ge=0, le=100, description="Points for age 80 or more.")
    disability: int = Field(
        default=10,
        ge=0,
        le=100,
        description="Points for a certified disability at or above `min_disability_percent`.",
    )


class VisitFrequencies(BaseModel):
    """Visits per week a new care plan proposes for each service (a plan may change them)."""

    model_config = ConfigDict(extra="forbid")

    nursing_visit: int = Field(default=1, ge=0, le=7, description="Nursing visits per week.")
    home_help: int = Field(default=2, ge=0, le=7, description="Home-help visits per week.")
    psychosocial_support: int = Field(
        default=1, ge=0, le=7, description="Psychosocial support sessions per week."
    )
    accompaniment: int = Field(
        default=0, ge=0, le=7, description="Accompaniments and errands per week."
    )


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_age: int = Field(
        default=65,
        ge=0,
        le=120,
        description="Minimum age of the older-people target group (τρίτη ηλικία).",
    )
    min_disability_percent: int = Field(
        default=67,
        ge=0,
        le=100,
        description="Certified disability percentage (ΚΕΠΑ) that admits a person of any age.",
    )
    income_ceiling: Decimal | None = Field(
        default=None,
        ge=0,
        description="Annual household income (EUR) above which an applicant is not eligible; "
        "null: no ceiling (the programme has no national one).",
    )
    low_income_threshold: Decimal = Field(
        default=Decimal("6000"),
        ge=0,
        description="Annual household income (EUR) at or below which the applicant gets the "
        "low-income priority points.",
    )
    scales: list[Scale] = Field(
        default_factory=lambda: list(SCALES),
        min_length=1,
        description="Which dependency scales count for eligibility and priority "
        "(katz, lawton, barthel).",
    )
    priority_weights: PriorityWeights = Field(
        default_factory=PriorityWeights,
        description="Points per factor of the waiting-list priority score.",
    )
    visit_frequencies: VisitFrequencies = Field(
        default_factory=VisitFrequencies,
        description="Default visits per week of each service in a new care plan.",
    )
    reassessment_months: int = Field(
        default=6,
        ge=1,
        le=36,
        description="Months after an assessment when the next one is due.",
    )
    late_after_minutes: int = Field(
        default=15,
        ge=0,
        le=240,
        description="A check-in this many minutes after the planned start flags the visit late.",
    )
    missed_after_minutes: int = Field(
        default=60,
        ge=0,
        le=24 * 60,
        description="A visit with no check-in this many minutes after its planned end is "
        "flagged missed.",
    )
    barthel_drop_alert: int = Field(
        default=10,
        ge=5,
        le=100,
        description="A Barthel drop of at least this many points raises an alert even "
        "without a band change.",
    )
    base_postcode: str = Field(
        default="",
        max_length=5,
        pattern=r"^(\d{5})?$",
        description="Postcode of the unit, where route-ordered rosters start (empty: the "
        "first visit of the day).",
    )

    @model_validator(mode="after")
    def _unique_scales(self) -> Settings:
        self.scales = list(dict.fromkeys(self.scales))
        return self
