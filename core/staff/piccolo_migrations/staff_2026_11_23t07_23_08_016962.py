"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T07:23:08:016962"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="staff", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("staff_unit", Index(("code",), unique=True))
        await tenant_table(
            "staff_member",
            Index(("user_id",), unique=True, where="user_id IS NOT NULL"),
            Index(("display_name",)),
        )
        await tenant_table(
            "staff_member_unit",
            Index(("staff_id", "unit_id"), unique=True),
            Index(("unit_id",)),
        )

    manager.add_raw(tenant_schema)
    return manager
