"""HTTP routes of the staff area: `/staff` and `/units` inside a tenant.

Every staff role reads (`staff.read`); tenant administrators manage (`staff.manage`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.context import RequestContext
from core.errors import RequestValidationError
from core.staff import services
from core.staff.http import BODY_ERRORS
from core.staff.schemas import (
    CaseloadPage,
    CaseloadPerson,
    StaffCreate,
    StaffOut,
    StaffPage,
    StaffUpdate,
    UnitCreate,
    UnitOut,
    UnitPage,
    UnitUpdate,
)
from core.staff.tables import UNIT_KINDS

READ = "staff.read"
MANAGE = "staff.manage"
Ctx = NamedDependency[RequestContext]


@get(
    "/staff",
    tags=["staff"],
    summary="List staff profiles",
    description="Filters: `active`, `unit_id`, `profession` (a role code). Sorted by name.",
)
async def list_staff(
    ctx: Ctx,
    active: FromQuery[bool | None] = None,
    unit_id: FromQuery[UUID | None] = None,
    profession: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> StaffPage:
    ctx.require(READ)
    rows, next_cursor = await services.list_staff(
        active=active, unit_id=unit_id, profession=profession, limit=limit, cursor=cursor
    )
    return StaffPage(items=[StaffOut(**r) for r in rows], next_cursor=next_cursor)


@post(
    "/staff",
    tags=["staff"],
    exception_handlers=BODY_ERRORS,
    summary="Create a staff profile",
    description="`user_id` links a login account that is a member of this tenant (404 "
    "otherwise; 409 `duplicate_staff_user` if it already has a profile). `profession` is a "
    "role code of the core or of an enabled module.",
)
async def create_staff(ctx: Ctx, data: JSONBody[StaffCreate]) -> StaffOut:
    ctx.require(MANAGE)
    return StaffOut(**await services.create_staff(ctx, data, ctx.tenant.modules))


@get("/staff/{staff_id:uuid}", tags=["staff"], summary="Read a staff profile")
async def read_staff(ctx: Ctx, staff_id: FromPath[UUID]) -> StaffOut:
    ctx.require(READ)
    staff = await services.get_staff(staff_id)
    return StaffOut(**staff)


@patch(
    "/staff/{staff_id:uuid}",
    tags=["staff"],
    exception_handlers=BODY_ERRORS,
    summary="Change a staff profile",
    description="Only the fields sent change. `unit_ids` replaces the list; `user_id: null` "
    "unlinks the login account. `handover_to` moves the caseload to another active staff "
    "member (404 if not this tenant's); deactivating (`active: false`) someone with a "
    "caseload without it is 422 `handover_required`.",
)
async def update_staff(ctx: Ctx, staff_id: FromPath[UUID], data: JSONBody[StaffUpdate]) -> StaffOut:
    ctx.require(MANAGE)
    return StaffOut(**await services.update_staff(ctx, staff_id, data, ctx.tenant.modules))


@get(
    "/staff/{staff_id:uuid}/caseload",
    tags=["staff"],
    summary="A staff member's caseload",
    description="The active people this staff member is the case worker of, by surname. "
    "Needs `beneficiaries.read` too. Audited.",
)
async def read_caseload(
    ctx: Ctx,
    staff_id: FromPath[UUID],
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> CaseloadPage:
    ctx.require(READ)
    ctx.require("beneficiaries.read")
    rows, next_cursor = await services.caseload(ctx, staff_id, limit=limit, cursor=cursor)
    return CaseloadPage(items=[CaseloadPerson(**r) for r in rows], next_cursor=next_cursor)


@get(
    "/units",
    tags=["staff"],
    summary="List units (structures) of the municipality",
    description="Filters: `active`, `kind`. Sorted by code.",
)
async def list_units(
    ctx: Ctx,
    active: FromQuery[bool | None] = None,
    kind: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> UnitPage:
    ctx.require(READ)
    if kind is not None and kind not in UNIT_KINDS:
        raise RequestValidationError.single("kind", "literal_error", expected=", ".join(UNIT_KINDS))
    rows, next_cursor = await services.list_units_page(
        active=active, kind=kind, limit=limit, cursor=cursor
    )
    return UnitPage(items=[UnitOut(**r) for r in rows], next_cursor=next_cursor)


@post(
    "/units",
    tags=["staff"],
    exception_handlers=BODY_ERRORS,
    summary="Create a unit",
    description="`code` is unique in the tenant (409 `duplicate_unit_code`).",
)
async def create_unit(ctx: Ctx, data: JSONBody[UnitCreate]) -> UnitOut:
    ctx.require(MANAGE)
    return UnitOut(**await services.create_unit(ctx, data))


@get("/units/{unit_id:uuid}", tags=["staff"], summary="Read a unit")
async def read_unit(ctx: Ctx, unit_id: FromPath[UUID]) -> UnitOut:
    ctx.require(READ)
    return UnitOut(**await services.get_unit(unit_id))


@patch(
    "/units/{unit_id:uuid}",
    tags=["staff"],
    exception_handlers=BODY_ERRORS,
    summary="Change a unit",
    description="Only the fields sent change; `operating_hours: null` means the tenant's.",
)
async def update_unit(ctx: Ctx, unit_id: FromPath[UUID], data: JSONBody[UnitUpdate]) -> UnitOut:
    ctx.require(MANAGE)
    return UnitOut(**await services.update_unit(ctx, unit_id, data))


ROUTES: list[Any] = [
    list_staff,
    create_staff,
    read_staff,
    update_staff,
    read_caseload,
    list_units,
    create_unit,
    read_unit,
    update_unit,
]
