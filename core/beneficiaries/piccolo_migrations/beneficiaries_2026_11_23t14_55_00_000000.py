"""Covering index for `core.registrations_per_month` (issue 11 profiling).

The report counts a year of registrations per month, merged duplicates excluded. With only
`(tenant_id, created_at)` every registration of the year was also read from the table for its
status (a bitmap heap scan over ~900 blocks for 5 000 people in the largest tenant at 100 k,
ten times that at 1 M); with the status in the index the count is an index-only scan.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T14:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registrations index with status"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="beneficiaries", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("beneficiary", Index(("created_at", "status")))

    manager.add_raw(tenant_schema)
    return manager
