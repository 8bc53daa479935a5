"""Tables of referrals: a referral of a person to another service, and its status history.

Free text (reason, outcome, notes of a status change, the legal basis note) may reveal health
or criminal-offence data, so it is stored encrypted with the tenant's key (`core.crypto`);
codes (kind, agency type, status, urgency) stay queryable for statutory counts.
"""

from piccolo.columns import UUID, Date, Timestamptz, Varchar
from piccolo.table import Table

from core.crypto.fields import EncryptedText
from tenants.scoping import TenantScoped


class Referral(TenantScoped, Table, tablename="referral"):
    id = UUID(primary_key=True)
    person_id = UUID()
    kind = Varchar(length=16)  # internal | external
    # outgoing: this municipality refers the person on; incoming: another service (the agency
    # below, or one of our units for internal ones) referred the person to us.
    direction = Varchar(length=16, default="outgoing")
    # The unit that refers (outgoing) or the unit it came from (incoming, internal).
    source_unit_id = UUID(null=True, default=None)
    # Who handles it on our side (a staff profile), e.g. the case worker of an incoming one.
    assigned_staff_id = UUID(null=True, default=None)
    # internal: a module of the tenant and/or one of its units
    target_module = Varchar(length=64, null=True, default=None)
    target_unit_id = UUID(null=True, default=None)
    # external: the kind of agency and its name
    agency_type = Varchar(length=32, null=True, default=None)
    agency_name = Varchar(length=300, default="")
    reason = EncryptedText(default="")  # encrypted
    urgency = Varchar(length=16, default="normal")
    legal_basis = Varchar(length=32, default="consent")
    legal_basis_note = EncryptedText(
        default=""
    )  # encrypted (e.g. the prosecutor's order it answers)
    consent_id = UUID(null=True, default=None)
    status = Varchar(length=16, default="draft")
    due_date = Date(null=True, default=None)
    outcome = EncryptedText(default="")  # encrypted
    # The module record that opened it, when a module did (`open_referral`).
    source_module = Varchar(length=64, null=True, default=None)
    record_type = Varchar(length=64, null=True, default=None)
    record_id = UUID(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReferralStatusChange(TenantScoped, Table, tablename="referral_status_change"):
    """One step of a referral's history: who moved it from which status to which, and when."""

    id = UUID(primary_key=True)
    referral_id = UUID()
    from_status = Varchar(length=16, null=True, default=None)
    to_status = Varchar(length=16)
    note = EncryptedText(default="")  # encrypted
    changed_by = UUID(null=True, default=None)
    changed_at = Timestamptz()


TENANT_TABLES = (Referral, ReferralStatusChange)
