"""Per-tenant settings of the food, clothing and toy bank.

Every threshold the rules use lives here, never in code (DESIGN.md). Defaults follow
FACTS.md §5: TEBA/FEAD is for minimum-income (ΕΕΕ) recipients only; social groceries use an
income ceiling of base + per dependant + disability supplement (5,500 / 1,200 / 3,000 €); the
dry-goods basket is banded by household size (Crete 2018); TEBA stock never feeds a social
grocery (teba.opeka.gr). Every field has a default and a description (conformance check).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Channel = Literal["distribution", "social_grocery", "snack_packs", "soup_kitchen"]
CHANNELS: tuple[Channel, ...] = ("distribution", "social_grocery", "snack_packs", "soup_kitchen")
EligibilityMode = Literal["min_income", "income_ceiling"]
Scale = Literal["oecd_modified", "min_income"]
Period = Literal["calendar_month", "calendar_week", "days"]
SnackLevel = Literal["primary", "lower_secondary", "upper_secondary"]
SNACK_LEVELS: tuple[SnackLevel, ...] = ("primary", "lower_secondary", "upper_secondary")

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
# The legal fence (FACTS.md §5.1): whatever a tenant configures, TEBA stock never goes to a
# social grocery. The rules enforce it again at picking time.
TEBA = "teba"
TEBA_FORBIDDEN: tuple[Channel, ...] = ("social_grocery",)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BasketLine(Strict):
    """One item of a basket template, by the item's code in the catalogue."""

    item_code: str = Field(pattern=CODE_PATTERN, description="The catalogue item's code.")
    quantity: Decimal = Field(
        gt=0, max_digits=9, decimal_places=3, description="Quantity in the item's unit."
    )


class BasketBand(Strict):
    """The basket for households of `min_size`..`max_size` members (open-ended if None)."""

    min_size: int = Field(ge=1, le=30, description="Smallest household size of the band.")
    max_size: int | None = Field(
        default=None, ge=1, le=30, description="Largest household size (None: no limit)."
    )
    lines: list[BasketLine] = Field(description="Items and quantities of the band's basket.")


class FundingSource(Strict):
    """Where stock comes from, and which channels it may feed."""

    code: str = Field(pattern=CODE_PATTERN, description="Stable code (teba, donation, ...).")
    title_el: str = Field(min_length=1, max_length=120, description="Greek title.")
    title_en: str = Field(min_length=1, max_length=120, description="English title.")
    channels: list[Channel] = Field(description="Channels this source's lots may feed.")

    @model_validator(mode="after")
    def _teba_fence(self) -> FundingSource:
        if self.code == TEBA and any(c in TEBA_FORBIDDEN for c in self.channels):
            raise ValueError("TEBA stock may never feed a social grocery")
        return self


class Warehouse(Strict):
    code: str = Field(pattern=CODE_PATTERN, description="Stable code of the warehouse.")
    title_el: str = Field(min_length=1, max_length=120, description="Greek title.")
    title_en: str = Field(min_length=1, max_length=120, description="English title.")


class SnackPackQuantities(Strict):
    """Snack packs per child per week, by school level."""

    primary: int = Field(default=5, ge=0, le=20, description="Primary school (Δημοτικό).")
    lower_secondary: int = Field(default=5, ge=0, le=20, description="Lower secondary (Γυμνάσιο).")
    upper_secondary: int = Field(default=5, ge=0, le=20, description="Upper secondary (Λύκειο).")


def _line(code: str, quantity: int) -> BasketLine:
    return BasketLine(item_code=code, quantity=Decimal(quantity))


def _crete_band(low: int, high: int | None, q: tuple[int, ...]) -> BasketBand:
    codes = ("rice", "pasta", "lentils", "beans", "rusks", "sugar")
    return BasketBand(
        min_size=low, max_size=high, lines=[_line(c, n) for c, n in zip(codes, q, strict=True)]
    )


def default_bands() -> list[BasketBand]:
    """Crete 2018 dry-goods bands (FACTS.md §5.2); the 6+ band extrapolated."""
    return [
        _crete_band(1, 2, (6, 6, 5, 4, 1, 1)),
        _crete_band(3, 5, (8, 8, 7, 6, 3, 2)),
        _crete_band(6, None, (10, 10, 9, 8, 4, 3)),
    ]


