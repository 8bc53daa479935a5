"""Indexes for "who is busy from start to end" (issue 11 profiling).

An overlap test is `start_at < end AND end_at > start`. The only indexes led by a time were
on `start_at`, whose bound `start_at < end` matches every earlier appointment: the staff
week and the booking conflict check read all of a person's past appointments (thousands at
100 k people). The GiST exclusion index cannot serve them either: `&&` on ranges is not
leakproof, so under row-level security PostgreSQL never uses it for a query's condition.
An index on `end_at` lets the planner take `end_at > start` when that bound is the
selective one (a slot in the future, the recent past); both predicates stay exact.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T12:06:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "overlap indexes on end_at"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scheduling", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("appointment", Index(("end_at",)))
        await tenant_table("appointment_participant", Index(("person_id", "end_at")))

    manager.add_raw(tenant_schema)
    return manager
