"""The chain head's tenant schema, and one seq per record within a tenant."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.schema import Index, tenant_table

ID = "2026-11-23T11:13:30:962008"
VERSION = "1.38.0"
DESCRIPTION = "audit chain tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("audit_chain", Index((), unique=True, name="audit_chain_tenant_uq"))
        # Two sealed records of one tenant never share a seq (a racing sequencer would fail
        # here rather than fork the chain).
        await tenant_table(
            "audit_event",
            Index(("seq",), unique=True, where="seq IS NOT NULL", name="audit_event_seq_uq"),
        )

    manager.add_raw(tenant_schema)
    return manager
