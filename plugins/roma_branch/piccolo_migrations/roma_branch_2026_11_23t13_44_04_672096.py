"""Encrypt the free text that earlier versions stored in plaintext, tenant by tenant.

Runs at `merimna migrate`, inside the migration's transaction: for every tenant (as that
tenant, so with its own key, its scoping and, on PostgreSQL, row-level security), every
non-empty value without the ciphertext prefix in

* `rb_reception.follow_up` and `rb_accompaniment.purpose` (VARCHAR until the previous
  migrations),
* `rb_mediation.notes` and `rb_placement_followup.notes` (left in plaintext by the
  "encrypted notes" migration, which had no way to reach a tenant's key),

is encrypted with the purpose the services use; and the school actions kept in the JSON
column `rb_school_record.actions` move to `rb_school_action`, their notes encrypted, leaving
the JSON column empty. Running it again changes nothing (idempotent). The tables below are
snapshots of the columns this migration touches, not the module's current classes, so later
changes to `tables.py` cannot change what it does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, Date, Text, Timestamptz, Varchar
from piccolo.columns import UUID as UUIDColumn
from piccolo.table import Table

from core.api import TenantScoped, encrypt, in_each_tenant

ID = "2026-11-23T13:44:04:672096"
VERSION = "1.38.0"
DESCRIPTION = "seal plaintext"

PREFIX = "enc:"


class _Reception(TenantScoped, Table, tablename="rb_reception"):
    id = UUIDColumn(primary_key=True)
    follow_up = Text()


class _Accompaniment(TenantScoped, Table, tablename="rb_accompaniment"):
    id = UUIDColumn(primary_key=True)
    purpose = Text()


class _Mediation(TenantScoped, Table, tablename="rb_mediation"):
    id = UUIDColumn(primary_key=True)
    notes = Text()


class _Followup(TenantScoped, Table, tablename="rb_placement_followup"):
    id = UUIDColumn(primary_key=True)
    notes = Text()


class _SchoolRecord(TenantScoped, Table, tablename="rb_school_record"):
    id = UUIDColumn(primary_key=True)
    actions = JSON()
    created_at = Timestamptz()


class _SchoolAction(TenantScoped, Table, tablename="rb_school_action"):
    id = UUIDColumn(primary_key=True)
    school_record_id = UUIDColumn()
    action_on = Date()
    action = Varchar(length=24)
    notes = Text()
    staff_user_id = UUIDColumn(null=True)
    created_at = Timestamptz()


# (table, column, purpose): the purpose strings are those of plugins/roma_branch/services.py.
TEXT_COLUMNS: tuple[tuple[Any, str, str], ...] = (
    (_Reception, "follow_up", "roma_branch.reception.follow_up"),
    (_Accompaniment, "purpose", "roma_branch.accompaniment.purpose"),
    (_Mediation, "notes", "roma_branch.mediation.notes"),
    (_Followup, "notes", "roma_branch.followup.notes"),
)
ACTION_PURPOSE = "roma_branch.school_action.notes"


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


async def _seal_tenant(tenant_id: UUID) -> None:
    for table, name, purpose in TEXT_COLUMNS:
        column = getattr(table, name)
        rows = await table.select(table.id, column).where(
            (column != "") & column.is_not_null() & column.not_like(f"{PREFIX}%")
        )
        for row in rows:
            sealed = await encrypt(row[name], purpose)
            await table.update({column: sealed}).where(table.id == row["id"])
    records = await _SchoolRecord.select(
        _SchoolRecord.id, _SchoolRecord.actions, _SchoolRecord.created_at
    ).output(load_json=True)
    for record in records:
        actions = record["actions"] or []
        if not actions:
            continue
        rows = []
        for entry in actions:
            on = entry.get("on")
            notes = str(entry.get("notes") or "")
            rows.append(
                _SchoolAction(
                    id=uuid4(),
                    school_record_id=record["id"],
                    action_on=date.fromisoformat(on) if on else record["created_at"].date(),
                    action=str(entry.get("action") or "other")[:24],
                    notes=(await encrypt(notes, ACTION_PURPOSE)) if notes else "",
                    staff_user_id=_uuid(entry.get("by")),
                    created_at=datetime.now(UTC),
                )
            )
        await _SchoolAction.insert(*rows)
        await _SchoolRecord.update({_SchoolRecord.actions: []}).where(
            _SchoolRecord.id == record["id"]
        )


async def seal_plaintext(tenant_ids: list[UUID] | None = None) -> int:
    """The data step (also callable on its own, e.g. by a test): returns tenants visited."""
    return await in_each_tenant(_seal_tenant, tenant_ids=tenant_ids)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="roma_branch", description=DESCRIPTION)

    async def run() -> None:
        await seal_plaintext()

    manager.add_raw(run)
    return manager
