"""Request models of the Roma branch: the API bodies, the web forms and the OpenAPI schema.

Every model forbids unknown fields; labels are in Greek and English (`label_el`/`label_en`)
for the shared form renderer. Cross-field checks raise `core.api.invalid` so a 422 names the
field with a stable code and a message in the request's language.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from core.api import invalid
from plugins.roma_branch.settings import Benefit, EsfPeriod


def F(el: str, en: str, default: Any = ..., **kw: Any) -> Any:
    """A field with Greek and English labels (and option labels when given)."""
    extra: dict[str, Any] = {"label_el": el, "label_en": en}
    for key in ("options_el", "options_en", "widget", "help_el", "help_en"):
        if key in kw:
            extra[key] = kw.pop(key)
    return Field(default, title=en, json_schema_extra=extra, **kw)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Count = Annotated[int, Field(ge=0, le=20)]
Words = Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=40)]

REQUEST_TYPES = (
    "benefits_info",
    "min_income",
    "civil_registry",
    "health",
    "education",
    "housing",
    "employment",
    "accompaniment",
    "other",
)
RequestType = Literal[
    "benefits_info",
    "min_income",
    "civil_registry",
    "health",
    "education",
    "housing",
    "employment",
    "accompaniment",
    "other",
]
Outcome = Literal["informed", "assisted", "referred", "accompanied", "pending", "other"]
AGENCIES = (
    "kep",
    "opeka",
    "dypa",
    "hospital",
    "tax_office",
    "police",
    "school",
    "municipality",
    "other",
)
Agency = Literal[
    "kep", "opeka", "dypa", "hospital", "tax_office", "police", "school", "municipality", "other"
]
AccOutcome = Literal["completed", "partly", "not_served", "rescheduled"]
Education = Literal["none", "isced_1_2", "isced_3_4", "isced_5_8"]
Availability = Literal["full_time", "part_time", "seasonal", "any"]
Step = Literal["proposed", "cv_sent", "interview", "offer", "hired", "rejected", "withdrawn"]
Contract = Literal["full_time", "part_time", "seasonal", "apprenticeship"]
Enrolment = Literal["enrolled", "not_enrolled", "dropped_out", "transferred", "pending"]
Concern = Literal["none", "low", "medium", "high"]
SchoolAction = Literal[
    "home_visit",
    "school_meeting",
    "parent_meeting",
    "enrolment_support",
    "tutoring",
    "referral",
    "other",
]
YesNoDeclined = Literal["yes", "no", "declined"]
YesNo = Literal["yes", "no"]

REQUEST_TYPE_EL = {
    "benefits_info": "Πληροφόρηση για παροχές",
    "min_income": "Αίτηση ελάχιστου εγγυημένου εισοδήματος",
    "civil_registry": "Δημοτολογική τακτοποίηση",
    "health": "Υγεία",
    "education": "Εκπαίδευση",
    "housing": "Στέγαση",
    "employment": "Απασχόληση",
    "accompaniment": "Συνοδεία",
    "other": "Άλλο",
}
REQUEST_TYPE_EN = {
    "benefits_info": "Information on benefits",
    "min_income": "Minimum-income application",
    "civil_registry": "Civil registry",
    "health": "Health",
    "education": "Education",
    "housing": "Housing",
    "employment": "Employment",
    "accompaniment": "Accompaniment",
    "other": "Other",
}
AGENCY_EL = {
    "kep": "ΚΕΠ",
    "opeka": "ΟΠΕΚΑ",
    "dypa": "ΔΥΠΑ",
    "hospital": "Νοσοκομείο",
    "tax_office": "ΔΟΥ",
    "police": "Αστυνομία",
    "school": "Σχολείο",
    "municipality": "Δήμος",
    "other": "Άλλη υπηρεσία",
}
AGENCY_EN = {
    "kep": "Citizen service centre (KEP)",
    "opeka": "OPEKA",
    "dypa": "Employment service (DYPA)",
    "hospital": "Hospital",
    "tax_office": "Tax office",
    "police": "Police",
    "school": "School",
    "municipality": "Municipality",
    "other": "Other agency",
}
BENEFIT_EL = {
    "min_income": "Ελάχιστο εγγυημένο εισόδημα",
    "disability": "Επίδομα αναπηρίας",
    "housing": "Επίδομα στέγασης",
    "child": "Επίδομα παιδιού",
    "uninsured_elderly": "Σύνταξη ανασφάλιστων υπερηλίκων",
}
BENEFIT_EN = {
    "min_income": "Minimum guaranteed income",
    "disability": "Disability benefit",
    "housing": "Housing benefit",
    "child": "Child benefit",
    "uninsured_elderly": "Uninsured elderly pension",
}


# -- reception ----------------------------------------------------------------------------------


class ReceptionIn(Strict):
    person_id: UUID | None = F(
        "Ωφελούμενος",
        "Beneficiary",
        None,
        help_el="Κενό για ανώνυμη επαφή",
        help_en="Empty for an anonymous contact",
    )
    people_count: int = F("Άτομα", "People", 1, ge=1, le=200)
    visited_on: date = F("Ημερομηνία", "Date")
    channel: Literal["visit", "phone"] = F(
        "Τρόπος",
        "Channel",
        "visit",
        options_el={"visit": "Επίσκεψη", "phone": "Τηλέφωνο"},
        options_en={"visit": "Visit", "phone": "Phone call"},
    )
    request_type: RequestType = F(
        "Αίτημα", "Request", options_el=REQUEST_TYPE_EL, options_en=REQUEST_TYPE_EN
    )
    outcome: Outcome = F(
        "Έκβαση",
        "Outcome",
        options_el={
            "informed": "Ενημερώθηκε",
            "assisted": "Υποστηρίχθηκε",
            "referred": "Παραπέμφθηκε",
            "accompanied": "Συνοδεύτηκε",
            "pending": "Εκκρεμεί",
            "other": "Άλλο",
        },
        options_en={
            "informed": "Informed",
            "assisted": "Assisted",
            "referred": "Referred",
            "accompanied": "Accompanied",
            "pending": "Pending",
            "other": "Other",
        },
    )
    follow_up: str = F(
        "Συνέχεια",
        "Follow-up",
        "",
        max_length=500,
        help_el="Τι θα γίνει στη συνέχεια· αποθηκεύεται κρυπτογραφημένο.",
        help_en="What happens next; stored encrypted.",
    )
    follow_up_on: date | None = F("Ημερομηνία συνέχειας", "Follow-up date", None)
    notes: str = F("Σημειώσεις", "Notes", "", max_length=5000, widget="textarea")

    @field_validator("people_count")
    @classmethod
    def _count(cls, value: int, info: Any) -> int:
        if info.data.get("person_id") is not None and value != 1:
            raise invalid("roma_branch_count_with_person")
        return value

    @field_validator("follow_up_on")
    @classmethod
    def _after(cls, value: date | None, info: Any) -> date | None:
        visited = info.data.get("visited_on")
        if value is not None and visited is not None and value < visited:
            raise invalid("roma_branch_date_before", other="visited_on")
        return value


class FollowUpDoneIn(Strict):
    """Marks a contact's follow-up done: it leaves the tasks of whoever recorded it."""

    done_on: date = F(
        "Ημερομηνία ολοκλήρωσης",
        "Done on",
        help_el="Όχι πριν από την επαφή ούτε μετά από σήμερα.",
        help_en="Not before the contact, nor after today.",
    )


