from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T16:48:37:984295"
VERSION = "1.38.0"
DESCRIPTION = "search token sort key"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="beneficiaries", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="BeneficiarySearchToken",
        tablename="beneficiary_search_token",
        column_name="sort_key",
        db_column_name="sort_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 250,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
