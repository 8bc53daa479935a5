"""Indexes for the module's two main lists (issue 11, `python -m bench.modules` at 100 k).

`GET visits` without a staff, plan or person filter pages by `(planned_start, id)`: with no
index leading with `planned_start` every page sorted all of the tenant's visits (115 000 in
the largest tenant of the seed, 107 ms a page; it grows with every visit ever planned).
`GET applications` pages by `(priority_score, id)` descending: the `(status, priority_score)`
index serves only `status=...`, so the whole list sorted every application. With these two
indexes each page is an index scan that stops after the page.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "list indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="help_at_home", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("hah_visit", Index(("planned_start", "id")))
        await tenant_table("hah_application", Index(("priority_score", "id")))

    manager.add_raw(tenant_schema)
    return manager
