"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T11:15:58:106929"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="roma_branch", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("rb_reception", Index(("visited_on",)), Index(("person_id",)))
        await tenant_table("rb_accompaniment", Index(("day",)), Index(("person_id",)))
        await tenant_table(
            "rb_application", Index(("person_id",)), Index(("benefit", "outcome"))
        )
        await tenant_table("rb_checklist_item", Index(("application_id", "position")))
        await tenant_table(
            "rb_job_seeker",
            Index(("person_id",), unique=True),
        )
        await tenant_table("rb_employer", Index(("name",)))
        await tenant_table("rb_vacancy", Index(("status", "posted_on")), Index(("employer_id",)))
        await tenant_table("rb_mediation", Index(("seeker_id",)), Index(("vacancy_id",)))
        await tenant_table("rb_placement", Index(("seeker_id",)), Index(("start_date",)))
        await tenant_table(
            "rb_placement_followup", Index(("placement_id", "month"), unique=True), Index(("due_on",))
        )
        await tenant_table(
            "rb_school_record",
            Index(("child_id", "school_year"), unique=True),
            Index(("school_year", "enrolment_status")),
        )
        await tenant_table(
            "rb_esf_record",
            Index(("person_id", "period", "kind"), unique=True),
            Index(("period", "kind", "recorded_on")),
        )

    manager.add_raw(tenant_schema)
    return manager
