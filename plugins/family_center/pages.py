"""Staff web pages of the Family Support Centre, mounted under `/t/{tenant}/family_center/`.

Pages go through the same services as the API; forms are the API's pydantic models, rendered
with `render_form` and read back with `parse_form` (a rejected form comes back with its
errors next to the fields, status 422, nothing stored).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.api import (
    RequestContext,
    RequestValidationError,
    csrf_token,
    get_person,
    parse_form,
    render_form,
    render_page,
    t,
)
from plugins.family_center import services
from plugins.family_center.manifest import COUNSEL, GROUPS, PROTECTION, READ, SLUG
from plugins.family_center.schemas import (
    MODES_EL,
    MODES_EN,
    PROBLEMS_EL,
    PROBLEMS_EN,
    SESSION_TYPES_EL,
    SESSION_TYPES_EN,
    CaseCreate,
    SessionCreate,
)

Ctx = NamedDependency[RequestContext]
Req = Request[Any, Any, Any]


def _base(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/{SLUG}"


def _label(ctx: RequestContext, code: str, el: dict[str, str], en: dict[str, str]) -> str:
    return (en if ctx.language == "en" else el).get(code, code)


async def _name(person_id: UUID) -> str:
    person = await get_person(person_id)
    return f"{person['last_name']} {person['first_name']}"


@get("/", name="family_center.index")
async def index(request: Req, ctx: Ctx) -> Template:
    ctx.require(READ)
    cases: list[dict[str, Any]] = []
    rows, _ = await services.list_cases(ctx, status="open", limit=50)
    for case in rows:
        cases.append(
            {
                "href": f"{_base(ctx)}/cases/{case['id']}",
                "client": await _name(case["person_id"]),
                "opened_on": case["opened_on"].strftime("%d/%m/%Y"),
                "problems": ", ".join(
                    _label(ctx, p, PROBLEMS_EL, PROBLEMS_EN) for p in case["problems"]
                ),
                "sessions": case["sessions"],
                "review_due": case["review"]["flag"],
            }
        )
    orders: list[dict[str, Any]] = []
    if ctx.has(PROTECTION):
        found, _ = await services.list_investigations(ctx, status="open", limit=50)
        orders = [_order_view(ctx, o) for o in found]
    programmes: list[dict[str, Any]] = []
    if ctx.has(READ):
        found, _ = await services.list_programmes(ctx, kind=None, limit=20, cursor=None)
        programmes = found
    return await render_page(
        request,
        "family_center/index.html",
        ctx=ctx,
        title=t("family_center.title"),
        cases=cases,
        orders=orders,
        programmes=programmes,
        can_counsel=ctx.has(COUNSEL),
        can_groups=ctx.has(GROUPS),
        base=_base(ctx),
    )


def _order_view(ctx: RequestContext, order: dict[str, Any]) -> dict[str, Any]:
    return {
        "href": f"{_base(ctx)}/investigations/{order['id']}",
        "protocol": order["order_protocol"],
        "office": order["prosecutor_office"],
        "received_on": order["received_on"].strftime("%d/%m/%Y"),
        "deadline": order["deadline"].strftime("%d/%m/%Y"),
        "state": order["deadline_state"],
        "state_text": t(f"family_center.deadline.{order['deadline_state']}"),
        "urgent": order["priority"] == "urgent",
        "allegation": t(f"family_center.allegation.{order['allegation']}"),
    }


async def _new_case_page(
    request: Req, ctx: Ctx, values: Any = None, errors: Any = None, status: int = 200
) -> Template:
    form = render_form(
        CaseCreate,
        action=f"{_base(ctx)}/cases/new",
        values=values or {"person_id": request.query_params.get("person_id", "")},
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("family_center.case.open"),
    )
    return await render_page(
        request,
        "family_center/form.html",
        ctx=ctx,
        title=t("family_center.case.new"),
        form=form,
        status_code=status,
    )


@get("/cases/new", name="family_center.case_new")
async def new_case(request: Req, ctx: Ctx) -> Template:
    ctx.require(COUNSEL)
    return await _new_case_page(request, ctx)


@post("/cases/new", name="family_center.case_create", status_code=303)
async def create_case(request: Req, ctx: Ctx) -> Any:
    ctx.require(COUNSEL)
    data = await request.form()
    try:
        case = await services.create_case(ctx, parse_form(CaseCreate, data))
    except RequestValidationError as exc:
        return await _new_case_page(request, ctx, values=data, errors=exc, status=422)
    return Redirect(f"{_base(ctx)}/cases/{case['id']}", status_code=303)


async def _case_page(
    request: Req,
    ctx: Ctx,
    case_id: UUID,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    case = await services.get_case(ctx, case_id)
    sessions = await services.list_sessions(ctx, case_id)
    session_views = [
        {
            "held_at": s["held_at"].astimezone(services.zone(ctx)).strftime("%d/%m/%Y %H:%M"),
            "type": _label(ctx, s["session_type"], SESSION_TYPES_EL, SESSION_TYPES_EN),
            "mode": _label(ctx, s["mode"], MODES_EL, MODES_EN),
            "minutes": s["duration_minutes"],
            "participants": len(s["participant_ids"]),
            "video_link": s["video_link"],
        }
        for s in sessions
    ]
    form = None
    if ctx.has(COUNSEL) and case["status"] == "open":
        form = render_form(
            SessionCreate,
            action=f"{_base(ctx)}/cases/{case_id}/sessions",
            values=values,
            errors=errors,
            csrf_token=csrf_token(request.scope),
            submit_label=t("family_center.session.record"),
            id_prefix="session",
        )
    return await render_page(
        request,
        "family_center/case.html",
        ctx=ctx,
        title=t("family_center.case.title"),
        case=case,
        client=await _name(case["person_id"]),
        family=[await _name(pid) for pid in case["family_member_ids"]],
        problems=[_label(ctx, p, PROBLEMS_EL, PROBLEMS_EN) for p in case["problems"]],
        sessions=session_views,
        form=form,
        status_code=status,
    )


@get("/cases/{case_id:uuid}", name="family_center.case")
async def case_page(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _case_page(request, ctx, case_id)


@post("/cases/{case_id:uuid}/sessions", name="family_center.session_create", status_code=303)
async def create_session(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    data = await request.form()
    try:
        await services.create_session(ctx, case_id, parse_form(SessionCreate, data))
    except RequestValidationError as exc:
        return await _case_page(request, ctx, case_id, values=data, errors=exc, status=422)
    return Redirect(f"{_base(ctx)}/cases/{case_id}", status_code=303)


@get("/investigations", name="family_center.investigations")
async def investigations(request: Req, ctx: Ctx) -> Template:
    ctx.require(PROTECTION)
    state = request.query_params.get("deadline")
    found, _ = await services.list_investigations(
        ctx,
        state=state if state in ("overdue", "approaching", "on_time", "completed") else None,
        limit=200,
    )
    return await render_page(
        request,
        "family_center/investigations.html",
        ctx=ctx,
        title=t("family_center.orders.title"),
        orders=[_order_view(ctx, o) for o in found],
        base=_base(ctx),
        state=state or "",
    )


@get("/investigations/{investigation_id:uuid}", name="family_center.investigation")
async def investigation_page(request: Req, ctx: Ctx, investigation_id: FromPath[UUID]) -> Template:
    ctx.require(PROTECTION)
    order = await services.get_investigation(ctx, investigation_id)
    report = await services.read_report(ctx, investigation_id)
    return await render_page(
        request,
        "family_center/investigation.html",
        ctx=ctx,
        title=t("family_center.orders.one", protocol=order["order_protocol"]),
        order=_order_view(ctx, order),
        raw=order,
        children=[await _name(pid) for pid in order["children_ids"]],
        adults=[await _name(pid) for pid in order["adult_ids"]],
        report=report,
        pdf_href=f"/api/v1/t/{ctx.tenant.slug}/modules/{SLUG}/investigations/"
        f"{investigation_id}/report.pdf",
    )


PAGES = [
    index,
    new_case,
    create_case,
    case_page,
    create_session,
    investigations,
    investigation_page,
]
