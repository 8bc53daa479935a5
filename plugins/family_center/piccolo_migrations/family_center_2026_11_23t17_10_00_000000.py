"""Index for the cases list, newest first (issue 11, `python -m bench.modules` at 100 k).

`GET cases` pages by `(opened_on, id)` descending; the `(status, opened_on)` index serves
only `status=...`, so the whole list sorted every case of the tenant for each page. With
`(tenant_id, opened_on, id)` a page is a backward index scan that stops after the page.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "cases list index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="family_center", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("fc_case", Index(("opened_on", "id")))

    manager.add_raw(tenant_schema)
    return manager
