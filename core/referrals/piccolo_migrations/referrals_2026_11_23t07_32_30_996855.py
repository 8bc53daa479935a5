"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T07:32:30:996855"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "referral",
            Index(("created_at",)),
            Index(("person_id", "created_at")),
            Index(("status", "created_at")),
        )
        await tenant_table("referral_status_change", Index(("referral_id", "changed_at")))

    manager.add_raw(tenant_schema)
    return manager
