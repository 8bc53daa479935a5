"""One data-key version per tenant: a unique key on (tenant_id, version)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import platform_index

ID = "2026-11-23T07:31:33:636409"
VERSION = "1.38.0"
DESCRIPTION = "tenant key unique version"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="crypto", description=DESCRIPTION)

    async def indexes() -> None:
        await platform_index("tenant_key", ("tenant_id", "version"), unique=True)

    manager.add_raw(indexes)
    return manager
