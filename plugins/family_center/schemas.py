"""Request models of the Family Support Centre: the API bodies, the web forms and the OpenAPI.

Every model forbids unknown fields; labels and option names in Greek and English come from
`json_schema_extra`, so the shared form renderer shows them. Cross-field checks raise
`invalid(code)` so the 422 names the field with a stable code and a translated message.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.api import invalid, local_today
from plugins.family_center.settings import SessionType

Problem = Literal[
    "family_conflict",
    "parenting",
    "divorce",
    "grief",
    "school",
    "adolescence",
    "domestic_violence",
    "mental_health",
]
PROBLEMS_EL = {
    "family_conflict": "Οικογενειακές συγκρούσεις",
    "parenting": "Γονεϊκότητα",
    "divorce": "Διαζύγιο / χωρισμός",
    "grief": "Πένθος",
    "school": "Σχολικές δυσκολίες",
    "adolescence": "Εφηβεία",
    "domestic_violence": "Ενδοοικογενειακή βία",
    "mental_health": "Ανησυχία ψυχικής υγείας",
}
PROBLEMS_EN = {
    "family_conflict": "Family conflict",
    "parenting": "Parenting",
    "divorce": "Divorce / separation",
    "grief": "Grief",
    "school": "School difficulties",
    "adolescence": "Adolescence",
    "domestic_violence": "Domestic violence",
    "mental_health": "Mental-health concern",
}
Source = Literal[
    "self", "school", "social_service", "health_service", "prosecutor", "police", "ngo", "other"
]
SOURCES_EL = {
    "self": "Αυτοπροσέλευση",
    "school": "Σχολείο",
    "social_service": "Κοινωνική υπηρεσία / Κέντρο Κοινότητας",
    "health_service": "Υπηρεσία υγείας",
    "prosecutor": "Εισαγγελία",
    "police": "Αστυνομία",
    "ngo": "Οργάνωση (ΜΚΟ)",
    "other": "Άλλο",
}
SOURCES_EN = {
    "self": "Self-referred",
    "school": "School",
    "social_service": "Social service / Community Centre",
    "health_service": "Health service",
    "prosecutor": "Prosecutor",
    "police": "Police",
    "ngo": "NGO",
    "other": "Other",
}
SESSION_TYPES_EL = {
    "individual": "Ατομική",
    "couple": "Ζεύγους",
    "parent_child": "Γονέα - παιδιού",
    "family": "Οικογενειακή",
    "divorce": "Διαχείριση διαζυγίου",
    "grief": "Διαχείριση πένθους",
}
SESSION_TYPES_EN = {
    "individual": "Individual",
    "couple": "Couple",
    "parent_child": "Parent-child",
    "family": "Family",
    "divorce": "Divorce management",
    "grief": "Grief",
}
Mode = Literal["in_person", "phone", "video"]
MODES_EL = {"in_person": "Δια ζώσης", "phone": "Τηλεφωνικά", "video": "Τηλεδιάσκεψη"}
MODES_EN = {"in_person": "In person", "phone": "By phone", "video": "By video"}
ProgrammeKind = Literal[
    "parents_group", "teens_group", "parents_school", "school_seminar", "school_workshop"
]
PROGRAMME_KINDS_EL = {
    "parents_group": "Ομάδα αυτογνωσίας γονέων",
    "teens_group": "Ομάδα αυτογνωσίας εφήβων",
    "parents_school": "Σχολή γονέων",
    "school_seminar": "Ομιλία / σεμινάριο σε σχολείο",
    "school_workshop": "Βιωματικό εργαστήριο σε σχολείο",
}
PROGRAMME_KINDS_EN = {
    "parents_group": "Parents' self-awareness group",
    "teens_group": "Teenagers' self-awareness group",
    "parents_school": "Parents' school",
    "school_seminar": "Talk / seminar at a school",
    "school_workshop": "Experiential workshop at a school",
}
SCHOOL_KINDS = ("school_seminar", "school_workshop")
Allegation = Literal["abuse", "neglect", "other"]
ALLEGATIONS_EL = {"abuse": "Κακοποίηση", "neglect": "Παραμέληση", "other": "Άλλο"}
ALLEGATIONS_EN = {"abuse": "Abuse", "neglect": "Neglect", "other": "Other"}
Priority = Literal["normal", "urgent"]
PRIORITIES_EL = {"normal": "Κανονική", "urgent": "Επείγουσα"}
PRIORITIES_EN = {"normal": "Normal", "urgent": "Urgent"}


def _x(el: str, en: str, **more: Any) -> dict[str, Any]:
    return {"label_el": el, "label_en": en, **more}


def _opts(el: dict[str, str], en: dict[str, str]) -> dict[str, Any]:
    return {"options_el": el, "options_en": en}


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _not_future(value: date | None) -> date | None:
    """A validator has no tenant at hand: `local_today()` is the Greek date (Europe/Athens),
    not the server's, so an entry made just after midnight in Athens is not "in the future"."""
    if value is not None and value > local_today():
        raise invalid("date_in_future")
    return value


