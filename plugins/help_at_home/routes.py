"""HTTP routes of Help at Home, mounted by the core under
`/api/v1/t/{tenant}/modules/help_at_home/` (404 for tenants that have not enabled it).

Handlers check the permission, parse, and call `services`; nothing else. Lists answer
`{"items": [...], "next_cursor": ...}` with `?limit=` and `?cursor=`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.api import Forbidden, RequestContext, RequestValidationError, local_today
from plugins.help_at_home import rules, services
from plugins.help_at_home.schemas import (
    FORMS,
    ApplicationForm,
    ApplicationStatusForm,
    BarthelForm,
    CarePlanForm,
    CheckInForm,
    CheckOutForm,
    ClosePlanForm,
    EligibilityFacts,
    ExtraVisitForm,
    HomeRiskForm,
    IncidentCloseForm,
    IncidentForm,
    KatzForm,
    LawtonForm,
    MissedForm,
    PlanServiceForm,
    PlanUpdateForm,
    ResumeForm,
    ServiceEndForm,
)
from plugins.help_at_home.services import ASSESS, MANAGE, READ, VISITS

Ctx = NamedDependency[RequestContext]
Json = dict[str, Any]
TAGS = ["help_at_home"]


def _page(items: list[Any], next_cursor: str | None) -> Json:
    return {"items": items, "next_cursor": next_cursor}


def _require_any(ctx: RequestContext, *permissions: str) -> None:
    if not any(ctx.has(p) for p in permissions):
        raise Forbidden()


# -- forms and rules ------------------------------------------------------------------------


@get(
    "/forms",
    tags=TAGS,
    summary="The module's forms: name, version and JSON schema with Greek and English labels",
)
async def list_forms(ctx: Ctx) -> Json:
    _require_any(ctx, READ, VISITS)
    items = [
        {
            "name": name,
            "version": version,
            "title_el": el,
            "title_en": en,
            "schema": model.model_json_schema(),
        }
        for name, (model, version, el, en) in FORMS.items()
    ]
    return _page(items, None)


@post(
    "/eligibility/preview",
    tags=TAGS,
    status_code=200,
    summary="Try the eligibility and priority rules on facts (nothing is stored)",
)
async def preview_eligibility(ctx: Ctx, data: JSONBody[EligibilityFacts]) -> Json:
    ctx.require(MANAGE)
    facts = rules.Facts(
        age=data.age,
        disability_percent=data.disability_percent,
        lives_alone=data.lives_alone,
        family_support=data.family_support,
        annual_income=data.annual_income,
        scores={str(k): v for k, v in data.scores.items()},
    )
    return services.explain(facts, await services.settings_for(ctx.tenant))


# -- applications ---------------------------------------------------------------------------


@get(
    "/applications",
    tags=TAGS,
    summary="Applications, highest priority first",
    description="`status=waiting` is the waiting list. Filters: `status`, `person_id`.",
)
async def list_applications(
    ctx: Ctx,
    status: FromQuery[
        Literal["waiting", "admitted", "rejected", "withdrawn", "closed"] | None
    ] = None,
    person_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(
        *await services.list_applications(
            ctx, status=status, person_id=person_id, limit=limit, cursor=cursor
        )
    )


@post(
    "/applications",
    tags=TAGS,
    summary="Receive an application or referral",
    description="Decides eligibility (every reason met or failed) and the priority score "
    "with the latest assessments. A person who is not this tenant's is 404.",
)
async def create_application(ctx: Ctx, data: JSONBody[ApplicationForm]) -> Json:
    ctx.require(MANAGE)
    return await services.create_application(ctx, data)


@get("/applications/{application_id:uuid}", tags=TAGS, summary="Read an application")
async def read_application(ctx: Ctx, application_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_application(ctx, application_id)


@post(
    "/applications/{application_id:uuid}/evaluate",
    tags=TAGS,
    status_code=200,
    summary="Decide eligibility and priority again (after new assessments)",
)
async def evaluate_application(ctx: Ctx, application_id: FromPath[UUID]) -> Json:
    ctx.require(MANAGE)
    return await services.evaluate_application(ctx, application_id)


@post(
    "/applications/{application_id:uuid}/status",
    tags=TAGS,
    status_code=200,
    summary="Admit, reject, withdraw or put back on the waiting list",
)
async def application_status(
    ctx: Ctx, application_id: FromPath[UUID], data: JSONBody[ApplicationStatusForm]
) -> Json:
    ctx.require(MANAGE)
    return await services.set_application_status(ctx, application_id, data)


# -- assessments ----------------------------------------------------------------------------


@post(
    "/assessments/katz",
    tags=TAGS,
    summary="Record a Katz ADL assessment",
    description="Six items, 1 independent / 0 dependent; total 0–6 and its band.",
)
async def create_katz(ctx: Ctx, data: JSONBody[KatzForm]) -> Json:
    ctx.require(ASSESS)
    return await services.create_assessment(ctx, "katz", data)


@post(
    "/assessments/lawton",
    tags=TAGS,
    summary="Record a Lawton IADL assessment",
    description="Eight domains answered with the form's option number; total 0–8.",
)
async def create_lawton(ctx: Ctx, data: JSONBody[LawtonForm]) -> Json:
    ctx.require(ASSESS)
    return await services.create_assessment(ctx, "lawton", data)


@post(
    "/assessments/barthel",
    tags=TAGS,
    summary="Record a Barthel Index assessment",
    description="Ten items with their own values; total 0–100 and its band.",
)
async def create_barthel(ctx: Ctx, data: JSONBody[BarthelForm]) -> Json:
    ctx.require(ASSESS)
    return await services.create_assessment(ctx, "barthel", data)


@get("/assessments", tags=TAGS, summary="Assessments, newest first")
async def list_assessments(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    scale: FromQuery[Literal["katz", "lawton", "barthel"] | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(
        *await services.list_assessments(
            ctx, person_id=person_id, scale=scale, limit=limit, cursor=cursor
        )
    )


@get("/assessments/{assessment_id:uuid}", tags=TAGS, summary="Read an assessment")
async def read_assessment(ctx: Ctx, assessment_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_assessment(ctx, assessment_id)


@post("/home-risks", tags=TAGS, summary="Record a home-environment risk checklist")
async def create_home_risk(ctx: Ctx, data: JSONBody[HomeRiskForm]) -> Json:
    ctx.require(ASSESS)
    return await services.create_home_risk(ctx, data)


@get("/home-risks", tags=TAGS, summary="Home-environment checklists, newest first")
async def list_home_risks(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(
        *await services.list_home_risks(ctx, person_id=person_id, limit=limit, cursor=cursor)
    )


@get("/home-risks/{risk_id:uuid}", tags=TAGS, summary="Read a home-environment checklist")
async def read_home_risk(ctx: Ctx, risk_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_home_risk(ctx, risk_id)


# -- care plans -----------------------------------------------------------------------------


@post(
    "/plans",
    tags=TAGS,
    summary="Create a care plan and book its recurring visits",
    description="Each service is booked as weekly series through the core calendar, from "
    "the start date to the end (or review) date; occurrences on holidays, outside hours or "
    "in conflict are skipped and listed in `scheduled.skipped`. A staff member who is not "
    "this tenant's, or cannot deliver the service, is 422 on `services.N.staff_id`.",
)
async def create_plan(ctx: Ctx, data: JSONBody[CarePlanForm]) -> Json:
    ctx.require(MANAGE)
    return await services.create_plan(ctx, data)


@get("/plans", tags=TAGS, summary="Care plans, newest first")
async def list_plans(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    status: FromQuery[Literal["active", "paused", "closed"] | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(
        *await services.list_plans(
            ctx, person_id=person_id, status=status, limit=limit, cursor=cursor
        )
    )


@get("/plans/{plan_id:uuid}", tags=TAGS, summary="Read a care plan")
async def read_plan(ctx: Ctx, plan_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_plan(ctx, plan_id)


@post(
    "/plans/{plan_id:uuid}/schedule",
    tags=TAGS,
    status_code=200,
    summary="Book the plan's visits again from a date (default: today)",
)
async def schedule_plan(
    ctx: Ctx, plan_id: FromPath[UUID], from_date: FromQuery[date | None] = None
) -> Json:
    ctx.require(MANAGE)
    return await services.schedule_plan(ctx, plan_id, from_date=from_date)


@post(
    "/plans/{plan_id:uuid}/visits",
    tags=TAGS,
    summary="Add one visit inside the plan's period",
    description="A start outside the plan's period is 422 on `start`.",
)
async def add_visit(ctx: Ctx, plan_id: FromPath[UUID], data: JSONBody[ExtraVisitForm]) -> Json:
    ctx.require(MANAGE)
    return await services.add_visit(ctx, plan_id, data)


@patch(
    "/plans/{plan_id:uuid}",
    tags=TAGS,
    summary="Change a plan's goals, review and end dates",
    description="An earlier end cancels the planned visits after it; a later end books "
    "nothing by itself (`POST .../schedule` does). A closed plan is 422 on `status`.",
)
async def update_plan(ctx: Ctx, plan_id: FromPath[UUID], data: JSONBody[PlanUpdateForm]) -> Json:
    ctx.require(MANAGE)
    return await services.update_plan(ctx, plan_id, data)


@post(
    "/plans/{plan_id:uuid}/services",
    tags=TAGS,
    summary="Add a service (a weekly visit series) to an active plan and book it",
    description="Booked from today (or the plan's start) to the plan's end or review date; "
    "skipped occurrences are listed in `scheduled.skipped`.",
)
async def add_plan_service(
    ctx: Ctx, plan_id: FromPath[UUID], data: JSONBody[PlanServiceForm]
) -> Json:
    ctx.require(MANAGE)
    return await services.add_plan_service(ctx, plan_id, data)


@post(
    "/plans/{plan_id:uuid}/services/{service_id:uuid}/end",
    tags=TAGS,
    status_code=200,
    summary="Stop one service of a plan; its planned visits from `from_date` are cancelled",
)
async def end_plan_service(
    ctx: Ctx,
    plan_id: FromPath[UUID],
    service_id: FromPath[UUID],
    data: JSONBody[ServiceEndForm],
) -> Json:
    ctx.require(MANAGE)
    return await services.end_plan_service(ctx, plan_id, service_id, data)


@post(
    "/plans/{plan_id:uuid}/close",
    tags=TAGS,
    status_code=200,
    summary="Close a care plan; its later visits are cancelled",
)
async def close_plan(ctx: Ctx, plan_id: FromPath[UUID], data: JSONBody[ClosePlanForm]) -> Json:
    ctx.require(MANAGE)
    return await services.close_plan(ctx, plan_id, data)


@post(
    "/plans/{plan_id:uuid}/resume",
    tags=TAGS,
    status_code=200,
    summary="Resume a paused plan and book its visits again",
)
async def resume_plan(ctx: Ctx, plan_id: FromPath[UUID], data: JSONBody[ResumeForm]) -> Json:
    ctx.require(MANAGE)
    return await services.resume_plan(ctx, plan_id, data.from_date)


# -- incidents ------------------------------------------------------------------------------


@post(
    "/incidents",
    tags=TAGS,
    summary="Record a fall, hospital admission or death",
    description="A hospital admission pauses the open plan, a death closes it (unless "
    "`action` says otherwise); pausing or closing needs `help_at_home.manage`.",
)
async def create_incident(ctx: Ctx, data: JSONBody[IncidentForm]) -> Json:
    ctx.require(VISITS)
    action = data.action or rules.INCIDENT_EFFECT[data.kind]
    if action != "none" and not ctx.has(MANAGE):
        raise Forbidden()
    return await services.create_incident(ctx, data)


@get(
    "/incidents",
    tags=TAGS,
    summary="Incidents, newest first",
    description="`status=open`: no follow-up recorded yet; `status=closed`: followed up.",
)
async def list_incidents(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    status: FromQuery[Literal["open", "closed"] | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(
        *await services.list_incidents(
            ctx, person_id=person_id, status=status, limit=limit, cursor=cursor
        )
    )


@get("/incidents/{incident_id:uuid}", tags=TAGS, summary="Read an incident")
async def read_incident(ctx: Ctx, incident_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_incident(ctx, incident_id)


@post(
    "/incidents/{incident_id:uuid}/close",
    tags=TAGS,
    status_code=200,
    summary="Record an incident's follow-up and close it",
)
async def close_incident(
    ctx: Ctx, incident_id: FromPath[UUID], data: JSONBody[IncidentCloseForm]
) -> Json:
    ctx.require(MANAGE)
    return await services.close_incident(ctx, incident_id, data)


# -- visits and rosters ---------------------------------------------------------------------


@get(
    "/visits",
    tags=TAGS,
    summary="Visits in time order",
    description="Home helpers and drivers see their own. `flagged=missed|late` lists the "
    "visits flagged so.",
)
async def list_visits(
    ctx: Ctx,
    staff_id: FromQuery[UUID | None] = None,
    person_id: FromQuery[UUID | None] = None,
    plan_id: FromQuery[UUID | None] = None,
    date_from: FromQuery[date | None] = None,
    date_to: FromQuery[date | None] = None,
    status: FromQuery[Literal["planned", "done", "missed", "cancelled"] | None] = None,
    flagged: FromQuery[Literal["missed", "late"] | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(VISITS)
    return _page(
        *await services.list_visits(
            ctx,
            staff_id=staff_id,
            person_id=person_id,
            plan_id=plan_id,
            date_from=date_from,
            date_to=date_to,
            status=status,
            flagged=flagged,
            limit=limit,
            cursor=cursor,
        )
    )


@get("/visits/{visit_id:uuid}", tags=TAGS, summary="Read a visit and its log")
async def read_visit(ctx: Ctx, visit_id: FromPath[UUID]) -> Json:
    ctx.require(VISITS)
    return await services.get_visit(ctx, visit_id)


@post(
    "/visits/{visit_id:uuid}/check-in",
    tags=TAGS,
    status_code=200,
    summary="Check in at the beneficiary's home (time, optional coordinates)",
)
async def check_in(ctx: Ctx, visit_id: FromPath[UUID], data: JSONBody[CheckInForm]) -> Json:
    ctx.require(VISITS)
    return await services.check_in(ctx, visit_id, data)


@post(
    "/visits/{visit_id:uuid}/check-out",
    tags=TAGS,
    status_code=200,
    summary="Check out and log the visit (tasks done, vital signs, observations)",
    description="Vital signs outside their plausible ranges are 422 naming the field; "
    "recording them needs `help_at_home.vitals` (nurses).",
)
async def check_out(ctx: Ctx, visit_id: FromPath[UUID], data: JSONBody[CheckOutForm]) -> Json:
    ctx.require(VISITS)
    return await services.check_out(ctx, visit_id, data)


@post(
    "/visits/{visit_id:uuid}/missed",
    tags=TAGS,
    status_code=200,
    summary="Record that a visit did not take place, and why",
)
async def mark_missed(ctx: Ctx, visit_id: FromPath[UUID], data: JSONBody[MissedForm]) -> Json:
    ctx.require(VISITS)
    return await services.mark_missed(ctx, visit_id, data)


@get(
    "/roster",
    tags=TAGS,
    summary="A worker's visits on one day, in visiting order",
    description="Default: the signed-in worker, today. `order=time` (default): by planned "
    "time, visits at the same time nearest postcode first; `order=route`: nearest-neighbour "
    "over postcodes from the unit's postcode (setting `base_postcode`).",
)
async def read_roster(
    ctx: Ctx,
    staff_id: FromQuery[UUID | None] = None,
    day: FromQuery[date | None] = None,
    order: FromQuery[Literal["time", "route"]] = "time",
) -> Json:
    ctx.require(VISITS)
    return await services.roster(
        ctx, staff_id=staff_id, day=day or local_today(ctx.tenant), order=order
    )


# -- follow-up ------------------------------------------------------------------------------


@get(
    "/reassessments",
    tags=TAGS,
    summary="Reassessments due, soonest first",
    description="For people with an open plan: the last assessment plus the tenant's "
    "interval, or earlier after a fall or hospital admission.",
)
async def list_reassessments(
    ctx: Ctx,
    within_days: FromQuery[int] = 30,
    person_id: FromQuery[UUID | None] = None,
) -> Json:
    ctx.require(READ)
    if not 0 <= within_days <= 3660:
        raise RequestValidationError.single(
            "within_days", "help_at_home.out_of_range", low=0, high=3660
        )
    return _page(
        await services.reassessments(ctx, within_days=within_days, person_id=person_id), None
    )


@get(
    "/persons/{person_id:uuid}",
    tags=TAGS,
    summary="A person in Help at Home: applications, latest scores, plan, reassessments",
)
async def read_person(ctx: Ctx, person_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.person_summary(ctx, person_id)


ROUTES: list[Any] = [
    list_forms,
    preview_eligibility,
    list_applications,
    create_application,
    read_application,
    evaluate_application,
    application_status,
    create_katz,
    create_lawton,
    create_barthel,
    list_assessments,
    read_assessment,
    create_home_risk,
    list_home_risks,
    read_home_risk,
    create_plan,
    list_plans,
    read_plan,
    schedule_plan,
    add_visit,
    update_plan,
    add_plan_service,
    end_plan_service,
    close_plan,
    resume_plan,
    create_incident,
    list_incidents,
    read_incident,
    close_incident,
    list_visits,
    read_visit,
    check_in,
    check_out,
    mark_missed,
    read_roster,
    list_reassessments,
    read_person,
]
