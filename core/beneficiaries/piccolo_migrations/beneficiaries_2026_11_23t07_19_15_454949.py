"""Schema Piccolo cannot declare: tenant-leading indexes, unique keys and row-level security.

The AMKA is unique per tenant only (the same person may be registered by two municipalities,
and that must never be revealed across them). Search tokens get a prefix-friendly index on
both databases; PostgreSQL also gets a trigram index on the combined search key.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core import db
from core.schema import Index, tenant_table

ID = "2026-11-23T07:19:15:454949"
VERSION = "1.38.0"
DESCRIPTION = "tenant schema"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="beneficiaries", description=DESCRIPTION)

    async def tenant_schema() -> None:
        await tenant_table(
            "beneficiary",
            Index(("amka",), unique=True, where="amka IS NOT NULL"),
            Index(("afm",), where="afm IS NOT NULL"),
            Index(("phone",), where="phone IS NOT NULL"),
            Index(("birth_date",)),
            Index(("sort_key", "id")),
            Index(("household_id",), where="household_id IS NOT NULL"),
            Index(("created_at",)),
            Index(("status",)),
            Index(("search_key",), trigram=True),
        )
        await tenant_table(
            "beneficiary_search_token",
            Index(("token",)),
            Index(("beneficiary_id",)),
        )
        if db.is_postgres():
            # LIKE 'prefix%' uses a pattern-ops index whatever the database collation.
            await db.engine().run_ddl(
                'CREATE INDEX IF NOT EXISTS "beneficiary_search_token_token_pat" ON '
                '"beneficiary_search_token" (tenant_id, token text_pattern_ops)'
            )
        await tenant_table(
            "beneficiary_category",
            Index(("code", "beneficiary_id")),
            Index(("beneficiary_id",)),
        )
        await tenant_table(
            "beneficiary_category_code",
            Index(("code",), unique=True),
        )
        await tenant_table("household", Index(("created_at",)))
        await tenant_table(
            "household_member",
            Index(("household_id",)),
            Index(("beneficiary_id",), unique=True, where="beneficiary_id IS NOT NULL"),
        )

    manager.add_raw(tenant_schema)
    return manager
