"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import platform_index

ID = "2026-11-23T06:30:41:229234"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def indexes() -> None:
        await platform_index("tenant_module", ("tenant_id", "module"), unique=True)
        await platform_index("membership", ("tenant_id", "user_id"), unique=True)

    manager.add_raw(indexes)
    return manager
