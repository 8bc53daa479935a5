from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T13:42:45:519227"
VERSION = "1.38.0"
DESCRIPTION = "distribution day status"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="food_bank", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="DistributionDay",
        tablename="food_bank_distribution_day",
        column_name="status",
        db_column_name="status",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "planned",
            "null": False,
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
