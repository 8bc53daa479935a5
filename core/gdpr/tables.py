"""The retention policies a tenant chose (record types without a row use the defaults)."""

from __future__ import annotations

from piccolo.columns import UUID, Integer, Timestamptz, Varchar
from piccolo.table import Table

from tenants.scoping import TenantScoped


class RetentionPolicy(TenantScoped, Table, tablename="gdpr_retention_policy"):
    id = UUID(primary_key=True)
    record_type = Varchar(length=64)
    months = Integer()
    action = Varchar(length=16)  # see core.gdpr.retention.ACTIONS
    updated_by = UUID(null=True, default=None)
    updated_at = Timestamptz()


TENANT_TABLES = [RetentionPolicy]
