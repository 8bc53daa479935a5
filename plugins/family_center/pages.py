"""Staff web pages of the Family Support Centre, mounted under `/t/{tenant}/family_center/`.

Every action of the API has a screen here: cases (intake, sessions, consents of minors,
supervision review, referrals, closing), sessions and their confidential clinical notes,
programmes (meetings, attendance, enrolment), volunteers and trainees (supervision), and
prosecutor orders (registration, assignment and deadline, visits, the report and its PDF,
the dispatch log).

Pages go through the same services as the API. Forms are the API's pydantic models, rendered
with `render_form` and read back with `parse_form`: a rejected form comes back with its errors
next to the fields, status 422, and nothing stored (the request's transaction is rolled back).
People are never typed in as ids: a page's person fields offer the people of the record (a
case's family, an order's children) and the people added with the search box of the page
(`?pick=ID`, kept in the form's address so that a rejected form keeps them); colleagues come
from the tenant's staff list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import BaseModel

from core.api import (
    NotFound,
    RequestContext,
    RequestValidationError,
    appointments_for_record,
    audit,
    get_person,
    list_beneficiaries,
    list_staff,
    parse_form,
    render_form,
    render_page,
    t,
)
from plugins.family_center import services
from plugins.family_center.manifest import COUNSEL, GROUPS, PROTECTION, READ, SLUG
from plugins.family_center.schemas import (
    ALLEGATIONS_EL,
    ALLEGATIONS_EN,
    MODES_EL,
    MODES_EN,
    PROBLEMS_EL,
    PROBLEMS_EN,
    PROGRAMME_KINDS_EL,
    PROGRAMME_KINDS_EN,
    SESSION_TYPES_EL,
    SESSION_TYPES_EN,
    CaseClose,
    CaseCreate,
    ConsentCreate,
    DispatchCreate,
    EnrolmentCreate,
    HelperCreate,
    InvestigationCreate,
    InvestigationUpdate,
    MeetingCreate,
    NoteCreate,
    NoteUpdate,
    ProgrammeCreate,
    ReferralForm,
    ReportDraft,
    ReviewCreate,
    SessionCreate,
    SupervisionCreate,
    VisitCreate,
)

Ctx = NamedDependency[RequestContext]
Req = Request[Any, Any, Any]
M = TypeVar("M", bound=BaseModel)
Choices = list[tuple[str, str]]
DEADLINE_STATES = ("overdue", "approaching", "on_time", "completed")
# Success notices a page shows after a redirect (`?done=CODE`); anything else shows nothing.
DONE = (
    "case",
    "session",
    "consent",
    "review",
    "closed",
    "referral",
    "note",
    "programme",
    "enrolled",
    "meeting",
    "helper",
    "supervision",
    "order",
    "update",
    "order_handed_over",
    "visit",
    "report",
    "dispatch",
)


# -- small helpers ----------------------------------------------------------------------------


def _base(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/{SLUG}"


def _label(ctx: RequestContext, code: str, el: dict[str, str], en: dict[str, str]) -> str:
    return (en if ctx.language == "en" else el).get(code, code)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _when(ctx: RequestContext, value: datetime | None) -> str:
    return value.astimezone(services.zone(ctx)).strftime("%d/%m/%Y %H:%M") if value else ""


def _person_label(person: dict[str, Any]) -> str:
    name = f"{person['last_name']} {person['first_name']}"
    born = person.get("birth_date")
    return f"{name} ({_day(born)})" if born else name


class People:
    """Names of the people a page shows, each read once per request."""

    def __init__(self) -> None:
        self._seen: dict[UUID, str] = {}

    async def label(self, person_id: UUID) -> str:
        if person_id not in self._seen:
            self._seen[person_id] = _person_label(await get_person(person_id))
        return self._seen[person_id]

    async def choices(self, ids: Iterable[UUID]) -> Choices:
        return [(str(pid), await self.label(pid)) for pid in dict.fromkeys(ids)]

    async def names(self, ids: Iterable[UUID]) -> list[str]:
        return [await self.label(pid) for pid in ids]


def _done(request: Req) -> str:
    code = request.query_params.get("done", "")
    return t(f"family_center.done.{code}") if code in DONE else ""


def _with_done(href: str, code: str) -> str:
    return f"{href}{'&' if '?' in href else '?'}done={code}"


@dataclass
class Failed:
    """The one form of a page that was rejected: its submitted values and errors."""

    form: str
    values: Any
    errors: RequestValidationError


def _state(failed: Failed | None, form: str, default: Any = None) -> tuple[Any, Any]:
    """(values, errors) of one form of a page: the rejected submission, or its defaults."""
    if failed is not None and failed.form == form:
        return failed.values, failed.errors
    return default, None


async def _submitted(request: Req, ctx: RequestContext, *aware: str) -> tuple[Any, Any]:
    """The form as posted (to show again) and as parsed: a browser's `datetime-local` has no
    offset, so the tenant's zone is added to `aware` fields before validation."""
    data = await request.form()
    raw = {key: data.getall(key) for key in data}
    for name in aware:
        values = raw.get(name) or []
        if values and values[0]:
            try:
                moment = datetime.fromisoformat(values[0])
            except ValueError:
                continue  # the model names the field in its error
            if moment.tzinfo is None:
                raw[name] = [moment.replace(tzinfo=services.zone(ctx)).isoformat()]
    return data, raw


