"""Staff web pages of the Roma branch, mounted under `/t/{tenant}/roma_branch/`.

The pages call the same services as the JSON API (so the same checks, audit and 404s apply)
and render forms from the same pydantic models.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.api import (
    RequestContext,
    RequestValidationError,
    Task,
    csrf_token,
    parse_form,
    render_form,
    render_page,
    t,
)
from plugins.roma_branch import services
from plugins.roma_branch.manifest import ACCESS, APPLICATIONS, ESF, JOBS, RECEPTION, SLUG
from plugins.roma_branch.schemas import EstimateIn, ReceptionIn
from plugins.roma_branch.tables import (
    Application,
    Followup,
    JobSeeker,
    Placement,
    Reception,
    SchoolRecord,
)

Ctx = NamedDependency[RequestContext]
AnyRequest = Request[Any, Any, Any]


def _root(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/{SLUG}/"


def _nav(ctx: RequestContext) -> list[dict[str, str]]:
    root = _root(ctx)
    links = [
        ("", "ui.title"),
        ("reception", "ui.reception"),
        ("applications", "ui.applications"),
        ("estimate", "ui.estimate"),
        ("job-seekers", "ui.jobs"),
        ("school", "ui.school"),
    ]
    if ctx.has(ESF):
        links.append(("esf", "ui.esf"))
    return [{"href": root + path, "title": t(f"{SLUG}.{key}")} for path, key in links]


async def _page(
    request: AnyRequest, ctx: RequestContext, template: str, title_key: str, **context: Any
) -> Template:
    return await render_page(
        request,
        f"{SLUG}/{template}",
        ctx=ctx,
        title=t(f"{SLUG}.{title_key}"),
        nav=_nav(ctx),
        root=_root(ctx),
        **context,
    )


@get("/", name="roma_branch.home")
async def home(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    stats = [
        ("ui.stat.reception", await Reception.count()),
        (
            "ui.stat.applications",
            await Application.count().where(Application.outcome == "pending"),
        ),
        ("ui.stat.seekers", await JobSeeker.count().where(JobSeeker.active == True)),  # noqa: E712
        ("ui.stat.school", await SchoolRecord.count()),
    ]
    settings = await services.settings_of(ctx)
    return await _page(
        request,
        ctx,
        "home.html",
        "ui.title",
        stats=[(t(f"{SLUG}.{k}"), v) for k, v in stats],
        settlements=settings.settlements,
    )


async def _reception_page(
    request: AnyRequest, ctx: RequestContext, values: Any = None, errors: Any = None
) -> Template:
    items, _ = await services.list_reception(ctx, limit=50)
    form = ""
    if ctx.has(RECEPTION):
        form = render_form(
            ReceptionIn,
            action=_root(ctx) + "reception",
            values=values,
            errors=errors,
            csrf_token=csrf_token(request.scope),
            id_prefix="rb-reception",
        )
    rows = [
        {
            "date": i["visited_on"],
            "request": t(f"{SLUG}.request.{i['request_type']}"),
            "outcome": i["outcome"],
            "person": t(f"{SLUG}.ui.person") if i["person_id"] else t(f"{SLUG}.ui.anonymous"),
            "count": i["people_count"],
        }
        for i in items
    ]
    return await _page(
        request,
        ctx,
        "reception.html",
        "ui.reception",
        rows=rows,
        form=form,
        status_code=422 if errors else 200,
    )


@get("/reception", name="roma_branch.reception")
async def reception(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    return await _reception_page(request, ctx)


@post("/reception", name="roma_branch.reception_post")
async def reception_post(request: AnyRequest, ctx: Ctx) -> Template | Redirect:
    ctx.require_visible(ACCESS)
    ctx.require(RECEPTION)
    data = await request.form()
    try:
        parsed = parse_form(ReceptionIn, data)
    except RequestValidationError as exc:
        return await _reception_page(request, ctx, values=data, errors=exc)
    await services.create_reception(ctx, parsed)
    return Redirect(_root(ctx) + "reception", status_code=303)


@get("/applications", name="roma_branch.applications")
async def applications(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    items, _ = await services.list_applications(ctx, limit=100)
    rows = [
        {
            "href": _root(ctx) + f"applications/{i['id']}",
            "benefit": t(f"{SLUG}.benefit.{i['benefit']}"),
            "readiness": t(f"{SLUG}.readiness.{i['readiness']}"),
            "outcome": t(f"{SLUG}.outcome.{i['outcome']}"),
            "missing": i["missing_count"],
            "created": i["created_at"].date(),
        }
        for i in items
    ]
    return await _page(request, ctx, "applications.html", "ui.applications", rows=rows)


@get("/applications/{app_id:uuid}", name="roma_branch.application")
async def application(request: AnyRequest, ctx: Ctx, app_id: FromPath[UUID]) -> Template:
    ctx.require_visible(ACCESS)
    app = await services.get_application(ctx, app_id)
    lang_en = ctx.language == "en"
    checklist = [
        {
            "title": i["title_en"] if lang_en else i["title_el"],
            "status": t(f"{SLUG}.doc_status.{i['status']}"),
            "code": i["status"],
            "expiry": i["expiry_date"],
            "required": i["required"],
            "soon": i["expiring_soon"],
        }
        for i in app["checklist"]
    ]
    return await _page(
        request,
        ctx,
        "application.html",
        "ui.applications",
        app=app,
        benefit=t(f"{SLUG}.benefit.{app['benefit']}"),
        readiness=t(f"{SLUG}.readiness.{app['readiness']['verdict']}"),
        checklist=checklist,
        can_edit=ctx.has(APPLICATIONS),
    )


async def _estimate_page(
    request: AnyRequest,
    ctx: RequestContext,
    values: Any = None,
    errors: Any = None,
    result: dict[str, Any] | None = None,
) -> Template:
    form = render_form(
        EstimateIn,
        action=_root(ctx) + "estimate",
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t(f"{SLUG}.ui.calculate"),
        id_prefix="rb-estimate",
    )
    return await _page(
        request,
        ctx,
        "estimate.html",
        "ui.estimate",
        form=form,
        result=result,
        status_code=422 if errors else 200,
    )


@get("/estimate", name="roma_branch.estimate")
async def estimate(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    return await _estimate_page(request, ctx)


@post("/estimate", name="roma_branch.estimate_post")
async def estimate_post(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    data = await request.form()
    try:
        parsed = parse_form(EstimateIn, data)
        result = services.estimate_only(parsed, await services.settings_of(ctx))
    except RequestValidationError as exc:
        return await _estimate_page(request, ctx, values=data, errors=exc)
    return await _estimate_page(request, ctx, values=data, result=result)


@get("/job-seekers", name="roma_branch.seekers")
async def seekers(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    items, _ = await services.list_seekers(ctx, limit=100)
    vacancies, _ = await services.list_vacancies(ctx, status="open", limit=100)
    rows = [
        {
            "href": _root(ctx) + f"job-seekers/{i['id']}/cv" if ctx.has(JOBS) else "",
            "education": t(f"{SLUG}.education.{i['education']}"),
            "skills": ", ".join(i["skills"] or []),
            "availability": t(f"{SLUG}.availability.{i['availability']}"),
        }
        for i in items
    ]
    return await _page(request, ctx, "seekers.html", "ui.jobs", rows=rows, vacancies=vacancies)


@get("/job-seekers/{seeker_id:uuid}/cv", name="roma_branch.cv")
async def cv(request: AnyRequest, ctx: Ctx, seeker_id: FromPath[UUID]) -> Template:
    ctx.require_visible(ACCESS)
    ctx.require(JOBS)
    return await _page(
        request, ctx, "cv.html", "ui.cv", cv=await services.seeker_cv(ctx, seeker_id)
    )


@get("/school", name="roma_branch.school")
async def school(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    items, _ = await services.list_school_records(ctx, limit=100)
    rows = [
        {
            "year": i["school_year"],
            "school": i["school"],
            "grade": i["grade"],
            "enrolment": t(f"{SLUG}.enrolment.{i['enrolment_status']}"),
            "concern": i["attendance_concern"],
            "absences": i["absences"],
        }
        for i in items
    ]
    return await _page(request, ctx, "school.html", "ui.school", rows=rows)


@get("/esf", name="roma_branch.esf")
async def esf(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require_visible(ACCESS)
    ctx.require(ESF)
    items, _ = await services.list_esf_records(ctx, limit=100)
    rows = [
        {
            "date": i["recorded_on"],
            "period": i["period"].replace("_", "–"),
            "kind": t(f"{SLUG}.ui.kind.{i['kind']}"),
            "sex": i["sex"],
            "age_band": i["fields"].get("age_band", ""),
        }
        for i in items
    ]
    return await _page(request, ctx, "esf.html", "ui.esf", rows=rows)


PAGES: list[Any] = [
    home,
    reception,
    reception_post,
    applications,
    application,
    estimate,
    estimate_post,
    seekers,
    cv,
    school,
    esf,
]


# -- tasks for the tenant home ------------------------------------------------------------------


async def tasks_for(ctx: Any) -> list[Task]:
    """Follow-ups the signed-in user recorded, placement follow-ups due within two weeks and
    applications held back by documents (no names: the task opens the record)."""
    today = services.today(ctx)
    horizon = today + timedelta(days=14)
    root = f"{SLUG}/"
    out: list[Task] = []
    due = await Reception.select(
        Reception.id, Reception.request_type, Reception.follow_up_on
    ).where(
        (Reception.staff_user_id == ctx.user_id)
        & Reception.follow_up_on.is_not_null()
        & (Reception.follow_up_on <= horizon)
        & (Reception.follow_up_on >= today - timedelta(days=30))
    )
    for r in due:
        out.append(
            Task(
                id=f"{SLUG}.reception.{r['id']}",
                title=t(f"{SLUG}.task.reception", request=t(f"{SLUG}.request.{r['request_type']}")),
                path=root + "reception",
                kind=f"{SLUG}.reception_follow_up",
                due=r["follow_up_on"],
                module=SLUG,
            )
        )
    if ctx.has(JOBS):
        active = [
            p["id"]
            for p in await Placement.select(Placement.id).where(Placement.status == "active")
        ]
        if active:
            for f in await Followup.select(
                Followup.placement_id, Followup.month, Followup.due_on
            ).where(
                Followup.placement_id.is_in(active)
                & Followup.done_on.is_null()
                & (Followup.due_on <= horizon)
            ):
                out.append(
                    Task(
                        id=f"{SLUG}.followup.{f['placement_id']}.{f['month']}",
                        title=t(f"{SLUG}.task.followup", month=f["month"]),
                        path=root + "job-seekers",
                        kind=f"{SLUG}.placement_follow_up",
                        due=f["due_on"],
                        module=SLUG,
                    )
                )
    if ctx.has(APPLICATIONS):
        for a in await Application.select(
            Application.id, Application.benefit, Application.missing_count
        ).where(
            (Application.created_by == ctx.user_id)
            & Application.submitted_on.is_null()
            & (Application.outcome == "pending")
            & (Application.missing_count > 0)
        ):
            out.append(
                Task(
                    id=f"{SLUG}.application.{a['id']}",
                    title=t(
                        f"{SLUG}.task.documents",
                        benefit=t(f"{SLUG}.benefit.{a['benefit']}"),
                        count=a["missing_count"],
                    ),
                    path=root + f"applications/{a['id']}",
                    kind=f"{SLUG}.documents",
                    module=SLUG,
                )
            )
    return out
