"""Staff web pages of Help at Home, mounted by the core under `/t/{tenant}/help_at_home/`.

The same services as the JSON API do the work; these handlers translate between HTML forms
and those services. Forms are rendered from the module's pydantic models by the shared
renderer (`render_form`); a refused submission is shown again with the errors inline (422)
and, the request's transaction being rolled back, nothing is stored. The daily roster is
built for a phone: one column of cards, large buttons, addresses and tasks on each card.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field, ValidationError, create_model, model_validator

from core.api import (
    NotFound,
    Panel,
    PanelItem,
    RequestContext,
    RequestValidationError,
    Task,
    csrf_token,
    get_person,
    list_staff,
    parse_form,
    render_form,
    render_page,
    t,
)
from plugins.help_at_home import services
from plugins.help_at_home.manifest import SLUG
from plugins.help_at_home.schemas import (
    ApplicationForm,
    BarthelForm,
    BarthelItems,
    CheckOutForm,
    Form,
    KatzForm,
    KatzItems,
    LawtonForm,
    LawtonItems,
    MissedForm,
    VitalSigns,
    labelled,
)
from plugins.help_at_home.services import ASSESS, MANAGE, READ, VISITS

Ctx = NamedDependency[RequestContext]
FIELD_PROFESSIONS = {"nurse", "home_helper", "driver", "social_worker", "psychologist"}
AnyRequest = Request[Any, Any, Any]


def _root(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/{SLUG}"


def _today(ctx: RequestContext) -> date:
    return datetime.now(ZoneInfo(ctx.tenant.timezone or "Europe/Athens")).date()


def _name(person: dict[str, Any]) -> str:
    return f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()


async def _person_or_404(person_id: UUID) -> dict[str, Any]:
    try:
        return await get_person(person_id)
    except NotFound:
        raise NotFound() from None


# -- flat page forms (the shared renderer does not render nested models) -------------------


# The application form without the person (taken from the page's address); submissions are
# validated by `ApplicationForm` itself, so the API and the page refuse the same input.
ApplicationPage: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "ApplicationPage",
    __base__=Form,
    **{
        name: (info.annotation, info)
        for name, info in ApplicationForm.model_fields.items()
        if name != "person_id"
    },
)


class AssessmentHeader(Form):
    """Date and notes of an assessment page; the items follow as flat fields. A browser sends
    every answer as text: "5" becomes the score 5 here, before the scale's choices apply."""

    @model_validator(mode="before")
    @classmethod
    def _scores_as_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: int(v) if isinstance(v, str) and v.isdigit() and k != "notes" else v
                for k, v in data.items()
            }
        return data

    assessed_on: date = labelled(el="Ημερομηνία αξιολόγησης", en="Assessed on")
    notes: str = Field(
        default="",
        max_length=5000,
        title="Observations",
        json_schema_extra={
            "label_el": "Παρατηρήσεις",
            "label_en": "Observations",
            "help_el": "Αποθηκεύεται κρυπτογραφημένο.",
            "help_en": "Stored encrypted.",
            "widget": "textarea",
        },
    )


class KatzPage(AssessmentHeader, KatzItems):
    pass


class LawtonPage(AssessmentHeader, LawtonItems):
    pass


class BarthelPage(AssessmentHeader, BarthelItems):
    pass


SCALE_PAGES: dict[str, tuple[type[BaseModel], type[BaseModel], type[BaseModel]]] = {
    "katz": (KatzPage, KatzItems, KatzForm),
    "lawton": (LawtonPage, LawtonItems, LawtonForm),
    "barthel": (BarthelPage, BarthelItems, BarthelForm),
}


class VisitLogPage(VitalSigns):
    """Check-out: what was done, the nurse's vital signs, observations and next steps."""

    tasks_done: list[str] = labelled(
        [],
        el="Εργασίες που έγιναν",
        en="Tasks done",
        help_el="Μία ανά γραμμή.",
        help_en="One per line.",
        max_length=30,
    )
    observations: str = Field(
        default="",
        max_length=5000,
        title="Observations",
        json_schema_extra={
            "label_el": "Παρατηρήσεις",
            "label_en": "Observations",
            "help_el": "Αποθηκεύεται κρυπτογραφημένο.",
            "help_en": "Stored encrypted.",
            "widget": "textarea",
        },
    )
    next_steps: str = labelled("", el="Επόμενα βήματα", en="Next steps", max_length=2000)


