"""JSON API of the Roma branch, mounted under `/api/v1/t/{tenant}/modules/roma_branch/`.

Every route first checks `roma_branch.access` as 404 (the branch's records reveal ethnic
origin: to anyone outside the branch they do not exist), then the action's own permission as
403 (an area of the branch the role lacks).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.api import RequestContext
from plugins.roma_branch import services
from plugins.roma_branch.manifest import (
    ACCESS,
    ACCOMPANY,
    APPLICATIONS,
    ESF,
    JOBS,
    RECEPTION,
    SCHOOL,
)
from plugins.roma_branch.schemas import (
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

Ctx = NamedDependency[RequestContext]
Json = dict[str, Any]


def _visible(ctx: RequestContext, permission: str | None = None) -> None:
    ctx.require_visible(ACCESS)
    if permission is not None:
        ctx.require(permission)


def _page(result: tuple[list[Json], str | None]) -> Json:
    items, next_cursor = result
    return {"items": items, "next_cursor": next_cursor}


# -- reception ----------------------------------------------------------------------------------


@post("/reception", summary="Record a visit or call", status_code=201)
async def create_reception(ctx: Ctx, data: JSONBody[ReceptionIn]) -> Json:
    _visible(ctx, RECEPTION)
    return await services.create_reception(ctx, data)


@get("/reception", summary="The reception log (newest first)")
async def list_reception(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    start: FromQuery[date | None] = None,
    end: FromQuery[date | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(
        await services.list_reception(
            ctx, person_id=person_id, start=start, end=end, limit=limit, cursor=cursor
        )
    )


@get("/reception/{record_id:uuid}", summary="One reception entry")
async def read_reception(ctx: Ctx, record_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_reception(ctx, record_id)


@post(
    "/reception/{record_id:uuid}/follow-up-done",
    summary="Mark a contact's follow-up done",
    description="Records the date (between the contact and today) and who marked it; the "
    "follow-up leaves the open tasks. A contact without a follow-up, or one already done, "
    "is 409 (`roma_branch_no_follow_up`, `roma_branch_follow_up_done`).",
    status_code=200,
)
async def complete_follow_up(
    ctx: Ctx, record_id: FromPath[UUID], data: JSONBody[FollowUpDoneIn]
) -> Json:
    _visible(ctx, RECEPTION)
    return await services.complete_follow_up(ctx, record_id, data)


# -- accompaniment ------------------------------------------------------------------------------


@post(
    "/accompaniments",
    summary="Plan an accompaniment",
    description="Books the mediator and the person through core scheduling (service "
    "`roma_branch.accompaniment`): holidays, hours and double bookings are refused as for "
    "any appointment, and nothing is stored then.",
    status_code=201,
)
async def create_accompaniment(ctx: Ctx, data: JSONBody[AccompanimentIn]) -> Json:
    _visible(ctx, ACCOMPANY)
    return await services.create_accompaniment(ctx, data)


@get("/accompaniments", summary="Accompaniments (newest first)")
async def list_accompaniments(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    agency: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(
        await services.list_accompaniments(
            ctx, person_id=person_id, agency=agency, limit=limit, cursor=cursor
        )
    )


@get("/accompaniments/{record_id:uuid}", summary="One accompaniment")
async def read_accompaniment(ctx: Ctx, record_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_accompaniment(ctx, record_id)


@patch("/accompaniments/{record_id:uuid}", summary="Record the outcome, or cancel")
async def update_accompaniment(
    ctx: Ctx, record_id: FromPath[UUID], data: JSONBody[AccompanimentUpdate]
) -> Json:
    _visible(ctx, ACCOMPANY)
    return await services.update_accompaniment(ctx, record_id, data)


# -- benefit applications -----------------------------------------------------------------------


@post(
    "/applications",
    summary="Start supporting a benefit application",
    description="Household figures left out come from the person's registry household. The "
    "checklist is generated from the benefit's template in the module settings; for the "
    "minimum income an estimate is computed and explained line by line.",
    status_code=201,
)
async def create_application(ctx: Ctx, data: JSONBody[ApplicationIn]) -> Json:
    _visible(ctx, APPLICATIONS)
    return await services.create_application(ctx, data)


@get("/applications", summary="Applications supported")
async def list_applications(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    benefit: FromQuery[str | None] = None,
    outcome: FromQuery[str | None] = None,
    readiness: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(
        await services.list_applications(
            ctx,
            person_id=person_id,
            benefit=benefit,
            outcome=outcome,
            readiness=readiness,
            limit=limit,
            cursor=cursor,
        )
    )


@get("/applications/{app_id:uuid}", summary="An application with checklist and estimate")
async def read_application(ctx: Ctx, app_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_application(ctx, app_id)


@patch(
    "/applications/{app_id:uuid}",
    summary="Change household, incomes, submission or outcome",
    description="Submitting (`submitted_on`) needs every required document received and "
    "valid on that date (422 `roma_branch_not_ready`).",
)
async def update_application(
    ctx: Ctx, app_id: FromPath[UUID], data: JSONBody[ApplicationUpdate]
) -> Json:
    _visible(ctx, APPLICATIONS)
    return await services.update_application(ctx, app_id, data)


@patch(
    "/applications/{app_id:uuid}/checklist/{item_id:uuid}",
    summary="Mark a document received (linked to an uploaded document), with its dates",
)
async def update_item(
    ctx: Ctx,
    app_id: FromPath[UUID],
    item_id: FromPath[UUID],
    data: JSONBody[ChecklistItemUpdate],
) -> Json:
    _visible(ctx, APPLICATIONS)
    return await services.update_item(ctx, app_id, item_id, data)


@post(
    "/minimum-income/estimate",
    summary="What-if minimum-income estimate (nothing stored)",
    status_code=200,
)
async def estimate(ctx: Ctx, data: JSONBody[EstimateIn]) -> Json:
    _visible(ctx)
    return services.estimate_only(data, await services.settings_of(ctx))


# -- job bank -----------------------------------------------------------------------------------


@post("/job-seekers", summary="Create a job-seeker profile", status_code=201)
async def create_seeker(ctx: Ctx, data: JSONBody[JobSeekerIn]) -> Json:
    _visible(ctx, JOBS)
    return await services.create_seeker(ctx, data)


@get("/job-seekers", summary="Job seekers")
async def list_seekers(
    ctx: Ctx,
    active: FromQuery[bool | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(await services.list_seekers(ctx, active=active, limit=limit, cursor=cursor))


@get("/job-seekers/{seeker_id:uuid}", summary="One job seeker")
async def read_seeker(ctx: Ctx, seeker_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_seeker(ctx, seeker_id)


@patch("/job-seekers/{seeker_id:uuid}", summary="Update a job-seeker profile")
async def update_seeker(
    ctx: Ctx, seeker_id: FromPath[UUID], data: JSONBody[JobSeekerUpdate]
) -> Json:
    _visible(ctx, JOBS)
    return await services.update_seeker(ctx, seeker_id, data)


@get("/job-seekers/{seeker_id:uuid}/cv", summary="The CV rendered from the profile")
async def seeker_cv(ctx: Ctx, seeker_id: FromPath[UUID]) -> Json:
    _visible(ctx, JOBS)
    return await services.seeker_cv(ctx, seeker_id)


@post("/employers", summary="Add an employer", status_code=201)
async def create_employer(ctx: Ctx, data: JSONBody[EmployerIn]) -> Json:
    _visible(ctx, JOBS)
    return await services.create_employer(ctx, data)


@get("/employers", summary="Employers")
async def list_employers(
    ctx: Ctx, limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None
) -> Json:
    _visible(ctx)
    return _page(await services.list_employers(ctx, limit=limit, cursor=cursor))


@get("/employers/{employer_id:uuid}", summary="One employer")
async def read_employer(ctx: Ctx, employer_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_employer(ctx, employer_id)


@post("/vacancies", summary="Add a vacancy", status_code=201)
async def create_vacancy(ctx: Ctx, data: JSONBody[VacancyIn]) -> Json:
    _visible(ctx, JOBS)
    return await services.create_vacancy(ctx, data)


@get("/vacancies", summary="Vacancies")
async def list_vacancies(
    ctx: Ctx,
    status: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(await services.list_vacancies(ctx, status=status, limit=limit, cursor=cursor))


@get("/vacancies/{vacancy_id:uuid}", summary="One vacancy")
async def read_vacancy(ctx: Ctx, vacancy_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_vacancy(ctx, vacancy_id)


@patch("/vacancies/{vacancy_id:uuid}", summary="Open, fill or close a vacancy")
async def update_vacancy(
    ctx: Ctx, vacancy_id: FromPath[UUID], data: JSONBody[VacancyUpdate]
) -> Json:
    _visible(ctx, JOBS)
    return await services.update_vacancy(ctx, vacancy_id, data)


@get(
    "/vacancies/{vacancy_id:uuid}/matches",
    summary="Job seekers ranked by match score, with the reasons",
)
async def vacancy_matches(ctx: Ctx, vacancy_id: FromPath[UUID]) -> Json:
    _visible(ctx, JOBS)
    return {"items": await services.vacancy_matches(ctx, vacancy_id), "next_cursor": None}


@post("/mediations", summary="Record a mediation step", status_code=201)
async def create_mediation(ctx: Ctx, data: JSONBody[MediationIn]) -> Json:
    _visible(ctx, JOBS)
    return await services.create_mediation(ctx, data)


@get("/mediations", summary="Mediation steps")
async def list_mediations(
    ctx: Ctx,
    seeker_id: FromQuery[UUID | None] = None,
    vacancy_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(
        await services.list_mediations(
            ctx, seeker_id=seeker_id, vacancy_id=vacancy_id, limit=limit, cursor=cursor
        )
    )


@post(
    "/placements",
    summary="Record a placement",
    description="Creates its follow-ups at the months the settings name (1, 3 and 6).",
    status_code=201,
)
async def create_placement(ctx: Ctx, data: JSONBody[PlacementIn]) -> Json:
    _visible(ctx, JOBS)
    return await services.create_placement(ctx, data)


@get("/placements", summary="Placements with their follow-ups")
async def list_placements(
    ctx: Ctx,
    seeker_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(
        await services.list_placements(ctx, seeker_id=seeker_id, limit=limit, cursor=cursor)
    )


@get("/placements/{placement_id:uuid}", summary="One placement")
async def read_placement(ctx: Ctx, placement_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_placement(ctx, placement_id)


@post(
    "/placements/{placement_id:uuid}/followups/{month:int}",
    summary="Record a placement's follow-up",
    status_code=200,
)
async def record_followup(
    ctx: Ctx, placement_id: FromPath[UUID], month: FromPath[int], data: JSONBody[FollowupIn]
) -> Json:
    _visible(ctx, JOBS)
    return await services.record_followup(ctx, placement_id, month, data)


# -- school -------------------------------------------------------------------------------------


@post("/school-records", summary="Start a child's school follow-up", status_code=201)
async def create_school_record(ctx: Ctx, data: JSONBody[SchoolRecordIn]) -> Json:
    _visible(ctx, SCHOOL)
    return await services.create_school_record(ctx, data)


@get("/school-records", summary="School follow-up records")
async def list_school_records(
    ctx: Ctx,
    school_year: FromQuery[str | None] = None,
    enrolment_status: FromQuery[str | None] = None,
    child_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx)
    return _page(
        await services.list_school_records(
            ctx,
            school_year=school_year,
            enrolment_status=enrolment_status,
            child_id=child_id,
            limit=limit,
            cursor=cursor,
        )
    )


@get("/school-records/{record_id:uuid}", summary="One school record")
async def read_school_record(ctx: Ctx, record_id: FromPath[UUID]) -> Json:
    _visible(ctx)
    return await services.get_school_record(ctx, record_id)


@patch("/school-records/{record_id:uuid}", summary="Update enrolment and attendance")
async def update_school_record(
    ctx: Ctx, record_id: FromPath[UUID], data: JSONBody[SchoolRecordUpdate]
) -> Json:
    _visible(ctx, SCHOOL)
    return await services.update_school_record(ctx, record_id, data)


@post("/school-records/{record_id:uuid}/actions", summary="Record an action", status_code=201)
async def add_school_action(
    ctx: Ctx, record_id: FromPath[UUID], data: JSONBody[SchoolActionIn]
) -> Json:
    _visible(ctx, SCHOOL)
    return await services.add_school_action(ctx, record_id, data)


# -- ESF ----------------------------------------------------------------------------------------


@post(
    "/esf-records",
    summary="An ESF participant entry or exit record",
    description="`fields` holds exactly the indicator fields of the period (module setting "
    "`esf_period` unless `period` is given); sensitive fields accept `declined`.",
    status_code=201,
)
async def create_esf_record(ctx: Ctx, data: JSONBody[EsfRecordIn]) -> Json:
    _visible(ctx, ESF)
    return await services.create_esf_record(ctx, data)


@get("/esf-records", summary="ESF participant records")
async def list_esf_records(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    period: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Json:
    _visible(ctx, ESF)
    return _page(
        await services.list_esf_records(
            ctx, person_id=person_id, period=period, kind=kind, limit=limit, cursor=cursor
        )
    )


@get("/esf-records/{record_id:uuid}", summary="One ESF participant record")
async def read_esf_record(ctx: Ctx, record_id: FromPath[UUID]) -> Json:
    _visible(ctx, ESF)
    return await services.get_esf_record(ctx, record_id)


ROUTES: list[Any] = [
    create_reception,
    list_reception,
    read_reception,
    complete_follow_up,
    create_accompaniment,
    list_accompaniments,
    read_accompaniment,
    update_accompaniment,
    create_application,
    list_applications,
    read_application,
    update_application,
    update_item,
    estimate,
    create_seeker,
    list_seekers,
    read_seeker,
    update_seeker,
    seeker_cv,
    create_employer,
    list_employers,
    read_employer,
    create_vacancy,
    list_vacancies,
    read_vacancy,
    update_vacancy,
    vacancy_matches,
    create_mediation,
    list_mediations,
    create_placement,
    list_placements,
    read_placement,
    record_followup,
    create_school_record,
    list_school_records,
    read_school_record,
    update_school_record,
    add_school_action,
    create_esf_record,
    list_esf_records,
    read_esf_record,
]
