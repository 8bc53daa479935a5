"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, platform_index, tenant_table

ID = "2026-11-23T06:38:49:999517"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "audit_event",
            Index(("at",)),
            Index(("seq",)),
            Index(("object_type", "object_id")),
            Index(("user_id", "at")),
        )
        await platform_index("platform_audit_event", ("at",))

    manager.add_raw(tenant_schema)
    return manager
