"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T07:32:38:021777"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="documents", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "document",
            Index(("owner_type", "owner_id", "created_at")),
            Index(("storage_key",), unique=True),
        )

    manager.add_raw(tenant_schema)
    return manager
