"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T07:32:34:405854"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="casework", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("consent", Index(("person_id", "purpose")))
        await tenant_table("case_note", Index(("person_id", "note_date")))
        await tenant_table(
            "case_note_reader",
            Index(("note_id", "user_id"), unique=True),
            Index(("user_id",)),
        )

    manager.add_raw(tenant_schema)
    return manager
