"""Platform tables of tenancy: who the municipalities are, what they run, who works there.

These rows are the consortium's registry, not a tenant's personal data, so they are not
row-level secured; routes still reach them only through `tenants.services`.
"""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

TENANT_STATUSES = ("onboarding", "active", "suspended", "archived")


class Tenant(Table, tablename="tenant"):
    id = UUID(primary_key=True)
    slug = Varchar(length=63, unique=True)
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    status = Varchar(length=20, default="onboarding")
    timezone = Varchar(length=64, default="Europe/Athens")
    # {"mon": [["08:00", "15:00"]], ...}: weekly operating hours in local time.
    operating_hours = JSON(default={})
    contact_email = Varchar(length=200, default="")
    contact_phone = Varchar(length=32, default="")
    address = Varchar(length=300, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TenantModule(Table, tablename="tenant_module"):
    id = UUID(primary_key=True)
    tenant_id = UUID(index=True)
    module = Varchar(length=64)
    enabled = Boolean(default=True)
    settings = JSON(default={})
    updated_at = Timestamptz()


class Membership(Table, tablename="membership"):
    """A user's roles in one tenant; a consortium administrator's is time-limited."""

    id = UUID(primary_key=True)
    tenant_id = UUID(index=True)
    user_id = UUID(index=True)
    roles = JSON(default=[])
    active = Boolean(default=True)
    expires_at = Timestamptz(null=True, default=None)
    granted_by = UUID(null=True, default=None)
    created_at = Timestamptz()
