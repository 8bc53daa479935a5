"""Per-tenant settings of the Community Centre Roma branch module.

Amounts change by ministerial decision (FACTS.md §4.5), so every threshold of the minimum
income estimate lives here, with the values in force since December 2023 as defaults.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

BENEFITS = ("min_income", "disability", "housing", "child", "uninsured_elderly")
Benefit = Literal["min_income", "disability", "housing", "child", "uninsured_elderly"]
EsfPeriod = Literal["2014_2020", "2021_2027"]


class DocumentTemplate(BaseModel):
    """One document a benefit application needs."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$", description="Stable code")
    title_el: str = Field(min_length=1, max_length=200, description="Greek title")
    title_en: str = Field(min_length=1, max_length=200, description="English title")
    required: bool = Field(default=True, description="Needed for the application to be ready")
    expires: bool = Field(default=False, description="The document has an expiry date")


def _doc(
    code: str, el: str, en: str, *, required: bool = True, expires: bool = False
) -> DocumentTemplate:
    return DocumentTemplate(code=code, title_el=el, title_en=en, required=required, expires=expires)


_COMMON = [
    _doc("id_document", "Ταυτότητα ή διαβατήριο", "Identity card or passport", expires=True),
    _doc("tax_return", "Ε1 και εκκαθαριστικό", "Tax return (E1) and assessment"),
    _doc("iban", "IBAN στο όνομα του αιτούντος", "IBAN in the applicant's name"),
]

DEFAULT_CHECKLISTS: dict[Benefit, list[DocumentTemplate]] = {
    "min_income": [
        *_COMMON,
        _doc("utility_bill", "Πρόσφατος λογαριασμός ΔΕΗ ή άλλης ΔΕΚΟ", "Recent utility bill"),
        _doc(
            "residence_proof",
            "Αποδεικτικό κατοικίας (ηλ. μισθωτήριο, Ε9 ή Ε2)",
            "Proof of residence (e-lease, E9 or E2)",
        ),
        _doc(
            "adult_consents",
            "Έντυπο συναίνεσης υπογεγραμμένο από κάθε ενήλικο μέλος",
            "Consent form signed by every adult member",
        ),
        _doc(
            "unemployment_card",
            "Βεβαίωση ανεργίας ΔΥΠΑ",
            "DYPA unemployment certificate",
            required=False,
            expires=True,
        ),
        _doc(
            "family_status",
            "Πιστοποιητικό οικογενειακής κατάστασης",
            "Family status certificate",
            required=False,
            expires=True,
        ),
    ],
    "disability": [
        *_COMMON,
        _doc(
            "kepa_decision",
            "Γνωμάτευση ΚΕΠΑ σε ισχύ",
            "Valid disability (KEPA) decision",
            expires=True,
        ),
        _doc("residence_proof", "Αποδεικτικό κατοικίας", "Proof of residence"),
    ],
    "housing": [
        *_COMMON,
        _doc("lease", "Ηλεκτρονικό μισθωτήριο", "Electronic lease", expires=True),
        _doc(
            "family_status",
            "Πιστοποιητικό οικογενειακής κατάστασης",
            "Family status certificate",
            expires=True,
        ),
    ],
    "child": [
        *_COMMON,
        _doc(
            "family_status",
            "Πιστοποιητικό οικογενειακής κατάστασης",
            "Family status certificate",
            expires=True,
        ),
        _doc(
            "school_attendance",
            "Βεβαίωση φοίτησης τέκνων",
            "School attendance certificates of the children",
            expires=True,
        ),
    ],
    "uninsured_elderly": [
        *_COMMON,
        _doc(
            "residence_permit_history",
            "Αποδεικτικό μόνιμης διαμονής 15 ετών",
            "Proof of 15 years' permanent residence",
        ),
        _doc(
            "no_pension",
            "Βεβαίωση μη συνταξιοδότησης (e-ΕΦΚΑ)",
            "Certificate of no pension (e-EFKA)",
            expires=True,
        ),
    ],
}


Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


def _money(description: str, default: str) -> Any:
    return Field(default=Decimal(default), description=description)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    settlements: list[str] = Field(
        default_factory=list,
        description="Settlements and areas the branch serves (free text, one per entry)",
    )
    esf_period: EsfPeriod = Field(
        default="2021_2027",
        description="ESF programming period whose indicator fields the participant records hold",
    )
    # Minimum income (Ελάχιστο Εγγυημένο Εισόδημα), FACTS.md §4.5
    mi_first_adult: Money = _money("Guaranteed amount for the first adult (€/month)", "216")
    mi_extra_adult: Money = _money("Guaranteed amount per additional adult (€/month)", "108")
    mi_child: Money = _money("Guaranteed amount per minor (€/month)", "54")
    mi_cap: Money = _money("Monthly cap of the guaranteed amount (€)", "972")
    mi_income_months: int = Field(
        default=6, ge=1, le=12, description="Months of declared income the income test covers"
    )
    real_estate_base: Money = _money("Real-estate limit for one person (€)", "90000")
    real_estate_per_member: Money = _money("Real-estate limit per extra member (€)", "15000")
    real_estate_cap: Money = _money("Real-estate limit, maximum (€)", "150000")
    vehicles_cap: Money = _money("Vehicles, total objective value limit (€)", "6000")
    deposits_base: Money = _money("Deposits and securities limit for one person (€)", "4800")
    deposits_adult_step: Decimal = Field(
        default=Decimal("0.5"), ge=0, le=1, description="Equivalence step per extra adult"
    )
    deposits_child_step: Decimal = Field(
        default=Decimal("0.25"), ge=0, le=1, description="Equivalence step per minor"
    )
    deposits_cap: Money = _money(
        "Deposits and securities limit, maximum (€; older sources give 14,400)", "14400"
    )
    checklists: dict[Benefit, list[DocumentTemplate]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_CHECKLISTS.items()},
        description="Document checklist template per benefit",
    )
    expiry_warning_days: int = Field(
        default=30, ge=0, le=365, description="Days before expiry a document is flagged"
    )
    followup_months: list[int] = Field(
        default_factory=lambda: [1, 3, 6],
        description="Months after a placement at which follow-ups fall due",
    )

    @field_validator("followup_months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if not value or any(m < 1 or m > 36 for m in value):
            raise ValueError("follow-up months are between 1 and 36")
        return sorted(set(value))

    @model_validator(mode="after")
    def _templates(self) -> Settings:
        for benefit, items in self.checklists.items():
            codes = [i.code for i in items]
            if len(codes) != len(set(codes)):
                raise ValueError(f"duplicate document code in the {benefit} checklist")
        return self

    def checklist(self, benefit: str) -> list[DocumentTemplate]:
        key = cast(Benefit, benefit)
        return list(self.checklists.get(key, DEFAULT_CHECKLISTS.get(key, [])))