# -- accompaniment ------------------------------------------------------------------------------


class AccompanimentIn(Strict):
    person_id: UUID = F("Ωφελούμενος", "Beneficiary")
    agency: Agency = F("Υπηρεσία", "Agency", options_el=AGENCY_EL, options_en=AGENCY_EN)
    agency_other: str = F("Άλλη υπηρεσία (ποια)", "Other agency (which)", "", max_length=200)
    purpose: str = F(
        "Σκοπός",
        "Purpose",
        min_length=1,
        max_length=500,
        help_el="Αποθηκεύεται κρυπτογραφημένο.",
        help_en="Stored encrypted.",
    )
    start: AwareDatetime = F("Έναρξη", "Start")
    end: AwareDatetime | None = F("Λήξη", "End", None)
    mediator_staff_id: UUID = F("Διαμεσολαβητής/τρια", "Mediator")

    @field_validator("agency_other")
    @classmethod
    def _other(cls, value: str, info: Any) -> str:
        if info.data.get("agency") == "other" and not value.strip():
            raise invalid("missing")
        return value.strip()

    @field_validator("end")
    @classmethod
    def _end(cls, value: Any, info: Any) -> Any:
        start = info.data.get("start")
        if value is not None and start is not None and value <= start:
            raise invalid("roma_branch_end_before_start")
        return value


