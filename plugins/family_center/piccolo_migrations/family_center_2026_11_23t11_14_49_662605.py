"""Schema Piccolo cannot declare: tenant-leading indexes and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T11:14:49:662605"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="family_center", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("fc_case", Index(("person_id",)), Index(("status", "opened_on")))
        await tenant_table(
            "fc_party", Index(("person_id",)), Index(("record_type", "record_id"))
        )
        await tenant_table("fc_session", Index(("case_id", "held_at")), Index(("held_at",)))
        await tenant_table("fc_note", Index(("session_id",)), Index(("case_id",)))
        await tenant_table("fc_consent", Index(("case_id", "minor_id")), Index(("minor_id",)))
        await tenant_table(
            "fc_case_referral", Index(("case_id",)), Index(("referral_id",), unique=True)
        )
        await tenant_table("fc_programme", Index(("starts_on",)))
        await tenant_table("fc_meeting", Index(("programme_id", "held_on")))
        await tenant_table(
            "fc_attendance",
            Index(("meeting_id", "person_id"), unique=True),
            Index(("person_id",)),
            Index(("programme_id",)),
        )
        await tenant_table("fc_helper", Index(("kind",)))
        await tenant_table("fc_supervision", Index(("helper_id", "supervised_on")))
        await tenant_table(
            "fc_investigation", Index(("status", "deadline")), Index(("received_on",))
        )
        await tenant_table("fc_inv_visit", Index(("investigation_id",)))
        await tenant_table("fc_dispatch", Index(("investigation_id", "sent_on")))

    manager.add_raw(tenant_schema)
    return manager
