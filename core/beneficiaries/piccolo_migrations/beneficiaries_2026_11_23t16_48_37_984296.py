"""Search tokens that a search can order from the index (issue 11).

A name search in the largest tenant at 1 M people (157 k) either walked people in
`sort_key` order testing each for the prefix (2.3 s for `papad`, whose people sort late) or
read every matching person before sorting them for the top 20 (233 ms for `vasil`).
`core.beneficiaries.services._list_sql` now answers from the tokens, which need:

* `sort_key`, a copy of the person's (added by the previous, generated migration), kept by
  the database whatever path writes (the services, the bulk import, the tenant import, the
  benchmark's generator, a future one): a token inserted with `sort_key` NULL gets its
  person's (a writer that sets it, as the services do, costs the trigger nothing: its WHEN
  is false), and a change of a person's `sort_key` is copied to their tokens. Existing
  tokens are filled in here, tenant by tenant (row-level security hides every row from a
  transaction without a tenant).
* `head`, the token's first `services.HEAD` (2) characters, a generated column (the
  database computes it from `token` on every insert, COPY included; Piccolo's table class
  does not declare it, so no writer sends it).
* indexes, all led by the tenant: `(token) INCLUDE (sort_key, beneficiary_id)` (a search
  with few matches reads them and their order from the index alone), `(head, sort_key,
  beneficiary_id) INCLUDE (token)` (a search with many walks its bucket in sort order),
  `(beneficiary_id, token)` (another word of the query tested person by person, and the
  deletes of a person's tokens). They replace `(token)`, `(token text_pattern_ops)` and
  `(beneficiary_id)` of the first schema migration. On PostgreSQL the prefix operators need
  `text_pattern_ops`; a generated column rather than an index on `left(token, 2)`, because
  under row-level security only leakproof conditions can be index conditions and `left` is
  not.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db

ID = "2026-11-23T16:48:37:984296"
VERSION = "1.38.0"
DESCRIPTION = "search tokens: sort key kept, head, indexes"

PG_TRIGGERS = [
    """
CREATE OR REPLACE FUNCTION beneficiary_search_token_sort_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT b.sort_key INTO NEW.sort_key FROM beneficiary b
    WHERE b.tenant_id = NEW.tenant_id AND b.id = NEW.beneficiary_id;
    RETURN NEW;
END $$
""",
    "DROP TRIGGER IF EXISTS beneficiary_search_token_sort_key ON beneficiary_search_token",
    """
CREATE TRIGGER beneficiary_search_token_sort_key BEFORE INSERT ON beneficiary_search_token
FOR EACH ROW WHEN (NEW.sort_key IS NULL)
EXECUTE FUNCTION beneficiary_search_token_sort_key()
""",
    """
CREATE OR REPLACE FUNCTION beneficiary_sort_key_to_tokens() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE beneficiary_search_token SET sort_key = NEW.sort_key
    WHERE tenant_id = NEW.tenant_id AND beneficiary_id = NEW.id;
    RETURN NULL;
END $$
""",
    "DROP TRIGGER IF EXISTS beneficiary_sort_key_to_tokens ON beneficiary",
    """
CREATE TRIGGER beneficiary_sort_key_to_tokens AFTER UPDATE OF sort_key ON beneficiary
FOR EACH ROW WHEN (OLD.sort_key IS DISTINCT FROM NEW.sort_key)
EXECUTE FUNCTION beneficiary_sort_key_to_tokens()
""",
]

# The old indexes go before the backfill (fewer to update on every row).
PG_DROP = [
    'DROP INDEX IF EXISTS "beneficiary_search_token_token_pat"',
    'DROP INDEX IF EXISTS "beneficiary_search_token_token_ix"',
    'DROP INDEX IF EXISTS "beneficiary_search_token_beneficiary_id_ix"',
]

PG_BACKFILL = """
UPDATE beneficiary_search_token t SET sort_key = b.sort_key FROM beneficiary b
WHERE t.tenant_id = {} AND b.tenant_id = t.tenant_id AND b.id = t.beneficiary_id
AND t.sort_key IS NULL
"""

# Adding a stored generated column rewrites the table, which also leaves the backfill's
# old row versions behind; the new indexes are built once, on the rewritten table.
PG_AFTER = [
    'ALTER TABLE "beneficiary_search_token" ADD COLUMN IF NOT EXISTS "head" text '
    'GENERATED ALWAYS AS (left("token", 2)) STORED',
    'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_token_sort" ON '
    '"beneficiary_search_token" (tenant_id, token text_pattern_ops) '
    "INCLUDE (sort_key, beneficiary_id)",
    'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_head_sort" ON '
    '"beneficiary_search_token" (tenant_id, head, sort_key, beneficiary_id) INCLUDE (token)',
    'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_person_token" ON '
    '"beneficiary_search_token" (tenant_id, beneficiary_id, token text_pattern_ops)',
]

SQLITE = [
    """
CREATE TRIGGER IF NOT EXISTS beneficiary_search_token_sort_key
AFTER INSERT ON beneficiary_search_token WHEN NEW.sort_key IS NULL BEGIN
    UPDATE beneficiary_search_token SET sort_key = (
        SELECT b.sort_key FROM beneficiary b
        WHERE b.tenant_id = NEW.tenant_id AND b.id = NEW.beneficiary_id
    ) WHERE rowid = NEW.rowid;
END
""",
    """
CREATE TRIGGER IF NOT EXISTS beneficiary_sort_key_to_tokens
AFTER UPDATE OF sort_key ON beneficiary WHEN OLD.sort_key IS NOT NEW.sort_key BEGIN
    UPDATE beneficiary_search_token SET sort_key = NEW.sort_key
    WHERE tenant_id = NEW.tenant_id AND beneficiary_id = NEW.id;
END
""",
    """
UPDATE beneficiary_search_token SET sort_key = (
    SELECT b.sort_key FROM beneficiary b
    WHERE b.tenant_id = beneficiary_search_token.tenant_id
    AND b.id = beneficiary_search_token.beneficiary_id
) WHERE sort_key IS NULL
""",
    'ALTER TABLE "beneficiary_search_token" ADD COLUMN "head" TEXT '
    'GENERATED ALWAYS AS (substr("token", 1, 2)) VIRTUAL',
    'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_token_sort" ON '
    '"beneficiary_search_token" (tenant_id, token, sort_key, beneficiary_id)',
    'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_head_sort" ON '
    '"beneficiary_search_token" (tenant_id, head, sort_key, beneficiary_id, token)',
    'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_person_token" ON '
    '"beneficiary_search_token" (tenant_id, beneficiary_id, token)',
    'DROP INDEX IF EXISTS "beneficiary_search_token_token_ix"',
    'DROP INDEX IF EXISTS "beneficiary_search_token_beneficiary_id_ix"',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="beneficiaries", description=DESCRIPTION)

    async def search_tokens() -> None:
        ddl = db.engine().run_ddl
        if not db.is_postgres():
            for statement in SQLITE:
                await ddl(statement)
            return
        for statement in PG_TRIGGERS + PG_DROP:
            await ddl(statement)
        for row in await db.fetch("SELECT id FROM tenant"):
            await db.fetch("SELECT set_config('app.tenant_id', {}, true)", str(row["id"]))
            await db.fetch(PG_BACKFILL, row["id"])
        await db.fetch("SELECT set_config('app.tenant_id', '', true)")
        for statement in PG_AFTER:
            await ddl(statement)

    manager.add_raw(search_tokens)
    return manager
