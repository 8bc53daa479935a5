"""Services of the Family Support Centre: the only writer of the module's tables.

Every function runs in the caller's transaction (the request's, or the demo loader's), checks
that each referenced id is the current tenant's (404 otherwise), applies the pure rules of
`rules.py` with the tenant's settings, writes, and audits with ids and codes only.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from core.api import (
    FieldError,
    Forbidden,
    NotFound,
    RequestValidationError,
    audit,
    book_appointment,
    decrypt,
    elot743,
    encrypt,
    get_people,
    get_referral,
    keyset,
    list_documents,
    local_today,
    membership_roles,
    module_settings,
    open_referral,
    select_together,
    staff_for_user,
    t,
)
from plugins.family_center import rules
from plugins.family_center.manifest import MANIFEST, PROTECTION, SLUG, SUPERVISE
from plugins.family_center.schemas import (
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
from plugins.family_center.settings import Settings
from plugins.family_center.tables import (
    Attendance,
    CaseReferral,
    ClinicalNote,
    CounsellingSession,
    Dispatch,
    FamilyCase,
    GuardianConsent,
    Helper,
    Investigation,
    InvestigationVisit,
    Party,
    Programme,
    ProgrammeMeeting,
    Supervision,
)

NOTE_BODY = "family_center.note.body"
CONSENT_NOTE = "family_center.consent.note"
REPORT_BODY = "family_center.investigation.report"
INVESTIGATION_DOC = f"{SLUG}.investigation"


# -- small helpers ----------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def zone(ctx: Any) -> ZoneInfo:
    return ZoneInfo(getattr(ctx.tenant, "timezone", None) or "Europe/Athens")


def today(ctx: Any) -> date:
    """The tenant's date (never the server's: a UTC server is on yesterday after midnight)."""
    return local_today(ctx.tenant)


async def settings_for(ctx: Any) -> Settings:
    """The tenant's settings of this module (validated by the core with our model)."""
    try:
        found = await module_settings(ctx.tenant, SLUG)
    except NotFound:
        return Settings()
    return found if isinstance(found, Settings) else Settings.model_validate(found.model_dump())


async def _audit(ctx: Any, action: str, kind: str, object_id: Any = "", /, **details: Any) -> None:
    await audit(ctx, action, f"{SLUG}.{kind}", object_id, details=details or None)


def _error(field: str, code: str, **params: Any) -> RequestValidationError:
    return RequestValidationError.single(field, code, **params)


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row_out(row: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "tenant_id" and k not in drop}


def _ids(values: Iterable[Any]) -> list[UUID]:
    return [v if isinstance(v, UUID) else UUID(str(v)) for v in values]


