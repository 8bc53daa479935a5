"""Services of Help at Home: the only writer of the module's tables.

Every function runs in the caller's transaction (the request's, or the demo loader's), checks
that each referenced id is the current tenant's, applies the pure rules of `rules.py` with
the tenant's settings, writes, and audits with ids and codes only. Core services (people,
staff, module settings, the calendar, encryption) come from `core.api` only.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from core.api import (
    AppError,
    AppointmentRef,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RequestValidationError,
    audit,
    book_appointment,
    book_series,
    cancel_appointment,
    decrypt,
    encrypt,
    get_appointment,
    get_people,
    get_person,
    get_staff,
    keyset,
    list_staff,
    local_today,
    module_settings,
    person_exists,
    select_together,
    set_appointment_status,
    staff_exists,
    staff_id_for_user,
    system_actor,
    t,
)
from plugins.help_at_home import rules
from plugins.help_at_home.manifest import SLUG
from plugins.help_at_home.schemas import (
    ApplicationForm,
    ApplicationStatusForm,
    AssessmentBase,
    CarePlanForm,
    CheckInForm,
    CheckOutForm,
    ClosePlanForm,
    ExtraVisitForm,
    HomeRiskForm,
    IncidentCloseForm,
    IncidentForm,
    MissedForm,
    PlanServiceForm,
    PlanUpdateForm,
    ServiceEndForm,
    default_weekdays,
    form_version,
    parse_time,
)
from plugins.help_at_home.settings import Settings
from plugins.help_at_home.tables import (
    Application,
    Assessment,
    CarePlan,
    HomeRisk,
    Incident,
    PlanService,
    Visit,
)

log = logging.getLogger("merimna.help_at_home")

READ = "help_at_home.read"
MANAGE = "help_at_home.manage"
ASSESS = "help_at_home.assess"
HEALTH = "help_at_home.health"
VISITS = "help_at_home.visits"
VITALS = "help_at_home.vitals"

# Who may deliver each service (role codes; the scheduling area checks them again).
PROFESSIONS: dict[str, tuple[str, ...]] = {
    "nursing_visit": ("nurse",),
    "home_help": ("home_helper",),
    "psychosocial_support": ("social_worker", "psychologist"),
    "accompaniment": ("home_helper", "driver", "social_worker", "nurse"),
}
DEFAULT_MINUTES = {
    "nursing_visit": 45,
    "home_help": 120,
    "psychosocial_support": 60,
    "accompaniment": 120,
}
# Longest window booked as one core series (the scheduler books at most 200 occurrences).
SERIES_WINDOW = timedelta(weeks=26)


# -- the core services this module uses ------------------------------------------------------


async def settings_for(tenant: Any) -> Settings:
    """The tenant's settings of this module, validated by its model."""
    try:
        found = await module_settings(tenant, SLUG)
    except NotFound:  # a loader running just before the module's settings are cached
        return Settings()
    if isinstance(found, Settings):
        return found
    return Settings.model_validate(found.model_dump())


async def seal(text: str, purpose: str) -> str:
    """Health details at rest: encrypted with the tenant's key, bound to the column."""
    if not text:
        return ""
    return await encrypt(text, f"{SLUG}.{purpose}") or ""


async def unseal(stored: str | None, purpose: str) -> str:
    if not stored:
        return ""
    return await decrypt(stored, f"{SLUG}.{purpose}") or ""


async def staff_profile(staff_id: UUID) -> dict[str, Any] | None:
    """A staff profile of the current tenant, or None."""
    try:
        return dict(await get_staff(staff_id))
    except NotFound:
        return None


async def staff_names(staff_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Display names of staff profiles, read a page of 200 at a time (not one per id): a
    unit has a few dozen staff, so a report naming its workers costs one or two queries."""
    wanted = {UUID(str(i)) for i in staff_ids}
    names: dict[UUID, str] = {}
    cursor: str | None = None
    while wanted - set(names):
        found, cursor = await list_staff(limit=200, cursor=cursor)
        names.update({UUID(str(f["id"])): f["display_name"] for f in found})
        if not cursor:
            break
    return {k: v for k, v in names.items() if k in wanted}


async def my_staff_id(ctx: Any) -> UUID | None:
    """The user's staff profile id (one lookup: the profile itself is not needed)."""
    return await staff_id_for_user(ctx.user_id)


# -- helpers ------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _tz(ctx: Any) -> ZoneInfo:
    return ZoneInfo(getattr(ctx.tenant, "timezone", None) or "Europe/Athens")


def _json(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value or "null")
    return value


def _scale_code(code: str) -> str:
    return code if code == "missing" else f"help_at_home.{code}"


def _error(field_name: str, code: str, **params: Any) -> FieldError:
    return FieldError(field_name, code, t(f"validation.{code}", **params), params)


async def _audit(
    ctx: Any, action: str, object_type: str, object_id: Any = "", **details: Any
) -> None:
    await audit(ctx, action, f"help_at_home.{object_type}", object_id, details=details or None)


async def check_person(person_id: UUID, field_name: str = "person_id") -> dict[str, Any]:
    """The person, when they are the current tenant's; 404 naming the field otherwise."""
    try:
        person = await get_person(person_id)
    except NotFound:
        person = None
    if person is None or person.get("status") == "merged":  # as `person_exists`: one read
        raise NotFound(errors=[_error(field_name, "unknown_beneficiary")])
    return person


async def check_staff(staff_id: UUID, service: str, field_name: str) -> dict[str, Any]:
    """A staff profile of this tenant able to deliver `service`; 422 naming the field."""
    return _check_profile(await staff_profile(staff_id), service, field_name)


def _check_profile(profile: dict[str, Any] | None, service: str, field_name: str) -> dict[str, Any]:
    """`check_staff` on a profile already read (None: not found)."""
    if profile is None or not profile.get("active", True):
        raise RequestValidationError(errors=[_error(field_name, "unknown_staff")])
    roles = {profile.get("profession"), *(profile.get("roles") or [])}
    if not roles & set(PROFESSIONS[service]):
        raise RequestValidationError(
            errors=[
                _error(
                    field_name,
                    "profession_not_allowed",
                    professions=", ".join(PROFESSIONS[service]),
                )
            ]
        )
    return profile


def _age(person: dict[str, Any], on: date) -> int | None:
    birth = person.get("birth_date")
    if isinstance(birth, str):
        birth = date.fromisoformat(birth)
    return rules.age_on(birth, on) if birth else None


# -- assessments --------------------------------------------------------------------------


async def latest_assessments(person_id: UUID) -> dict[str, dict[str, Any]]:
    """The latest assessment of each scale (by date, then by signing time)."""
    return {r["scale"]: r for r in await _assessed_query([person_id])}


async def _assessment_out(row: dict[str, Any], health: bool) -> dict[str, Any]:
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "scale": row["scale"],
        "form_name": row["form_name"],
        "form_version": row["form_version"],
        "assessed_on": row["assessed_on"],
        "items": _json(row["items"]),
        "item_scores": _json(row["item_scores"]),
        "total": row["total"],
        "maximum": rules.SCALE_MAX[row["scale"]],
        "band": row["band"],
        "band_title": t(f"help_at_home.band.{row['scale']}.{row['band']}"),
        "alerts": _json(row["alerts"]) or [],
        "notes": await unseal(row["notes_sealed"], "assessment.notes") if health else None,
        "signed_by": row["signed_by"],
        "signed_at": row["signed_at"],
    }


async def create_assessment(ctx: Any, scale: str, form: AssessmentBase) -> dict[str, Any]:
    await check_person(form.person_id)
    items = form.model_dump()["items"]
    try:
        result = rules.score(scale, items)
    except rules.ScoreError as exc:  # the form's types already refuse these; kept as a wall
        raise RequestValidationError(
            errors=[_error(f"items.{exc.item}", _scale_code(exc.code), **exc.params)]
        ) from None
    settings = await settings_for(ctx.tenant)
    previous = (
        await Assessment.select(Assessment.total, Assessment.band)
        .where(
            (Assessment.person_id == form.person_id)
            & (Assessment.scale == scale)
            & (Assessment.assessed_on <= form.assessed_on)
        )
        .order_by(Assessment.assessed_on, ascending=False)
        .order_by(Assessment.signed_at, ascending=False)
        .first()
    )
    alerts = rules.band_change_alerts(
        scale,
        (previous["total"], previous["band"]) if previous else None,
        (result.total, result.band),
        barthel_drop=settings.barthel_drop_alert,
    )
    row_id = uuid4()
    alert_dicts = [
        {
            **a.__dict__,
            "message": t(
                f"help_at_home.alert.{a.code}",
                scale=scale.capitalize(),
                previous=a.previous_total,
                total=a.total,
            ),
        }
        for a in alerts
    ]
    await Assessment.insert(
        Assessment(
            id=row_id,
            person_id=form.person_id,
            scale=scale,
            form_name=f"help_at_home.{scale}",
            form_version=form_version(f"help_at_home.{scale}"),
            assessed_on=form.assessed_on,
            items=items,
            item_scores=result.item_scores,
            total=result.total,
            band=result.band,
            alerts=alert_dicts,
            notes_sealed=await seal(form.notes, "assessment.notes"),
            signed_by=ctx.user_id,
            signed_at=_now(),
        )
    )
    out = await get_assessment(ctx, row_id, audit_read=False)
    await _audit(ctx, "create", "assessment", row_id, scale=scale, band=result.band)
    return out