VITAL_FIELDS = tuple(VitalSigns.model_fields)


def _check_out_form(page: VisitLogPage, with_vitals: bool) -> CheckOutForm:
    vitals = {k: getattr(page, k) for k in VITAL_FIELDS if getattr(page, k) is not None}
    return _validate(
        CheckOutForm,
        {
            "tasks_done": page.tasks_done,
            "observations": page.observations,
            "next_steps": page.next_steps,
            "vital_signs": vitals if (vitals and with_vitals) else None,
        },
    )


def _validate(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


# -- pages ------------------------------------------------------------------------------------


@get("/", name="help_at_home.index")
async def index(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(READ)
    waiting, _ = await services.list_applications(
        ctx, status="waiting", person_id=None, limit=50, cursor=None
    )
    plans, _ = await services.list_plans(
        ctx, person_id=None, status="active", limit=50, cursor=None
    )
    due = await services.reassessments(ctx, within_days=30)
    names: dict[Any, str] = {}
    for pid in (
        {a["person_id"] for a in waiting}
        | {p["person_id"] for p in plans}
        | {d["person_id"] for d in due}
    ):
        names[pid] = _name(await get_person(pid))
    return await render_page(
        request,
        "help_at_home/index.html",
        ctx=ctx,
        title=t("help_at_home.ui.title"),
        root=_root(ctx),
        waiting=waiting,
        plans=plans,
        due=due,
        names=names,
        today=_today(ctx),
    )


async def _roster_page(
    request: AnyRequest,
    ctx: RequestContext,
    *,
    staff_id: UUID | None,
    day: date,
    message: str = "",
    status_code: int = 200,
) -> Template:
    roster: dict[str, Any] | None = None
    error = ""
    try:
        roster = await services.roster(ctx, staff_id=staff_id, day=day, order="time")
    except RequestValidationError:
        error = t("help_at_home.ui.no_staff_profile")
    staff_options: list[dict[str, Any]] = []
    if ctx.has(READ):  # coordinators pick whose day to see
        found, _ = await list_staff(active=True, limit=200)
        staff_options = [
            {
                "id": str(s["id"]),
                "name": s["display_name"],
                "selected": str(s["id"]) == str(roster["staff_id"] if roster else staff_id),
            }
            for s in found
            if s["profession"] in FIELD_PROFESSIONS
        ]
    return await render_page(
        request,
        "help_at_home/roster.html",
        ctx=ctx,
        title=t("help_at_home.ui.roster"),
        root=_root(ctx),
        roster=roster,
        day=day,
        staff_id=staff_id,
        error=error,
        message=message,
        status_code=status_code,
        tz=ZoneInfo(ctx.tenant.timezone or "Europe/Athens"),
        staff_options=staff_options,
    )


@get("/roster", name="help_at_home.roster")
async def roster(
    request: AnyRequest,
    ctx: Ctx,
    staff_id: FromQuery[UUID | None] = None,
    day: FromQuery[date | None] = None,
) -> Template:
    ctx.require(VISITS)
    return await _roster_page(request, ctx, staff_id=staff_id, day=day or _today(ctx))


def _back_to_roster(ctx: RequestContext, row: dict[str, Any]) -> Redirect:
    day = row["planned_day"]
    return Redirect(f"{_root(ctx)}/roster?day={day}&staff_id={row['staff_id']}", status_code=303)


@post("/visits/{visit_id:uuid}/check-in", name="help_at_home.check_in")
async def check_in(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Any:
    ctx.require(VISITS)
    from plugins.help_at_home.schemas import CheckInForm

    visit = await services.check_in(ctx, visit_id, CheckInForm())
    return _back_to_roster(ctx, visit)


async def _visit_page(
    request: AnyRequest,
    ctx: RequestContext,
    visit_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    visit = await services.get_visit(ctx, visit_id)
    person = await get_person(visit["person_id"])
    token = csrf_token(request.scope)
    log_form = render_form(
        VisitLogPage,
        action=f"{_root(ctx)}/visits/{visit_id}/check-out",
        values=values if values is not None else {"tasks_done": "\n".join(visit["tasks"])},
        errors=errors,
        csrf_token=token,
        submit_label=t("help_at_home.ui.check_out"),
        id_prefix="log",
    )
    missed_form = render_form(
        MissedForm,
        action=f"{_root(ctx)}/visits/{visit_id}/missed",
        csrf_token=token,
        submit_label=t("help_at_home.ui.mark_missed"),
        id_prefix="missed",
    )
    return await render_page(
        request,
        "help_at_home/visit.html",
        ctx=ctx,
        title=t("help_at_home.ui.visit"),
        root=_root(ctx),
        visit=visit,
        person=person,
        person_name=_name(person),
        log_form=log_form,
        missed_form=missed_form,
        status_code=status_code,
        tz=ZoneInfo(ctx.tenant.timezone or "Europe/Athens"),
    )


@get("/visits/{visit_id:uuid}", name="help_at_home.visit")
async def visit_page(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Template:
    ctx.require(VISITS)
    return await _visit_page(request, ctx, visit_id)


@post("/visits/{visit_id:uuid}/check-out", name="help_at_home.check_out")
async def check_out(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Any:
    ctx.require(VISITS)
    data = await request.form()
    try:
        page = parse_form(VisitLogPage, data)
        visit = await services.check_out(
            ctx, visit_id, _check_out_form(page, ctx.has(services.VITALS))
        )
    except RequestValidationError as exc:
        return await _visit_page(request, ctx, visit_id, values=data, errors=exc, status_code=422)
    return _back_to_roster(ctx, visit)


@post("/visits/{visit_id:uuid}/missed", name="help_at_home.missed")
async def missed(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Any:
    ctx.require(VISITS)
    data = await request.form()
    try:
        visit = await services.mark_missed(ctx, visit_id, parse_form(MissedForm, data))
    except RequestValidationError as exc:
        return await _visit_page(request, ctx, visit_id, errors=exc, status_code=422)
    return _back_to_roster(ctx, visit)


@get("/persons/{person_id:uuid}", name="help_at_home.person")
async def person_page(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    summary = await services.person_summary(ctx, person_id)
    person = await get_person(person_id)
    return await render_page(
        request,
        "help_at_home/person.html",
        ctx=ctx,
        title=_name(person),
        root=_root(ctx),
        person=person,
        person_name=_name(person),
        summary=summary,
        can_manage=ctx.has(MANAGE),
        can_assess=ctx.has(ASSESS),
    )


async def _form_page(
    request: AnyRequest,
    ctx: RequestContext,
    *,
    model: type[BaseModel],
    action: str,
    title: str,
    person: dict[str, Any],
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    form = render_form(
        model,
        action=action,
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("help_at_home.ui.save"),
    )
    return await render_page(
        request,
        "help_at_home/form.html",
        ctx=ctx,
        title=title,
        root=_root(ctx),
        person=person,
        person_name=_name(person),
        form=form,
        status_code=status_code,
    )


@get("/persons/{person_id:uuid}/application", name="help_at_home.application_form")
async def application_form(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    ctx.require(MANAGE)
    person = await _person_or_404(person_id)
    return await _form_page(
        request,
        ctx,
        model=ApplicationPage,
        action=f"{_root(ctx)}/persons/{person_id}/application",
        title=t("help_at_home.ui.new_application"),
        person=person,
    )


@post("/persons/{person_id:uuid}/application", name="help_at_home.application_submit")
async def application_submit(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    person = await _person_or_404(person_id)
    data = await request.form()
    try:
        page = parse_form(ApplicationPage, data)
        form = _validate(ApplicationForm, {"person_id": person_id, **page.model_dump()})
        await services.create_application(ctx, form)
    except RequestValidationError as exc:
        return await _form_page(
            request,
            ctx,
            model=ApplicationPage,
            action=f"{_root(ctx)}/persons/{person_id}/application",
            title=t("help_at_home.ui.new_application"),
            person=person,
            values=data,
            errors=exc,
            status_code=422,
        )
    return Redirect(f"{_root(ctx)}/persons/{person_id}", status_code=303)


Scale = Literal["katz", "lawton", "barthel"]


@get("/persons/{person_id:uuid}/assessments/{scale:str}", name="help_at_home.assessment_form")
async def assessment_form(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID], scale: FromPath[str]
) -> Template:
    ctx.require(ASSESS)
    if scale not in SCALE_PAGES:
        raise NotFound()
    person = await _person_or_404(person_id)
    return await _form_page(
        request,
        ctx,
        model=SCALE_PAGES[scale][0],
        action=f"{_root(ctx)}/persons/{person_id}/assessments/{scale}",
        title=t(f"help_at_home.ui.assessment.{scale}"),
        person=person,
    )


@post("/persons/{person_id:uuid}/assessments/{scale:str}", name="help_at_home.assessment_submit")
async def assessment_submit(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID], scale: FromPath[str]
) -> Any:
    ctx.require(ASSESS)
    if scale not in SCALE_PAGES:
        raise NotFound()
    page_model, items_model, form_model = SCALE_PAGES[scale]
    person = await _person_or_404(person_id)
    data = await request.form()
    try:
        page = parse_form(page_model, data)
        values = page.model_dump()
        form = _validate(
            form_model,
            {
                "person_id": person_id,
                "assessed_on": values["assessed_on"],
                "notes": values["notes"],
                "items": {k: values[k] for k in items_model.model_fields},
            },
        )
        await services.create_assessment(ctx, scale, form)  # type: ignore[arg-type]
    except RequestValidationError as exc:
        return await _form_page(
            request,
            ctx,
            model=page_model,
            action=f"{_root(ctx)}/persons/{person_id}/assessments/{scale}",
            title=t(f"help_at_home.ui.assessment.{scale}"),
            person=person,
            values=data,
            errors=exc,
            status_code=422,
        )
    return Redirect(f"{_root(ctx)}/persons/{person_id}", status_code=303)


PAGES: list[Any] = [
    index,
    roster,
    check_in,
    visit_page,
    check_out,
    missed,
    person_page,
    application_form,
    application_submit,
    assessment_form,
    assessment_submit,
]


# -- UI hooks' helpers -------------------------------------------------------------------------


async def person_panel(ctx: RequestContext, person_id: UUID) -> list[Panel]:
    """The person's Help at Home in a few lines: plan, latest bands, next reassessment."""
    from plugins.help_at_home.tables import Application, CarePlan

    has_any = await CarePlan.exists().where(CarePlan.person_id == person_id) or (
        await Application.exists().where(Application.person_id == person_id)
    )
    items: list[PanelItem] = []
    if has_any:
        summary = await services.person_summary(ctx, person_id)
        plan = summary["open_plan"]
        if plan:
            items.append(
                PanelItem(
                    label=t("help_at_home.ui.plan"),
                    detail=t(f"help_at_home.plan_status.{plan['status']}"),
                    badge=str(plan["review_date"]),
                )
            )
        for scale, row in summary["latest_assessments"].items():
            items.append(
                PanelItem(
                    label=t(f"help_at_home.ui.assessment.{scale}"),
                    detail=f"{row['total']}/{row['maximum']} · {row['band_title']}",
                    badge=str(row["assessed_on"]),
                )
            )
        if summary["applications"] and not plan:
            app = summary["applications"][0]
            items.append(
                PanelItem(
                    label=t("help_at_home.ui.application"),
                    detail=app["eligibility"].get("decision_title", ""),
                    badge=str(app["priority_score"]),
                )
            )
    return [
        Panel(
            id="help_at_home.person",
            title_el="Βοήθεια στο Σπίτι",
            title_en="Help at Home",
            items=tuple(items),
            empty_el="Δεν είναι ωφελούμενος/η της Βοήθειας στο Σπίτι.",
            empty_en="Not in Help at Home.",
            more_path=f"{SLUG}/persons/{person_id}",
            order=200,
        )
    ]


async def tasks(ctx: RequestContext) -> list[Task]:
    """Reassessments due within two weeks, for the staff who assess."""
    out: list[Task] = []
    names: dict[Any, str] = {}
    for item in await services.reassessments(ctx, within_days=14):
        pid = item["person_id"]
        if pid not in names:
            names[pid] = _name(await get_person(pid))
        out.append(
            Task(
                id=f"help_at_home.reassessment.{pid}.{item['scale']}",
                title=t(
                    "help_at_home.ui.task_reassessment",
                    scale=t(f"help_at_home.ui.assessment.{item['scale']}"),
                    name=names[pid],
                ),
                path=f"{SLUG}/persons/{pid}",
                kind="help_at_home.reassessment",
                due=item["due"],
                module=SLUG,
            )
        )
    return out
