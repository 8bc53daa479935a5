"""HTTP routes of the Family Support Centre, mounted by the core under
`/api/v1/t/{tenant}/modules/family_center/` (404 for tenants that have not enabled it).

Handlers check the permission, parse, and call `services`; nothing else. Lists answer
`{"items": [...], "next_cursor": ...}` with `?limit=` and `?cursor=`.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.api import Forbidden, RequestContext
from plugins.family_center import services
from plugins.family_center.manifest import COUNSEL, GROUPS, PROTECTION, READ
from plugins.family_center.schemas import (
    FORMS,
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
Json = dict[str, Any]
TAGS = ["family_center"]


def _page(items: list[Any], next_cursor: str | None = None) -> Json:
    return {"items": items, "next_cursor": next_cursor}


def _require_any(ctx: RequestContext, *permissions: str) -> None:
    if not any(ctx.has(p) for p in permissions):
        raise Forbidden()


@get("/forms", tags=TAGS, summary="The module's forms: name, version, JSON schema with labels")
async def list_forms(ctx: Ctx) -> Json:
    _require_any(ctx, READ, COUNSEL, GROUPS, PROTECTION)
    return _page(
        [
            {
                "name": name,
                "version": v,
                "title_el": el,
                "title_en": en,
                "schema": model.model_json_schema(),
            }
            for name, (model, v, el, en) in FORMS.items()
        ]
    )


# -- cases and sessions ----------------------------------------------------------------------


@get("/cases", tags=TAGS, summary="Counselling cases, newest first")
async def list_cases(
    ctx: Ctx,
    status: FromQuery[Literal["open", "closed"] | None] = None,
    person_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(
        *await services.list_cases(
            ctx, status=status, person_id=person_id, limit=limit, cursor=cursor
        )
    )


@post("/cases", tags=TAGS, summary="Open a case (intake)")
async def create_case(ctx: Ctx, data: JSONBody[CaseCreate]) -> Json:
    ctx.require(COUNSEL)
    return await services.create_case(ctx, data)


@get("/cases/{case_id:uuid}", tags=TAGS, summary="A case with its consents and review state")
async def read_case(ctx: Ctx, case_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_case(ctx, case_id)


@post("/cases/{case_id:uuid}/close", tags=TAGS, status_code=200, summary="Close a case")
async def close_case(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[CaseClose]) -> Json:
    ctx.require(COUNSEL)
    return await services.close_case(ctx, case_id, data)


@post(
    "/cases/{case_id:uuid}/review",
    tags=TAGS,
    status_code=200,
    summary="Record a supervision review (the review rule counts sessions after it)",
)
async def review_case(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[ReviewCreate]) -> Json:
    ctx.require(COUNSEL)
    return await services.record_review(ctx, case_id, data)


@post(
    "/cases/{case_id:uuid}/consents",
    tags=TAGS,
    summary="Record a guardian's consent, or a permitted exception, for a minor",
)
async def add_consent(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[ConsentCreate]) -> Json:
    ctx.require(COUNSEL)
    return await services.add_consent(ctx, case_id, data)


@get("/cases/{case_id:uuid}/sessions", tags=TAGS, summary="Sessions of a case")
async def list_sessions(ctx: Ctx, case_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return _page(await services.list_sessions(ctx, case_id))


@post(
    "/cases/{case_id:uuid}/sessions",
    tags=TAGS,
    summary="Record a session",
    description="Needs at least one participant; a minor needs a guardian's consent or a "
    "recorded exception in the case (422 `minor_without_consent`). `book=true` also books "
    "it in the shared calendar.",
)
async def create_session(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[SessionCreate]) -> Json:
    ctx.require(COUNSEL)
    return await services.create_session(ctx, case_id, data)


@get("/sessions/{session_id:uuid}", tags=TAGS, summary="A session")
async def read_session(ctx: Ctx, session_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_session(ctx, session_id)


@get(
    "/sessions/{session_id:uuid}/notes",
    tags=TAGS,
    summary="The clinical notes of a session the user may read (author or named colleague)",
)
async def list_notes(ctx: Ctx, session_id: FromPath[UUID]) -> Json:
    ctx.require(COUNSEL)
    return _page(await services.list_notes(ctx, session_id))


@post("/sessions/{session_id:uuid}/notes", tags=TAGS, summary="Write a clinical note")
async def create_note(ctx: Ctx, session_id: FromPath[UUID], data: JSONBody[NoteCreate]) -> Json:
    ctx.require(COUNSEL)
    return await services.create_note(ctx, session_id, data)


@get(
    "/notes/{note_id:uuid}",
    tags=TAGS,
    summary="A clinical note: 404 to anyone but its author and the colleagues they named",
)
async def read_note(ctx: Ctx, note_id: FromPath[UUID]) -> Json:
    ctx.require_visible(COUNSEL)
    return await services.read_note(ctx, note_id)


@patch("/notes/{note_id:uuid}", tags=TAGS, summary="Change a note (its author only)")
async def update_note(ctx: Ctx, note_id: FromPath[UUID], data: JSONBody[NoteUpdate]) -> Json:
    ctx.require_visible(COUNSEL)
    return await services.update_note(ctx, note_id, data)


@get("/cases/{case_id:uuid}/referrals", tags=TAGS, summary="Referrals in and out of a case")
async def list_referrals(ctx: Ctx, case_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return _page(await services.case_referrals(ctx, case_id))


@post(
    "/cases/{case_id:uuid}/referrals",
    tags=TAGS,
    summary="Refer the client out (core referrals; follow the outcome there)",
)
async def create_referral(ctx: Ctx, case_id: FromPath[UUID], data: JSONBody[ReferralForm]) -> Json:
    ctx.require(COUNSEL)
    return await services.refer(ctx, case_id, data)


# -- groups and workshops ------------------------------------------------------------------


@get("/programmes", tags=TAGS, summary="Group programmes and school workshops")
async def list_programmes(
    ctx: Ctx,
    kind: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(READ)
    return _page(*await services.list_programmes(ctx, kind=kind, limit=limit, cursor=cursor))


@post("/programmes", tags=TAGS, summary="Start a programme")
async def create_programme(ctx: Ctx, data: JSONBody[ProgrammeCreate]) -> Json:
    ctx.require(GROUPS)
    return await services.create_programme(ctx, data)


@get("/programmes/{programme_id:uuid}", tags=TAGS, summary="A programme with attendance")
async def read_programme(ctx: Ctx, programme_id: FromPath[UUID]) -> Json:
    ctx.require(READ)
    return await services.get_programme(ctx, programme_id)


@post("/programmes/{programme_id:uuid}/enrolments", tags=TAGS, summary="Enrol people")
async def enrol(ctx: Ctx, programme_id: FromPath[UUID], data: JSONBody[EnrolmentCreate]) -> Json:
    ctx.require(GROUPS)
    return await services.enrol(ctx, programme_id, data)


@post(
    "/programmes/{programme_id:uuid}/meetings",
    tags=TAGS,
    summary="Record a meeting, its head counts and who was present",
)
async def add_meeting(
    ctx: Ctx, programme_id: FromPath[UUID], data: JSONBody[MeetingCreate]
) -> Json:
    ctx.require(GROUPS)
    return await services.add_meeting(ctx, programme_id, data)


@get("/helpers", tags=TAGS, summary="Volunteers and trainee students, with supervision hours")
async def list_helpers(ctx: Ctx) -> Json:
    ctx.require(GROUPS)
    return _page(await services.list_helpers(ctx))


@post("/helpers", tags=TAGS, summary="Register a volunteer or trainee")
async def create_helper(ctx: Ctx, data: JSONBody[HelperCreate]) -> Json:
    ctx.require(GROUPS)
    return await services.create_helper(ctx, data)


@get("/helpers/{helper_id:uuid}", tags=TAGS, summary="A volunteer or trainee")
async def read_helper(ctx: Ctx, helper_id: FromPath[UUID]) -> Json:
    ctx.require(GROUPS)
    return await services.get_helper(ctx, helper_id)


@post("/helpers/{helper_id:uuid}/supervision", tags=TAGS, summary="Log supervision hours")
async def add_supervision(
    ctx: Ctx, helper_id: FromPath[UUID], data: JSONBody[SupervisionCreate]
) -> Json:
    ctx.require(GROUPS)
    return await services.add_supervision(ctx, helper_id, data)


# -- child protection -------------------------------------------------------------------------


@get(
    "/investigations",
    tags=TAGS,
    summary="Prosecutor orders by deadline",
    description="`deadline`: overdue, approaching, on_time or completed (the deadline rule); "
    "`mine=true`: assigned to me.",
)
async def list_investigations(
    ctx: Ctx,
    deadline: FromQuery[Literal["overdue", "approaching", "on_time", "completed"] | None] = None,
    status: FromQuery[Literal["open", "submitted", "closed"] | None] = None,
    mine: FromQuery[bool] = False,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    ctx.require(PROTECTION)
    return _page(
        *await services.list_investigations(
            ctx,
            state=deadline,
            status=status,
            assigned_to=ctx.user_id if mine else None,
            limit=limit,
            cursor=cursor,
        )
    )


@get("/investigations/overdue", tags=TAGS, summary="Orders past their deadline")
async def overdue_investigations(ctx: Ctx) -> Json:
    ctx.require(PROTECTION)
    return _page(*await services.list_investigations(ctx, state="overdue", limit=200))


@post("/investigations", tags=TAGS, summary="Register a prosecutor order")
async def create_investigation(ctx: Ctx, data: JSONBody[InvestigationCreate]) -> Json:
    ctx.require(PROTECTION)
    return await services.create_investigation(ctx, data)


@get(
    "/investigations/{investigation_id:uuid}",
    tags=TAGS,
    summary="An order with visits, documents, dispatches and its deadline state",
)
async def read_investigation(ctx: Ctx, investigation_id: FromPath[UUID]) -> Json:
    ctx.require(PROTECTION)
    return await services.get_investigation(ctx, investigation_id)


@patch("/investigations/{investigation_id:uuid}", tags=TAGS, summary="Assign, re-date, close")
async def update_investigation(
    ctx: Ctx, investigation_id: FromPath[UUID], data: JSONBody[InvestigationUpdate]
) -> Json:
    ctx.require(PROTECTION)
    return await services.update_investigation(ctx, investigation_id, data)


@post(
    "/investigations/{investigation_id:uuid}/visits",
    tags=TAGS,
    summary="Schedule a home visit or interview (core scheduling)",
)
async def book_visit(
    ctx: Ctx, investigation_id: FromPath[UUID], data: JSONBody[VisitCreate]
) -> Json:
    ctx.require(PROTECTION)
    return await services.book_visit(ctx, investigation_id, data)


@get(
    "/investigations/{investigation_id:uuid}/report",
    tags=TAGS,
    summary="The social-investigation report (the template until a draft is saved)",
)
async def read_report(ctx: Ctx, investigation_id: FromPath[UUID]) -> Json:
    ctx.require(PROTECTION)
    return await services.read_report(ctx, investigation_id)


@put("/investigations/{investigation_id:uuid}/report", tags=TAGS, summary="Save the report")
async def save_report(
    ctx: Ctx, investigation_id: FromPath[UUID], data: JSONBody[ReportDraft]
) -> Json:
    ctx.require(PROTECTION)
    return await services.save_report(ctx, investigation_id, data)


@get(
    "/investigations/{investigation_id:uuid}/report.pdf",
    tags=TAGS,
    summary="The report as PDF, for submission",
    media_type="application/pdf",
)
async def report_pdf(ctx: Ctx, investigation_id: FromPath[UUID]) -> Response[bytes]:
    ctx.require(PROTECTION)
    content, filename = await services.report_pdf(ctx, investigation_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@post(
    "/investigations/{investigation_id:uuid}/dispatches",
    tags=TAGS,
    summary="Log a dispatch to the prosecutor (a sent report completes the order)",
)
async def add_dispatch(
    ctx: Ctx, investigation_id: FromPath[UUID], data: JSONBody[DispatchCreate]
) -> Json:
    ctx.require(PROTECTION)
    return await services.add_dispatch(ctx, investigation_id, data)


ROUTES = [
    list_forms,
    list_cases,
    create_case,
    read_case,
    close_case,
    review_case,
    add_consent,
    list_sessions,
    create_session,
    read_session,
    list_notes,
    create_note,
    read_note,
    update_note,
    list_referrals,
    create_referral,
    list_programmes,
    create_programme,
    read_programme,
    enrol,
    add_meeting,
    list_helpers,
    create_helper,
    read_helper,
    add_supervision,
    list_investigations,
    overdue_investigations,
    create_investigation,
    read_investigation,
    update_investigation,
    book_visit,
    read_report,
    save_report,
    report_pdf,
    add_dispatch,
]
