"""HTTP routes of referrals (`referrals.read` / `referrals.write`, professional roles)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.context import RequestContext
from core.referrals import services
from core.referrals.schemas import (
    AgencyType,
    Direction,
    Kind,
    ReferralCreate,
    ReferralDetail,
    ReferralOut,
    ReferralPage,
    ReferralUpdate,
    Status,
    StatusChangeIn,
)
from core.staff.http import BODY_ERRORS

Ctx = NamedDependency[RequestContext]
TAGS = ["referrals"]


@get(
    "/referrals",
    tags=TAGS,
    summary="List referrals",
    description="Newest first. Filters: `status`, `person_id`, `kind`, `agency_type`, "
    "`direction` (outgoing, incoming), `assigned_staff_id`, `overdue` (open past its due "
    "date), `due_before` (an ISO date).",
)
async def list_referrals(
    ctx: Ctx,
    status: FromQuery[Status | None] = None,
    person_id: FromQuery[UUID | None] = None,
    kind: FromQuery[Kind | None] = None,
    agency_type: FromQuery[AgencyType | None] = None,
    direction: FromQuery[Direction | None] = None,
    assigned_staff_id: FromQuery[UUID | None] = None,
    overdue: FromQuery[bool | None] = None,
    due_before: FromQuery[date | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> ReferralPage:
    ctx.require("referrals.read")
    rows, next_cursor = await services.list_referrals(
        ctx,
        status=status,
        person_id=person_id,
        kind=kind,
        agency_type=agency_type,
        direction=direction,
        assigned_staff_id=assigned_staff_id,
        overdue=overdue,
        due_before=due_before,
        limit=limit,
        cursor=cursor,
    )
    return ReferralPage(items=[ReferralOut(**r) for r in rows], next_cursor=next_cursor)


@post(
    "/referrals",
    tags=TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Refer a person to a service",
    description="`internal`: to a module (`target_module`) and/or a unit (`target_unit_id`) "
    "of this municipality. `external`: to an agency (`agency_type`, `agency_name`); it needs "
    "a consent in force for purpose `referral` (422 `consent_required`) unless "
    "`legal_basis` is `legal_obligation` or `vital_interest`. A person, unit or consent "
    "that is not this tenant's is 404.",
)
async def create_referral(ctx: Ctx, data: JSONBody[ReferralCreate]) -> ReferralDetail:
    ctx.require("referrals.write")
    return ReferralDetail(**await services.create_referral(ctx, data, ctx.tenant.modules))


@get("/referrals/{referral_id:uuid}", tags=TAGS, summary="Read a referral and its history")
async def read_referral(ctx: Ctx, referral_id: FromPath[UUID]) -> ReferralDetail:
    ctx.require("referrals.read")
    return ReferralDetail(**await services.get_referral(ctx, referral_id))


@patch(
    "/referrals/{referral_id:uuid}",
    tags=TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Change a referral's deadline, urgency or assignee",
    description="Only the fields sent change. `assigned_staff_id` must be an active staff "
    "member of this tenant (404 otherwise); null unassigns. Status moves go through "
    "`POST /referrals/{id}/status`.",
)
async def update_referral(
    ctx: Ctx, referral_id: FromPath[UUID], data: JSONBody[ReferralUpdate]
) -> ReferralDetail:
    ctx.require("referrals.write")
    return ReferralDetail(**await services.update_referral(ctx, referral_id, data))


@post(
    "/referrals/{referral_id:uuid}/status",
    tags=TAGS,
    status_code=200,
    exception_handlers=BODY_ERRORS,
    summary="Move a referral to another status",
    description="draft → sent | cancelled; sent → accepted | rejected | cancelled; "
    "accepted → completed | cancelled. Any other move is 422 `invalid_transition`. Sending "
    "an external referral checks its consent again.",
)
async def change_status(
    ctx: Ctx, referral_id: FromPath[UUID], data: JSONBody[StatusChangeIn]
) -> ReferralDetail:
    ctx.require("referrals.write")
    return ReferralDetail(**await services.change_status(ctx, referral_id, data))


ROUTES: list[Any] = [
    list_referrals,
    create_referral,
    read_referral,
    update_referral,
    change_status,
]
