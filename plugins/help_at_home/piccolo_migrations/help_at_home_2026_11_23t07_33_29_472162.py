"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T07:33:29:472162"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="help_at_home", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "hah_application",
            Index(("person_id", "received_on")),
            Index(("status", "priority_score")),
        )
        await tenant_table("hah_assessment", Index(("person_id", "scale", "assessed_on")))
        await tenant_table("hah_home_risk", Index(("person_id", "assessed_on")))
        await tenant_table(
            "hah_care_plan", Index(("person_id", "start_date")), Index(("status", "review_date"))
        )
        await tenant_table("hah_plan_service", Index(("plan_id",)), Index(("staff_id",)))
        await tenant_table(
            "hah_visit",
            Index(("staff_id", "planned_start")),
            Index(("plan_id", "planned_start")),
            Index(("person_id", "planned_start")),
            Index(("planned_day", "status")),
            Index(("appointment_id",), unique=True, where="appointment_id IS NOT NULL"),
        )
        await tenant_table("hah_incident", Index(("person_id", "occurred_on")))

    manager.add_raw(tenant_schema)
    return manager
