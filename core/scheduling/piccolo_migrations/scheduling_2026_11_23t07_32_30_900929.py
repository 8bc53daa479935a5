"""Schema Piccolo cannot declare: tenant-leading indexes, row-level security, and the guard
against double booking.

On PostgreSQL an exclusion constraint (btree_gist) refuses two active participant rows of
the same person whose `[start, end)` ranges overlap, within a tenant: touching ranges pass,
cancelled appointments (inactive rows) are ignored. It holds for any number of processes and
machines, because the database checks it at insert time, waiting for a concurrent
uncommitted row to commit or roll back first. SQLite serialises writers instead (one write
transaction at a time, `core.db.transaction`), and the service checks before it inserts.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db
from core.schema import Index, platform_index, tenant_table

ID = "2026-11-23T07:32:30:900929"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"

NO_OVERLAP = (
    'ALTER TABLE "appointment_participant" ADD CONSTRAINT "appointment_participant_no_overlap" '
    "EXCLUDE USING gist (tenant_id WITH =, person_id WITH =, "
    "tstzrange(start_at, end_at, '[)') WITH &&) WHERE (active)"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scheduling", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "appointment",
            Index(("start_at", "id")),
            Index(("series_id", "start_at"), where="series_id IS NOT NULL"),
            Index(("unit_id", "start_at"), where="unit_id IS NOT NULL"),
            Index(("module", "record_type", "record_id"), where="module IS NOT NULL"),
        )
        await tenant_table(
            "appointment_participant",
            Index(("person_id", "start_at")),
            Index(("appointment_id",)),
        )
        await tenant_table("appointment_series")
        await tenant_table("staff_absence", Index(("staff_id", "start_at")))
        await tenant_table("scheduling_local_holiday", Index(("day",)))
        await tenant_table(
            "scheduling_holiday_override", Index(("year", "day", "action"), unique=True)
        )
        await tenant_table(
            "notification_outbox",
            Index(("status", "next_attempt_at")),
            Index(("dedupe_key",), unique=True, where="dedupe_key IS NOT NULL"),
        )
        await platform_index("scheduling_ics_feed", ("tenant_id", "staff_id"), unique=True)
        if db.is_postgres():
            ddl = db.engine().run_ddl
            await ddl(
                'ALTER TABLE "appointment" DROP CONSTRAINT IF EXISTS "appointment_range_ck"'
            )
            await ddl(
                'ALTER TABLE "appointment" ADD CONSTRAINT "appointment_range_ck" '
                "CHECK (end_at > start_at)"
            )
            await ddl(
                'ALTER TABLE "appointment_participant" '
                'DROP CONSTRAINT IF EXISTS "appointment_participant_no_overlap"'
            )
            await ddl(NO_OVERLAP)

    manager.add_raw(tenant_schema)
    return manager
