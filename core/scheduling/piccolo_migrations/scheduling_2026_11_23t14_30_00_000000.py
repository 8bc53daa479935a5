"""Roll-up of the `core.appointments` report: counts and booked seconds per UTC month,
service, mode, status and staff member (issue 11: a year of monthly figures <= 100 ms).

The report grouped every appointment of the period in Python (2-4 s for a year of the largest
tenant at 100 k people). `appointment_month_count` holds the same sums, kept by triggers in
the same transaction as every write to `appointment` or `appointment_participant`, whichever
code path writes (booking, moves, cancellations, erasure, tenant deletion, module writes), so
it cannot drift from the rows. It counts the pairs (appointment, staff participant) that
both exist: each trigger adds or removes the pairs its row forms or breaks, so the order in
which an appointment and its participants are written or deleted does not matter. Rows that
fall to zero are deleted (a deleted tenant leaves nothing behind).

Months are UTC months, so the triggers need no time zone; the report turns them into the
tenant's local months by correcting the hours between a UTC and a local month boundary from
the appointments themselves (`core.scheduling.reports`).

Not a Piccolo table: it is derived data, never exported (an import rebuilds it through the
same triggers) and read only by the report, with the tenant predicate and, on PostgreSQL,
the same row-level security as every tenant table (`core.schema.tenant_table`).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db
from core.schema import Index, tenant_table

ID = "2026-11-23T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "appointment month counts (report roll-up)"

TABLE_PG = """
CREATE TABLE IF NOT EXISTS appointment_month_count (
    tenant_id uuid NOT NULL,
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    month varchar(7) NOT NULL,
    service varchar(100) NOT NULL,
    mode varchar(16) NOT NULL,
    status varchar(16) NOT NULL,
    staff_id uuid NOT NULL,
    appointments integer NOT NULL DEFAULT 0,
    seconds bigint NOT NULL DEFAULT 0
)
"""

FUNCTIONS_PG = [
    """
