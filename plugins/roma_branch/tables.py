"""Tables of the Roma branch; every one tenant-scoped, keyed by UUID, no foreign keys.

People are core beneficiaries (`person_id`), mediators core staff profiles
(`mediator_staff_id`), appointments core appointments, documents core documents: the services
check each id belongs to the current tenant. Free text that may hold special-category details
is stored as ciphertext (`EncryptedText`), encrypted with the tenant's key through `core.api`:
the `*_sealed` columns, the `notes` of mediations, follow-ups and school actions, a
reception's `follow_up` and an accompaniment's `purpose`. Some of these were plain VARCHAR
once: the "seal plaintext" migration encrypted the rows written before, and the services
still read a value without the ciphertext prefix as plaintext (a row an older process wrote
during a rolling upgrade).
Membership of any of these tables reveals ethnic origin: access is limited by the module's
permissions and every read is audited (services.py).
"""

from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.api import EncryptedText, TenantScoped


class Reception(TenantScoped, Table, tablename="rb_reception"):
    """A visit or call to the branch: what was asked, what came of it, what follows."""

    id = UUID(primary_key=True)
    person_id = UUID(null=True, default=None)  # None: an anonymous contact, counted only
    people_count = Integer(default=1)
    visited_on = Date()
    channel = Varchar(length=8, default="visit")  # visit | phone
    request_type = Varchar(length=24)
    outcome = Varchar(length=24)
    follow_up = EncryptedText(default="")
    follow_up_on = Date(null=True, default=None)
    # The follow-up marked done (and by whom): it leaves the recorder's tasks then.
    follow_up_done_on = Date(null=True, default=None)
    follow_up_done_by = UUID(null=True, default=None)
    notes_sealed = EncryptedText(default="")
    staff_user_id = UUID(null=True, default=None)
    created_at = Timestamptz()


