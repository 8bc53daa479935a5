"""Tenant-leading indexes for the new referral columns (deadlines, assignee, direction)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T11:16:19:027742"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema: deadlines and assignee"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "referral",
            Index(("created_at",)),
            Index(("person_id", "created_at")),
            Index(("status", "created_at")),
            Index(("status", "due_date")),
            Index(("assigned_staff_id", "created_at")),
            Index(("direction", "created_at")),
        )

    manager.add_raw(tenant_schema)
    return manager