async def get_assessment(
    ctx: Any, assessment_id: UUID, *, audit_read: bool = True
) -> dict[str, Any]:
    row = (
        await Assessment.select()
        .where(Assessment.id == assessment_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound()
    if audit_read:
        await _audit(ctx, "read", "assessment", assessment_id)
    return await _assessment_out(row, ctx.has(HEALTH))


async def list_assessments(
    ctx: Any,
    *,
    person_id: UUID | None,
    scale: str | None,
    limit: int | None,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Assessment.select().output(load_json=True)
    if person_id is not None:
        query = query.where(Assessment.person_id == person_id)
    if scale is not None:
        query = query.where(Assessment.scale == scale)
    rows, next_cursor = await keyset(
        query,
        sort=Assessment.assessed_on,
        id_column=Assessment.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await _audit(ctx, "read", "assessment", "", ids=[str(r["id"]) for r in rows])
    health = ctx.has(HEALTH)
    return [await _assessment_out(r, health) for r in rows], next_cursor


async def create_home_risk(ctx: Any, form: HomeRiskForm) -> dict[str, Any]:
    await check_person(form.person_id)
    items = form.items.model_dump()
    row_id = uuid4()
    await HomeRisk.insert(
        HomeRisk(
            id=row_id,
            person_id=form.person_id,
            form_version=form_version("help_at_home.home_risk"),
            assessed_on=form.assessed_on,
            items=items,
            risk_count=sum(1 for v in items.values() if v),
            notes_sealed=await seal(form.notes, "home_risk.notes"),
            signed_by=ctx.user_id,
            signed_at=_now(),
        )
    )
    out = await get_home_risk(ctx, row_id, audit_read=False)
    await _audit(ctx, "create", "home_risk", row_id)
    return out


async def _home_risk_out(row: dict[str, Any], health: bool) -> dict[str, Any]:
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "form_name": row["form_name"],
        "form_version": row["form_version"],
        "assessed_on": row["assessed_on"],
        "items": _json(row["items"]),
        "risk_count": row["risk_count"],
        "notes": await unseal(row["notes_sealed"], "home_risk.notes") if health else None,
        "signed_by": row["signed_by"],
        "signed_at": row["signed_at"],
    }


async def get_home_risk(ctx: Any, risk_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await HomeRisk.select().where(HomeRisk.id == risk_id).first().output(load_json=True)
    if row is None:
        raise NotFound()
    if audit_read:
        await _audit(ctx, "read", "home_risk", risk_id)
    return await _home_risk_out(row, ctx.has(HEALTH))


async def list_home_risks(
    ctx: Any, *, person_id: UUID | None, limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = HomeRisk.select().output(load_json=True)
    if person_id is not None:
        query = query.where(HomeRisk.person_id == person_id)
    rows, next_cursor = await keyset(
        query,
        sort=HomeRisk.assessed_on,
        id_column=HomeRisk.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await _audit(ctx, "read", "home_risk", "", ids=[str(r["id"]) for r in rows])
    return [await _home_risk_out(r, ctx.has(HEALTH)) for r in rows], next_cursor


# -- applications, eligibility and priority -----------------------------------------------


def _facts(
    person: dict[str, Any], data: dict[str, Any], scores: dict[str, int], on: date
) -> rules.Facts:
    disability = data.get("disability_percent")
    if disability is None:
        disability = person.get("disability_percent")
    income = data.get("annual_income")
    return rules.Facts(
        age=_age(person, on),
        disability_percent=disability,
        lives_alone=data.get("living_situation") == "alone",
        family_support=data.get("family_support", "none"),
        annual_income=Decimal(str(income)) if income is not None else None,
        mobility_problems=bool(data.get("mobility_problems")),
        scores=scores,
    )


async def _evaluate(
    ctx: Any, person_id: UUID, data: dict[str, Any], person: dict[str, Any] | None = None
) -> tuple[rules.Decision, rules.Priority]:
    """Eligibility and priority of an application; `person`: when the caller has read it."""
    if person is None:
        person = await get_person(person_id)
    settings = await settings_for(ctx.tenant)
    latest = await latest_assessments(person_id)
    scores = {scale: row["total"] for scale, row in latest.items()}
    facts = _facts(person, data, scores, local_today(ctx.tenant))
    return rules.eligibility(facts, settings), rules.priority(facts, settings)


def _explain(decision: rules.Decision) -> dict[str, Any]:
    out = decision.as_dict()
    out["decision_title"] = t(f"help_at_home.decision.{decision.decision}")
    for reason in out["reasons"]:
        reason["message"] = t(
            f"help_at_home.reason.{reason['code']}.{reason['status']}",
            value=reason["value"],
            threshold=reason["threshold"],
        )
    return out


def _explain_priority(priority: rules.Priority) -> dict[str, Any]:
    out = priority.as_dict()
    for item in out["items"]:
        item["title"] = t(f"help_at_home.priority.{item['code']}")
    return out


def explain(facts: rules.Facts, settings: Settings) -> dict[str, Any]:
    """Eligibility and priority of hypothetical facts (the preview route)."""
    return {
        "eligibility": _explain(rules.eligibility(facts, settings)),
        "priority": _explain_priority(rules.priority(facts, settings)),
    }


async def _application_out(row: dict[str, Any], health: bool) -> dict[str, Any]:
    data = _json(row["data"]) or {}
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "received_on": row["received_on"],
        "status": row["status"],
        "status_reason": row["status_reason"],
        "form_name": row["form_name"],
        "form_version": row["form_version"],
        "data": data,
        "health_conditions": (
            await unseal(row["health_sealed"], "application.health") if health else None
        ),
        "decision": row["decision"],
        "eligibility": _json(row["eligibility"]),
        "priority_score": row["priority_score"],
        "priority": _json(row["priority"]),
        "evaluated_at": row["evaluated_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


async def create_application(ctx: Any, form: ApplicationForm) -> dict[str, Any]:
    person = await check_person(form.person_id)
    data = form.model_dump(mode="json", exclude={"person_id", "received_on", "health_conditions"})
    decision, prio = await _evaluate(ctx, form.person_id, data, person)
    now = _now()
    row_id = uuid4()
    await Application.insert(
        Application(
            id=row_id,
            person_id=form.person_id,
            received_on=form.received_on or local_today(ctx.tenant),
            status="waiting",
            form_version=form_version("help_at_home.application"),
            data=data,
            health_sealed=await seal(form.health_conditions, "application.health"),
            decision=decision.decision,
            eligibility=_explain(decision),
            priority_score=prio.score,
            priority=_explain_priority(prio),
            evaluated_at=now,
            created_by=ctx.user_id,
            created_at=now,
            updated_at=now,
        )
    )
    out = await get_application(ctx, row_id, audit_read=False)
    await _audit(ctx, "create", "application", row_id, decision=decision.decision)
    return out


async def _application_row(application_id: UUID) -> dict[str, Any]:
    row = (
        await Application.select()
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound()
    return row


async def get_application(
    ctx: Any, application_id: UUID, *, audit_read: bool = True
) -> dict[str, Any]:
    row = await _application_row(application_id)
    if audit_read:
        await _audit(ctx, "read", "application", application_id)
    return await _application_out(row, ctx.has(HEALTH))


async def evaluate_application(ctx: Any, application_id: UUID) -> dict[str, Any]:
    """Decide again with the latest assessments and the current settings."""
    row = await _application_row(application_id)
    decision, prio = await _evaluate(ctx, row["person_id"], _json(row["data"]) or {})
    (updated,) = (
        await Application.update(
            {
                Application.decision: decision.decision,
                Application.eligibility: _explain(decision),
                Application.priority_score: prio.score,
                Application.priority: _explain_priority(prio),
                Application.evaluated_at: _now(),
                Application.updated_at: _now(),
            }
        )
        .where(Application.id == application_id)
        .returning(*Application._meta.columns)
    )
    out = await _application_out(updated, ctx.has(HEALTH))  # as written, not read back
    await _audit(ctx, "update", "application", application_id, decision=decision.decision)
    return out


async def set_application_status(
    ctx: Any, application_id: UUID, form: ApplicationStatusForm
) -> dict[str, Any]:
    row = await _application_row(application_id)
    if form.status in ("rejected", "withdrawn") and not form.reason:
        raise RequestValidationError(errors=[_error("reason", "help_at_home.reason_required")])
    if form.status == "admitted" and row["decision"] != "eligible":
        raise RequestValidationError(errors=[_error("status", "help_at_home.not_eligible")])
    if row["status"] == "closed":
        raise RequestValidationError(
            errors=[_error("status", "invalid_transition", old=row["status"], new=form.status)]
        )
    (updated,) = (
        await Application.update(
            {
                Application.status: form.status,
                Application.status_reason: form.reason,
                Application.updated_at: _now(),
            }
        )
        .where(Application.id == application_id)
        .returning(*Application._meta.columns)
    )
    out = await _application_out(updated, ctx.has(HEALTH))  # as written, not read back
    await _audit(ctx, "update", "application", application_id, status=form.status)
    return out


async def list_applications(
    ctx: Any,
    *,
    status: str | None,
    person_id: UUID | None,
    limit: int | None,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Highest priority first (the waiting list when `status=waiting`)."""
    query = Application.select().output(load_json=True)
    if status is not None:
        query = query.where(Application.status == status)
    if person_id is not None:
        query = query.where(Application.person_id == person_id)
    rows, next_cursor = await keyset(
        query,
        sort=Application.priority_score,
        id_column=Application.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await _audit(ctx, "read", "application", "", ids=[str(r["id"]) for r in rows])
    return [await _application_out(r, ctx.has(HEALTH)) for r in rows], next_cursor


# -- care plans and their visits ------------------------------------------------------------


async def _plan_row(plan_id: UUID) -> dict[str, Any]:
    row = await CarePlan.select().where(CarePlan.id == plan_id).first().output(load_json=True)
    if row is None:
        raise NotFound()
    return row


def _service_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "service": row["service"],
        "service_code": f"{SLUG}.{row['service']}",
        "staff_id": row["staff_id"],
        "frequency_per_week": row["frequency_per_week"],
        "weekdays": _json(row["weekdays"]),
        "start_time": row["start_time"],
        "minutes": row["minutes"],
        "tasks": _json(row["tasks"]),
        "series_ids": _json(row["series_ids"]),
        "active": row["active"],
    }


async def get_plan(ctx: Any, plan_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    """The plan with its services (one statement) and visit counts (one more)."""
    rows, plan_services = await select_together(
        CarePlan.select().where(CarePlan.id == plan_id).output(load_json=True),
        PlanService.select().where(PlanService.plan_id == plan_id).output(load_json=True),
    )
    if not rows:
        raise NotFound()
    out = (await _plans_out(rows, plan_services))[0]
    if audit_read:
        await _audit(ctx, "read", "care_plan", plan_id)
    return out


async def _plans_out(
    rows: list[dict[str, Any]], plan_services: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Plans with their services and visit counts: two queries for the whole page, one when
    the caller has read the services (`plan_services`, rows of `PlanService`)."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    if plan_services is None:
        plan_services = (
            await PlanService.select().where(PlanService.plan_id.is_in(ids)).output(load_json=True)
        )
    services: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for svc in plan_services:
        services[svc["plan_id"]].append(_service_out(svc))
    counts: Counter[tuple[UUID, str]] = Counter()
    for r in (
        await Visit.select(Visit.plan_id, Visit.status, Count())
        .where(Visit.plan_id.is_in(ids) & Visit.status.is_in(["planned", "done"]))
        .group_by(Visit.plan_id, Visit.status)
    ):
        counts[(r["plan_id"], r["status"])] = r["count"]
    return [
        {
            "id": row["id"],
            "person_id": row["person_id"],
            "application_id": row["application_id"],
            "form_name": row["form_name"],
            "form_version": row["form_version"],
            "status": row["status"],
            "status_reason": row["status_reason"],
            "goals": _json(row["goals"]),
            "start_date": row["start_date"],
            "review_date": row["review_date"],
            "end_date": row["end_date"],
            "paused_on": row["paused_on"],
            "closed_on": row["closed_on"],
            "services": services.get(row["id"], []),
            "visits_planned": counts[(row["id"], "planned")],
            "visits_done": counts[(row["id"], "done")],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        for row in rows
    ]


async def list_plans(
    ctx: Any, *, person_id: UUID | None, status: str | None, limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = CarePlan.select().output(load_json=True)
    if person_id is not None:
        query = query.where(CarePlan.person_id == person_id)
    if status is not None:
        query = query.where(CarePlan.status == status)
    rows, next_cursor = await keyset(
        query,
        sort=CarePlan.start_date,
        id_column=CarePlan.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await _audit(ctx, "read", "care_plan", "", ids=[str(r["id"]) for r in rows])
    return await _plans_out(rows), next_cursor


async def create_plan(ctx: Any, form: CarePlanForm) -> dict[str, Any]:
    """A care plan, its services and, unless `schedule` is false, its recurring visits."""
    await check_person(form.person_id)
    # The application named and any open plan of the person, read in one statement.
    apps, open_plans = await select_together(
        Application.select(Application.person_id).where(
            Application.id == form.application_id
            if form.application_id is not None
            else Application.id.is_null()  # no application named: no row
        ),
        CarePlan.select(CarePlan.id)
        .where((CarePlan.person_id == form.person_id) & CarePlan.status.is_in(["active", "paused"]))
        .limit(1),
    )
    if form.application_id is not None and (not apps or apps[0]["person_id"] != form.person_id):
        raise NotFound(errors=[_error("application_id", "help_at_home.unknown_application")])
    settings = await settings_for(ctx.tenant)
    errors: list[FieldError] = []
    profiles: dict[UUID, dict[str, Any] | None] = {}  # one read per staff member, not service
    for i, svc in enumerate(form.services):
        if svc.staff_id not in profiles:
            profiles[svc.staff_id] = await staff_profile(svc.staff_id)
        try:
            _check_profile(profiles[svc.staff_id], svc.service, f"services.{i}.staff_id")
        except RequestValidationError as exc:
            errors.extend(exc.errors)
        frequency = svc.frequency_per_week or getattr(settings.visit_frequencies, svc.service)
        if frequency < 1:
            errors.append(
                _error(f"services.{i}.frequency_per_week", "help_at_home.frequency_required")
            )
    if errors:
        raise RequestValidationError(errors=errors)
    if open_plans:
        raise Conflict("active_plan_exists")
    now = _now()
    plan_id = uuid4()
    await CarePlan.insert(
        CarePlan(
            id=plan_id,
            person_id=form.person_id,
            application_id=form.application_id,
            form_version=form_version("help_at_home.care_plan"),
            status="active",
            goals=list(form.goals),
            start_date=form.start_date,
            review_date=form.review_date,
            end_date=form.end_date,
            created_by=ctx.user_id,
            created_at=now,
            updated_at=now,
        )
    )
    rows = [_plan_service_row(plan_id, svc, settings) for svc in form.services]
    if rows:
        await PlanService.insert(*rows)  # one statement for all the services
    if form.application_id is not None:
        await Application.update(
            {Application.status: "admitted", Application.updated_at: now}
        ).where((Application.id == form.application_id) & (Application.status == "waiting"))
    scheduled: dict[str, Any] = {"created": 0, "skipped": []}
    if form.schedule:
        scheduled = await schedule_plan(ctx, plan_id, from_date=form.start_date)
    out = await get_plan(ctx, plan_id, audit_read=False)
    out["scheduled"] = scheduled
    await _audit(ctx, "create", "care_plan", plan_id)
    return out


def _plan_service_row(plan_id: UUID, svc: PlanServiceForm, settings: Settings) -> PlanService:
    frequency = svc.frequency_per_week or getattr(settings.visit_frequencies, svc.service)
    return PlanService(
        id=uuid4(),
        plan_id=plan_id,
        service=svc.service,
        staff_id=svc.staff_id,
        frequency_per_week=frequency,
        weekdays=list(svc.weekdays or default_weekdays(frequency)),
        start_time=svc.start_time,
        minutes=svc.minutes or DEFAULT_MINUTES[svc.service],
        tasks=list(svc.tasks),
        series_ids=[],
        active=True,
    )


WEEKDAY_INDEX = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def first_occurrence(start: date, weekdays: Sequence[str]) -> date:
    wanted = {WEEKDAY_INDEX[d] for d in weekdays}
    day = start
    while day.weekday() not in wanted:
        day += timedelta(days=1)
    return day


def _person_name(person: dict[str, Any]) -> str:
    return f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()


def _address_text(person: dict[str, Any]) -> str:
    address = person.get("address") or {}
    parts = [
        f"{address.get('street', '')} {address.get('number', '')}".strip(),
        address.get("postcode", ""),
        address.get("city", ""),
    ]
    return ", ".join(p for p in parts if p)[:500]


async def schedule_plan(
    ctx: Any, plan_id: UUID, *, from_date: date | None = None
) -> dict[str, Any]:
    """Book the recurring visits of every active service from `from_date` to the plan's end
    (or review date) through the core scheduling API; holidays, closed hours, absences and
    conflicts are skipped by it and listed here with their reasons."""
    plan = await _plan_row(plan_id)
    if plan["status"] != "active":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_not_active")])
    start = max(from_date or plan["start_date"], plan["start_date"], local_today(ctx.tenant))
    until = rules.plan_end(plan["start_date"], plan["review_date"], plan["end_date"])
    if start > until:
        raise RequestValidationError(
            errors=[_error("from_date", "help_at_home.outside_plan_period")]
        )
    person = await get_person(plan["person_id"])
    services = (
        await PlanService.select()
        .where(
            (PlanService.plan_id == plan_id) & (PlanService.active == True)  # noqa: E712
        )
        .output(load_json=True)
    )
    created = 0
    skipped: list[dict[str, Any]] = []
    for svc in services:
        n, missed = await _book_service(ctx, plan, svc, person, start, until)
        created += n
        skipped.extend(missed)
    await _audit(ctx, "update", "care_plan", plan_id, scheduled=created, skipped=len(skipped))
    return {"created": created, "skipped": skipped}


async def _book_service(
    ctx: Any,
    plan: dict[str, Any],
    svc: dict[str, Any],
    person: dict[str, Any],
    start: date,
    until: date,
) -> tuple[int, list[dict[str, Any]]]:
    tz = _tz(ctx)
    weekdays = list(_json(svc["weekdays"]))
    hour, minute = parse_time(svc["start_time"])
    created = 0
    skipped: list[dict[str, Any]] = []
    series_ids = list(_json(svc["series_ids"]) or [])
    window_start = start
    while window_start <= until:
        window_end = min(until, window_start + SERIES_WINDOW - timedelta(days=1))
        first = first_occurrence(window_start, weekdays)
        if first > window_end:
            break
        begin = datetime.combine(first, time(hour, minute), tzinfo=tz)
        try:
            result = await book_series(
                ctx,
                service=f"{SLUG}.{svc['service']}",
                start=begin,
                end=begin + timedelta(minutes=svc["minutes"]),
                staff_ids=[svc["staff_id"]],
                beneficiary_ids=[plan["person_id"]],
                weekdays=weekdays,
                until=window_end,
                mode="home_visit",
                location_kind="home",
                location_text=_address_text(person),
                record=("care_plan", plan["id"]),
            )
        except AppError as exc:
            if exc.code != "series_empty":
                raise
            skipped.extend(_skips(svc, exc.extra.get("skipped") or []))
        else:
            series_ids.append(str(result["series_id"]))
            for appointment in result["created"]:
                await _insert_visit(
                    ctx,
                    plan,
                    svc["id"],
                    svc["service"],
                    svc["staff_id"],
                    appointment,
                    _json(svc["tasks"]),
                )
                created += 1
            skipped.extend(_skips(svc, result.get("skipped") or []))
        window_start = window_end + timedelta(days=1)
    await PlanService.update({PlanService.series_ids: series_ids}).where(
        PlanService.id == svc["id"]
    )
    return created, skipped


def _skips(svc: dict[str, Any], items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        start = item.get("start")
        out.append(
            {
                "service": svc["service"],
                "staff_id": str(svc["staff_id"]),
                "start": start.isoformat() if isinstance(start, datetime) else start,
                "reasons": [
                    {"code": r.get("code"), "message": r.get("message", "")}
                    for r in item.get("reasons") or []
                ],
            }
        )
    return out


async def _insert_visit(
    ctx: Any,
    plan: dict[str, Any],
    plan_service_id: UUID | None,
    service: str,
    staff_id: UUID,
    appointment: dict[str, Any],
    tasks: list[str],
) -> UUID:
    start, end = _utc(appointment["start"]), _utc(appointment["end"])
    now = _now()
    visit_id = uuid4()
    await Visit.insert(
        Visit(
            id=visit_id,
            plan_id=plan["id"],
            plan_service_id=plan_service_id,
            person_id=plan["person_id"],
            staff_id=staff_id,
            service=service,
            appointment_id=appointment["id"],
            planned_start=start,
            planned_end=end,
            planned_day=start.astimezone(_tz(ctx)).date(),
            status="planned",
            tasks=list(tasks),
            form_version=form_version("help_at_home.visit_log"),
            created_at=now,
            updated_at=now,
        )
    )
    return visit_id


async def add_visit(ctx: Any, plan_id: UUID, form: ExtraVisitForm) -> dict[str, Any]:
    """One extra visit inside the plan's period (outside it: 422 on `start`)."""
    plan = await _plan_row(plan_id)
    if plan["status"] != "active":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_not_active")])
    day = form.start.astimezone(_tz(ctx)).date()
    end_day = rules.plan_end(plan["start_date"], plan["review_date"], plan["end_date"])
    errors: list[FieldError] = []
    if not rules.within_period(day, plan["start_date"], end_day):
        errors.append(
            _error(
                "start",
                "help_at_home.outside_plan_period",
                start=str(plan["start_date"]),
                end=str(end_day),
            )
        )
    try:
        await check_staff(form.staff_id, form.service, "staff_id")
    except RequestValidationError as exc:
        errors.extend(exc.errors)
    if errors:
        raise RequestValidationError(errors=errors)
    person = await get_person(plan["person_id"])
    minutes = form.minutes or DEFAULT_MINUTES[form.service]
    appointment = await book_appointment(
        ctx,
        service=f"{SLUG}.{form.service}",
        start=form.start,
        end=form.start + timedelta(minutes=minutes),
        staff_ids=[form.staff_id],
        beneficiary_ids=[plan["person_id"]],
        mode="home_visit",
        location_kind="home",
        location_text=_address_text(person),
        record=("care_plan", plan_id),
    )
    visit_id = await _insert_visit(
        ctx, plan, None, form.service, form.staff_id, appointment, list(form.tasks)
    )
    out = await get_visit(ctx, visit_id, audit_read=False)
    await _audit(ctx, "create", "visit", visit_id)
    return out


async def _cancel_visits(
    ctx: Any,
    plan_id: UUID,
    from_day: date,
    reason: str,
    until: date | None = None,
    *,
    plan_service_id: UUID | None = None,
) -> int:
    """Cancel the plan's planned visits (of one of its services) from `from_day` (to
    `until`), here and in the core calendar, so the staff's time is free again."""
    query = Visit.select(Visit.id, Visit.appointment_id).where(
        (Visit.plan_id == plan_id) & (Visit.status == "planned") & (Visit.planned_day >= from_day)
    )
    if until is not None:
        query = query.where(Visit.planned_day <= until)
    if plan_service_id is not None:
        query = query.where(Visit.plan_service_id == plan_service_id)
    rows = await query
    if not rows:
        return 0
    # The visits first: the calendar tells this module of each cancellation
    # (`appointment_changed`), which then finds the visit already cancelled.
    await Visit.update(
        {Visit.status: "cancelled", Visit.status_reason: reason[:500], Visit.updated_at: _now()}
    ).where(Visit.id.is_in([r["id"] for r in rows]))
    for row in rows:
        if row["appointment_id"]:
            # already cancelled or completed in the calendar: nothing left to cancel there
            with contextlib.suppress(NotFound, RequestValidationError):
                await cancel_appointment(ctx, row["appointment_id"], reason=reason, scope="this")
    return len(rows)


async def update_plan(ctx: Any, plan_id: UUID, form: PlanUpdateForm) -> dict[str, Any]:
    """Change an open plan's goals, review and end dates; visits after an earlier end are
    cancelled (a later end books nothing by itself: `schedule_plan` does)."""
    plan = await _plan_row(plan_id)
    if plan["status"] == "closed":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_closed")])
    errors: list[FieldError] = []
    if form.review_date <= plan["start_date"]:
        errors.append(_error("review_date", "help_at_home.review_before_start"))
    if form.end_date is not None and form.end_date < plan["start_date"]:
        errors.append(_error("end_date", "end_before_start"))
    if errors:
        raise RequestValidationError(errors=errors)
    old_end = rules.plan_end(plan["start_date"], plan["review_date"], plan["end_date"])
    new_end = rules.plan_end(plan["start_date"], form.review_date, form.end_date)
    cancelled = 0
    if new_end < old_end:
        cancelled = await _cancel_visits(
            ctx, plan_id, new_end + timedelta(days=1), t("help_at_home.ui.plan_shortened")
        )
    await CarePlan.update(
        {
            CarePlan.goals: list(form.goals),
            CarePlan.review_date: form.review_date,
            CarePlan.end_date: form.end_date,
            CarePlan.updated_at: _now(),
        }
    ).where(CarePlan.id == plan_id)
    await _audit(ctx, "update", "care_plan", plan_id, cancelled=cancelled)
    out = await get_plan(ctx, plan_id, audit_read=False)
    out["visits_cancelled"] = cancelled
    return out


async def add_plan_service(ctx: Any, plan_id: UUID, form: PlanServiceForm) -> dict[str, Any]:
    """Add a service (a weekly series) to an active plan and book it from today, or from the
    plan's start when that is later."""
    plan = await _plan_row(plan_id)
    if plan["status"] != "active":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_not_active")])
    await check_staff(form.staff_id, form.service, "staff_id")
    settings = await settings_for(ctx.tenant)
    frequency = form.frequency_per_week or getattr(settings.visit_frequencies, form.service)
    if frequency < 1:
        raise RequestValidationError(
            errors=[_error("frequency_per_week", "help_at_home.frequency_required")]
        )
    row = _plan_service_row(plan_id, form, settings)
    await PlanService.insert(row)
    await _audit(ctx, "update", "care_plan", plan_id, service_added=form.service)
    start = max(plan["start_date"], local_today(ctx.tenant))
    until = rules.plan_end(plan["start_date"], plan["review_date"], plan["end_date"])
    scheduled: dict[str, Any] = {"created": 0, "skipped": []}
    if start <= until:
        svc = (
            await PlanService.select()
            .where(PlanService.id == row.id)
            .first()
            .output(load_json=True)
        )
        person = await get_person(plan["person_id"])
        created, skipped = await _book_service(ctx, plan, svc, person, start, until)
        scheduled = {"created": created, "skipped": skipped}
    out = await get_plan(ctx, plan_id, audit_read=False)
    out["scheduled"] = scheduled
    return out


async def end_plan_service(
    ctx: Any, plan_id: UUID, service_id: UUID, form: ServiceEndForm
) -> dict[str, Any]:
    """Stop one service of a plan: its planned visits from `from_date` are cancelled."""
    plan = await _plan_row(plan_id)
    svc = (
        await PlanService.select(PlanService.id, PlanService.active)
        .where((PlanService.id == service_id) & (PlanService.plan_id == plan_id))
        .first()
    )
    if svc is None:
        raise NotFound()
    if plan["status"] == "closed":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_closed")])
    if not svc["active"]:
        raise RequestValidationError(errors=[_error("status", "help_at_home.service_ended")])
    if form.from_date < local_today(ctx.tenant):
        raise RequestValidationError(errors=[_error("from_date", "help_at_home.date_in_past")])
    cancelled = await _cancel_visits(
        ctx, plan_id, form.from_date, form.reason, plan_service_id=service_id
    )
    await PlanService.update({PlanService.active: False}).where(PlanService.id == service_id)
    await _audit(
        ctx, "update", "care_plan", plan_id, service_ended=str(service_id), cancelled=cancelled
    )
    out = await get_plan(ctx, plan_id, audit_read=False)
    out["visits_cancelled"] = cancelled
    return out


async def close_plan(ctx: Any, plan_id: UUID, form: ClosePlanForm) -> dict[str, Any]:
    plan = await _plan_row(plan_id)
    if plan["status"] == "closed":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_closed")])
    closed_on = form.closed_on or local_today(ctx.tenant)
    if closed_on < plan["start_date"]:
        raise RequestValidationError(
            errors=[
                _error(
                    "closed_on",
                    "help_at_home.outside_plan_period",
                    start=str(plan["start_date"]),
                    end="",
                )
            ]
        )
    await _close(ctx, plan, closed_on, form.reason)
    return await get_plan(ctx, plan_id, audit_read=False)


async def _close(ctx: Any, plan: dict[str, Any], closed_on: date, reason: str) -> int:
    cancelled = await _cancel_visits(ctx, plan["id"], closed_on, reason)
    await CarePlan.update(
        {
            CarePlan.status: "closed",
            CarePlan.closed_on: closed_on,
            CarePlan.status_reason: reason[:500],
            CarePlan.updated_at: _now(),
        }
    ).where(CarePlan.id == plan["id"])
    if plan["application_id"]:
        await Application.update(
            {Application.status: "closed", Application.updated_at: _now()}
        ).where(Application.id == plan["application_id"])
    await _audit(ctx, "update", "care_plan", plan["id"], status="closed", cancelled=cancelled)
    return cancelled


async def _pause(ctx: Any, plan: dict[str, Any], paused_on: date, reason: str) -> int:
    cancelled = await _cancel_visits(ctx, plan["id"], paused_on, reason)
    await CarePlan.update(
        {
            CarePlan.status: "paused",
            CarePlan.paused_on: paused_on,
            CarePlan.status_reason: reason[:500],
            CarePlan.updated_at: _now(),
        }
    ).where(CarePlan.id == plan["id"])
    await _audit(ctx, "update", "care_plan", plan["id"], status="paused", cancelled=cancelled)
    return cancelled


async def resume_plan(ctx: Any, plan_id: UUID, from_date: date) -> dict[str, Any]:
    plan = await _plan_row(plan_id)
    if plan["status"] != "paused":
        raise RequestValidationError(errors=[_error("status", "help_at_home.plan_not_paused")])
    end_day = rules.plan_end(plan["start_date"], plan["review_date"], plan["end_date"])
    if not rules.within_period(from_date, plan["start_date"], end_day):
        raise RequestValidationError(
            errors=[
                _error(
                    "from_date",
                    "help_at_home.outside_plan_period",
                    start=str(plan["start_date"]),
                    end=str(end_day),
                )
            ]
        )
    await CarePlan.update(
        {
            CarePlan.status: "active",
            CarePlan.paused_on: None,
            CarePlan.status_reason: "",
            CarePlan.updated_at: _now(),
        }
    ).where(CarePlan.id == plan_id)
    await _audit(ctx, "update", "care_plan", plan_id, status="active")
    scheduled = await schedule_plan(ctx, plan_id, from_date=from_date)
    out = await get_plan(ctx, plan_id, audit_read=False)
    out["scheduled"] = scheduled
    return out


# -- incidents ------------------------------------------------------------------------------


async def create_incident(ctx: Any, form: IncidentForm) -> dict[str, Any]:
    """Record a fall, hospital admission or death; pause or close the open plan as it says."""
    await check_person(form.person_id)
    plan = (
        await CarePlan.select()
        .where((CarePlan.person_id == form.person_id) & CarePlan.status.is_in(["active", "paused"]))
        .first()
        .output(load_json=True)
    )
    action = form.action or rules.INCIDENT_EFFECT[form.kind]
    reason = t(f"help_at_home.incident.{form.kind}")
    cancelled = 0
    if plan is not None:
        if action == "pause" and plan["status"] == "active":
            cancelled = await _pause(ctx, plan, form.occurred_on, reason)
        elif action == "close":
            cancelled = await _close(ctx, plan, max(form.occurred_on, plan["start_date"]), reason)
    row_id = uuid4()
    await Incident.insert(
        Incident(
            id=row_id,
            person_id=form.person_id,
            plan_id=plan["id"] if plan else None,
            kind=form.kind,
            occurred_on=form.occurred_on,
            action=action if plan is not None else "none",
            form_version=form_version("help_at_home.incident"),
            notes_sealed=await seal(form.notes, "incident.notes"),
            recorded_by=ctx.user_id,
            recorded_at=_now(),
        )
    )
    await _audit(ctx, "create", "incident", row_id, kind=form.kind, effect=action)
    out = await get_incident(ctx, row_id, audit_read=False)
    out["visits_cancelled"] = cancelled
    return out


async def _incident_out(row: dict[str, Any], health: bool) -> dict[str, Any]:
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "plan_id": row["plan_id"],
        "kind": row["kind"],
        "kind_title": t(f"help_at_home.incident.{row['kind']}"),
        "occurred_on": row["occurred_on"],
        "action": row["action"],
        "form_version": row["form_version"],
        "notes": await unseal(row["notes_sealed"], "incident.notes") if health else None,
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"],
        "status": "closed" if row["closed_on"] else "open",
        "closed_on": row["closed_on"],
        "closed_by": row["closed_by"],
        "follow_up": (
            await unseal(row["follow_up_sealed"], "incident.follow_up") if health else None
        ),
    }


async def get_incident(ctx: Any, incident_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await Incident.select().where(Incident.id == incident_id).first()
    if row is None:
        raise NotFound()
    if audit_read:
        await _audit(ctx, "read", "incident", incident_id)
    return await _incident_out(row, ctx.has(HEALTH))


async def list_incidents(
    ctx: Any,
    *,
    person_id: UUID | None,
    limit: int | None,
    cursor: str | None,
    status: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first; `status` "open" (no follow-up recorded yet) or "closed"."""
    query = Incident.select()
    if person_id is not None:
        query = query.where(Incident.person_id == person_id)
    if status == "open":
        query = query.where(Incident.closed_on.is_null())
    elif status == "closed":
        query = query.where(Incident.closed_on.is_not_null())
    rows, next_cursor = await keyset(
        query,
        sort=Incident.occurred_on,
        id_column=Incident.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await _audit(ctx, "read", "incident", "", ids=[str(r["id"]) for r in rows])
    return [await _incident_out(r, ctx.has(HEALTH)) for r in rows], next_cursor


async def close_incident(ctx: Any, incident_id: UUID, form: IncidentCloseForm) -> dict[str, Any]:
    """Record an incident's follow-up and close it (once)."""
    row = await Incident.select().where(Incident.id == incident_id).first()
    if row is None:
        raise NotFound()
    if row["closed_on"] is not None:
        raise RequestValidationError(errors=[_error("status", "help_at_home.incident_closed")])
    closed_on = form.closed_on or local_today(ctx.tenant)
    if closed_on < row["occurred_on"]:
        raise RequestValidationError(
            errors=[_error("closed_on", "help_at_home.closed_before_incident")]
        )
    await Incident.update(
        {
            Incident.closed_on: closed_on,
            Incident.closed_by: ctx.user_id,
            Incident.follow_up_sealed: await seal(form.follow_up, "incident.follow_up"),
        }
    ).where(Incident.id == incident_id)
    out = await get_incident(ctx, incident_id, audit_read=False)
    await _audit(ctx, "update", "incident", incident_id, status="closed")
    return out


async def incident_people(ctx: Any) -> list[UUID]:
    """Whom a user may report an incident for from a list: coordinators and clinical staff
    the people with an open plan, field workers the people of their own visits this month."""
    if ctx.has(READ):
        rows = await CarePlan.select(CarePlan.person_id).where(
            CarePlan.status.is_in(["active", "paused"])
        )
    else:
        mine = await my_staff_id(ctx)
        if mine is None:
            return []
        today = local_today(ctx.tenant)
        rows = await Visit.select(Visit.person_id).where(
            (Visit.staff_id == mine)
            & (Visit.planned_day >= today - timedelta(days=31))
            & (Visit.planned_day <= today + timedelta(days=7))
        )
    return list(dict.fromkeys(r["person_id"] for r in rows))


# -- visits, check-in/out and rosters ----------------------------------------------------------


async def _visit_row(visit_id: UUID) -> dict[str, Any]:
    row = await Visit.select().where(Visit.id == visit_id).first().output(load_json=True)
    if row is None:
        raise NotFound()
    return row


async def _may_see_visit(ctx: Any, row: dict[str, Any]) -> None:
    """Coordinators and clinical staff see every visit; helpers and drivers their own."""
    if ctx.has(READ):
        return
    mine = await my_staff_id(ctx)
    if mine is None or mine != row["staff_id"]:
        raise NotFound()


async def _visit_out(
    row: dict[str, Any], settings: Settings, health: bool, now: datetime
) -> dict[str, Any]:
    start, end = _utc(row["planned_start"]), _utc(row["planned_end"])
    check_in = _utc(row["check_in_at"]) if row["check_in_at"] else None
    check_out = _utc(row["check_out_at"]) if row["check_out_at"] else None
    flags = rules.visit_flags(start, end, check_in, row["status"], now, settings)
    vitals = await unseal(row["vitals_sealed"], "visit.vitals") if health else ""
    return {
        "id": row["id"],
        "plan_id": row["plan_id"],
        "person_id": row["person_id"],
        "staff_id": row["staff_id"],
        "service": row["service"],
        "service_code": f"{SLUG}.{row['service']}",
        "service_title": t(f"help_at_home.service.{row['service']}"),
        "appointment_id": row["appointment_id"],
        "planned_start": start,
        "planned_end": end,
        "planned_day": row["planned_day"],
        "status": row["status"],
        "status_reason": row["status_reason"],
        "tasks": _json(row["tasks"]) or [],
        "check_in_at": check_in,
        "check_in_position": _position(row["check_in_lat"], row["check_in_lon"]),
        "check_out_at": check_out,
        "check_out_position": _position(row["check_out_lat"], row["check_out_lon"]),
        "duration_minutes": int((check_out - check_in).total_seconds() // 60)
        if check_in and check_out
        else None,
        "late": flags.late,
        "late_minutes": flags.late_minutes,
        "missed": flags.missed,
        "form_version": row["form_version"],
        "tasks_done": _json(row["tasks_done"]) or [],
        "vital_signs": (json.loads(vitals) if vitals else None) if health else None,
        "observations": (
            await unseal(row["observations_sealed"], "visit.observations") if health else None
        ),
        "next_steps": row["next_steps"],
        "logged_by": row["logged_by"],
    }


def _position(lat: float | None, lon: float | None) -> dict[str, float] | None:
    return None if lat is None or lon is None else {"latitude": lat, "longitude": lon}


async def get_visit(ctx: Any, visit_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await _visit_row(visit_id)
    await _may_see_visit(ctx, row)
    if audit_read:
        await _audit(ctx, "read", "visit", visit_id)
    settings = await settings_for(ctx.tenant)
    return await _visit_out(row, settings, ctx.has(HEALTH), _now())


async def list_visits(
    ctx: Any,
    *,
    staff_id: UUID | None,
    person_id: UUID | None,
    plan_id: UUID | None,
    date_from: date | None,
    date_to: date | None,
    status: str | None,
    flagged: str | None,
    limit: int | None,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    if not ctx.has(READ):
        mine = await my_staff_id(ctx)
        if mine is None or (staff_id is not None and staff_id != mine):
            return [], None
        staff_id = mine
    query = Visit.select().output(load_json=True)
    if staff_id is not None:
        query = query.where(Visit.staff_id == staff_id)
    if person_id is not None:
        query = query.where(Visit.person_id == person_id)
    if plan_id is not None:
        query = query.where(Visit.plan_id == plan_id)
    if date_from is not None:
        query = query.where(Visit.planned_day >= date_from)
    if date_to is not None:
        query = query.where(Visit.planned_day <= date_to)
    if status is not None:
        query = query.where(Visit.status == status)
    settings = await settings_for(ctx.tenant)
    now = _now()
    if flagged == "missed":
        cutoff = now - timedelta(minutes=settings.missed_after_minutes)
        query = query.where(
            (Visit.status == "missed")
            | ((Visit.status == "planned") & (Visit.planned_end < cutoff))
        )
    elif flagged == "late":
        query = query.where(Visit.late_minutes > settings.late_after_minutes)
    rows, next_cursor = await keyset(
        query, sort=Visit.planned_start, id_column=Visit.id, limit=limit, cursor=cursor
    )
    await _audit(ctx, "read", "visit", "", ids=[str(r["id"]) for r in rows])
    health = ctx.has(HEALTH)
    return [await _visit_out(r, settings, health, now) for r in rows], next_cursor


async def _check_own_visit(ctx: Any, row: dict[str, Any]) -> None:
    """Only the assigned worker checks in and out; coordinators may record it for them."""
    if ctx.has(MANAGE):
        return
    mine = await my_staff_id(ctx)
    if mine is None or mine != row["staff_id"]:
        raise NotFound()


async def check_in(ctx: Any, visit_id: UUID, form: CheckInForm) -> dict[str, Any]:
    row = await _visit_row(visit_id)
    await _check_own_visit(ctx, row)
    if row["status"] != "planned":
        raise Conflict("visit_not_planned", status=row["status"])
    if row["check_in_at"] is not None:
        raise Conflict("already_checked_in")
    at = _utc(form.at) if form.at else _now()
    if at > _now() + timedelta(minutes=5):
        raise RequestValidationError(errors=[_error("at", "help_at_home.time_in_future")])
    settings = await settings_for(ctx.tenant)
    minutes = int((at - _utc(row["planned_start"])).total_seconds() // 60)
    (updated,) = (
        await Visit.update(
            {
                Visit.check_in_at: at,
                Visit.check_in_lat: form.latitude,
                Visit.check_in_lon: form.longitude,
                Visit.late_minutes: max(minutes, 0),
                Visit.updated_at: _now(),
            }
        )
        .where(Visit.id == visit_id)
        .returning(*Visit._meta.columns)
    )
    out = await _visit_out(updated, settings, ctx.has(HEALTH), _now())
    await _audit(
        ctx,
        "update",
        "visit",
        visit_id,
        step="check_in",
        late=minutes > settings.late_after_minutes,
    )
    return out


async def check_out(ctx: Any, visit_id: UUID, form: CheckOutForm) -> dict[str, Any]:
    row = await _visit_row(visit_id)
    await _check_own_visit(ctx, row)
    if row["check_in_at"] is None:
        raise Conflict("not_checked_in")
    if row["check_out_at"] is not None:
        raise Conflict("already_checked_out")
    if form.vital_signs is not None and not ctx.has(VITALS):
        raise Forbidden()
    at = _utc(form.at) if form.at else _now()
    errors: list[FieldError] = []
    if at < _utc(row["check_in_at"]):
        errors.append(_error("at", "help_at_home.check_out_before_check_in"))
    if at > _now() + timedelta(minutes=5):
        errors.append(_error("at", "help_at_home.time_in_future"))
    vitals = form.vital_signs.model_dump(exclude_none=True) if form.vital_signs else {}
    for name, code, params in rules.vital_sign_problems(vitals):  # the form checked; a wall
        errors.append(_error(f"vital_signs.{name}", f"help_at_home.{code}", **params))
    if errors:
        raise RequestValidationError(errors=errors)
    (updated,) = (
        await Visit.update(
            {
                Visit.check_out_at: at,
                Visit.check_out_lat: form.latitude,
                Visit.check_out_lon: form.longitude,
                Visit.status: "done",
                Visit.tasks_done: list(form.tasks_done),
                Visit.vitals_sealed: await seal(json.dumps(vitals), "visit.vitals")
                if vitals
                else "",
                Visit.observations_sealed: await seal(form.observations, "visit.observations"),
                Visit.next_steps: form.next_steps,
                Visit.logged_by: ctx.user_id,
                Visit.updated_at: _now(),
            }
        )
        .where(Visit.id == visit_id)
        .returning(*Visit._meta.columns)
    )
    await _set_appointment_status(ctx, row["appointment_id"], "completed")
    settings = await settings_for(ctx.tenant)
    out = await _visit_out(updated, settings, ctx.has(HEALTH), _now())
    await _audit(ctx, "update", "visit", visit_id, step="check_out", vitals=bool(vitals))
    return out


async def mark_missed(ctx: Any, visit_id: UUID, form: MissedForm) -> dict[str, Any]:
    row = await _visit_row(visit_id)
    await _check_own_visit(ctx, row)
    if row["status"] != "planned" or row["check_in_at"] is not None:
        raise Conflict("visit_not_planned", status=row["status"])
    if _utc(row["planned_start"]) > _now():
        raise RequestValidationError(errors=[_error("status", "help_at_home.visit_in_future")])
    (updated,) = (
        await Visit.update(
            {Visit.status: "missed", Visit.status_reason: form.reason, Visit.updated_at: _now()}
        )
        .where(Visit.id == visit_id)
        .returning(*Visit._meta.columns)
    )
    await _set_appointment_status(ctx, row["appointment_id"], "no_show")
    settings = await settings_for(ctx.tenant)
    out = await _visit_out(updated, settings, ctx.has(HEALTH), _now())
    await _audit(ctx, "update", "visit", visit_id, step="missed")
    return out


async def _set_appointment_status(ctx: Any, appointment_id: UUID | None, status: str) -> None:
    if appointment_id is None:
        return
    try:
        await set_appointment_status(ctx, appointment_id, status)
    except (NotFound, RequestValidationError):
        log.warning("appointment %s kept its status (visit %s)", appointment_id, status)


async def roster(ctx: Any, *, staff_id: UUID | None, day: date, order: str) -> dict[str, Any]:
    """One worker's visits on one day, in visiting order, with addresses and tasks due.

    The order is `rules.visiting_order`: by planned time, same-time visits nearest postcode
    first (`order=time`), or a nearest-neighbour round over postcodes from the unit's
    (`order=route`).
    """
    if staff_id is None:
        mine = await my_staff_id(ctx)
        if mine is None:
            raise RequestValidationError(errors=[_error("staff_id", "staff_required")])
        staff_id = mine
    elif ctx.has(READ):  # a coordinator: any worker of this tenant
        if not await staff_exists(staff_id):
            raise NotFound(errors=[_error("staff_id", "unknown_staff")])
    elif staff_id != await my_staff_id(ctx):  # the others: their own roster only
        raise NotFound()
    settings = await settings_for(ctx.tenant)
    rows = (
        await Visit.select()
        .where(
            (Visit.staff_id == staff_id)
            & (Visit.planned_day == day)
            & (Visit.status != "cancelled")
        )
        .output(load_json=True)
    )
    people = await get_people(r["person_id"] for r in rows)
    if any(r["person_id"] not in people for r in rows):
        raise NotFound()  # as `get_person` for a visit whose person the registry lost
    stops = [
        rules.Stop(
            r["id"],
            _utc(r["planned_start"]),
            (people[r["person_id"]].get("address") or {}).get("postcode", ""),
            (people[r["person_id"]].get("address") or {}).get("street", ""),
            (people[r["person_id"]].get("address") or {}).get("number", ""),
        )
        for r in rows
    ]
    by_id = {r["id"]: r for r in rows}
    ordered = rules.visiting_order(stops, mode=order, start_postcode=settings.base_postcode)
    now = _now()
    health = ctx.has(HEALTH)
    tz = _tz(ctx)
    items = []
    for position, stop in enumerate(ordered, start=1):
        r = by_id[stop.id]
        person = people[r["person_id"]]
        visit = await _visit_out(r, settings, health, now)
        visit.update(
            {
                "order": position,
                "planned_start_local": visit["planned_start"].astimezone(tz),
                "planned_end_local": visit["planned_end"].astimezone(tz),
                "person_name": _person_name(person),
                "address": person.get("address") or {},
                "address_text": _address_text(person),
                "phone": person.get("phone"),
            }
        )
        items.append(visit)
    await _audit(ctx, "read", "roster", staff_id, day=day.isoformat(), visits=len(items))
    return {"staff_id": staff_id, "day": day, "order": order, "items": items}


# -- reassessments and the person's summary -------------------------------------------------


async def reassessments(
    ctx: Any, *, within_days: int, person_id: UUID | None = None
) -> list[dict[str, Any]]:
    """Reassessments due within `within_days` for people with an active or paused plan.

    Four queries however many people: the settings, the open plans, their people's
    assessments and their falls and hospital admissions."""
    settings = await settings_for(ctx.tenant)
    query = CarePlan.select(CarePlan.person_id, CarePlan.start_date, CarePlan.id).where(
        CarePlan.status.is_in(["active", "paused"])
    )
    if person_id is not None:
        query = query.where(CarePlan.person_id == person_id)
    plans = await query
    today = local_today(ctx.tenant)
    horizon = today + timedelta(days=within_days)
    due = await _due_by_person({p["person_id"]: p["start_date"] for p in plans}, settings, today)
    out = []
    for plan in plans:
        for item in due.get(plan["person_id"], []):
            if item.due <= horizon:
                out.append(
                    {"person_id": plan["person_id"], "plan_id": plan["id"], **item.as_dict()}
                )
    out.sort(key=lambda r: (r["due"], str(r["person_id"]), r["scale"]))
    return out


def _assessed_query(people: Any) -> Any:
    """Assessments of these people (ids or a subquery), oldest first (then by signing time):
    read in this order, the latest of each scale comes last."""
    return (
        Assessment.select()
        .where(Assessment.person_id.is_in(people))
        .order_by(Assessment.assessed_on)
        .order_by(Assessment.signed_at)
        .output(load_json=True)
    )


def _setbacks_query(people: Any) -> Any:
    """Falls and hospital admissions of these people, which bring a reassessment forward."""
    return Incident.select(Incident.person_id, Incident.occurred_on).where(
        Incident.person_id.is_in(people) & Incident.kind.is_in(["fall", "hospital_admission"])
    )


async def _due_by_person(
    plan_starts: dict[UUID, date | None], settings: Settings, today: date
) -> dict[UUID, list[rules.Reassessment]]:
    """Each person's reassessments due (`rules.reassessments_due`), from one statement."""
    people = list(plan_starts)
    if not people:
        return {}
    assessed, setbacks = await select_together(
        Assessment.select(Assessment.person_id, Assessment.scale, Assessment.assessed_on)
        .where(Assessment.person_id.is_in(people))
        .order_by(Assessment.assessed_on)
        .order_by(Assessment.signed_at),
        _setbacks_query(people),
    )
    return _due(plan_starts, assessed, setbacks, settings, today)


def _due(
    plan_starts: dict[UUID, date | None],
    assessed: Iterable[dict[str, Any]],
    setbacks: Iterable[dict[str, Any]],
    settings: Settings,
    today: date,
) -> dict[UUID, list[rules.Reassessment]]:
    """Reassessments due per person from their assessments (oldest first) and setbacks."""
    latest: dict[UUID, dict[str, date]] = defaultdict(dict)
    for row in assessed:  # oldest first: the latest of each scale wins
        latest[row["person_id"]][row["scale"]] = row["assessed_on"]
    incidents: dict[UUID, list[date]] = defaultdict(list)
    for row in setbacks:
        incidents[row["person_id"]].append(row["occurred_on"])
    return {
        person: rules.reassessments_due(
            latest.get(person, {}),
            settings,
            today,
            incidents=incidents.get(person, []),
            plan_start=start,
        )
        for person, start in plan_starts.items()
    }


async def in_programme(person_id: UUID) -> bool:
    """Whether the person has an application or a care plan here (the person's panel)."""
    return bool(
        await CarePlan.exists().where(CarePlan.person_id == person_id)
        or await Application.exists().where(Application.person_id == person_id)
    )


async def person_summary(ctx: Any, person_id: UUID) -> dict[str, Any]:
    """The person's applications, latest scores, plans and reassessments due: the module's
    records in one statement, plus the person's existence and the plans' visit counts."""
    if not await person_exists(person_id):
        raise NotFound(errors=[_error("person_id", "unknown_beneficiary")])
    health = ctx.has(HEALTH)
    settings = await settings_for(ctx.tenant)
    assessed, plan_rows, plan_services, apps, setbacks = await select_together(
        _assessed_query([person_id]),
        CarePlan.select()
        .where(CarePlan.person_id == person_id)
        .order_by(CarePlan.start_date, ascending=False)
        .output(load_json=True),
        PlanService.select()
        .where(
            PlanService.plan_id.is_in(
                CarePlan.select(CarePlan.id).where(CarePlan.person_id == person_id)
            )
        )
        .output(load_json=True),
        Application.select()
        .where(Application.person_id == person_id)
        .order_by(Application.received_on, ascending=False)
        .output(load_json=True),
        _setbacks_query([person_id]),
    )
    latest = {r["scale"]: r for r in assessed}
    plans = await _plans_out(plan_rows, plan_services)
    open_plan = next((p for p in plans if p["status"] in ("active", "paused")), None)
    due = _due(
        {person_id: open_plan["start_date"] if open_plan else None},
        assessed,
        setbacks,
        settings,
        local_today(ctx.tenant),
    )[person_id]
    await _audit(ctx, "read", "person_summary", person_id)
    return {
        "person_id": person_id,
        "applications": [await _application_out(a, health) for a in apps],
        "latest_assessments": {s: await _assessment_out(r, health) for s, r in latest.items()},
        "open_plan": open_plan,
        "plans": [p["id"] for p in plans],
        "plan_history": plans,
        "reassessments": [d.as_dict() for d in due],
    }


# -- one person's data (GDPR), merges ----------------------------------------------------------

PERSON_TABLES = (Application, Assessment, HomeRisk, CarePlan, Visit, Incident)


# The purpose each encrypted column's values are bound to (see `seal`).
PURPOSES = {
    ("hah_application", "health_sealed"): "application.health",
    ("hah_assessment", "notes_sealed"): "assessment.notes",
    ("hah_home_risk", "notes_sealed"): "home_risk.notes",
    ("hah_visit", "vitals_sealed"): "visit.vitals",
    ("hah_visit", "observations_sealed"): "visit.observations",
    ("hah_incident", "notes_sealed"): "incident.notes",
    ("hah_incident", "follow_up_sealed"): "incident.follow_up",
}


async def export_person(person_id: UUID) -> dict[str, Any]:
    """Everything the module holds on one person, decrypted, as JSON-ready dicts."""

    async def plain(table: str, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in row.items():
            if key == "tenant_id":
                continue
            if key.endswith("_sealed"):
                value = await unseal(value, PURPOSES[(table, key)])
                if key == "vitals_sealed":
                    value = json.loads(value) if value else None
                key = key[: -len("_sealed")]
            if isinstance(value, UUID | Decimal):
                value = str(value)
            elif isinstance(value, date | datetime):
                value = value.isoformat()
            out[key] = _json(value) if key in ("data", "items") else value
        return out

    # Every table in one statement; the plans' services through a subquery.
    found = await select_together(
        *(
            table.select().where(table.person_id == person_id).output(load_json=True)
            for table in PERSON_TABLES
        ),
        PlanService.select()
        .where(
            PlanService.plan_id.is_in(
                CarePlan.select(CarePlan.id).where(CarePlan.person_id == person_id)
            )
        )
        .output(load_json=True),
    )
    result: dict[str, Any] = {}
    for table, rows in zip((*PERSON_TABLES, PlanService), found, strict=True):
        if rows:
            name = table._meta.tablename
            result[f"help_at_home.{name}"] = [await plain(name, r) for r in rows]
    return result


async def erase_person(person_id: UUID) -> list[str]:
    """Everything the module holds on the person is deleted (the calendar entries belong to
    the scheduling area, which erases its own)."""
    plan_ids = [
        r["id"] for r in await CarePlan.select(CarePlan.id).where(CarePlan.person_id == person_id)
    ]
    if plan_ids:
        await PlanService.delete().where(PlanService.plan_id.is_in(plan_ids))
    for table in PERSON_TABLES:
        await table.delete().where(table.person_id == person_id)
    return []


async def persons_merged(survivor_id: UUID, merged_id: UUID) -> None:
    for table in PERSON_TABLES:
        await table.update({table.person_id: survivor_id}).where(table.person_id == merged_id)


async def appointment_changed(
    tenant: Any, appointment_id: UUID, change: str, appointment: AppointmentRef | None = None
) -> None:
    """Keep a visit in step with its calendar entry when someone cancels or moves it in the
    calendar: a cancelled appointment cancels the planned visit, a moved one moves it. A new
    booking needs nothing (the visit that booked it knows), so it costs no query."""
    if change not in ("cancelled", "moved"):
        return
    row = (
        await Visit.select(Visit.id, Visit.status)
        .where(Visit.appointment_id == appointment_id)
        .first()
    )
    if row is None or row["status"] != "planned":
        return
    if change == "cancelled":
        await Visit.update(
            {
                Visit.status: "cancelled",
                Visit.status_reason: "appointment_cancelled",
                Visit.updated_at: _now(),
            }
        ).where(Visit.id == row["id"])
    elif change == "moved":
        if appointment is None:
            actor = await system_actor(tenant.slug)
            found = await get_appointment(actor, appointment_id)
            start, end = _utc(found["start"]), _utc(found["end"])
        else:
            start, end = _utc(appointment.start), _utc(appointment.end)
        tz = ZoneInfo(getattr(tenant, "timezone", None) or "Europe/Athens")
        await Visit.update(
            {
                Visit.planned_start: start,
                Visit.planned_end: end,
                Visit.planned_day: start.astimezone(tz).date(),
                Visit.updated_at: _now(),
            }
        ).where(Visit.id == row["id"])
