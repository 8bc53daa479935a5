"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api import Index, tenant_table

ID = "2026-11-23T11:15:15:409615"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="food_bank", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table("food_bank_item", Index(("code",), unique=True))
        await tenant_table("food_bank_donor", Index(("name",)))
        await tenant_table(
            "food_bank_donation",
            Index(("receipt_number",), unique=True),
            Index(("donor_id", "received_on")),
            Index(("received_on",)),
        )
        await tenant_table(
            "food_bank_lot",
            Index(("item_id", "expiry")),
            Index(("expiry",)),
            Index(("donation_id",)),
        )
        await tenant_table(
            "food_bank_movement",
            Index(("lot_id", "created_at")),
            Index(("kind", "created_at")),
            Index(("reference_id",)),
        )
        await tenant_table(
            "food_bank_eligibility",
            Index(("household_key", "created_at")),
            Index(("person_id", "created_at")),
            Index(("valid_until",)),
        )
        await tenant_table("food_bank_distribution_day", Index(("day",)))
        await tenant_table(
            "food_bank_pickup",
            Index(("household_key", "day")),
            Index(("person_id", "day")),
            Index(("day",)),
            Index(("distribution_day_id",)),
        )
        await tenant_table(
            "food_bank_snack_delivery",
            Index(("household_key", "week_start"), unique=True),
            Index(("week_start",)),
        )
        await tenant_table("food_bank_issue_line", Index(("issue_id",)), Index(("lot_id",)))

    manager.add_raw(tenant_schema)
    return manager