def _not_before(value: date | None, first: date | None, code: str) -> date | None:
    if value is not None and first is not None and value < first:
        raise invalid(code)
    return value


def _unique(values: list[UUID]) -> list[UUID]:
    out: list[UUID] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


# -- cases, consent, sessions, notes -------------------------------------------------------


class CaseCreate(Form):
    person_id: UUID = Field(json_schema_extra=_x("Ωφελούμενος", "Client"))
    problems: list[Problem] = Field(
        min_length=1,
        json_schema_extra=_x(
            "Αιτήματα / προβλήματα", "Presenting problems", **_opts(PROBLEMS_EL, PROBLEMS_EN)
        ),
    )
    referral_source: Source = Field(
        json_schema_extra=_x("Παραπομπή από", "Referral source", **_opts(SOURCES_EL, SOURCES_EN))
    )
    family_member_ids: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        json_schema_extra=_x("Μέλη οικογένειας που εμπλέκονται", "Family members involved"),
    )
    opened_on: date | None = Field(
        default=None, json_schema_extra=_x("Ημερομηνία έναρξης", "Opened on")
    )
    referral_id: UUID | None = Field(
        default=None,
        json_schema_extra=_x(
            "Εισερχόμενη παραπομπή (κωδικός)",
            "Incoming referral (id)",
            widget="hidden",
        ),
    )

    @field_validator("problems")
    @classmethod
    def _problems(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("family_member_ids")
    @classmethod
    def _members(cls, value: list[UUID]) -> list[UUID]:
        return _unique(value)

    @field_validator("opened_on")
    @classmethod
    def _opened(cls, value: date | None) -> date | None:
        return _not_future(value)


class CaseClose(Form):
    closed_on: date | None = Field(default=None, json_schema_extra=_x("Λήξη", "Closed on"))


class ConsentCreate(Form):
    minor_id: UUID = Field(json_schema_extra=_x("Ανήλικος", "Minor"))
    kind: Literal["consent", "exception"] = Field(
        json_schema_extra=_x(
            "Είδος",
            "Kind",
            options_el={"consent": "Συναίνεση κηδεμόνα", "exception": "Επιτρεπόμενη εξαίρεση"},
            options_en={"consent": "Guardian's consent", "exception": "Permitted exception"},
        )
    )
    guardian_id: UUID | None = Field(
        default=None,
        validate_default=True,
        json_schema_extra=_x(
            "Κηδεμόνας",
            "Guardian",
            help_el="Για συναίνεση: ο γονέας ή κηδεμόνας που συναινεί.",
            help_en="For a consent: the parent or guardian who consents.",
        ),
    )
    exception_code: Literal["prosecutor_order", "court_order", "imminent_risk"] | None = Field(
        default=None,
        validate_default=True,
        json_schema_extra=_x(
            "Λόγος εξαίρεσης",
            "Exception",
            options_el={
                "prosecutor_order": "Εισαγγελική παραγγελία",
                "court_order": "Δικαστική απόφαση",
                "imminent_risk": "Άμεσος κίνδυνος για τον ανήλικο",
            },
            options_en={
                "prosecutor_order": "Prosecutor's order",
                "court_order": "Court order",
                "imminent_risk": "Imminent risk to the minor",
            },
        ),
    )
    note: Annotated[str, Field(max_length=2000)] = Field(
        default="",
        json_schema_extra=_x("Σημείωση (κρυπτογραφείται)", "Note (encrypted)", widget="textarea"),
    )
    recorded_on: date | None = Field(default=None, json_schema_extra=_x("Ημερομηνία", "Date"))

    @field_validator("guardian_id")
    @classmethod
    def _guardian(cls, value: UUID | None, info: ValidationInfo) -> UUID | None:
        if info.data.get("kind") == "consent" and value is None:
            raise invalid("guardian_required")
        return value

    @field_validator("exception_code")
    @classmethod
    def _exception(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == "exception" and value is None:
            raise invalid("exception_required")
        if kind == "consent" and value is not None:
            raise invalid("exception_only_for_exception")
        return value

    @field_validator("recorded_on")
    @classmethod
    def _recorded(cls, value: date | None) -> date | None:
        return _not_future(value)


class SessionCreate(Form):
    session_type: SessionType = Field(
        json_schema_extra=_x(
            "Είδος συνεδρίας", "Session type", **_opts(SESSION_TYPES_EL, SESSION_TYPES_EN)
        )
    )
    mode: Mode = Field(
        default="in_person", json_schema_extra=_x("Τρόπος", "Mode", **_opts(MODES_EL, MODES_EN))
    )
    held_at: AwareDatetime = Field(json_schema_extra=_x("Ημερομηνία και ώρα", "Date and time"))
    duration_minutes: int = Field(
        default=50, ge=5, le=480, json_schema_extra=_x("Διάρκεια (λεπτά)", "Duration (minutes)")
    )
    participant_ids: list[UUID] = Field(
        min_length=1,
        max_length=20,
        json_schema_extra=_x("Συμμετέχοντες", "Participants"),
    )
    book: bool = Field(
        default=False,
        json_schema_extra=_x(
            "Κράτηση στο ημερολόγιο",
            "Book in the calendar",
            help_el="Κλείνει ραντεβού με τον/την σύμβουλο στο κοινό ημερολόγιο.",
            help_en="Books an appointment with you in the shared calendar.",
        ),
    )

    @field_validator("participant_ids")
    @classmethod
    def _participants(cls, value: list[UUID]) -> list[UUID]:
        return _unique(value)


class NoteCreate(Form):
    body: Annotated[str, Field(min_length=1, max_length=20_000)] = Field(
        json_schema_extra=_x("Κλινική σημείωση", "Clinical note", widget="textarea", rows="8")
    )
    readers: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        json_schema_extra=_x(
            "Συνάδελφοι με πρόσβαση",
            "Colleagues who may read",
            help_el="Μόνο εσείς και όσοι ορίσετε εδώ βλέπουν τη σημείωση.",
            help_en="Only you and the colleagues named here can see the note.",
        ),
    )


class NoteUpdate(Form):
    body: Annotated[str, Field(min_length=1, max_length=20_000)] | None = Field(
        default=None,
        json_schema_extra=_x("Κλινική σημείωση", "Clinical note", widget="textarea", rows="10"),
    )
    readers: list[UUID] | None = Field(
        default=None,
        max_length=20,
        json_schema_extra=_x("Συνάδελφοι με πρόσβαση", "Colleagues who may read"),
    )


class ReviewCreate(Form):
    reviewed_on: date | None = Field(
        default=None, json_schema_extra=_x("Ημερομηνία εποπτείας", "Review date")
    )


class ReferralForm(Form):
    """A referral out of the centre (public mental-health services, psychiatric care, other
    municipal structures), opened through the core referrals API."""

    kind: Literal["internal", "external"] = Field(
        default="external",
        json_schema_extra=_x(
            "Είδος",
            "Kind",
            options_el={"internal": "Δομή του Δήμου", "external": "Εξωτερικός φορέας"},
            options_en={"internal": "Municipal structure", "external": "Outside agency"},
        ),
    )
    agency_type: (
        Literal["mental_health_service", "hospital", "other_municipality", "other"] | None
    ) = Field(
        default=None,
        json_schema_extra=_x(
            "Φορέας",
            "Agency",
            options_el={
                "mental_health_service": "Δημόσια υπηρεσία ψυχικής υγείας",
                "hospital": "Ψυχιατρική φροντίδα / νοσοκομείο",
                "other_municipality": "Άλλος Δήμος",
                "other": "Άλλο",
            },
            options_en={
                "mental_health_service": "Public mental-health service",
                "hospital": "Psychiatric care / hospital",
                "other_municipality": "Another municipality",
                "other": "Other",
            },
        ),
    )
    agency_name: Annotated[str, Field(max_length=300)] = Field(
        default="", json_schema_extra=_x("Όνομα φορέα", "Agency name")
    )
    target_module: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, json_schema_extra=_x("Ενότητα του Δήμου", "Municipal module")
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        json_schema_extra=_x("Λόγος παραπομπής", "Reason", widget="textarea")
    )
    urgency: Literal["normal", "urgent"] = Field(
        default="normal",
        json_schema_extra=_x("Προτεραιότητα", "Urgency", **_opts(PRIORITIES_EL, PRIORITIES_EN)),
    )
    legal_basis: Literal["consent", "legal_obligation", "vital_interest"] = Field(
        default="consent",
        json_schema_extra=_x(
            "Νομική βάση",
            "Legal basis",
            options_el={
                "consent": "Συναίνεση του προσώπου",
                "legal_obligation": "Νομική υποχρέωση",
                "vital_interest": "Ζωτικό συμφέρον",
            },
            options_en={
                "consent": "The person's consent",
                "legal_obligation": "Legal obligation",
                "vital_interest": "Vital interest",
            },
        ),
    )
    consent_id: UUID | None = Field(
        default=None,
        json_schema_extra=_x(
            "Συναίνεση (κωδικός)",
            "Consent (id)",
            widget="hidden",
            help_en="Empty: the person's consent in force for referrals.",
        ),
    )
    status: Literal["draft", "sent"] = Field(
        default="sent",
        json_schema_extra=_x(
            "Αποστολή",
            "Send",
            options_el={"draft": "Πρόχειρο", "sent": "Αποστολή τώρα"},
            options_en={"draft": "Draft", "sent": "Send now"},
        ),
    )


