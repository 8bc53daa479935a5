"""Staff web pages of Help at Home, mounted by the core under `/t/{tenant}/help_at_home/`.

Every action of the JSON API (`routes.py`) has a screen here, and both call the same
services: applications (list, the person picker, the form, the decision workflow), the
assessments and the home-risk checklist, care plans (create, edit, add or stop a weekly
series, one extra visit, book again, pause by an incident, resume, close), incidents (report,
list, follow up and close), visits (list with flags, the phone roster, check-in, the visit log,
missed), reassessments due and an eligibility preview.

Forms are rendered from the module's pydantic models by the shared renderer (`render_form`);
a submission is validated by the API's own model, so the page and the API refuse the same
input. A refused submission is shown again with the errors inline next to their fields (422)
and, the request's transaction being rolled back on any status >= 400, nothing is stored.
People and staff are chosen from a search or a select, never typed as ids. The daily roster
is built for a phone: one column of cards, large buttons, addresses and tasks on each card.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any, Literal
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field, ValidationError, create_model, model_validator
from pydantic.fields import FieldInfo

from core.api import (
    AppError,
    FieldError,
    NotFound,
    Panel,
    PanelItem,
    RequestContext,
    RequestValidationError,
    Task,
    csrf_token,
    get_language,
    get_people,
    get_person,
    list_beneficiaries,
    list_staff,
    local_today,
    parse_form,
    person_exists,
    render_form,
    render_page,
    t,
)
from plugins.help_at_home import rules, services
from plugins.help_at_home.manifest import SLUG
from plugins.help_at_home.schemas import (
    ApplicationForm,
    ApplicationStatusForm,
    BarthelForm,
    BarthelItems,
    CarePlanForm,
    CheckInForm,
    CheckOutForm,
    ClosePlanForm,
    EligibilityFacts,
    ExtraVisitForm,
    Form,
    HomeRiskForm,
    HomeRiskItems,
    IncidentCloseForm,
    IncidentForm,
    KatzForm,
    KatzItems,
    LawtonForm,
    LawtonItems,
    MissedForm,
    PlanServiceForm,
    PlanUpdateForm,
    ResumeForm,
    ServiceEndForm,
    VitalSigns,
    labelled,
)
from plugins.help_at_home.services import ASSESS, MANAGE, READ, VISITS

Ctx = NamedDependency[RequestContext]
AnyRequest = Request[Any, Any, Any]
FIELD_PROFESSIONS = ("nurse", "home_helper", "driver", "social_worker", "psychologist")
PAGE_SIZE = 50


# -- small helpers ----------------------------------------------------------------------------


def _zone(ctx: RequestContext) -> ZoneInfo:
    return ZoneInfo(ctx.tenant.timezone or "Europe/Athens")


def _root(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/{SLUG}"


def _name(person: Mapping[str, Any]) -> str:
    return f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()


async def _names(ids: Iterable[Any]) -> dict[Any, str]:
    """Names of the people on a list, in one query (never one per row)."""
    return {pid: _name(p) for pid, p in (await get_people(ids)).items()}


async def _person_or_404(person_id: UUID) -> dict[str, Any]:
    """The person when they are this tenant's; another tenant's id is a 404 page."""
    return await services.check_person(person_id)


def _filters(request: AnyRequest) -> dict[str, str]:
    """A GET form's values: the query without the language switch and the page cursor."""
    return {
        k: v for k, v in request.query_params.items() if k not in ("lang", "cursor") and v != ""
    }


def _see_other(url: str) -> Redirect:
    return Redirect(url, status_code=303)


def _validate(model: type[Any], data: dict[str, Any]) -> Any:
    """Validate the page's values with the API's model: the same refusals, the same codes."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def _on_page(exc: RequestValidationError, *prefixes: str) -> RequestValidationError:
    """The API model's error paths (`items.bathing`, `services.0.staff_id`) as the names of
    the flat page's inputs (`bathing`, `staff_id`), so each message sits next to its field."""
    errors = []
    for err in exc.errors:
        name = err.field
        for prefix in prefixes:
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        errors.append(FieldError(name, err.code, err.message, err.params))
    return RequestValidationError(errors=errors)


def _refusal(exc: AppError) -> RequestValidationError:
    """A conflict or another refusal of a service, shown on the form's error summary."""
    if isinstance(exc, RequestValidationError):
        return exc
    return RequestValidationError(errors=exc.errors or [FieldError("", exc.code, exc.detail)])


def _shown_on_form(exc: AppError) -> bool:
    """Refusals shown next to the fields: invalid input (422), a conflict (409), an id the
    form named that is not this tenant's (404 with the field). Others are error pages."""
    return exc.status_code in (409, 422) or (exc.status_code == 404 and bool(exc.errors))


def _flat(
    name: str, model: type[BaseModel], *, exclude: Iterable[str] = (), base: type = Form
) -> type[BaseModel]:
    """`model`'s own fields without `exclude` (e.g. the person, taken from the address)."""
    skip = set(exclude)
    fields: dict[str, Any] = {
        key: (info.annotation, info) for key, info in model.model_fields.items() if key not in skip
    }
    return create_model(name, __base__=base, **fields)  # type: ignore[call-overload, no-any-return]


def with_choices(model: type[BaseModel], **choices: Mapping[str, str]) -> type[BaseModel]:
    """`model` with the named fields turned into selects of these options (`{value: title}`):
    the staff members, the person's applications, the people with an open plan. The value
    chosen is still validated by the API's model afterwards."""
    fields: dict[str, Any] = {}
    for key, options in choices.items():
        info: FieldInfo = model.model_fields[key]
        values = tuple(options) or ("",)
        annotation: Any = Literal[values]  # type: ignore[valid-type]
        required = info.is_required()
        extra = dict(info.json_schema_extra) if isinstance(info.json_schema_extra, dict) else {}
        extra.update(options_el=dict(options), options_en=dict(options))
        fields[key] = (
            annotation if required else annotation | None,
            Field(
                ... if required else None,
                title=info.title,
                description=info.description,
                json_schema_extra=extra,
            ),
        )
    return create_model(model.__name__, __base__=model, **fields)  # type: ignore[call-overload, no-any-return]


async def _staff_options() -> dict[str, str]:
    """Active field staff for a select: "Name · profession"."""
    found, _ = await list_staff(active=True, limit=200)
    return {
        str(s["id"]): f"{s['display_name']} · {t('help_at_home.profession.' + s['profession'])}"
        for s in found
        if s["profession"] in FIELD_PROFESSIONS
    }


