"""HTTP routes of the registry: beneficiaries, households and category codes.

Handlers check the permission, set what the user may validate (category codes, special
fields) before the body is decoded, call a service, and shape the answer for the user's
roles: special categories never leave the server for roles that may not see them.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.audit.writer import record
from core.beneficiaries import services
from core.beneficiaries.categories import LOCAL_PREFIX, all_known_categories, visible_codes
from core.beneficiaries.schemas import (
    BeneficiaryCreate,
    BeneficiaryCreated,
    BeneficiaryOut,
    BeneficiaryPage,
    BeneficiaryUpdate,
    CategoryCreate,
    CategoryOut,
    CategoryPage,
    HouseholdCreate,
    HouseholdOut,
    HouseholdPage,
    MemberIn,
    MergeRequest,
    Warning,
    set_scope,
)
from core.context import RequestContext
from core.errors import NotFound, RequestValidationError

READ = "beneficiaries.read"
WRITE = "beneficiaries.write"
MERGE = "beneficiaries.merge"
MANAGE_CATEGORIES = "beneficiaries.categories"
STATUSES = ("active", "inactive", "deceased", "merged", "all")
TAGS = ["beneficiaries"]
Ctx = NamedDependency[RequestContext]


async def _scope_before_body(request: Request[Any, Any, Any]) -> None:
    """Runs before the body is decoded: the codes and fields this user may set."""
    ctx: Ctx = request.scope["state"]["ctx"]
    set_scope(await services.validation_scope_for(ctx, ctx.tenant.modules))


def _reset_scope() -> None:
    set_scope(None)


async def _out(ctx: RequestContext, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if ctx.sees_special_categories:
        return people
    known = await all_known_categories()
    return [services.for_viewer(p, known, False) for p in people]


@get(
    "/beneficiaries",
    tags=TAGS,
    summary="List and search beneficiaries",
    description="`q` searches names (any order, accents, case and final sigma ignored; Latin "
    "and Greeklish spellings find Greek names), AMKA, AFM and phone numbers; at least 2 "
    "characters. `category` (repeatable, all must match) accepts only codes the user may "
    "see: a special category for a role that may not see it is a 422 on `category`. Merged "
    "persons are hidden unless `status=merged` (or `all`).",
)
async def list_beneficiaries(
    ctx: Ctx,
    q: FromQuery[str | None] = None,
    category: FromQuery[list[str] | None] = None,
    status: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> BeneficiaryPage:
    ctx.require(READ)
    if status is not None and status not in STATUSES:
        raise RequestValidationError.single("status", "literal_error", expected=", ".join(STATUSES))
    if category:
        known = await all_known_categories()
        for code in category:
            if code not in known or not visible_codes([code], known, ctx.sees_special_categories):
                raise RequestValidationError.single("category", "unknown_category", category=code)
    people, next_cursor = await services.list_beneficiaries(
        q=q, categories=category, status=status, limit=limit, cursor=cursor
    )
    people = await _out(ctx, people)
    await record(
        ctx,
        "read",
        "beneficiary",
        "",
        details={"list": True, "search": q is not None, "ids": [str(p["id"]) for p in people]},
    )
    return BeneficiaryPage(items=[BeneficiaryOut(**p) for p in people], next_cursor=next_cursor)


@post(
    "/beneficiaries",
    tags=TAGS,
    summary="Register a beneficiary",
    description="Likely duplicates (same name and birth date, same phone) and an AMKA whose "
    "date part differs from the birth date come back as `warnings`. The same AMKA twice in "
    "the tenant is a 409 `duplicate_amka` with `existing_id`.",
    before_request=_scope_before_body,
)
async def create_beneficiary(ctx: Ctx, data: JSONBody[BeneficiaryCreate]) -> BeneficiaryCreated:
    _reset_scope()
    ctx.require(WRITE)
    person, warnings = await services.create_beneficiary(ctx, data)
    (person,) = await _out(ctx, [person])
    return BeneficiaryCreated(**person, warnings=[Warning(**w) for w in warnings])


@get("/beneficiaries/{person_id:uuid}", tags=TAGS, summary="Read a beneficiary")
async def read_beneficiary(ctx: Ctx, person_id: FromPath[UUID]) -> BeneficiaryOut:
    ctx.require(READ)
    person = await services.get_person(person_id)
    await record(ctx, "read", "beneficiary", person_id)
    (person,) = await _out(ctx, [person])
    return BeneficiaryOut(**person)


@patch(
    "/beneficiaries/{person_id:uuid}",
    tags=TAGS,
    summary="Change a beneficiary",
    description="Only the fields sent change; an explicit null clears an optional field. "
    "Special category codes the user may not see are kept as they were.",
    before_request=_scope_before_body,
)
async def update_beneficiary(
    ctx: Ctx, person_id: FromPath[UUID], data: JSONBody[BeneficiaryUpdate]
) -> BeneficiaryOut:
    _reset_scope()
    ctx.require(WRITE)
    person = await services.update_beneficiary(
        ctx, person_id, data, sees_special=ctx.sees_special_categories
    )
    (person,) = await _out(ctx, [person])
    return BeneficiaryOut(**person)


@post(
    "/beneficiaries/{person_id:uuid}/merge",
    tags=TAGS,
    status_code=200,
    summary="Merge a duplicate into this beneficiary (tenant administrators)",
)
async def merge_beneficiary(
    ctx: Ctx, person_id: FromPath[UUID], data: JSONBody[MergeRequest]
) -> BeneficiaryOut:
    ctx.require(MERGE)
    person = await services.merge_persons(ctx, person_id, data.duplicate_id)
    (person,) = await _out(ctx, [person])
    return BeneficiaryOut(**person)


# -- households -------------------------------------------------------------------------------


@get("/households", tags=["households"], summary="List households")
async def list_households(
    ctx: Ctx, limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None
) -> HouseholdPage:
    ctx.require(READ)
    items, next_cursor = await services.list_households(limit, cursor)
    await record(
        ctx, "read", "household", "", details={"list": True, "ids": [str(h["id"]) for h in items]}
    )
    return HouseholdPage(items=[HouseholdOut(**h) for h in items], next_cursor=next_cursor)


@post("/households", tags=["households"], summary="Create a household")
async def create_household(ctx: Ctx, data: JSONBody[HouseholdCreate]) -> HouseholdOut:
    ctx.require(WRITE)
    return HouseholdOut(**await services.create_household(ctx, data))


@get("/households/{household_id:uuid}", tags=["households"], summary="Read a household")
async def read_household(ctx: Ctx, household_id: FromPath[UUID]) -> HouseholdOut:
    ctx.require(READ)
    household = await services.get_household(household_id)
    await record(ctx, "read", "household", household_id)
    return HouseholdOut(**household)


@get(
    "/households/{household_id:uuid}/composition",
    tags=["households"],
    summary="Household composition on a date (size, ages, OECD-modified weight)",
)
async def household_composition(
    ctx: Ctx, household_id: FromPath[UUID], on: FromQuery[date | None] = None
) -> dict[str, Any]:
    ctx.require(READ)
    composition = await services.household_composition(household_id=household_id, on=on)
    await record(ctx, "read", "household", household_id)
    from dataclasses import asdict

    return asdict(composition)


@post(
    "/households/{household_id:uuid}/members",
    tags=["households"],
    summary="Add a member: a beneficiary by id, or a lightweight member",
)
async def add_member(
    ctx: Ctx, household_id: FromPath[UUID], data: JSONBody[MemberIn]
) -> HouseholdOut:
    ctx.require(WRITE)
    return HouseholdOut(**await services.add_member(ctx, household_id, data))


@delete(
    "/households/{household_id:uuid}/members/{member_id:uuid}",
    tags=["households"],
    summary="Remove a member",
)
async def remove_member(ctx: Ctx, household_id: FromPath[UUID], member_id: FromPath[UUID]) -> None:
    ctx.require(WRITE)
    await services.remove_member(ctx, household_id, member_id)


# -- categories -------------------------------------------------------------------------------


@get("/categories", tags=TAGS, summary="Beneficiary category codes visible to the user")
async def list_categories(ctx: Ctx) -> CategoryPage:
    ctx.require(READ)
    items = await services.visible_categories(ctx, ctx.tenant.modules)
    return CategoryPage(items=[CategoryOut(**i.as_dict()) for i in items])  # type: ignore[arg-type]


@post(
    "/categories",
    tags=TAGS,
    summary="Add a tenant category (`local.{code}`)",
)
async def create_category(ctx: Ctx, data: JSONBody[CategoryCreate]) -> CategoryOut:
    ctx.require(MANAGE_CATEGORIES)
    info = await services.create_local_category(ctx, data)
    return CategoryOut(**info.as_dict())  # type: ignore[arg-type]


@delete(
    "/categories/{code:str}",
    tags=TAGS,
    summary="Retire a tenant category (people keep it; it can no longer be given)",
)
async def retire_category(ctx: Ctx, code: FromPath[str]) -> None:
    ctx.require(MANAGE_CATEGORIES)
    if not code.startswith(LOCAL_PREFIX):
        raise NotFound()
    await services.retire_local_category(ctx, code)


ROUTES = [
    list_beneficiaries,
    create_beneficiary,
    read_beneficiary,
    update_beneficiary,
    merge_beneficiary,
    list_households,
    create_household,
    read_household,
    household_composition,
    add_member,
    remove_member,
    list_categories,
    create_category,
    retire_category,
]
