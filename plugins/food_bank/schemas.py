"""Request and response models of the food bank: the API bodies, the web forms, the OpenAPI.

Labels for the shared form renderer are in `json_schema_extra` (`label_el`, `label_en`).
Quantities are decimals in the item's unit (at most 3 decimal places); whether a fraction
is allowed depends on the item's unit, which the services check (422 naming the field).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.api import Page, invalid
from plugins.food_bank.settings import CODE_PATTERN, Channel

Category = Literal["food", "hygiene", "clothing", "toy", "baby", "other"]
Unit = Literal["piece", "pack", "kg", "l"]
DateKind = Literal["use_by", "best_before", "none"]
Storage = Literal["ambient", "chilled", "frozen"]
Condition = Literal["", "new", "good", "fair"]
DonorKind = Literal["business", "individual", "parish", "supermarket", "ngo", "other"]
WasteReason = Literal["expired", "damaged", "spoiled", "recalled", "pests", "other"]
DeliveredVia = Literal["school", "household"]
DayStatus = Literal["planned", "open", "closed"]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _label(el: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"label_el": el, "label_en": en, **extra}


Quantity = Annotated[
    Decimal,
    Field(
        gt=0,
        max_digits=12,
        decimal_places=3,
        description="In the item's unit; fractions only for kg and l.",
        json_schema_extra=_label("Ποσότητα", "Quantity"),
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- catalogue --------------------------------------------------------------------------------


class ItemCreate(Strict):
    code: str = Field(
        pattern=CODE_PATTERN,
        description="Stable code used by basket templates (rice, pasta, snack_pack).",
        json_schema_extra=_label("Κωδικός", "Code"),
    )
    name_el: str = Field(
        min_length=1, max_length=200, json_schema_extra=_label("Όνομα (ελληνικά)", "Name (Greek)")
    )
    name_en: str = Field(
        default="", max_length=200, json_schema_extra=_label("Όνομα (αγγλικά)", "Name (English)")
    )
    category: Category = Field(
        json_schema_extra=_label(
            "Κατηγορία",
            "Category",
            options_el={
                "food": "Τρόφιμα",
                "hygiene": "Είδη υγιεινής",
                "clothing": "Ένδυση",
                "toy": "Παιχνίδια",
                "baby": "Βρεφικά",
                "other": "Άλλο",
            },
        )
    )
    unit: Unit = Field(
        json_schema_extra=_label(
            "Μονάδα",
            "Unit",
            options_el={"piece": "Τεμάχιο", "pack": "Συσκευασία", "kg": "Κιλό", "l": "Λίτρο"},
        )
    )
    weight_grams: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Weight of one unit, for the kilograms in reports (kg items: 1000).",
        json_schema_extra=_label("Βάρος μονάδας (γρ.)", "Unit weight (g)"),
    )
    size: str = Field(default="", max_length=20, json_schema_extra=_label("Μέγεθος", "Size"))
    gender: Literal["", "female", "male", "unisex"] = Field(
        default="",
        json_schema_extra=_label(
            "Φύλο",
            "Gender",
            options_el={"": "—", "female": "Γυναικείο", "male": "Ανδρικό", "unisex": "Unisex"},
            options_en={"": "—", "female": "Women's", "male": "Men's", "unisex": "Unisex"},
        ),
    )
    age_min: int | None = Field(
        default=None, ge=0, le=120, json_schema_extra=_label("Ηλικία από", "Age from")
    )
    age_max: int | None = Field(
        default=None, ge=0, le=120, json_schema_extra=_label("Ηλικία έως", "Age to")
    )

    @field_validator("age_max")
    @classmethod
    def _ages(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("age_min")
        if value is not None and low is not None and value < low:
            raise invalid("age_range_inverted")
        return value


class ItemUpdate(Strict):
    name_el: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, json_schema_extra=_label("Όνομα (ελληνικά)", "Name (Greek)")
    )
    name_en: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, json_schema_extra=_label("Όνομα (αγγλικά)", "Name (English)")
    )
    weight_grams: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, json_schema_extra=_label("Βάρος μονάδας (γρ.)", "Unit weight (g)")
    )
    active: bool | None = Field(
        default=None,
        description="Retired items stay in the ledger and reports but are no longer offered.",
        json_schema_extra=_label("Ενεργό είδος", "Active item"),
    )


class ItemOut(BaseModel):
    id: UUID
    code: str
    name_el: str
    name_en: str
    category: str
    unit: str
    weight_grams: int | None
    size: str
    gender: str
    age_min: int | None
    age_max: int | None
    active: bool
    on_hand: Decimal = Decimal(0)


class ItemPage(Page[ItemOut]):
    pass


# -- donors and donations ---------------------------------------------------------------------


class DonorCreate(Strict):
    kind: DonorKind = Field(
        json_schema_extra=_label(
            "Είδος δωρητή",
            "Donor kind",
            options_el={
                "business": "Επιχείρηση",
                "individual": "Ιδιώτης",
                "parish": "Ενορία",
                "supermarket": "Σούπερ μάρκετ",
                "ngo": "ΜΚΟ",
                "other": "Άλλο",
            },
        )
    )
    name: str = Field(min_length=1, max_length=200, json_schema_extra=_label("Επωνυμία", "Name"))
    afm: str | None = Field(default=None, json_schema_extra=_label("ΑΦΜ", "Tax number (AFM)"))
    phone: str | None = Field(default=None, json_schema_extra=_label("Τηλέφωνο", "Phone"))
    email: str | None = Field(
        default=None, max_length=254, json_schema_extra=_label("Email", "Email")
    )
    address: str = Field(
        default="", max_length=300, json_schema_extra=_label("Διεύθυνση", "Address")
    )
    contact_person: str = Field(
        default="", max_length=200, json_schema_extra=_label("Υπεύθυνος επικοινωνίας", "Contact")
    )

    @field_validator("afm")
    @classmethod
    def _afm(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        digits = re.sub(r"^(EL|GR)", "", value.upper().replace(" ", ""))
        if not re.fullmatch(r"\d{8,9}", digits):
            raise invalid("invalid_afm")
        digits = digits.zfill(9)
        check = 0
        for d in digits[:8]:
            check = check * 2 + int(d)
        if digits == "000000000" or check * 2 % 11 % 10 != int(digits[8]):
            raise invalid("invalid_afm")
        return digits

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        digits = re.sub(r"[\s\-.]", "", value)
        digits = re.sub(r"^(\+30|0030)", "", digits)
        if not re.fullmatch(r"[2-9]\d{9}", digits):
            raise invalid("invalid_phone")
        return f"+30{digits}"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise invalid("invalid_email")
        return value.lower()


class DonorOut(BaseModel):
    id: UUID
    kind: str
    name: str
    afm: str | None
    phone: str | None
    email: str | None
    address: str
    contact_person: str
    created_at: datetime


class DonorPage(Page[DonorOut]):
    pass


class LotIn(Strict):
    item_id: UUID = Field(json_schema_extra=_label("Είδος", "Item"))
    quantity: Quantity
    date_kind: DateKind = Field(
        default="best_before",
        description="use_by: never distributed after the date; best_before: allowed, flagged.",
        json_schema_extra=_label(
            "Είδος ημερομηνίας",
            "Kind of date",
            help_el="«Ανάλωση έως»: δεν διανέμεται μετά την ημερομηνία. «Κατά προτίμηση "
            "πριν»: διανέμεται, με επισήμανση.",
            help_en="Use by: never handed out after the date. Best before: handed out, flagged.",
            options_el={
                "use_by": "Ανάλωση έως",
                "best_before": "Κατά προτίμηση πριν",
                "none": "Χωρίς ημερομηνία",
            },
            options_en={"use_by": "Use by", "best_before": "Best before", "none": "No date"},
        ),
    )
    expiry: date | None = Field(
        default=None,
        validate_default=True,
        description="Required unless date_kind is none.",
        json_schema_extra=_label("Ημερομηνία λήξης", "Expiry date"),
    )
    lot_code: str = Field(
        default="", max_length=60, json_schema_extra=_label("Κωδικός παρτίδας", "Lot code")
    )
    storage: Storage = Field(
        default="ambient",
        json_schema_extra=_label(
            "Συντήρηση",
            "Storage",
            options_el={"ambient": "Ξηρά", "chilled": "Ψυγείο", "frozen": "Κατάψυξη"},
            options_en={"ambient": "Ambient", "chilled": "Chilled", "frozen": "Frozen"},
        ),
    )
    condition: Condition = Field(
        default="",
        json_schema_extra=_label(
            "Κατάσταση (ένδυση, παιχνίδια)",
            "Condition (clothing, toys)",
            options_el={"": "—", "new": "Καινούριο", "good": "Καλή", "fair": "Μέτρια"},
            options_en={"": "—", "new": "New", "good": "Good", "fair": "Fair"},
        ),
    )

    @field_validator("expiry")
    @classmethod
    def _expiry(cls, value: date | None, info: ValidationInfo) -> date | None:
        if info.data.get("date_kind", "best_before") != "none" and value is None:
            raise invalid("expiry_required")
        return value


class LotCreate(LotIn):
    """A receipt outside a donation (TEBA delivery, municipal purchase)."""

    funding_source: str = Field(
        pattern=CODE_PATTERN,
        description="A configured source code.",
        json_schema_extra=_label("Πηγή χρηματοδότησης", "Funding source"),
    )
    warehouse: str = Field(
        pattern=CODE_PATTERN,
        description="A configured warehouse code.",
        json_schema_extra=_label("Αποθήκη", "Warehouse"),
    )
    donor_id: UUID | None = Field(default=None, json_schema_extra=_label("Δωρητής", "Donor"))
    received_on: date | None = Field(
        default=None,
        description="Default: today.",
        json_schema_extra=_label("Ημερομηνία παραλαβής", "Received on"),
    )


class DonationLotIn(LotIn):
    funding_source: str = Field(default="donation", pattern=CODE_PATTERN)


class DonationCreate(Strict):
    donor_id: UUID = Field(json_schema_extra=_label("Δωρητής", "Donor"))
    received_on: date | None = Field(
        default=None,
        description="Default: today.",
        json_schema_extra=_label("Ημερομηνία παραλαβής", "Received on"),
    )
    warehouse: str = Field(pattern=CODE_PATTERN, json_schema_extra=_label("Αποθήκη", "Warehouse"))
    notes: str = Field(
        default="",
        max_length=2000,
        description="Stored encrypted.",
        json_schema_extra=_label("Σημειώσεις", "Notes", widget="textarea"),
    )
    lots: list[DonationLotIn] = Field(min_length=1, max_length=200)


class LotOut(BaseModel):
    id: UUID
    item_id: UUID
    item_code: str
    item_name: str
    unit: str
    lot_code: str
    received: Decimal
    on_hand: Decimal
    date_kind: str
    expiry: date | None
    state: str
    funding_source: str
    warehouse: str
    storage: str
    condition: str
    quarantined: bool
    donor_id: UUID | None
    donation_id: UUID | None
    received_on: date


class LotPage(Page[LotOut]):
    pass


class MovementOut(BaseModel):
    id: UUID
    kind: str
    quantity: Decimal
    reason: str
    reference_type: str
    reference_id: UUID | None
    created_at: datetime


class LotDetail(LotOut):
    movements: list[MovementOut]


class DonationOut(BaseModel):
    id: UUID
    donor_id: UUID
    donor_name: str
    receipt_number: str
    received_on: date
    warehouse: str
    notes: str
    lots: list[LotOut]
    total_kg: Decimal
    created_at: datetime


class DonationPage(Page[DonationOut]):
    pass


class WasteIn(Strict):
    quantity: Quantity
    reason: WasteReason = Field(
        json_schema_extra=_label(
            "Αιτία απόσυρσης",
            "Reason",
            options_el={
                "expired": "Έληξε",
                "damaged": "Κατεστραμμένο",
                "spoiled": "Αλλοιωμένο",
                "recalled": "Ανάκληση",
                "pests": "Έντομα / τρωκτικά",
                "other": "Άλλο",
            },
            options_en={
                "expired": "Expired",
                "damaged": "Damaged",
                "spoiled": "Spoiled",
                "recalled": "Recalled",
                "pests": "Pests",
                "other": "Other",
            },
        )
    )
    note: str = Field(
        default="", max_length=1000, json_schema_extra=_label("Σημείωση", "Note", widget="textarea")
    )


class AdjustIn(Strict):
    counted: Decimal = Field(
        ge=0,
        max_digits=12,
        decimal_places=3,
        description="Counted on hand.",
        json_schema_extra=_label("Καταμετρημένη ποσότητα", "Counted quantity"),
    )
    note: str = Field(
        default="", max_length=1000, json_schema_extra=_label("Σημείωση", "Note", widget="textarea")
    )


class TransferIn(Strict):
    quantity: Quantity
    warehouse: str = Field(
        pattern=CODE_PATTERN, json_schema_extra=_label("Αποθήκη προορισμού", "To warehouse")
    )


class LotUpdate(Strict):
    quarantined: bool


class StockRow(BaseModel):
    item_id: UUID
    item_code: str
    item_name: str
    unit: str
    on_hand: Decimal
    usable: Decimal
    lots: int
    next_expiry: date | None


# -- eligibility ------------------------------------------------------------------------------


class EligibilityCreate(Strict):
    person_id: UUID = Field(json_schema_extra=_label("Αιτών/ούσα", "Applicant"))
    annual_income: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="Annual household income (€); required in income-ceiling mode.",
        json_schema_extra=_label("Ετήσιο οικογενειακό εισόδημα (€)", "Annual household income (€)"),
    )
    disabled_members: int | None = Field(
        default=None,
        ge=0,
        le=30,
        description="Members with a disability at or above the threshold (default: the "
        "applicant's own record).",
        json_schema_extra=_label("Μέλη με αναπηρία ≥ όριο", "Members with disability ≥ threshold"),
    )
    notes: str = Field(
        default="",
        max_length=2000,
        description="Stored encrypted.",
        json_schema_extra=_label("Σημειώσεις", "Notes", widget="textarea"),
    )


class ReasonOut(BaseModel):
    code: str
    params: dict[str, Any]
    message: str


class EligibilityOut(BaseModel):
    id: UUID
    person_id: UUID
    household_key: UUID
    mode: str
    eligible: bool
    reasons: list[ReasonOut]
    household_size: int
    equivalence_weight: str
    annual_income: Decimal | None
    ceiling: Decimal | None
    disabled_members: int
    valid_from: date
    valid_until: date | None
    notes: str
    created_at: datetime


class EligibilityPage(Page[EligibilityOut]):
    pass


# -- distribution days and bookings -------------------------------------------------------------


class DistributionDayCreate(Strict):
    day: date = Field(json_schema_extra=_label("Ημερομηνία", "Date"))
    starts: str = Field(default="09:00", json_schema_extra=_label("Έναρξη", "Starts"))
    ends: str = Field(default="14:00", json_schema_extra=_label("Λήξη", "Ends"))
    slot_minutes: int = Field(
        default=15, ge=5, le=120, json_schema_extra=_label("Διάρκεια ραντεβού", "Slot minutes")
    )
    warehouse: str = Field(
        default="main", pattern=CODE_PATTERN, json_schema_extra=_label("Αποθήκη", "Warehouse")
    )
    channel: Channel = Field(
        default="distribution",
        json_schema_extra=_label(
            "Κανάλι",
            "Channel",
            options_el={
                "distribution": "Διανομή",
                "social_grocery": "Κοινωνικό παντοπωλείο",
                "snack_packs": "Σχολικά σνακ",
                "soup_kitchen": "Συσσίτιο",
            },
            options_en={
                "distribution": "Distribution",
                "social_grocery": "Social grocery",
                "snack_packs": "School snack packs",
                "soup_kitchen": "Soup kitchen",
            },
        ),
    )
    staff_id: UUID | None = Field(
        default=None,
        description="The staff member whose calendar holds the pickup slots.",
        json_schema_extra=_label(
            "Υπάλληλος για τα ραντεβού",
            "Staff member for bookings",
            help_el="Χωρίς υπάλληλο η ημέρα δεν δέχεται ραντεβού παραλαβής.",
            help_en="Without a staff member the day takes no pickup bookings.",
        ),
    )
    title: str = Field(default="", max_length=200, json_schema_extra=_label("Τίτλος", "Title"))

    @field_validator("starts", "ends")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise invalid("invalid_time")
        return value

    @field_validator("ends")
    @classmethod
    def _order(cls, value: str, info: ValidationInfo) -> str:
        starts = info.data.get("starts")
        if starts is not None and value <= starts:
            raise invalid("end_before_start")
        return value


class DistributionDayOut(BaseModel):
    id: UUID
    day: date
    starts: str
    ends: str
    slot_minutes: int
    warehouse: str
    channel: str
    staff_id: UUID | None
    title: str
    status: DayStatus = "planned"
    pickups: int = 0
    bookings: int = 0


class DistributionDayPage(Page[DistributionDayOut]):
    pass


class BookingCreate(Strict):
    person_id: UUID
    start: AwareDatetime = Field(description="ISO 8601 with offset, inside the day's hours.")


# -- pickups ----------------------------------------------------------------------------------


class PickupLineIn(Strict):
    item_id: UUID
    quantity: Quantity
    lot_id: UUID | None = Field(
        default=None, description="Take from this lot (default: FEFO over usable lots)."
    )


class ProxyIn(Strict):
    name: str = Field(min_length=2, max_length=200, description="Stored encrypted.")
    document_number: str = Field(
        min_length=4, max_length=30, description="The proxy's ID document; stored encrypted."
    )
    authorisation: bool = Field(
        description="The household's signed authorisation was shown (required)."
    )

    @field_validator("authorisation")
    @classmethod
    def _authorised(cls, value: bool) -> bool:
        if not value:
            raise invalid("proxy_authorisation_required")
        return value


class PickupCreate(Strict):
    person_id: UUID
    channel: Channel = "distribution"
    distribution_day_id: UUID | None = None
    appointment_id: UUID | None = None
    lines: list[PickupLineIn] | None = Field(
        default=None,
        max_length=100,
        description="The basket as handed out (staff may adjust it); default: the template.",
    )
    proxy: ProxyIn | None = None
    override: bool = Field(
        default=False, description="Past the visit limit (permission food_bank.override)."
    )
    override_reason: str = Field(default="", max_length=500, description="Stored encrypted.")

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value == "snack_packs":
            raise invalid("channel_not_for_pickups")
        return value


class IssueLineOut(BaseModel):
    item_id: UUID
    item_code: str
    item_name: str
    lot_id: UUID
    quantity: Decimal
    unit: str
    funding_source: str
    past_best_before: bool = False


class PickupOut(BaseModel):
    id: UUID
    person_id: UUID
    household_key: UUID
    channel: str
    day: date
    distribution_day_id: UUID | None
    appointment_id: UUID | None
    household_size: int
    total_kg: Decimal
    by_proxy: bool
    proxy_name: str
    override: bool
    override_reason: str
    lines: list[IssueLineOut]
    warnings: list[str] = []
    created_at: datetime


class PickupPage(Page[PickupOut]):
    pass


class BasketLineOut(BaseModel):
    item_id: UUID
    item_code: str
    item_name: str
    unit: str
    quantity: Decimal
    available: Decimal


class EntitlementOut(BaseModel):
    person_id: UUID
    household_key: UUID
    household_size: int
    equivalence_weight: float
    eligibility: EligibilityOut | None
    eligible_now: bool
    reasons: list[ReasonOut]
    next_allowed: date | None
    basket: list[BasketLineOut]
    missing_items: list[str]
    schoolchildren: dict[str, int]
    last_pickups: list[date]


# -- snack packs ------------------------------------------------------------------------------


class SnackDeliveryCreate(Strict):
    person_id: UUID
    week_start: date | None = Field(default=None, description="Any day of the week; default now.")
    delivered_via: DeliveredVia = Field(
        default="household",
        json_schema_extra=_label(
            "Παράδοση",
            "Delivered",
            options_el={"household": "Στο νοικοκυριό", "school": "Στο σχολείο"},
            options_en={"household": "To the household", "school": "At school"},
        ),
    )
    school_name: str = Field(
        default="", max_length=200, json_schema_extra=_label("Σχολείο", "School")
    )


class SnackAllocationRow(BaseModel):
    person_id: UUID
    household_key: UUID
    children: dict[str, int]
    packs: dict[str, int]
    total_packs: int
    delivered: bool


class SnackDeliveryOut(BaseModel):
    id: UUID
    person_id: UUID
    household_key: UUID
    week_start: date
    delivered_via: str
    school_name: str
    children: dict[str, int]
    packs: dict[str, int]
    total_packs: int
    lines: list[IssueLineOut]
    created_at: datetime