# -- groups, workshops, helpers -----------------------------------------------------------


class ProgrammeCreate(Form):
    kind: ProgrammeKind = Field(
        json_schema_extra=_x("Είδος", "Kind", **_opts(PROGRAMME_KINDS_EL, PROGRAMME_KINDS_EN))
    )
    title: Annotated[str, Field(min_length=2, max_length=200)] = Field(
        json_schema_extra=_x("Τίτλος", "Title")
    )
    partner: Annotated[str, Field(max_length=200)] = Field(
        default="",
        validate_default=True,
        json_schema_extra=_x("Συνεργαζόμενο σχολείο / φορέας", "Partner school / organisation"),
    )
    starts_on: date = Field(json_schema_extra=_x("Έναρξη", "Starts on"))
    ends_on: date | None = Field(default=None, json_schema_extra=_x("Λήξη", "Ends on"))
    facilitators: list[UUID] = Field(
        default_factory=list,
        max_length=10,
        json_schema_extra=_x("Συντονιστές / συντονίστριες", "Facilitators"),
    )
    enrolled_ids: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        json_schema_extra=_x("Εγγεγραμμένοι", "Enrolled"),
    )

    @field_validator("partner")
    @classmethod
    def _partner(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") in SCHOOL_KINDS and not value:
            raise invalid("partner_required")
        return value

    @field_validator("ends_on")
    @classmethod
    def _ends(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info.data.get("starts_on"), "end_before_start")

    @field_validator("facilitators", "enrolled_ids")
    @classmethod
    def _ids(cls, value: list[UUID]) -> list[UUID]:
        return _unique(value)


class EnrolmentCreate(Form):
    person_ids: list[UUID] = Field(
        min_length=1, max_length=200, json_schema_extra=_x("Πρόσωπα για εγγραφή", "People to enrol")
    )


class MeetingCreate(Form):
    held_on: date = Field(json_schema_extra=_x("Ημερομηνία", "Date"))
    topic: Annotated[str, Field(max_length=200)] = Field(
        default="", json_schema_extra=_x("Θέμα", "Topic")
    )
    pupils: int = Field(default=0, ge=0, le=5000, json_schema_extra=_x("Μαθητές", "Pupils"))
    parents: int = Field(default=0, ge=0, le=5000, json_schema_extra=_x("Γονείς", "Parents"))
    teachers: int = Field(
        default=0, ge=0, le=1000, json_schema_extra=_x("Εκπαιδευτικοί", "Teachers")
    )
    present_ids: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        json_schema_extra=_x("Παρόντες", "Present"),
    )