async def _post(
    request: Req,
    ctx: RequestContext,
    model: type[M],
    save: Callable[[M], Awaitable[str]],
    again: Callable[[Failed], Awaitable[Template]],
    form: str,
    *aware: str,
) -> Any:
    """Parse, save, redirect to the address `save` returns; or the page again with the form's
    errors (422). The request's transaction is rolled back on any status >= 400."""
    shown, raw = await _submitted(request, ctx, *aware)
    try:
        href = await save(parse_form(model, raw))
    except RequestValidationError as exc:
        return await again(Failed(form, shown, exc))
    return Redirect(href, status_code=303)


def _form(
    request: Req,
    model: type[BaseModel],
    action: str,
    submit: str,
    prefix: str,
    state: tuple[Any, Any] = (None, None),
    choices: dict[str, Choices] | None = None,
) -> Markup:
    values, errors = state
    return render_form(
        model,
        action=action,
        values=values,
        errors=errors,
        request=request,
        submit_label=submit,
        id_prefix=prefix,
        choices=choices,
    )


async def _colleagues(ctx: RequestContext, permission: str, *, others: bool = False) -> Choices:
    """Colleagues (staff with a login) whose roles hold `permission`, for assignments and
    named readers; `others` leaves the user out."""
    wanted = set(services.roles_with(permission))
    profiles, _ = await list_staff(active=True, limit=200)
    return [
        (str(p["user_id"]), p["display_name"])
        for p in profiles
        if p["user_id"]
        and wanted & set(p["roles"] or [])
        and not (others and p["user_id"] == ctx.user_id)
    ]


async def _staff(professions: Sequence[str]) -> Choices:
    """Staff profiles (with or without a login) who may carry out a visit or interview."""
    profiles, _ = await list_staff(active=True, limit=200)
    return [(str(p["id"]), p["display_name"]) for p in profiles if p["profession"] in professions]


# -- the people picker ------------------------------------------------------------------------


@dataclass
class Picker:
    """People added to a page with its search box; they become options of its person fields."""

    path: str
    q: str = ""
    picked: list[UUID] = field(default_factory=list)
    results: list[dict[str, str]] = field(default_factory=list)
    message: str = ""

    @property
    def query(self) -> str:
        return urlencode([("pick", str(pid)) for pid in self.picked])

    def href(self, path: str | None = None) -> str:
        """`path` (the page's own by default) with the people picked so far."""
        target = path or self.path
        return f"{target}?{self.query}" if self.picked else target


async def _picker(
    request: Req, ctx: RequestContext, path: str, people: People, search: bool = True
) -> Picker:
    picker = Picker(path=path)
    for raw in request.query_params.getall("pick", []):
        try:
            pid = UUID(raw)
            await people.label(pid)
        except (ValueError, NotFound):
            continue  # not a person of this tenant: never shown, never an option
        if pid not in picker.picked:
            picker.picked.append(pid)
    picker.q = (request.query_params.get("q") or "").strip() if search else ""
    if picker.q:
        try:
            found, _ = await list_beneficiaries(q=picker.q, limit=10)
        except RequestValidationError as exc:
            picker.message = exc.errors[0].message if exc.errors else exc.detail
            found = []
        await audit(
            ctx,
            "read",
            "beneficiary",
            "",
            details={"list": True, "search": True, "ids": [str(p["id"]) for p in found]},
        )
        for person in found:
            if person["id"] in picker.picked:
                continue
            query = urlencode([("pick", str(p)) for p in [*picker.picked, person["id"]]])
            picker.results.append({"label": _person_label(person), "href": f"{path}?{query}"})
        if not found and not picker.message:
            picker.message = t("family_center.picker.none")
    return picker


# -- home -------------------------------------------------------------------------------------


@get("/", name="family_center.index")
async def index(request: Req, ctx: Ctx) -> Template:
    ctx.require(READ)
    people = People()
    rows, _ = await services.list_cases(ctx, status="open", limit=50)
    cases = [
        {
            "href": f"{_base(ctx)}/cases/{case['id']}",
            "client": await people.label(case["person_id"]),
            "opened_on": _day(case["opened_on"]),
            "problems": ", ".join(
                _label(ctx, p, PROBLEMS_EL, PROBLEMS_EN) for p in case["problems"]
            ),
            "sessions": case["sessions"],
            "review_due": case["review"]["flag"],
        }
        for case in rows
    ]
    orders: list[dict[str, Any]] = []
    if ctx.has(PROTECTION):
        found, _ = await services.list_investigations(ctx, status="open", limit=50)
        orders = [_order_view(ctx, o) for o in found]
    programmes, _ = await services.list_programmes(ctx, kind=None, limit=20, cursor=None)
    return await render_page(
        request,
        "family_center/index.html",
        ctx=ctx,
        title=t("family_center.title"),
        cases=cases,
        orders=orders,
        programmes=[_programme_view(ctx, p) for p in programmes],
        can_counsel=ctx.has(COUNSEL),
        can_groups=ctx.has(GROUPS),
        can_protect=ctx.has(PROTECTION),
        base=_base(ctx),
    )


# -- cases ------------------------------------------------------------------------------------


async def _new_case_page(
    request: Req, ctx: RequestContext, failed: Failed | None = None
) -> Template:
    people = People()
    picker = await _picker(request, ctx, f"{_base(ctx)}/cases/new", people)
    candidates = await people.choices(picker.picked)
    default = {"person_id": str(picker.picked[0])} if picker.picked else None
    form = _form(
        request,
        CaseCreate,
        picker.href(),
        t("family_center.case.open"),
        "case",
        _state(failed, "case", default),
        {"person_id": candidates, "family_member_ids": candidates},
    )
    return await render_page(
        request,
        "family_center/form.html",
        ctx=ctx,
        title=t("family_center.case.new"),
        intro=t("family_center.case.new_intro"),
        picker=picker,
        form=form,
        back=_base(ctx) + "/",
        status_code=422 if failed else 200,
    )


