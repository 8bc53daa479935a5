"""Staff web pages of the Roma branch, mounted under `/t/{tenant}/roma_branch/`.

Every screen calls the same services as the JSON API (route -> service -> tables), so the
same checks, audit and 404s apply; no page queries a table itself. Forms are rendered from
the API's pydantic models by the shared renderer (`render_form`) and read back with
`parse_form`: a refused submission comes back with the errors next to the fields (422) and,
the request's transaction being rolled back, nothing stored. People are never typed in as
ids: a form about a person is opened from that person's page in the branch (found by the
search), colleagues, employers, job seekers and vacancies are chosen from selects.

Seeing any of it needs `roma_branch.access` (404 otherwise: the branch's records reveal
ethnic origin); acting needs the area's permission (403), as in the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args, get_origin
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from core.api import (
    AppError,
    Conflict,
    NotFound,
    RequestContext,
    RequestValidationError,
    Task,
    form_data,
    get_language,
    get_people,
    get_person,
    list_beneficiaries,
    list_documents,
    list_staff,
    local_now,
    parse_form,
    render_form,
    render_page,
    staff_for_user,
    t,
)
from plugins.roma_branch import services
from plugins.roma_branch.manifest import (
    ACCESS,
    ACCOMPANY,
    APPLICATIONS,
    ESF,
    JOBS,
    RECEPTION,
    SCHOOL,
    SLUG,
)
from plugins.roma_branch.schemas import (
    ESF_MODELS,
    AccompanimentIn,
    AccompanimentUpdate,
    ApplicationIn,
    ApplicationUpdate,
    ChecklistItemUpdate,
    EmployerIn,
    EsfRecordIn,
    EstimateIn,
    FollowUpDoneIn,
    FollowupIn,
    JobSeekerIn,
    JobSeekerUpdate,
    MediationIn,
    PlacementIn,
    ReceptionIn,
    SchoolActionIn,
    SchoolRecordIn,
    SchoolRecordUpdate,
    VacancyIn,
    VacancyUpdate,
)
from plugins.roma_branch.settings import EsfPeriod

Ctx = NamedDependency[RequestContext]
AnyRequest = Request[Any, Any, Any]
Choices = Mapping[str, Sequence[tuple[Any, str]]]

# Who may accompany (the service `roma_branch.accompaniment` books these professions).
ACCOMPANYING = ("roma_mediator", "social_worker", "health_visitor", "psychologist")


# -- small helpers ------------------------------------------------------------------------------


def _root(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/{SLUG}/"


def _tr(key: str, **params: Any) -> str:
    return t(f"{SLUG}.{key}", **params)


def _nav(ctx: RequestContext) -> list[dict[str, str]]:
    root = _root(ctx)
    links = [
        ("", "ui.title"),
        ("people", "ui.people"),
        ("reception", "ui.reception"),
        ("accompaniments", "ui.accompaniments"),
        ("applications", "ui.applications"),
        ("estimate", "ui.estimate"),
        ("job-seekers", "ui.jobs"),
        ("vacancies", "ui.vacancies"),
        ("employers", "ui.employers"),
        ("school", "ui.school"),
    ]
    if ctx.has(ESF):
        links.append(("esf", "ui.esf"))
    return [{"href": root + path, "title": _tr(key)} for path, key in links]


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
        f"{SLUG}/{template}",
        ctx=ctx,
        title=title,
        nav=_nav(ctx),
        root=_root(ctx),
        status_code=status_code,
        **context,
    )


def _see(ctx: RequestContext, permission: str | None = None) -> None:
    """404 outside the branch; 403 for an area of it the role lacks."""
    ctx.require_visible(ACCESS)
    if permission is not None:
        ctx.require(permission)


def _name(person: Mapping[str, Any] | None) -> str:
    if not person:
        return "—"
    return f"{person.get('last_name', '')} {person.get('first_name', '')}".strip()


async def _names(ids: Sequence[Any]) -> dict[Any, str]:
    """Names of several people in one query (ids of nobody are left out)."""
    wanted = [UUID(str(i)) for i in dict.fromkeys(ids) if i]
    people = await get_people(wanted) if wanted else {}
    return {pid: _name(p) for pid, p in people.items()}


def _form(
    request: AnyRequest,
    model: type[BaseModel],
    action: str,
    *,
    values: Any = None,
    errors: Any = None,
    choices: Choices | None = None,
    submit: str | None = None,
    prefix: str = "rb",
) -> Markup:
    return render_form(
        model,
        action=action,
        values=values,
        errors=errors,
        request=request,
        submit_label=submit or _tr("ui.save"),
        id_prefix=prefix,
        choices=choices,
    )


def _local(value: str, tz: ZoneInfo) -> str:
    """A browser's `datetime-local` value (no offset) as the tenant's wall-clock time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # pydantic names the field
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.isoformat()


def _parse_local(model: type[Any], data: Any, tz: ZoneInfo, *names: str) -> Any:
    """`parse_form`, with the named date-time fields taken as the tenant's local time."""
    raw = form_data(model, data)
    for name in names:
        if isinstance(raw.get(name), str):
            raw[name] = _local(raw[name], tz)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def _zone(ctx: RequestContext) -> ZoneInfo:
    return ZoneInfo(ctx.tenant.timezone or "Europe/Athens")


def _when(moment: Any, tz: ZoneInfo) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return str(moment or "")


def _see_other(url: str) -> Redirect:
    return Redirect(url, status_code=303)


