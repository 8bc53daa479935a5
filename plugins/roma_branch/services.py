"""Services of the Roma branch: the only writer of its tables.

Every function takes the request context first, checks what it references exists in the
current tenant (404 otherwise), applies the pure rules with the tenant's settings, writes in
one transaction and audits with ids and codes only. Every read is audited too: membership of
this module's records reveals ethnic origin (GDPR art. 9, ν. 4624/2019 art. 22 par. 3).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from core.api import (
    Conflict,
    FieldError,
    NotFound,
    RequestValidationError,
    audit,
    book_appointment,
    cancel_appointment,
    decrypt,
    document_exists,
    encrypt,
    get_person,
    inserted,
    keyset,
    local_today,
    module_settings,
    people_with_households,
    person_exists,
    select_together,
    set_appointment_status,
    t,
    transaction,
    updated,
)
from plugins.roma_branch import rules
from plugins.roma_branch.manifest import SLUG
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
from plugins.roma_branch.settings import Settings
from plugins.roma_branch.tables import (
    Accompaniment,
    Application,
    ChecklistItem,
    Employer,
    EsfRecord,
    Followup,
    JobSeeker,
    Mediation,
    Placement,
    Reception,
    SchoolAction,
    SchoolRecord,
    Vacancy,
)

ACCOMPANIMENT_SERVICE = f"{SLUG}.accompaniment"
CIPHERTEXT_PREFIX = "enc:"  # what core.api's encrypt() puts before every ciphertext


def now() -> datetime:
    return datetime.now(UTC)


def today(ctx: Any) -> date:
    """The tenant's date (Europe/Athens), never the server's."""
    return local_today(ctx.tenant)


async def settings_of(ctx: Any) -> Settings:
    """The tenant's settings of this module (validated, defaults filled in)."""
    return cast(Settings, await module_settings(ctx.tenant, SLUG))


async def _audit(ctx: Any, action: str, kind: str, object_id: Any = "", /, **details: Any) -> None:
    await audit(ctx, action, f"{SLUG}.{kind}", object_id, details=details or None)


async def _seal(text: str, purpose: str) -> str:
    return (await encrypt(text, f"{SLUG}.{purpose}") or "") if text else ""


async def _open(token: str, purpose: str) -> str:
    return (await decrypt(token, f"{SLUG}.{purpose}") or "") if token else ""


async def _open_text(value: str | None, purpose: str) -> str:
    """A column that once held plaintext (mediation and follow-up notes, a reception's
    follow-up, an accompaniment's purpose). The "seal plaintext" migration encrypted the old
    rows; a value without the ciphertext prefix can still come from a process of an older
    version during a rolling upgrade, and is returned as it is. Rewriting it seals it."""
    if value and not value.startswith(CIPHERTEXT_PREFIX):
        return value
    return await _open(value or "", purpose)


async def mediation_out(row: dict[str, Any]) -> dict[str, Any]:
    out = _plain(row)
    out["notes"] = await _open_text(row["notes"], "mediation.notes")
    return out


async def followup_out(row: dict[str, Any]) -> dict[str, Any]:
    out = _plain(row)
    out["notes"] = await _open_text(row["notes"], "followup.notes")
    return out


async def _need_person(person_id: UUID | None) -> None:
    """A referenced person must be one of this tenant's (404 otherwise, like any id)."""
    if person_id is not None and not await person_exists(person_id):
        raise NotFound()


async def _row(table: Any, record_id: UUID) -> dict[str, Any]:
    row = await table.select().where(table.id == record_id).first().output(load_json=True)
    if row is None:
        raise NotFound()
    return dict(row)


async def _updated(table: Any, changes: dict[Any, Any], record_id: UUID) -> dict[str, Any]:
    """Update one record and answer with it as stored; 404 when it is not one of this
    tenant's (nothing changed then)."""
    rows = await updated(table, changes, table.id == record_id)
    if not rows:
        raise NotFound()
    return rows[0]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "tenant_id" and not k.endswith("_sealed")}