ACC_STATUS_EL = {"done": "Έγινε", "cancelled": "Ακυρώθηκε", "no_show": "Δεν προσήλθε"}
ACC_STATUS_EN = {"done": "Done", "cancelled": "Cancelled", "no_show": "Did not come"}
ACC_OUTCOME_EL = {
    "completed": "Εξυπηρετήθηκε",
    "partly": "Εξυπηρετήθηκε εν μέρει",
    "not_served": "Δεν εξυπηρετήθηκε",
    "rescheduled": "Νέο ραντεβού",
}
ACC_OUTCOME_EN = {
    "completed": "Served",
    "partly": "Partly served",
    "not_served": "Not served",
    "rescheduled": "Rescheduled",
}


class AccompanimentUpdate(Strict):
    status: Literal["done", "cancelled", "no_show"] | None = F(
        "Κατάσταση", "Status", None, options_el=ACC_STATUS_EL, options_en=ACC_STATUS_EN
    )
    outcome: AccOutcome | None = F(
        "Έκβαση", "Outcome", None, options_el=ACC_OUTCOME_EL, options_en=ACC_OUTCOME_EN
    )
    outcome_notes: str | None = F("Σημειώσεις έκβασης", "Outcome notes", None, max_length=5000)
    cancel_reason: str | None = F("Λόγος ακύρωσης", "Cancellation reason", None, max_length=500)


# -- benefit applications -----------------------------------------------------------------------


class HouseholdIn(Strict):
    adults: int | None = F(
        "Ενήλικες",
        "Adults",
        None,
        ge=0,
        le=20,
        help_el="Κενό: από το νοικοκυριό του μητρώου",
        help_en="Empty: from the registry",
    )
    minors: int | None = F("Ανήλικοι", "Minors", None, ge=0, le=20)
    single_parent: bool | None = F("Μονογονεϊκή οικογένεια", "Single-parent household", None)
    unprotected_children: int = F("Απροστάτευτα τέκνα", "Unprotected children", 0, ge=0, le=20)


class Incomes(Strict):
    income_6m: Money = F("Εισόδημα εξαμήνου (€)", "Income of the last six months (€)", Decimal(0))
    real_estate: Money | None = F("Αντικειμενική αξία ακινήτων (€)", "Real estate (€)", None)
    vehicles: Money | None = F("Αξία οχημάτων (€)", "Vehicles (€)", None)
    deposits: Money | None = F("Καταθέσεις και αξίες (€)", "Deposits and securities (€)", None)


class ApplicationIn(HouseholdIn, Incomes):
    person_id: UUID = F("Αιτών/ούσα", "Applicant")
    benefit: Benefit = F("Παροχή", "Benefit", options_el=BENEFIT_EL, options_en=BENEFIT_EN)
    notes: str = F("Σημειώσεις", "Notes", "", max_length=5000, widget="textarea")


