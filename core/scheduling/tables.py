"""Tables of scheduling: appointments, who takes part, series, absences, days, feeds, outbox.

An appointment's people live in `appointment_participant`, one row per staff member and per
beneficiary, carrying a copy of the appointment's time range and whether it still occupies
it (`active`: not cancelled). That copy is what the database guards: on PostgreSQL an
exclusion constraint refuses two active rows of the same person whose ranges overlap, so a
double booking cannot be committed whatever the number of processes (migration 2).
`core.scheduling.services` is the only writer and keeps the copy in step.
"""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.crypto.fields import EncryptedText
from tenants.scoping import TenantScoped

APPOINTMENT_STATUSES = ("scheduled", "confirmed", "completed", "cancelled", "no_show")
MODES = ("in_person", "home_visit", "phone", "video")
LOCATION_KINDS = ("office", "home", "school", "other")
PARTICIPANT_KINDS = ("staff", "beneficiary")
ABSENCE_KINDS = ("leave", "sick", "training")


class Appointment(TenantScoped, Table, tablename="appointment"):
    id = UUID(primary_key=True)
    service = Varchar(length=100)
    mode = Varchar(length=16, default="in_person")
    video_link = Varchar(length=500, null=True, default=None)
    location_kind = Varchar(length=16, null=True, default=None)
    location_text = Varchar(length=500, default="")
    # The staff area's unit (core.staff) whose opening hours apply, if any.
    unit_id = UUID(null=True, default=None)
    # Always UTC; shown in the tenant's time zone.
    start_at = Timestamptz()
    end_at = Timestamptz()
    status = Varchar(length=16, default="scheduled")
    cancel_reason = Varchar(length=500, default="")
    # Outcome notes: ciphertext (core.crypto, per-tenant key), via `core.scheduling.notes`.
    notes = EncryptedText(default="")
    # A module's own record attached to the appointment (e.g. a care-plan visit).
    module = Varchar(length=64, null=True, default=None)
    record_type = Varchar(length=64, null=True, default=None)
    record_id = UUID(null=True, default=None)
    series_id = UUID(null=True, default=None)
    # Booked despite a holiday, closed hours or an absence, by a permitted role (audited).
    override_codes = JSON(default=[])
    override_reason = Varchar(length=500, default="")
    created_by = UUID(null=True, default=None)
    updated_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AppointmentParticipant(TenantScoped, Table, tablename="appointment_participant"):
    """One staff member or beneficiary of one appointment, with the range they are busy."""

    id = UUID(primary_key=True)
    appointment_id = UUID()
    kind = Varchar(length=16)  # staff | beneficiary
    person_id = UUID()
    start_at = Timestamptz()
    end_at = Timestamptz()
    active = Boolean(default=True)


class AppointmentSeries(TenantScoped, Table, tablename="appointment_series"):
    """A recurring series: the RFC 5545 rule, anchored in the tenant's local time."""

    id = UUID(primary_key=True)
    rrule = Varchar(length=300)
    dtstart_local = Varchar(length=32)  # ISO local wall time of the first occurrence
    minutes = Integer()
    timezone = Varchar(length=64, default="Europe/Athens")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class StaffAbsence(TenantScoped, Table, tablename="staff_absence"):
    id = UUID(primary_key=True)
    staff_id = UUID()
    kind = Varchar(length=16)  # leave | sick | training
    start_at = Timestamptz()
    end_at = Timestamptz()
    note = Varchar(length=300, default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class LocalHoliday(TenantScoped, Table, tablename="scheduling_local_holiday"):
    """A day the municipality's services are closed (patron saint); `recurring`: every year."""

    id = UUID(primary_key=True)
    day = Date()
    name_el = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    recurring = Boolean(default=False)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class HolidayOverride(TenantScoped, Table, tablename="scheduling_holiday_override"):
    """A per-year correction of the national calendar (a moved Labour Day).

    `action` is `add` (closed that day), `remove` (open although the library says closed)
    or `half_day` (closes early that day).
    """

    id = UUID(primary_key=True)
    year = Integer()
    day = Date()
    action = Varchar(length=16)
    name_el = Varchar(length=200, default="")
    name_en = Varchar(length=200, default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Notification(TenantScoped, Table, tablename="notification_outbox"):
    """The outbox: a message to send, written in the same transaction as its cause.

    Holds references and ids only; the address and the text are resolved when sending, so a
    changed phone number is honoured and no personal data waits in the queue.
    """

    id = UUID(primary_key=True)
    channel = Varchar(length=16)  # email | sms
    recipient_kind = Varchar(length=16)  # staff | beneficiary
    recipient_id = UUID()
    template = Varchar(length=64)
    payload = JSON(default={})
    dedupe_key = Varchar(length=200, null=True, default=None)
    status = Varchar(length=16, default="pending")  # pending | sent | failed | skipped
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Varchar(length=300, default="")
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class IcsFeed(Table, tablename="scheduling_ics_feed"):
    """Platform table: the hash of a calendar-feed secret and whose calendar it opens.

    Not tenant-scoped by design: the unauthenticated feed URL names no tenant, so the lookup
    crosses tenants; it yields one (tenant, staff) pair and everything after it is read inside
    that tenant. Only a SHA-256 of the secret is stored.
    """

    id = UUID(primary_key=True)
    secret_hash = Varchar(length=64, unique=True)
    tenant_id = UUID()
    staff_id = UUID()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


TENANT_TABLES = (
    AppointmentSeries,
    Appointment,
    AppointmentParticipant,
    StaffAbsence,
    LocalHoliday,
    HolidayOverride,
    Notification,
)