class HelperCreate(Form):
    kind: Literal["volunteer", "trainee"] = Field(
        json_schema_extra=_x(
            "Είδος",
            "Kind",
            options_el={"volunteer": "Εθελοντής επαγγελματίας", "trainee": "Ασκούμενος φοιτητής"},
            options_en={"volunteer": "Volunteer professional", "trainee": "Trainee student"},
        )
    )
    full_name: Annotated[str, Field(min_length=2, max_length=200)] = Field(
        json_schema_extra=_x("Ονοματεπώνυμο", "Full name")
    )
    institution: Annotated[str, Field(max_length=200)] = Field(
        default="", json_schema_extra=_x("Ίδρυμα / φορέας", "Institution")
    )
    starts_on: date = Field(json_schema_extra=_x("Έναρξη", "Starts on"))
    ends_on: date | None = Field(default=None, json_schema_extra=_x("Λήξη", "Ends on"))

    @field_validator("ends_on")
    @classmethod
    def _ends(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info.data.get("starts_on"), "end_before_start")


class SupervisionCreate(Form):
    supervised_on: date = Field(json_schema_extra=_x("Ημερομηνία", "Date"))
    hours: float = Field(gt=0, le=12, json_schema_extra=_x("Ώρες εποπτείας", "Hours"))
    topic: Annotated[str, Field(max_length=200)] = Field(
        default="", json_schema_extra=_x("Θέμα", "Topic")
    )