class ApplicationUpdate(Strict):
    adults: int | None = F("Ενήλικες", "Adults", None, ge=0, le=20)
    minors: int | None = F("Ανήλικοι", "Minors", None, ge=0, le=20)
    single_parent: bool | None = F("Μονογονεϊκή οικογένεια", "Single-parent household", None)
    unprotected_children: int | None = F(
        "Απροστάτευτα τέκνα", "Unprotected children", None, ge=0, le=20
    )
    income_6m: Money | None = F("Εισόδημα εξαμήνου (€)", "Income of six months (€)", None)
    real_estate: Money | None = F("Ακίνητα (€)", "Real estate (€)", None)
    vehicles: Money | None = F("Οχήματα (€)", "Vehicles (€)", None)
    deposits: Money | None = F("Καταθέσεις (€)", "Deposits (€)", None)
    submitted_on: date | None = F("Ημερομηνία υποβολής", "Submitted on", None)
    outcome: Literal["pending", "approved", "rejected", "withdrawn"] | None = F(
        "Έκβαση",
        "Outcome",
        None,
        options_el={
            "pending": "Εκκρεμεί",
            "approved": "Εγκρίθηκε",
            "rejected": "Απορρίφθηκε",
            "withdrawn": "Αποσύρθηκε",
        },
        options_en={
            "pending": "Pending",
            "approved": "Approved",
            "rejected": "Rejected",
            "withdrawn": "Withdrawn",
        },
    )
    outcome_on: date | None = F("Ημερομηνία έκβασης", "Outcome date", None)
    notes: str | None = F("Σημειώσεις", "Notes", None, max_length=5000, widget="textarea")

    @field_validator("outcome_on")
    @classmethod
    def _after(cls, value: date | None, info: Any) -> date | None:
        submitted = info.data.get("submitted_on")
        if value is not None and submitted is not None and value < submitted:
            raise invalid("roma_branch_date_before", other="submitted_on")
        return value


class EstimateIn(HouseholdIn, Incomes):
    """A what-if minimum-income estimate (nothing is stored)."""

    adults: int = F("Ενήλικες", "Adults", ge=0, le=20)  # type: ignore[assignment]
    minors: int = F("Ανήλικοι", "Minors", 0, ge=0, le=20)  # type: ignore[assignment]
    single_parent: bool = F("Μονογονεϊκή οικογένεια", "Single-parent household", False)  # type: ignore[assignment]


class ChecklistItemUpdate(Strict):
    received: bool | None = F("Παραλήφθηκε", "Received", None)
    received_on: date | None = F("Ημερομηνία παραλαβής", "Received on", None)
    document_id: UUID | None = F("Έγγραφο", "Document", None)
    issue_date: date | None = F("Ημερομηνία έκδοσης", "Issue date", None)
    expiry_date: date | None = F("Ημερομηνία λήξης", "Expiry date", None)

    @field_validator("expiry_date")
    @classmethod
    def _expiry(cls, value: date | None, info: Any) -> date | None:
        issued = info.data.get("issue_date")
        if value is not None and issued is not None and value < issued:
            raise invalid("roma_branch_expiry_before_issue")
        return value


# -- job bank -----------------------------------------------------------------------------------

EDU_EL = {
    "none": "Χωρίς ολοκληρωμένη εκπαίδευση",
    "isced_1_2": "Πρωτοβάθμια / γυμνάσιο (ISCED 1–2)",
    "isced_3_4": "Λύκειο / μεταδευτεροβάθμια (ISCED 3–4)",
    "isced_5_8": "Τριτοβάθμια (ISCED 5–8)",
}
EDU_EN = {
    "none": "No completed education",
    "isced_1_2": "Primary / lower secondary (ISCED 1–2)",
    "isced_3_4": "Upper / post-secondary (ISCED 3–4)",
    "isced_5_8": "Tertiary (ISCED 5–8)",
}
AVAIL_EL = {
    "full_time": "Πλήρης",
    "part_time": "Μερική",
    "seasonal": "Εποχική",
    "any": "Οποιαδήποτε",
}
AVAIL_EN = {
    "full_time": "Full time",
    "part_time": "Part time",
    "seasonal": "Seasonal",
    "any": "Any",
}


STEP_EL = {
    "proposed": "Πρόταση",
    "cv_sent": "Αποστολή βιογραφικού",
    "interview": "Συνέντευξη",
    "offer": "Πρόταση πρόσληψης",
    "hired": "Πρόσληψη",
    "rejected": "Απόρριψη",
    "withdrawn": "Απόσυρση",
}
STEP_EN = {
    "proposed": "Proposed",
    "cv_sent": "CV sent",
    "interview": "Interview",
    "offer": "Job offer",
    "hired": "Hired",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}


