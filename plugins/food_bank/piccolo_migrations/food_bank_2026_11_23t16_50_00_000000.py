"""Index for the pickups list, newest first (issue 11 profiling).

`GET modules/food_bank/pickups` pages by `(created_at, id)` descending. With no index on
those columns every page read all of the tenant's pickups and sorted them (a top-N sort of
9 360 rows, 14 ms, in the largest tenant at 100 k beneficiaries; linear in the tenant's
pickups). With `(tenant_id, created_at, id)` a page is a backward index scan that stops
after the page (a limit scan), on PostgreSQL and SQLite alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T16:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pickups list index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="food_bank", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("food_bank_pickup", Index(("created_at", "id")))

    manager.add_raw(tenant_schema)
    return manager
