"""Forms of Help at Home: pydantic models with Greek and English labels and help texts.

The same model validates the API, documents the OpenAPI schema and will render the web form.
Every submission is stored with its form's name and version (`FORMS`), so old answers stay
readable after a form changes: bump `version` whenever a form's fields change meaning.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from core.api import invalid, local_today
from plugins.help_at_home import rules

SERVICES = ("nursing_visit", "home_help", "psychosocial_support", "accompaniment")
Service = Literal["nursing_visit", "home_help", "psychosocial_support", "accompaniment"]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
Text500 = Annotated[str, Field(max_length=500)]
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def labelled(
    default: Any = ...,
    *,
    el: str,
    en: str,
    help_el: str = "",
    help_en: str = "",
    options: dict[str, tuple[str, str]] | None = None,
    **kwargs: Any,
) -> Any:
    """A form field with its Greek and English label and help text, and for a choice the
    Greek and English title of each option (`{value: (el, en)}`), which the web form shows."""
    extra: dict[str, Any] = {"label_el": el, "label_en": en, "help_el": help_el, "help_en": help_en}
    if options:
        extra["options_el"] = {k: v[0] for k, v in options.items()}
        extra["options_en"] = {k: v[1] for k, v in options.items()}
    return Field(default, title=en, description=help_en or en, json_schema_extra=extra, **kwargs)


SERVICE_TITLES = {
    "nursing_visit": ("Νοσηλευτική φροντίδα", "Nursing care"),
    "home_help": ("Οικογενειακή βοήθεια", "Home help"),
    "psychosocial_support": ("Ψυχοκοινωνική υποστήριξη", "Psychosocial support"),
    "accompaniment": ("Συνοδεία και εξωτερικές εργασίες", "Accompaniment and errands"),
}
WEEKDAY_TITLES = {
    "MO": ("Δευτέρα", "Monday"),
    "TU": ("Τρίτη", "Tuesday"),
    "WE": ("Τετάρτη", "Wednesday"),
    "TH": ("Πέμπτη", "Thursday"),
    "FR": ("Παρασκευή", "Friday"),
    "SA": ("Σάββατο", "Saturday"),
    "SU": ("Κυριακή", "Sunday"),
}


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _not_future(value: date | None) -> date | None:
    """A validator has no tenant: "today" is the Greek date, never the server's."""
    if value is not None and value > local_today():
        raise invalid("help_at_home.date_in_future")
    return value


FAMILY_SUPPORT = {
    "none": ("Καμία", "None"),
    "partial": ("Μερική", "Partial"),
    "full": ("Πλήρης", "Full"),
}


# -- application / referral -----------------------------------------------------------------