class JobSeekerIn(Strict):
    person_id: UUID = F("Ωφελούμενος", "Beneficiary")
    education: Education = F("Εκπαίδευση", "Education", options_el=EDU_EL, options_en=EDU_EN)
    skills: Words = F("Δεξιότητες", "Skills", default_factory=list)
    experience_years: int = F("Έτη εμπειρίας", "Years of experience", 0, ge=0, le=60)
    experience: str = F("Προϋπηρεσία", "Work history", "", max_length=5000, widget="textarea")
    licences: Words = F("Άδειες", "Licences", default_factory=list)
    languages: Words = F("Γλώσσες", "Languages", default_factory=list)
    availability: Availability = F(
        "Διαθεσιμότητα", "Availability", "any", options_el=AVAIL_EL, options_en=AVAIL_EN
    )
    registered_dypa: bool = F("Εγγεγραμμένος/η στη ΔΥΠΑ", "Registered with DYPA", False)


class JobSeekerUpdate(Strict):
    education: Education | None = F(
        "Εκπαίδευση", "Education", None, options_el=EDU_EL, options_en=EDU_EN
    )
    skills: Words | None = F("Δεξιότητες", "Skills", None)
    experience_years: int | None = F("Έτη εμπειρίας", "Years of experience", None, ge=0, le=60)
    experience: str | None = F(
        "Προϋπηρεσία", "Work history", None, max_length=5000, widget="textarea"
    )
    licences: Words | None = F("Άδειες", "Licences", None)
    languages: Words | None = F("Γλώσσες", "Languages", None)
    availability: Availability | None = F(
        "Διαθεσιμότητα", "Availability", None, options_el=AVAIL_EL, options_en=AVAIL_EN
    )
    registered_dypa: bool | None = F("Εγγεγραμμένος/η στη ΔΥΠΑ", "Registered with DYPA", None)
    active: bool | None = F("Ενεργό προφίλ", "Active profile", None)