class Accompaniment(TenantScoped, Table, tablename="rb_accompaniment"):
    """Accompanying a person to a public service, booked as a core appointment."""

    id = UUID(primary_key=True)
    person_id = UUID()
    agency = Varchar(length=24)
    agency_other = Varchar(length=200, default="")
    purpose = EncryptedText()
    start = Timestamptz()
    end = Timestamptz()
    day = Date()  # local day of `start` (monthly counts)
    mediator_staff_id = UUID()
    appointment_id = UUID(null=True, default=None)
    status = Varchar(length=12, default="planned")  # planned | done | cancelled | no_show
    outcome = Varchar(length=24, default="")
    outcome_notes_sealed = EncryptedText(default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Application(TenantScoped, Table, tablename="rb_application"):
    """Support with one benefit application: household, checklist, estimate, outcome."""

    id = UUID(primary_key=True)
    person_id = UUID()
    benefit = Varchar(length=24)
    adults = Integer()
    minors = Integer(default=0)
    single_parent = Boolean(default=False)
    unprotected_children = Integer(default=0)
    income_6m = Numeric(digits=(12, 2), null=True, default=None)
    real_estate = Numeric(digits=(12, 2), null=True, default=None)
    vehicles = Numeric(digits=(12, 2), null=True, default=None)
    deposits = Numeric(digits=(12, 2), null=True, default=None)
    estimate = JSON(default={})
    readiness = Varchar(length=12, default="not_ready")  # ready | not_ready
    missing_count = Integer(default=0)
    submitted_on = Date(null=True, default=None)
    outcome = Varchar(length=12, default="pending")  # pending | approved | rejected | withdrawn
    outcome_on = Date(null=True, default=None)
    notes_sealed = EncryptedText(default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ChecklistItem(TenantScoped, Table, tablename="rb_checklist_item"):
    """One document of an application's checklist (generated from the benefit's template)."""

    id = UUID(primary_key=True)
    application_id = UUID()
    position = Integer(default=0)
    code = Varchar(length=48)
    title_el = Varchar(length=200)
    title_en = Varchar(length=200)
    required = Boolean(default=True)
    expires = Boolean(default=False)
    received = Boolean(default=False)
    received_on = Date(null=True, default=None)
    document_id = UUID(null=True, default=None)  # the uploaded file in core documents
    issue_date = Date(null=True, default=None)
    expiry_date = Date(null=True, default=None)


class JobSeeker(TenantScoped, Table, tablename="rb_job_seeker"):
    """A person's job-seeker profile; the CV is rendered from it."""

    id = UUID(primary_key=True)
    person_id = UUID()
    education = Varchar(length=12)  # none | isced_1_2 | isced_3_4 | isced_5_8
    skills = JSON(default=[])
    experience_years = Integer(default=0)
    experience = Text(default="")
    licences = JSON(default=[])
    languages = JSON(default=[])
    availability = Varchar(length=12, default="any")
    registered_dypa = Boolean(default=False)
    active = Boolean(default=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Employer(TenantScoped, Table, tablename="rb_employer"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    afm = Varchar(length=9, default="")
    sector = Varchar(length=100, default="")
    area = Varchar(length=100, default="")
    contact_name = Varchar(length=200, default="")
    phone = Varchar(length=20, default="")
    email = Varchar(length=200, default="")
    created_at = Timestamptz()


class Vacancy(TenantScoped, Table, tablename="rb_vacancy"):
    id = UUID(primary_key=True)
    employer_id = UUID()
    title = Varchar(length=200)
    description = Text(default="")
    skills = JSON(default=[])
    licences = JSON(default=[])
    min_education = Varchar(length=12, default="none")
    min_experience_years = Integer(default=0)
    availability = Varchar(length=12, default="any")
    positions = Integer(default=1)
    status = Varchar(length=8, default="open")  # open | filled | closed
    posted_on = Date()
    created_at = Timestamptz()


class Mediation(TenantScoped, Table, tablename="rb_mediation"):
    """One step of mediating a seeker towards a vacancy (proposed, CV sent, interview...)."""

    id = UUID(primary_key=True)
    seeker_id = UUID()
    vacancy_id = UUID()
    step = Varchar(length=12)
    step_on = Date()
    score = Integer(default=0)
    notes = EncryptedText(default="")
    staff_user_id = UUID(null=True, default=None)
    created_at = Timestamptz()


class Placement(TenantScoped, Table, tablename="rb_placement"):
    id = UUID(primary_key=True)
    seeker_id = UUID()
    person_id = UUID()
    employer_id = UUID()
    vacancy_id = UUID(null=True, default=None)
    start_date = Date()
    contract = Varchar(length=16, default="full_time")
    status = Varchar(length=8, default="active")  # active | ended
    ended_on = Date(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Followup(TenantScoped, Table, tablename="rb_placement_followup"):
    """A placement's follow-up at 1, 3 or 6 months (as the tenant's settings say)."""

    id = UUID(primary_key=True)
    placement_id = UUID()
    month = Integer()
    due_on = Date()
    done_on = Date(null=True, default=None)
    still_employed = Boolean(null=True, default=None)
    notes = EncryptedText(default="")
    recorded_by = UUID(null=True, default=None)


class SchoolRecord(TenantScoped, Table, tablename="rb_school_record"):
    """A child's school follow-up for one school year."""

    id = UUID(primary_key=True)
    child_id = UUID()
    guardian_id = UUID(null=True, default=None)
    school_year = Varchar(length=9)  # 2025-2026
    school = Varchar(length=200, default="")
    grade = Varchar(length=40, default="")
    enrolment_status = Varchar(length=16)
    attendance_concern = Varchar(length=8, default="none")  # none | low | medium | high
    absences = Integer(default=0)
    # Legacy: actions lived here, notes included, until the "seal plaintext" migration moved
    # them to `SchoolAction` (their notes encrypted). Always empty now; kept because
    # migrations only add.
    actions = JSON(default=[])
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SchoolAction(TenantScoped, Table, tablename="rb_school_action"):
    """One action of a child's school follow-up (a home visit, a meeting with the school...);
    its notes may tell why a child misses school, so they are ciphertext."""

    id = UUID(primary_key=True)
    school_record_id = UUID()
    action_on = Date()
    action = Varchar(length=24)
    notes = EncryptedText(default="")
    staff_user_id = UUID(null=True, default=None)
    created_at = Timestamptz()


class EsfRecord(TenantScoped, Table, tablename="rb_esf_record"):
    """An ESF participant entry or exit record: the period's indicator fields, as answered."""

    id = UUID(primary_key=True)
    person_id = UUID()
    period = Varchar(length=9)  # 2014_2020 | 2021_2027
    kind = Varchar(length=5)  # entry | exit
    recorded_on = Date()
    sex = Varchar(length=12)
    fields = JSON(default={})
    form_version = Integer(default=1)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


TENANT_TABLES = (
    Reception,
    Accompaniment,
    Application,
    ChecklistItem,
    JobSeeker,
    Employer,
    Vacancy,
    Mediation,
    Placement,
    Followup,
    SchoolRecord,
    SchoolAction,
    EsfRecord,
)
