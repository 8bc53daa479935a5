"""Tables of Help at Home; every one tenant-scoped, keyed by UUID, no foreign keys.

People and staff are referenced by id (`person_id`: a core beneficiary; `staff_id`: a core
staff profile; `appointment_id`: a core appointment); the services check that each id is the
current tenant's. Form answers are kept as submitted (`data`, with `form_name` and
`form_version`); health details (conditions, observations, vital signs, incident
descriptions) live only in the `*_sealed` columns (`EncryptedText`), encrypted with the
tenant's key through `core.api`.
"""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.api import EncryptedText, TenantScoped


class Application(TenantScoped, Table, tablename="hah_application"):
    """An application or referral to the programme, with its eligibility and priority."""

    id = UUID(primary_key=True)
    person_id = UUID()
    received_on = Date()
    # waiting (on the list) | admitted | rejected | withdrawn | closed
    status = Varchar(length=16, default="waiting")
    status_reason = Varchar(length=500, default="")
    form_name = Varchar(length=64, default="help_at_home.application")
    form_version = Integer(default=1)
    data = JSON(default={})
    health_sealed = EncryptedText(default="")
    decision = Varchar(length=16, default="incomplete")  # eligible | not_eligible | incomplete
    eligibility = JSON(default={})
    priority_score = Integer(default=0)
    priority = JSON(default={})
    evaluated_at = Timestamptz(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Assessment(TenantScoped, Table, tablename="hah_assessment"):
    """One Katz, Lawton or Barthel assessment; every reassessment is a new row."""

    id = UUID(primary_key=True)
    person_id = UUID()
    scale = Varchar(length=16)
    form_name = Varchar(length=64)
    form_version = Integer(default=1)
    assessed_on = Date()
    items = JSON(default={})  # as answered on the form
    item_scores = JSON(default={})
    total = Integer()
    band = Varchar(length=24)
    alerts = JSON(default=[])
    notes_sealed = EncryptedText(default="")
    signed_by = UUID(null=True, default=None)  # the assessor's user account
    signed_at = Timestamptz()


class HomeRisk(TenantScoped, Table, tablename="hah_home_risk"):
    """A home-environment risk checklist."""

    id = UUID(primary_key=True)
    person_id = UUID()
    form_name = Varchar(length=64, default="help_at_home.home_risk")
    form_version = Integer(default=1)
    assessed_on = Date()
    items = JSON(default={})
    risk_count = Integer(default=0)
    notes_sealed = EncryptedText(default="")
    signed_by = UUID(null=True, default=None)
    signed_at = Timestamptz()


class CarePlan(TenantScoped, Table, tablename="hah_care_plan"):
    id = UUID(primary_key=True)
    person_id = UUID()
    application_id = UUID(null=True, default=None)
    form_name = Varchar(length=64, default="help_at_home.care_plan")
    form_version = Integer(default=1)
    status = Varchar(length=16, default="active")  # active | paused | closed
    goals = JSON(default=[])
    start_date = Date()
    review_date = Date()
    end_date = Date(null=True, default=None)
    paused_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    status_reason = Varchar(length=500, default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PlanService(TenantScoped, Table, tablename="hah_plan_service"):
    """One service of a care plan: who delivers it, how often, what to do each visit."""

    id = UUID(primary_key=True)
    plan_id = UUID()
    service = Varchar(length=32)
    staff_id = UUID()
    frequency_per_week = Integer()
    weekdays = JSON(default=[])
    start_time = Varchar(length=5, default="09:00")
    minutes = Integer(default=60)
    tasks = JSON(default=[])
    series_ids = JSON(default=[])  # core scheduling series booked for it
    active = Boolean(default=True)


class Visit(TenantScoped, Table, tablename="hah_visit"):
    """A planned home visit (one core appointment) and what happened on it."""

    id = UUID(primary_key=True)
    plan_id = UUID()
    plan_service_id = UUID(null=True, default=None)
    person_id = UUID()
    staff_id = UUID()
    service = Varchar(length=32)
    appointment_id = UUID(null=True, default=None)
    planned_start = Timestamptz()
    planned_end = Timestamptz()
    planned_day = Date()  # local day of planned_start (rosters, monthly counts)
    # planned | done | missed | cancelled
    status = Varchar(length=16, default="planned")
    status_reason = Varchar(length=500, default="")
    tasks = JSON(default=[])
    check_in_at = Timestamptz(null=True, default=None)
    check_in_lat = DoublePrecision(null=True, default=None)
    check_in_lon = DoublePrecision(null=True, default=None)
    check_out_at = Timestamptz(null=True, default=None)
    check_out_lat = DoublePrecision(null=True, default=None)
    check_out_lon = DoublePrecision(null=True, default=None)
    late_minutes = Integer(default=0)
    form_version = Integer(default=1)
    tasks_done = JSON(default=[])
    vitals_sealed = EncryptedText(default="")
    observations_sealed = EncryptedText(default="")
    next_steps = Text(default="")
    logged_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Incident(TenantScoped, Table, tablename="hah_incident"):
    """A fall, hospital admission or death, what it did to the care plan, and its follow-up."""

    id = UUID(primary_key=True)
    person_id = UUID()
    plan_id = UUID(null=True, default=None)
    kind = Varchar(length=24)
    occurred_on = Date()
    action = Varchar(length=8, default="none")
    form_version = Integer(default=1)
    notes_sealed = EncryptedText(default="")
    recorded_by = UUID(null=True, default=None)
    recorded_at = Timestamptz()
    # open until a coordinator records the follow-up (reassessed, family told...) and closes it
    closed_on = Date(null=True, default=None)
    closed_by = UUID(null=True, default=None)
    follow_up_sealed = EncryptedText(default="")


TENANT_TABLES = (Application, Assessment, HomeRisk, CarePlan, PlanService, Visit, Incident)