async def _page(
    request: AnyRequest,
    ctx: RequestContext,
    template: str,
    title: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return await render_page(
        request,
        template,
        ctx=ctx,
        title=title,
        root=_root(ctx),
        status_code=status_code,
        tz=_zone(ctx),
        **context,
    )


async def _form_page(
    request: AnyRequest,
    ctx: RequestContext,
    *,
    model: type[BaseModel],
    action: str,
    title: str,
    back: tuple[str, str],
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
    intro: str = "",
    submit: str = "",
) -> Template:
    """One form on a page of its own, with a link back (`(href, text)`)."""
    form = render_form(
        model,
        action=action,
        values=values,
        errors=errors,
        request=request,
        submit_label=submit or t("help_at_home.ui.save"),
    )
    return await _page(
        request,
        ctx,
        "help_at_home/form.html",
        title,
        form=form,
        back=back,
        intro=intro,
        status_code=status_code,
    )


# -- page models (the shared renderer draws flat models only) ----------------------------------


# The application form without the person (taken from the page's address); submissions are
# validated by `ApplicationForm` itself, so the API and the page refuse the same input.
ApplicationPage = _flat("ApplicationPage", ApplicationForm, exclude=("person_id",))


class NumbersFromBrowser(Form):
    """A browser sends every answer as text: "5" becomes the score 5 here, before a scale's
    choices (Literal[0, 5, 10]) apply."""

    @model_validator(mode="before")
    @classmethod
    def _scores_as_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: int(v) if isinstance(v, str) and v.isdigit() and k != "notes" else v
                for k, v in data.items()
            }
        return data


class AssessmentHeader(NumbersFromBrowser):
    """Date and notes of an assessment page; the items follow as flat fields."""

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


class HomeRiskPage(HomeRiskItems):
    """The home-risk checklist: the date, one checkbox per hazard, notes."""

    assessed_on: date = labelled(el="Ημερομηνία ελέγχου", en="Checked on")
    notes: str = Field(
        default="",
        max_length=5000,
        title="Notes",
        json_schema_extra={"label_el": "Σημειώσεις", "label_en": "Notes", "widget": "textarea"},
    )


def _fields(model: type[BaseModel], *names: str) -> dict[str, Any]:
    """Fields of an API model, to build a flat page model from (labels and choices kept)."""
    return {n: (model.model_fields[n].annotation, model.model_fields[n]) for n in names}


