"""Two indexes of `beneficiary` that no query needs, and that every insert paid for.

Issue 11 (import of 100 k people in <= 30 s): of the PostgreSQL time of an import, the
trigram GIN index on `search_key` (first schema migration) was the largest part, about 60 %
of the inserts into `beneficiary` (some 80 trigram entries per person). No statement searches
`search_key` by similarity: name, Latin and identifier searches go through
`beneficiary_search_token` (`core.beneficiaries.services`, plans in `bench/results/`). The
planner used the index only as a way to find all of a tenant's rows (btree_gin makes its
tenant column usable for equality), where the tenant-leading btrees serve as well.

`(tenant_id, created_at)` is a prefix of `(tenant_id, created_at, status)` (migration
`2026-11-23T14:55:00:000000`), which serves every query the shorter one did.

The `search_key` column stays, kept by the services as before. SQLite never had the trigram
index; its `created_at` index goes too.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db

ID = "2026-11-23T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop unused beneficiary indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="beneficiaries", description=DESCRIPTION)

    async def drop_unused_indexes() -> None:
        if db.is_postgres():
            await db.engine().run_ddl('DROP INDEX IF EXISTS "beneficiary_search_key_trgm"')
        await db.engine().run_ddl('DROP INDEX IF EXISTS "beneficiary_created_at_ix"')

    manager.add_raw(drop_unused_indexes)
    return manager