class ApplicationForm(Form):
    """Application or referral to the programme (αίτηση / παραπομπή)."""

    person_id: UUID = labelled(el="Ωφελούμενος", en="Beneficiary")
    received_on: date | None = labelled(
        None, el="Ημερομηνία παραλαβής", en="Received on", help_en="Default: today."
    )
    referral_source: Literal["self", "family", "hospital", "social_service", "doctor", "other"] = (
        labelled(
            "self",
            el="Προέλευση αιτήματος",
            en="Referred by",
            options={
                "self": ("Ο/η ίδιος/α", "Self"),
                "family": ("Οικογένεια", "Family"),
                "hospital": ("Νοσοκομείο", "Hospital"),
                "social_service": ("Κοινωνική υπηρεσία", "Social service"),
                "doctor": ("Ιατρός", "Doctor"),
                "other": ("Άλλο", "Other"),
            },
        )
    )
    living_situation: Literal["alone", "with_spouse", "with_family", "with_others"] = labelled(
        options={
            "alone": ("Μόνος/η", "Alone"),
            "with_spouse": ("Με σύζυγο", "With a spouse"),
            "with_family": ("Με οικογένεια", "With family"),
            "with_others": ("Με άλλους", "With others"),
        },
        el="Συνθήκες διαβίωσης",
        en="Living situation",
        help_el="Μένει μόνος/η, με σύζυγο, με οικογένεια ή με άλλους.",
        help_en="Lives alone, with a spouse, with family or with others.",
    )
    family_support: Literal["none", "partial", "full"] = labelled(
        options=FAMILY_SUPPORT,
        el="Οικογενειακή υποστήριξη",
        en="Family support",
        help_el="Καμία, μερική ή πλήρης φροντίδα από την οικογένεια.",
        help_en="No, partial or full care from the family.",
    )
    annual_income: Decimal | None = labelled(
        None,
        el="Ετήσιο εισόδημα (€)",
        en="Annual income (EUR)",
        help_el="Από το εκκαθαριστικό του προηγούμενου έτους ή υπεύθυνη δήλωση.",
        help_en="From last year's tax assessment or a sworn statement.",
        ge=0,
        le=10_000_000,
        decimal_places=2,
    )
    disability_percent: int | None = labelled(
        None,
        el="Ποσοστό αναπηρίας (%)",
        en="Disability percentage",
        help_el="Από απόφαση ΚΕΠΑ.",
        help_en="From the KEPA disability decision.",
        ge=0,
        le=100,
    )
    mobility_problems: bool = labelled(False, el="Κινητικά προβλήματα", en="Mobility problems")
    health_conditions: Annotated[str, Field(max_length=5000)] = labelled(
        "",
        el="Προβλήματα υγείας",
        en="Health conditions",
        help_el="Αποθηκεύεται κρυπτογραφημένο.",
        help_en="Stored encrypted.",
    )
    doctor_name: Text500 = labelled("", el="Θεράπων ιατρός", en="Doctor")
    doctor_phone: Annotated[str, Field(max_length=20)] = labelled(
        "", el="Τηλέφωνο ιατρού", en="Doctor's phone"
    )
    emergency_contact_name: Text500 = labelled(
        "", el="Πρόσωπο επικοινωνίας έκτακτης ανάγκης", en="Emergency contact"
    )
    emergency_contact_phone: Annotated[str, Field(max_length=20)] = labelled(
        "", el="Τηλέφωνο έκτακτης ανάγκης", en="Emergency contact phone"
    )
    emergency_contact_relation: Annotated[str, Field(max_length=100)] = labelled(
        "", el="Σχέση", en="Relation"
    )
    notes: Annotated[str, Field(max_length=5000)] = labelled("", el="Σημειώσεις", en="Notes")

    @field_validator("received_on")
    @classmethod
    def _received_on_not_future(cls, value: date | None) -> date | None:
        return _not_future(value)

    @field_validator("doctor_phone", "emergency_contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not re.fullmatch(r"\+?[0-9 ]{7,20}", value):
            raise invalid("invalid_phone")
        return value.replace(" ", "")


class ApplicationStatusForm(Form):
    status: Literal["waiting", "admitted", "rejected", "withdrawn"] = labelled(
        el="Απόφαση",
        en="Decision",
        options={
            "admitted": ("Ένταξη στο πρόγραμμα", "Admit to the programme"),
            "waiting": ("Λίστα αναμονής", "Waiting list"),
            "rejected": ("Απόρριψη", "Reject"),
            "withdrawn": ("Απόσυρση από τον/την αιτούντα/ούσα", "Withdrawn by the applicant"),
        },
    )
    reason: Text500 = labelled(
        "",
        el="Αιτιολογία",
        en="Reason",
        help_el="Υποχρεωτική για απόρριψη ή απόσυρση.",
        help_en="Required to reject or withdraw.",
    )


# -- assessments ------------------------------------------------------------------------------


def _katz(el: str, en: str) -> Any:
    return labelled(
        el=el,
        en=en,
        help_el="1 = ανεξάρτητος/η, 0 = εξαρτώμενος/η",
        help_en="1 = independent, 0 = dependent",
    )


class KatzItems(Form):
    """Katz Index of Independence in ADL: 1 independent (no supervision or help), 0 dependent."""

    bathing: Literal[0, 1] = _katz("Λουτρό", "Bathing")
    dressing: Literal[0, 1] = _katz("Ντύσιμο", "Dressing")
    toileting: Literal[0, 1] = _katz("Χρήση τουαλέτας", "Toileting")
    transferring: Literal[0, 1] = _katz("Μετακίνηση (κρεβάτι/καρέκλα)", "Transferring")
    continence: Literal[0, 1] = _katz("Εγκράτεια", "Continence")
    feeding: Literal[0, 1] = _katz("Σίτιση", "Feeding")


def _lawton(el: str, en: str, last: int, help_el: str, help_en: str) -> Any:
    return labelled(el=el, en=en, help_el=help_el, help_en=help_en, ge=1, le=last)


class LawtonItems(Form):
    """Lawton–Brody IADL: the option number chosen on the form (1 = most able)."""

    telephone: int = _lawton(
        "Χρήση τηλεφώνου",
        "Telephone",
        4,
        "1 με δική του πρωτοβουλία · 2 καλεί λίγους γνωστούς αριθμούς · 3 απαντά αλλά δεν "
        "καλεί · 4 καθόλου",
        "1 on own initiative · 2 dials a few well-known numbers · 3 answers but does not dial "
        "· 4 not at all",
    )
    shopping: int = _lawton(
        "Ψώνια",
        "Shopping",
        4,
        "1 όλα ανεξάρτητα · 2 μικρές αγορές · 3 με συνοδεία · 4 καθόλου",
        "1 all independently · 2 small purchases · 3 needs accompanying · 4 unable",
    )
    food_preparation: int = _lawton(
        "Προετοιμασία φαγητού",
        "Food preparation",
        4,
        "1 σχεδιάζει, ετοιμάζει, σερβίρει · 2 αν του δοθούν τα υλικά · 3 ζεσταίνει · "
        "4 χρειάζεται έτοιμο",
        "1 plans, prepares, serves · 2 if supplied · 3 heats · 4 needs meals prepared",
    )
    housekeeping: int = _lawton(
        "Νοικοκυριό",
        "Housekeeping",
        5,
        "1 μόνος/η · 2 ελαφριές εργασίες · 3 χωρίς επαρκή καθαριότητα · 4 χρειάζεται βοήθεια "
        "σε όλα · 5 δεν συμμετέχει",
        "1 alone · 2 light tasks · 3 not to an acceptable level · 4 needs help with all · "
        "5 does not participate",
    )
    laundry: int = _lawton(
        "Πλύσιμο ρούχων",
        "Laundry",
        3,
        "1 όλο μόνος/η · 2 μικρά ρούχα · 3 όλο από άλλους",
        "1 all own laundry · 2 small items · 3 all done by others",
    )
    transportation: int = _lawton(
        "Μετακινήσεις",
        "Transportation",
        5,
        "1 μόνος/η με ΜΜΜ ή αυτοκίνητο · 2 ταξί · 3 ΜΜΜ με συνοδεία · 4 ταξί/αυτοκίνητο με "
        "βοήθεια · 5 καθόλου",
        "1 travels independently · 2 taxi · 3 public transport when accompanied · 4 taxi or car "
        "with help · 5 not at all",
    )
    medications: int = _lawton(
        "Φάρμακα",
        "Own medications",
        3,
        "1 σωστή δόση και ώρα · 2 αν του ετοιμαστούν · 3 ανίκανος/η",
        "1 correct dose and time · 2 if prepared in advance · 3 incapable",
    )
    finances: int = _lawton(
        "Οικονομικά",
        "Finances",
        3,
        "1 ανεξάρτητα · 2 καθημερινές αγορές · 3 ανίκανος/η",
        "1 manages independently · 2 day-to-day purchases · 3 incapable",
    )


def _barthel(el: str, en: str, help_el: str, help_en: str) -> Any:
    return labelled(el=el, en=en, help_el=help_el, help_en=help_en)


class BarthelItems(Form):
    """Barthel Index (Mahoney & Barthel 1965): what the person does, over the last 24–48 h."""

    feeding: Literal[0, 5, 10] = _barthel(
        "Σίτιση",
        "Feeding",
        "0 αδύνατη · 5 χρειάζεται βοήθεια · 10 ανεξάρτητη",
        "0 unable · 5 needs help · 10 independent",
    )
    bathing: Literal[0, 5] = _barthel(
        "Μπάνιο", "Bathing", "0 εξαρτώμενος/η · 5 ανεξάρτητος/η", "0 dependent · 5 independent"
    )
    grooming: Literal[0, 5] = _barthel(
        "Ατομική περιποίηση",
        "Grooming",
        "0 χρειάζεται βοήθεια · 5 ανεξάρτητος/η",
        "0 needs help · 5 independent",
    )
    dressing: Literal[0, 5, 10] = _barthel(
        "Ντύσιμο",
        "Dressing",
        "0 εξαρτώμενος/η · 5 κάνει το μισό · 10 ανεξάρτητος/η",
        "0 dependent · 5 does about half · 10 independent",
    )
    bowels: Literal[0, 5, 10] = _barthel(
        "Έντερο",
        "Bowels",
        "0 ακράτεια · 5 περιστασιακό ατύχημα · 10 εγκράτεια",
        "0 incontinent · 5 occasional accident · 10 continent",
    )
    bladder: Literal[0, 5, 10] = _barthel(
        "Κύστη",
        "Bladder",
        "0 ακράτεια ή καθετήρας · 5 περιστασιακό ατύχημα · 10 εγκράτεια",
        "0 incontinent or catheter unmanaged · 5 occasional accident · 10 continent",
    )
    toilet_use: Literal[0, 5, 10] = _barthel(
        "Χρήση τουαλέτας",
        "Toilet use",
        "0 εξαρτώμενος/η · 5 λίγη βοήθεια · 10 ανεξάρτητος/η",
        "0 dependent · 5 needs some help · 10 independent",
    )
    transfers: Literal[0, 5, 10, 15] = _barthel(
        "Μετακίνηση κρεβάτι↔καρέκλα",
        "Transfers (bed↔chair)",
        "0 αδύνατη · 5 μεγάλη βοήθεια · 10 μικρή βοήθεια · 15 ανεξάρτητη",
        "0 unable · 5 major help · 10 minor help · 15 independent",
    )
    mobility: Literal[0, 5, 10, 15] = _barthel(
        "Βάδιση σε επίπεδο",
        "Mobility (level surface)",
        "0 ακίνητος/η · 5 ανεξάρτητος/η με αμαξίδιο · 10 με βοήθεια ενός · 15 ανεξάρτητος/η",
        "0 immobile · 5 wheelchair-independent · 10 walks with help of one · 15 independent",
    )
    stairs: Literal[0, 5, 10] = _barthel(
        "Σκάλες",
        "Stairs",
        "0 αδύνατη · 5 χρειάζεται βοήθεια · 10 ανεξάρτητη",
        "0 unable · 5 needs help · 10 independent",
    )


class AssessmentBase(Form):
    person_id: UUID = labelled(el="Ωφελούμενος", en="Beneficiary")
    assessed_on: date = labelled(
        el="Ημερομηνία αξιολόγησης",
        en="Assessed on",
        help_el="Ό,τι κάνει το άτομο, όχι ό,τι θα μπορούσε.",
        help_en="What the person does, not what they could do.",
    )
    notes: Annotated[str, Field(max_length=5000)] = labelled(
        "", el="Παρατηρήσεις", en="Observations", help_en="Stored encrypted."
    )

    @field_validator("assessed_on")
    @classmethod
    def _assessed_on_not_future(cls, value: date | None) -> date | None:
        return _not_future(value)


class KatzForm(AssessmentBase):
    items: KatzItems = labelled(el="Δραστηριότητες (Katz ADL)", en="Activities (Katz ADL)")


class LawtonForm(AssessmentBase):
    items: LawtonItems = labelled(el="Δραστηριότητες (Lawton IADL)", en="Activities (Lawton IADL)")


class BarthelForm(AssessmentBase):
    items: BarthelItems = labelled(el="Δείκτης Barthel", en="Barthel Index")


ASSESSMENT_FORMS: dict[str, type[AssessmentBase]] = {
    "katz": KatzForm,
    "lawton": LawtonForm,
    "barthel": BarthelForm,
}


class HomeRiskItems(Form):
    """Hazards found in the home (true = present)."""

    loose_rugs: bool = labelled(False, el="Χαλιά που γλιστρούν", en="Loose rugs")
    poor_lighting: bool = labelled(False, el="Ανεπαρκής φωτισμός", en="Poor lighting")
    no_grab_bars: bool = labelled(False, el="Χωρίς χειρολαβές στο μπάνιο", en="No grab bars")
    stairs_without_rail: bool = labelled(
        False, el="Σκάλες χωρίς κουπαστή", en="Stairs without a handrail"
    )
    unsafe_heating: bool = labelled(False, el="Επικίνδυνη θέρμανση", en="Unsafe heating")
    no_smoke_detector: bool = labelled(False, el="Χωρίς ανιχνευτή καπνού", en="No smoke detector")
    clutter: bool = labelled(False, el="Ακαταστασία στους διαδρόμους", en="Cluttered passages")
    unsafe_bathroom: bool = labelled(False, el="Μη ασφαλές μπάνιο", en="Unsafe bathroom")
    no_phone_within_reach: bool = labelled(
        False, el="Χωρίς τηλέφωνο σε απόσταση χεριού", en="No phone within reach"
    )
    pets_trip_hazard: bool = labelled(
        False, el="Κατοικίδια (κίνδυνος πτώσης)", en="Pets (trip hazard)"
    )


class HomeRiskForm(Form):
    person_id: UUID = labelled(el="Ωφελούμενος", en="Beneficiary")
    assessed_on: date = labelled(el="Ημερομηνία ελέγχου", en="Checked on")
    items: HomeRiskItems = labelled(el="Κίνδυνοι στο σπίτι", en="Home hazards")
    notes: Annotated[str, Field(max_length=5000)] = labelled("", el="Σημειώσεις", en="Notes")

    @field_validator("assessed_on")
    @classmethod
    def _assessed_on_not_future(cls, value: date | None) -> date | None:
        return _not_future(value)


# -- care plan ------------------------------------------------------------------------------


class PlanServiceForm(Form):
    service: Service = labelled(el="Υπηρεσία", en="Service", options=SERVICE_TITLES)
    staff_id: UUID = labelled(el="Υπεύθυνος/η εργαζόμενος/η", en="Assigned staff member")
    frequency_per_week: int | None = labelled(
        None,
        el="Επισκέψεις την εβδομάδα",
        en="Visits per week",
        help_en="Default: the tenant's setting for this service.",
        ge=1,
        le=7,
    )
    weekdays: list[Weekday] | None = labelled(
        None,
        options=WEEKDAY_TITLES,
        el="Ημέρες",
        en="Weekdays",
        help_en="As many as the visits per week; default: spread over Monday–Friday.",
        max_length=7,
    )
    start_time: str = labelled("09:00", el="Ώρα έναρξης", en="Start time (local)")
    minutes: int | None = labelled(
        None, el="Διάρκεια (λεπτά)", en="Duration (minutes)", ge=15, le=480
    )
    tasks: list[Text500] = labelled(
        [],
        el="Εργασίες",
        en="Tasks",
        max_length=30,
        help_en="What to do on each visit (shown on the roster).",
    )

    @field_validator("start_time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise invalid("help_at_home.invalid_time")
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return None
        if len(set(value)) != len(value):
            raise invalid("help_at_home.duplicate_weekdays")
        frequency = info.data.get("frequency_per_week")
        if frequency is not None and len(value) != frequency:
            raise invalid("help_at_home.weekdays_frequency_mismatch", frequency=frequency)
        return value


class CarePlanForm(Form):
    person_id: UUID = labelled(el="Ωφελούμενος", en="Beneficiary")
    application_id: UUID | None = labelled(None, el="Αίτηση", en="Application")
    goals: list[Text500] = labelled(el="Στόχοι", en="Goals", min_length=1, max_length=20)
    services: list[PlanServiceForm] = labelled(
        el="Υπηρεσίες", en="Services", min_length=1, max_length=8
    )
    start_date: date = labelled(el="Έναρξη", en="Start date")
    review_date: date = labelled(el="Επανεξέταση", en="Review date")
    end_date: date | None = labelled(None, el="Λήξη", en="End date")
    schedule: bool = labelled(
        True,
        el="Προγραμματισμός επισκέψεων",
        en="Schedule the visits",
        help_en="Book the recurring visits now (holidays and conflicts are skipped).",
    )

    @field_validator("review_date")
    @classmethod
    def _review(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and value <= start:
            raise invalid("help_at_home.review_before_start")
        return value

    @field_validator("end_date")
    @classmethod
    def _end(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise invalid("end_before_start")
        return value


class ExtraVisitForm(Form):
    service: Service = labelled(el="Υπηρεσία", en="Service", options=SERVICE_TITLES)
    staff_id: UUID = labelled(el="Εργαζόμενος/η", en="Staff member")
    start: AwareDatetime = labelled(el="Έναρξη", en="Start")
    minutes: int | None = labelled(
        None, el="Διάρκεια (λεπτά)", en="Duration (minutes)", ge=15, le=480
    )
    tasks: list[Text500] = labelled([], el="Εργασίες", en="Tasks", max_length=30)


class ResumeForm(Form):
    from_date: date = labelled(el="Επανέναρξη από", en="Resume from")


class ClosePlanForm(Form):
    reason: Annotated[str, Field(min_length=1, max_length=500)] = labelled(
        el="Αιτιολογία", en="Reason"
    )
    closed_on: date | None = labelled(None, el="Ημερομηνία", en="Closed on")


class PlanUpdateForm(Form):
    """What changes in an open plan without rebooking it: goals, review and end dates. An
    earlier end cancels the visits after it; a later one is booked with "schedule"."""

    goals: list[Text500] = labelled(
        el="Στόχοι",
        en="Goals",
        help_el="Ένας ανά γραμμή.",
        help_en="One per line.",
        min_length=1,
        max_length=20,
    )
    review_date: date = labelled(el="Επανεξέταση", en="Review date")
    end_date: date | None = labelled(None, el="Λήξη", en="End date")


class ServiceEndForm(Form):
    """Stop one service of a plan (its weekly series): no visits from this day on."""

    from_date: date = labelled(
        el="Χωρίς επισκέψεις από",
        en="No visits from",
        help_el="Οι προγραμματισμένες επισκέψεις από αυτή την ημέρα ακυρώνονται.",
        help_en="The planned visits from this day on are cancelled.",
    )
    reason: Annotated[str, Field(min_length=1, max_length=500)] = labelled(
        el="Αιτιολογία", en="Reason"
    )


# -- visits ---------------------------------------------------------------------------------


def _vital(el: str, en: str, name: str) -> Any:
    low, high = rules.VITAL_RANGES[name]
    return labelled(None, el=el, en=en, ge=low, le=high, help_en=f"Plausible range {low}–{high}.")


class VitalSigns(Form):
    """Vital signs measured by the nurse; a value outside its plausible range is refused."""

    systolic_bp: int | None = _vital("Συστολική πίεση (mmHg)", "Systolic BP (mmHg)", "systolic_bp")
    diastolic_bp: int | None = _vital(
        "Διαστολική πίεση (mmHg)", "Diastolic BP (mmHg)", "diastolic_bp"
    )
    pulse: int | None = _vital("Σφύξεις (/λεπτό)", "Pulse (/min)", "pulse")
    temperature_c: float | None = _vital("Θερμοκρασία (°C)", "Temperature (°C)", "temperature_c")
    spo2: int | None = _vital("Κορεσμός O2 (%)", "SpO2 (%)", "spo2")
    respiratory_rate: int | None = _vital(
        "Αναπνοές (/λεπτό)", "Respiratory rate (/min)", "respiratory_rate"
    )
    blood_glucose_mg_dl: int | None = _vital(
        "Σάκχαρο (mg/dL)", "Blood glucose (mg/dL)", "blood_glucose_mg_dl"
    )
    weight_kg: float | None = _vital("Βάρος (kg)", "Weight (kg)", "weight_kg")

    @field_validator("diastolic_bp")
    @classmethod
    def _below_systolic(cls, value: int | None, info: ValidationInfo) -> int | None:
        systolic = info.data.get("systolic_bp")
        if value is not None and systolic is not None and value >= systolic:
            raise invalid("help_at_home.diastolic_not_below_systolic")
        return value


class Position(Form):
    at: AwareDatetime | None = labelled(None, el="Ώρα", en="Time", help_en="Default: now.")
    latitude: float | None = labelled(None, el="Γεωγραφικό πλάτος", en="Latitude", ge=-90, le=90)
    longitude: float | None = labelled(
        None, el="Γεωγραφικό μήκος", en="Longitude", ge=-180, le=180, validate_default=True
    )

    @field_validator("longitude")
    @classmethod
    def _pair(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "latitude" in info.data and (value is None) != (info.data["latitude"] is None):
            raise invalid("help_at_home.coordinates_pair")
        return value


class CheckInForm(Position):
    pass


class CheckOutForm(Position):
    tasks_done: list[Text500] = labelled(
        [], el="Εργασίες που έγιναν", en="Tasks done", max_length=30
    )
    vital_signs: VitalSigns | None = labelled(None, el="Ζωτικά σημεία", en="Vital signs")
    observations: Annotated[str, Field(max_length=5000)] = labelled(
        "", el="Παρατηρήσεις", en="Observations", help_en="Stored encrypted."
    )
    next_steps: Annotated[str, Field(max_length=2000)] = labelled(
        "", el="Επόμενα βήματα", en="Next steps"
    )


class MissedForm(Form):
    reason: Annotated[str, Field(min_length=1, max_length=500)] = labelled(
        el="Αιτία", en="Reason", help_en="E.g. not at home, in hospital."
    )


# -- incidents ------------------------------------------------------------------------------


class IncidentForm(Form):
    person_id: UUID = labelled(el="Ωφελούμενος", en="Beneficiary")
    kind: Literal["fall", "hospital_admission", "death", "other"] = labelled(
        el="Συμβάν",
        en="Incident",
        options={
            "fall": ("Πτώση", "Fall"),
            "hospital_admission": ("Εισαγωγή σε νοσοκομείο", "Hospital admission"),
            "death": ("Θάνατος", "Death"),
            "other": ("Άλλο συμβάν", "Other incident"),
        },
    )
    occurred_on: date = labelled(el="Ημερομηνία", en="Occurred on")
    action: Literal["none", "pause", "close"] | None = labelled(
        None,
        options={
            "none": ("Καμία αλλαγή", "No change"),
            "pause": ("Αναστολή του σχεδίου", "Pause the plan"),
            "close": ("Λήξη του σχεδίου", "Close the plan"),
        },
        el="Επίπτωση στο σχέδιο",
        en="Effect on the care plan",
        help_en="Default: a hospital admission pauses, a death closes, others change nothing.",
    )
    notes: Annotated[str, Field(max_length=5000)] = labelled(
        "", el="Περιγραφή", en="Description", help_en="Stored encrypted."
    )

    @field_validator("occurred_on")
    @classmethod
    def _occurred_on_not_future(cls, value: date | None) -> date | None:
        return _not_future(value)


class IncidentCloseForm(Form):
    """The follow-up of an incident (reassessed, family and doctor told, plan adjusted)."""

    follow_up: Annotated[str, Field(min_length=1, max_length=5000)] = labelled(
        el="Ενέργειες που έγιναν",
        en="Follow-up",
        help_el="Αποθηκεύεται κρυπτογραφημένο.",
        help_en="Stored encrypted.",
    )
    closed_on: date | None = labelled(
        None, el="Ημερομηνία κλεισίματος", en="Closed on", help_en="Default: today."
    )

    @field_validator("closed_on")
    @classmethod
    def _closed_on_not_future(cls, value: date | None) -> date | None:
        return _not_future(value)


# -- eligibility preview --------------------------------------------------------------------


class EligibilityFacts(Form):
    """Facts to try the eligibility and priority rules on, without storing anything."""

    age: int | None = labelled(None, el="Ηλικία", en="Age", ge=0, le=130)
    disability_percent: int | None = labelled(
        None, el="Αναπηρία (%)", en="Disability (%)", ge=0, le=100
    )
    lives_alone: bool = labelled(False, el="Μένει μόνος/η", en="Lives alone")
    family_support: Literal["none", "partial", "full"] = labelled(
        "none", el="Οικογενειακή υποστήριξη", en="Family support", options=FAMILY_SUPPORT
    )
    annual_income: Decimal | None = labelled(None, el="Ετήσιο εισόδημα", en="Annual income", ge=0)
    scores: dict[Literal["katz", "lawton", "barthel"], int] = labelled(
        {}, el="Βαθμολογίες", en="Scale totals"
    )

    @field_validator("scores")
    @classmethod
    def _scores(cls, value: dict[str, int]) -> dict[str, int]:
        for scale, total in value.items():
            if not 0 <= total <= rules.SCALE_MAX[scale]:
                raise invalid(
                    "help_at_home.score_out_of_range", scale=scale, maximum=rules.SCALE_MAX[scale]
                )
        return value


# -- the registry of forms ------------------------------------------------------------------


class FormInfo(BaseModel):
    name: str
    version: int
    title_el: str
    title_en: str
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")


FORMS: dict[str, tuple[type[BaseModel], int, str, str]] = {
    "help_at_home.application": (ApplicationForm, 1, "Αίτηση ένταξης", "Application"),
    "help_at_home.katz": (KatzForm, 1, "Κλίμακα Katz (ADL)", "Katz ADL"),
    "help_at_home.lawton": (LawtonForm, 1, "Κλίμακα Lawton (IADL)", "Lawton IADL"),
    "help_at_home.barthel": (BarthelForm, 1, "Δείκτης Barthel", "Barthel Index"),
    "help_at_home.home_risk": (
        HomeRiskForm,
        1,
        "Έλεγχος κινδύνων στο σπίτι",
        "Home-environment risk checklist",
    ),
    "help_at_home.care_plan": (CarePlanForm, 1, "Σχέδιο φροντίδας", "Care plan"),
    "help_at_home.visit_log": (CheckOutForm, 1, "Ημερολόγιο επίσκεψης", "Visit log"),
    "help_at_home.incident": (IncidentForm, 1, "Συμβάν", "Incident"),
}


def form_version(name: str) -> int:
    return FORMS[name][1]


def parse_time(value: str) -> tuple[int, int]:
    hours, minutes = value.split(":")
    return int(hours), int(minutes)


def default_weekdays(frequency: int) -> list[str]:
    """Visits spread over the working week: 1 Mon; 2 Mon, Thu; 3 Mon, Wed, Fri; ..."""
    spreads = {
        1: ["MO"],
        2: ["MO", "TH"],
        3: ["MO", "WE", "FR"],
        4: ["MO", "TU", "TH", "FR"],
        5: ["MO", "TU", "WE", "TH", "FR"],
        6: ["MO", "TU", "WE", "TH", "FR", "SA"],
        7: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
    }
    return spreads[frequency]


def now_or(value: datetime | None) -> datetime:
    from datetime import UTC

    return value or datetime.now(UTC)