async def _people(ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """The people, read in one statement; every one must be this tenant's and not merged into
    another (`person_exists`): another tenant's id is simply not found (404)."""
    people = await get_people(ids)
    if any(pid not in people or people[pid].get("status") == "merged" for pid in ids):
        raise NotFound()
    return people


async def _people_exist(ids: Sequence[UUID]) -> None:
    if ids:
        await _people(ids)


async def _colleagues(
    ctx: Any, user_ids: Sequence[UUID], field: str, roles: Iterable[str] = ()
) -> None:
    """Users must be members of this tenant (and hold one of `roles` when given)."""
    wanted = set(roles)
    errors = []
    for uid in user_ids:
        held = await membership_roles(ctx.tenant, uid)
        if held is None or (wanted and not (set(held) & wanted)):
            errors.append(FieldError(field, "not_a_colleague", t("validation.not_a_colleague")))
            break
    if errors:
        raise RequestValidationError(errors=errors)


def _links(record_type: str, record_id: UUID, role: str, ids: Iterable[UUID]) -> list[Party]:
    return [
        Party(id=uuid4(), record_type=record_type, record_id=record_id, person_id=pid, role=role)
        for pid in ids
    ]


async def _add_parties(
    record_type: str, record_id: UUID, *groups: tuple[str, Iterable[UUID]]
) -> None:
    """Link people to a record, each group `(role, ids)` in its role: one insert for all."""
    rows = [link for role, ids in groups for link in _links(record_type, record_id, role, ids)]
    if rows:
        await Party.insert(*rows)


def _parties_query(record_type: str, record_ids: Sequence[UUID]) -> Any:
    """The parties of these records (a query, to run alone or with others)."""
    return Party.select(Party.record_id, Party.person_id, Party.role).where(
        (Party.record_type == record_type) & Party.record_id.is_in(list(record_ids))
    )


def _parties_by_record(
    record_ids: Sequence[UUID], rows: Iterable[dict[str, Any]]
) -> dict[UUID, list[dict[str, Any]]]:
    out: dict[UUID, list[dict[str, Any]]] = {rid: [] for rid in record_ids}
    for row in rows:
        out.setdefault(row["record_id"], []).append(
            {"person_id": row["person_id"], "role": row["role"]}
        )
    return out


async def _parties(
    record_type: str, record_ids: Sequence[UUID]
) -> dict[UUID, list[dict[str, Any]]]:
    if not record_ids:
        return {}
    return _parties_by_record(record_ids, await _parties_query(record_type, record_ids))


def _who(parties: list[dict[str, Any]], *roles: str) -> list[UUID]:
    return [p["person_id"] for p in parties if not roles or p["role"] in roles]


def _involving(record_type: str, person_id: UUID) -> Any:
    """Ids of the records of this type a person takes part in (a subquery, one index)."""
    return Party.select(Party.record_id).where(
        (Party.record_type == record_type) & (Party.person_id == person_id)
    )


# -- cases --------------------------------------------------------------------------------


async def _case_row(case_id: UUID) -> dict[str, Any]:
    row = await FamilyCase.select().where(FamilyCase.id == case_id).first().output(load_json=True)
    if row is None:
        raise NotFound()
    return dict(row)


async def _session_count(case_id: UUID) -> int:
    return int(await CounsellingSession.count().where(CounsellingSession.case_id == case_id))


async def _session_counts(case_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Sessions per case in one grouped statement: a page of cases costs the same number of
    queries whatever its size (a count per case made a page of 50 send 52 statements)."""
    out = {case_id: 0 for case_id in case_ids}
    if not case_ids:
        return out
    rows = (
        await CounsellingSession.select(
            CounsellingSession.case_id, Count(CounsellingSession.id, alias="sessions")
        )
        .where(CounsellingSession.case_id.is_in(list(case_ids)))
        .group_by(CounsellingSession.case_id)
    )
    for row in rows:
        out[row["case_id"]] = int(row["sessions"])
    return out


async def _case_out(
    row: dict[str, Any], settings: Settings, parties: list[dict[str, Any]], sessions: int
) -> dict[str, Any]:
    out = _row_out(row)
    out["family_member_ids"] = _who(parties, "family")
    out["sessions"] = sessions
    review = rules.review_due(sessions, row["reviewed_at_sessions"], settings.review_threshold)
    out["review"] = review.as_dict()
    return out


async def create_case(ctx: Any, data: CaseCreate) -> dict[str, Any]:
    await _people_exist([data.person_id, *data.family_member_ids])
    if data.person_id in data.family_member_ids:
        raise _error("family_member_ids", "client_is_family_member")
    if data.referral_id is not None:
        try:
            referral = await get_referral(ctx, data.referral_id, audit=False)
        except NotFound:
            raise NotFound() from None
        if referral.get("target_module") != SLUG or referral.get("person_id") != data.person_id:
            raise _error("referral_id", "referral_not_for_centre")
        if await CaseReferral.exists().where(CaseReferral.referral_id == data.referral_id):
            raise _error("referral_id", "referral_already_linked")
    case_id = uuid4()
    await FamilyCase.insert(
        FamilyCase(
            id=case_id,
            person_id=data.person_id,
            problems=list(data.problems),
            referral_source=data.referral_source,
            referral_id=data.referral_id,
            status="open",
            opened_on=data.opened_on or today(ctx),
            created_by=ctx.user_id,
            created_at=now(),
        )
    )
    await _add_parties(
        "case", case_id, ("client", [data.person_id]), ("family", data.family_member_ids)
    )
    if data.referral_id is not None:
        await CaseReferral.insert(
            CaseReferral(
                id=uuid4(),
                case_id=case_id,
                referral_id=data.referral_id,
                direction="in",
                created_at=now(),
            )
        )
    out = await get_case(ctx, case_id, audit_read=False)
    await _audit(ctx, "create", "case", case_id, problems=list(data.problems))
    return out


async def get_case(ctx: Any, case_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    """The case with its parties, session count, consents and referrals: one statement."""
    rows, parties, sessions, consents, links = await select_together(
        FamilyCase.select().where(FamilyCase.id == case_id).output(load_json=True),
        _parties_query("case", [case_id]),
        CounsellingSession.select(CounsellingSession.id).where(
            CounsellingSession.case_id == case_id
        ),
        GuardianConsent.select().where(GuardianConsent.case_id == case_id),
        CaseReferral.select(CaseReferral.referral_id).where(CaseReferral.case_id == case_id),
    )
    if not rows:
        raise NotFound()
    settings = await settings_for(ctx)
    out = await _case_out(
        dict(rows[0]), settings, _parties_by_record([case_id], parties)[case_id], len(sessions)
    )
    out["consents"] = [_row_out(c, "note") for c in consents]
    out["referral_ids"] = [r["referral_id"] for r in links]
    if audit_read:
        await _audit(ctx, "read", "case", case_id)
    return out


async def list_cases(
    ctx: Any,
    *,
    status: str | None = None,
    person_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = FamilyCase.select().output(load_json=True)
    if status is not None:
        query = query.where(FamilyCase.status == status)
    if person_id is not None:
        query = query.where(FamilyCase.id.is_in(_involving("case", person_id)))
    rows, next_cursor = await keyset(
        query,
        sort=FamilyCase.opened_on,
        id_column=FamilyCase.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    settings = await settings_for(ctx)
    ids = [r["id"] for r in rows]
    parties = await _parties("case", ids)
    sessions = await _session_counts(ids)
    items = [await _case_out(r, settings, parties[r["id"]], sessions[r["id"]]) for r in rows]
    await _audit(ctx, "read", "case", "", list=True, ids=[str(i["id"]) for i in items])
    return items, next_cursor


async def close_case(ctx: Any, case_id: UUID, data: CaseClose) -> dict[str, Any]:
    row = await _case_row(case_id)
    if row["status"] == "closed":
        raise _error("status", "case_closed")
    closed_on = data.closed_on or today(ctx)
    if closed_on < row["opened_on"]:
        raise _error("closed_on", "end_before_start")
    await FamilyCase.update({FamilyCase.status: "closed", FamilyCase.closed_on: closed_on}).where(
        FamilyCase.id == case_id
    )
    out = await get_case(ctx, case_id, audit_read=False)
    await _audit(ctx, "update", "case", case_id, status="closed")
    return out


async def record_review(ctx: Any, case_id: UUID, data: ReviewCreate) -> dict[str, Any]:
    await _case_row(case_id)
    sessions = await _session_count(case_id)
    await FamilyCase.update(
        {
            FamilyCase.reviewed_at_sessions: sessions,
            FamilyCase.last_review_on: data.reviewed_on or today(ctx),
        }
    ).where(FamilyCase.id == case_id)
    out = await get_case(ctx, case_id, audit_read=False)
    await _audit(ctx, "update", "case", case_id, review=sessions)
    return out


async def add_consent(ctx: Any, case_id: UUID, data: ConsentCreate) -> dict[str, Any]:
    await _case_row(case_id)
    await _people_exist([data.minor_id, *([data.guardian_id] if data.guardian_id else [])])
    parties = _who((await _parties("case", [case_id]))[case_id])
    if data.minor_id not in parties:
        raise _error("minor_id", "not_in_case")
    if data.guardian_id is not None and data.guardian_id == data.minor_id:
        raise _error("guardian_id", "guardian_is_minor")
    consent_id = uuid4()
    await GuardianConsent.insert(
        GuardianConsent(
            id=consent_id,
            case_id=case_id,
            minor_id=data.minor_id,
            kind=data.kind,
            guardian_id=data.guardian_id,
            exception_code=data.exception_code or "",
            note=(await encrypt(data.note, CONSENT_NOTE) or "") if data.note else "",
            recorded_on=data.recorded_on or today(ctx),
            recorded_by=ctx.user_id,
            created_at=now(),
        )
    )
    await _audit(ctx, "create", "consent", consent_id, kind=data.kind, code=data.exception_code)
    row = await GuardianConsent.select().where(GuardianConsent.id == consent_id).first()
    return _row_out(dict(row or {}), "note")


# -- sessions --------------------------------------------------------------------------------


async def create_session(ctx: Any, case_id: UUID, data: SessionCreate) -> dict[str, Any]:
    """Record a session. The case, its consents, parties and sessions are read in one
    statement, the people in one, and the answer is built from what was written."""
    rows, covered, case_parties, held = await select_together(
        FamilyCase.select().where(FamilyCase.id == case_id).output(load_json=True),
        GuardianConsent.select(GuardianConsent.minor_id).where(GuardianConsent.case_id == case_id),
        _parties_query("case", [case_id]),
        CounsellingSession.select(CounsellingSession.id).where(
            CounsellingSession.case_id == case_id
        ),
    )
    if not rows:
        raise NotFound()
    case = rows[0]
    settings = await settings_for(ctx)
    if case["status"] != "open":
        raise _error("case_id", "case_closed")
    if data.session_type not in settings.session_types:
        raise _error("session_type", "session_type_not_offered")
    people = await _people(data.participant_ids)
    day = data.held_at.astimezone(zone(ctx)).date()
    births: dict[UUID, date | None] = {
        pid: people[pid].get("birth_date") for pid in data.participant_ids
    }
    decision = rules.minors_without_consent(
        births, {r["minor_id"] for r in covered}, day, settings.age_of_majority
    )
    if decision.flag:
        raise _error("participant_ids", "minor_without_consent")
    session_id = uuid4()
    link = (
        rules.remote_link(settings.remote_link_template, ctx.tenant.slug, session_id)
        if data.mode == "video"
        else ""
    )
    appointment_id = None
    if data.book:
        staff = await staff_for_user(ctx.user_id)
        if staff is None:
            raise _error("book", "no_staff_profile")
        appointment = await book_appointment(
            ctx,
            service=f"{SLUG}.counselling",
            start=data.held_at,
            end=data.held_at + timedelta(minutes=data.duration_minutes),
            staff_ids=[staff["id"]],
            beneficiary_ids=data.participant_ids,
            mode=data.mode,
            video_link=link or None,
            record=("session", session_id),
        )
        appointment_id = appointment["id"]
    (row,) = await CounsellingSession.insert(
        CounsellingSession(
            id=session_id,
            case_id=case_id,
            session_type=data.session_type,
            mode=data.mode,
            held_at=data.held_at.astimezone(UTC),
            duration_minutes=data.duration_minutes,
            staff_user_id=ctx.user_id,
            appointment_id=appointment_id,
            video_link=link,
            created_at=now(),
        )
    ).returning(*CounsellingSession._meta.columns)
    # The participants join the session, and those new to the case its family: one insert.
    known = set(_who(_parties_by_record([case_id], case_parties)[case_id]))
    participants = _links("session", session_id, "participant", data.participant_ids)
    family = _links("case", case_id, "family", [p for p in data.participant_ids if p not in known])
    await Party.insert(*participants, *family)
    out = _session_out(dict(row), [{"person_id": p.person_id} for p in participants])
    out["review"] = rules.review_due(
        len(held) + 1, case["reviewed_at_sessions"], settings.review_threshold
    ).as_dict()
    await _audit(ctx, "create", "session", session_id, case=str(case_id), type=data.session_type)
    return out


async def _session_row(session_id: UUID) -> dict[str, Any]:
    row = await CounsellingSession.select().where(CounsellingSession.id == session_id).first()
    if row is None:
        raise NotFound()
    return dict(row)


def _session_out(row: dict[str, Any], parties: list[dict[str, Any]]) -> dict[str, Any]:
    out = _row_out(row)
    out["participant_ids"] = _who(parties)
    return out


async def get_session(ctx: Any, session_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    row = await _session_row(session_id)
    out = _session_out(row, (await _parties("session", [session_id]))[session_id])
    if audit_read:
        await _audit(ctx, "read", "session", session_id)
    return out


async def list_sessions(ctx: Any, case_id: UUID) -> list[dict[str, Any]]:
    await _case_row(case_id)
    rows = (
        await CounsellingSession.select()
        .where(CounsellingSession.case_id == case_id)
        .order_by(CounsellingSession.held_at)
    )
    parties = await _parties("session", [r["id"] for r in rows])
    items = [_session_out(r, parties[r["id"]]) for r in rows]
    await _audit(ctx, "read", "session", "", list=True, ids=[str(i["id"]) for i in items])
    return items


# -- clinical notes ---------------------------------------------------------------------------


async def _note_out(row: dict[str, Any]) -> dict[str, Any]:
    out = _row_out(row)
    out["body"] = await decrypt(row["body"], NOTE_BODY) or ""
    out["readers"] = _ids(row["readers"] or [])
    return out


async def _readable_note(ctx: Any, note_id: UUID) -> dict[str, Any]:
    row = (
        await ClinicalNote.select().where(ClinicalNote.id == note_id).first().output(load_json=True)
    )
    if row is None or not rules.can_read_note(ctx.user_id, row["author_id"], row["readers"] or []):
        raise NotFound()
    return dict(row)


async def create_note(ctx: Any, session_id: UUID, data: NoteCreate) -> dict[str, Any]:
    session = await _session_row(session_id)
    readers = [r for r in dict.fromkeys(data.readers) if r != ctx.user_id]
    await _colleagues(ctx, readers, "readers")
    note_id = uuid4()
    stamp = now()
    await ClinicalNote.insert(
        ClinicalNote(
            id=note_id,
            session_id=session_id,
            case_id=session["case_id"],
            author_id=ctx.user_id,
            readers=[str(r) for r in readers],
            body=await encrypt(data.body, NOTE_BODY) or "",
            created_at=stamp,
            updated_at=stamp,
        )
    )
    out = await _note_out(await _readable_note(ctx, note_id))
    await _audit(ctx, "create", "note", note_id, session=str(session_id), readers=len(readers))
    return out


async def read_note(ctx: Any, note_id: UUID) -> dict[str, Any]:
    row = await _readable_note(ctx, note_id)
    out = await _note_out(row)
    await _audit(ctx, "read", "note", note_id)
    return out


async def list_notes(ctx: Any, session_id: UUID) -> list[dict[str, Any]]:
    """Only the notes the user may read: the others do not exist for them."""
    await _session_row(session_id)
    rows = (
        await ClinicalNote.select()
        .where(ClinicalNote.session_id == session_id)
        .order_by(ClinicalNote.created_at)
        .output(load_json=True)
    )
    items = [
        await _note_out(r)
        for r in rows
        if rules.can_read_note(ctx.user_id, r["author_id"], r["readers"] or [])
    ]
    for item in items:
        await _audit(ctx, "read", "note", item["id"])
    return items


async def update_note(ctx: Any, note_id: UUID, data: NoteUpdate) -> dict[str, Any]:
    row = await _readable_note(ctx, note_id)
    if row["author_id"] != ctx.user_id:
        raise Forbidden("not_note_author")
    values: dict[Any, Any] = {ClinicalNote.updated_at: now()}
    if data.body is not None:
        values[ClinicalNote.body] = await encrypt(data.body, NOTE_BODY) or ""
    if data.readers is not None:
        readers = [r for r in dict.fromkeys(data.readers) if r != ctx.user_id]
        await _colleagues(ctx, readers, "readers")
        values[ClinicalNote.readers] = [str(r) for r in readers]
    await ClinicalNote.update(values).where(ClinicalNote.id == note_id)
    out = await _note_out(await _readable_note(ctx, note_id))
    await _audit(ctx, "update", "note", note_id)
    return out


# -- referrals ---------------------------------------------------------------------------


async def refer(ctx: Any, case_id: UUID, data: ReferralForm) -> dict[str, Any]:
    case = await _case_row(case_id)
    fields = data.model_dump(exclude_none=True)
    referral_id = await open_referral(
        ctx,
        person_id=case["person_id"],
        source_module=SLUG,
        record_type="case",
        record_id=case_id,
        **fields,
    )
    await CaseReferral.insert(
        CaseReferral(
            id=uuid4(), case_id=case_id, referral_id=referral_id, direction="out", created_at=now()
        )
    )
    out = await get_referral(ctx, referral_id, audit=False)
    await _audit(ctx, "create", "case_referral", referral_id, case=str(case_id))
    return out


async def case_referrals(ctx: Any, case_id: UUID) -> list[dict[str, Any]]:
    await _case_row(case_id)
    links = await CaseReferral.select().where(CaseReferral.case_id == case_id)
    out = []
    for link in links:
        with contextlib.suppress(NotFound):
            referral = await get_referral(ctx, link["referral_id"], audit=False)
            out.append({**referral, "direction": link["direction"]})
    return out


# -- programmes, meetings, attendance ------------------------------------------------------


async def _programme_row(programme_id: UUID) -> dict[str, Any]:
    row = (
        await Programme.select().where(Programme.id == programme_id).first().output(load_json=True)
    )
    if row is None:
        raise NotFound()
    return dict(row)


async def create_programme(ctx: Any, data: ProgrammeCreate) -> dict[str, Any]:
    await _people_exist(data.enrolled_ids)
    await _colleagues(ctx, data.facilitators, "facilitators")
    programme_id = uuid4()
    await Programme.insert(
        Programme(
            id=programme_id,
            kind=data.kind,
            title=data.title,
            partner=data.partner,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            facilitators=[str(f) for f in data.facilitators],
            created_at=now(),
        )
    )
    await _add_parties("programme", programme_id, ("enrolled", data.enrolled_ids))
    out = await get_programme(ctx, programme_id, audit_read=False)
    await _audit(ctx, "create", "programme", programme_id, kind=data.kind)
    return out


async def enrol(ctx: Any, programme_id: UUID, data: EnrolmentCreate) -> dict[str, Any]:
    rows, parties = await select_together(
        Programme.select(Programme.id).where(Programme.id == programme_id),
        _parties_query("programme", [programme_id]),
    )
    if not rows:
        raise NotFound()
    await _people_exist(data.person_ids)
    have = set(_who(_parties_by_record([programme_id], parties)[programme_id]))
    new = [p for p in dict.fromkeys(data.person_ids) if p not in have]
    await _add_parties("programme", programme_id, ("enrolled", new))
    out = await get_programme(ctx, programme_id, audit_read=False)
    await _audit(ctx, "update", "programme", programme_id, enrolled=len(new))
    return out


async def add_meeting(ctx: Any, programme_id: UUID, data: MeetingCreate) -> dict[str, Any]:
    rows, parties = await select_together(
        Programme.select().where(Programme.id == programme_id).output(load_json=True),
        _parties_query("programme", [programme_id]),
    )
    if not rows:
        raise NotFound()
    programme = rows[0]
    if data.held_on < programme["starts_on"] or (
        programme["ends_on"] is not None and data.held_on > programme["ends_on"]
    ):
        raise _error("held_on", "outside_programme")
    enrolled = _who(_parties_by_record([programme_id], parties)[programme_id])
    present = list(dict.fromkeys(data.present_ids))
    if any(p not in enrolled for p in present):
        raise _error("present_ids", "not_enrolled")
    meeting_id = uuid4()
    await ProgrammeMeeting.insert(
        ProgrammeMeeting(
            id=meeting_id,
            programme_id=programme_id,
            held_on=data.held_on,
            topic=data.topic,
            pupils=data.pupils,
            parents=data.parents,
            teachers=data.teachers,
            created_at=now(),
        )
    )
    rows = [
        Attendance(
            id=uuid4(),
            meeting_id=meeting_id,
            programme_id=programme_id,
            person_id=pid,
            present=pid in present,
        )
        for pid in enrolled
    ]
    if rows:
        await Attendance.insert(*rows)
    out = await get_programme(ctx, programme_id, audit_read=False)
    await _audit(ctx, "create", "meeting", meeting_id, programme=str(programme_id))
    return out


def _meetings(rows: list[dict[str, Any]], attendance: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A programme's meetings (in date order) with who was present and absent at each."""
    by_meeting: dict[UUID, list[dict[str, Any]]] = {}
    for a in attendance:
        by_meeting.setdefault(a["meeting_id"], []).append(a)
    out = []
    for row in rows:
        item = _row_out(row)
        marks = by_meeting.get(row["id"], [])
        item["present_ids"] = [a["person_id"] for a in marks if a["present"]]
        item["absent_ids"] = [a["person_id"] for a in marks if not a["present"]]
        out.append(item)
    return out


async def get_programme(ctx: Any, programme_id: UUID, *, audit_read: bool = True) -> dict[str, Any]:
    """The programme with its enrolled people, meetings and attendance: one statement."""
    rows, parties, meetings, attendance = await select_together(
        Programme.select().where(Programme.id == programme_id).output(load_json=True),
        _parties_query("programme", [programme_id]),
        ProgrammeMeeting.select()
        .where(ProgrammeMeeting.programme_id == programme_id)
        .order_by(ProgrammeMeeting.held_on),
        Attendance.select().where(Attendance.programme_id == programme_id),
    )
    if not rows:
        raise NotFound()
    row = rows[0]
    out = _row_out(row)
    out["facilitators"] = _ids(row["facilitators"] or [])
    out["enrolled_ids"] = _who(_parties_by_record([programme_id], parties)[programme_id])
    out["meetings"] = _meetings(meetings, attendance)
    marks = [
        m for meeting in out["meetings"] for m in meeting["present_ids"] + meeting["absent_ids"]
    ]
    present = sum(len(m["present_ids"]) for m in out["meetings"])
    out["attendance_rate"] = round(100 * present / len(marks), 1) if marks else None
    if audit_read:
        await _audit(ctx, "read", "programme", programme_id)
    return out


async def list_programmes(
    ctx: Any,
    *,
    kind: str | None,
    limit: int | None,
    cursor: str | None,
    person_id: UUID | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Programme.select().output(load_json=True)
    if kind is not None:
        query = query.where(Programme.kind == kind)
    if person_id is not None:
        query = query.where(Programme.id.is_in(_involving("programme", person_id)))
    rows, next_cursor = await keyset(
        query,
        sort=Programme.starts_on,
        id_column=Programme.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    ids = [r["id"] for r in rows]
    parties = await _parties("programme", ids)
    meetings = await _meeting_counts(ids)
    items = []
    for r in rows:
        item = _row_out(r)
        item["facilitators"] = _ids(r["facilitators"] or [])
        item["enrolled"] = len(parties[r["id"]])
        item["meetings"] = meetings[r["id"]]
        items.append(item)
    return items, next_cursor


async def _meeting_counts(programme_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Meetings per programme in one grouped statement (a count per programme made a page
    of programmes cost a statement each)."""
    out = {programme_id: 0 for programme_id in programme_ids}
    if not programme_ids:
        return out
    rows = (
        await ProgrammeMeeting.select(
            ProgrammeMeeting.programme_id, Count(ProgrammeMeeting.id, alias="meetings")
        )
        .where(ProgrammeMeeting.programme_id.is_in(list(programme_ids)))
        .group_by(ProgrammeMeeting.programme_id)
    )
    for row in rows:
        out[row["programme_id"]] = int(row["meetings"])
    return out


# -- volunteers and trainees --------------------------------------------------------------------


async def create_helper(ctx: Any, data: HelperCreate) -> dict[str, Any]:
    helper_id = uuid4()
    await Helper.insert(Helper(id=helper_id, created_at=now(), **data.model_dump()))
    out = await get_helper(ctx, helper_id)
    await _audit(ctx, "create", "helper", helper_id, kind=data.kind)
    return out


def _helper_out(row: dict[str, Any], sessions: list[dict[str, Any]]) -> dict[str, Any]:
    out = _row_out(row)
    out["supervision"] = [{**_row_out(s), "hours": float(s["hours"])} for s in sessions]
    out["supervision_hours"] = round(sum(float(s["hours"]) for s in sessions), 2)
    return out


def _supervision_query(helper_ids: Any) -> Any:
    """Supervision sessions of these helpers (ids or a subquery), oldest first."""
    return (
        Supervision.select()
        .where(Supervision.helper_id.is_in(helper_ids))
        .order_by(Supervision.supervised_on)
    )


def _helpers_out(
    rows: list[dict[str, Any]], sessions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_helper: dict[UUID, list[dict[str, Any]]] = {}
    for s in sessions:
        by_helper.setdefault(s["helper_id"], []).append(s)
    return [_helper_out(r, by_helper.get(r["id"], [])) for r in rows]


async def get_helper(ctx: Any, helper_id: UUID) -> dict[str, Any]:
    rows, sessions = await select_together(
        Helper.select().where(Helper.id == helper_id), _supervision_query([helper_id])
    )
    if not rows:
        raise NotFound()
    return _helpers_out(rows, sessions)[0]


async def list_helpers(ctx: Any) -> list[dict[str, Any]]:
    """Every helper with their supervision, in one statement however many there are."""
    rows, sessions = await select_together(
        Helper.select().order_by(Helper.starts_on, ascending=False),
        _supervision_query(Helper.select(Helper.id)),
    )
    return _helpers_out(rows, sessions)


async def add_supervision(ctx: Any, helper_id: UUID, data: SupervisionCreate) -> dict[str, Any]:
    helper = await get_helper(ctx, helper_id)
    if data.supervised_on < helper["starts_on"]:
        raise _error("supervised_on", "before_placement")
    supervision_id = uuid4()
    await Supervision.insert(
        Supervision(
            id=supervision_id,
            helper_id=helper_id,
            supervised_on=data.supervised_on,
            hours=data.hours,
            supervisor_id=ctx.user_id,
            topic=data.topic,
            created_at=now(),
        )
    )
    out = await get_helper(ctx, helper_id)
    await _audit(ctx, "create", "supervision", supervision_id, helper=str(helper_id))
    return out


# -- child-protection investigations -----------------------------------------------------------


def roles_with(permission: str) -> tuple[str, ...]:
    """The roles the manifest gives a permission (who may be assigned, named, picked)."""
    for perm in MANIFEST.permissions:
        if perm.code == permission:
            return perm.roles
    return ()


def sees_every_order(ctx: Any) -> bool:
    """Supervisors (the manifest's `SUPERVISE`) see every order; the rest of the team only the
    orders assigned to them: an order names children and an allegation of abuse."""
    return bool(ctx.has(SUPERVISE))


def _assigned_to(user_id: UUID) -> WhereRaw:
    """Orders whose `assigned` JSON list holds the user, as a condition of the query itself,
    so that filtering happens before paging. The JSON text holds each id in quotes on both
    engines (SQLite keeps JSON as text; CAST works on PostgreSQL's json)."""
    return WhereRaw("CAST(assigned AS TEXT) LIKE {}", f'%"{UUID(str(user_id))}"%')


async def _investigation_row(
    ctx: Any, investigation_id: UUID, *, check_visible: bool = True
) -> dict[str, Any]:
    """The order, if it exists in this tenant and the user may see it (404 otherwise:
    whether an order exists about a child is itself sensitive)."""
    rows = await _investigation_query(investigation_id)
    return _visible_row(ctx, rows, check_visible=check_visible)


def _investigation_query(investigation_id: UUID) -> Any:
    return Investigation.select().where(Investigation.id == investigation_id).output(load_json=True)


def _visible_row(
    ctx: Any, rows: list[dict[str, Any]], *, check_visible: bool = True
) -> dict[str, Any]:
    """The order of `_investigation_query`'s answer, if the user may see it (404 otherwise)."""
    if not rows:
        raise NotFound()
    row = rows[0]
    if (
        check_visible
        and not sees_every_order(ctx)
        and str(ctx.user_id) not in (row["assigned"] or [])
    ):
        raise NotFound()
    return dict(row)


def _investigation_out(
    row: dict[str, Any], parties: list[dict[str, Any]], day: date, settings: Settings
) -> dict[str, Any]:
    out = _row_out(row, "report_body")
    out["assigned"] = _ids(row["assigned"] or [])
    out["children_ids"] = _who(parties, "child")
    out["adult_ids"] = _who(parties, "adult")
    state = rules.deadline_state(
        row["deadline"], day, settings.deadline_warning_days, row["completed_on"]
    )
    out["deadline_state"] = state.state
    out["days_left"] = state.days_left
    out["has_report"] = bool(row["report_body"])
    return out


async def create_investigation(ctx: Any, data: InvestigationCreate) -> dict[str, Any]:
    settings = await settings_for(ctx)
    await _people_exist([*data.children_ids, *data.adult_ids])
    await _colleagues(ctx, data.assigned, "assigned", roles_with(PROTECTION))
    investigation_id = uuid4()
    await Investigation.insert(
        Investigation(
            id=investigation_id,
            order_protocol=data.order_protocol,
            our_protocol=data.our_protocol,
            prosecutor_office=data.prosecutor_office,
            received_on=data.received_on,
            deadline=rules.default_deadline(
                data.received_on, data.deadline, settings.default_order_deadline_days
            ),
            deadline_from_order=data.deadline is not None,
            priority=data.priority,
            allegation=data.allegation,
            assigned=[str(a) for a in data.assigned],
            status="open",
            created_by=ctx.user_id,
            created_at=now(),
        )
    )
    await _add_parties(
        "investigation",
        investigation_id,
        ("child", data.children_ids),
        ("adult", data.adult_ids),
    )
    out = await get_investigation(ctx, investigation_id, audit_read=False, new=True)
    await _audit(
        ctx,
        "create",
        "investigation",
        investigation_id,
        allegation=data.allegation,
        priority=data.priority,
    )
    return out


async def get_investigation(
    ctx: Any,
    investigation_id: UUID,
    *,
    audit_read: bool = True,
    check_visible: bool = True,
    new: bool = False,
) -> dict[str, Any]:
    """The order with its parties, visits and dispatches (one statement; nothing of it is
    answered unless the user may see the order) and its documents (none yet when `new`)."""
    rows, parties, visits, dispatches = await select_together(
        _investigation_query(investigation_id),
        _parties_query("investigation", [investigation_id]),
        _visits_query(investigation_id),
        Dispatch.select()
        .where(Dispatch.investigation_id == investigation_id)
        .order_by(Dispatch.sent_on),
    )
    row = _visible_row(ctx, rows, check_visible=check_visible)
    settings = await settings_for(ctx)
    who = _parties_by_record([investigation_id], parties)[investigation_id]
    out = _investigation_out(row, who, today(ctx), settings)
    out["visits"] = [_row_out(v) for v in visits]
    out["dispatches"] = [_row_out(d) for d in dispatches]
    out["documents"] = (
        [] if new else await list_documents(INVESTIGATION_DOC, investigation_id, actor=ctx)
    )
    if audit_read:
        await _audit(ctx, "read", "investigation", investigation_id)
    return out


async def list_investigations(
    ctx: Any,
    *,
    state: str | None = None,
    status: str | None = None,
    assigned_to: UUID | None = None,
    person_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Orders the user may see, by deadline; `state` = overdue | approaching | on_time |
    completed filters by the deadline rule (the overdue list is `state=overdue`). Every filter
    is part of the query, so a page is never cut short by filtering after paging."""
    settings = await settings_for(ctx)
    day = today(ctx)
    query = Investigation.select().output(load_json=True)
    if not sees_every_order(ctx):
        query = query.where(_assigned_to(ctx.user_id))
    if assigned_to is not None:
        query = query.where(_assigned_to(assigned_to))
    if person_id is not None:
        query = query.where(Investigation.id.is_in(_involving("investigation", person_id)))
    if status is not None:
        query = query.where(Investigation.status == status)
    if state in ("overdue", "approaching", "on_time"):
        query = query.where(Investigation.completed_on.is_null())
        if state == "overdue":
            query = query.where(Investigation.deadline < day)
        elif state == "approaching":
            query = query.where(
                (Investigation.deadline >= day)
                & (Investigation.deadline <= day + timedelta(days=settings.deadline_warning_days))
            )
        else:
            query = query.where(
                Investigation.deadline > day + timedelta(days=settings.deadline_warning_days)
            )
    elif state == "completed":
        query = query.where(Investigation.completed_on.is_not_null())
    rows, next_cursor = await keyset(
        query, sort=Investigation.deadline, id_column=Investigation.id, limit=limit, cursor=cursor
    )
    parties = await _parties("investigation", [r["id"] for r in rows])
    items = [_investigation_out(r, parties[r["id"]], day, settings) for r in rows]
    await _audit(ctx, "read", "investigation", "", list=True, ids=[str(i["id"]) for i in items])
    return items, next_cursor


async def update_investigation(
    ctx: Any, investigation_id: UUID, data: InvestigationUpdate
) -> dict[str, Any]:
    row = await _investigation_row(ctx, investigation_id)
    values: dict[Any, Any] = {}
    if data.assigned is not None:
        await _colleagues(ctx, data.assigned, "assigned", roles_with(PROTECTION))
        values[Investigation.assigned] = [str(a) for a in dict.fromkeys(data.assigned)]
    if data.deadline is not None:
        if data.deadline < row["received_on"]:
            raise _error("deadline", "deadline_before_receipt")
        values[Investigation.deadline] = data.deadline
        values[Investigation.deadline_from_order] = True
    if data.priority is not None:
        values[Investigation.priority] = data.priority
    if data.status is not None:
        values[Investigation.status] = data.status
    if values:
        await Investigation.update(values).where(Investigation.id == investigation_id)
    # A case worker who hands the order over to colleagues no longer sees it: answer with the
    # order as saved rather than refusing the change they were allowed to make.
    out = await get_investigation(ctx, investigation_id, audit_read=False, check_visible=False)
    if values:
        await _audit(
            ctx,
            "update",
            "investigation",
            investigation_id,
            fields=sorted(str(k._meta.name) for k in values),
        )
    return out


async def book_visit(ctx: Any, investigation_id: UUID, data: VisitCreate) -> dict[str, Any]:
    await _investigation_row(ctx, investigation_id)
    parties = _who((await _parties("investigation", [investigation_id]))[investigation_id])
    if any(p not in parties for p in data.person_ids):
        raise _error("person_ids", "not_in_investigation")
    visit_id = uuid4()
    appointment = await book_appointment(
        ctx,
        service=f"{SLUG}.{data.kind}",
        start=data.start,
        end=data.end,
        staff_ids=data.staff_ids,
        beneficiary_ids=data.person_ids,
        mode="home_visit" if data.kind == "home_visit" else "in_person",
        location_text=data.location_text,
        record=("investigation", investigation_id),
    )
    await InvestigationVisit.insert(
        InvestigationVisit(
            id=visit_id,
            investigation_id=investigation_id,
            kind=data.kind,
            appointment_id=appointment["id"],
            created_at=now(),
        )
    )
    await _audit(ctx, "create", "investigation_visit", visit_id, kind=data.kind)
    return {"id": visit_id, "kind": data.kind, "appointment": appointment}


def _visits_query(investigation_id: UUID) -> Any:
    return (
        InvestigationVisit.select()
        .where(InvestigationVisit.investigation_id == investigation_id)
        .order_by(InvestigationVisit.created_at)
    )


async def report_template(
    ctx: Any, investigation_id: UUID, row: dict[str, Any] | None = None
) -> str:
    """The skeleton of the social-investigation report (έκθεση κοινωνικής έρευνας), in Greek:
    the language of the submission, whatever the user's UI language. `row`: the order, when
    the caller has read it (and checked that the user may see it)."""
    if row is None:
        row = await _investigation_row(ctx, investigation_id)
    party_rows, visits = await select_together(
        _parties_query("investigation", [investigation_id]), _visits_query(investigation_id)
    )
    parties = _parties_by_record([investigation_id], party_rows)[investigation_id]
    people = await get_people(_who(parties))

    def names(ids: list[UUID]) -> str:
        out = []
        for pid in ids:
            person = people.get(pid)
            if person is None:
                raise NotFound()  # as `get_person` for a party the registry no longer has
            birth = person.get("birth_date")
            born = f" (γενν. {birth.strftime('%d/%m/%Y')})" if birth else ""
            out.append(f"{person['last_name']} {person['first_name']}{born}")
        return ", ".join(out) or "-"

    allegation = {"abuse": "κακοποίηση", "neglect": "παραμέληση", "other": "άλλο"}
    lines = [
        "ΕΚΘΕΣΗ ΚΟΙΝΩΝΙΚΗΣ ΕΡΕΥΝΑΣ",
        "",
        f"Προς: {row['prosecutor_office']}",
        f"Σχετ.: Η με αρ. πρωτ. {row['order_protocol']} εισαγγελική παραγγελία "
        f"(παραλαβή {row['received_on'].strftime('%d/%m/%Y')}"
        + (f", αρ. πρωτ. Δήμου {row['our_protocol']}" if row["our_protocol"] else "")
        + ")",
        f"Αντικείμενο: {allegation.get(row['allegation'], row['allegation'])}",
        "",
        f"Ανήλικοι: {names(_who(parties, 'child'))}",
        f"Ενήλικες: {names(_who(parties, 'adult'))}",
        "",
        "1. Μεθοδολογία",
        f"Πραγματοποιήθηκαν {sum(1 for v in visits if v['kind'] == 'home_visit')} κατ' οίκον "
        f"επισκέψεις και {sum(1 for v in visits if v['kind'] == 'interview')} συνεντεύξεις.",
        "",
        "2. Οικογενειακό περιβάλλον",
        "",
        "3. Συνθήκες διαβίωσης",
        "",
        "4. Ευρήματα σχετικά με την καταγγελία",
        "",
        "5. Εκτίμηση και προτάσεις",
        "",
        "Οι συντάκτες",
    ]
    return "\n".join(lines)


async def save_report(ctx: Any, investigation_id: UUID, data: ReportDraft) -> dict[str, Any]:
    row = await _investigation_row(ctx, investigation_id)
    if row["status"] == "closed":
        raise _error("body", "investigation_closed")
    saved = {"report_body": await encrypt(data.body, REPORT_BODY) or "", "report_updated_at": now()}
    await Investigation.update(
        {
            Investigation.report_body: saved["report_body"],
            Investigation.report_updated_at: saved["report_updated_at"],
        }
    ).where(Investigation.id == investigation_id)
    # The answer is built from what was written, not read back.
    answer = await read_report(ctx, investigation_id, audit_read=False, row={**row, **saved})
    await _audit(ctx, "update", "investigation_report", investigation_id)
    return answer


async def read_report(
    ctx: Any,
    investigation_id: UUID,
    *,
    audit_read: bool = True,
    row: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The saved report, or the template until a draft is saved. `row`: the order, when the
    caller has read it (and checked that the user may see it)."""
    if row is None:
        row = await _investigation_row(ctx, investigation_id)
    body = await decrypt(row["report_body"], REPORT_BODY) or ""
    drafted = bool(body)
    if not drafted:
        body = await report_template(ctx, investigation_id, row)
    if audit_read:
        await _audit(ctx, "read", "investigation_report", investigation_id)
    return {
        "investigation_id": investigation_id,
        "body": body,
        "drafted": drafted,
        "updated_at": row["report_updated_at"],
    }


async def report_pdf(ctx: Any, investigation_id: UUID) -> tuple[bytes, str]:
    from plugins.family_center.pdf import render_report

    row = await _investigation_row(ctx, investigation_id)
    report = await read_report(ctx, investigation_id, audit_read=False, row=row)
    await _audit(ctx, "export", "investigation_report", investigation_id, format="pdf")
    title = f"{ctx.tenant.name} - {row['order_protocol']}"
    # A header is latin-1: a Greek protocol number (Π-901/2026) is transliterated (ELOT 743).
    latin = elot743(row["order_protocol"])
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in latin)[:40]
    return render_report(title, report["body"]), f"ekthesi-{safe}.pdf"


async def add_dispatch(ctx: Any, investigation_id: UUID, data: DispatchCreate) -> dict[str, Any]:
    row = await _investigation_row(ctx, investigation_id)
    if data.sent_on < row["received_on"]:
        raise _error("sent_on", "sent_before_receipt")
    if data.what == "report" and not row["report_body"]:
        raise _error("what", "report_missing")
    dispatch_id = uuid4()
    await Dispatch.insert(
        Dispatch(
            id=dispatch_id,
            investigation_id=investigation_id,
            sent_on=data.sent_on,
            recipient=data.recipient,
            protocol=data.protocol,
            method=data.method,
            what=data.what,
            created_by=ctx.user_id,
            created_at=now(),
        )
    )
    if data.what == "report" and row["completed_on"] is None:
        await Investigation.update(
            {Investigation.status: "submitted", Investigation.completed_on: data.sent_on}
        ).where(Investigation.id == investigation_id)
    out = await get_investigation(ctx, investigation_id, audit_read=False)
    await _audit(ctx, "create", "dispatch", dispatch_id, what=data.what)
    return out


async def investigation_exists(investigation_id: UUID) -> bool:
    return bool(await Investigation.exists().where(Investigation.id == investigation_id))


async def investigation_visible(investigation_id: UUID, ctx: Any) -> bool:
    """Whether the order exists in this tenant and the user may see it (the rule of
    `_investigation_row`): asked by the core before any document the order owns is
    uploaded, listed, read or deleted. An actor without permissions sees none."""
    has = getattr(ctx, "has", None)
    if has is None or not has(PROTECTION):
        return False
    query = Investigation.exists().where(Investigation.id == investigation_id)
    if not sees_every_order(ctx):
        query = query.where(_assigned_to(ctx.user_id))
    return bool(await query)


async def visible_investigation_ids(ctx: Any) -> list[UUID] | None:
    """The orders whose documents the user sees in the core's document list: every one
    for a supervisor (None), the assigned ones for the rest of the team, none otherwise."""
    has = getattr(ctx, "has", None)
    if has is None or not has(PROTECTION):
        return []
    if sees_every_order(ctx):
        return None
    rows = await Investigation.select(Investigation.id).where(_assigned_to(ctx.user_id))
    return [r["id"] for r in rows]


# -- tasks (UI) ---------------------------------------------------------------------------


async def open_tasks(ctx: Any) -> list[dict[str, Any]]:
    """The user's deadlines (assigned orders overdue or approaching) and reviews due."""
    settings = await settings_for(ctx)
    day = today(ctx)
    out: list[dict[str, Any]] = []
    if ctx.has(PROTECTION):
        rows = (
            await Investigation.select()
            .where(
                Investigation.completed_on.is_null()
                & (Investigation.deadline <= day + timedelta(days=settings.deadline_warning_days))
            )
            .where(_assigned_to(ctx.user_id))
            .output(load_json=True)
        )
        for row in rows:
            state = rules.deadline_state(row["deadline"], day, settings.deadline_warning_days)
            out.append(
                {
                    "kind": f"{SLUG}.{state.state}",
                    "id": row["id"],
                    "due": row["deadline"],
                    "protocol": row["order_protocol"],
                }
            )
    sessions = await CounsellingSession.select(CounsellingSession.case_id).where(
        CounsellingSession.staff_user_id == ctx.user_id
    )
    case_ids = sorted({s["case_id"] for s in sessions})
    if case_ids:
        counts = Counter(
            s["case_id"]
            for s in await CounsellingSession.select(CounsellingSession.case_id).where(
                CounsellingSession.case_id.is_in(case_ids)
            )
        )
        cases = await FamilyCase.select().where(
            FamilyCase.id.is_in(case_ids) & (FamilyCase.status == "open")
        )
        for case in cases:
            if rules.review_due(
                counts[case["id"]], case["reviewed_at_sessions"], settings.review_threshold
            ).flag:
                out.append({"kind": f"{SLUG}.review_due", "id": case["id"], "due": None})
    return out


# -- one person's data ---------------------------------------------------------------------


async def export_person(person_id: Any) -> dict[str, Any]:
    """Everything on one person except clinical notes (withheld, GDPR art. 15(4)/23 and
    professional secrecy) and the investigation reports (criminal-offence and third-party
    data, disclosed to the prosecutor only)."""
    try:
        pid = UUID(str(person_id))
    except ValueError:
        return {}
    # One statement for all of it: each record type through the person's parties (a subquery).
    cases, sessions, notes, consents, programmes, attendance, rows = await select_together(
        FamilyCase.select()
        .where(FamilyCase.id.is_in(_involving("case", pid)))
        .order_by(FamilyCase.id)
        .output(load_json=True),
        CounsellingSession.select()
        .where(CounsellingSession.id.is_in(_involving("session", pid)))
        .order_by(CounsellingSession.id),
        ClinicalNote.select(ClinicalNote.id).where(
            ClinicalNote.session_id.is_in(_involving("session", pid))
        ),
        GuardianConsent.select().where(
            (GuardianConsent.minor_id == pid) | (GuardianConsent.guardian_id == pid)
        ),
        Programme.select()
        .where(Programme.id.is_in(_involving("programme", pid)))
        .order_by(Programme.id)
        .output(load_json=True),
        Attendance.select().where(Attendance.person_id == pid),
        Investigation.select(
            Investigation.id,
            Investigation.order_protocol,
            Investigation.prosecutor_office,
            Investigation.received_on,
            Investigation.deadline,
            Investigation.allegation,
            Investigation.status,
            Investigation.completed_on,
        )
        .where(Investigation.id.is_in(_involving("investigation", pid)))
        .order_by(Investigation.id),
    )
    withheld = len(notes)
    investigations = [_plain(dict(row)) for row in rows]
    out: dict[str, Any] = {
        "cases": [_plain(_row_out(r)) for r in cases],
        "sessions": [_plain(_row_out(r)) for r in sessions],
        "consents": [_plain(_row_out(c, "note")) for c in consents],
        "programmes": [_plain(_row_out(r, "facilitators")) for r in programmes],
        "attendance": [_plain(_row_out(a)) for a in attendance],
        "investigations": investigations,
    }
    notices = []
    if withheld:
        notices.append(t("family_center.export.notes_withheld", count=withheld))
    if investigations:
        notices.append(t("family_center.export.reports_withheld"))
    out["withheld"] = notices
    return {"family_center": out}


async def erase_person(person_id: Any) -> list[str]:
    """Counselling records of the person go (cases where they are the client, with their
    sessions and notes; their part in other records; attendance). Investigations ordered by a
    prosecutor are kept: the case file belongs to a judicial procedure."""
    try:
        pid = UUID(str(person_id))
    except ValueError:
        return []
    reasons: list[str] = []
    own_cases = [
        r["id"] for r in await FamilyCase.select(FamilyCase.id).where(FamilyCase.person_id == pid)
    ]
    if own_cases:
        session_ids = [
            r["id"]
            for r in await CounsellingSession.select(CounsellingSession.id).where(
                CounsellingSession.case_id.is_in(own_cases)
            )
        ]
        await ClinicalNote.delete().where(ClinicalNote.case_id.is_in(own_cases))
        if session_ids:
            await Party.delete().where(
                (Party.record_type == "session") & Party.record_id.is_in(session_ids)
            )
        await CounsellingSession.delete().where(CounsellingSession.case_id.is_in(own_cases))
        await GuardianConsent.delete().where(GuardianConsent.case_id.is_in(own_cases))
        await CaseReferral.delete().where(CaseReferral.case_id.is_in(own_cases))
        await Party.delete().where((Party.record_type == "case") & Party.record_id.is_in(own_cases))
        await FamilyCase.delete().where(FamilyCase.id.is_in(own_cases))
    await GuardianConsent.delete().where(GuardianConsent.minor_id == pid)
    await GuardianConsent.update({GuardianConsent.guardian_id: None}).where(
        GuardianConsent.guardian_id == pid
    )
    await Attendance.delete().where(Attendance.person_id == pid)
    kept = await Party.count().where(
        (Party.person_id == pid) & (Party.record_type == "investigation")
    )
    await Party.delete().where((Party.person_id == pid) & (Party.record_type != "investigation"))
    if kept:
        reasons.append(t("family_center.erase.investigations_kept", count=int(kept)))
    return reasons


async def move_person(survivor_id: Any, merged_id: Any) -> None:
    survivor, merged = UUID(str(survivor_id)), UUID(str(merged_id))
    await Party.update({Party.person_id: survivor}).where(Party.person_id == merged)
    await FamilyCase.update({FamilyCase.person_id: survivor}).where(FamilyCase.person_id == merged)
    await GuardianConsent.update({GuardianConsent.minor_id: survivor}).where(
        GuardianConsent.minor_id == merged
    )
    await GuardianConsent.update({GuardianConsent.guardian_id: survivor}).where(
        GuardianConsent.guardian_id == merged
    )
    await Attendance.update({Attendance.person_id: survivor}).where(Attendance.person_id == merged)
