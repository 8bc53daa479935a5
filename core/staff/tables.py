"""Tables of the staff area: units (structures), staff profiles and who works where.

A staff profile is the person as the service plans with them (profession, units, weekly
hours); the login account, when there is one, lives in `core.auth` and the roles in the
tenant's membership. A driver or a cleaner without a login is a profile without a user.
"""

from piccolo.columns import JSON, UUID, Boolean, Timestamptz, Varchar
from piccolo.table import Table

from tenants.scoping import TenantScoped

UNIT_KINDS = (
    "community_centre",
    "roma_branch",
    "family_support_centre",
    "help_at_home_unit",
    "social_welfare",
    "food_bank",
    "other",
)


class Unit(TenantScoped, Table, tablename="staff_unit"):
    """A structure of the municipality (a Community Centre, its Roma branch, a KSOI)."""

    id = UUID(primary_key=True)
    code = Varchar(length=64)
    name_el = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    kind = Varchar(length=32, default="other")
    # {"mon": [["07:00", "15:00"]], ...} in local time; null: the tenant's operating hours.
    operating_hours = JSON(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class StaffMember(TenantScoped, Table, tablename="staff_member"):
    id = UUID(primary_key=True)
    # The login account (core.auth), unique per tenant; null for staff without a login.
    user_id = UUID(null=True, default=None)
    display_name = Varchar(length=200)
    # A role code (social_worker, psychologist, a module's driver...).
    profession = Varchar(length=64)
    email = Varchar(length=200, default="")
    phone = Varchar(length=32, default="")
    # {"mon": [["08:00", "15:00"]], ...} in local time; {} means not declared.
    working_hours = JSON(default={})
    active = Boolean(default=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class StaffUnit(TenantScoped, Table, tablename="staff_member_unit"):
    """One staff member working in one unit."""

    id = UUID(primary_key=True)
    staff_id = UUID()
    unit_id = UUID()


TENANT_TABLES = (Unit, StaffMember, StaffUnit)