async def _page(
    ctx: Any, kind: str, query: Any, sort: Any, table: Any, limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    rows, next_cursor = await keyset(
        query.output(load_json=True),
        sort=sort,
        id_column=table.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await _audit(ctx, "read", kind, "", list=True, ids=[str(r["id"]) for r in rows])
    return [dict(r) for r in rows], next_cursor


# -- reception ----------------------------------------------------------------------------------


async def create_reception(ctx: Any, data: ReceptionIn) -> dict[str, Any]:
    await _need_person(data.person_id)
    (row,) = await inserted(
        Reception,
        Reception(
            id=uuid4(),
            person_id=data.person_id,
            people_count=data.people_count,
            visited_on=data.visited_on,
            channel=data.channel,
            request_type=data.request_type,
            outcome=data.outcome,
            follow_up=await _seal(data.follow_up, "reception.follow_up"),
            follow_up_on=data.follow_up_on,
            notes_sealed=await _seal(data.notes, "reception.notes"),
            staff_user_id=ctx.user_id,
            created_at=now(),
        ),
    )
    await _audit(ctx, "create", "reception", row["id"], request_type=data.request_type)
    return await reception_out(row)


async def reception_out(row: dict[str, Any]) -> dict[str, Any]:
    out = _plain(row)
    out["notes"] = await _open(row["notes_sealed"], "reception.notes")
    out["follow_up"] = await _open_text(row["follow_up"], "reception.follow_up")
    return out


async def get_reception(ctx: Any, record_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await _row(Reception, record_id)
    if audit_read:
        await _audit(ctx, "read", "reception", record_id)
    return await reception_out(row)


async def list_reception(
    ctx: Any,
    *,
    person_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Reception.select()
    if person_id is not None:
        await _need_person(person_id)
        query = query.where(Reception.person_id == person_id)
    if start is not None:
        query = query.where(Reception.visited_on >= start)
    if end is not None:
        query = query.where(Reception.visited_on <= end)
    rows, nxt = await _page(ctx, "reception", query, Reception.visited_on, Reception, limit, cursor)
    return [await reception_out(r) for r in rows], nxt


async def complete_follow_up(ctx: Any, record_id: UUID, data: FollowUpDoneIn) -> dict[str, Any]:
    """Mark a contact's follow-up done, on a date between the contact and today (the
    tenant's): from then on it is no longer among the open follow-ups (tasks). A contact
    without a follow-up, or one already done, is a conflict (409), nothing changed."""
    row = await _row(Reception, record_id)
    if row["follow_up_on"] is None and not row["follow_up"]:
        raise Conflict(f"{SLUG}_no_follow_up")
    if row["follow_up_done_on"] is not None:
        done = str(row["follow_up_done_on"])
        raise Conflict(f"{SLUG}_follow_up_done", extra={"done_on": done}, done_on=done)
    if data.done_on < row["visited_on"]:
        raise RequestValidationError.single("done_on", f"{SLUG}_date_before", other="visited_on")
    if data.done_on > today(ctx):
        raise RequestValidationError.single("done_on", f"{SLUG}_date_in_future")
    row = await _updated(
        Reception,
        {Reception.follow_up_done_on: data.done_on, Reception.follow_up_done_by: ctx.user_id},
        record_id,
    )
    await _audit(ctx, "update", "reception", record_id, follow_up_done_on=data.done_on.isoformat())
    return await reception_out(row)


# -- accompaniment ------------------------------------------------------------------------------

_BOOKING_FIELDS = {
    "staff_ids": "mediator_staff_id",
    "staff_id": "mediator_staff_id",
    "beneficiary_ids": "person_id",
    "beneficiary_id": "person_id",
}


def _renamed(exc: RequestValidationError) -> RequestValidationError:
    """The scheduling area's field names, as this module's body calls them."""
    for error in exc.errors:
        error.field = _BOOKING_FIELDS.get(error.field, error.field)
    return exc


async def create_accompaniment(ctx: Any, data: AccompanimentIn) -> dict[str, Any]:
    await _need_person(data.person_id)
    record_id = uuid4()
    end = data.end or data.start + timedelta(hours=2)
    agency_text = data.agency_other or t(f"{SLUG}.agency.{data.agency}")
    async with transaction():
        try:
            appointment = await book_appointment(
                ctx,
                service=ACCOMPANIMENT_SERVICE,
                start=data.start,
                end=end,
                staff_ids=[data.mediator_staff_id],
                beneficiary_ids=[data.person_id],
                mode="in_person",
                location_kind="other",
                location_text=agency_text[:500],
                record=("accompaniment", record_id),
            )
        except RequestValidationError as exc:
            raise _renamed(exc) from None
        start_utc = data.start.astimezone(UTC)
        (row,) = await inserted(
            Accompaniment,
            Accompaniment(
                id=record_id,
                person_id=data.person_id,
                agency=data.agency,
                agency_other=data.agency_other,
                purpose=await _seal(data.purpose, "accompaniment.purpose"),
                start=start_utc,
                end=end.astimezone(UTC),
                day=data.start.astimezone(ZoneInfo(ctx.tenant.timezone)).date(),
                mediator_staff_id=data.mediator_staff_id,
                appointment_id=UUID(str(appointment["id"])),
                status="planned",
                created_by=ctx.user_id,
                created_at=now(),
                updated_at=now(),
            ),
        )
        out = await accompaniment_out(row)
        await _audit(ctx, "create", "accompaniment", record_id, agency=data.agency)
    return out


async def accompaniment_out(row: dict[str, Any]) -> dict[str, Any]:
    out = _plain(row)
    out["purpose"] = await _open_text(row["purpose"], "accompaniment.purpose")
    out["outcome_notes"] = await _open(row["outcome_notes_sealed"], "accompaniment.notes")
    return out


async def get_accompaniment(
    ctx: Any, record_id: UUID, *, audit_read: bool = True
) -> dict[str, Any]:
    row = await _row(Accompaniment, record_id)
    if audit_read:
        await _audit(ctx, "read", "accompaniment", record_id)
    return await accompaniment_out(row)


async def list_accompaniments(
    ctx: Any,
    *,
    person_id: UUID | None = None,
    agency: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Accompaniment.select()
    if person_id is not None:
        await _need_person(person_id)
        query = query.where(Accompaniment.person_id == person_id)
    if agency is not None:
        query = query.where(Accompaniment.agency == agency)
    rows, nxt = await _page(
        ctx, "accompaniment", query, Accompaniment.start, Accompaniment, limit, cursor
    )
    return [await accompaniment_out(r) for r in rows], nxt


async def update_accompaniment(
    ctx: Any, record_id: UUID, data: AccompanimentUpdate
) -> dict[str, Any]:
    row = await _row(Accompaniment, record_id)
    if data.status == "cancelled" and not (data.cancel_reason or "").strip():
        raise RequestValidationError.single("cancel_reason", "missing")
    if data.status is not None and row["status"] != "planned":
        raise Conflict(f"{SLUG}_not_planned")
    changes: dict[Any, Any] = {Accompaniment.updated_at: now()}
    async with transaction():
        if data.status is not None:
            changes[Accompaniment.status] = data.status
            appointment = row["appointment_id"]
            if appointment is not None:
                if data.status == "cancelled":
                    await cancel_appointment(ctx, appointment, reason=data.cancel_reason or "")
                else:
                    status = "completed" if data.status == "done" else "no_show"
                    await set_appointment_status(ctx, appointment, status)
        if data.outcome is not None:
            changes[Accompaniment.outcome] = data.outcome
        if data.outcome_notes is not None:
            changes[Accompaniment.outcome_notes_sealed] = await _seal(
                data.outcome_notes, "accompaniment.notes"
            )
        out = await accompaniment_out(await _updated(Accompaniment, changes, record_id))
        await _audit(ctx, "update", "accompaniment", record_id, status=data.status or "")
    return out


# -- benefit applications -----------------------------------------------------------------------


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _check_household(h: rules.Household) -> None:
    problems = rules.household_errors(h)
    if problems:
        raise RequestValidationError(
            errors=[FieldError(f, c, t(f"validation.{c}")) for f, c in problems]
        )


def estimate_for(
    h: rules.Household,
    income: Decimal,
    settings: Settings,
    *,
    real_estate: Decimal | None = None,
    vehicles: Decimal | None = None,
    deposits: Decimal | None = None,
) -> dict[str, Any]:
    result = rules.minimum_income(
        h,
        income,
        real_estate=real_estate,
        vehicles=vehicles,
        deposits=deposits,
        params=rules.MiParams.from_settings(settings),
    )
    return result.as_dict()


def explain(estimate: dict[str, Any], months: int = 6) -> list[str]:
    """The estimate line by line, in the request's language."""
    if not estimate:
        return []
    out = []
    for line in estimate["lines"]:
        out.append(
            t(
                f"{SLUG}.mi.line.{line['code']}",
                count=line["count"],
                rate=line["rate"],
                amount=line["amount"],
            )
        )
    out.append(t(f"{SLUG}.mi.guaranteed", amount=estimate["guaranteed"]))
    out.append(
        t(
            f"{SLUG}.mi.income_test",
            months=months,
            limit=estimate["income_limit"],
            income=estimate["income"],
            verdict=t(f"{SLUG}.mi.{'passed' if estimate['income_passed'] else 'failed'}"),
        )
    )
    for test in estimate["assets"]:
        verdict = {True: "passed", False: "failed", None: "not_declared"}[test["passed"]]
        out.append(
            t(
                f"{SLUG}.mi.asset.{test['code']}",
                value=test["value"] if test["value"] is not None else "—",
                limit=test["limit"],
                verdict=t(f"{SLUG}.mi.{verdict}"),
            )
        )
    out.append(t(f"{SLUG}.mi.payment", amount=estimate["monthly_payment"], months=months))
    return out


def estimate_only(data: EstimateIn, settings: Settings) -> dict[str, Any]:
    h = rules.Household(data.adults, data.minors, data.single_parent, data.unprotected_children)
    _check_household(h)
    estimate = estimate_for(
        h,
        data.income_6m,
        settings,
        real_estate=data.real_estate,
        vehicles=data.vehicles,
        deposits=data.deposits,
    )
    return {**estimate, "explanation": explain(estimate, settings.mi_income_months)}


async def _items_of(application_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """The checklists of several applications in one query."""
    out: dict[UUID, list[dict[str, Any]]] = {aid: [] for aid in application_ids}
    if not application_ids:
        return out
    for r in (
        await ChecklistItem.select()
        .where(ChecklistItem.application_id.is_in(application_ids))
        .order_by(ChecklistItem.position)
    ):
        out[r["application_id"]].append(dict(r))
    return out


async def _application_with_items(app_id: UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An application and its checklist in one statement (404 for another tenant's)."""
    apps, items = await select_together(
        Application.select().where(Application.id == app_id).output(load_json=True),
        ChecklistItem.select().where(ChecklistItem.application_id == app_id),
    )
    if not apps:
        raise NotFound()
    return apps[0], sorted(items, key=lambda i: i["position"])


def _readiness(items: list[dict[str, Any]], on: date, warning_days: int) -> rules.Readiness:
    return rules.readiness(
        [
            rules.ChecklistFacts(i["code"], i["required"], i["received"], i["expiry_date"])
            for i in items
        ],
        on,
        warning_days,
    )


async def _refresh(
    ctx: Any, app: dict[str, Any], items: list[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    """Store the readiness verdict and the estimate of an application computed from `app` and
    `items` as stored; answers the application with them (one statement)."""
    ready = _readiness(items, today(ctx), settings.expiry_warning_days)
    estimate: dict[str, Any] = {}
    if app["benefit"] == "min_income" and app["income_6m"] is not None:
        h = rules.Household(
            app["adults"], app["minors"], app["single_parent"], app["unprotected_children"]
        )
        estimate = estimate_for(
            h,
            _dec(app["income_6m"]) or Decimal(0),
            settings,
            real_estate=_dec(app["real_estate"]),
            vehicles=_dec(app["vehicles"]),
            deposits=_dec(app["deposits"]),
        )
    refreshed = {
        "readiness": ready.verdict,
        "missing_count": len(ready.missing) + len(ready.expired),
        "estimate": estimate,
    }
    await Application.update(
        {getattr(Application, name): value for name, value in refreshed.items()}
    ).where(Application.id == app["id"])
    return {**app, **refreshed}


async def create_application(ctx: Any, data: ApplicationIn) -> dict[str, Any]:
    settings = await settings_of(ctx)
    on = today(ctx)
    adults, minors, single = data.adults, data.minors, data.single_parent
    if adults is not None and minors is not None and single is not None:
        await _need_person(data.person_id)
    else:  # the registry's household fills in what was left out: one statement for both
        found, _ = await people_with_households([data.person_id], on=on)
        entry = found.get(data.person_id)
        if entry is None or entry.person.get("status") == "merged":
            raise NotFound()
        comp = entry.composition
        adults = comp.adults if adults is None else adults
        minors = comp.minors if minors is None else minors
        single = comp.single_parent if single is None else single
    h = rules.Household(adults, minors, single, data.unprotected_children)
    _check_household(h)
    app_id = uuid4()
    async with transaction():
        (app,) = await inserted(
            Application,
            Application(
                id=app_id,
                person_id=data.person_id,
                benefit=data.benefit,
                adults=adults,
                minors=minors,
                single_parent=single,
                unprotected_children=data.unprotected_children,
                income_6m=data.income_6m,
                real_estate=data.real_estate,
                vehicles=data.vehicles,
                deposits=data.deposits,
                notes_sealed=await _seal(data.notes, "application.notes"),
                created_by=ctx.user_id,
                created_at=now(),
                updated_at=now(),
            ),
        )
        items = await inserted(
            ChecklistItem,
            *[
                ChecklistItem(
                    id=uuid4(),
                    application_id=app_id,
                    position=pos,
                    code=tpl.code,
                    title_el=tpl.title_el,
                    title_en=tpl.title_en,
                    required=tpl.required,
                    expires=tpl.expires,
                )
                for pos, tpl in enumerate(settings.checklist(data.benefit))
            ],
        )
        app = await _refresh(ctx, app, sorted(items, key=lambda i: i["position"]), settings)
        out = await _application_out(ctx, app, items, settings)
        await _audit(ctx, "create", "application", app_id, benefit=data.benefit)
    return out


async def _application_out(
    ctx: Any, app: dict[str, Any], items: list[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    """The API's shape of an application (checklist with each document's state, readiness,
    estimate explained in the request's language)."""
    items = sorted(items, key=lambda i: i["position"])
    ready = _readiness(items, today(ctx), settings.expiry_warning_days)
    states = {s.code: s for s in ready.items}
    out = _plain(app)
    out["notes"] = await _open(app["notes_sealed"], "application.notes")
    out["checklist"] = [
        {
            **_plain(i),
            "status": states[i["code"]].status,
            "expiring_soon": states[i["code"]].expiring_soon,
        }
        for i in items
    ]
    out["readiness"] = {
        "verdict": ready.verdict,
        "missing": list(ready.missing),
        "expired": list(ready.expired),
        "expiring": list(ready.expiring),
    }
    out["estimate"] = app["estimate"] or None
    out["explanation"] = explain(app["estimate"] or {}, settings.mi_income_months)
    return out


async def get_application(ctx: Any, app_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    app, items = await _application_with_items(app_id)
    out = await _application_out(ctx, app, items, await settings_of(ctx))
    if audit_read:
        await _audit(ctx, "read", "application", app_id)
    return out


async def list_applications(
    ctx: Any,
    *,
    person_id: UUID | None = None,
    benefit: str | None = None,
    outcome: str | None = None,
    readiness: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Application.select()
    if person_id is not None:
        await _need_person(person_id)
        query = query.where(Application.person_id == person_id)
    if benefit is not None:
        query = query.where(Application.benefit == benefit)
    if outcome is not None:
        query = query.where(Application.outcome == outcome)
    if readiness is not None:
        query = query.where(Application.readiness == readiness)
    rows, nxt = await _page(
        ctx, "application", query, Application.created_at, Application, limit, cursor
    )
    return [_plain(r) for r in rows], nxt


async def update_application(ctx: Any, app_id: UUID, data: ApplicationUpdate) -> dict[str, Any]:
    app, items = await _application_with_items(app_id)
    settings = await settings_of(ctx)
    sent = data.model_dump(exclude_unset=True)
    h = rules.Household(
        sent.get("adults", app["adults"]) if sent.get("adults") is not None else app["adults"],
        sent["minors"] if sent.get("minors") is not None else app["minors"],
        sent["single_parent"] if sent.get("single_parent") is not None else app["single_parent"],
        sent["unprotected_children"]
        if sent.get("unprotected_children") is not None
        else app["unprotected_children"],
    )
    _check_household(h)
    changes: dict[Any, Any] = {
        Application.adults: h.adults,
        Application.minors: h.minors,
        Application.single_parent: h.single_parent,
        Application.unprotected_children: h.unprotected_children,
        Application.updated_at: now(),
    }
    for name in ("income_6m", "real_estate", "vehicles", "deposits"):
        if name in sent:
            changes[getattr(Application, name)] = sent[name]
    submitted = sent.get("submitted_on", app["submitted_on"])
    if (
        sent.get("submitted_on") is not None
        and app["submitted_on"] is None
        and not _readiness(items, sent["submitted_on"], 0).ready
    ):
        raise RequestValidationError.single("submitted_on", f"{SLUG}_not_ready")
    if "submitted_on" in sent:
        changes[Application.submitted_on] = sent["submitted_on"]
    if sent.get("outcome") is not None:
        if sent["outcome"] in ("approved", "rejected") and submitted is None:
            raise RequestValidationError.single("outcome", f"{SLUG}_not_submitted")
        changes[Application.outcome] = sent["outcome"]
        changes[Application.outcome_on] = sent.get("outcome_on") or today(ctx)
    elif sent.get("outcome_on") is not None:
        changes[Application.outcome_on] = sent["outcome_on"]
    if sent.get("notes") is not None:
        changes[Application.notes_sealed] = await _seal(sent["notes"], "application.notes")
    async with transaction():
        app = await _updated(Application, changes, app_id)
        app = await _refresh(ctx, app, items, settings)
        out = await _application_out(ctx, app, items, settings)
        await _audit(ctx, "update", "application", app_id, fields=sorted(sent))
    return out


async def update_item(
    ctx: Any, app_id: UUID, item_id: UUID, data: ChecklistItemUpdate
) -> dict[str, Any]:
    app, items = await _application_with_items(app_id)
    item = next((i for i in items if i["id"] == item_id), None)
    if item is None:
        raise NotFound()
    sent = data.model_dump(exclude_unset=True)
    if sent.get("document_id") is not None and not await document_exists(sent["document_id"]):
        raise NotFound()
    issue = sent.get("issue_date", item["issue_date"])
    expiry = sent.get("expiry_date", item["expiry_date"])
    if issue is not None and expiry is not None and expiry < issue:
        raise RequestValidationError.single("expiry_date", f"{SLUG}_expiry_before_issue")
    received = sent.get("received")
    if received is None:
        received = item["received"] or sent.get("document_id") is not None
    if received and item["expires"] and expiry is None:
        raise RequestValidationError.single("expiry_date", "missing")
    changes: dict[Any, Any] = {
        ChecklistItem.received: received,
        ChecklistItem.issue_date: issue,
        ChecklistItem.expiry_date: expiry,
    }
    if "document_id" in sent:
        changes[ChecklistItem.document_id] = sent["document_id"]
    if received:
        changes[ChecklistItem.received_on] = (
            sent.get("received_on") or item["received_on"] or today(ctx)
        )
    else:
        changes[ChecklistItem.received_on] = None
    settings = await settings_of(ctx)
    async with transaction():
        stored = await _updated(ChecklistItem, changes, item_id)
        items = [stored if i["id"] == item_id else i for i in items]
        app = await _refresh(ctx, app, items, settings)
        out = await _application_out(ctx, app, items, settings)
        await _audit(ctx, "update", "checklist_item", item_id, application=str(app_id))
    return out


# -- job bank -----------------------------------------------------------------------------------


def _seeker_facts(row: dict[str, Any]) -> rules.SeekerFacts:
    return rules.SeekerFacts(
        row["education"],
        tuple(row["skills"] or ()),
        row["experience_years"],
        tuple(row["licences"] or ()),
        row["availability"],
    )


def _vacancy_facts(row: dict[str, Any]) -> rules.VacancyFacts:
    return rules.VacancyFacts(
        row["min_education"],
        tuple(row["skills"] or ()),
        row["min_experience_years"],
        tuple(row["licences"] or ()),
        row["availability"],
    )


async def create_seeker(ctx: Any, data: JobSeekerIn) -> dict[str, Any]:
    await _need_person(data.person_id)
    if await JobSeeker.exists().where(JobSeeker.person_id == data.person_id):
        raise Conflict(f"{SLUG}_seeker_exists")
    (row,) = await inserted(
        JobSeeker,
        JobSeeker(
            id=uuid4(),
            **data.model_dump(),
            created_by=ctx.user_id,
            created_at=now(),
            updated_at=now(),
        ),
    )
    await _audit(ctx, "create", "job_seeker", row["id"])
    return _plain(row)


async def get_seeker(ctx: Any, seeker_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await _row(JobSeeker, seeker_id)
    if audit_read:
        await _audit(ctx, "read", "job_seeker", seeker_id)
    return _plain(row)


async def list_seekers(
    ctx: Any, *, active: bool | None = None, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    query = JobSeeker.select()
    if active is not None:
        query = query.where(JobSeeker.active == active)
    rows, nxt = await _page(
        ctx, "job_seeker", query, JobSeeker.created_at, JobSeeker, limit, cursor
    )
    return [_plain(r) for r in rows], nxt


async def update_seeker(ctx: Any, seeker_id: UUID, data: JobSeekerUpdate) -> dict[str, Any]:
    sent = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    changes: dict[Any, Any] = {getattr(JobSeeker, k): v for k, v in sent.items()}
    changes[JobSeeker.updated_at] = now()
    row = await _updated(JobSeeker, changes, seeker_id)
    await _audit(ctx, "update", "job_seeker", seeker_id, fields=sorted(sent))
    return _plain(row)


async def seeker_cv(ctx: Any, seeker_id: UUID) -> dict[str, Any]:
    """The CV, rendered from the profile and the person's registry record."""
    seeker = await _row(JobSeeker, seeker_id)
    person = await get_person(seeker["person_id"])
    placements = (
        await Placement.select(Placement.employer_id, Placement.start_date, Placement.ended_on)
        .where(Placement.seeker_id == seeker_id)
        .order_by(Placement.start_date, ascending=False)
    )
    employers = {
        e["id"]: e["name"]
        for e in await Employer.select(Employer.id, Employer.name).where(
            Employer.id.is_in([p["employer_id"] for p in placements] or [uuid4()])
        )
    }
    await _audit(ctx, "read", "job_seeker", seeker_id, cv=True)
    address = person.get("address") or {}
    return {
        "id": seeker_id,
        "name": f"{person.get('first_name', '')} {person.get('last_name', '')}".strip(),
        "birth_date": person.get("birth_date"),
        "phone": person.get("phone") or "",
        "email": person.get("email") or "",
        "city": address.get("city", "") if isinstance(address, dict) else "",
        "education": seeker["education"],
        "education_title": t(f"{SLUG}.education.{seeker['education']}"),
        "skills": seeker["skills"],
        "experience_years": seeker["experience_years"],
        "experience": seeker["experience"],
        "licences": seeker["licences"],
        "languages": seeker["languages"],
        "availability": seeker["availability"],
        "availability_title": t(f"{SLUG}.availability.{seeker['availability']}"),
        "placements": [
            {
                "employer": employers.get(p["employer_id"], ""),
                "start_date": p["start_date"],
                "ended_on": p["ended_on"],
            }
            for p in placements
        ],
    }


async def create_employer(ctx: Any, data: EmployerIn) -> dict[str, Any]:
    (row,) = await inserted(Employer, Employer(id=uuid4(), **data.model_dump(), created_at=now()))
    await _audit(ctx, "create", "employer", row["id"])
    return _plain(row)


async def get_employer(ctx: Any, employer_id: UUID) -> dict[str, Any]:
    row = await _row(Employer, employer_id)
    await _audit(ctx, "read", "employer", employer_id)
    return _plain(row)


async def list_employers(
    ctx: Any, *, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    rows, nxt = await _page(
        ctx, "employer", Employer.select(), Employer.created_at, Employer, limit, cursor
    )
    return [_plain(r) for r in rows], nxt


async def create_vacancy(ctx: Any, data: VacancyIn) -> dict[str, Any]:
    await _row(Employer, data.employer_id)
    fields = data.model_dump()
    fields["posted_on"] = data.posted_on or today(ctx)
    (row,) = await inserted(Vacancy, Vacancy(id=uuid4(), **fields, created_at=now()))
    await _audit(ctx, "create", "vacancy", row["id"])
    return _plain(row)


async def get_vacancy(ctx: Any, vacancy_id: UUID) -> dict[str, Any]:
    row = await _row(Vacancy, vacancy_id)
    await _audit(ctx, "read", "vacancy", vacancy_id)
    return _plain(row)


async def list_vacancies(
    ctx: Any, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    query = Vacancy.select()
    if status is not None:
        query = query.where(Vacancy.status == status)
    rows, nxt = await _page(ctx, "vacancy", query, Vacancy.posted_on, Vacancy, limit, cursor)
    return [_plain(r) for r in rows], nxt


async def update_vacancy(ctx: Any, vacancy_id: UUID, data: VacancyUpdate) -> dict[str, Any]:
    row = await _updated(Vacancy, {Vacancy.status: data.status}, vacancy_id)
    await _audit(ctx, "update", "vacancy", vacancy_id, status=data.status)
    return _plain(row)


def _reasons(score: rules.Score) -> list[str]:
    out = []
    for item in score.items:
        out.append(
            t(
                f"{SLUG}.match.{item.code}",
                points=item.points,
                max=item.max,
                matched=", ".join(item.matched) or "—",
                missing=", ".join(item.missing) or "—",
            )
        )
    return out


async def vacancy_matches(ctx: Any, vacancy_id: UUID, limit: int = 20) -> list[dict[str, Any]]:
    """Active job seekers ranked by their match score for a vacancy, with the reasons."""
    vacancy = await _row(Vacancy, vacancy_id)
    facts = _vacancy_facts(vacancy)
    seekers = (
        await JobSeeker.select().where(JobSeeker.active == True).output(load_json=True)  # noqa: E712
    )
    scored = []
    for s in seekers:
        score = rules.match_score(_seeker_facts(s), facts)
        scored.append(
            {
                "seeker_id": s["id"],
                "person_id": s["person_id"],
                **score.as_dict(),
                "reasons": _reasons(score),
            }
        )
    scored.sort(key=lambda m: (-m["score"], str(m["seeker_id"])))
    await _audit(ctx, "read", "vacancy", vacancy_id, matches=len(scored))
    return scored[:limit]


async def create_mediation(ctx: Any, data: MediationIn) -> dict[str, Any]:
    seekers, vacancies = await select_together(
        JobSeeker.select().where(JobSeeker.id == data.seeker_id).output(load_json=True),
        Vacancy.select().where(Vacancy.id == data.vacancy_id).output(load_json=True),
    )
    if not seekers or not vacancies:
        raise NotFound()
    score = rules.match_score(_seeker_facts(seekers[0]), _vacancy_facts(vacancies[0]))
    (row,) = await inserted(
        Mediation,
        Mediation(
            id=uuid4(),
            seeker_id=data.seeker_id,
            vacancy_id=data.vacancy_id,
            step=data.step,
            step_on=data.step_on,
            score=score.total,
            notes=await _seal(data.notes, "mediation.notes"),
            staff_user_id=ctx.user_id,
            created_at=now(),
        ),
    )
    await _audit(ctx, "create", "mediation", row["id"], step=data.step)
    return await mediation_out(row)


async def list_mediations(
    ctx: Any,
    *,
    seeker_id: UUID | None = None,
    vacancy_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Mediation.select()
    if seeker_id is not None:
        await _row(JobSeeker, seeker_id)
        query = query.where(Mediation.seeker_id == seeker_id)
    if vacancy_id is not None:
        await _row(Vacancy, vacancy_id)
        query = query.where(Mediation.vacancy_id == vacancy_id)
    rows, nxt = await _page(ctx, "mediation", query, Mediation.step_on, Mediation, limit, cursor)
    return [await mediation_out(r) for r in rows], nxt


async def _followups_of(placement_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """The follow-ups of several placements in one query (lists, exports: never one query
    per placement)."""
    out: dict[UUID, list[dict[str, Any]]] = {pid: [] for pid in placement_ids}
    if not placement_ids:
        return out
    rows = (
        await Followup.select()
        .where(Followup.placement_id.is_in(placement_ids))
        .order_by(Followup.month)
    )
    for r in rows:
        out[r["placement_id"]].append(await followup_out(dict(r)))
    return out


async def _followups(placement_id: UUID) -> list[dict[str, Any]]:
    return (await _followups_of([placement_id]))[placement_id]


async def create_placement(ctx: Any, data: PlacementIn) -> dict[str, Any]:
    seekers, employers, vacancies = await select_together(
        JobSeeker.select(JobSeeker.person_id).where(JobSeeker.id == data.seeker_id),
        Employer.select(Employer.id).where(Employer.id == data.employer_id),
        Vacancy.select(Vacancy.employer_id).where(Vacancy.id == (data.vacancy_id or uuid4())),
    )
    if not seekers or not employers or (data.vacancy_id is not None and not vacancies):
        raise NotFound()
    if data.vacancy_id is not None and vacancies[0]["employer_id"] != data.employer_id:
        raise RequestValidationError.single("vacancy_id", f"{SLUG}_vacancy_employer")
    settings = await settings_of(ctx)
    placement_id = uuid4()
    async with transaction():
        (placement,) = await inserted(
            Placement,
            Placement(
                id=placement_id,
                seeker_id=data.seeker_id,
                person_id=seekers[0]["person_id"],
                employer_id=data.employer_id,
                vacancy_id=data.vacancy_id,
                start_date=data.start_date,
                contract=data.contract,
                created_by=ctx.user_id,
                created_at=now(),
            ),
        )
        followups = await inserted(
            Followup,
            *[
                Followup(id=uuid4(), placement_id=placement_id, month=m, due_on=due)
                for m, due in rules.followup_dates(data.start_date, settings.followup_months)
            ],
        )
        out = await _placement_out(placement, followups)
        await _audit(ctx, "create", "placement", placement_id)
    return out


async def _placement_out(
    placement: dict[str, Any], followups: list[dict[str, Any]]
) -> dict[str, Any]:
    """A placement with its follow-ups (by month, notes opened), in the API's shape."""
    ordered = sorted(followups, key=lambda f: f["month"])
    return {**_plain(placement), "followups": [await followup_out(f) for f in ordered]}


async def get_placement(ctx: Any, placement_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await _row(Placement, placement_id)
    out = _plain(row)
    out["followups"] = await _followups(placement_id)
    if audit_read:
        await _audit(ctx, "read", "placement", placement_id)
    return out


async def list_placements(
    ctx: Any, *, seeker_id: UUID | None = None, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    query = Placement.select()
    if seeker_id is not None:
        await _row(JobSeeker, seeker_id)
        query = query.where(Placement.seeker_id == seeker_id)
    rows, nxt = await _page(ctx, "placement", query, Placement.start_date, Placement, limit, cursor)
    followups = await _followups_of([r["id"] for r in rows])
    return [{**_plain(r), "followups": followups[r["id"]]} for r in rows], nxt


async def record_followup(
    ctx: Any, placement_id: UUID, month: int, data: FollowupIn
) -> dict[str, Any]:
    placements, followups = await select_together(
        Placement.select().where(Placement.id == placement_id),
        Followup.select().where(Followup.placement_id == placement_id),
    )
    if not placements:
        raise NotFound()
    placement = placements[0]
    row = next((f for f in followups if f["month"] == month), None)
    if row is None:
        raise NotFound()
    if data.done_on < placement["start_date"]:
        raise RequestValidationError.single("done_on", f"{SLUG}_date_before", other="start_date")
    notes = await _seal(data.notes, "followup.notes")
    async with transaction():
        done = await _updated(
            Followup,
            {
                Followup.done_on: data.done_on,
                Followup.still_employed: data.still_employed,
                Followup.notes: notes,
                Followup.recorded_by: ctx.user_id,
            },
            row["id"],
        )
        if not data.still_employed and placement["status"] == "active":
            placement = await _updated(
                Placement,
                {Placement.status: "ended", Placement.ended_on: data.done_on},
                placement_id,
            )
        out = await _placement_out(
            placement, [done if f["id"] == row["id"] else f for f in followups]
        )
        await _audit(ctx, "update", "placement", placement_id, followup=month)
    return out


# -- school -------------------------------------------------------------------------------------


async def create_school_record(ctx: Any, data: SchoolRecordIn) -> dict[str, Any]:
    await _need_person(data.child_id)
    await _need_person(data.guardian_id)
    exists = await SchoolRecord.exists().where(
        (SchoolRecord.child_id == data.child_id) & (SchoolRecord.school_year == data.school_year)
    )
    if exists:
        raise Conflict(f"{SLUG}_school_record_exists")
    (row,) = await inserted(
        SchoolRecord,
        SchoolRecord(
            id=uuid4(),
            **data.model_dump(),
            created_by=ctx.user_id,
            created_at=now(),
            updated_at=now(),
        ),
    )
    await _audit(ctx, "create", "school_record", row["id"])
    return {**_plain(row), "actions": []}  # a new record has no actions yet


async def _actions_of(
    record_ids: list[UUID], rows: list[dict[str, Any]] | None = None
) -> dict[UUID, list[dict[str, Any]]]:
    """The actions of several school records in one query (or from `rows` already read),
    notes decrypted, oldest first, in the API's shape (`on`, `action`, `notes`, `by`)."""
    out: dict[UUID, list[dict[str, Any]]] = {rid: [] for rid in record_ids}
    if not record_ids:
        return out
    if rows is None:
        rows = await SchoolAction.select().where(SchoolAction.school_record_id.is_in(record_ids))
    for r in sorted(rows, key=lambda r: (r["action_on"], r["created_at"])):
        out[r["school_record_id"]].append(
            {
                "id": r["id"],
                "on": r["action_on"].isoformat(),
                "action": r["action"],
                "notes": await _open(r["notes"], "school_action.notes"),
                "by": str(r["staff_user_id"]) if r["staff_user_id"] else "",
            }
        )
    return out


async def _school_out(row: dict[str, Any]) -> dict[str, Any]:
    return (await _schools_out([row]))[0]


async def _schools_out(
    rows: list[dict[str, Any]], actions_read: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    actions = await _actions_of([r["id"] for r in rows], actions_read)
    return [{**_plain(r), "actions": actions[r["id"]]} for r in rows]


async def get_school_record(ctx: Any, record_id: UUID) -> dict[str, Any]:
    row = await _row(SchoolRecord, record_id)
    await _audit(ctx, "read", "school_record", record_id)
    return await _school_out(row)


async def list_school_records(
    ctx: Any,
    *,
    school_year: str | None = None,
    enrolment_status: str | None = None,
    child_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = SchoolRecord.select()
    if school_year is not None:
        query = query.where(SchoolRecord.school_year == school_year)
    if enrolment_status is not None:
        query = query.where(SchoolRecord.enrolment_status == enrolment_status)
    if child_id is not None:
        await _need_person(child_id)
        query = query.where(SchoolRecord.child_id == child_id)
    rows, nxt = await _page(
        ctx, "school_record", query, SchoolRecord.created_at, SchoolRecord, limit, cursor
    )
    return await _schools_out(rows), nxt


async def update_school_record(
    ctx: Any, record_id: UUID, data: SchoolRecordUpdate
) -> dict[str, Any]:
    sent = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    changes: dict[Any, Any] = {getattr(SchoolRecord, k): v for k, v in sent.items()}
    changes[SchoolRecord.updated_at] = now()
    out = await _school_out(await _updated(SchoolRecord, changes, record_id))
    await _audit(ctx, "update", "school_record", record_id, fields=sorted(sent))
    return out


async def add_school_action(ctx: Any, record_id: UUID, data: SchoolActionIn) -> dict[str, Any]:
    """An action of a child's follow-up; its notes (why a child misses school...) sealed."""
    notes = await _seal(data.notes, "school_action.notes")
    async with transaction():
        # The record first (404, nothing written, for another tenant's), as it is then.
        record = await _updated(SchoolRecord, {SchoolRecord.updated_at: now()}, record_id)
        await SchoolAction(
            id=uuid4(),
            school_record_id=record_id,
            action_on=data.on,
            action=data.action,
            notes=notes,
            staff_user_id=ctx.user_id,
            created_at=now(),
        ).save()
        out = await _school_out(record)
        await _audit(ctx, "update", "school_record", record_id, action=data.action)
    return out


# -- ESF participant records --------------------------------------------------------------------


def _esf_fields(model: type[BaseModel], raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return model.model_validate(raw).model_dump()
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc, prefix="fields") from None


async def create_esf_record(ctx: Any, data: EsfRecordIn) -> dict[str, Any]:
    person = await get_person(data.person_id)
    if person.get("status") == "merged":  # as `person_exists` counts them: absent
        raise NotFound()
    period = data.period or (await settings_of(ctx)).esf_period
    fields = _esf_fields(ESF_MODELS[(period, data.kind)], data.fields)
    birth = person.get("birth_date")
    if isinstance(birth, str):
        birth = date.fromisoformat(birth)
    if birth is not None:
        derived = rules.age_band(period, rules.age_on(birth, data.recorded_on))
        if fields.get("age_band") not in (None, derived):
            raise RequestValidationError.single("fields.age_band", f"{SLUG}_age_band_mismatch")
        fields["age_band"] = derived
    elif fields.get("age_band") is None:
        raise RequestValidationError.single("fields.age_band", "missing")
    # The person's records of the period (an entry, an exit: at most two) in one query.
    kinds = {
        r["kind"]: r
        for r in await EsfRecord.select(EsfRecord.kind, EsfRecord.recorded_on).where(
            (EsfRecord.person_id == data.person_id) & (EsfRecord.period == period)
        )
    }
    if data.kind in kinds:
        raise Conflict(f"{SLUG}_esf_record_exists")
    if data.kind == "exit":
        entry = kinds.get("entry")
        if entry is None:
            raise RequestValidationError.single("kind", f"{SLUG}_exit_without_entry")
        if data.recorded_on < entry["recorded_on"]:
            raise RequestValidationError.single("recorded_on", f"{SLUG}_date_before", other="entry")
    (row,) = await inserted(
        EsfRecord,
        EsfRecord(
            id=uuid4(),
            person_id=data.person_id,
            period=period,
            kind=data.kind,
            recorded_on=data.recorded_on,
            sex=fields["sex"],
            fields=fields,
            created_by=ctx.user_id,
            created_at=now(),
        ),
    )
    await _audit(ctx, "create", "esf_record", row["id"], period=period, kind=data.kind)
    return _plain(row)


async def get_esf_record(ctx: Any, record_id: UUID) -> dict[str, Any]:
    row = await _row(EsfRecord, record_id)
    await _audit(ctx, "read", "esf_record", record_id)
    return _plain(row)


async def list_esf_records(
    ctx: Any,
    *,
    person_id: UUID | None = None,
    period: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = EsfRecord.select()
    if person_id is not None:
        await _need_person(person_id)
        query = query.where(EsfRecord.person_id == person_id)
    if period is not None:
        query = query.where(EsfRecord.period == period)
    if kind is not None:
        query = query.where(EsfRecord.kind == kind)
    rows, nxt = await _page(
        ctx, "esf_record", query, EsfRecord.recorded_on, EsfRecord, limit, cursor
    )
    return [_plain(r) for r in rows], nxt


# -- one person's data (GDPR art. 15 and 17) and merges -----------------------------------------

PERSON_COLUMNS: tuple[tuple[Any, str], ...] = (
    (Reception, "person_id"),
    (Accompaniment, "person_id"),
    (Application, "person_id"),
    (JobSeeker, "person_id"),
    (Placement, "person_id"),
    (SchoolRecord, "child_id"),
    (SchoolRecord, "guardian_id"),
    (EsfRecord, "person_id"),
)


async def export_person(person_id: UUID) -> dict[str, Any]:
    """Everything the branch holds about one person (GDPR art. 15), read in one statement:
    their records and the records' parts (checklists, mediations, follow-ups, actions)."""
    seekers_of = JobSeeker.select(JobSeeker.id).where(JobSeeker.person_id == person_id)
    apps_of = Application.select(Application.id).where(Application.person_id == person_id)
    placements_of = Placement.select(Placement.id).where(Placement.person_id == person_id)
    school_of = (SchoolRecord.child_id == person_id) | (SchoolRecord.guardian_id == person_id)
    (
        receptions,
        accs,
        app_rows,
        item_rows,
        seekers,
        mediations,
        placements,
        followup_rows,
        schools,
        action_rows,
        esf,
    ) = await select_together(
        Reception.select().where(Reception.person_id == person_id),
        Accompaniment.select().where(Accompaniment.person_id == person_id),
        Application.select().where(Application.person_id == person_id).output(load_json=True),
        ChecklistItem.select().where(ChecklistItem.application_id.is_in(apps_of)),
        JobSeeker.select().where(JobSeeker.person_id == person_id).output(load_json=True),
        Mediation.select().where(Mediation.seeker_id.is_in(seekers_of)),
        Placement.select().where(Placement.person_id == person_id),
        Followup.select().where(Followup.placement_id.is_in(placements_of)),
        SchoolRecord.select().where(school_of).output(load_json=True),
        SchoolAction.select().where(
            SchoolAction.school_record_id.is_in(
                SchoolRecord.select(SchoolRecord.id).where(school_of)
            )
        ),
        EsfRecord.select().where(EsfRecord.person_id == person_id).output(load_json=True),
    )
    out: dict[str, Any] = {}
    out["reception"] = [await reception_out(dict(r)) for r in receptions]
    out["accompaniments"] = [await accompaniment_out(dict(r)) for r in accs]
    items: dict[UUID, list[dict[str, Any]]] = {a["id"]: [] for a in app_rows}
    for item in sorted(item_rows, key=lambda i: i["position"]):
        items[item["application_id"]].append(dict(item))
    out["applications"] = [
        {
            **_plain(dict(app)),
            "notes": await _open(app["notes_sealed"], "application.notes"),
            "checklist": [_plain(i) for i in items[app["id"]]],
        }
        for app in app_rows
    ]
    out["job_seeker"] = [_plain(dict(s)) for s in seekers]
    out["mediations"] = [await mediation_out(dict(m)) for m in mediations]
    followups: dict[UUID, list[dict[str, Any]]] = {p["id"]: [] for p in placements}
    for f in followup_rows:
        followups[f["placement_id"]].append(dict(f))
    out["placements"] = [await _placement_out(dict(p), followups[p["id"]]) for p in placements]
    out["school"] = await _schools_out([dict(r) for r in schools], action_rows)
    out["esf"] = [_plain(dict(r)) for r in esf]
    return out


async def erase_person(person_id: UUID) -> list[str]:
    """Delete the person's records; keep ESF participant records (audit retention) and keep
    reception contacts as anonymous counts."""
    retained: list[str] = []
    async with transaction():
        await Reception.update(
            {Reception.person_id: None, Reception.notes_sealed: "", Reception.follow_up: ""}
        ).where(Reception.person_id == person_id)
        await Accompaniment.delete().where(Accompaniment.person_id == person_id)
        app_ids = [
            a["id"]
            for a in await Application.select(Application.id).where(
                Application.person_id == person_id
            )
        ]
        if app_ids:
            await ChecklistItem.delete().where(ChecklistItem.application_id.is_in(app_ids))
            await Application.delete().where(Application.id.is_in(app_ids))
        seeker_ids = [
            s["id"]
            for s in await JobSeeker.select(JobSeeker.id).where(JobSeeker.person_id == person_id)
        ]
        placement_ids = [
            p["id"]
            for p in await Placement.select(Placement.id).where(Placement.person_id == person_id)
        ]
        if placement_ids:
            await Followup.delete().where(Followup.placement_id.is_in(placement_ids))
            await Placement.delete().where(Placement.id.is_in(placement_ids))
        if seeker_ids:
            await Mediation.delete().where(Mediation.seeker_id.is_in(seeker_ids))
            await JobSeeker.delete().where(JobSeeker.id.is_in(seeker_ids))
        school_ids = [
            r["id"]
            for r in await SchoolRecord.select(SchoolRecord.id).where(
                SchoolRecord.child_id == person_id
            )
        ]
        if school_ids:
            await SchoolAction.delete().where(SchoolAction.school_record_id.is_in(school_ids))
            await SchoolRecord.delete().where(SchoolRecord.id.is_in(school_ids))
        await SchoolRecord.update({SchoolRecord.guardian_id: None}).where(
            SchoolRecord.guardian_id == person_id
        )
        if await EsfRecord.exists().where(EsfRecord.person_id == person_id):
            retained.append(t(f"{SLUG}.erase.esf_retained"))
    return retained


async def move_person(survivor_id: UUID, merged_id: UUID) -> None:
    async with transaction():
        for table, column in PERSON_COLUMNS:
            col = getattr(table, column)
            await table.update({col: survivor_id}).where(col == merged_id)


async def person_summary(person_id: UUID) -> dict[str, Any]:
    """Counts and open items of one person (for the person panel)."""
    apps = await Application.select(
        Application.id, Application.benefit, Application.readiness, Application.outcome
    ).where(Application.person_id == person_id)
    seeker = await JobSeeker.select(JobSeeker.id).where(JobSeeker.person_id == person_id).first()
    school = await SchoolRecord.select(
        SchoolRecord.id, SchoolRecord.school_year, SchoolRecord.enrolment_status
    ).where(SchoolRecord.child_id == person_id)
    accs = await Accompaniment.count().where(Accompaniment.person_id == person_id)
    visits = await Reception.count().where(Reception.person_id == person_id)
    return {
        "applications": [dict(a) for a in apps],
        "seeker_id": seeker["id"] if seeker else None,
        "school": [dict(s) for s in school],
        "accompaniments": accs,
        "visits": visits,
    }


# -- the staff pages' summaries -----------------------------------------------------------------


async def home_stats(ctx: Any) -> dict[str, int]:
    """Counts for the module's home page (no names, no audit: aggregates only)."""
    return {
        "reception": await Reception.count(),
        "applications": await Application.count().where(Application.outcome == "pending"),
        "seekers": await JobSeeker.count().where(JobSeeker.active == True),  # noqa: E712
        "school": await SchoolRecord.count(),
        "accompaniments": await Accompaniment.count().where(Accompaniment.status == "planned"),
    }


async def open_work(ctx: Any, *, within_days: int = 14) -> dict[str, list[dict[str, Any]]]:
    """What waits for the signed-in user, for the tenant home's tasks (ids and codes only):
    follow-ups of contacts they recorded, due within `within_days` and not marked done
    (however overdue: they stay until someone marks them done),
    placement follow-ups due (employment staff) and their applications held back by missing
    documents. A constant number of queries."""
    on = today(ctx)
    horizon = on + timedelta(days=within_days)
    receptions = await Reception.select(
        Reception.id, Reception.request_type, Reception.follow_up_on
    ).where(
        (Reception.staff_user_id == ctx.user_id)
        & Reception.follow_up_on.is_not_null()
        & Reception.follow_up_done_on.is_null()
        & (Reception.follow_up_on <= horizon)
    )
    followups: list[dict[str, Any]] = []
    if ctx.has(f"{SLUG}.jobs"):
        followups = [
            dict(f)
            for f in await Followup.select(
                Followup.placement_id, Followup.month, Followup.due_on
            ).where(
                Followup.placement_id.is_in(
                    Placement.select(Placement.id).where(Placement.status == "active")
                )
                & Followup.done_on.is_null()
                & (Followup.due_on <= horizon)
            )
        ]
    applications: list[dict[str, Any]] = []
    if ctx.has(f"{SLUG}.applications"):
        applications = [
            dict(a)
            for a in await Application.select(
                Application.id, Application.benefit, Application.missing_count
            ).where(
                (Application.created_by == ctx.user_id)
                & Application.submitted_on.is_null()
                & (Application.outcome == "pending")
                & (Application.missing_count > 0)
            )
        ]
    return {
        "receptions": [dict(r) for r in receptions],
        "followups": followups,
        "applications": applications,
    }


async def seekers_by_person(person_ids: list[UUID]) -> dict[UUID, UUID]:
    """person id -> job-seeker profile id, for the people given (one query)."""
    if not person_ids:
        return {}
    rows = await JobSeeker.select(JobSeeker.id, JobSeeker.person_id).where(
        JobSeeker.person_id.is_in(person_ids)
    )
    return {r["person_id"]: r["id"] for r in rows}
