"""Free-text notes of mediations and placement follow-ups become ciphertext (EncryptedText).

Until now `rb_mediation.notes` and `rb_placement_followup.notes` were VARCHAR(1000) plain text,
and the `*_sealed` columns, already ciphertext, were declared as plain `Text`. Every one of
them is now an `EncryptedText` column, whose SQL type is TEXT.

The column classes are recorded with `old_column_class=None` on purpose: with both classes
given, Piccolo would issue `ALTER COLUMN ... TYPE TEXT`, which SQLite cannot parse. The only
real type change (VARCHAR(1000) -> TEXT for the two `notes` columns; ciphertext is longer
than its plaintext) is made below for PostgreSQL; SQLite stores VARCHAR as TEXT and enforces
no length, so it needs nothing.

Rows written before this migration keep their plaintext notes (there is no tenant key in a
migration to encrypt them with); the services read a value without the `enc:` prefix as
legacy plaintext and store every new or changed note encrypted.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from core.crypto.fields import EncryptedText

ID = "2026-11-23T11:58:05:083150"
VERSION = "1.38.0"
DESCRIPTION = "encrypted notes"

COLUMNS = (
    ("Accompaniment", "rb_accompaniment", "outcome_notes_sealed"),
    ("Application", "rb_application", "notes_sealed"),
    ("Followup", "rb_placement_followup", "notes"),
    ("Mediation", "rb_mediation", "notes"),
    ("Reception", "rb_reception", "notes_sealed"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="roma_branch", description=DESCRIPTION)

    for class_name, tablename, column in COLUMNS:
        manager.alter_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=column,
            db_column_name=column,
            params={},
            old_params={},
            column_class=EncryptedText,
            old_column_class=None,
            schema=None,
        )

    async def widen_notes() -> None:
        engine = engine_finder()
        if engine is None or engine.engine_type == "sqlite":
            return
        for tablename in ("rb_mediation", "rb_placement_followup"):
            await engine.run_ddl(f'ALTER TABLE "{tablename}" ALTER COLUMN "notes" TYPE TEXT')

    manager.add_raw(widen_notes)
    return manager