# -- child protection -----------------------------------------------------------------------


class InvestigationCreate(Form):
    order_protocol: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        json_schema_extra=_x("Αρ. πρωτ. εισαγγελικής παραγγελίας", "Order's protocol number")
    )
    our_protocol: Annotated[str, Field(max_length=64)] = Field(
        default="", json_schema_extra=_x("Αρ. πρωτ. Δήμου", "Municipality's protocol number")
    )
    prosecutor_office: Annotated[str, Field(min_length=2, max_length=200)] = Field(
        json_schema_extra=_x("Εισαγγελία", "Prosecutor's office")
    )
    received_on: date = Field(json_schema_extra=_x("Ημερομηνία παραλαβής", "Received on"))
    deadline: date | None = Field(
        default=None,
        json_schema_extra=_x(
            "Προθεσμία",
            "Deadline",
            help_el="Κενό: η προεπιλεγμένη προθεσμία των ρυθμίσεων.",
            help_en="Empty: the default deadline of the settings.",
        ),
    )
    priority: Priority = Field(
        default="normal",
        json_schema_extra=_x("Προτεραιότητα", "Priority", **_opts(PRIORITIES_EL, PRIORITIES_EN)),
    )
    allegation: Allegation = Field(
        json_schema_extra=_x("Καταγγελία", "Allegation", **_opts(ALLEGATIONS_EL, ALLEGATIONS_EN))
    )
    children_ids: list[UUID] = Field(
        min_length=1, max_length=20, json_schema_extra=_x("Ανήλικοι", "Children")
    )
    adult_ids: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        json_schema_extra=_x("Ενήλικες", "Adults"),
    )
    assigned: list[UUID] = Field(
        min_length=1,
        max_length=10,
        json_schema_extra=_x("Χρεώνεται σε", "Assigned to"),
    )

    @field_validator("received_on")
    @classmethod
    def _received(cls, value: date) -> date:
        return _not_future(value)  # type: ignore[return-value]

    @field_validator("deadline")
    @classmethod
    def _deadline(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info.data.get("received_on"), "deadline_before_receipt")

    @field_validator("children_ids", "assigned")
    @classmethod
    def _ids(cls, value: list[UUID]) -> list[UUID]:
        return _unique(value)

    @field_validator("adult_ids")
    @classmethod
    def _adults(cls, value: list[UUID], info: ValidationInfo) -> list[UUID]:
        if set(value) & set(info.data.get("children_ids") or ()):
            raise invalid("child_and_adult")
        return _unique(value)


class InvestigationUpdate(Form):
    status: Literal["open", "closed"] | None = Field(
        default=None,
        json_schema_extra=_x(
            "Κατάσταση",
            "Status",
            options_el={"open": "Ανοιχτή", "closed": "Κλειστή (αρχειοθέτηση)"},
            options_en={"open": "Open", "closed": "Closed (filed)"},
        ),
    )
    assigned: list[UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        json_schema_extra=_x("Χρεώνεται σε", "Assigned to"),
    )
    deadline: date | None = Field(default=None, json_schema_extra=_x("Προθεσμία", "Deadline"))
    priority: Priority | None = Field(
        default=None,
        json_schema_extra=_x("Προτεραιότητα", "Priority", **_opts(PRIORITIES_EL, PRIORITIES_EN)),
    )


