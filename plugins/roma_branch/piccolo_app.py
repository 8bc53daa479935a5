"""Piccolo app of the Roma branch module: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="roma_branch",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["plugins.roma_branch.tables"], exclude_imported=True),
    migration_dependencies=["tenants.piccolo_app"],
)