@get("/cases/new", name="family_center.case_new")
async def new_case(request: Req, ctx: Ctx) -> Template:
    ctx.require(COUNSEL)
    return await _new_case_page(request, ctx)


@post("/cases/new", name="family_center.case_create", status_code=303)
async def create_case(request: Req, ctx: Ctx) -> Any:
    ctx.require(COUNSEL)

    async def save(data: CaseCreate) -> str:
        case = await services.create_case(ctx, data)
        return _with_done(f"{_base(ctx)}/cases/{case['id']}", "case")

    return await _post(
        request, ctx, CaseCreate, save, lambda f: _new_case_page(request, ctx, f), "case"
    )


def _referral_choices(ctx: RequestContext) -> Choices:
    out = []
    for slug in sorted(ctx.tenant.modules):
        if slug == SLUG:
            continue
        title = t(f"{slug}.title")
        out.append((slug, slug.replace("_", " ") if title == f"{slug}.title" else title))
    return out


async def _case_page(
    request: Req, ctx: RequestContext, case_id: UUID, failed: Failed | None = None
) -> Template:
    case = await services.get_case(ctx, case_id)
    people = People()
    base = f"{_base(ctx)}/cases/{case_id}"
    sessions = [
        {
            "href": f"{_base(ctx)}/sessions/{s['id']}",
            "held_at": _when(ctx, s["held_at"]),
            "type": _label(ctx, s["session_type"], SESSION_TYPES_EL, SESSION_TYPES_EN),
            "mode": _label(ctx, s["mode"], MODES_EL, MODES_EN),
            "minutes": s["duration_minutes"],
            "participants": len(s["participant_ids"]),
            "video_link": s["video_link"],
        }
        for s in await services.list_sessions(ctx, case_id)
    ]
    consents = [
        {
            "minor": await people.label(c["minor_id"]),
            "kind": t(f"family_center.consent.{c['kind']}"),
            "guardian": await people.label(c["guardian_id"]) if c["guardian_id"] else "",
            "exception": t(f"family_center.exception.{c['exception_code']}")
            if c["exception_code"]
            else "",
            "recorded_on": _day(c["recorded_on"]),
        }
        for c in case["consents"]
    ]
    referrals = [
        {
            "direction": t(f"family_center.referral.{r['direction']}"),
            "agency": r.get("agency_name") or r.get("target_module") or "",
            "status": r.get("status", ""),
            "created": _day(r["created_at"]) if r.get("created_at") else "",
        }
        for r in await services.case_referrals(ctx, case_id)
    ]
    forms: dict[str, Markup] = {}
    picker = None
    if ctx.has(COUNSEL) and case["status"] == "open":
        picker = await _picker(request, ctx, base, people)
        parties = [case["person_id"], *case["family_member_ids"]]
        everyone = await people.choices([*parties, *picker.picked])
        forms["session"] = _form(
            request,
            SessionCreate,
            picker.href(f"{base}/sessions"),
            t("family_center.session.record"),
            "session",
            _state(failed, "session"),
            {"participant_ids": everyone},
        )
        forms["consent"] = _form(
            request,
            ConsentCreate,
            picker.href(f"{base}/consents"),
            t("family_center.consent.record"),
            "consent",
            _state(failed, "consent"),
            {"minor_id": await people.choices(parties), "guardian_id": everyone},
        )
        forms["review"] = _form(
            request,
            ReviewCreate,
            f"{base}/review",
            t("family_center.review.record"),
            "review",
            _state(failed, "review"),
        )
        forms["referral"] = _form(
            request,
            ReferralForm,
            f"{base}/referrals",
            t("family_center.referral.create"),
            "referral",
            _state(failed, "referral"),
            {"target_module": _referral_choices(ctx)},
        )
        forms["close"] = _form(
            request,
            CaseClose,
            f"{base}/close",
            t("family_center.case.close"),
            "close",
            _state(failed, "closed"),
        )
    return await render_page(
        request,
        "family_center/case.html",
        ctx=ctx,
        title=t("family_center.case.title"),
        case=case,
        client=await people.label(case["person_id"]),
        family=await people.names(case["family_member_ids"]),
        problems=[_label(ctx, p, PROBLEMS_EL, PROBLEMS_EN) for p in case["problems"]],
        sessions=sessions,
        consents=consents,
        referrals=referrals,
        forms=forms,
        picker=picker,
        failed=failed.form if failed else "",
        notice=_done(request),
        base=_base(ctx),
        status_code=422 if failed else 200,
    )