CREATE OR REPLACE FUNCTION appointment_month_count_add(
    t uuid, a_start timestamptz, a_end timestamptz, a_service text, a_mode text,
    a_status text, a_staff uuid, n integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m text := to_char(a_start AT TIME ZONE 'UTC', 'YYYY-MM');
BEGIN
    INSERT INTO appointment_month_count AS c
        (tenant_id, month, service, mode, status, staff_id, appointments, seconds)
    VALUES (t, m, a_service, a_mode, a_status, a_staff, n,
            n * extract(epoch FROM a_end - a_start)::bigint)
    ON CONFLICT (tenant_id, month, service, mode, status, staff_id) DO UPDATE
        SET appointments = c.appointments + EXCLUDED.appointments,
            seconds = c.seconds + EXCLUDED.seconds;
    IF n < 0 THEN
        DELETE FROM appointment_month_count
        WHERE tenant_id = t AND month = m AND service = a_service AND mode = a_mode
          AND status = a_status AND staff_id = a_staff AND appointments <= 0;
    END IF;
END $$
""",
    """
CREATE OR REPLACE FUNCTION appointment_month_count_participant() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    a record;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.kind = 'staff' THEN
        SELECT service, mode, status, start_at, end_at INTO a FROM appointment
        WHERE tenant_id = OLD.tenant_id AND id = OLD.appointment_id;
        IF FOUND THEN
            PERFORM appointment_month_count_add(OLD.tenant_id, a.start_at, a.end_at,
                a.service, a.mode, a.status, OLD.person_id, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'staff' THEN
        SELECT service, mode, status, start_at, end_at INTO a FROM appointment
        WHERE tenant_id = NEW.tenant_id AND id = NEW.appointment_id;
        IF FOUND THEN
            PERFORM appointment_month_count_add(NEW.tenant_id, a.start_at, a.end_at,
                a.service, a.mode, a.status, NEW.person_id, 1);
        END IF;
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION appointment_month_count_appointment() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        FOR p IN SELECT person_id FROM appointment_participant
                 WHERE tenant_id = OLD.tenant_id AND appointment_id = OLD.id AND kind = 'staff'
        LOOP
            PERFORM appointment_month_count_add(OLD.tenant_id, OLD.start_at, OLD.end_at,
                OLD.service, OLD.mode, OLD.status, p.person_id, -1);
        END LOOP;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        FOR p IN SELECT person_id FROM appointment_participant
                 WHERE tenant_id = NEW.tenant_id AND appointment_id = NEW.id AND kind = 'staff'
        LOOP
            PERFORM appointment_month_count_add(NEW.tenant_id, NEW.start_at, NEW.end_at,
                NEW.service, NEW.mode, NEW.status, p.person_id, 1);
        END LOOP;
    END IF;
    RETURN NULL;
END $$
""",
]

TRIGGERS_PG = [
    "DROP TRIGGER IF EXISTS appointment_month_count_p ON appointment_participant",
    """
CREATE TRIGGER appointment_month_count_p
AFTER INSERT OR DELETE OR UPDATE OF kind, person_id, appointment_id ON appointment_participant
FOR EACH ROW EXECUTE FUNCTION appointment_month_count_participant()
""",
    "DROP TRIGGER IF EXISTS appointment_month_count_a ON appointment",
    "DROP TRIGGER IF EXISTS appointment_month_count_a_upd ON appointment",
    """
CREATE TRIGGER appointment_month_count_a
AFTER INSERT OR DELETE ON appointment
FOR EACH ROW EXECUTE FUNCTION appointment_month_count_appointment()
""",
    """
CREATE TRIGGER appointment_month_count_a_upd
AFTER UPDATE OF service, mode, status, start_at, end_at ON appointment
FOR EACH ROW
WHEN (OLD.service IS DISTINCT FROM NEW.service OR OLD.mode IS DISTINCT FROM NEW.mode
      OR OLD.status IS DISTINCT FROM NEW.status OR OLD.start_at IS DISTINCT FROM NEW.start_at
      OR OLD.end_at IS DISTINCT FROM NEW.end_at)
EXECUTE FUNCTION appointment_month_count_appointment()
""",
]

# The tenant's rows recomputed from the appointments (run with the tenant set: RLS applies).
BACKFILL_PG = """
INSERT INTO appointment_month_count
    (tenant_id, month, service, mode, status, staff_id, appointments, seconds)
SELECT a.tenant_id, to_char(a.start_at AT TIME ZONE 'UTC', 'YYYY-MM'), a.service, a.mode,
       a.status, p.person_id, count(*), sum(extract(epoch FROM a.end_at - a.start_at))::bigint
FROM appointment a
JOIN appointment_participant p
  ON p.tenant_id = a.tenant_id AND p.appointment_id = a.id AND p.kind = 'staff'
WHERE a.tenant_id = $1
GROUP BY 1, 2, 3, 4, 5, 6
"""

TABLE_SQLITE = """
CREATE TABLE IF NOT EXISTS appointment_month_count (
    tenant_id VARCHAR(36) NOT NULL,
    id VARCHAR(36) PRIMARY KEY,
    month VARCHAR(7) NOT NULL,
    service VARCHAR(100) NOT NULL,
    mode VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    staff_id VARCHAR(36) NOT NULL,
    appointments INTEGER NOT NULL DEFAULT 0,
    seconds INTEGER NOT NULL DEFAULT 0
)
"""

# SQLite stores UTC times as text ('YYYY-MM-DD HH:MM:SS+00:00'), so the UTC month is a prefix.
_NEW_ID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' "
    "|| hex(randomblob(2)) || '-' || hex(randomblob(6)))"
)


def _sqlite_add(tenant: str, appt: str, staff: str, sign: int, source: str) -> str:
    """Add `sign` for the pairs selected by `source` (aliases `a` appointment, `{staff}`)."""
    seconds = (
        f"CAST(round((julianday({appt}.end_at) - julianday({appt}.start_at)) * 86400) AS INTEGER)"
    )
    key = (
        f"{tenant}, substr({appt}.start_at, 1, 7), {appt}.service, {appt}.mode, "
        f"{appt}.status, {staff}"
    )
    out = (
        "INSERT INTO appointment_month_count (tenant_id, month, service, mode, status, "
        f"staff_id, id, appointments, seconds) SELECT {key}, {_NEW_ID}, {sign}, "
        f"{sign} * {seconds} {source} "
        "ON CONFLICT (tenant_id, month, service, mode, status, staff_id) DO UPDATE SET "
        "appointments = appointments + excluded.appointments, "
        "seconds = seconds + excluded.seconds;"
    )
    if sign < 0:
        out += (
            " DELETE FROM appointment_month_count WHERE appointments <= 0 AND "
            "(tenant_id, month, service, mode, status, staff_id) IN "
            f"(SELECT {key} {source});"
        )
    return out


def _sqlite_triggers() -> list[str]:
    part_old = "FROM appointment a WHERE a.tenant_id = OLD.tenant_id AND a.id = OLD.appointment_id"
    part_new = "FROM appointment a WHERE a.tenant_id = NEW.tenant_id AND a.id = NEW.appointment_id"
    appt_old = (
        "FROM (SELECT OLD.start_at AS start_at, OLD.end_at AS end_at, OLD.service AS service, "
        "OLD.mode AS mode, OLD.status AS status) a JOIN appointment_participant p "
        "ON p.tenant_id = OLD.tenant_id AND p.appointment_id = OLD.id AND p.kind = 'staff' "
        "WHERE true"  # UPSERT after INSERT ... SELECT needs a WHERE (SQLite's parser)
    )
    appt_new = (
        "FROM (SELECT NEW.start_at AS start_at, NEW.end_at AS end_at, NEW.service AS service, "
        "NEW.mode AS mode, NEW.status AS status) a JOIN appointment_participant p "
        "ON p.tenant_id = NEW.tenant_id AND p.appointment_id = NEW.id AND p.kind = 'staff' "
        "WHERE true"
    )
    changed = (
        "OLD.service IS NOT NEW.service OR OLD.mode IS NOT NEW.mode OR OLD.status IS NOT "
        "NEW.status OR OLD.start_at IS NOT NEW.start_at OR OLD.end_at IS NOT NEW.end_at"
    )
    part_changed = (
        "OLD.kind IS NOT NEW.kind OR OLD.person_id IS NOT NEW.person_id OR "
        "OLD.appointment_id IS NOT NEW.appointment_id"
    )
    add = _sqlite_add
    return [
        "CREATE TRIGGER IF NOT EXISTS appointment_month_count_p_ins AFTER INSERT ON "
        "appointment_participant WHEN NEW.kind = 'staff' BEGIN "
        + add("NEW.tenant_id", "a", "NEW.person_id", 1, part_new)
        + " END",
        "CREATE TRIGGER IF NOT EXISTS appointment_month_count_p_del AFTER DELETE ON "
        "appointment_participant WHEN OLD.kind = 'staff' BEGIN "
        + add("OLD.tenant_id", "a", "OLD.person_id", -1, part_old)
        + " END",
        "CREATE TRIGGER IF NOT EXISTS appointment_month_count_p_upd AFTER UPDATE OF kind, "
        f"person_id, appointment_id ON appointment_participant WHEN {part_changed} BEGIN "
        + add("OLD.tenant_id", "a", "OLD.person_id", -1, part_old + " AND OLD.kind = 'staff'")
        + " "
        + add("NEW.tenant_id", "a", "NEW.person_id", 1, part_new + " AND NEW.kind = 'staff'")
        + " END",
        "CREATE TRIGGER IF NOT EXISTS appointment_month_count_a_ins AFTER INSERT ON "
        "appointment BEGIN " + add("NEW.tenant_id", "a", "p.person_id", 1, appt_new) + " END",
        "CREATE TRIGGER IF NOT EXISTS appointment_month_count_a_del AFTER DELETE ON "
        "appointment BEGIN " + add("OLD.tenant_id", "a", "p.person_id", -1, appt_old) + " END",
        "CREATE TRIGGER IF NOT EXISTS appointment_month_count_a_upd AFTER UPDATE OF service, "
        f"mode, status, start_at, end_at ON appointment WHEN {changed} BEGIN "
        + add("OLD.tenant_id", "a", "p.person_id", -1, appt_old)
        + " "
        + add("NEW.tenant_id", "a", "p.person_id", 1, appt_new)
        + " END",
    ]


BACKFILL_SQLITE = (
    "INSERT INTO appointment_month_count (tenant_id, month, service, mode, status, staff_id, "
    f"id, appointments, seconds) SELECT a.tenant_id, substr(a.start_at, 1, 7), a.service, "
    f"a.mode, a.status, p.person_id, {_NEW_ID}, count(*), "
    "sum(CAST(round((julianday(a.end_at) - julianday(a.start_at)) * 86400) AS INTEGER)) "
    "FROM appointment a JOIN appointment_participant p ON p.tenant_id = a.tenant_id "
    "AND p.appointment_id = a.id AND p.kind = 'staff' "
    "GROUP BY a.tenant_id, substr(a.start_at, 1, 7), a.service, a.mode, a.status, p.person_id"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scheduling", description=DESCRIPTION)

    async def roll_up() -> None:
        ddl = db.engine().run_ddl
        postgres = db.is_postgres()
        await ddl(TABLE_PG if postgres else TABLE_SQLITE)
        await tenant_table(
            "appointment_month_count",
            Index(("month", "service", "mode", "status", "staff_id"), unique=True),
        )
        if postgres:
            for statement in FUNCTIONS_PG + TRIGGERS_PG:
                await ddl(statement)
            # Existing appointments, tenant by tenant: row-level security hides every row
            # from a transaction without a tenant, so the tenant is set for each.
            for row in await db.fetch("SELECT id FROM tenant"):
                await db.fetch("SELECT set_config('app.tenant_id', {}, true)", str(row["id"]))
                await db.fetch(BACKFILL_PG.replace("$1", "{}"), row["id"])
            await db.fetch("SELECT set_config('app.tenant_id', '', true)")
        else:
            for statement in _sqlite_triggers():
                await ddl(statement)
            await ddl(BACKFILL_SQLITE)

    manager.add_raw(roll_up)
    return manager
