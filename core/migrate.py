"""`merimna migrate`: every pending migration of core, tenants and installed plugins.

Several processes may start at once against a fresh PostgreSQL (N workers, M machines); one
transaction holding an advisory lock makes the run atomic and the others wait, then find
nothing left to do.
"""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from core import db

MIGRATION_LOCK = 7_270_319  # any constant shared by all Merimna processes


class MigrationError(RuntimeError):
    pass


async def migrate_all(verbose: bool = False) -> str:
    """Apply all pending migrations; returns Piccolo's log (printed with --verbose)."""
    out = io.StringIO()
    async with db.transaction(write=True):
        if db.is_postgres():
            await db.fetch("SELECT pg_advisory_xact_lock({})", MIGRATION_LOCK)
        with contextlib.redirect_stdout(out):
            result = await run_forwards(app_name="all")
        if not result.success:
            raise MigrationError(result.message or "a migration failed")
    return out.getvalue()


async def pending_migrations() -> dict[str, list[str]]:
    """Migrations present on disk but not applied, per app (for checks and tests)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = BaseMigrationManager()
    await manager.create_migration_table()
    pending: dict[str, list[str]] = {}
    for app_name in manager.get_sorted_app_names():
        config = manager.get_app_config(app_name)
        ids = manager.get_migration_ids(
            manager.get_migration_modules(config.resolved_migrations_folder_path)
        )
        ran = set(await Migration.get_migrations_which_ran(app_name=app_name))
        missing = [i for i in ids if i not in ran]
        if missing:
            pending[app_name] = missing
    return pending
