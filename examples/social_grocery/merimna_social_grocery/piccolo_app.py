"""Piccolo app of the module: its tables and migrations (`merimna migrate` applies them)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="social_grocery",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(
        modules=["merimna_social_grocery.tables"],
        exclude_imported=True,
    ),
    migration_dependencies=["tenants.piccolo_app"],
)