def _follow_up_badge(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's follow-up as a badge: open (a warning) or done; none without one."""
    if entry["follow_up_done_on"] is not None:
        return {"badge": _tr("ui.followup_done")}
    if entry["follow_up"] or entry["follow_up_on"]:
        return {"badge": _tr("ui.followup_open"), "warn": True}
    return {}


def _label(options: Mapping[str, str], value: Any) -> str:
    return options.get(str(value), str(value or ""))


# -- home and people ----------------------------------------------------------------------------


@get("/", name="roma_branch.home")
async def home(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    stats = await services.home_stats(ctx)
    settings = await services.settings_of(ctx)
    return await _page(
        request,
        ctx,
        "home.html",
        _tr("ui.title"),
        stats=[(_tr(f"ui.stat.{k}"), v) for k, v in stats.items()],
        settlements=settings.settlements,
    )


@get("/people", name="roma_branch.people")
async def people(request: AnyRequest, ctx: Ctx, q: FromQuery[str | None] = None) -> Template:
    """Find a person of the registry to work with: the branch's forms open from their page."""
    _see(ctx)
    text = (q or "").strip()
    found: list[dict[str, Any]] = []
    message = ""
    if text:
        try:
            found, _ = await list_beneficiaries(q=text, limit=20)
        except RequestValidationError as exc:
            message = exc.errors[0].message if exc.errors else exc.detail
        if not found and not message:
            message = _tr("ui.no_results")
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.people"),
        search={"action": root + "people", "label": _tr("ui.search_person"), "q": text},
        links=[
            {
                "href": f"{root}people/{p['id']}",
                "title": _name(p),
                "detail": " · ".join(str(x) for x in (p.get("birth_date"), p.get("amka")) if x),
            }
            for p in found
        ],
        message=message,
        intro=_tr("ui.people_intro"),
    )


@get("/people/{person_id:uuid}", name="roma_branch.person")
async def person_page(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    """A person in the branch: their contacts, accompaniments, applications, job-seeker
    profile and school follow-up, with the forms to add each."""
    _see(ctx)
    person = await get_person(person_id)
    root = _root(ctx)
    base = f"{root}people/{person_id}/"
    tz = _zone(ctx)
    visits, _ = await services.list_reception(ctx, person_id=person_id, limit=20)
    accs, _ = await services.list_accompaniments(ctx, person_id=person_id, limit=20)
    apps, _ = await services.list_applications(ctx, person_id=person_id, limit=20)
    school, _ = await services.list_school_records(ctx, child_id=person_id, limit=20)
    seeker = (await services.seekers_by_person([person_id])).get(person_id)

    def links(*pairs: tuple[str | None, str, str]) -> list[dict[str, str]]:
        return [
            {"href": href, "title": _tr(key)}
            for perm, href, key in pairs
            if perm is None or ctx.has(perm)
        ]

    sections = [
        {
            "id": "visits",
            "title": _tr("ui.reception"),
            "links": links((RECEPTION, f"{root}reception?person={person_id}", "ui.new_reception")),
            "entries": [
                {
                    "text": f"{v['visited_on']} · {_tr('request.' + v['request_type'])}",
                    "href": f"{root}reception/{v['id']}",
                    "detail": v["follow_up"],
                    **_follow_up_badge(v),
                }
                for v in visits
            ],
        },
        {
            "id": "accompaniments",
            "title": _tr("ui.accompaniments"),
            "links": links((ACCOMPANY, base + "accompaniments", "ui.new_accompaniment")),
            "entries": [
                {
                    "text": f"{_when(a['start'], tz)} · {_tr('agency.' + a['agency'])}",
                    "href": f"{root}accompaniments/{a['id']}",
                    "badge": _tr(f"ui.acc_status.{a['status']}"),
                }
                for a in accs
            ],
        },
        {
            "id": "applications",
            "title": _tr("ui.applications"),
            "links": links((APPLICATIONS, base + "applications", "ui.new_application")),
            "entries": [
                {
                    "text": _tr("benefit." + a["benefit"]),
                    "href": f"{root}applications/{a['id']}",
                    "badge": _tr("readiness." + a["readiness"]),
                    "warn": a["readiness"] != "ready",
                    "detail": _tr("outcome." + a["outcome"]),
                }
                for a in apps
            ],
        },
        {
            "id": "jobs",
            "title": _tr("ui.jobs"),
            "links": (
                [{"href": f"{root}job-seekers/{seeker}", "title": _tr("ui.seeker_profile")}]
                if seeker
                else links((JOBS, base + "job-seeker", "ui.new_seeker"))
            ),
        },
        {
            "id": "school",
            "title": _tr("ui.school"),
            "links": links((SCHOOL, base + "school", "ui.new_school")),
            "entries": [
                {
                    "text": f"{s['school_year']} · {s['school'] or '—'}",
                    "href": f"{root}school/{s['id']}",
                    "badge": _tr("enrolment." + s["enrolment_status"]),
                }
                for s in school
            ],
        },
    ]
    if ctx.has(ESF):
        sections.append(await _esf_section(ctx, person_id))
    return await _page(
        request,
        ctx,
        "record.html",
        _name(person),
        facts=[
            (_tr("ui.birth_date"), person.get("birth_date")),
            (_tr("ui.amka"), person.get("amka")),
            (_tr("ui.phone"), person.get("phone")),
        ],
        sections=sections,
    )


async def _esf_section(ctx: RequestContext, person_id: UUID) -> dict[str, Any]:
    """The person's ESF records, and the form due next in the settings' period: the entry
    record, then (once there is one) the exit record."""
    root = _root(ctx)
    records, _ = await services.list_esf_records(ctx, person_id=person_id, limit=20)
    period = (await services.settings_of(ctx)).esf_period
    held = {r["kind"] for r in records if r["period"] == period}
    due = next((k for k in ESF_KINDS if k not in held), None)
    return {
        "id": "esf",
        "title": _tr("ui.esf"),
        "links": [
            {"href": f"{root}people/{person_id}/esf/{due}", "title": _tr(f"ui.esf_new_{due}")}
        ]
        if due
        else [],
        "entries": [
            {
                "text": f"{r['recorded_on']} · {_tr('ui.kind.' + r['kind'])}",
                "href": f"{root}esf/{r['id']}",
                "badge": _period_title(r["period"]),
            }
            for r in records
        ],
    }


# -- reception ----------------------------------------------------------------------------------


async def _reception_page(
    request: AnyRequest,
    ctx: RequestContext,
    person: dict[str, Any] | None,
    *,
    values: Any = None,
    errors: Any = None,
) -> Template:
    root = _root(ctx)
    items, _ = await services.list_reception(ctx, limit=50)
    names = await _names([i["person_id"] for i in items])
    form = Markup("")
    if ctx.has(RECEPTION):
        person_choice = [(str(person["id"]), _name(person))] if person else []
        if values is None:
            values = ReceptionIn.model_construct(
                person_id=person["id"] if person else None, visited_on=services.today(ctx)
            )
        form = _form(
            request,
            ReceptionIn,
            root + "reception" + (f"?person={person['id']}" if person else ""),
            values=values,
            errors=errors,
            choices={"person_id": person_choice},
            prefix="rb-reception",
        )
    rows = [
        {
            "href": f"{root}reception/{i['id']}",
            "cells": [
                i["visited_on"],
                _tr(f"request.{i['request_type']}"),
                names.get(i["person_id"], _tr("ui.anonymous"))
                + (f" ({i['people_count']})" if i["people_count"] > 1 else ""),
                _tr(f"ui.reception_outcome.{i['outcome']}"),
                " · ".join(
                    str(x)
                    for x in (
                        i["follow_up_on"],
                        _tr("ui.followup_done") if i["follow_up_done_on"] else "",
                    )
                    if x
                ),
            ],
        }
        for i in items
    ]
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.reception"),
        status_code=422 if errors else 200,
        intro=_tr("ui.reception_intro"),
        links=[{"href": root + "people", "title": _tr("ui.find_person_first")}]
        if not person and ctx.has(RECEPTION)
        else [],
        form=form,
        form_title=_tr("ui.new_reception") + (f": {_name(person)}" if person else ""),
        columns=[
            _tr("ui.date"),
            _tr("ui.request"),
            _tr("ui.person"),
            _tr("ui.outcome"),
            _tr("ui.follow_up_on"),
        ],
        rows=rows,
    )


async def _person_or_none(person: UUID | None) -> dict[str, Any] | None:
    return await get_person(person) if person is not None else None


@get("/reception", name="roma_branch.reception")
async def reception(
    request: AnyRequest, ctx: Ctx, person: FromQuery[UUID | None] = None
) -> Template:
    _see(ctx)
    return await _reception_page(request, ctx, await _person_or_none(person))


@post("/reception", name="roma_branch.reception_post")
async def reception_post(
    request: AnyRequest, ctx: Ctx, person: FromQuery[UUID | None] = None
) -> Template | Redirect:
    _see(ctx, RECEPTION)
    who = await _person_or_none(person)
    data = await request.form()
    try:
        parsed = parse_form(ReceptionIn, data)
        if parsed.person_id is not None and (who is None or parsed.person_id != who["id"]):
            raise NotFound()  # a person the page did not offer
        created = await services.create_reception(ctx, parsed)
    except RequestValidationError as exc:
        return await _reception_page(request, ctx, who, values=data, errors=exc)
    if who is not None:
        return _see_other(f"{_root(ctx)}people/{who['id']}")
    return _see_other(f"{_root(ctx)}reception?saved={created['id']}")


async def _reception_entry_page(
    request: AnyRequest,
    ctx: RequestContext,
    record_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    """A contact: what was asked and what follows; while its follow-up is open, the form
    that marks it done (it leaves the tasks then) and the link to record the next contact."""
    entry = await services.get_reception(ctx, record_id)
    person = await get_person(entry["person_id"]) if entry["person_id"] else None
    root = _root(ctx)
    has_follow_up = bool(entry["follow_up"] or entry["follow_up_on"])
    done_on = entry["follow_up_done_on"]
    section: dict[str, Any] = {"id": "next", "title": _tr("ui.follow_up")}
    if has_follow_up and done_on is None and ctx.has(RECEPTION):
        section["form_title"] = _tr("ui.mark_follow_up_done")
        section["form"] = _form(
            request,
            FollowUpDoneIn,
            f"{root}reception/{record_id}/follow-up-done",
            values=values or FollowUpDoneIn.model_construct(done_on=services.today(ctx)),
            errors=errors,
            submit=_tr("ui.mark_follow_up_done"),
            prefix="rb-follow-up-done",
        )
    if ctx.has(RECEPTION):
        again = f"{root}reception" + (f"?person={person['id']}" if person else "")
        section["links"] = [{"href": again, "title": _tr("ui.record_follow_up")}]
    status = ""
    if done_on is not None:
        by = entry["follow_up_done_by"]
        who = await staff_for_user(by) if by else None
        status = _tr("ui.follow_up_done_on", on=done_on) + (
            f" · {who['display_name']}" if who else ""
        )
    elif has_follow_up:
        status = _tr("ui.followup_open")
    saved = request.query_params.get("saved")
    return await _page(
        request,
        ctx,
        "record.html",
        f"{_tr('ui.reception')}: {entry['visited_on']}",
        person=person,
        message=message or (_tr("ui.saved") if saved else ""),
        message_ok=not message,
        status_code=status_code,
        facts=[
            (_tr("ui.channel"), _tr(f"ui.channel.{entry['channel']}")),
            (_tr("ui.request"), _tr(f"request.{entry['request_type']}")),
            (_tr("ui.outcome"), _tr(f"ui.reception_outcome.{entry['outcome']}")),
            (_tr("ui.people_count"), entry["people_count"]),
            (_tr("ui.follow_up"), entry["follow_up"]),
            (_tr("ui.follow_up_on"), entry["follow_up_on"]),
            (_tr("ui.follow_up_status"), status),
            (_tr("ui.notes"), entry["notes"]),
        ],
        sections=[section],
    )


@get("/reception/{record_id:uuid}", name="roma_branch.reception_entry")
async def reception_entry(request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _reception_entry_page(request, ctx, record_id)


@post("/reception/{record_id:uuid}/follow-up-done", name="roma_branch.follow_up_done")
async def follow_up_done(
    request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]
) -> Template | Redirect:
    """Mark the contact's follow-up done; a bad date comes back by the field (422), a
    follow-up already done (409) as a notice, nothing changed."""
    _see(ctx, RECEPTION)
    data = await request.form()
    try:
        await services.complete_follow_up(ctx, record_id, parse_form(FollowUpDoneIn, data))
    except RequestValidationError as exc:
        return await _reception_entry_page(
            request, ctx, record_id, values=data, errors=exc, status_code=422
        )
    except Conflict as exc:
        return await _reception_entry_page(
            request, ctx, record_id, message=exc.detail, status_code=exc.status_code
        )
    return _see_other(f"{_root(ctx)}reception/{record_id}?saved=1")


# -- accompaniments -----------------------------------------------------------------------------


@get("/accompaniments", name="roma_branch.accompaniments")
async def accompaniments(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    items, _ = await services.list_accompaniments(ctx, limit=100)
    names = await _names([i["person_id"] for i in items])
    tz = _zone(ctx)
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.accompaniments"),
        intro=_tr("ui.accompaniments_intro"),
        links=[{"href": root + "people", "title": _tr("ui.find_person_first")}]
        if ctx.has(ACCOMPANY)
        else [],
        columns=[_tr("ui.when"), _tr("ui.agency"), _tr("ui.person"), _tr("ui.status")],
        rows=[
            {
                "href": f"{root}accompaniments/{i['id']}",
                "cells": [
                    _when(i["start"], tz),
                    _tr(f"agency.{i['agency']}"),
                    names.get(i["person_id"], "—"),
                    _tr(f"ui.acc_status.{i['status']}"),
                ],
            }
            for i in items
        ],
    )


async def _accompanying_staff(ctx: RequestContext) -> list[tuple[str, str]]:
    staff, _ = await list_staff(active=True, limit=200)
    return [(str(s["id"]), s["display_name"]) for s in staff if s.get("profession") in ACCOMPANYING]


async def _accompaniment_form_page(
    request: AnyRequest,
    ctx: RequestContext,
    person: dict[str, Any],
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    if values is None:
        mine = await staff_for_user(ctx.user_id)
        start = local_now(ctx.tenant).replace(minute=0, second=0, microsecond=0)
        values = AccompanimentIn.model_construct(
            person_id=person["id"],
            mediator_staff_id=mine["id"] if mine else None,
            start=(start + timedelta(days=1, hours=1)).replace(tzinfo=None),
        )
    form = _form(
        request,
        AccompanimentIn,
        f"{_root(ctx)}people/{person['id']}/accompaniments",
        values=values,
        errors=errors,
        choices={
            "person_id": [(str(person["id"]), _name(person))],
            "mediator_staff_id": await _accompanying_staff(ctx),
        },
        submit=_tr("ui.book"),
        prefix="rb-acc",
    )
    return await _page(
        request,
        ctx,
        "form.html",
        _tr("ui.new_accompaniment"),
        person=person,
        form=form,
        message=message,
        status_code=status_code,
    )


@get("/people/{person_id:uuid}/accompaniments", name="roma_branch.accompaniment_form")
async def accompaniment_form(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    _see(ctx, ACCOMPANY)
    return await _accompaniment_form_page(request, ctx, await get_person(person_id))


@post("/people/{person_id:uuid}/accompaniments", name="roma_branch.accompaniment_post")
async def accompaniment_post(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]
) -> Template | Redirect:
    """Books the accompaniment into the calendar (core scheduling): a holiday, closed hours
    or a double booking comes back next to the form and nothing is stored."""
    _see(ctx, ACCOMPANY)
    person = await get_person(person_id)
    data = await request.form()
    try:
        parsed = _parse_local(AccompanimentIn, data, _zone(ctx), "start", "end")
        if parsed.person_id != person["id"]:
            raise NotFound()
        created = await services.create_accompaniment(ctx, parsed)
    except RequestValidationError as exc:
        return await _accompaniment_form_page(
            request, ctx, person, values=data, errors=exc, message=exc.detail, status_code=422
        )
    except AppError as exc:
        # A double booking (409), a holiday or closed hours (422): the reason by the form.
        if exc.status_code in (403, 404):
            raise
        return await _accompaniment_form_page(
            request, ctx, person, values=data, message=exc.detail, status_code=exc.status_code
        )
    return _see_other(f"{_root(ctx)}accompaniments/{created['id']}?saved=1")


async def _accompaniment_page(
    request: AnyRequest,
    ctx: RequestContext,
    record_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    acc = await services.get_accompaniment(ctx, record_id)
    person = await get_person(acc["person_id"])
    tz = _zone(ctx)
    mediator = dict(await _accompanying_staff(ctx)).get(str(acc["mediator_staff_id"]), "")
    sections: list[dict[str, Any]] = []
    if ctx.has(ACCOMPANY) and acc["status"] == "planned":
        sections.append(
            {
                "id": "outcome",
                "title": _tr("ui.record_outcome"),
                "form": _form(
                    request,
                    AccompanimentUpdate,
                    f"{_root(ctx)}accompaniments/{record_id}",
                    values=values,
                    errors=errors,
                    prefix="rb-acc-update",
                ),
            }
        )
    saved = request.query_params.get("saved")
    return await _page(
        request,
        ctx,
        "record.html",
        f"{_tr('ui.accompaniment')}: {_tr('agency.' + acc['agency'])}",
        person=person,
        message=message or (_tr("ui.saved") if saved else ""),
        message_ok=not message,
        status_code=status_code,
        facts=[
            (_tr("ui.when"), f"{_when(acc['start'], tz)} – {_when(acc['end'], tz)[11:]}"),
            (_tr("ui.agency"), acc["agency_other"] or _tr("agency." + acc["agency"])),
            (_tr("ui.purpose"), acc["purpose"]),
            (_tr("ui.mediator"), mediator),
            (_tr("ui.status"), _tr(f"ui.acc_status.{acc['status']}")),
            (_tr("ui.outcome"), _tr(f"ui.acc_outcome.{acc['outcome']}") if acc["outcome"] else ""),
            (_tr("ui.notes"), acc["outcome_notes"]),
        ],
        sections=sections,
    )


@get("/accompaniments/{record_id:uuid}", name="roma_branch.accompaniment")
async def accompaniment(request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _accompaniment_page(request, ctx, record_id)


@post("/accompaniments/{record_id:uuid}", name="roma_branch.accompaniment_update")
async def accompaniment_update(
    request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, ACCOMPANY)
    data = await request.form()
    try:
        await services.update_accompaniment(ctx, record_id, parse_form(AccompanimentUpdate, data))
    except RequestValidationError as exc:
        return await _accompaniment_page(
            request, ctx, record_id, values=data, errors=exc, status_code=422
        )
    except Conflict as exc:
        return await _accompaniment_page(
            request, ctx, record_id, message=exc.detail, status_code=exc.status_code
        )
    return _see_other(f"{_root(ctx)}accompaniments/{record_id}?saved=1")


# -- benefit applications -----------------------------------------------------------------------


@get("/applications", name="roma_branch.applications")
async def applications(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    items, _ = await services.list_applications(ctx, limit=100)
    names = await _names([i["person_id"] for i in items])
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.applications"),
        intro=_tr("ui.applications_intro"),
        links=[{"href": root + "people", "title": _tr("ui.find_person_first")}]
        if ctx.has(APPLICATIONS)
        else [],
        columns=[
            _tr("ui.benefit"),
            _tr("ui.person"),
            _tr("ui.readiness"),
            _tr("ui.outcome"),
            _tr("ui.date"),
        ],
        rows=[
            {
                "href": f"{root}applications/{i['id']}",
                "cells": [
                    _tr(f"benefit.{i['benefit']}"),
                    names.get(i["person_id"], "—"),
                    _tr(f"readiness.{i['readiness']}")
                    + (f" ({i['missing_count']})" if i["missing_count"] else ""),
                    _tr(f"outcome.{i['outcome']}"),
                    i["created_at"].date(),
                ],
            }
            for i in items
        ],
    )


async def _application_form_page(
    request: AnyRequest,
    ctx: RequestContext,
    person: dict[str, Any],
    *,
    values: Any = None,
    errors: Any = None,
) -> Template:
    form = _form(
        request,
        ApplicationIn,
        f"{_root(ctx)}people/{person['id']}/applications",
        values=values or ApplicationIn.model_construct(person_id=person["id"]),
        errors=errors,
        choices={"person_id": [(str(person["id"]), _name(person))]},
        prefix="rb-app",
    )
    return await _page(
        request,
        ctx,
        "form.html",
        _tr("ui.new_application"),
        person=person,
        form=form,
        status_code=422 if errors else 200,
    )


@get("/people/{person_id:uuid}/applications", name="roma_branch.application_form")
async def application_form(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    _see(ctx, APPLICATIONS)
    return await _application_form_page(request, ctx, await get_person(person_id))


@post("/people/{person_id:uuid}/applications", name="roma_branch.application_post")
async def application_post(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, APPLICATIONS)
    person = await get_person(person_id)
    data = await request.form()
    try:
        parsed = parse_form(ApplicationIn, data)
        if parsed.person_id != person["id"]:
            raise NotFound()
        created = await services.create_application(ctx, parsed)
    except RequestValidationError as exc:
        return await _application_form_page(request, ctx, person, values=data, errors=exc)
    return _see_other(f"{_root(ctx)}applications/{created['id']}")


def _application_values(app: dict[str, Any]) -> ApplicationUpdate:
    fields = {k: app.get(k) for k in ApplicationUpdate.model_fields}
    return ApplicationUpdate.model_construct(**fields)


async def _application_page(
    request: AnyRequest,
    ctx: RequestContext,
    app_id: UUID,
    *,
    update_values: Any = None,
    update_errors: Any = None,
    item_id: UUID | None = None,
    item_values: Any = None,
    item_errors: Any = None,
    status_code: int = 200,
) -> Template:
    app = await services.get_application(ctx, app_id)
    person = await get_person(app["person_id"])
    lang_en = ctx.language == "en"
    root = _root(ctx)
    can_edit = ctx.has(APPLICATIONS)
    documents: list[tuple[str, str]] = []
    if can_edit:
        documents = [
            (str(d["id"]), d.get("title") or d.get("filename") or str(d["id"]))
            for d in await list_documents("person", app["person_id"], actor=ctx)
        ]
    items = []
    for n, i in enumerate(app["checklist"]):
        mine = item_id is not None and i["id"] == item_id
        entry: dict[str, Any] = {
            "id": f"item-{i['id']}",
            "text": (i["title_en"] if lang_en else i["title_el"])
            + ("" if i["required"] else f" ({_tr('ui.optional')})"),
            "badge": _tr(f"doc_status.{i['status']}"),
            "warn": i["status"] != "received" or i["expiring_soon"],
            "detail": " · ".join(
                x
                for x in (
                    f"{_tr('ui.received_on')} {i['received_on']}" if i["received_on"] else "",
                    f"{_tr('ui.expiry')} {i['expiry_date']}" if i["expiry_date"] else "",
                )
                if x
            ),
        }
        if can_edit:
            entry["form_title"] = _tr("ui.tick_document")
            entry["open"] = mine
            entry["form"] = _form(
                request,
                ChecklistItemUpdate,
                f"{root}applications/{app_id}/checklist/{i['id']}",
                values=item_values
                if mine
                else ChecklistItemUpdate.model_construct(
                    received=i["received"] or None,
                    received_on=i["received_on"],
                    document_id=i["document_id"],
                    issue_date=i["issue_date"],
                    expiry_date=i["expiry_date"],
                ),
                errors=item_errors if mine else None,
                choices={"document_id": documents},
                prefix=f"rb-item-{n}",
            )
        items.append(entry)
    sections: list[dict[str, Any]] = [
        {"id": "docs", "title": _tr("ui.checklist"), "entries": items},
    ]
    if app["explanation"]:
        sections.append(
            {
                "id": "explain",
                "title": _tr("ui.explanation"),
                "entries": [{"text": line} for line in app["explanation"]],
            }
        )
    if can_edit:
        sections.append(
            {
                "id": "update",
                "title": _tr("ui.update_application"),
                "form": _form(
                    request,
                    ApplicationUpdate,
                    f"{root}applications/{app_id}",
                    values=update_values or _application_values(app),
                    errors=update_errors,
                    prefix="rb-app-update",
                ),
            }
        )
    return await _page(
        request,
        ctx,
        "record.html",
        _tr(f"benefit.{app['benefit']}"),
        person=person,
        status_code=status_code,
        facts=[
            (_tr("ui.readiness"), _tr(f"readiness.{app['readiness']['verdict']}")),
            (_tr("ui.outcome"), _tr(f"outcome.{app['outcome']}")),
            (_tr("ui.submitted_on"), app["submitted_on"]),
            (
                _tr("ui.household"),
                _tr("ui.household_detail", adults=app["adults"], minors=app["minors"]),
            ),
            (_tr("ui.notes"), app["notes"]),
        ],
        sections=sections,
    )


@get("/applications/{app_id:uuid}", name="roma_branch.application")
async def application(request: AnyRequest, ctx: Ctx, app_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _application_page(request, ctx, app_id)


@post("/applications/{app_id:uuid}", name="roma_branch.application_update")
async def application_update(
    request: AnyRequest, ctx: Ctx, app_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, APPLICATIONS)
    data = await request.form()
    try:
        await services.update_application(ctx, app_id, parse_form(ApplicationUpdate, data))
    except RequestValidationError as exc:
        return await _application_page(
            request, ctx, app_id, update_values=data, update_errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}applications/{app_id}")


@post("/applications/{app_id:uuid}/checklist/{item_id:uuid}", name="roma_branch.checklist_item")
async def checklist_item(
    request: AnyRequest, ctx: Ctx, app_id: FromPath[UUID], item_id: FromPath[UUID]
) -> Template | Redirect:
    """Tick a document of the checklist (received, its dates, the uploaded file)."""
    _see(ctx, APPLICATIONS)
    data = await request.form()
    try:
        await services.update_item(ctx, app_id, item_id, parse_form(ChecklistItemUpdate, data))
    except RequestValidationError as exc:
        return await _application_page(
            request,
            ctx,
            app_id,
            item_id=item_id,
            item_values=data,
            item_errors=exc,
            status_code=422,
        )
    return _see_other(f"{_root(ctx)}applications/{app_id}#item-{item_id}")


# -- minimum-income estimate (nothing stored) ---------------------------------------------------


async def _estimate_page(
    request: AnyRequest,
    ctx: RequestContext,
    values: Any = None,
    errors: Any = None,
    result: dict[str, Any] | None = None,
) -> Template:
    form = _form(
        request,
        EstimateIn,
        _root(ctx) + "estimate",
        values=values,
        errors=errors,
        submit=_tr("ui.calculate"),
        prefix="rb-estimate",
    )
    return await _page(
        request,
        ctx,
        "estimate.html",
        _tr("ui.estimate"),
        form=form,
        result=result,
        status_code=422 if errors else 200,
    )


@get("/estimate", name="roma_branch.estimate")
async def estimate(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    return await _estimate_page(request, ctx)


@post("/estimate", name="roma_branch.estimate_post")
async def estimate_post(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    data = await request.form()
    try:
        parsed = parse_form(EstimateIn, data)
        result = services.estimate_only(parsed, await services.settings_of(ctx))
    except RequestValidationError as exc:
        return await _estimate_page(request, ctx, values=data, errors=exc)
    return await _estimate_page(request, ctx, values=data, result=result)


# -- job bank -----------------------------------------------------------------------------------


@get("/job-seekers", name="roma_branch.seekers")
async def seekers(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    items, _ = await services.list_seekers(ctx, limit=200)
    names = await _names([i["person_id"] for i in items])
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.jobs"),
        intro=_tr("ui.seekers_intro"),
        links=[
            {"href": root + "vacancies", "title": _tr("ui.vacancies")},
            {"href": root + "employers", "title": _tr("ui.employers")},
        ]
        + (
            [{"href": root + "people", "title": _tr("ui.find_person_first")}]
            if ctx.has(JOBS)
            else []
        ),
        list_title=_tr("ui.seekers"),
        columns=[
            _tr("ui.person"),
            _tr("ui.education"),
            _tr("ui.skills"),
            _tr("ui.availability"),
            _tr("ui.status"),
        ],
        rows=[
            {
                "href": f"{root}job-seekers/{i['id']}",
                "cells": [
                    names.get(i["person_id"], "—"),
                    _tr(f"education.{i['education']}"),
                    ", ".join(i["skills"] or []),
                    _tr(f"availability.{i['availability']}"),
                    _tr("ui.active" if i["active"] else "ui.inactive"),
                ],
            }
            for i in items
        ],
    )


async def _seeker_form_page(
    request: AnyRequest,
    ctx: RequestContext,
    person: dict[str, Any],
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    form = _form(
        request,
        JobSeekerIn,
        f"{_root(ctx)}people/{person['id']}/job-seeker",
        values=values or JobSeekerIn.model_construct(person_id=person["id"]),
        errors=errors,
        choices={"person_id": [(str(person["id"]), _name(person))]},
        prefix="rb-seeker",
    )
    return await _page(
        request,
        ctx,
        "form.html",
        _tr("ui.new_seeker"),
        person=person,
        form=form,
        message=message,
        status_code=status_code,
    )


@get("/people/{person_id:uuid}/job-seeker", name="roma_branch.seeker_form")
async def seeker_form(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    _see(ctx, JOBS)
    return await _seeker_form_page(request, ctx, await get_person(person_id))


@post("/people/{person_id:uuid}/job-seeker", name="roma_branch.seeker_post")
async def seeker_post(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, JOBS)
    person = await get_person(person_id)
    data = await request.form()
    try:
        parsed = parse_form(JobSeekerIn, data)
        if parsed.person_id != person["id"]:
            raise NotFound()
        created = await services.create_seeker(ctx, parsed)
    except RequestValidationError as exc:
        return await _seeker_form_page(
            request, ctx, person, values=data, errors=exc, status_code=422
        )
    except Conflict as exc:
        return await _seeker_form_page(
            request, ctx, person, values=data, message=exc.detail, status_code=exc.status_code
        )
    return _see_other(f"{_root(ctx)}job-seekers/{created['id']}")


async def _seeker_page(
    request: AnyRequest,
    ctx: RequestContext,
    seeker_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    seeker = await services.get_seeker(ctx, seeker_id)
    person = await get_person(seeker["person_id"])
    root = _root(ctx)
    sections: list[dict[str, Any]] = []
    if ctx.has(JOBS):
        mediations, _ = await services.list_mediations(ctx, seeker_id=seeker_id, limit=50)
        placements, _ = await services.list_placements(ctx, seeker_id=seeker_id, limit=50)
        vacancies = {
            v["id"]: v["title"] for v in (await services.list_vacancies(ctx, limit=200))[0]
        }
        sections += [
            {
                "id": "cv",
                "title": _tr("ui.cv"),
                "links": [{"href": f"{root}job-seekers/{seeker_id}/cv", "title": _tr("ui.cv")}],
            },
            {
                "id": "mediations",
                "title": _tr("ui.mediations"),
                "entries": [
                    {
                        "text": f"{m['step_on']} · {_tr('ui.step.' + m['step'])}",
                        "href": f"{root}vacancies/{m['vacancy_id']}",
                        "badge": vacancies.get(m["vacancy_id"], ""),
                        "detail": m["notes"],
                    }
                    for m in mediations
                ],
            },
            {
                "id": "placements",
                "title": _tr("ui.placements"),
                "entries": [
                    {
                        "text": f"{p['start_date']} · {_tr('ui.contract.' + p['contract'])}",
                        "href": f"{root}placements/{p['id']}",
                        "badge": _tr(f"ui.placement_status.{p['status']}"),
                    }
                    for p in placements
                ],
            },
            {
                "id": "update",
                "title": _tr("ui.update_seeker"),
                "form": _form(
                    request,
                    JobSeekerUpdate,
                    f"{root}job-seekers/{seeker_id}",
                    values=values
                    or JobSeekerUpdate.model_construct(
                        **{k: seeker.get(k) for k in JobSeekerUpdate.model_fields}
                    ),
                    errors=errors,
                    prefix="rb-seeker-update",
                ),
            },
        ]
    return await _page(
        request,
        ctx,
        "record.html",
        _tr("ui.seeker_profile"),
        person=person,
        status_code=status_code,
        facts=[
            (_tr("ui.education"), _tr(f"education.{seeker['education']}")),
            (_tr("ui.skills"), ", ".join(seeker["skills"] or [])),
            (_tr("ui.experience"), _tr("ui.years", years=seeker["experience_years"])),
            (_tr("ui.availability"), _tr(f"availability.{seeker['availability']}")),
            (_tr("ui.status"), _tr("ui.active" if seeker["active"] else "ui.inactive")),
        ],
        sections=sections,
    )


@get("/job-seekers/{seeker_id:uuid}", name="roma_branch.seeker")
async def seeker(request: AnyRequest, ctx: Ctx, seeker_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _seeker_page(request, ctx, seeker_id)


@post("/job-seekers/{seeker_id:uuid}", name="roma_branch.seeker_update")
async def seeker_update(
    request: AnyRequest, ctx: Ctx, seeker_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        await services.update_seeker(ctx, seeker_id, parse_form(JobSeekerUpdate, data))
    except RequestValidationError as exc:
        return await _seeker_page(request, ctx, seeker_id, values=data, errors=exc, status_code=422)
    return _see_other(f"{_root(ctx)}job-seekers/{seeker_id}")


@get("/job-seekers/{seeker_id:uuid}/cv", name="roma_branch.cv")
async def cv(request: AnyRequest, ctx: Ctx, seeker_id: FromPath[UUID]) -> Template:
    _see(ctx, JOBS)
    return await _page(
        request, ctx, "cv.html", _tr("ui.cv"), cv=await services.seeker_cv(ctx, seeker_id)
    )


async def _employers_page(
    request: AnyRequest, ctx: RequestContext, *, values: Any = None, errors: Any = None
) -> Template:
    items, _ = await services.list_employers(ctx, limit=200)
    form = Markup("")
    if ctx.has(JOBS):
        form = _form(
            request,
            EmployerIn,
            _root(ctx) + "employers",
            values=values,
            errors=errors,
            prefix="rb-employer",
        )
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.employers"),
        status_code=422 if errors else 200,
        form=form,
        form_title=_tr("ui.new_employer"),
        columns=[_tr("ui.employer"), _tr("ui.sector"), _tr("ui.area"), _tr("ui.contact")],
        rows=[
            {
                "cells": [
                    i["name"],
                    i["sector"],
                    i["area"],
                    " · ".join(x for x in (i["contact_name"], i["phone"], i["email"]) if x),
                ]
            }
            for i in items
        ],
    )


@get("/employers", name="roma_branch.employers")
async def employers(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    return await _employers_page(request, ctx)


@post("/employers", name="roma_branch.employers_post")
async def employers_post(request: AnyRequest, ctx: Ctx) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        await services.create_employer(ctx, parse_form(EmployerIn, data))
    except RequestValidationError as exc:
        return await _employers_page(request, ctx, values=data, errors=exc)
    return _see_other(_root(ctx) + "employers")


async def _employer_choices(ctx: RequestContext) -> list[tuple[str, str]]:
    return [(str(e["id"]), e["name"]) for e in (await services.list_employers(ctx, limit=200))[0]]


async def _vacancies_page(
    request: AnyRequest, ctx: RequestContext, *, values: Any = None, errors: Any = None
) -> Template:
    items, _ = await services.list_vacancies(ctx, limit=200)
    employer_choices = await _employer_choices(ctx)
    employer_names = dict(employer_choices)
    form = Markup("")
    if ctx.has(JOBS):
        form = _form(
            request,
            VacancyIn,
            _root(ctx) + "vacancies",
            values=values or VacancyIn.model_construct(posted_on=services.today(ctx)),
            errors=errors,
            choices={"employer_id": employer_choices},
            prefix="rb-vacancy",
        )
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.vacancies"),
        status_code=422 if errors else 200,
        form=form,
        form_title=_tr("ui.new_vacancy"),
        links=[{"href": root + "employers", "title": _tr("ui.employers")}],
        columns=[
            _tr("ui.position"),
            _tr("ui.employer"),
            _tr("ui.openings"),
            _tr("ui.status"),
            _tr("ui.date"),
        ],
        rows=[
            {
                "href": f"{root}vacancies/{i['id']}",
                "cells": [
                    i["title"],
                    employer_names.get(str(i["employer_id"]), ""),
                    i["positions"],
                    _tr(f"ui.vacancy_status.{i['status']}"),
                    i["posted_on"],
                ],
            }
            for i in items
        ],
    )


@get("/vacancies", name="roma_branch.vacancies")
async def vacancies(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    return await _vacancies_page(request, ctx)


@post("/vacancies", name="roma_branch.vacancies_post")
async def vacancies_post(request: AnyRequest, ctx: Ctx) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        created = await services.create_vacancy(ctx, parse_form(VacancyIn, data))
    except RequestValidationError as exc:
        return await _vacancies_page(request, ctx, values=data, errors=exc)
    return _see_other(f"{_root(ctx)}vacancies/{created['id']}")


async def _vacancy_page(
    request: AnyRequest,
    ctx: RequestContext,
    vacancy_id: UUID,
    *,
    failed: str = "",
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    """A vacancy: the job seekers ranked by match with the reasons, the mediation steps,
    and the forms to record a step, a placement, or to close it."""
    vacancy = await services.get_vacancy(ctx, vacancy_id)
    employer = await services.get_employer(ctx, vacancy["employer_id"])
    root = _root(ctx)
    sections: list[dict[str, Any]] = []
    if ctx.has(JOBS):
        matches = await services.vacancy_matches(ctx, vacancy_id)
        names = await _names([m["person_id"] for m in matches])
        steps, _ = await services.list_mediations(ctx, vacancy_id=vacancy_id, limit=100)
        seeker_names = {m["seeker_id"]: names.get(m["person_id"], "—") for m in matches}
        seeker_choices = [
            (str(m["seeker_id"]), f"{seeker_names[m['seeker_id']]} ({m['score']})") for m in matches
        ]
        vacancy_choice = [(str(vacancy_id), vacancy["title"])]

        def form_of(kind: str, model: type[BaseModel], default: Any, **choices: Any) -> Markup:
            return _form(
                request,
                model,
                f"{root}vacancies/{vacancy_id}/{kind}",
                values=values if failed == kind else default,
                errors=errors if failed == kind else None,
                choices={**choices, "vacancy_id": vacancy_choice},
                prefix=f"rb-{kind}",
            )

        today = services.today(ctx)
        sections += [
            {
                "id": "matches",
                "title": _tr("ui.matches"),
                "entries": [
                    {
                        "text": seeker_names[m["seeker_id"]],
                        "href": f"{root}job-seekers/{m['seeker_id']}",
                        "badge": _tr("ui.score", score=m["score"]),
                        "detail": " · ".join(m["reasons"]),
                    }
                    for m in matches
                ],
            },
            {
                "id": "mediations",
                "title": _tr("ui.mediations"),
                "entries": [
                    {
                        "text": f"{s['step_on']} · {_tr('ui.step.' + s['step'])}",
                        "badge": seeker_names.get(s["seeker_id"], ""),
                        "detail": s["notes"],
                    }
                    for s in steps
                ],
                "form_title": _tr("ui.new_mediation"),
                "form": form_of(
                    "mediations",
                    MediationIn,
                    MediationIn.model_construct(vacancy_id=vacancy_id, step_on=today),
                    seeker_id=seeker_choices,
                ),
            },
            {
                "id": "placement",
                "title": _tr("ui.new_placement"),
                "form": form_of(
                    "placements",
                    PlacementIn,
                    PlacementIn.model_construct(
                        vacancy_id=vacancy_id, employer_id=employer["id"], start_date=today
                    ),
                    seeker_id=seeker_choices,
                    employer_id=[(str(employer["id"]), employer["name"])],
                ),
            },
            {
                "id": "status",
                "title": _tr("ui.vacancy_status_change"),
                "form": _form(
                    request,
                    VacancyUpdate,
                    f"{root}vacancies/{vacancy_id}",
                    values=values
                    if failed == "status"
                    else VacancyUpdate.model_construct(status=vacancy["status"]),
                    errors=errors if failed == "status" else None,
                    prefix="rb-vacancy-status",
                ),
            },
        ]
    return await _page(
        request,
        ctx,
        "record.html",
        vacancy["title"],
        message=message,
        status_code=status_code,
        facts=[
            (_tr("ui.employer"), employer["name"]),
            (_tr("ui.status"), _tr(f"ui.vacancy_status.{vacancy['status']}")),
            (_tr("ui.openings"), vacancy["positions"]),
            (_tr("ui.skills"), ", ".join(vacancy["skills"] or [])),
            (_tr("ui.education"), _tr(f"education.{vacancy['min_education']}")),
            (_tr("ui.description"), vacancy["description"]),
        ],
        sections=sections,
    )


@get("/vacancies/{vacancy_id:uuid}", name="roma_branch.vacancy")
async def vacancy(request: AnyRequest, ctx: Ctx, vacancy_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _vacancy_page(request, ctx, vacancy_id)


@post("/vacancies/{vacancy_id:uuid}", name="roma_branch.vacancy_update")
async def vacancy_update(
    request: AnyRequest, ctx: Ctx, vacancy_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        await services.update_vacancy(ctx, vacancy_id, parse_form(VacancyUpdate, data))
    except RequestValidationError as exc:
        return await _vacancy_page(
            request, ctx, vacancy_id, failed="status", values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}vacancies/{vacancy_id}")


@post("/vacancies/{vacancy_id:uuid}/mediations", name="roma_branch.mediation_post")
async def mediation_post(
    request: AnyRequest, ctx: Ctx, vacancy_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        parsed = parse_form(MediationIn, data)
        if parsed.vacancy_id != vacancy_id:
            raise NotFound()
        await services.create_mediation(ctx, parsed)
    except RequestValidationError as exc:
        return await _vacancy_page(
            request, ctx, vacancy_id, failed="mediations", values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}vacancies/{vacancy_id}#rb-mediations")


@post("/vacancies/{vacancy_id:uuid}/placements", name="roma_branch.placement_post")
async def placement_post(
    request: AnyRequest, ctx: Ctx, vacancy_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        parsed = parse_form(PlacementIn, data)
        if parsed.vacancy_id != vacancy_id:
            raise NotFound()
        created = await services.create_placement(ctx, parsed)
    except RequestValidationError as exc:
        return await _vacancy_page(
            request, ctx, vacancy_id, failed="placements", values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}placements/{created['id']}")


async def _placement_page(
    request: AnyRequest,
    ctx: RequestContext,
    placement_id: UUID,
    *,
    month: int | None = None,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    placement = await services.get_placement(ctx, placement_id)
    person = await get_person(placement["person_id"])
    employer = await services.get_employer(ctx, placement["employer_id"])
    root = _root(ctx)
    can_edit = ctx.has(JOBS)
    items = []
    for f in placement["followups"]:
        mine = month == f["month"]
        entry: dict[str, Any] = {
            "id": f"followup-{f['month']}",
            "text": _tr("ui.followup_month", month=f["month"], due=f["due_on"]),
            "badge": _tr("ui.followup_done" if f["done_on"] else "ui.followup_open"),
            "warn": not f["done_on"],
            "detail": " · ".join(
                x
                for x in (
                    str(f["done_on"] or ""),
                    ""
                    if f["still_employed"] is None
                    else _tr("ui.employed" if f["still_employed"] else "ui.not_employed"),
                    f["notes"],
                )
                if x
            ),
        }
        if can_edit:
            entry["form_title"] = _tr("ui.record_followup")
            entry["open"] = mine
            entry["form"] = _form(
                request,
                FollowupIn,
                f"{root}placements/{placement_id}/followups/{f['month']}",
                values=values
                if mine
                else FollowupIn.model_construct(
                    done_on=f["done_on"] or services.today(ctx),
                    still_employed=f["still_employed"] if f["still_employed"] is not None else True,
                    notes=f["notes"],
                ),
                errors=errors if mine else None,
                prefix=f"rb-followup-{f['month']}",
            )
        items.append(entry)
    return await _page(
        request,
        ctx,
        "record.html",
        f"{_tr('ui.placement')}: {employer['name']}",
        person=person,
        status_code=status_code,
        facts=[
            (_tr("ui.start_date"), placement["start_date"]),
            (_tr("ui.contract"), _tr(f"ui.contract.{placement['contract']}")),
            (_tr("ui.status"), _tr(f"ui.placement_status.{placement['status']}")),
            (_tr("ui.ended_on"), placement["ended_on"]),
        ],
        sections=[{"id": "followups", "title": _tr("ui.followups"), "entries": items}],
    )


@get("/placements/{placement_id:uuid}", name="roma_branch.placement")
async def placement(request: AnyRequest, ctx: Ctx, placement_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _placement_page(request, ctx, placement_id)


@post("/placements/{placement_id:uuid}/followups/{month:int}", name="roma_branch.followup_post")
async def followup_post(
    request: AnyRequest, ctx: Ctx, placement_id: FromPath[UUID], month: FromPath[int]
) -> Template | Redirect:
    _see(ctx, JOBS)
    data = await request.form()
    try:
        await services.record_followup(ctx, placement_id, month, parse_form(FollowupIn, data))
    except RequestValidationError as exc:
        return await _placement_page(
            request, ctx, placement_id, month=month, values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}placements/{placement_id}#followup-{month}")


# -- school follow-up ---------------------------------------------------------------------------


@get("/school", name="roma_branch.school")
async def school(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx)
    items, _ = await services.list_school_records(ctx, limit=200)
    names = await _names([i["child_id"] for i in items])
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.school"),
        intro=_tr("ui.school_intro"),
        links=[{"href": root + "people", "title": _tr("ui.find_person_first")}]
        if ctx.has(SCHOOL)
        else [],
        columns=[
            _tr("ui.child"),
            _tr("ui.school_year"),
            _tr("ui.school"),
            _tr("ui.enrolment"),
            _tr("ui.concern"),
        ],
        rows=[
            {
                "href": f"{root}school/{i['id']}",
                "cells": [
                    names.get(i["child_id"], "—"),
                    i["school_year"],
                    " · ".join(x for x in (i["school"], i["grade"]) if x),
                    _tr(f"enrolment.{i['enrolment_status']}"),
                    f"{_tr('ui.concern_level.' + i['attendance_concern'])} ({i['absences']})",
                ],
            }
            for i in items
        ],
    )


def _school_year(on: date) -> str:
    first = on.year if on.month >= 9 else on.year - 1
    return f"{first}-{first + 1}"


async def _guardian_choices(ctx: RequestContext, q: str) -> list[tuple[str, str]]:
    if len(q.strip()) < 2:
        return []
    try:
        found, _ = await list_beneficiaries(q=q, limit=20)
    except RequestValidationError:
        return []
    return [(str(p["id"]), f"{_name(p)} · {p.get('birth_date') or ''}") for p in found]


async def _school_form_page(
    request: AnyRequest,
    ctx: RequestContext,
    child: dict[str, Any],
    *,
    guardian_q: str = "",
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    action = f"{_root(ctx)}people/{child['id']}/school"
    form = _form(
        request,
        SchoolRecordIn,
        action + (f"?guardian_q={guardian_q}" if guardian_q else ""),
        values=values
        or SchoolRecordIn.model_construct(
            child_id=child["id"], school_year=_school_year(services.today(ctx))
        ),
        errors=errors,
        choices={
            "child_id": [(str(child["id"]), _name(child))],
            "guardian_id": await _guardian_choices(ctx, guardian_q),
        },
        prefix="rb-school",
    )
    search = Markup(
        '<form method="get" action="{}" class="form" role="search"><label for="rb-guardian-q">'
        '{}</label><input id="rb-guardian-q" name="guardian_q" type="search" value="{}" '
        'minlength="2" maxlength="100"><div class="actions"><button type="submit" '
        'class="button button--secondary">{}</button></div></form>'
    ).format(action, _tr("ui.find_guardian"), guardian_q, _tr("ui.find"))
    return await _page(
        request,
        ctx,
        "form.html",
        _tr("ui.new_school"),
        person=child,
        form=search + form,
        message=message,
        status_code=status_code,
    )


@get("/people/{person_id:uuid}/school", name="roma_branch.school_form")
async def school_form(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID], guardian_q: FromQuery[str] = ""
) -> Template:
    _see(ctx, SCHOOL)
    return await _school_form_page(request, ctx, await get_person(person_id), guardian_q=guardian_q)


@post("/people/{person_id:uuid}/school", name="roma_branch.school_post")
async def school_post(
    request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID], guardian_q: FromQuery[str] = ""
) -> Template | Redirect:
    _see(ctx, SCHOOL)
    child = await get_person(person_id)
    data = await request.form()
    try:
        parsed = parse_form(SchoolRecordIn, data)
        if parsed.child_id != child["id"]:
            raise NotFound()
        created = await services.create_school_record(ctx, parsed)
    except RequestValidationError as exc:
        return await _school_form_page(
            request, ctx, child, guardian_q=guardian_q, values=data, errors=exc, status_code=422
        )
    except Conflict as exc:
        return await _school_form_page(
            request,
            ctx,
            child,
            guardian_q=guardian_q,
            values=data,
            message=exc.detail,
            status_code=exc.status_code,
        )
    return _see_other(f"{_root(ctx)}school/{created['id']}")


async def _school_record_page(
    request: AnyRequest,
    ctx: RequestContext,
    record_id: UUID,
    *,
    failed: str = "",
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    record = await services.get_school_record(ctx, record_id)
    child = await get_person(record["child_id"])
    names = await _names([record["guardian_id"]])
    root = _root(ctx)
    action_section: dict[str, Any] = {
        "id": "actions",
        "title": _tr("ui.school_actions"),
        "entries": [
            {
                "text": f"{a['on']} · {_tr('ui.school_action.' + a['action'])}",
                "detail": a["notes"],
            }
            for a in reversed(record["actions"])
        ],
    }
    sections = [action_section]
    if ctx.has(SCHOOL):
        action_section["form_title"] = _tr("ui.new_school_action")
        action_section["form"] = _form(
            request,
            SchoolActionIn,
            f"{root}school/{record_id}/actions",
            values=values
            if failed == "action"
            else SchoolActionIn.model_construct(on=services.today(ctx)),
            errors=errors if failed == "action" else None,
            prefix="rb-school-action",
        )
        sections.append(
            {
                "id": "attendance",
                "title": _tr("ui.attendance"),
                "form": _form(
                    request,
                    SchoolRecordUpdate,
                    f"{root}school/{record_id}",
                    values=values
                    if failed == "update"
                    else SchoolRecordUpdate.model_construct(
                        **{k: record.get(k) for k in SchoolRecordUpdate.model_fields}
                    ),
                    errors=errors if failed == "update" else None,
                    prefix="rb-school-update",
                ),
            }
        )
    return await _page(
        request,
        ctx,
        "record.html",
        f"{_tr('ui.school')} {record['school_year']}",
        person=child,
        status_code=status_code,
        facts=[
            (_tr("ui.school"), record["school"]),
            (_tr("ui.grade"), record["grade"]),
            (_tr("ui.enrolment"), _tr(f"enrolment.{record['enrolment_status']}")),
            (_tr("ui.concern"), _tr(f"ui.concern_level.{record['attendance_concern']}")),
            (_tr("ui.absences"), record["absences"]),
            (_tr("ui.guardian"), names.get(record["guardian_id"], "")),
        ],
        sections=sections,
    )


@get("/school/{record_id:uuid}", name="roma_branch.school_record")
async def school_record(request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]) -> Template:
    _see(ctx)
    return await _school_record_page(request, ctx, record_id)


@post("/school/{record_id:uuid}", name="roma_branch.school_update")
async def school_update(
    request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]
) -> Template | Redirect:
    """Enrolment and attendance: status, concern, absences."""
    _see(ctx, SCHOOL)
    data = await request.form()
    try:
        await services.update_school_record(ctx, record_id, parse_form(SchoolRecordUpdate, data))
    except RequestValidationError as exc:
        return await _school_record_page(
            request, ctx, record_id, failed="update", values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}school/{record_id}")


@post("/school/{record_id:uuid}/actions", name="roma_branch.school_action_post")
async def school_action_post(
    request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]
) -> Template | Redirect:
    _see(ctx, SCHOOL)
    data = await request.form()
    try:
        await services.add_school_action(ctx, record_id, parse_form(SchoolActionIn, data))
    except RequestValidationError as exc:
        return await _school_record_page(
            request, ctx, record_id, failed="action", values=data, errors=exc, status_code=422
        )
    return _see_other(f"{_root(ctx)}school/{record_id}#rb-actions")


# -- ESF ----------------------------------------------------------------------------------------

ESF_KINDS = ("entry", "exit")
ESF_PERIODS: tuple[str, ...] = get_args(EsfPeriod)
ANSWERS = {"yes", "no", "declined"}
# Special-category answers the participant may decline (the help text says so).
ESF_SENSITIVE = {
    "migrant_minority",
    "disability",
    "other_disadvantaged",
    "homeless",
    "third_country_national",
    "foreign_background",
    "minority",
}


def _both(key: str) -> dict[str, str]:
    return {lang: t(f"{SLUG}.{key}", lang) for lang in ("el", "en")}


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    """The values of a Literal, or of an optional one."""
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is Literal:
            return get_args(candidate)
    return ()


def _esf_option_key(name: str, value: Any) -> str:
    if str(value) in ANSWERS:
        return f"esf.answer.{value}"
    return f"esf.option.{name}.{value}"


def esf_form(period: str, kind: str) -> type[BaseModel]:
    """The web form of an ESF record: the record's date and the indicator fields of the
    period (and kind) with the same types as the API's model (`ESF_MODELS`), labelled, with
    their options, in Greek and English from the module's catalogues. The page turns it into
    the API's body (`EsfRecordIn`), so the service checks it exactly as it checks the API.
    Built per request (not cached): the labels are read once the catalogues are loaded."""
    fields: dict[str, Any] = {
        "recorded_on": (
            date,
            Field(
                title=t(f"{SLUG}.esf.field.recorded_on", "en"),
                json_schema_extra={
                    f"label_{lang}": text for lang, text in _both("esf.field.recorded_on").items()
                },
            ),
        )
    }
    model_fields = ESF_MODELS[(period, kind)].model_fields
    # The participant's answers first (as on the entry record), then the exit's results.
    order = [*ESF_MODELS[(period, "entry")].model_fields, *model_fields]
    for name in dict.fromkeys(n for n in order if n in model_fields):
        info = model_fields[name]
        extra: dict[str, Any] = {
            f"label_{lang}": text for lang, text in _both(f"esf.field.{name}").items()
        }
        choices = _literal_values(info.annotation)
        for lang in ("el", "en"):
            extra[f"options_{lang}"] = {
                str(v): t(f"{SLUG}.{_esf_option_key(name, v)}", lang) for v in choices
            }
        help_key = (
            "esf.help.age_band"
            if name == "age_band"
            else "esf.help.sensitive"
            if name in ESF_SENSITIVE
            else ""
        )
        if help_key:
            extra.update({f"help_{lang}": text for lang, text in _both(help_key).items()})
        default = info.default if not info.is_required() else ...
        fields[name] = (
            info.annotation,
            Field(default, title=t(f"{SLUG}.esf.field.{name}", "en"), json_schema_extra=extra),
        )
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"EsfForm_{period}_{kind}", __config__=ConfigDict(extra="forbid"), **fields
    )


def _esf_body_errors(exc: RequestValidationError) -> RequestValidationError:
    """The API names an indicator `fields.sex`; the form's input is `sex`."""
    for error in exc.errors:
        if error.field.startswith("fields."):
            error.field = error.field.removeprefix("fields.")
    return exc


def _esf_values(period: str, kind: str, record: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A stored record's indicator answers, labelled in the page's language."""
    lang = "en" if get_language() == "en" else "el"
    out = []
    for name in ESF_MODELS[(period, kind)].model_fields:
        value = record["fields"].get(name)
        shown = t(f"{SLUG}.{_esf_option_key(name, value)}", lang) if value is not None else ""
        out.append((_tr(f"esf.field.{name}"), shown))
    return out


def _period_title(period: str) -> str:
    return period.replace("_", "–")


async def _esf_form_page(
    request: AnyRequest,
    ctx: RequestContext,
    person: dict[str, Any],
    kind: str,
    period: str,
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    root = _root(ctx)
    base = f"{root}people/{person['id']}/esf/{kind}"
    form = _form(
        request,
        esf_form(period, kind),
        f"{base}?period={period}",
        values=values,
        errors=errors,
        prefix=f"rb-esf-{kind}",
    )
    other = [p for p in ESF_PERIODS if p != period]
    switch = Markup("").join(
        Markup('<p><a href="{}?period={}">{}</a></p>').format(
            base, p, _tr("ui.esf_other_period", period=_period_title(p))
        )
        for p in other
    )
    intro = Markup('<p class="lead">{}: {}</p>').format(_tr("ui.period"), _period_title(period))
    return await _page(
        request,
        ctx,
        "form.html",
        _tr(f"ui.esf_new_{kind}"),
        person=person,
        form=intro + form + switch,
        message=message,
        status_code=status_code,
    )


def _esf_target(kind: str, period: str | None, default: str) -> tuple[str, str]:
    """The kind and period a page addresses; anything else does not exist (404)."""
    chosen = period or default
    if kind not in ESF_KINDS or chosen not in ESF_PERIODS:
        raise NotFound()
    return kind, chosen


@get("/people/{person_id:uuid}/esf/{kind:str}", name="roma_branch.esf_form")
async def esf_record_form(
    request: AnyRequest,
    ctx: Ctx,
    person_id: FromPath[UUID],
    kind: FromPath[str],
    period: FromQuery[str | None] = None,
) -> Template:
    """The form of a new record; an exit starts from the answers of the entry (the same
    participant), to be corrected where they changed."""
    _see(ctx, ESF)
    kind, chosen = _esf_target(kind, period, (await services.settings_of(ctx)).esf_period)
    person = await get_person(person_id)
    values: dict[str, Any] = {"recorded_on": services.today(ctx).isoformat()}
    if kind == "exit":
        entries, _ = await services.list_esf_records(
            ctx, person_id=person_id, period=chosen, kind="entry", limit=1
        )
        if entries:
            answers = {k: v for k, v in entries[0]["fields"].items() if k != "age_band"}
            values = {**answers, **values}
    return await _esf_form_page(request, ctx, person, kind, chosen, values=values)


@post("/people/{person_id:uuid}/esf/{kind:str}", name="roma_branch.esf_post")
async def esf_record_post(
    request: AnyRequest,
    ctx: Ctx,
    person_id: FromPath[UUID],
    kind: FromPath[str],
    period: FromQuery[str | None] = None,
) -> Template | Redirect:
    """An entry or exit record: its answers checked as the API checks them (a wrong answer,
    an age band that contradicts the birth date, an exit before its entry: 422 by the
    field), a second record of the kind refused (409); nothing stored then."""
    _see(ctx, ESF)
    kind, chosen = _esf_target(kind, period, (await services.settings_of(ctx)).esf_period)
    person = await get_person(person_id)
    data = await request.form()
    try:
        parsed = parse_form(esf_form(chosen, kind), data)
        answers = parsed.model_dump(exclude={"recorded_on"}, exclude_none=True)
        body = EsfRecordIn(
            person_id=person["id"],
            kind=kind,  # type: ignore[arg-type]
            recorded_on=parsed.recorded_on,  # type: ignore[attr-defined]
            period=chosen,  # type: ignore[arg-type]
            fields=answers,
        )
        created = await services.create_esf_record(ctx, body)
    except RequestValidationError as exc:
        return await _esf_form_page(
            request,
            ctx,
            person,
            kind,
            chosen,
            values=data,
            errors=_esf_body_errors(exc),
            status_code=422,
        )
    except Conflict as exc:
        return await _esf_form_page(
            request,
            ctx,
            person,
            kind,
            chosen,
            values=data,
            message=exc.detail,
            status_code=exc.status_code,
        )
    return _see_other(f"{_root(ctx)}esf/{created['id']}?saved=1")


@get("/esf/{record_id:uuid}", name="roma_branch.esf_record")
async def esf_record(request: AnyRequest, ctx: Ctx, record_id: FromPath[UUID]) -> Template:
    """One ESF record with its answers; an entry without its exit links to the exit form."""
    _see(ctx, ESF)
    record = await services.get_esf_record(ctx, record_id)
    person = await get_person(record["person_id"])
    root = _root(ctx)
    sections: list[dict[str, Any]] = []
    if record["kind"] == "entry":
        exits, _ = await services.list_esf_records(
            ctx, person_id=record["person_id"], period=record["period"], kind="exit", limit=1
        )
        if not exits:
            href = f"{root}people/{record['person_id']}/esf/exit?period={record['period']}"
            sections.append(
                {
                    "id": "exit",
                    "title": _tr("ui.kind.exit"),
                    "links": [{"href": href, "title": _tr("ui.esf_new_exit")}],
                }
            )
    return await _page(
        request,
        ctx,
        "record.html",
        _tr(f"ui.esf_record_{record['kind']}"),
        person=person,
        message=_tr("ui.saved") if request.query_params.get("saved") else "",
        message_ok=True,
        facts=[
            (_tr("ui.period"), _period_title(record["period"])),
            (_tr("ui.kind"), _tr(f"ui.kind.{record['kind']}")),
            (_tr("esf.field.recorded_on"), record["recorded_on"]),
            *_esf_values(record["period"], record["kind"], record),
        ],
        sections=sections,
    )


@get("/esf", name="roma_branch.esf")
async def esf(request: AnyRequest, ctx: Ctx) -> Template:
    _see(ctx, ESF)
    items, _ = await services.list_esf_records(ctx, limit=100)
    names = await _names([i["person_id"] for i in items])
    root = _root(ctx)
    return await _page(
        request,
        ctx,
        "list.html",
        _tr("ui.esf"),
        intro=_tr("ui.esf_intro"),
        links=[{"href": root + "people", "title": _tr("ui.find_person_first")}],
        columns=[
            _tr("ui.date"),
            _tr("ui.person"),
            _tr("ui.period"),
            _tr("ui.kind"),
            _tr("ui.age_band"),
        ],
        rows=[
            {
                "href": f"{root}esf/{i['id']}",
                "cells": [
                    i["recorded_on"],
                    names.get(i["person_id"], "—"),
                    _period_title(i["period"]),
                    _tr(f"ui.kind.{i['kind']}"),
                    _tr(f"esf.option.age_band.{i['fields']['age_band']}")
                    if i["fields"].get("age_band")
                    else "",
                ],
            }
            for i in items
        ],
    )


PAGES: list[Any] = [
    home,
    people,
    person_page,
    reception,
    reception_post,
    reception_entry,
    follow_up_done,
    accompaniments,
    accompaniment_form,
    accompaniment_post,
    accompaniment,
    accompaniment_update,
    applications,
    application_form,
    application_post,
    application,
    application_update,
    checklist_item,
    estimate,
    estimate_post,
    seekers,
    seeker_form,
    seeker_post,
    seeker,
    seeker_update,
    cv,
    employers,
    employers_post,
    vacancies,
    vacancies_post,
    vacancy,
    vacancy_update,
    mediation_post,
    placement_post,
    placement,
    followup_post,
    school,
    school_form,
    school_post,
    school_record,
    school_update,
    school_action_post,
    esf,
    esf_record,
    esf_record_form,
    esf_record_post,
]


# -- tasks for the tenant home ------------------------------------------------------------------


async def tasks_for(ctx: Any) -> list[Task]:
    """Follow-ups of contacts the signed-in user recorded, placement follow-ups due within two
    weeks and their applications held back by documents (no names: the task opens the
    record)."""
    work = await services.open_work(ctx, within_days=14)
    root = f"{SLUG}/"
    out = [
        Task(
            id=f"{SLUG}.reception.{r['id']}",
            title=_tr("task.reception", request=_tr(f"request.{r['request_type']}")),
            path=root + f"reception/{r['id']}",
            kind=f"{SLUG}.reception_follow_up",
            due=r["follow_up_on"],
            module=SLUG,
        )
        for r in work["receptions"]
    ]
    out += [
        Task(
            id=f"{SLUG}.followup.{f['placement_id']}.{f['month']}",
            title=_tr("task.followup", month=f["month"]),
            path=root + f"placements/{f['placement_id']}#followup-{f['month']}",
            kind=f"{SLUG}.placement_follow_up",
            due=f["due_on"],
            module=SLUG,
        )
        for f in work["followups"]
    ]
    out += [
        Task(
            id=f"{SLUG}.application.{a['id']}",
            title=_tr(
                "task.documents",
                benefit=_tr(f"benefit.{a['benefit']}"),
                count=a["missing_count"],
            ),
            path=root + f"applications/{a['id']}",
            kind=f"{SLUG}.documents",
            module=SLUG,
        )
        for a in work["applications"]
    ]
    return out