@get("/cases/{case_id:uuid}", name="family_center.case")
async def case_page(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _case_page(request, ctx, case_id)


async def _case_post(
    request: Req,
    ctx: RequestContext,
    case_id: UUID,
    model: type[M],
    call: Callable[[M], Awaitable[Any]],
    form: str,
    *aware: str,
) -> Any:
    await services.get_case(ctx, case_id, audit_read=False)  # 404 before reading the form

    async def save(data: M) -> str:
        await call(data)
        return _with_done(f"{_base(ctx)}/cases/{case_id}", form)

    return await _post(
        request, ctx, model, save, lambda f: _case_page(request, ctx, case_id, f), form, *aware
    )


@post("/cases/{case_id:uuid}/sessions", name="family_center.session_create", status_code=303)
async def create_session(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    return await _case_post(
        request,
        ctx,
        case_id,
        SessionCreate,
        lambda d: services.create_session(ctx, case_id, d),
        "session",
        "held_at",
    )


@post("/cases/{case_id:uuid}/consents", name="family_center.consent_create", status_code=303)
async def add_consent(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    return await _case_post(
        request,
        ctx,
        case_id,
        ConsentCreate,
        lambda d: services.add_consent(ctx, case_id, d),
        "consent",
    )


@post("/cases/{case_id:uuid}/review", name="family_center.case_review", status_code=303)
async def review_case(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    return await _case_post(
        request,
        ctx,
        case_id,
        ReviewCreate,
        lambda d: services.record_review(ctx, case_id, d),
        "review",
    )


@post("/cases/{case_id:uuid}/close", name="family_center.case_close", status_code=303)
async def close_case(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    return await _case_post(
        request,
        ctx,
        case_id,
        CaseClose,
        lambda d: services.close_case(ctx, case_id, d),
        "closed",
    )


@post("/cases/{case_id:uuid}/referrals", name="family_center.case_refer", status_code=303)
async def refer(request: Req, ctx: Ctx, case_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    return await _case_post(
        request,
        ctx,
        case_id,
        ReferralForm,
        lambda d: services.refer(ctx, case_id, d),
        "referral",
    )


# -- sessions and clinical notes --------------------------------------------------------------


async def _names_of_users(ctx: RequestContext) -> dict[str, str]:
    profiles, _ = await list_staff(limit=200)
    return {str(p["user_id"]): p["display_name"] for p in profiles if p["user_id"]}


async def _session_page(
    request: Req, ctx: RequestContext, session_id: UUID, failed: Failed | None = None
) -> Template:
    session = await services.get_session(ctx, session_id)
    people = People()
    notes: list[dict[str, Any]] = []
    form = None
    if ctx.has(COUNSEL):
        users = await _names_of_users(ctx)
        notes = [
            {
                "body": n["body"],
                "author": users.get(str(n["author_id"]), t("family_center.note.colleague")),
                "written": _when(ctx, n["created_at"]),
                "readers": [
                    users.get(str(r), t("family_center.note.colleague")) for r in n["readers"]
                ],
                "edit_href": f"{_base(ctx)}/notes/{n['id']}"
                if n["author_id"] == ctx.user_id
                else "",
            }
            for n in await services.list_notes(ctx, session_id)
        ]
        form = _form(
            request,
            NoteCreate,
            f"{_base(ctx)}/sessions/{session_id}/notes",
            t("family_center.note.save"),
            "note",
            _state(failed, "note"),
            {"readers": await _colleagues(ctx, COUNSEL, others=True)},
        )
    return await render_page(
        request,
        "family_center/session.html",
        ctx=ctx,
        title=t("family_center.session.title"),
        session=session,
        held_at=_when(ctx, session["held_at"]),
        type=_label(ctx, session["session_type"], SESSION_TYPES_EL, SESSION_TYPES_EN),
        mode=_label(ctx, session["mode"], MODES_EL, MODES_EN),
        participants=await people.names(session["participant_ids"]),
        case_href=f"{_base(ctx)}/cases/{session['case_id']}",
        notes=notes,
        form=form,
        notice=_done(request),
        status_code=422 if failed else 200,
    )


@get("/sessions/{session_id:uuid}", name="family_center.session")
async def session_page(request: Req, ctx: Ctx, session_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _session_page(request, ctx, session_id)


@post("/sessions/{session_id:uuid}/notes", name="family_center.note_create", status_code=303)
async def create_note(request: Req, ctx: Ctx, session_id: FromPath[UUID]) -> Any:
    ctx.require(COUNSEL)
    await services.get_session(ctx, session_id, audit_read=False)

    async def save(data: NoteCreate) -> str:
        await services.create_note(ctx, session_id, data)
        return _with_done(f"{_base(ctx)}/sessions/{session_id}", "note")

    return await _post(
        request, ctx, NoteCreate, save, lambda f: _session_page(request, ctx, session_id, f), "note"
    )


async def _note_page(
    request: Req, ctx: RequestContext, note_id: UUID, failed: Failed | None = None
) -> Template:
    note = await services.read_note(ctx, note_id)
    form = None
    if note["author_id"] == ctx.user_id:
        current = {"body": note["body"], "readers": [str(r) for r in note["readers"]]}
        form = _form(
            request,
            NoteUpdate,
            f"{_base(ctx)}/notes/{note_id}",
            t("family_center.note.save"),
            "note",
            _state(failed, "note", current),
            {"readers": await _colleagues(ctx, COUNSEL, others=True)},
        )
    return await render_page(
        request,
        "family_center/note.html",
        ctx=ctx,
        title=t("family_center.note.title"),
        note=note,
        written=_when(ctx, note["created_at"]),
        session_href=f"{_base(ctx)}/sessions/{note['session_id']}",
        form=form,
        status_code=422 if failed else 200,
    )


@get("/notes/{note_id:uuid}", name="family_center.note")
async def note_page(request: Req, ctx: Ctx, note_id: FromPath[UUID]) -> Template:
    ctx.require_visible(COUNSEL)
    return await _note_page(request, ctx, note_id)


@post("/notes/{note_id:uuid}", name="family_center.note_update", status_code=303)
async def update_note(request: Req, ctx: Ctx, note_id: FromPath[UUID]) -> Any:
    ctx.require_visible(COUNSEL)
    note = await services.read_note(ctx, note_id)

    async def save(data: NoteUpdate) -> str:
        # The form sends the whole note: an emptied text is a missing field, not "unchanged"
        # as an absent `body` of the API's partial update would be.
        if data.body is None:
            raise RequestValidationError.single("body", "missing")
        await services.update_note(ctx, note_id, data)
        return _with_done(f"{_base(ctx)}/sessions/{note['session_id']}", "note")

    return await _post(
        request, ctx, NoteUpdate, save, lambda f: _note_page(request, ctx, note_id, f), "note"
    )


# -- programmes -------------------------------------------------------------------------------


def _programme_view(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {
        "href": f"{_base(ctx)}/programmes/{p['id']}",
        "title": p["title"],
        "kind": _label(ctx, p["kind"], PROGRAMME_KINDS_EL, PROGRAMME_KINDS_EN),
        "partner": p["partner"],
        "starts_on": _day(p["starts_on"]),
        "ends_on": _day(p["ends_on"]),
        "enrolled": p.get("enrolled", len(p.get("enrolled_ids", []))),
        "meetings": p["meetings"] if isinstance(p["meetings"], int) else len(p["meetings"]),
    }


@get("/programmes", name="family_center.programmes")
async def programmes(request: Req, ctx: Ctx) -> Template:
    ctx.require(READ)
    kind = request.query_params.get("kind")
    kind = kind if kind in PROGRAMME_KINDS_EL else None
    cursor = request.query_params.get("cursor") or None
    found, next_cursor = await services.list_programmes(ctx, kind=kind, limit=50, cursor=cursor)
    more = ""
    if next_cursor:
        more = f"{_base(ctx)}/programmes?" + urlencode(
            {"cursor": next_cursor, **({"kind": kind} if kind else {})}
        )
    return await render_page(
        request,
        "family_center/programmes.html",
        ctx=ctx,
        title=t("family_center.programmes.title"),
        programmes=[_programme_view(ctx, p) for p in found],
        kinds=[
            (k, _label(ctx, k, PROGRAMME_KINDS_EL, PROGRAMME_KINDS_EN)) for k in PROGRAMME_KINDS_EL
        ],
        kind=kind or "",
        more=more,
        can_groups=ctx.has(GROUPS),
        base=_base(ctx),
    )


async def _new_programme_page(
    request: Req, ctx: RequestContext, failed: Failed | None = None
) -> Template:
    people = People()
    picker = await _picker(request, ctx, f"{_base(ctx)}/programmes/new", people)
    form = _form(
        request,
        ProgrammeCreate,
        picker.href(),
        t("family_center.programme.create"),
        "programme",
        _state(failed, "programme"),
        {
            "facilitators": await _colleagues(ctx, GROUPS),
            "enrolled_ids": await people.choices(picker.picked),
        },
    )
    return await render_page(
        request,
        "family_center/form.html",
        ctx=ctx,
        title=t("family_center.programme.new"),
        intro=t("family_center.programme.new_intro"),
        picker=picker,
        form=form,
        back=f"{_base(ctx)}/programmes",
        status_code=422 if failed else 200,
    )


@get("/programmes/new", name="family_center.programme_new")
async def new_programme(request: Req, ctx: Ctx) -> Template:
    ctx.require(GROUPS)
    return await _new_programme_page(request, ctx)


@post("/programmes/new", name="family_center.programme_create", status_code=303)
async def create_programme(request: Req, ctx: Ctx) -> Any:
    ctx.require(GROUPS)

    async def save(data: ProgrammeCreate) -> str:
        programme = await services.create_programme(ctx, data)
        return _with_done(f"{_base(ctx)}/programmes/{programme['id']}", "programme")

    return await _post(
        request,
        ctx,
        ProgrammeCreate,
        save,
        lambda f: _new_programme_page(request, ctx, f),
        "programme",
    )


async def _programme_page(
    request: Req, ctx: RequestContext, programme_id: UUID, failed: Failed | None = None
) -> Template:
    programme = await services.get_programme(ctx, programme_id)
    people = People()
    base = f"{_base(ctx)}/programmes/{programme_id}"
    users = await _names_of_users(ctx)
    meetings = [
        {
            "held_on": _day(m["held_on"]),
            "topic": m["topic"],
            "pupils": m["pupils"],
            "parents": m["parents"],
            "teachers": m["teachers"],
            "present": await people.names(m["present_ids"]),
            "absent": len(m["absent_ids"]),
        }
        for m in programme["meetings"]
    ]
    forms: dict[str, Markup] = {}
    picker = None
    if ctx.has(GROUPS):
        enrolled = await people.choices(programme["enrolled_ids"])
        forms["meeting"] = _form(
            request,
            MeetingCreate,
            f"{base}/meetings",
            t("family_center.meeting.record"),
            "meeting",
            _state(failed, "meeting", {"held_on": services.today(ctx).isoformat()}),
            {"present_ids": enrolled},
        )
        picker = await _picker(request, ctx, base, people)
        newcomers = [p for p in picker.picked if p not in programme["enrolled_ids"]]
        forms["enrol"] = _form(
            request,
            EnrolmentCreate,
            picker.href(f"{base}/enrolments"),
            t("family_center.programme.enrol"),
            "enrol",
            _state(failed, "enrolled", {"person_ids": [str(p) for p in newcomers]}),
            {"person_ids": await people.choices(newcomers)},
        )
    return await render_page(
        request,
        "family_center/programme.html",
        ctx=ctx,
        title=programme["title"],
        programme=_programme_view(ctx, programme),
        rate=programme["attendance_rate"],
        facilitators=[users.get(str(u), "—") for u in programme["facilitators"]],
        enrolled=await people.names(programme["enrolled_ids"]),
        meetings=meetings,
        forms=forms,
        picker=picker,
        notice=_done(request),
        base=_base(ctx),
        status_code=422 if failed else 200,
    )


@get("/programmes/{programme_id:uuid}", name="family_center.programme")
async def programme_page(request: Req, ctx: Ctx, programme_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _programme_page(request, ctx, programme_id)


async def _programme_post(
    request: Req,
    ctx: RequestContext,
    programme_id: UUID,
    model: type[M],
    call: Callable[[M], Awaitable[Any]],
    form: str,
) -> Any:
    await services.get_programme(ctx, programme_id, audit_read=False)

    async def save(data: M) -> str:
        await call(data)
        return _with_done(f"{_base(ctx)}/programmes/{programme_id}", form)

    return await _post(
        request, ctx, model, save, lambda f: _programme_page(request, ctx, programme_id, f), form
    )


@post(
    "/programmes/{programme_id:uuid}/meetings", name="family_center.meeting_create", status_code=303
)
async def add_meeting(request: Req, ctx: Ctx, programme_id: FromPath[UUID]) -> Any:
    ctx.require(GROUPS)
    return await _programme_post(
        request,
        ctx,
        programme_id,
        MeetingCreate,
        lambda d: services.add_meeting(ctx, programme_id, d),
        "meeting",
    )


@post("/programmes/{programme_id:uuid}/enrolments", name="family_center.enrol", status_code=303)
async def enrol(request: Req, ctx: Ctx, programme_id: FromPath[UUID]) -> Any:
    ctx.require(GROUPS)
    return await _programme_post(
        request,
        ctx,
        programme_id,
        EnrolmentCreate,
        lambda d: services.enrol(ctx, programme_id, d),
        "enrolled",
    )


# -- volunteers and trainees --------------------------------------------------------------------


async def _helpers_page(
    request: Req, ctx: RequestContext, failed: Failed | None = None
) -> Template:
    helpers = [
        {
            "href": f"{_base(ctx)}/helpers/{h['id']}",
            "name": h["full_name"],
            "kind": t(f"family_center.helper.{h['kind']}"),
            "institution": h["institution"],
            "starts_on": _day(h["starts_on"]),
            "ends_on": _day(h["ends_on"]),
            "hours": h["supervision_hours"],
        }
        for h in await services.list_helpers(ctx)
    ]
    form = _form(
        request,
        HelperCreate,
        f"{_base(ctx)}/helpers",
        t("family_center.helper.create"),
        "helper",
        _state(failed, "helper"),
    )
    return await render_page(
        request,
        "family_center/helpers.html",
        ctx=ctx,
        title=t("family_center.helpers.title"),
        helpers=helpers,
        form=form,
        notice=_done(request),
        status_code=422 if failed else 200,
    )


@get("/helpers", name="family_center.helpers")
async def helpers(request: Req, ctx: Ctx) -> Template:
    ctx.require(GROUPS)
    return await _helpers_page(request, ctx)


@post("/helpers", name="family_center.helper_create", status_code=303)
async def create_helper(request: Req, ctx: Ctx) -> Any:
    ctx.require(GROUPS)

    async def save(data: HelperCreate) -> str:
        helper = await services.create_helper(ctx, data)
        return _with_done(f"{_base(ctx)}/helpers/{helper['id']}", "helper")

    return await _post(
        request, ctx, HelperCreate, save, lambda f: _helpers_page(request, ctx, f), "helper"
    )


async def _helper_page(
    request: Req, ctx: RequestContext, helper_id: UUID, failed: Failed | None = None
) -> Template:
    helper = await services.get_helper(ctx, helper_id)
    form = _form(
        request,
        SupervisionCreate,
        f"{_base(ctx)}/helpers/{helper_id}/supervision",
        t("family_center.supervision.record"),
        "supervision",
        _state(failed, "supervision"),
    )
    return await render_page(
        request,
        "family_center/helper.html",
        ctx=ctx,
        title=helper["full_name"],
        helper=helper,
        kind=t(f"family_center.helper.{helper['kind']}"),
        starts_on=_day(helper["starts_on"]),
        ends_on=_day(helper["ends_on"]),
        supervision=[
            {"day": _day(s["supervised_on"]), "hours": s["hours"], "topic": s["topic"]}
            for s in helper["supervision"]
        ],
        form=form,
        back=f"{_base(ctx)}/helpers",
        notice=_done(request),
        status_code=422 if failed else 200,
    )


@get("/helpers/{helper_id:uuid}", name="family_center.helper")
async def helper_page(request: Req, ctx: Ctx, helper_id: FromPath[UUID]) -> Template:
    ctx.require(GROUPS)
    return await _helper_page(request, ctx, helper_id)


@post("/helpers/{helper_id:uuid}/supervision", name="family_center.supervision", status_code=303)
async def add_supervision(request: Req, ctx: Ctx, helper_id: FromPath[UUID]) -> Any:
    ctx.require(GROUPS)
    await services.get_helper(ctx, helper_id)

    async def save(data: SupervisionCreate) -> str:
        await services.add_supervision(ctx, helper_id, data)
        return _with_done(f"{_base(ctx)}/helpers/{helper_id}", "supervision")

    return await _post(
        request,
        ctx,
        SupervisionCreate,
        save,
        lambda f: _helper_page(request, ctx, helper_id, f),
        "supervision",
    )


# -- prosecutor orders ------------------------------------------------------------------------


def _order_view(ctx: RequestContext, order: dict[str, Any]) -> dict[str, Any]:
    return {
        "href": f"{_base(ctx)}/investigations/{order['id']}",
        "protocol": order["order_protocol"],
        "office": order["prosecutor_office"],
        "received_on": _day(order["received_on"]),
        "deadline": _day(order["deadline"]),
        "state": order["deadline_state"],
        "state_text": t(f"family_center.deadline.{order['deadline_state']}"),
        "urgent": order["priority"] == "urgent",
        "allegation": _label(ctx, order["allegation"], ALLEGATIONS_EL, ALLEGATIONS_EN),
        "status": t(f"family_center.order_status.{order['status']}"),
    }


@get("/investigations", name="family_center.investigations")
async def investigations(request: Req, ctx: Ctx) -> Template:
    ctx.require(PROTECTION)
    state = request.query_params.get("deadline") or ""
    state = state if state in DEADLINE_STATES else ""
    mine = request.query_params.get("mine") == "true"
    cursor = request.query_params.get("cursor") or None
    found, next_cursor = await services.list_investigations(
        ctx,
        state=state or None,
        assigned_to=ctx.user_id if mine else None,
        limit=50,
        cursor=cursor,
    )
    base = f"{_base(ctx)}/investigations"

    def href(deadline: str, only_mine: bool, **more: str) -> str:
        query = {**({"deadline": deadline} if deadline else {}), **more}
        if only_mine:
            query["mine"] = "true"
        return f"{base}?{urlencode(query)}" if query else base

    return await render_page(
        request,
        "family_center/investigations.html",
        ctx=ctx,
        title=t("family_center.orders.title"),
        orders=[_order_view(ctx, o) for o in found],
        base=_base(ctx),
        state=state,
        mine=mine,
        filters=[
            (
                s,
                href(s, mine),
                t(f"family_center.deadline.{s}") if s else t("family_center.orders.all"),
            )
            for s in ("", *DEADLINE_STATES)
        ],
        mine_href=href(state, not mine),
        more=href(state, mine, cursor=next_cursor) if next_cursor else "",
        sees_all=services.sees_every_order(ctx),
        notice=_done(request),
    )


async def _new_order_page(
    request: Req, ctx: RequestContext, failed: Failed | None = None
) -> Template:
    people = People()
    picker = await _picker(request, ctx, f"{_base(ctx)}/investigations/new", people)
    candidates = await people.choices(picker.picked)
    team = await _colleagues(ctx, PROTECTION)
    me = str(ctx.user_id)
    default = {
        "assigned": [me] if any(v == me for v, _ in team) else [],
        "children_ids": [str(picker.picked[0])] if picker.picked else [],
    }
    form = _form(
        request,
        InvestigationCreate,
        picker.href(),
        t("family_center.orders.register"),
        "order",
        _state(failed, "order", default),
        {"children_ids": candidates, "adult_ids": candidates, "assigned": team},
    )
    return await render_page(
        request,
        "family_center/form.html",
        ctx=ctx,
        title=t("family_center.orders.new"),
        intro=t("family_center.orders.new_intro"),
        picker=picker,
        form=form,
        back=f"{_base(ctx)}/investigations",
        status_code=422 if failed else 200,
    )


@get("/investigations/new", name="family_center.investigation_new")
async def new_investigation(request: Req, ctx: Ctx) -> Template:
    ctx.require(PROTECTION)
    return await _new_order_page(request, ctx)


@post("/investigations/new", name="family_center.investigation_create", status_code=303)
async def create_investigation(request: Req, ctx: Ctx) -> Any:
    ctx.require(PROTECTION)

    async def save(data: InvestigationCreate) -> str:
        order = await services.create_investigation(ctx, data)
        if services.sees_every_order(ctx) or ctx.user_id in data.assigned:
            return _with_done(f"{_base(ctx)}/investigations/{order['id']}", "order")
        # Registered for colleagues: the user does not see it from now on.
        return _with_done(f"{_base(ctx)}/investigations", "order_handed_over")

    return await _post(
        request, ctx, InvestigationCreate, save, lambda f: _new_order_page(request, ctx, f), "order"
    )


async def _order_page(
    request: Req, ctx: RequestContext, investigation_id: UUID, failed: Failed | None = None
) -> Template:
    order = await services.get_investigation(ctx, investigation_id)
    report = await services.read_report(ctx, investigation_id)
    people = People()
    base = f"{_base(ctx)}/investigations/{investigation_id}"
    parties = [*order["children_ids"], *order["adult_ids"]]
    users = await _names_of_users(ctx)
    visits = [
        {
            "when": a["start_local"].strftime("%d/%m/%Y %H:%M"),
            "service": a.get("service_title") or a.get("service", ""),
            "status": a.get("status", ""),
        }
        for a in await appointments_for_record(ctx, SLUG, "investigation", investigation_id)
    ]
    current = {
        "status": order["status"] if order["status"] in ("open", "closed") else "",
        "assigned": [str(a) for a in order["assigned"]],
        "deadline": order["deadline"].isoformat(),
        "priority": order["priority"],
    }
    open_order = order["status"] != "closed"
    forms = {
        "order": _form(
            request,
            InvestigationUpdate,
            base,
            t("family_center.orders.update"),
            "update",
            _state(failed, "update", current),
            {"assigned": await _colleagues(ctx, PROTECTION)},
        ),
        "visit": _form(
            request,
            VisitCreate,
            f"{base}/visits",
            t("family_center.visit.book"),
            "visit",
            _state(failed, "visit", {"person_ids": [str(p) for p in parties]}),
            {
                "staff_ids": await _staff(services.roles_with(PROTECTION)),
                "person_ids": await people.choices(parties),
            },
        ),
        "dispatch": _form(
            request,
            DispatchCreate,
            f"{base}/dispatches",
            t("family_center.dispatch.record"),
            "dispatch",
            _state(
                failed,
                "dispatch",
                {
                    "recipient": order["prosecutor_office"],
                    "sent_on": services.today(ctx).isoformat(),
                },
            ),
        ),
    }
    if open_order:
        forms["report"] = _form(
            request,
            ReportDraft,
            f"{base}/report",
            t("family_center.report.save"),
            "report",
            _state(failed, "report", {"body": report["body"]}),
        )
    return await render_page(
        request,
        "family_center/investigation.html",
        ctx=ctx,
        title=t("family_center.orders.one", protocol=order["order_protocol"]),
        order=_order_view(ctx, order),
        raw=order,
        children=await people.names(order["children_ids"]),
        adults=await people.names(order["adult_ids"]),
        assigned=[users.get(str(u), "—") for u in order["assigned"]],
        visits=visits,
        dispatches=[
            {
                "sent_on": _day(d["sent_on"]),
                "recipient": d["recipient"],
                "protocol": d["protocol"],
                "method": t(f"family_center.dispatch.method.{d['method']}"),
                "what": t(f"family_center.dispatch.what.{d['what']}"),
            }
            for d in order["dispatches"]
        ],
        documents=order["documents"],
        report=report,
        report_updated=_when(ctx, report["updated_at"]),
        forms=forms,
        pdf_href=f"{base}/report.pdf",
        notice=_done(request),
        failed=failed.form if failed else "",
        base=_base(ctx),
        status_code=422 if failed else 200,
    )


@get("/investigations/{investigation_id:uuid}", name="family_center.investigation")
async def investigation_page(request: Req, ctx: Ctx, investigation_id: FromPath[UUID]) -> Template:
    ctx.require(PROTECTION)
    return await _order_page(request, ctx, investigation_id)


async def _order_post(
    request: Req,
    ctx: RequestContext,
    investigation_id: UUID,
    model: type[M],
    call: Callable[[M], Awaitable[str | None]],
    form: str,
    *aware: str,
) -> Any:
    await services.get_investigation(ctx, investigation_id, audit_read=False)

    async def save(data: M) -> str:
        href = await call(data)
        return href or _with_done(f"{_base(ctx)}/investigations/{investigation_id}", form)

    return await _post(
        request,
        ctx,
        model,
        save,
        lambda f: _order_page(request, ctx, investigation_id, f),
        form,
        *aware,
    )


@post(
    "/investigations/{investigation_id:uuid}",
    name="family_center.investigation_update",
    status_code=303,
)
async def update_investigation(request: Req, ctx: Ctx, investigation_id: FromPath[UUID]) -> Any:
    ctx.require(PROTECTION)
    before = await services.get_investigation(ctx, investigation_id, audit_read=False)

    async def call(data: InvestigationUpdate) -> str | None:
        # The form shows every field; only what changed is sent (an unchanged deadline is
        # not a deadline set by the order).
        changes = {
            key: value
            for key, value in data.model_dump(exclude_none=True).items()
            if value != before.get(key)
        }
        updated = await services.update_investigation(
            ctx, investigation_id, InvestigationUpdate(**changes)
        )
        if not services.sees_every_order(ctx) and ctx.user_id not in updated["assigned"]:
            return _with_done(f"{_base(ctx)}/investigations", "order_handed_over")
        return None

    return await _order_post(request, ctx, investigation_id, InvestigationUpdate, call, "update")


@post(
    "/investigations/{investigation_id:uuid}/visits",
    name="family_center.visit_create",
    status_code=303,
)
async def book_visit(request: Req, ctx: Ctx, investigation_id: FromPath[UUID]) -> Any:
    ctx.require(PROTECTION)

    async def call(data: VisitCreate) -> None:
        await services.book_visit(ctx, investigation_id, data)

    return await _order_post(
        request, ctx, investigation_id, VisitCreate, call, "visit", "start", "end"
    )


@post(
    "/investigations/{investigation_id:uuid}/report",
    name="family_center.report_save",
    status_code=303,
)
async def save_report(request: Req, ctx: Ctx, investigation_id: FromPath[UUID]) -> Any:
    ctx.require(PROTECTION)

    async def call(data: ReportDraft) -> None:
        await services.save_report(ctx, investigation_id, data)

    return await _order_post(request, ctx, investigation_id, ReportDraft, call, "report")


@post(
    "/investigations/{investigation_id:uuid}/dispatches",
    name="family_center.dispatch_create",
    status_code=303,
)
async def add_dispatch(request: Req, ctx: Ctx, investigation_id: FromPath[UUID]) -> Any:
    ctx.require(PROTECTION)

    async def call(data: DispatchCreate) -> None:
        await services.add_dispatch(ctx, investigation_id, data)

    return await _order_post(request, ctx, investigation_id, DispatchCreate, call, "dispatch")


@get("/investigations/{investigation_id:uuid}/report.pdf", name="family_center.report_pdf")
async def report_pdf(ctx: Ctx, investigation_id: FromPath[UUID]) -> Response[bytes]:
    """The report as a PDF for submission (the same file as the API's)."""
    ctx.require(PROTECTION)
    content, filename = await services.report_pdf(ctx, investigation_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


PAGES = [
    index,
    new_case,
    create_case,
    case_page,
    create_session,
    add_consent,
    review_case,
    close_case,
    refer,
    session_page,
    create_note,
    note_page,
    update_note,
    programmes,
    new_programme,
    create_programme,
    programme_page,
    add_meeting,
    enrol,
    helpers,
    create_helper,
    helper_page,
    add_supervision,
    investigations,
    new_investigation,
    create_investigation,
    investigation_page,
    update_investigation,
    book_visit,
    save_report,
    add_dispatch,
    report_pdf,
]
