"""The double-booking guard led by the person instead of the tenant (issue 11: seeding a
million people, and every booking's check).

`appointment_participant_no_overlap` (migration `..._900929`) refuses two active rows of the
same person whose `[start, end)` ranges overlap. Same constraint, same name, same guarantee;
only the order of its columns changes: `(person_id, tenant_id, range)` instead of
`(tenant_id, person_id, range)`.

Why: the constraint is a GiST index (btree_gist), which PostgreSQL 15 builds by inserting
every row and then probes once per row; a GiST probe reads every entry of each page it
visits. Led by `tenant_id` (330 values of very uneven size) the tree groups by tenant first,
and the person's entries are found only after the tenant's whole subtree has been narrowed
by the second column. Measured on the 10 M participants of the 1 M-people benchmark
(bench/results/seed-r4.md): 12.7 -> 9.0 pages read per probe, 40 -> 32 us of CPU per probe,
and a plain build 117 -> 87 s of CPU; a booking's own insert makes the same probe.

Why `tenant_id` stays: person ids are primary keys of `beneficiary` and `staff_member`,
unique in the deployment (an imported tenant keeps its ids and is refused if its id exists),
so `(person_id, range)` alone would be the same guarantee, and measured no cheaper (a narrower
tree but a slower probe); with the tenant column every unique or exclusion constraint of a
tenant table keeps the distribution column (docs: Citus, scale-out), and the guarantee does
not rest on an argument about ids.

In the migrations' transaction: the old constraint is dropped and the new one built before
anything else can write (ACCESS EXCLUSIVE), so there is no moment without the guard.
SQLite has no such constraint (writers are serialised and the service checks first).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db

ID = "2026-11-23T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "no-overlap constraint led by the person"

NO_OVERLAP = (
    'ALTER TABLE "appointment_participant" ADD CONSTRAINT "appointment_participant_no_overlap" '
    "EXCLUDE USING gist (person_id WITH =, tenant_id WITH =, "
    "tstzrange(start_at, end_at, '[)') WITH &&) WHERE (active)"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scheduling", description=DESCRIPTION)

    async def person_first() -> None:
        if not db.is_postgres():
            return
        ddl = db.engine().run_ddl
        await ddl(
            'ALTER TABLE "appointment_participant" '
            'DROP CONSTRAINT IF EXISTS "appointment_participant_no_overlap"'
        )
        await ddl(NO_OVERLAP)

    manager.add_raw(person_first)
    return manager
