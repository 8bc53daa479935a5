"""Schema Piccolo cannot declare, for the school actions' table: row-level security and the
tenant-leading index (a record's actions, in date order)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T13:44:04:672095"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema of school actions"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="roma_branch", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("rb_school_action", Index(("school_record_id", "action_on")))

    manager.add_raw(tenant_schema)
    return manager