class VisitCreate(Form):
    kind: Literal["home_visit", "interview"] = Field(
        json_schema_extra=_x(
            "Είδος",
            "Kind",
            options_el={"home_visit": "Κατ' οίκον επίσκεψη", "interview": "Συνέντευξη"},
            options_en={"home_visit": "Home visit", "interview": "Interview"},
        )
    )
    start: AwareDatetime = Field(json_schema_extra=_x("Έναρξη", "Start"))
    end: AwareDatetime | None = Field(default=None, json_schema_extra=_x("Λήξη", "End"))
    staff_ids: list[UUID] = Field(
        min_length=1, max_length=5, json_schema_extra=_x("Στελέχη", "Staff")
    )
    person_ids: list[UUID] = Field(
        min_length=1,
        max_length=10,
        json_schema_extra=_x("Πρόσωπα", "People"),
    )
    location_text: Annotated[str, Field(max_length=500)] = Field(
        default="", json_schema_extra=_x("Τόπος", "Place")
    )


class ReportDraft(Form):
    body: Annotated[str, Field(min_length=1, max_length=60_000)] = Field(
        json_schema_extra=_x(
            "Έκθεση κοινωνικής έρευνας",
            "Social-investigation report",
            widget="textarea",
            rows="24",
        )
    )


class DispatchCreate(Form):
    sent_on: date = Field(json_schema_extra=_x("Ημερομηνία αποστολής", "Sent on"))
    recipient: Annotated[str, Field(min_length=2, max_length=200)] = Field(
        json_schema_extra=_x("Παραλήπτης", "Recipient")
    )
    protocol: Annotated[str, Field(max_length=64)] = Field(
        default="", json_schema_extra=_x("Αρ. πρωτ. διαβιβαστικού", "Outgoing protocol number")
    )
    method: Literal["e_filing", "email", "courier", "by_hand"] = Field(
        json_schema_extra=_x(
            "Τρόπος",
            "Method",
            options_el={
                "e_filing": "Ηλεκτρονική κατάθεση",
                "email": "Email",
                "courier": "Ταχυμεταφορά",
                "by_hand": "Αυτοπροσώπως",
            },
            options_en={
                "e_filing": "E-filing",
                "email": "Email",
                "courier": "Courier",
                "by_hand": "By hand",
            },
        )
    )
    what: Literal["report", "interim", "other"] = Field(
        default="report",
        json_schema_extra=_x(
            "Τι στάλθηκε",
            "What was sent",
            options_el={"report": "Έκθεση", "interim": "Ενδιάμεση ενημέρωση", "other": "Άλλο"},
            options_en={"report": "Report", "interim": "Interim update", "other": "Other"},
        ),
    )

    @field_validator("sent_on")
    @classmethod
    def _sent(cls, value: date) -> date:
        return _not_future(value)  # type: ignore[return-value]


FORMS: dict[str, tuple[type[BaseModel], int, str, str]] = {
    "case": (CaseCreate, 1, "Νέο περιστατικό", "New case"),
    "consent": (ConsentCreate, 1, "Συναίνεση κηδεμόνα", "Guardian's consent"),
    "session": (SessionCreate, 1, "Συνεδρία", "Session"),
    "note": (NoteCreate, 1, "Κλινική σημείωση", "Clinical note"),
    "referral": (ReferralForm, 1, "Παραπομπή", "Referral"),
    "programme": (ProgrammeCreate, 1, "Πρόγραμμα", "Programme"),
    "meeting": (MeetingCreate, 1, "Συνάντηση προγράμματος", "Programme meeting"),
    "helper": (HelperCreate, 1, "Εθελοντής / ασκούμενος", "Volunteer / trainee"),
    "supervision": (SupervisionCreate, 1, "Εποπτεία", "Supervision"),
    "investigation": (InvestigationCreate, 1, "Εισαγγελική παραγγελία", "Prosecutor order"),
    "visit": (VisitCreate, 1, "Επίσκεψη / συνέντευξη", "Visit / interview"),
    "dispatch": (DispatchCreate, 1, "Διαβιβαστικό", "Dispatch"),
}