def default_sources() -> list[FundingSource]:
    return [
        FundingSource(
            code="teba",
            title_el="ΤΕΒΑ / ΕΚΤ+",
            title_en="TEBA / FEAD",
            channels=["distribution", "soup_kitchen"],
        ),
        FundingSource(
            code="donation",
            title_el="Δωρεά",
            title_en="Donation",
            channels=["distribution", "social_grocery", "snack_packs", "soup_kitchen"],
        ),
        FundingSource(
            code="municipal",
            title_el="Δημοτικοί πόροι",
            title_en="Municipal budget",
            channels=["distribution", "social_grocery", "snack_packs", "soup_kitchen"],
        ),
    ]


def default_warehouses() -> list[Warehouse]:
    return [Warehouse(code="main", title_el="Κεντρική αποθήκη", title_en="Main warehouse")]


class Settings(Strict):
    eligibility_mode: EligibilityMode = Field(
        default="min_income",
        description="min_income: only minimum-income (ΕΕΕ) recipients, as TEBA requires; "
        "income_ceiling: annual household income at most base + per dependant + disability "
        "supplement, as social groceries use.",
    )
    income_base: Decimal = Field(
        default=Decimal(5500), ge=0, description="Ceiling for a single person (€ a year)."
    )
    income_per_dependant: Decimal = Field(
        default=Decimal(1200), ge=0, description="Added per dependant member (€ a year)."
    )
    income_disability_supplement: Decimal = Field(
        default=Decimal(3000),
        ge=0,
        description="Added per member with a disability at or above the threshold (€ a year).",
    )
    disability_threshold_percent: int = Field(
        default=67, ge=0, le=100, description="Disability percentage giving the supplement."
    )
    equivalence_scale: Scale = Field(
        default="oecd_modified",
        description="oecd_modified (1 / 0.5 aged 14+ / 0.3 under 14) or min_income "
        "(1 / 0.5 per adult 18+ / 0.25 per minor); scales baskets in equivalence mode.",
    )
    basket_mode: Literal["bands", "equivalence"] = Field(
        default="bands",
        description="bands: the template of the household-size band; equivalence: the "
        "first band's basket times the household's equivalence weight.",
    )
    basket_bands: list[BasketBand] = Field(
        default_factory=default_bands, description="Basket templates by household-size band."
    )
    visit_limit_period: Period = Field(
        default="calendar_month",
        description="The period of the visit limit: calendar month, ISO week or rolling days.",
    )
    visit_limit_days: int = Field(
        default=30, ge=1, le=366, description="Length of the rolling period (period = days)."
    )
    visits_per_period: int = Field(
        default=1, ge=1, le=31, description="Pickups a household may make per period."
    )
    eligibility_validity_months: int = Field(
        default=6, ge=1, le=24, description="How long an eligibility decision holds."
    )
    recertification_notice_days: int = Field(
        default=30, ge=0, le=180, description="Remind staff this many days before it ends."
    )
    snack_packs: SnackPackQuantities = Field(
        default_factory=SnackPackQuantities,
        description="Snack packs per child per week by school level.",
    )
    snack_pack_item: str = Field(
        default="snack_pack",
        pattern=CODE_PATTERN,
        description="Catalogue code of the snack-pack item drawn from stock.",
    )
    funding_sources: list[FundingSource] = Field(
        default_factory=default_sources,
        description="Funding sources and the channels each may feed (TEBA never a social grocery).",
    )
    warehouses: list[Warehouse] = Field(
        default_factory=default_warehouses, description="Warehouses and distribution points."
    )
    expiry_warning_days: int = Field(
        default=14, ge=1, le=180, description="Lots expiring within this many days are flagged."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if not self.basket_bands:
            raise ValueError("at least one basket band is needed")
        for band in self.basket_bands:
            if band.max_size is not None and band.max_size < band.min_size:
                raise ValueError("a band's max_size is below its min_size")
        if not self.warehouses:
            raise ValueError("at least one warehouse is needed")
        for name, codes in (
            ("warehouses", [w.code for w in self.warehouses]),
            ("funding_sources", [f.code for f in self.funding_sources]),
        ):
            if len(codes) != len(set(codes)):
                raise ValueError(f"{name}: codes must be unique")
        return self

    def source(self, code: str) -> FundingSource | None:
        return next((s for s in self.funding_sources if s.code == code), None)

    def warehouse(self, code: str) -> Warehouse | None:
        return next((w for w in self.warehouses if w.code == code), None)
