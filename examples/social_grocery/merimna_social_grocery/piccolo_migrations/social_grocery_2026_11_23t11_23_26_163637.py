"""Tenant-leading indexes and row-level security for the cards table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T11:23:26:163637"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema of cards"


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="social_grocery", description=DESCRIPTION
    )

    async def tenant_schema() -> None:
        await tenant_table(
            "social_grocery_card",
            Index(("person_id", "valid_from")),
            Index(("created_at",)),
        )

    manager.add_raw(tenant_schema)
    return manager
