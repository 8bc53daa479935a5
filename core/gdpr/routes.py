"""HTTP routes of the GDPR area (`gdpr.manage`: tenant administrators).

* `GET /beneficiaries/{id}/export[?format=html]`: subject access (GDPR art. 15).
* `POST /beneficiaries/{id}/erase`: erasure (art. 17), 409 `retention_applies` with reasons.
* `GET /gdpr/retention`, `PUT /gdpr/retention`: the tenant's retention policies.
* `GET /gdpr/processing`: the tenant's records of processing (art. 30), no personal data.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Template

from core.context import RequestContext
from core.gdpr import retention, services
from core.gdpr.processing import records_of_processing
from core.gdpr.schemas import (
    EraseIn,
    EraseOut,
    PersonExport,
    ProcessingRecords,
    RetentionIn,
    RetentionList,
    RetentionOut,
)
from core.plugin_host import get_host
from core.staff.http import BODY_ERRORS

Ctx = NamedDependency[RequestContext]
TAGS = ["gdpr"]
PERMISSION = "gdpr.manage"


@get(
    "/beneficiaries/{person_id:uuid}/export",
    tags=TAGS,
    summary="Export everything held on a person (GDPR art. 15)",
    description="One JSON document with the core record and every plugin's records on the "
    "person (`data`, keyed by record type); `format=html` gives the same as a readable page. "
    "Restricted professional notes are withheld and the export says so. Tenant "
    "administrators only; audited as `export`. Another tenant's person is 404.",
)
async def export_person(
    ctx: Ctx,
    person_id: FromPath[UUID],
    format: FromQuery[Literal["json", "html"]] = "json",
) -> Any:
    ctx.require(PERMISSION)
    document = await services.export_person(ctx, person_id)
    if format == "html":
        return Template(
            template_name="gdpr/export.html",
            context={"doc": document, "lang": ctx.language, "tenant": ctx.tenant},
            media_type="text/html; charset=utf-8",
        )
    return Response(PersonExport(**document).model_dump())


@post(
    "/beneficiaries/{person_id:uuid}/erase",
    tags=TAGS,
    status_code=200,
    exception_handlers=BODY_ERRORS,
    summary="Erase a person's data (GDPR art. 17)",
    description="Calls every plugin's erasure in one transaction and anonymises the core "
    "record. Where a plugin must keep records by law the answer is 409 `retention_applies` "
    "with `retained: [{code, message}]` and nothing changes; send `accept_retention: true` "
    "to erase the rest and keep those. A merged duplicate is 409 `gdpr_merged`. Tenant "
    "administrators only; audited as `erase`.",
)
async def erase_person(ctx: Ctx, person_id: FromPath[UUID], data: JSONBody[EraseIn]) -> EraseOut:
    ctx.require(PERMISSION)
    return EraseOut(**await services.erase_person(ctx, person_id, data.accept_retention))


def _policy_out(policy: retention.Policy, lang: str) -> RetentionOut:
    rt = retention.RECORD_TYPES[policy.record_type]
    return RetentionOut(
        record_type=policy.record_type,
        title=rt.title_en if lang == "en" else rt.title_el,
        months=policy.months,
        action=policy.action,
        actions=list(rt.actions),
        default=policy.is_default,
        updated_at=policy.updated_at,
    )


@get(
    "/gdpr/retention",
    tags=TAGS,
    summary="The tenant's retention policies",
    description="Every record type with its months and action (the default until the tenant "
    "sets its own). `merimna retention run` applies them.",
)
async def list_retention(ctx: Ctx) -> RetentionList:
    ctx.require(PERMISSION)
    return RetentionList(items=[_policy_out(p, ctx.language) for p in await retention.policies()])


@put(
    "/gdpr/retention",
    tags=TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Set the retention policy of one record type",
    description="`record_type` one of the listed ones; `months` 1 to 1200; `action` one of "
    "the record type's `actions` (422 naming the field otherwise). Audited.",
)
async def set_retention(ctx: Ctx, data: JSONBody[RetentionIn]) -> RetentionOut:
    from core.audit.writer import record
    from core.errors import RequestValidationError

    ctx.require(PERMISSION)
    record_type = data.record_type
    rt = retention.RECORD_TYPES[record_type]
    if data.action not in rt.actions:
        raise RequestValidationError.single(
            "action", "retention_action", allowed=", ".join(rt.actions)
        )
    policy = await retention.set_policy(record_type, data.months, data.action, ctx.user_id)
    await record(
        ctx,
        "update",
        "retention_policy",
        record_type,
        details={"months": data.months, "action": data.action},
    )
    return _policy_out(policy, ctx.language)


@get(
    "/gdpr/processing",
    tags=TAGS,
    summary="Records of processing (GDPR art. 30)",
    description="What the core areas and the tenant's enabled modules process, why, on "
    "what legal basis, for whom and for how long, with the retention policies. No personal "
    "data. Tenant administrators only.",
)
async def processing(ctx: Ctx) -> ProcessingRecords:
    ctx.require(PERMISSION)
    body = await records_of_processing(get_host(), ctx.tenant.modules, ctx.language)
    name = ctx.tenant.name_en if ctx.language == "en" and ctx.tenant.name_en else ctx.tenant.name
    return ProcessingRecords(tenant=ctx.tenant.slug, controller=name, **body)


ROUTES: list[Any] = [export_person, erase_person, list_retention, set_retention, processing]
