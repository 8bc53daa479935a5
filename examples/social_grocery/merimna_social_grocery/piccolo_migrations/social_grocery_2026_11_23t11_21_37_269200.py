"""What Piccolo cannot declare: tenant-leading indexes and, on PostgreSQL, row-level security.

A migration of its own, one microsecond after the tables' (Piccolo runs raw steps before
creating the tables of the same migration).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T11:21:37:269200"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="social_grocery", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("social_grocery_entry", Index(("person_id", "occurred_on")))

    manager.add_raw(tenant_schema)
    return manager
