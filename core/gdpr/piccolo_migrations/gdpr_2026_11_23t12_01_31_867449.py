"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T12:01:31:867449"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="gdpr", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("gdpr_retention_policy", Index(("record_type",), unique=True))

    manager.add_raw(tenant_schema)
    return manager
