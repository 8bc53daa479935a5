from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from core.api import EncryptedText
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import UUID
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T13:44:38:390738"
VERSION = "1.38.0"
DESCRIPTION = "incident follow-up and closing"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="help_at_home", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Incident",
        tablename="hah_incident",
        column_name="closed_by",
        db_column_name="closed_by",
        column_class_name="UUID",
        column_class=UUID,
        params={
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

    manager.add_column(
        table_class_name="Incident",
        tablename="hah_incident",
        column_name="closed_on",
        db_column_name="closed_on",
        column_class_name="Date",
        column_class=Date,
        params={
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

    manager.add_column(
        table_class_name="Incident",
        tablename="hah_incident",
        column_name="follow_up_sealed",
        db_column_name="follow_up_sealed",
        column_class_name="EncryptedText",
        column_class=EncryptedText,
        params={
            "default": "",
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
