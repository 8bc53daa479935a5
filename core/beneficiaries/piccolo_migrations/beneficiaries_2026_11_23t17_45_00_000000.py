"""Drop `beneficiary_afm_ix`: no statement looks a person up by AFM in `beneficiary`.

An AFM search goes through the person's search tokens (`beneficiary_search_token`), like
every other search; duplicates are found by AMKA (unique), birth date and phone. The index
only cost every insert and every change of an AFM: measured on PostgreSQL, 15 % of the CPU
of inserting people in bulk (issue 11, the import of 100 k people).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db

ID = "2026-11-23T17:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop the unused afm index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="beneficiaries", description=DESCRIPTION)

    async def drop_afm_index() -> None:
        await db.engine().run_ddl('DROP INDEX IF EXISTS "beneficiary_afm_ix"')

    manager.add_raw(drop_afm_index)
    return manager