def afm_valid(value: str) -> bool:
    """Greek tax number: 9 digits, mod-11 check digit, not all zeros (FACTS.md §1.2)."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    total = sum(int(d) << (8 - i) for i, d in enumerate(value[:8]))
    return total % 11 % 10 == int(value[8])


class EmployerIn(Strict):
    name: str = F("Επωνυμία", "Name", min_length=1, max_length=200)
    afm: str = F("ΑΦΜ", "Tax number (AFM)", "", max_length=9)
    sector: str = F("Κλάδος", "Sector", "", max_length=100)
    area: str = F("Περιοχή", "Area", "", max_length=100)
    contact_name: str = F("Υπεύθυνος επικοινωνίας", "Contact person", "", max_length=200)
    phone: str = F("Τηλέφωνο", "Phone", "", max_length=20, pattern=r"^[0-9 +()-]*$")
    email: str = F("Email", "Email", "", max_length=200)

    @field_validator("afm")
    @classmethod
    def _afm(cls, value: str) -> str:
        value = value.strip()
        if value and not afm_valid(value):
            raise invalid("roma_branch_invalid_afm")
        return value


class VacancyIn(Strict):
    employer_id: UUID = F("Εργοδότης", "Employer")
    title: str = F("Θέση", "Position", min_length=1, max_length=200)
    description: str = F("Περιγραφή", "Description", "", max_length=5000, widget="textarea")
    skills: Words = F("Απαιτούμενες δεξιότητες", "Required skills", default_factory=list)
    licences: Words = F("Απαιτούμενες άδειες", "Required licences", default_factory=list)
    min_education: Education = F(
        "Ελάχιστη εκπαίδευση", "Minimum education", "none", options_el=EDU_EL, options_en=EDU_EN
    )
    min_experience_years: int = F(
        "Ελάχιστη εμπειρία (έτη)", "Minimum experience (years)", 0, ge=0, le=40
    )
    availability: Availability = F(
        "Ωράριο", "Working time", "any", options_el=AVAIL_EL, options_en=AVAIL_EN
    )
    positions: int = F("Θέσεις", "Openings", 1, ge=1, le=500)
    posted_on: date | None = F("Ημερομηνία ανάρτησης", "Posted on", None)


class VacancyUpdate(Strict):
    status: Literal["open", "filled", "closed"] = F(
        "Κατάσταση",
        "Status",
        options_el={"open": "Ανοιχτή", "filled": "Καλύφθηκε", "closed": "Έκλεισε"},
        options_en={"open": "Open", "filled": "Filled", "closed": "Closed"},
    )


class MediationIn(Strict):
    seeker_id: UUID = F("Αναζητών/ούσα εργασία", "Job seeker")
    vacancy_id: UUID = F("Θέση", "Vacancy")
    step: Step = F("Βήμα", "Step", options_el=STEP_EL, options_en=STEP_EN)
    step_on: date = F("Ημερομηνία", "Date")
    notes: str = F("Σημειώσεις", "Notes", "", max_length=1000, widget="textarea")


class PlacementIn(Strict):
    seeker_id: UUID = F("Αναζητών/ούσα εργασία", "Job seeker")
    employer_id: UUID = F("Εργοδότης", "Employer")
    vacancy_id: UUID | None = F("Θέση", "Vacancy", None)
    start_date: date = F("Έναρξη εργασίας", "Start date")
    contract: Contract = F(
        "Σύμβαση",
        "Contract",
        "full_time",
        options_el={
            "full_time": "Πλήρης απασχόληση",
            "part_time": "Μερική απασχόληση",
            "seasonal": "Εποχική",
            "apprenticeship": "Μαθητεία",
        },
        options_en={
            "full_time": "Full time",
            "part_time": "Part time",
            "seasonal": "Seasonal",
            "apprenticeship": "Apprenticeship",
        },
    )


class FollowupIn(Strict):
    done_on: date = F("Ημερομηνία", "Date")
    still_employed: bool = F("Εργάζεται ακόμη", "Still employed")
    notes: str = F("Σημειώσεις", "Notes", "", max_length=1000, widget="textarea")


# -- school -------------------------------------------------------------------------------------

ENROL_EL = {
    "enrolled": "Εγγεγραμμένο",
    "not_enrolled": "Μη εγγεγραμμένο",
    "dropped_out": "Διέκοψε τη φοίτηση",
    "transferred": "Μετεγγραφή",
    "pending": "Εκκρεμεί εγγραφή",
}
ENROL_EN = {
    "enrolled": "Enrolled",
    "not_enrolled": "Not enrolled",
    "dropped_out": "Dropped out",
    "transferred": "Transferred",
    "pending": "Enrolment pending",
}


CONCERN_EL = {"none": "Καμία", "low": "Χαμηλή", "medium": "Μέτρια", "high": "Υψηλή"}
CONCERN_EN = {"none": "None", "low": "Low", "medium": "Medium", "high": "High"}
SCHOOL_ACTION_EL = {
    "home_visit": "Επίσκεψη στο σπίτι",
    "school_meeting": "Συνάντηση με το σχολείο",
    "parent_meeting": "Συνάντηση με γονείς",
    "enrolment_support": "Υποστήριξη εγγραφής",
    "tutoring": "Ενισχυτική διδασκαλία",
    "referral": "Παραπομπή",
    "other": "Άλλο",
}
SCHOOL_ACTION_EN = {
    "home_visit": "Home visit",
    "school_meeting": "Meeting with the school",
    "parent_meeting": "Meeting with the parents",
    "enrolment_support": "Enrolment support",
    "tutoring": "Tutoring",
    "referral": "Referral",
    "other": "Other",
}


def _school_year(value: str) -> str:
    first, _, second = value.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        raise invalid("roma_branch_school_year")
    return value


class SchoolRecordIn(Strict):
    child_id: UUID = F("Παιδί", "Child")
    guardian_id: UUID | None = F("Γονέας/κηδεμόνας", "Parent or guardian", None)
    school_year: str = F("Σχολικό έτος", "School year", pattern=r"^\d{4}-\d{4}$")
    school: str = F("Σχολείο", "School", "", max_length=200)
    grade: str = F("Τάξη", "Grade", "", max_length=40)
    enrolment_status: Enrolment = F(
        "Εγγραφή", "Enrolment", options_el=ENROL_EL, options_en=ENROL_EN
    )
    attendance_concern: Concern = F(
        "Ανησυχία για φοίτηση",
        "Attendance concern",
        "none",
        options_el=CONCERN_EL,
        options_en=CONCERN_EN,
    )
    absences: int = F("Απουσίες", "Absences", 0, ge=0, le=400)

    @field_validator("school_year")
    @classmethod
    def _year(cls, value: str) -> str:
        return _school_year(value)


class SchoolRecordUpdate(Strict):
    school: str | None = F("Σχολείο", "School", None, max_length=200)
    grade: str | None = F("Τάξη", "Grade", None, max_length=40)
    enrolment_status: Enrolment | None = F(
        "Εγγραφή", "Enrolment", None, options_el=ENROL_EL, options_en=ENROL_EN
    )
    attendance_concern: Concern | None = F(
        "Ανησυχία για φοίτηση",
        "Attendance concern",
        None,
        options_el=CONCERN_EL,
        options_en=CONCERN_EN,
    )
    absences: int | None = F("Απουσίες", "Absences", None, ge=0, le=400)


class SchoolActionIn(Strict):
    on: date = F("Ημερομηνία", "Date")
    action: SchoolAction = F(
        "Ενέργεια", "Action", options_el=SCHOOL_ACTION_EL, options_en=SCHOOL_ACTION_EN
    )
    notes: str = F(
        "Σημειώσεις",
        "Notes",
        "",
        max_length=1000,
        widget="textarea",
        help_el="Αποθηκεύεται κρυπτογραφημένο.",
        help_en="Stored encrypted.",
    )


# -- ESF participant records --------------------------------------------------------------------


class Esf2014(Strict):
    """Reg. (EU) 1304/2013 Annex I: the common output indicators of 2014–2020."""

    sex: Literal["female", "male"]
    age_band: Literal["under_25", "25_54", "over_54"] | None = None
    employment_status: Literal[
        "unemployed", "long_term_unemployed", "inactive", "inactive_not_in_education", "employed"
    ]
    education: Literal["isced_0", "isced_1_2", "isced_3_4", "isced_5_8"]
    migrant_minority: YesNoDeclined
    disability: YesNoDeclined
    other_disadvantaged: YesNoDeclined
    homeless: YesNoDeclined
    rural: YesNo


class Esf2021(Strict):
    """Reg. (EU) 2021/1057 Annex I: the common output indicators of 2021–2027 (ESF+)."""

    sex: Literal["female", "male", "non_binary"]
    age_band: Literal["under_18", "18_29", "30_54", "55_plus"] | None = None
    employment_status: Literal["unemployed", "long_term_unemployed", "inactive", "employed"]
    education: Literal["isced_0_2", "isced_3_4", "isced_5_8"]
    disability: YesNoDeclined
    third_country_national: YesNoDeclined
    foreign_background: YesNoDeclined
    minority: YesNoDeclined
    homeless: YesNoDeclined
    rural: YesNo


class Results(Strict):
    """Immediate result indicators, on the exit record."""

    job_searching: YesNo
    in_education: YesNo
    qualification: YesNo
    in_employment: YesNo


class Esf2014Exit(Esf2014, Results):
    pass


class Esf2021Exit(Esf2021, Results):
    pass


ESF_MODELS: dict[tuple[str, str], type[BaseModel]] = {
    ("2014_2020", "entry"): Esf2014,
    ("2014_2020", "exit"): Esf2014Exit,
    ("2021_2027", "entry"): Esf2021,
    ("2021_2027", "exit"): Esf2021Exit,
}


class EsfRecordIn(Strict):
    person_id: UUID
    kind: Literal["entry", "exit"]
    recorded_on: date
    period: EsfPeriod | None = Field(
        default=None, description="Default: the programming period in the module's settings."
    )
    fields: dict[str, Any] = Field(
        description="Exactly the indicator fields of the period (and kind): see Esf2014, "
        "Esf2021; `age_band` is derived from the birth date when omitted."
    )
