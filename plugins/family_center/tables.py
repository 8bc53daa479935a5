"""Tables of the Family Support Centre. Every one is tenant-scoped (`TenantScoped`).

Codes (session type, mode, presenting problems, allegation, priority, dates) stay queryable
for the statutory counts; free text that may reveal health, family life or criminal-offence
data (clinical notes, the social-investigation report, consent exceptions) is stored encrypted
with the tenant's key. People are referenced by their registry id only; who takes part in what
is one row per person in `fc_party`, so one person's records are found through an index.
"""

from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Numeric, Timestamptz, Varchar
from piccolo.table import Table

from core.api import EncryptedText, TenantScoped


class FamilyCase(TenantScoped, Table, tablename="fc_case"):
    """A counselling case: the client, what brought them, who referred them."""

    id = UUID(primary_key=True)
    person_id = UUID()  # the main client
    problems = JSON(default=[])  # presenting-problem codes
    referral_source = Varchar(length=32)
    referral_id = UUID(null=True, default=None)  # an incoming core referral it answers
    status = Varchar(length=16, default="open")  # open | closed
    opened_on = Date()
    closed_on = Date(null=True, default=None)
    reviewed_at_sessions = Integer(default=0)  # session count at the last supervision review
    last_review_on = Date(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Party(TenantScoped, Table, tablename="fc_party"):
    """A person's part in a record: a case's family member, a session's participant, a
    programme's enrolled member, an investigation's child or adult."""

    id = UUID(primary_key=True)
    record_type = Varchar(length=16)  # case | session | programme | investigation
    record_id = UUID()
    person_id = UUID()
    role = Varchar(length=16)  # client | family | participant | enrolled | child | adult


class CounsellingSession(TenantScoped, Table, tablename="fc_session"):
    id = UUID(primary_key=True)
    case_id = UUID()
    session_type = Varchar(length=16)
    mode = Varchar(length=16)  # in_person | phone | video
    held_at = Timestamptz()
    duration_minutes = Integer()
    staff_user_id = UUID(null=True, default=None)
    appointment_id = UUID(null=True, default=None)
    video_link = Varchar(length=500, default="")
    created_at = Timestamptz()


class ClinicalNote(TenantScoped, Table, tablename="fc_note"):
    """A clinical (process) note: readable by its author and the colleagues they name only."""

    id = UUID(primary_key=True)
    session_id = UUID()
    case_id = UUID()
    author_id = UUID()
    readers = JSON(default=[])  # user ids the author named
    body = EncryptedText(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class GuardianConsent(TenantScoped, Table, tablename="fc_consent"):
    """A guardian's consent to counselling a minor, or the permitted exception recorded."""

    id = UUID(primary_key=True)
    case_id = UUID()
    minor_id = UUID()
    kind = Varchar(length=16)  # consent | exception
    guardian_id = UUID(null=True, default=None)
    exception_code = Varchar(length=32, default="")
    note = EncryptedText(default="")
    recorded_on = Date()
    recorded_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class CaseReferral(TenantScoped, Table, tablename="fc_case_referral"):
    """A core referral (out of, or into, the centre) tied to a case."""

    id = UUID(primary_key=True)
    case_id = UUID()
    referral_id = UUID()
    direction = Varchar(length=8)  # out | in
    created_at = Timestamptz()


class Programme(TenantScoped, Table, tablename="fc_programme"):
    """A group programme or a school workshop/seminar."""

    id = UUID(primary_key=True)
    kind = Varchar(length=32)
    title = Varchar(length=200)
    partner = Varchar(length=200, default="")  # the partner school or organisation
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    facilitators = JSON(default=[])  # user ids
    created_at = Timestamptz()


class ProgrammeMeeting(TenantScoped, Table, tablename="fc_meeting"):
    """One meeting of a programme, with the head counts of school events."""

    id = UUID(primary_key=True)
    programme_id = UUID()
    held_on = Date()
    topic = Varchar(length=200, default="")
    pupils = Integer(default=0)
    parents = Integer(default=0)
    teachers = Integer(default=0)
    created_at = Timestamptz()


class Attendance(TenantScoped, Table, tablename="fc_attendance"):
    id = UUID(primary_key=True)
    meeting_id = UUID()
    programme_id = UUID()
    person_id = UUID()
    present = Boolean(default=True)


class Helper(TenantScoped, Table, tablename="fc_helper"):
    """A volunteer mental-health professional or a trainee student on placement."""

    id = UUID(primary_key=True)
    kind = Varchar(length=16)  # volunteer | trainee
    full_name = Varchar(length=200)
    institution = Varchar(length=200, default="")
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    created_at = Timestamptz()


class Supervision(TenantScoped, Table, tablename="fc_supervision"):
    id = UUID(primary_key=True)
    helper_id = UUID()
    supervised_on = Date()
    hours = Numeric(digits=(5, 2))
    supervisor_id = UUID(null=True, default=None)
    topic = Varchar(length=200, default="")
    created_at = Timestamptz()


class Investigation(TenantScoped, Table, tablename="fc_investigation"):
    """A social investigation ordered by a prosecutor (εισαγγελική παραγγελία)."""

    id = UUID(primary_key=True)
    order_protocol = Varchar(length=64)  # the prosecutor's protocol number
    our_protocol = Varchar(length=64, default="")  # the municipality's registration number
    prosecutor_office = Varchar(length=200)
    received_on = Date()
    deadline = Date()
    deadline_from_order = Boolean(default=True)
    priority = Varchar(length=8, default="normal")  # normal | urgent
    allegation = Varchar(length=16)  # abuse | neglect | other
    assigned = JSON(default=[])  # user ids
    status = Varchar(length=16, default="open")  # open | submitted | closed
    report_body = EncryptedText(default="")
    report_updated_at = Timestamptz(null=True, default=None)
    completed_on = Date(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class InvestigationVisit(TenantScoped, Table, tablename="fc_inv_visit"):
    """A home visit or interview of an investigation, booked through core scheduling."""

    id = UUID(primary_key=True)
    investigation_id = UUID()
    kind = Varchar(length=16)  # home_visit | interview
    appointment_id = UUID()
    created_at = Timestamptz()


class Dispatch(TenantScoped, Table, tablename="fc_dispatch"):
    """A dispatch of the report (or another paper) to the prosecutor: the outgoing log."""

    id = UUID(primary_key=True)
    investigation_id = UUID()
    sent_on = Date()
    recipient = Varchar(length=200)
    protocol = Varchar(length=64, default="")
    method = Varchar(length=16)  # e_filing | email | courier | by_hand
    what = Varchar(length=16, default="report")  # report | interim | other
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()


TENANT_TABLES = (
    FamilyCase,
    Party,
    CounsellingSession,
    ClinicalNote,
    GuardianConsent,
    CaseReferral,
    Programme,
    ProgrammeMeeting,
    Attendance,
    Helper,
    Supervision,
    Investigation,
    InvestigationVisit,
    Dispatch,
)