def _page_model(name: str, *parts: dict[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for part in parts:
        fields.update(part)
    return create_model(name, __base__=Form, **fields)  # type: ignore[call-overload, no-any-return]


# One weekly series of a plan (`PlanServiceForm`): the staff member from a select, the start
# time with the browser's time picker.
SERVICE_FIELDS: dict[str, Any] = {
    **_fields(PlanServiceForm, "service"),
    "staff_id": (str, labelled(el="Υπεύθυνος/η εργαζόμενος/η", en="Assigned staff member")),
    **_fields(PlanServiceForm, "frequency_per_week", "weekdays"),
    "start_time": (time, labelled(time(9, 0), el="Ώρα έναρξης", en="Start time")),
    **_fields(PlanServiceForm, "minutes"),
    "tasks": (
        list[str],
        labelled(
            [],
            el="Εργασίες",
            en="Tasks",
            help_el="Μία ανά γραμμή· εμφανίζονται στο πρόγραμμα ημέρας.",
            help_en="One per line; shown on the roster.",
            max_length=30,
        ),
    ),
}
ServicePage = _page_model("ServicePage", SERVICE_FIELDS)

# A new care plan: the person's application, goals, period, and its first weekly series
# (more are added on the plan's page).
CarePlanPage = _page_model(
    "CarePlanPage",
    {
        "application_id": (str | None, labelled(None, el="Αίτηση", en="Application")),
        "goals": (
            list[str],
            labelled(
                el="Στόχοι",
                en="Goals",
                help_el="Ένας ανά γραμμή.",
                help_en="One per line.",
                min_length=1,
                max_length=20,
            ),
        ),
    },
    _fields(CarePlanForm, "start_date", "review_date", "end_date", "schedule"),
    SERVICE_FIELDS,
)

# One extra visit: the start in the municipality's local time (the browser's picker).
ExtraVisitPage = _page_model(
    "ExtraVisitPage",
    _fields(ExtraVisitForm, "service"),
    {
        "staff_id": (str, labelled(el="Εργαζόμενος/η", en="Staff member")),
        "start": (datetime, labelled(el="Έναρξη", en="Start")),
    },
    _fields(ExtraVisitForm, "minutes"),
    {"tasks": (list[str], labelled([], el="Εργασίες", en="Tasks", max_length=30))},
)


class ScheduleForm(Form):
    from_date: date | None = labelled(
        None,
        el="Από",
        en="From",
        help_el="Προεπιλογή: σήμερα. Όσες επισκέψεις υπάρχουν ήδη δεν διπλασιάζονται.",
        help_en="Default: today. Visits already booked are not booked twice.",
    )


IncidentPage = _flat("IncidentPage", IncidentForm, exclude=("person_id",))
IncidentPageNoAction = _flat("IncidentPageNoAction", IncidentForm, exclude=("person_id", "action"))

# The preview's facts with one box per scale total (the API takes a mapping).
EligibilityPage = _page_model(
    "EligibilityPage",
    _fields(EligibilityFacts, "age", "disability_percent", "lives_alone", "family_support"),
    {
        "annual_income": (
            float | None,
            labelled(None, el="Ετήσιο εισόδημα (€)", en="Annual income (EUR)", ge=0),
        ),
        "katz": (int | None, labelled(None, el="Σύνολο Katz (0–6)", en="Katz total", ge=0, le=6)),
        "lawton": (
            int | None,
            labelled(None, el="Σύνολο Lawton (0–8)", en="Lawton total", ge=0, le=8),
        ),
        "barthel": (
            int | None,
            labelled(None, el="Σύνολο Barthel (0–100)", en="Barthel total", ge=0, le=100),
        ),
    },
)


class VisitFilter(Form):
    staff_id: str | None = labelled(None, el="Εργαζόμενος/η", en="Worker")
    date_from: date | None = labelled(None, el="Από", en="From")
    date_to: date | None = labelled(None, el="Έως", en="To")
    status: Literal["planned", "done", "missed", "cancelled"] | None = labelled(
        None,
        el="Κατάσταση",
        en="Status",
        options={
            "planned": ("Προγραμματισμένη", "Planned"),
            "done": ("Έγινε", "Done"),
            "missed": ("Χαμένη", "Missed"),
            "cancelled": ("Ακυρωμένη", "Cancelled"),
        },
    )
    flagged: Literal["missed", "late"] | None = labelled(
        None,
        el="Επισήμανση",
        en="Flag",
        options={
            "missed": ("Χαμένες ή χωρίς καταγραφή", "Missed or never logged"),
            "late": ("Με καθυστέρηση", "Late"),
        },
    )


VisitFilterOwn = _flat("VisitFilterOwn", VisitFilter, exclude=("staff_id",))


class DueFilter(Form):
    within_days: int = labelled(30, el="Μέσα σε (ημέρες)", en="Within (days)", ge=0, le=3660)


class PersonSearch(Form):
    q: str = labelled(
        "",
        el="Αναζήτηση ωφελούμενου",
        en="Find the beneficiary",
        help_el="Όνομα, ΑΜΚΑ ή ΑΦΜ· ελληνικά ή λατινικά.",
        help_en="Name, AMKA or AFM; Greek or Latin letters.",
        max_length=100,
    )


# -- overview ----------------------------------------------------------------------------------


@get("/", name="help_at_home.index")
async def index(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(READ)
    waiting, _ = await services.list_applications(
        ctx, status="waiting", person_id=None, limit=PAGE_SIZE, cursor=None
    )
    plans, _ = await services.list_plans(
        ctx, person_id=None, status="active", limit=PAGE_SIZE, cursor=None
    )
    due = await services.reassessments(ctx, within_days=30)
    incidents, _ = await services.list_incidents(
        ctx, person_id=None, status="open", limit=PAGE_SIZE, cursor=None
    )
    names = await _names(
        {a["person_id"] for a in waiting}
        | {p["person_id"] for p in plans}
        | {d["person_id"] for d in due}
        | {i["person_id"] for i in incidents}
    )
    return await _page(
        request,
        ctx,
        "help_at_home/index.html",
        t("help_at_home.ui.title"),
        waiting=waiting,
        plans=plans,
        due=due,
        incidents=incidents,
        names=names,
        today=local_today(ctx.tenant),
        can_manage=ctx.has(MANAGE),
    )


# -- applications ------------------------------------------------------------------------------

APPLICATION_STATUSES = ("waiting", "admitted", "rejected", "withdrawn", "closed")


@get("/applications", name="help_at_home.applications")
async def applications(
    request: AnyRequest,
    ctx: Ctx,
    status: FromQuery[Literal["waiting", "admitted", "rejected", "withdrawn", "closed"]] = (
        "waiting"
    ),
    cursor: FromQuery[str | None] = None,
) -> Template:
    ctx.require(READ)
    items, next_cursor = await services.list_applications(
        ctx, status=status, person_id=None, limit=PAGE_SIZE, cursor=cursor
    )
    return await _page(
        request,
        ctx,
        "help_at_home/applications.html",
        t("help_at_home.ui.applications"),
        items=items,
        names=await _names(a["person_id"] for a in items),
        status=status,
        statuses=APPLICATION_STATUSES,
        next_cursor=next_cursor,
        can_manage=ctx.has(MANAGE),
    )


@get("/applications/new", name="help_at_home.application_picker")
async def application_picker(request: AnyRequest, ctx: Ctx) -> Template:
    """Whom the new application is for: a search of the tenant's people (never an id)."""
    ctx.require(MANAGE)
    query = _filters(request)
    results: list[dict[str, Any]] = []
    errors: RequestValidationError | None = None
    searched = False
    try:
        search = parse_form(PersonSearch, query)
    except RequestValidationError as exc:
        errors, search = exc, PersonSearch()
    if len(search.q) >= 2:
        searched = True
        found, _ = await list_beneficiaries(q=search.q, limit=20)
        results = [
            {
                "href": f"{_root(ctx)}/persons/{p['id']}/application",
                "name": _name(p),
                "birth_date": p.get("birth_date"),
            }
            for p in found
        ]
    form = render_form(
        PersonSearch,
        method="get",
        action=f"{_root(ctx)}/applications/new",
        values=query if query else None,
        errors=errors,
        submit_label=t("help_at_home.ui.search"),
        attrs={"role": "search"},
    )
    return await _page(
        request,
        ctx,
        "help_at_home/picker.html",
        t("help_at_home.ui.new_application"),
        form=form,
        results=results,
        searched=searched,
        status_code=422 if errors else 200,
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
        title=f"{t('help_at_home.ui.new_application')}: {_name(person)}",
        back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
    )


@post("/persons/{person_id:uuid}/application", name="help_at_home.application_submit")
async def application_submit(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    person = await _person_or_404(person_id)
    data = await request.form()
    try:
        page = parse_form(ApplicationPage, data)
        form = _validate(ApplicationForm, {"person_id": person_id, **page.model_dump()})
        created = await services.create_application(ctx, form)
    except RequestValidationError as exc:
        return await _form_page(
            request,
            ctx,
            model=ApplicationPage,
            action=f"{_root(ctx)}/persons/{person_id}/application",
            title=f"{t('help_at_home.ui.new_application')}: {_name(person)}",
            back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
            values=data,
            errors=exc,
            status_code=422,
        )
    return _see_other(f"{_root(ctx)}/applications/{created['id']}")


async def _application_page(
    request: AnyRequest,
    ctx: RequestContext,
    application_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    app = await services.get_application(ctx, application_id)
    person = await get_person(app["person_id"])
    summary = await services.person_summary(ctx, app["person_id"])
    status_form = render_form(
        ApplicationStatusForm,
        action=f"{_root(ctx)}/applications/{application_id}/status",
        values=values if values is not None else {"status": app["status"]},
        errors=errors,
        request=request,
        submit_label=t("help_at_home.ui.record_decision"),
        id_prefix="decision",
    )
    return await _page(
        request,
        ctx,
        "help_at_home/application.html",
        f"{t('help_at_home.ui.application')}: {_name(person)}",
        app=app,
        person=person,
        person_name=_name(person),
        latest=summary["latest_assessments"],
        open_plan=summary["open_plan"],
        status_form=status_form,
        can_manage=ctx.has(MANAGE),
        can_assess=ctx.has(ASSESS),
        status_code=status_code,
    )


@get("/applications/{application_id:uuid}", name="help_at_home.application")
async def application_page(
    request: AnyRequest, ctx: Ctx, application_id: FromPath[UUID]
) -> Template:
    ctx.require(READ)
    return await _application_page(request, ctx, application_id)


@post("/applications/{application_id:uuid}/evaluate", name="help_at_home.application_evaluate")
async def application_evaluate(
    request: AnyRequest, ctx: Ctx, application_id: FromPath[UUID]
) -> Redirect:
    """Decide eligibility and priority again, with the latest assessments."""
    ctx.require(MANAGE)
    await services.evaluate_application(ctx, application_id)
    return _see_other(f"{_root(ctx)}/applications/{application_id}?evaluated=1")


@post("/applications/{application_id:uuid}/status", name="help_at_home.application_status")
async def application_status(request: AnyRequest, ctx: Ctx, application_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    data = await request.form()
    try:
        form = parse_form(ApplicationStatusForm, data)
        await services.set_application_status(ctx, application_id, form)
    except RequestValidationError as exc:
        return await _application_page(
            request, ctx, application_id, values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}/applications/{application_id}")


# -- eligibility preview -------------------------------------------------------------------------


@get("/eligibility", name="help_at_home.eligibility")
async def eligibility(request: AnyRequest, ctx: Ctx) -> Template:
    """Try the tenant's eligibility and priority rules on facts; nothing is stored."""
    ctx.require(MANAGE)
    query = _filters(request)
    result: dict[str, Any] | None = None
    errors: RequestValidationError | None = None
    if query:
        try:
            page = parse_form(EligibilityPage, query)
            values = page.model_dump()
            facts = _validate(
                EligibilityFacts,
                {
                    **{k: values[k] for k in ("age", "disability_percent", "lives_alone")},
                    "family_support": values["family_support"],
                    "annual_income": values["annual_income"],
                    "scores": {
                        s: values[s] for s in ("katz", "lawton", "barthel") if values[s] is not None
                    },
                },
            )
            result = services.explain(
                rules.Facts(
                    age=facts.age,
                    disability_percent=facts.disability_percent,
                    lives_alone=facts.lives_alone,
                    family_support=facts.family_support,
                    annual_income=facts.annual_income,
                    scores={str(k): v for k, v in facts.scores.items()},
                ),
                await services.settings_for(ctx.tenant),
            )
        except RequestValidationError as exc:
            errors = _on_page(exc, "scores.")
    form = render_form(
        EligibilityPage,
        method="get",
        action=f"{_root(ctx)}/eligibility",
        values=query if query else None,
        errors=errors,
        submit_label=t("help_at_home.ui.try_rules"),
    )
    return await _page(
        request,
        ctx,
        "help_at_home/eligibility.html",
        t("help_at_home.ui.eligibility"),
        form=form,
        result=result,
        status_code=422 if errors else 200,
    )


# -- assessments and the home-risk checklist ------------------------------------------------------

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
        title=f"{t(f'help_at_home.ui.assessment.{scale}')}: {_name(person)}",
        back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
        values={"assessed_on": local_today(ctx.tenant)},
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
        await services.create_assessment(ctx, scale, form)
    except RequestValidationError as exc:
        return await _form_page(
            request,
            ctx,
            model=page_model,
            action=f"{_root(ctx)}/persons/{person_id}/assessments/{scale}",
            title=f"{t(f'help_at_home.ui.assessment.{scale}')}: {_name(person)}",
            back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
            values=data,
            errors=_on_page(exc, "items."),
            status_code=422,
        )
    return _see_other(f"{_root(ctx)}/persons/{person_id}")


@get("/assessments/{assessment_id:uuid}", name="help_at_home.assessment")
async def assessment_page(request: AnyRequest, ctx: Ctx, assessment_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    row = await services.get_assessment(ctx, assessment_id)
    person = await get_person(row["person_id"])
    model = SCALE_PAGES[row["scale"]][1]
    items = [
        {
            "label": (info.json_schema_extra or {}).get(f"label_{get_language()}", key)  # type: ignore[union-attr]
            or key,
            "answer": row["items"].get(key),
            "score": row["item_scores"].get(key),
        }
        for key, info in model.model_fields.items()
    ]
    return await _page(
        request,
        ctx,
        "help_at_home/assessment.html",
        f"{t('help_at_home.ui.assessment.' + row['scale'])}: {_name(person)}",
        row=row,
        items=items,
        person=person,
        person_name=_name(person),
    )


@get("/persons/{person_id:uuid}/home-risk", name="help_at_home.home_risk_form")
async def home_risk_form(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    ctx.require(ASSESS)
    person = await _person_or_404(person_id)
    return await _form_page(
        request,
        ctx,
        model=HomeRiskPage,
        action=f"{_root(ctx)}/persons/{person_id}/home-risk",
        title=f"{t('help_at_home.ui.home_risk')}: {_name(person)}",
        back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
        values={"assessed_on": local_today(ctx.tenant)},
        intro=t("help_at_home.ui.home_risk_intro"),
    )


@post("/persons/{person_id:uuid}/home-risk", name="help_at_home.home_risk_submit")
async def home_risk_submit(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(ASSESS)
    person = await _person_or_404(person_id)
    data = await request.form()
    try:
        page = parse_form(HomeRiskPage, data)
        values = page.model_dump()
        form = _validate(
            HomeRiskForm,
            {
                "person_id": person_id,
                "assessed_on": values["assessed_on"],
                "notes": values["notes"],
                "items": {k: values[k] for k in HomeRiskItems.model_fields},
            },
        )
        created = await services.create_home_risk(ctx, form)
    except RequestValidationError as exc:
        return await _form_page(
            request,
            ctx,
            model=HomeRiskPage,
            action=f"{_root(ctx)}/persons/{person_id}/home-risk",
            title=f"{t('help_at_home.ui.home_risk')}: {_name(person)}",
            back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
            values=data,
            errors=_on_page(exc, "items."),
            status_code=422,
            intro=t("help_at_home.ui.home_risk_intro"),
        )
    return _see_other(f"{_root(ctx)}/home-risks/{created['id']}")


@get("/home-risks/{risk_id:uuid}", name="help_at_home.home_risk")
async def home_risk_page(request: AnyRequest, ctx: Ctx, risk_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    row = await services.get_home_risk(ctx, risk_id)
    person = await get_person(row["person_id"])
    lang = get_language()
    items = [
        {
            "label": (info.json_schema_extra or {}).get(f"label_{lang}") or key,  # type: ignore[union-attr]
            "present": bool(row["items"].get(key)),
        }
        for key, info in HomeRiskItems.model_fields.items()
    ]
    return await _page(
        request,
        ctx,
        "help_at_home/home_risk.html",
        f"{t('help_at_home.ui.home_risk')}: {_name(person)}",
        row=row,
        items=items,
        person=person,
        person_name=_name(person),
    )


# -- care plans ----------------------------------------------------------------------------------


async def _plan_form_model(person_id: UUID, ctx: RequestContext) -> type[BaseModel]:
    apps, _ = await services.list_applications(
        ctx, status=None, person_id=person_id, limit=PAGE_SIZE, cursor=None
    )
    return with_choices(
        CarePlanPage,
        staff_id=await _staff_options(),
        application_id={
            str(a["id"]): f"{a['received_on']} · "
            f"{t('help_at_home.application_status.' + a['status'])}"
            for a in apps
            if a["status"] in ("waiting", "admitted")
        },
    )


def _service_values(values: dict[str, Any]) -> dict[str, Any]:
    start: time = values["start_time"]
    return {
        "service": values["service"],
        "staff_id": values["staff_id"],
        "frequency_per_week": values["frequency_per_week"],
        "weekdays": values["weekdays"] or None,
        "start_time": start.strftime("%H:%M"),
        "minutes": values["minutes"],
        "tasks": values["tasks"],
    }


@get("/persons/{person_id:uuid}/plans/new", name="help_at_home.plan_form")
async def plan_form(
    request: AnyRequest,
    ctx: Ctx,
    person_id: FromPath[UUID],
    application_id: FromQuery[UUID | None] = None,
) -> Template:
    ctx.require(MANAGE)
    person = await _person_or_404(person_id)
    today = local_today(ctx.tenant)
    return await _form_page(
        request,
        ctx,
        model=await _plan_form_model(person_id, ctx),
        action=f"{_root(ctx)}/persons/{person_id}/plans/new",
        title=f"{t('help_at_home.ui.new_plan')}: {_name(person)}",
        back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
        values={
            "application_id": str(application_id) if application_id else None,
            "start_date": today,
            "review_date": rules.add_months(today, 6),
            "schedule": True,
            "start_time": time(9, 0),
        },
        intro=t("help_at_home.ui.new_plan_intro"),
    )


@post("/persons/{person_id:uuid}/plans/new", name="help_at_home.plan_submit")
async def plan_submit(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    person = await _person_or_404(person_id)
    model = await _plan_form_model(person_id, ctx)
    data = await request.form()
    try:
        page = parse_form(model, data)
        values = page.model_dump()
        form = _validate(
            CarePlanForm,
            {
                "person_id": person_id,
                "application_id": values["application_id"],
                "goals": values["goals"],
                "start_date": values["start_date"],
                "review_date": values["review_date"],
                "end_date": values["end_date"],
                "schedule": values["schedule"],
                "services": [_service_values(values)],
            },
        )
        created = await services.create_plan(ctx, form)
    except AppError as exc:
        if not _shown_on_form(exc):
            raise
        return await _form_page(
            request,
            ctx,
            model=model,
            action=f"{_root(ctx)}/persons/{person_id}/plans/new",
            title=f"{t('help_at_home.ui.new_plan')}: {_name(person)}",
            back=(f"{_root(ctx)}/persons/{person_id}", _name(person)),
            values=data,
            errors=_on_page(_refusal(exc), "services.0."),
            status_code=exc.status_code if exc.status_code != 404 else 422,
            intro=t("help_at_home.ui.new_plan_intro"),
        )
    booked = created["scheduled"]
    return _see_other(
        f"{_root(ctx)}/plans/{created['id']}?booked={booked['created']}"
        f"&skipped={len(booked['skipped'])}"
    )


@get("/plans", name="help_at_home.plans")
async def plans(
    request: AnyRequest,
    ctx: Ctx,
    status: FromQuery[Literal["active", "paused", "closed"]] = "active",
    cursor: FromQuery[str | None] = None,
) -> Template:
    ctx.require(READ)
    items, next_cursor = await services.list_plans(
        ctx, person_id=None, status=status, limit=PAGE_SIZE, cursor=cursor
    )
    return await _page(
        request,
        ctx,
        "help_at_home/plans.html",
        t("help_at_home.ui.plans"),
        items=items,
        names=await _names(p["person_id"] for p in items),
        status=status,
        statuses=("active", "paused", "closed"),
        next_cursor=next_cursor,
    )


# The forms of a plan's page, each posted to its own address; a refused one is shown again
# open, with its errors, and the others closed.
PLAN_FORMS = ("edit", "service", "end", "visit", "schedule", "close", "resume")


async def _plan_page(
    request: AnyRequest,
    ctx: RequestContext,
    plan_id: UUID,
    *,
    failed: str = "",
    failed_service: str = "",
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    plan = await services.get_plan(ctx, plan_id)
    person = await get_person(plan["person_id"])
    staff = await _staff_options() if ctx.has(MANAGE) else {}
    token = csrf_token(request.scope)
    root = _root(ctx)
    today = local_today(ctx.tenant)

    def form(
        key: str,
        model: type[BaseModel],
        action: str,
        submit: str,
        defaults: Any = None,
        service_id: str = "",
    ) -> Any:
        mine = failed == key and failed_service == service_id
        return render_form(
            model,
            action=action,
            values=values if mine else defaults,
            errors=errors if mine else None,
            csrf_token=token,
            submit_label=submit,
            id_prefix=f"{key}{('-' + service_id[:8]) if service_id else ''}",
        )

    forms: dict[str, Any] = {}
    end_forms: dict[str, Any] = {}
    if ctx.has(MANAGE) and plan["status"] != "closed":
        forms["edit"] = form(
            "edit",
            PlanUpdateForm,
            f"{root}/plans/{plan_id}/edit",
            t("help_at_home.ui.save"),
            {
                "goals": plan["goals"],
                "review_date": plan["review_date"],
                "end_date": plan["end_date"],
            },
        )
        forms["close"] = form(
            "close",
            ClosePlanForm,
            f"{root}/plans/{plan_id}/close",
            t("help_at_home.ui.close_plan"),
            {"closed_on": today},
        )
        for svc in plan["services"]:
            if svc["active"]:
                end_forms[str(svc["id"])] = form(
                    "end",
                    ServiceEndForm,
                    f"{root}/plans/{plan_id}/services/{svc['id']}/end",
                    t("help_at_home.ui.end_service"),
                    {"from_date": today},
                    service_id=str(svc["id"]),
                )
    if ctx.has(MANAGE) and plan["status"] == "active":
        forms["service"] = form(
            "service",
            with_choices(ServicePage, staff_id=staff),
            f"{root}/plans/{plan_id}/services",
            t("help_at_home.ui.add_service"),
            {"start_time": time(9, 0)},
        )
        forms["visit"] = form(
            "visit",
            with_choices(ExtraVisitPage, staff_id=staff),
            f"{root}/plans/{plan_id}/visits",
            t("help_at_home.ui.add_visit"),
        )
        forms["schedule"] = form(
            "schedule",
            ScheduleForm,
            f"{root}/plans/{plan_id}/schedule",
            t("help_at_home.ui.schedule"),
            {"from_date": today},
        )
    if ctx.has(MANAGE) and plan["status"] == "paused":
        forms["resume"] = form(
            "resume",
            ResumeForm,
            f"{root}/plans/{plan_id}/resume",
            t("help_at_home.ui.resume_plan"),
            {"from_date": today},
        )
    visits, _ = await services.list_visits(
        ctx,
        staff_id=None,
        person_id=None,
        plan_id=plan_id,
        date_from=today,
        date_to=None,
        status=None,
        flagged=None,
        limit=20,
        cursor=None,
    )
    return await _page(
        request,
        ctx,
        "help_at_home/plan.html",
        f"{t('help_at_home.ui.plan')}: {_name(person)}",
        plan=plan,
        person=person,
        person_name=_name(person),
        forms=forms,
        end_forms=end_forms,
        failed=failed,
        errors_for=failed_service,
        staff_names=await services.staff_names(s["staff_id"] for s in plan["services"]),
        visits=visits,
        booked=request.query_params.get("booked"),
        skipped=request.query_params.get("skipped"),
        cancelled=request.query_params.get("cancelled"),
        status_code=status_code,
    )


@get("/plans/{plan_id:uuid}", name="help_at_home.plan")
async def plan_page(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _plan_page(request, ctx, plan_id)


async def _plan_action(
    request: AnyRequest,
    ctx: RequestContext,
    plan_id: UUID,
    key: str,
    model: type[BaseModel],
    act: Any,
    *,
    prefixes: tuple[str, ...] = (),
    service_id: str = "",
) -> Any:
    """Parse one of the plan page's forms, call the service, go back to the plan (303), or
    show the page again with that form's errors (422, or 409 for a conflict)."""
    ctx.require(MANAGE)
    await services.get_plan(ctx, plan_id, audit_read=False)  # another tenant's plan: 404
    data = await request.form()
    try:
        result = await act(parse_form(model, data))
    except AppError as exc:
        if not _shown_on_form(exc):
            raise
        return await _plan_page(
            request,
            ctx,
            plan_id,
            failed=key,
            failed_service=service_id,
            values=data,
            errors=_on_page(_refusal(exc), *prefixes),
            status_code=exc.status_code if exc.status_code != 404 else 422,
        )
    query = ""
    if isinstance(result, dict):
        if "scheduled" in result:
            query = (
                f"?booked={result['scheduled']['created']}"
                f"&skipped={len(result['scheduled']['skipped'])}"
            )
        elif "created" in result:
            query = f"?booked={result['created']}&skipped={len(result['skipped'])}"
        elif "visits_cancelled" in result:
            query = f"?cancelled={result['visits_cancelled']}"
    return _see_other(f"{_root(ctx)}/plans/{plan_id}{query}")


@post("/plans/{plan_id:uuid}/edit", name="help_at_home.plan_edit")
async def plan_edit(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Any:
    async def act(form: PlanUpdateForm) -> Any:
        return await services.update_plan(ctx, plan_id, form)

    return await _plan_action(request, ctx, plan_id, "edit", PlanUpdateForm, act)


@post("/plans/{plan_id:uuid}/services", name="help_at_home.plan_add_service")
async def plan_add_service(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Any:
    model = with_choices(ServicePage, staff_id=await _staff_options())

    async def act(page: BaseModel) -> Any:
        form = _validate(PlanServiceForm, _service_values(page.model_dump()))
        return await services.add_plan_service(ctx, plan_id, form)

    return await _plan_action(request, ctx, plan_id, "service", model, act)


@post("/plans/{plan_id:uuid}/services/{service_id:uuid}/end", name="help_at_home.plan_end_service")
async def plan_end_service(
    request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID], service_id: FromPath[UUID]
) -> Any:
    async def act(form: ServiceEndForm) -> Any:
        return await services.end_plan_service(ctx, plan_id, service_id, form)

    return await _plan_action(
        request, ctx, plan_id, "end", ServiceEndForm, act, service_id=str(service_id)
    )


@post("/plans/{plan_id:uuid}/visits", name="help_at_home.plan_add_visit")
async def plan_add_visit(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Any:
    model = with_choices(ExtraVisitPage, staff_id=await _staff_options())
    zone = _zone(ctx)

    async def act(page: BaseModel) -> Any:
        values = page.model_dump()
        start: datetime = values["start"]
        form = _validate(
            ExtraVisitForm,
            {
                **values,
                "start": start.replace(tzinfo=zone) if start.tzinfo is None else start,
            },
        )
        return await services.add_visit(ctx, plan_id, form)

    return await _plan_action(request, ctx, plan_id, "visit", model, act)


@post("/plans/{plan_id:uuid}/schedule", name="help_at_home.plan_schedule")
async def plan_schedule(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Any:
    async def act(form: ScheduleForm) -> Any:
        return await services.schedule_plan(ctx, plan_id, from_date=form.from_date)

    return await _plan_action(request, ctx, plan_id, "schedule", ScheduleForm, act)


@post("/plans/{plan_id:uuid}/close", name="help_at_home.plan_close")
async def plan_close(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Any:
    async def act(form: ClosePlanForm) -> Any:
        return await services.close_plan(ctx, plan_id, form)

    return await _plan_action(request, ctx, plan_id, "close", ClosePlanForm, act)


@post("/plans/{plan_id:uuid}/resume", name="help_at_home.plan_resume")
async def plan_resume(request: AnyRequest, ctx: Ctx, plan_id: FromPath[UUID]) -> Any:
    async def act(form: ResumeForm) -> Any:
        return await services.resume_plan(ctx, plan_id, form.from_date)

    return await _plan_action(request, ctx, plan_id, "resume", ResumeForm, act)


# -- incidents -----------------------------------------------------------------------------------


@get("/incidents", name="help_at_home.incidents")
async def incidents(
    request: AnyRequest,
    ctx: Ctx,
    status: FromQuery[Literal["open", "closed"]] = "open",
    cursor: FromQuery[str | None] = None,
) -> Template:
    ctx.require(READ)
    items, next_cursor = await services.list_incidents(
        ctx, person_id=None, status=status, limit=PAGE_SIZE, cursor=cursor
    )
    return await _page(
        request,
        ctx,
        "help_at_home/incidents.html",
        t("help_at_home.ui.incidents"),
        items=items,
        names=await _names(i["person_id"] for i in items),
        status=status,
        next_cursor=next_cursor,
    )


async def _incident_model(ctx: RequestContext, person_id: UUID | None) -> type[BaseModel]:
    """The incident form: whom it is about (a select of the people the user works with, or
    the person given), and the effect on the plan for coordinators only."""
    base = IncidentPage if ctx.has(MANAGE) else IncidentPageNoAction
    ids = [person_id] if person_id else await services.incident_people(ctx)
    names = await _names(ids)
    options = dict(sorted(((str(i), names[i]) for i in ids if i in names), key=lambda kv: kv[1]))
    model = create_model(
        "IncidentPersonPage",
        __base__=base,
        person_id=(str, labelled(el="Ωφελούμενος", en="Beneficiary")),
    )
    return with_choices(model, person_id=options)


async def _incident_person(ctx: RequestContext, value: Any) -> UUID | None:
    """The person an incident form was opened for, when the user may report for them:
    coordinators and clinical staff for anyone of the tenant, field workers for the people
    of their visits. Anyone else: None (the form offers its list)."""
    try:
        person_id = UUID(str(value))
    except ValueError:
        return None
    if ctx.has(READ):
        return person_id if await person_exists(person_id) else None
    return person_id if person_id in await services.incident_people(ctx) else None


@get("/incidents/new", name="help_at_home.incident_form")
async def incident_form(
    request: AnyRequest, ctx: Ctx, person_id: FromQuery[UUID | None] = None
) -> Template:
    ctx.require(VISITS)
    chosen = await _incident_person(ctx, person_id) if person_id else None
    if person_id is not None and chosen is None:
        raise NotFound()
    return await _form_page(
        request,
        ctx,
        model=await _incident_model(ctx, chosen),
        action=f"{_root(ctx)}/incidents/new",
        title=t("help_at_home.ui.report_incident"),
        back=_incident_back(ctx),
        values={
            "person_id": str(chosen) if chosen else None,
            "occurred_on": local_today(ctx.tenant),
        },
        intro=t("help_at_home.ui.incident_intro")
        if ctx.has(MANAGE)
        else t("help_at_home.ui.incident_intro_field"),
    )


def _incident_back(ctx: RequestContext) -> tuple[str, str]:
    if ctx.has(READ):
        return f"{_root(ctx)}/incidents", t("help_at_home.ui.incidents")
    return f"{_root(ctx)}/roster", t("help_at_home.ui.roster")


@post("/incidents/new", name="help_at_home.incident_submit")
async def incident_submit(request: AnyRequest, ctx: Ctx) -> Any:
    ctx.require(VISITS)
    data = await request.form()
    model = await _incident_model(ctx, await _incident_person(ctx, data.get("person_id")))
    try:
        page = parse_form(model, data)
        values = page.model_dump()
        if not ctx.has(MANAGE):
            values["action"] = "none"  # field staff report; coordinators decide the plan
        form = _validate(IncidentForm, values)
        created = await services.create_incident(ctx, form)
    except RequestValidationError as exc:
        return await _form_page(
            request,
            ctx,
            model=model,
            action=f"{_root(ctx)}/incidents/new",
            title=t("help_at_home.ui.report_incident"),
            back=_incident_back(ctx),
            values=data,
            errors=exc,
            status_code=422,
        )
    if ctx.has(READ):
        return _see_other(f"{_root(ctx)}/incidents/{created['id']}")
    return _see_other(f"{_root(ctx)}/roster?reported=1")


async def _incident_page(
    request: AnyRequest,
    ctx: RequestContext,
    incident_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    row = await services.get_incident(ctx, incident_id)
    person = await get_person(row["person_id"])
    close_form = None
    if ctx.has(MANAGE) and row["status"] == "open":
        close_form = render_form(
            IncidentCloseForm,
            action=f"{_root(ctx)}/incidents/{incident_id}/close",
            values=values if values is not None else {"closed_on": local_today(ctx.tenant)},
            errors=errors,
            request=request,
            submit_label=t("help_at_home.ui.close_incident"),
            id_prefix="close",
        )
    return await _page(
        request,
        ctx,
        "help_at_home/incident.html",
        f"{row['kind_title']}: {_name(person)}",
        row=row,
        person=person,
        person_name=_name(person),
        close_form=close_form,
        status_code=status_code,
    )


@get("/incidents/{incident_id:uuid}", name="help_at_home.incident")
async def incident_page(request: AnyRequest, ctx: Ctx, incident_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _incident_page(request, ctx, incident_id)


@post("/incidents/{incident_id:uuid}/close", name="help_at_home.incident_close")
async def incident_close(request: AnyRequest, ctx: Ctx, incident_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    data = await request.form()
    try:
        await services.close_incident(ctx, incident_id, parse_form(IncidentCloseForm, data))
    except RequestValidationError as exc:
        return await _incident_page(
            request, ctx, incident_id, values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}/incidents/{incident_id}")


# -- visits and the roster -----------------------------------------------------------------------


@get("/visits", name="help_at_home.visits")
async def visits(request: AnyRequest, ctx: Ctx, cursor: FromQuery[str | None] = None) -> Template:
    """Visits in time order with filters; "missed" and "late" are the flags to follow up.
    Home helpers and drivers see their own."""
    ctx.require(VISITS)
    query = _filters(request)
    model = (
        with_choices(VisitFilter, staff_id=await _staff_options())
        if ctx.has(READ)
        else VisitFilterOwn
    )
    errors: RequestValidationError | None = None
    try:
        chosen = parse_form(model, query)
    except RequestValidationError as exc:
        errors, chosen = exc, model()
    values = chosen.model_dump()
    items, next_cursor = await services.list_visits(
        ctx,
        staff_id=UUID(values["staff_id"]) if values.get("staff_id") else None,
        person_id=None,
        plan_id=None,
        date_from=values["date_from"],
        date_to=values["date_to"],
        status=values["status"],
        flagged=values["flagged"],
        limit=PAGE_SIZE,
        cursor=cursor,
    )
    names = await _names(v["person_id"] for v in items)
    workers = await services.staff_names(v["staff_id"] for v in items)
    form = render_form(
        model,
        method="get",
        action=f"{_root(ctx)}/visits",
        values=query if query else None,
        errors=errors,
        submit_label=t("help_at_home.ui.show"),
    )
    keep = urlencode(query)
    return await _page(
        request,
        ctx,
        "help_at_home/visits.html",
        t("help_at_home.ui.visits"),
        items=items,
        names=names,
        workers=workers,
        form=form,
        next_cursor=next_cursor,
        keep=keep,
        status_code=422 if errors else 200,
    )


async def _roster_page(
    request: AnyRequest,
    ctx: RequestContext,
    *,
    staff_id: UUID | None,
    day: date,
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
        chosen = str(roster["staff_id"] if roster else staff_id)
        staff_options = [
            {"id": key, "name": name, "selected": key == chosen}
            for key, name in (await _staff_options()).items()
        ]
    message = ""
    if request.query_params.get("reported"):
        message = t("help_at_home.ui.incident_reported")
    return await _page(
        request,
        ctx,
        "help_at_home/roster.html",
        t("help_at_home.ui.roster"),
        roster=roster,
        day=day,
        staff_id=staff_id,
        error=error,
        message=message,
        status_code=status_code,
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
    return await _roster_page(request, ctx, staff_id=staff_id, day=day or local_today(ctx.tenant))


def _back_to_roster(ctx: RequestContext, row: dict[str, Any]) -> Redirect:
    day = row["planned_day"]
    return _see_other(f"{_root(ctx)}/roster?day={day}&staff_id={row['staff_id']}")


@post("/visits/{visit_id:uuid}/check-in", name="help_at_home.check_in")
async def check_in(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Any:
    ctx.require(VISITS)
    visit = await services.check_in(ctx, visit_id, CheckInForm())
    return _back_to_roster(ctx, visit)


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
VisitLogNoVitals = _flat("VisitLogNoVitals", VisitLogPage, exclude=VITAL_FIELDS)


def _check_out_form(page: BaseModel, with_vitals: bool) -> CheckOutForm:
    values = page.model_dump()
    vitals = {k: values[k] for k in VITAL_FIELDS if values.get(k) is not None}
    return _validate(  # type: ignore[no-any-return]
        CheckOutForm,
        {
            "tasks_done": values["tasks_done"],
            "observations": values["observations"],
            "next_steps": values["next_steps"],
            "vital_signs": vitals if (vitals and with_vitals) else None,
        },
    )


async def _visit_page(
    request: AnyRequest,
    ctx: RequestContext,
    visit_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    failed: str = "",
    status_code: int = 200,
) -> Template:
    visit = await services.get_visit(ctx, visit_id)
    person = await get_person(visit["person_id"])
    token = csrf_token(request.scope)
    log_model = VisitLogPage if ctx.has(services.VITALS) else VisitLogNoVitals
    log_form = render_form(
        log_model,
        action=f"{_root(ctx)}/visits/{visit_id}/check-out",
        values=values if failed == "log" else {"tasks_done": "\n".join(visit["tasks"])},
        errors=errors if failed == "log" else None,
        csrf_token=token,
        submit_label=t("help_at_home.ui.check_out"),
        id_prefix="log",
    )
    missed_form = render_form(
        MissedForm,
        action=f"{_root(ctx)}/visits/{visit_id}/missed",
        values=values if failed == "missed" else None,
        errors=errors if failed == "missed" else None,
        csrf_token=token,
        submit_label=t("help_at_home.ui.mark_missed"),
        id_prefix="missed",
    )
    return await _page(
        request,
        ctx,
        "help_at_home/visit.html",
        t("help_at_home.ui.visit"),
        visit=visit,
        person=person,
        person_name=_name(person),
        log_form=log_form,
        missed_form=missed_form,
        status_code=status_code,
        can_read=ctx.has(READ),
    )


@get("/visits/{visit_id:uuid}", name="help_at_home.visit")
async def visit_page(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Template:
    ctx.require(VISITS)
    return await _visit_page(request, ctx, visit_id)


@post("/visits/{visit_id:uuid}/check-out", name="help_at_home.check_out")
async def check_out(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Any:
    ctx.require(VISITS)
    data = await request.form()
    with_vitals = ctx.has(services.VITALS)
    try:
        page = parse_form(VisitLogPage if with_vitals else VisitLogNoVitals, data)
        visit = await services.check_out(ctx, visit_id, _check_out_form(page, with_vitals))
    except RequestValidationError as exc:
        return await _visit_page(
            request,
            ctx,
            visit_id,
            values=data,
            errors=_on_page(exc, "vital_signs."),
            failed="log",
            status_code=422,
        )
    return _back_to_roster(ctx, visit)


@post("/visits/{visit_id:uuid}/missed", name="help_at_home.missed")
async def missed(request: AnyRequest, ctx: Ctx, visit_id: FromPath[UUID]) -> Any:
    ctx.require(VISITS)
    data = await request.form()
    try:
        visit = await services.mark_missed(ctx, visit_id, parse_form(MissedForm, data))
    except RequestValidationError as exc:
        return await _visit_page(
            request, ctx, visit_id, values=data, errors=exc, failed="missed", status_code=422
        )
    return _back_to_roster(ctx, visit)


# -- follow-up and the person --------------------------------------------------------------------


@get("/reassessments", name="help_at_home.reassessments")
async def reassessments(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(READ)
    query = _filters(request)
    errors: RequestValidationError | None = None
    try:
        chosen = parse_form(DueFilter, query)
    except RequestValidationError as exc:
        errors, chosen = exc, DueFilter()
    due = await services.reassessments(ctx, within_days=chosen.within_days)
    form = render_form(
        DueFilter,
        method="get",
        action=f"{_root(ctx)}/reassessments",
        values=query if query else None,
        errors=errors,
        submit_label=t("help_at_home.ui.show"),
    )
    return await _page(
        request,
        ctx,
        "help_at_home/reassessments.html",
        t("help_at_home.ui.reassessments_due"),
        due=due,
        names=await _names(d["person_id"] for d in due),
        form=form,
        can_assess=ctx.has(ASSESS),
        status_code=422 if errors else 200,
    )


@get("/persons/{person_id:uuid}", name="help_at_home.person")
async def person_page(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    summary = await services.person_summary(ctx, person_id)
    person = await get_person(person_id)
    history, _ = await services.list_assessments(
        ctx, person_id=person_id, scale=None, limit=PAGE_SIZE, cursor=None
    )
    risks, _ = await services.list_home_risks(ctx, person_id=person_id, limit=10, cursor=None)
    person_incidents, _ = await services.list_incidents(
        ctx, person_id=person_id, limit=20, cursor=None
    )
    return await _page(
        request,
        ctx,
        "help_at_home/person.html",
        _name(person),
        person=person,
        person_name=_name(person),
        summary=summary,
        history=history,
        risks=risks,
        incidents=person_incidents,
        can_manage=ctx.has(MANAGE),
        can_assess=ctx.has(ASSESS),
    )


PAGES: list[Any] = [
    index,
    applications,
    application_picker,
    application_form,
    application_submit,
    application_page,
    application_evaluate,
    application_status,
    eligibility,
    assessment_form,
    assessment_submit,
    assessment_page,
    home_risk_form,
    home_risk_submit,
    home_risk_page,
    plan_form,
    plan_submit,
    plans,
    plan_page,
    plan_edit,
    plan_add_service,
    plan_end_service,
    plan_add_visit,
    plan_schedule,
    plan_close,
    plan_resume,
    incidents,
    incident_form,
    incident_submit,
    incident_page,
    incident_close,
    visits,
    roster,
    check_in,
    visit_page,
    check_out,
    missed,
    reassessments,
    person_page,
]


# -- UI hooks' helpers ---------------------------------------------------------------------------


async def person_panel(ctx: RequestContext, person_id: UUID) -> list[Panel]:
    """The person's Help at Home in a few lines, each linking to its screen: the plan, the
    latest bands, the application; the panel's link opens the person's Help at Home page."""
    items: list[PanelItem] = []
    if await services.in_programme(person_id):
        summary = await services.person_summary(ctx, person_id)
        plan = summary["open_plan"]
        if plan:
            items.append(
                PanelItem(
                    label=t("help_at_home.ui.plan"),
                    detail=t(f"help_at_home.plan_status.{plan['status']}"),
                    badge=str(plan["review_date"]),
                    path=f"{SLUG}/plans/{plan['id']}",
                )
            )
        for scale, row in summary["latest_assessments"].items():
            items.append(
                PanelItem(
                    label=t(f"help_at_home.ui.assessment.{scale}"),
                    detail=f"{row['total']}/{row['maximum']} · {row['band_title']}",
                    badge=str(row["assessed_on"]),
                    path=f"{SLUG}/assessments/{row['id']}",
                )
            )
        if summary["applications"] and not plan:
            app = summary["applications"][0]
            items.append(
                PanelItem(
                    label=t("help_at_home.ui.application"),
                    detail=f"{t('help_at_home.application_status.' + app['status'])} · "
                    f"{app['eligibility'].get('decision_title', '')}",
                    badge=str(app["priority_score"]),
                    path=f"{SLUG}/applications/{app['id']}",
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
    due = await services.reassessments(ctx, within_days=14)
    names = await _names(item["person_id"] for item in due)
    return [
        Task(
            id=f"help_at_home.reassessment.{item['person_id']}.{item['scale']}",
            title=t(
                "help_at_home.ui.task_reassessment",
                scale=t(f"help_at_home.ui.assessment.{item['scale']}"),
                name=names.get(item["person_id"], ""),
            ),
            path=f"{SLUG}/persons/{item['person_id']}",
            kind="help_at_home.reassessment",
            due=item["due"],
            module=SLUG,
        )
        for item in due
    ]
