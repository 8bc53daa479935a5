"""Scheduling services: the only writer of the area's tables.

Routes, the public API for modules (`core.api`), the demo loader and the CLI come here. A
booking is validated (service, mode, people of this tenant), checked against the rules
(`core.scheduling.rules`) with facts read from the database, written, audited and announced
through `merimna_appointment_changed`, all inside the caller's transaction.

Double booking is prevented twice: the rules refuse an overlap they can see, and the
database refuses one they could not see yet (a concurrent request): on PostgreSQL the
exclusion constraint on `appointment_participant` (its violation becomes the same 409,
naming the appointment that won), on SQLite the write transaction that serialises writers
(`core.db.transaction(write=True)`), inside which the check and the insert happen together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from core import clock, db
from core.audit.writer import record
from core.errors import AppError, Conflict, FieldError, Forbidden, NotFound, RequestValidationError
from core.i18n import get_language, t
from core.manifest import ServiceSpec
from core.pagination import keyset
from core.refs import AppointmentRef
from core.scheduling import facts as facts_store
from core.scheduling import notes as notes_store
from core.scheduling import rules
from core.scheduling.days import Day, LocalDay, Override, days_between, tenant_days
from core.scheduling.recurrence import Recurrence, RecurrenceError, occurrences, parse_rule
from core.scheduling.schemas import (
    AbsenceCreate,
    AppointmentCreate,
    AppointmentUpdate,
    BookingFields,
    LocalHolidayCreate,
    MoveRequest,
    OverrideCreate,
    SeriesCreate,
)
from core.scheduling.tables import (
    Appointment,
    AppointmentParticipant,
    AppointmentSeries,
    HolidayOverride,
    LocalHoliday,
    StaffAbsence,
)
from tenants.scoping import current_tenant_id, current_tenant_id_or_none, tenant_context

if TYPE_CHECKING:
    from core.plugin_host import TenantHooks

log = logging.getLogger("merimna.scheduling")

READ = "scheduling.read"
WRITE = "scheduling.write"
OVERRIDE = "scheduling.override"
NOTES = "scheduling.notes"
ADMIN = "scheduling.admin"

MAX_WINDOW = timedelta(days=62)
DEFAULT_WINDOW = timedelta(days=14)
ACTIVE_STATUSES = ("scheduled", "confirmed", "completed", "no_show")


# -- who acts -------------------------------------------------------------------------------


class Actor(Protocol):
    """A request's `RequestContext`, or a `SystemActor` (demo, CLI, jobs)."""

    @property
    def tenant(self) -> Any: ...  # tenants.resolution.TenantInfo

    @property
    def hooks(self) -> TenantHooks: ...

    @property
    def user_id(self) -> Any: ...

    @property
    def request_id(self) -> str: ...

    @property
    def client(self) -> str: ...

    def has(self, permission: str) -> bool: ...


@dataclass(frozen=True)
class SystemActor:
    """The actor of loaders and jobs that run without a request: may do everything."""

    tenant: Any
    hooks: TenantHooks
    user_id: UUID | None = None
    request_id: str = "system"
    client: str = "system"
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"tenant_admin"}))

    def has(self, permission: str) -> bool:
        return True

    @property
    def tenant_ref(self) -> Any:
        return self.tenant.ref


async def system_actor(slug: str, request_id: str = "system") -> SystemActor:
    from core.plugin_host import get_host
    from tenants.resolution import resolve_tenant

    tenant = await resolve_tenant(slug)
    if tenant is None:
        raise NotFound()
    return SystemActor(tenant, get_host().for_tenant(tenant.modules), request_id=request_id)


async def _audit(
    actor: Actor, action: str, object_type: str, object_id: Any = "", **details: Any
) -> None:
    await record(cast(Any, actor), action, object_type, object_id, details=details or None)


# -- people of other areas (beneficiaries, staff) ---------------------------------------------
# The registry (core.beneficiaries) and the staff area (core.staff) own those records;
# scheduling only asks, through these few functions, whether an id is one of this tenant's
# and what a staff member may deliver, when and where.


@dataclass(frozen=True)
class StaffProfile:
    id: UUID
    roles: frozenset[str]  # the profession and the account's roles in the tenant
    user_id: UUID | None = None
    name: str = ""
    email: str = ""
    phone: str = ""
    active: bool = True
    unit_ids: tuple[UUID, ...] = ()


async def person_exists(person_id: UUID) -> bool:
    """A beneficiary of the current tenant (merged duplicates do not count)."""
    from core.beneficiaries.services import person_exists as exists

    return bool(await exists(person_id))


async def person_initials(person_id: UUID) -> str:
    """ "Ε.Π." for Ελένη Παπαδοπούλου: all a calendar feed may show of a beneficiary."""
    from core.beneficiaries.tables import Beneficiary

    row = (
        await Beneficiary.select(Beneficiary.first_name, Beneficiary.last_name)
        .where(Beneficiary.id == person_id)
        .first()
    )
    if row is None:
        return ""
    return initials(row["first_name"], row["last_name"])


def initials(*names: str) -> str:
    return "".join(f"{n.strip()[0].upper()}." for n in names if n and n.strip())


async def person_contacts(person_id: UUID) -> dict[str, Any]:
    """Phone, e-mail and language of a beneficiary, for notifications only."""
    from core.beneficiaries.tables import Beneficiary

    row = (
        await Beneficiary.select(
            Beneficiary.phone,
            Beneficiary.email,
            Beneficiary.preferred_language,
            Beneficiary.status,
        )
        .where(Beneficiary.id == person_id)
        .first()
    )
    return dict(row) if row else {}


async def staff_exists(staff_id: UUID) -> bool:
    from core.staff import services as staff

    return bool(await staff.staff_exists(staff_id))


def _profile(staff: dict[str, Any]) -> StaffProfile:
    roles = {*(staff.get("roles") or []), staff.get("profession") or ""} - {""}
    return StaffProfile(
        id=staff["id"],
        roles=frozenset(roles),
        user_id=staff.get("user_id"),
        name=staff.get("display_name") or "",
        email=staff.get("email") or "",
        phone=staff.get("phone") or "",
        active=bool(staff.get("active", True)),
        unit_ids=tuple(u["id"] for u in staff.get("units") or []),
    )


async def staff_profile(staff_id: UUID) -> StaffProfile | None:
    """Profession and roles, account, contact and units of a staff member of this tenant."""
    from core.staff import services as staff

    try:
        return _profile(await staff.get_staff(staff_id))
    except NotFound:
        return None


async def staff_working_hours(staff_id: UUID) -> rules.Hours | None:
    """The staff member's declared weekly hours, or None when they work the opening hours."""
    from core.staff import services as staff

    try:
        raw = await staff.working_hours(staff_id)
    except NotFound:
        return None
    return rules.parse_hours(raw) if raw else None


async def staff_ids(roles: Iterable[str] = ()) -> list[UUID]:
    """Active staff members of the tenant, or those whose profession or roles include one of
    `roles`."""
    from core.staff import services as staff

    wanted = set(roles)
    found: list[UUID] = []
    cursor: str | None = None
    while True:
        page, cursor = await staff.list_staff(active=True, limit=200, cursor=cursor)
        for item in page:
            if not wanted or wanted & _profile(item).roles:
                found.append(item["id"])
        if cursor is None:
            return found


async def staff_for_user(user_id: UUID) -> UUID | None:
    """The staff profile of a signed-in user in this tenant, if they have one."""
    from core.staff import services as staff

    found = await staff.staff_for_user(user_id)
    return found["id"] if found else None


# -- services catalogue ------------------------------------------------------------------------


def services_of(actor: Actor) -> dict[str, ServiceSpec]:
    return {s.code: s for s in actor.hooks.services()}


def service_title(spec: ServiceSpec | None, code: str) -> str:
    if spec is None:
        return code
    return spec.title_el if get_language() == "el" else spec.title_en


# -- calendar facts ------------------------------------------------------------------------------


def _tz(actor: Actor) -> ZoneInfo:
    return clock.zone(actor.tenant)


def utc(value: datetime) -> datetime:
    """UTC, without microseconds (stored times compare as text on SQLite)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


async def _closed_days(first_year: int, last_year: int) -> tuple[list[LocalDay], list[Override]]:
    return await facts_store.closed_days(current_tenant_id(), (first_year, last_year))


async def calendar_between(first: date, last: date) -> dict[date, Day]:
    """The current tenant's closed days and half-days from `first` to `last`."""
    return days_between(first, last, *await _closed_days(first.year, last.year))


async def opening_hours(tenant: Any, unit_id: UUID | None = None) -> rules.Hours:
    """The unit's own hours where it has them, else the tenant's (default Mon–Fri 8–15)."""
    if unit_id is not None:
        from core.staff import services as staff

        try:
            unit = await staff.get_unit(unit_id)
        except NotFound:
            unit = {}
        hours = rules.parse_hours(unit.get("operating_hours"))
        if hours is not None:
            return hours
    hours = rules.parse_hours(getattr(tenant, "operating_hours", None))
    return hours or cast(rules.Hours, rules.parse_hours(rules.DEFAULT_HOURS))


def _json(value: Any) -> Any:
    if isinstance(value, str):
        import json

        return json.loads(value or "null")
    return value


async def _busy(person_ids: Sequence[UUID], start: datetime, end: datetime) -> list[rules.Busy]:
    if not person_ids:
        return []
    rows = await AppointmentParticipant.select().where(
        AppointmentParticipant.person_id.is_in(list(person_ids))
        & (AppointmentParticipant.active == True)  # noqa: E712
        & (AppointmentParticipant.start_at < utc(end))
        & (AppointmentParticipant.end_at > utc(start))
    )
    return [
        rules.Busy(
            r["appointment_id"], r["kind"], r["person_id"], utc(r["start_at"]), utc(r["end_at"])
        )
        for r in rows
    ]


async def _absences(staff: Sequence[UUID], start: datetime, end: datetime) -> list[rules.Absence]:
    if not staff:
        return []
    rows = await StaffAbsence.select().where(
        StaffAbsence.staff_id.is_in(list(staff))
        & (StaffAbsence.start_at < utc(end))
        & (StaffAbsence.end_at > utc(start))
    )
    return [
        rules.Absence(r["staff_id"], r["kind"], utc(r["start_at"]), utc(r["end_at"])) for r in rows
    ]


async def read_facts(
    actor: Actor,
    *,
    start: datetime,
    end: datetime,
    staff: Sequence[UUID],
    beneficiaries: Sequence[UUID],
    unit_id: UUID | None = None,
) -> facts_store.Facts:
    """What a booking of these people at this time must know, in one statement."""
    dates = rules.local_dates(start, end, _tz(actor))
    return await facts_store.read(
        actor.tenant.id,
        staff=staff,
        beneficiaries=beneficiaries,
        unit_id=unit_id,
        start=start,
        end=end,
        years=(dates[0].year, dates[-1].year),
    )


def _opening(tenant: Any, known: facts_store.Facts, unit_id: UUID | None) -> rules.Hours:
    """The unit's own hours where it has them, else the tenant's (default Mon–Fri 8–15)."""
    hours = known.unit_hours.get(unit_id) if unit_id is not None else None
    if hours is not None:
        return hours
    hours = rules.parse_hours(getattr(tenant, "operating_hours", None))
    return hours or cast(rules.Hours, rules.parse_hours(rules.DEFAULT_HOURS))


def facts_for_rules(
    actor: Actor,
    known: facts_store.Facts,
    *,
    start: datetime,
    end: datetime,
    staff: Sequence[UUID],
    beneficiaries: Sequence[UUID],
    unit_id: UUID | None = None,
    ignore: Iterable[UUID] = (),
) -> rules.BookingFacts:
    tz = _tz(actor)
    dates = rules.local_dates(start, end, tz)
    return rules.BookingFacts(
        start=start,
        end=end,
        timezone=str(tz.key),
        opening=_opening(actor.tenant, known, unit_id),
        staff_hours={s: known.staff[s].hours if s in known.staff else None for s in staff},
        days=days_between(dates[0], dates[-1], known.local_days, known.overrides),
        absences=known.absences,
        busy=known.busy,
        staff_ids=tuple(staff),
        beneficiary_ids=tuple(beneficiaries),
        ignore=frozenset(ignore),
    )


async def booking_facts(
    actor: Actor,
    *,
    start: datetime,
    end: datetime,
    staff: Sequence[UUID],
    beneficiaries: Sequence[UUID],
    unit_id: UUID | None = None,
    ignore: Iterable[UUID] = (),
) -> rules.BookingFacts:
    known = await read_facts(
        actor, start=start, end=end, staff=staff, beneficiaries=beneficiaries, unit_id=unit_id
    )
    return facts_for_rules(
        actor,
        known,
        start=start,
        end=end,
        staff=staff,
        beneficiaries=beneficiaries,
        unit_id=unit_id,
        ignore=ignore,
    )


# -- refusals ---------------------------------------------------------------------------------


def refusal_message(refusal: rules.Refusal) -> str:
    p = refusal.params
    lang = get_language()
    if refusal.code == rules.HOLIDAY:
        name = p.get("name_el") if lang == "el" else p.get("name_en")
        when = _date_text(p.get("date", ""))
        if p.get("half_day"):
            return t(
                "scheduling.refusal.half_day",
                date=when,
                name=name,
                closes_at=p.get("closes_at", ""),
            )
        return t("scheduling.refusal.holiday", date=when, name=name)
    if refusal.code == rules.OUTSIDE_HOURS:
        if p.get("staff_id"):
            return t("scheduling.refusal.outside_staff_hours", date=_date_text(p.get("date", "")))
        return t("scheduling.refusal.outside_hours", date=_date_text(p.get("date", "")))
    if refusal.code == rules.STAFF_ABSENT:
        return t("scheduling.refusal.staff_absent", kind=t(f"scheduling.absence.{p.get('kind')}"))
    if refusal.code == rules.CONFLICT:
        return t(
            f"scheduling.refusal.conflict_{p.get('kind', 'staff')}",
            appointment_id=p.get("appointment_id", ""),
        )
    return t(f"error.{refusal.code}")


def _date_text(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def refusal_dict(refusal: rules.Refusal) -> dict[str, Any]:
    return {"code": refusal.code, "message": refusal_message(refusal), **refusal.params}


def _field_of(refusal: rules.Refusal) -> str:
    if refusal.code == rules.CONFLICT:
        return "beneficiary_id" if refusal.params.get("kind") == "beneficiary" else "staff_id"
    if refusal.code == rules.STAFF_ABSENT or refusal.params.get("staff_id"):
        return "staff_id"
    return "start"


def refusal_error(refusals: Sequence[rules.Refusal]) -> AppError:
    """409 `conflict` when anything conflicts (naming the appointment), else 422 with the
    first refusal's code; every refusal is listed in `errors` and `refusals`."""
    errors = [FieldError(_field_of(r), r.code, refusal_message(r)) for r in refusals]
    listed = [refusal_dict(r) for r in refusals]
    clashes = [r for r in refusals if r.code == rules.CONFLICT]
    if clashes:
        return Conflict(
            "conflict",
            detail=refusal_message(clashes[0]),
            errors=errors,
            extra={"appointment_id": clashes[0].params["appointment_id"], "refusals": listed},
        )
    first = refusals[0]
    return AppError(
        first.code,
        status_code=422,
        detail=refusal_message(first),
        errors=errors,
        extra={"refusals": listed},
    )


def _settle(refusals: Sequence[rules.Refusal], override: bool) -> tuple[list[str], AppError | None]:
    """Codes overridden, or the error to answer with."""
    if not refusals:
        return [], None
    if any(not r.overridable for r in refusals) or not override:
        return [], refusal_error(refusals)
    return sorted({r.code for r in refusals}), None


# -- validation of a booking ------------------------------------------------------------------


@dataclass
class Booking:
    """A validated booking request, before its time is checked."""

    spec: ServiceSpec
    staff: list[UUID]
    beneficiaries: list[UUID]
    mode: str
    video_link: str | None
    location_kind: str
    location_text: str
    unit_id: UUID | None
    notes: str
    status: str
    module: str | None = None
    record_type: str | None = None
    record_id: UUID | None = None
    override: bool = False
    override_reason: str = ""


def _error(field_name: str, code: str, **params: Any) -> FieldError:
    return FieldError(field_name, code, t(f"validation.{code}", **params), params)


def validate_booking(actor: Actor, data: BookingFields, known: facts_store.Facts) -> Booking:
    """Every offending field at once (422), or the booking; 403 for an override the user's
    role may not make. `known`: the facts read for these people (`read_facts`)."""
    errors: list[FieldError] = []
    catalogue = services_of(actor)
    spec = catalogue.get(data.service)
    if spec is None:
        errors.append(_error("service", "unknown_service", service=data.service))
    staff = data.staff_ids_all()
    beneficiaries = data.beneficiary_ids_all()
    staff_field = "staff_ids" if data.staff_ids else "staff_id"
    ben_field = "beneficiary_ids" if data.beneficiary_ids else "beneficiary_id"
    if not staff:
        errors.append(_error("staff_id", "staff_required"))
    profiles: list[facts_store.StaffFacts] = []
    for staff_id in staff:
        profile = known.staff.get(staff_id)
        if profile is None or not profile.active:
            errors.append(_error(staff_field, "unknown_staff", staff_id=str(staff_id)))
        else:
            profiles.append(profile)
    for person_id in beneficiaries:
        if person_id not in known.beneficiaries:
            errors.append(_error(ben_field, "unknown_beneficiary", beneficiary_id=str(person_id)))
    if spec is not None:
        if data.mode not in spec.modes:
            errors.append(_error("mode", "mode_not_allowed", modes=", ".join(spec.modes)))
        if len(beneficiaries) > 1 and not spec.group:
            errors.append(_error("beneficiary_ids", "group_not_allowed"))
        if spec.professions and profiles and len(profiles) == len(staff):
            allowed = set(spec.professions)
            if not any(p.roles & allowed for p in profiles):
                errors.append(_error(staff_field, "profession_not_allowed"))
    unit_id = data.unit_id
    if unit_id is not None and unit_id not in known.unit_hours:
        errors.append(_error("unit_id", "unknown_unit"))
    if unit_id is None and profiles and len(profiles[0].unit_ids) == 1:
        unit_id = profiles[0].unit_ids[0]  # the unit the (first) staff member works in
    attachment = data.attachment
    if (
        attachment is not None
        and attachment.module != "core"  # a core area's record (a referral, a case)
        and attachment.module not in actor.tenant.modules
    ):
        errors.append(_error("attachment.module", "unknown_module", module=attachment.module))
    if data.override and not (data.override_reason or "").strip():
        errors.append(_error("override_reason", "override_reason_required"))
    if errors:
        raise RequestValidationError(errors=errors)
    if data.override and not actor.has(OVERRIDE):
        raise Forbidden()
    assert spec is not None
    location_kind = data.location_kind or ("home" if data.mode == "home_visit" else "office")
    if data.mode in ("phone", "video") and data.location_kind is None:
        location_kind = "other"
    return Booking(
        spec=spec,
        staff=staff,
        beneficiaries=beneficiaries,
        mode=data.mode,
        video_link=data.video_link,
        location_kind=location_kind,
        location_text=data.location_text,
        unit_id=unit_id,
        notes=data.notes,
        status=data.status,
        module=attachment.module if attachment else None,
        record_type=attachment.record_type if attachment else None,
        record_id=attachment.record_id if attachment else None,
        override=data.override,
        override_reason=(data.override_reason or "").strip(),
    )


# -- writing ------------------------------------------------------------------------------------


def _is_exclusion_violation(exc: BaseException) -> bool:
    return (
        type(exc).__name__ == "ExclusionViolationError" or getattr(exc, "sqlstate", None) == "23P01"
    )


def _is_deadlock(exc: BaseException) -> bool:
    return (
        type(exc).__name__ == "DeadlockDetectedError" or getattr(exc, "sqlstate", None) == "40P01"
    )


# PostgreSQL checks an exclusion constraint after writing its own index entry, so two
# transactions moving appointments onto each other's times at the same moment can each wait
# for the other; the deadlock detector then aborts one (40P01). That is a lost race, not an
# error: retry the write from its savepoint, which now waits for the survivor and meets its
# row. (New bookings insert with ON CONFLICT DO NOTHING instead: `_insert_appointment`.)
_DEADLOCK_RETRIES = 3


async def _guarded(
    write: Any,
    *,
    people: Sequence[UUID],
    start: datetime,
    end: datetime,
    ignore: Iterable[UUID] = (),
) -> None:
    """Run `write()`; a lost race on PostgreSQL's exclusion constraint becomes the 409 the
    rules would have given, naming the appointment that got there first."""
    txn = db.engine().current_transaction.get()
    savepoint = await txn.savepoint() if txn is not None and db.is_postgres() else None
    for attempt in range(_DEADLOCK_RETRIES + 1):
        try:
            await write()
            break
        except Exception as exc:
            if savepoint is not None and _is_deadlock(exc) and attempt < _DEADLOCK_RETRIES:
                await savepoint.rollback_to()
                continue
            if not _is_exclusion_violation(exc):
                raise
            if savepoint is None:
                raise Conflict("conflict") from None
            await savepoint.rollback_to()
            raise await _lost_race(people, start, end, ignore) from None
    if savepoint is not None:
        await savepoint.release()


@dataclass(frozen=True)
class Written:
    """An appointment just inserted: its row (as a read would return it) and its people."""

    row: dict[str, Any]
    staff: tuple[UUID, ...]
    beneficiaries: tuple[UUID, ...]

    @property
    def id(self) -> UUID:
        return cast(UUID, self.row["id"])

    def ref(self) -> AppointmentRef:
        return AppointmentRef(
            id=self.id,
            start=self.row["start_at"],
            end=self.row["end_at"],
            status=self.row["status"],
            series_id=self.row["series_id"],
            staff_ids=self.staff,
            beneficiary_ids=self.beneficiaries,
        )


async def _insert_appointment(
    actor: Actor,
    booking: Booking,
    start: datetime,
    end: datetime,
    *,
    series_id: UUID | None,
    override_codes: list[str],
) -> Written:
    """Insert the appointment and its participants (two statements, no savepoint).

    Participants go in with `ON CONFLICT DO NOTHING`: on PostgreSQL a row that the exclusion
    constraint refuses (a concurrent booking of the same person got there first) is skipped
    instead of aborting the transaction, and PostgreSQL's speculative insertion makes the
    loser wait for the winner rather than deadlock with it. Rows go in person order, so two
    bookings sharing several people take them in the same order. A skipped row means a lost
    race: what was written is taken back and the answer is the 409 the rules would have given,
    naming the appointment that won.
    """
    now = datetime.now(UTC)
    appointment_id = uuid4()
    row = Appointment(
        id=appointment_id,
        service=booking.spec.code,
        mode=booking.mode,
        video_link=booking.video_link,
        location_kind=booking.location_kind,
        location_text=booking.location_text,
        unit_id=booking.unit_id,
        start_at=start,
        end_at=end,
        status=booking.status,
        notes=await notes_store.seal(booking.notes),
        module=booking.module,
        record_type=booking.record_type,
        record_id=booking.record_id,
        series_id=series_id,
        override_codes=override_codes,
        override_reason=booking.override_reason if override_codes else "",
        created_by=actor.user_id,
        updated_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    people = [
        (kind, person)
        for kind, group in (("staff", booking.staff), ("beneficiary", booking.beneficiaries))
        for person in group
    ]
    participants = [
        AppointmentParticipant(
            id=uuid4(),
            appointment_id=appointment_id,
            kind=kind,
            person_id=person,
            start_at=start,
            end_at=end,
            active=True,
        )
        for kind, person in sorted(people, key=lambda p: str(p[1]))
    ]
    await Appointment.insert(row)
    placed = (
        await AppointmentParticipant.insert(*participants)
        .on_conflict(action="DO NOTHING")
        .returning(AppointmentParticipant.id)
    )
    if len(placed) < len(participants):
        await AppointmentParticipant.delete().where(
            AppointmentParticipant.appointment_id == appointment_id
        )
        await Appointment.delete().where(Appointment.id == appointment_id)
        raise await _lost_race([person for _, person in people], start, end)
    return Written(
        row=row.to_dict() | {"cancel_reason": row.cancel_reason},
        staff=tuple(booking.staff),
        beneficiaries=tuple(booking.beneficiaries),
    )


async def _lost_race(
    people: Sequence[UUID], start: datetime, end: datetime, ignore: Iterable[UUID] = ()
) -> AppError:
    """The 409 for a write the database refused because of a concurrent booking."""
    clashes = rules.conflicts(
        rules.BookingFacts(
            start=start,
            end=end,
            busy=await _busy(people, start, end),
            staff_ids=tuple(people),
            ignore=frozenset(ignore),
        )
    )
    if not clashes:  # the winner was cancelled meanwhile: still refuse, without an id
        return Conflict("conflict")
    return refusal_error(clashes)


async def _announce(
    actor: Actor, appointment_id: UUID, change: str, appointment: AppointmentRef | None = None
) -> None:
    await actor.hooks.appointment_changed(
        tenant=actor.tenant.ref,
        appointment_id=appointment_id,
        change=change,
        appointment=appointment,
    )


async def _after_booking(
    actor: Actor, written: Written, booking: Booking, override_codes: list[str]
) -> None:
    await _announce(actor, written.id, "created", written.ref())
    await _audit(
        actor,
        "create",
        "appointment",
        written.id,
        service=booking.spec.code,
        staff=[str(s) for s in booking.staff],
        beneficiaries=[str(b) for b in booking.beneficiaries],
    )
    if override_codes:
        await _audit(actor, "override", "appointment", written.id, codes=override_codes)


async def create_appointment(actor: Actor, data: AppointmentCreate) -> dict[str, Any]:
    """Book one appointment; 422/409 with the reasons when it may not be booked.

    Six round trips on PostgreSQL (issue 11's budget): BEGIN with the tenant, the facts
    (`read_facts`), the appointment, its participants, the reminders' consents, and COMMIT
    carrying the audit events and the queued reminders. The answer is built from what was
    written, not read back.
    """
    async with db.transaction(write=True):
        spec = services_of(actor).get(data.service)
        start = utc(data.start)
        end = utc(data.end) if data.end else start + timedelta(minutes=_minutes(spec))
        staff, beneficiaries = data.staff_ids_all(), data.beneficiary_ids_all()
        known = await read_facts(
            actor,
            start=start,
            end=end,
            staff=staff,
            beneficiaries=beneficiaries,
            unit_id=data.unit_id,
        )
        booking = validate_booking(actor, data, known)
        facts = facts_for_rules(
            actor,
            known,
            start=start,
            end=end,
            staff=booking.staff,
            beneficiaries=booking.beneficiaries,
            unit_id=booking.unit_id,
        )
        codes, error = _settle(rules.check_booking(facts), booking.override)
        if error is not None:
            raise error
        written = await _insert_appointment(
            actor, booking, start, end, series_id=None, override_codes=codes
        )
        await _after_booking(actor, written, booking, codes)
        (out,) = await shape(
            actor,
            [written.row],
            people={
                written.id: {
                    "staff": list(written.staff),
                    "beneficiary": list(written.beneficiaries),
                }
            },
        )
        return out


def _minutes(spec: ServiceSpec | None) -> int:
    """The service's default length; an unknown service is refused by validation anyway."""
    return spec.default_minutes if spec is not None else 30


# -- series ------------------------------------------------------------------------------------


def _recurrence_of(data: SeriesCreate) -> Recurrence:
    if (data.recurrence is None) == (data.rrule is None):
        raise RequestValidationError.single("recurrence", "recurrence_required")
    try:
        if data.rrule is not None:
            return parse_rule(data.rrule)
        assert data.recurrence is not None
        rec = data.recurrence
        return Recurrence(
            interval=rec.interval,
            weekdays=tuple(rec.weekdays or ()),
            until=rec.until,
            count=rec.count,
        )
    except RecurrenceError as exc:
        field_name = "rrule" if data.rrule is not None else "recurrence"
        raise RequestValidationError.single(field_name, exc.code) from None


async def create_series(actor: Actor, data: SeriesCreate) -> dict[str, Any]:
    """Book every occurrence that passes the rules; report the others with their reasons.

    An occurrence on a holiday, outside hours, during an absence (unless overridden) or in
    conflict is skipped, never double-booked. Nothing booked at all is a 422 `series_empty`.
    """
    async with db.transaction(write=True):
        start = utc(data.start)
        minutes = (
            int((utc(data.end) - start).total_seconds() // 60)
            if data.end
            else _minutes(services_of(actor).get(data.service))
        )
        known = await read_facts(
            actor,
            start=start,
            end=start + timedelta(minutes=minutes),
            staff=data.staff_ids_all(),
            beneficiaries=data.beneficiary_ids_all(),
            unit_id=data.unit_id,
        )
        booking = validate_booking(actor, data, known)
        rule = _recurrence_of(data)
        tz = _tz(actor)
        field_name = "rrule" if data.rrule is not None else "recurrence"
        try:
            slots = occurrences(start, minutes, rule, str(tz.key))
        except RecurrenceError as exc:
            raise RequestValidationError.single(field_name, exc.code) from None
        first_local = start.astimezone(tz).replace(tzinfo=None)
        rule_text = rule.rule_string(first_local)
        series_id = uuid4()
        await AppointmentSeries.insert(
            AppointmentSeries(
                id=series_id,
                rrule=rule_text,
                dtstart_local=first_local.isoformat(),
                minutes=minutes,
                timezone=str(tz.key),
                created_by=actor.user_id,
                created_at=datetime.now(UTC),
            )
        )
        created: list[UUID] = []
        skipped: list[dict[str, Any]] = []
        for occ_start, occ_end in slots:
            facts = await booking_facts(
                actor,
                start=occ_start,
                end=occ_end,
                staff=booking.staff,
                beneficiaries=booking.beneficiaries,
                unit_id=booking.unit_id,
            )
            refusals = rules.check_booking(facts)
            codes, error = _settle(refusals, booking.override)
            if error is not None:
                skipped.append(_skipped(None, occ_start, occ_end, refusals))
                continue
            try:
                written = await _insert_appointment(
                    actor,
                    booking,
                    occ_start,
                    occ_end,
                    series_id=series_id,
                    override_codes=codes,
                )
            except Conflict as exc:  # lost a race on PostgreSQL
                skipped.append(
                    {
                        "appointment_id": None,
                        "start": occ_start,
                        "end": occ_end,
                        "reasons": exc.extra.get("refusals") or [{"code": "conflict"}],
                    }
                )
                continue
            created.append(written.id)
            await _after_booking(actor, written, booking, codes)
        if not created:
            raise AppError(
                "series_empty",
                status_code=422,
                extra={"skipped": [_jsonable(s) for s in skipped]},
            )
        await _audit(
            actor,
            "create",
            "appointment_series",
            series_id,
            created=len(created),
            skipped=len(skipped),
        )
        return {
            "series_id": series_id,
            "rrule": rule_text,
            "created": [await get_appointment(actor, a, audit=False) for a in created],
            "skipped": skipped,
        }


def _skipped(
    appointment_id: UUID | None, start: datetime, end: datetime, refusals: Sequence[rules.Refusal]
) -> dict[str, Any]:
    return {
        "appointment_id": appointment_id,
        "start": start,
        "end": end,
        "reasons": [refusal_dict(r) for r in refusals],
    }


def _jsonable(item: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    for key in ("start", "end"):
        if isinstance(out.get(key), datetime):
            out[key] = out[key].isoformat()
    if out.get("appointment_id") is not None:
        out["appointment_id"] = str(out["appointment_id"])
    return out


# -- reading -------------------------------------------------------------------------------------


async def _row(appointment_id: UUID) -> dict[str, Any]:
    row = (
        await Appointment.select()
        .where(Appointment.id == appointment_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound()
    return cast(dict[str, Any], row)


async def _participants(ids: Sequence[UUID]) -> dict[UUID, dict[str, list[UUID]]]:
    out: dict[UUID, dict[str, list[UUID]]] = {i: {"staff": [], "beneficiary": []} for i in ids}
    if not ids:
        return out
    rows = await AppointmentParticipant.select(
        AppointmentParticipant.appointment_id,
        AppointmentParticipant.kind,
        AppointmentParticipant.person_id,
    ).where(AppointmentParticipant.appointment_id.is_in(list(ids)))
    for r in rows:
        out[r["appointment_id"]][r["kind"]].append(r["person_id"])
    return out


async def shape(
    actor: Actor,
    rows: Sequence[dict[str, Any]],
    people: dict[UUID, dict[str, list[UUID]]] | None = None,
) -> list[dict[str, Any]]:
    """Rows in the API's shape: UTC and local times, people (read unless given), notes for
    who may read them."""
    tz = _tz(actor)
    if people is None:
        people = await _participants([r["id"] for r in rows])
    catalogue = services_of(actor)
    show_notes = actor.has(NOTES)
    out = []
    for r in rows:
        start, end = utc(r["start_at"]), utc(r["end_at"])
        codes = r.get("override_codes") or []
        out.append(
            {
                "id": r["id"],
                "service": r["service"],
                "service_title": service_title(catalogue.get(r["service"]), r["service"]),
                "mode": r["mode"],
                "video_link": r["video_link"],
                "location_kind": r["location_kind"],
                "location_text": r["location_text"],
                "unit_id": r["unit_id"],
                "start": start,
                "end": end,
                "start_local": start.astimezone(tz),
                "end_local": end.astimezone(tz),
                "timezone": str(tz.key),
                "status": r["status"],
                "cancel_reason": r["cancel_reason"],
                "notes": await notes_store.unseal(r["notes"]) if show_notes else None,
                "staff_ids": sorted(people[r["id"]]["staff"], key=str),
                "beneficiary_ids": sorted(people[r["id"]]["beneficiary"], key=str),
                "module": r["module"],
                "record_type": r["record_type"],
                "record_id": r["record_id"],
                "series_id": r["series_id"],
                "override_codes": _json(codes) if isinstance(codes, str) else list(codes),
                "override_reason": r["override_reason"],
                "created_by": r["created_by"],
                "created_at": r["created_at"],
                "updated_by": r["updated_by"],
                "updated_at": r["updated_at"],
            }
        )
    return out


async def get_appointment(
    actor: Actor, appointment_id: UUID, *, audit: bool = True
) -> dict[str, Any]:
    row = await _row(appointment_id)
    if audit:
        await _audit(actor, "read", "appointment", appointment_id)
    (out,) = await shape(actor, [row])
    return out


def _participant_subquery(
    person_id: UUID, kind: str, start: datetime | None = None, end: datetime | None = None
) -> Any:
    """Ids of the person's appointments. A participant row carries its appointment's range
    (written and moved together), so the same overlap bounds apply here exactly; without them
    this read every appointment the person ever had."""
    query = AppointmentParticipant.select(AppointmentParticipant.appointment_id).where(
        (AppointmentParticipant.person_id == person_id) & (AppointmentParticipant.kind == kind)
    )
    if start is not None:
        query = query.where(AppointmentParticipant.end_at > utc(start))
    if end is not None:
        query = query.where(AppointmentParticipant.start_at < utc(end))
    return query


async def list_appointments(
    actor: Actor,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    staff_id: UUID | None = None,
    beneficiary_id: UUID | None = None,
    unit_id: UUID | None = None,
    status: str | None = None,
    service: str | None = None,
    series_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    audit: bool = True,
) -> tuple[list[dict[str, Any]], str | None]:
    """Appointments overlapping `[start, end)`, in time order, one page."""
    query = Appointment.select().output(load_json=True)
    if start is not None:
        query = query.where(Appointment.end_at > utc(start))
    if end is not None:
        query = query.where(Appointment.start_at < utc(end))
    if staff_id is not None:
        query = query.where(
            Appointment.id.is_in(_participant_subquery(staff_id, "staff", start, end))
        )
    if beneficiary_id is not None:
        query = query.where(
            Appointment.id.is_in(_participant_subquery(beneficiary_id, "beneficiary", start, end))
        )
    if unit_id is not None:
        query = query.where(Appointment.unit_id == unit_id)
    if status is not None:
        query = query.where(Appointment.status == status)
    if service is not None:
        query = query.where(Appointment.service == service)
    if series_id is not None:
        query = query.where(Appointment.series_id == series_id)
    rows, next_cursor = await keyset(
        query, sort=Appointment.start_at, id_column=Appointment.id, limit=limit, cursor=cursor
    )
    items = await shape(actor, rows)
    if audit:
        await _audit(actor, "read", "appointment", "", list=True, ids=[str(i["id"]) for i in items])
    return items, next_cursor


async def appointments_for_record(
    actor: Actor, module: str, record_type: str, record_id: UUID
) -> list[dict[str, Any]]:
    """The appointments a module attached to one of its records, in time order."""
    rows = (
        await Appointment.select()
        .where(
            (Appointment.module == module)
            & (Appointment.record_type == record_type)
            & (Appointment.record_id == record_id)
        )
        .order_by(Appointment.start_at, Appointment.id)
        .output(load_json=True)
    )
    items = await shape(actor, cast(list[dict[str, Any]], rows))
    if items:
        await _audit(actor, "read", "appointment", "", list=True, ids=[str(i["id"]) for i in items])
    return items


# -- changing ------------------------------------------------------------------------------------


async def _move_rows(
    appointment_id: UUID,
    start: datetime,
    end: datetime,
    actor: Actor,
    extra: dict[Any, Any] | None = None,
) -> None:
    now = datetime.now(UTC)
    people = await _participants([appointment_id])
    everyone = [*people[appointment_id]["staff"], *people[appointment_id]["beneficiary"]]

    async def write() -> None:
        await Appointment.update(
            {
                Appointment.start_at: start,
                Appointment.end_at: end,
                Appointment.updated_at: now,
                Appointment.updated_by: actor.user_id,
                **(extra or {}),
            }
        ).where(Appointment.id == appointment_id)
        await AppointmentParticipant.update(
            {AppointmentParticipant.start_at: start, AppointmentParticipant.end_at: end}
        ).where(AppointmentParticipant.appointment_id == appointment_id)

    await _guarded(write, people=everyone, start=start, end=end, ignore=[appointment_id])


async def _check_move(
    actor: Actor, row: dict[str, Any], start: datetime, end: datetime, ignore: Iterable[UUID]
) -> list[rules.Refusal]:
    people = await _participants([row["id"]])
    facts = await booking_facts(
        actor,
        start=start,
        end=end,
        staff=people[row["id"]]["staff"],
        beneficiaries=people[row["id"]]["beneficiary"],
        unit_id=row["unit_id"],
        ignore=ignore,
    )
    return rules.check_booking(facts)


def _check_override(actor: Actor, override: bool, reason: str | None) -> None:
    if override and not (reason or "").strip():
        raise RequestValidationError.single("override_reason", "override_reason_required")
    if override and not actor.has(OVERRIDE):
        raise Forbidden()


def _new_range(
    row: dict[str, Any], start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    old_start, old_end = utc(row["start_at"]), utc(row["end_at"])
    new_start = utc(start) if start else old_start
    new_end = utc(end) if end else (new_start + (old_end - old_start) if start else old_end)
    if new_end <= new_start:
        raise RequestValidationError.single("end", "end_before_start")
    if (new_end - new_start) > timedelta(minutes=rules.MAX_MINUTES):
        raise RequestValidationError.single(
            "end", "duration_too_long", hours=rules.MAX_MINUTES // 60
        )
    return new_start, new_end


async def update_appointment(
    actor: Actor, appointment_id: UUID, data: AppointmentUpdate
) -> dict[str, Any]:
    """Status, outcome notes, place and time of one appointment (only the fields sent)."""
    async with db.transaction(write=True):
        row = await _row(appointment_id)
        sent = data.model_fields_set
        _check_override(actor, data.override, data.override_reason)
        changes: dict[Any, Any] = {}
        change_kind: str | None = None
        status = data.status if "status" in sent and data.status is not None else row["status"]
        if status != row["status"]:
            if not rules.can_transition(row["status"], status):
                raise RequestValidationError.single(
                    "status", "invalid_transition", old=row["status"], new=status
                )
            if status == "cancelled":
                reason = (data.cancel_reason or "").strip()
                if not reason:
                    raise RequestValidationError.single("cancel_reason", "cancel_reason_required")
                changes[Appointment.cancel_reason] = reason
                change_kind = "cancelled"
            changes[Appointment.status] = status
        if "mode" in sent and data.mode is not None and data.mode != row["mode"]:
            spec = services_of(actor).get(row["service"])
            if spec is not None and data.mode not in spec.modes:
                raise RequestValidationError.single(
                    "mode", "mode_not_allowed", modes=", ".join(spec.modes)
                )
            changes[Appointment.mode] = data.mode
        for name, column in (
            ("video_link", Appointment.video_link),
            ("location_kind", Appointment.location_kind),
            ("location_text", Appointment.location_text),
        ):
            if name in sent:
                value = getattr(data, name)
                changes[column] = "" if value is None and name == "location_text" else value
        if "notes" in sent:
            changes[Appointment.notes] = await notes_store.seal(data.notes or "")
        moving = ("start" in sent and data.start) or ("end" in sent and data.end)
        if moving:
            if row["status"] not in rules.MOVABLE or status == "cancelled":
                raise RequestValidationError.single("start", "not_movable", status=row["status"])
            start, end = _new_range(row, data.start, data.end)
            if (start, end) != (utc(row["start_at"]), utc(row["end_at"])):
                refusals = await _check_move(actor, row, start, end, ignore=[appointment_id])
                codes, error = _settle(refusals, data.override)
                if error is not None:
                    raise error
                if codes:
                    changes[Appointment.override_codes] = sorted(
                        set(row.get("override_codes") or []) | set(codes)
                    )
                    changes[Appointment.override_reason] = (data.override_reason or "").strip()
                    await _audit(actor, "override", "appointment", appointment_id, codes=codes)
                await _move_rows(appointment_id, start, end, actor, changes)
                changes = {}
                change_kind = change_kind or "moved"
        if changes:
            changes[Appointment.updated_at] = datetime.now(UTC)
            changes[Appointment.updated_by] = actor.user_id
            await Appointment.update(changes).where(Appointment.id == appointment_id)
        if status == "cancelled" and row["status"] != "cancelled":
            await AppointmentParticipant.update({AppointmentParticipant.active: False}).where(
                AppointmentParticipant.appointment_id == appointment_id
            )
        await _audit(actor, "update", "appointment", appointment_id, fields=sorted(sent))
        if change_kind:
            await _announce(actor, appointment_id, change_kind)
        return await get_appointment(actor, appointment_id, audit=False)


async def _following(row: dict[str, Any]) -> list[dict[str, Any]]:
    """This appointment and the later ones of its series that can still change."""
    rows = (
        await Appointment.select()
        .where(
            (Appointment.series_id == row["series_id"])
            & (Appointment.start_at >= utc(row["start_at"]))
            & Appointment.status.is_in(list(rules.MOVABLE))
        )
        .order_by(Appointment.start_at)
        .output(load_json=True)
    )
    return cast(list[dict[str, Any]], rows)


async def move_appointment(actor: Actor, appointment_id: UUID, data: MoveRequest) -> dict[str, Any]:
    """Move one appointment, or it and the rest of its series.

    One appointment: refused with the reasons (422/409) as a booking would be. The rest of a
    series: each occurrence shifts by the same local-time difference (a 10:00 session stays
    10:00 across summer time); those that cannot move are left where they were and reported.
    """
    async with db.transaction(write=True):
        row = await _row(appointment_id)
        _check_override(actor, data.override, data.override_reason)
        if row["status"] not in rules.MOVABLE:
            raise RequestValidationError.single("start", "not_movable", status=row["status"])
        new_start, new_end = _new_range(row, data.start, data.end)
        if data.scope == "this" or row["series_id"] is None:
            refusals = await _check_move(actor, row, new_start, new_end, ignore=[appointment_id])
            codes, error = _settle(refusals, data.override)
            if error is not None:
                raise error
            await _apply_move(actor, row, new_start, new_end, codes, data.override_reason)
            return {
                "moved": [await get_appointment(actor, appointment_id, audit=False)],
                "skipped": [],
            }
        tz = _tz(actor)
        shift = _local(new_start, tz) - _local(utc(row["start_at"]), tz)
        new_length = (new_end - new_start) if data.end else None
        targets = await _following(row)
        if shift > timedelta(0):
            targets.reverse()  # make room: the last one moves first
        moved: list[UUID] = []
        skipped: list[dict[str, Any]] = []
        for target in targets:
            old_start, old_end = utc(target["start_at"]), utc(target["end_at"])
            start_local = _local(old_start, tz) + shift
            start = utc(start_local.replace(tzinfo=tz))
            length = new_length or (_local(old_end, tz) - _local(old_start, tz))
            end = utc((start_local + length).replace(tzinfo=tz))
            refusals = await _check_move(actor, target, start, end, ignore=[target["id"]])
            codes, error = _settle(refusals, data.override)
            if error is not None:
                skipped.append(_skipped(target["id"], start, end, refusals))
                continue
            try:
                await _apply_move(actor, target, start, end, codes, data.override_reason)
            except Conflict as exc:
                skipped.append(
                    {
                        "appointment_id": target["id"],
                        "start": start,
                        "end": end,
                        "reasons": exc.extra.get("refusals") or [{"code": "conflict"}],
                    }
                )
                continue
            moved.append(target["id"])
        moved_out = [await get_appointment(actor, a, audit=False) for a in moved]
        moved_out.sort(key=lambda a: a["start"])
        return {"moved": moved_out, "skipped": skipped}


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz).replace(tzinfo=None)


async def _apply_move(
    actor: Actor,
    row: dict[str, Any],
    start: datetime,
    end: datetime,
    codes: list[str],
    reason: str | None,
) -> None:
    extra: dict[Any, Any] = {}
    if codes:
        extra[Appointment.override_codes] = sorted(
            set(row.get("override_codes") or []) | set(codes)
        )
        extra[Appointment.override_reason] = (reason or "").strip()
    await _move_rows(row["id"], start, end, actor, extra)
    await _audit(actor, "update", "appointment", row["id"], fields=["start", "end"])
    if codes:
        await _audit(actor, "override", "appointment", row["id"], codes=codes)
    await _announce(actor, row["id"], "moved")


async def cancel_appointment(
    actor: Actor, appointment_id: UUID, reason: str, scope: str = "this"
) -> list[UUID]:
    """Cancel one appointment, or it and the rest of its series; returns the ids cancelled.
    A cancelled appointment frees its time at once (it no longer conflicts)."""
    reason = (reason or "").strip()
    if not reason:
        raise RequestValidationError.single("reason", "cancel_reason_required")
    async with db.transaction(write=True):
        row = await _row(appointment_id)
        if row["status"] not in rules.MOVABLE:
            raise RequestValidationError.single(
                "status", "invalid_transition", old=row["status"], new="cancelled"
            )
        targets = [row] if scope == "this" or row["series_id"] is None else await _following(row)
        now = datetime.now(UTC)
        ids = [r["id"] for r in targets]
        await Appointment.update(
            {
                Appointment.status: "cancelled",
                Appointment.cancel_reason: reason,
                Appointment.updated_at: now,
                Appointment.updated_by: actor.user_id,
            }
        ).where(Appointment.id.is_in(ids))
        await AppointmentParticipant.update({AppointmentParticipant.active: False}).where(
            AppointmentParticipant.appointment_id.is_in(ids)
        )
        for target_id in ids:
            await _audit(
                actor, "update", "appointment", target_id, fields=["status"], status="cancelled"
            )
            await _announce(actor, target_id, "cancelled")
        return ids


# -- availability ----------------------------------------------------------------------------------


async def free_slots(
    actor: Actor,
    *,
    service: str,
    staff_id: UUID | None = None,
    profession: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 20,
    minutes: int | None = None,
    step_minutes: int = 30,
    beneficiary_id: UUID | None = None,
    unit_id: UUID | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The next free slots for a service with one staff member or anyone of a profession."""
    spec = services_of(actor).get(service)
    if spec is None:
        raise RequestValidationError.single("service", "unknown_service", service=service)
    now = utc(now or datetime.now(UTC))
    start = max(utc(start), now) if start else now
    end = utc(end) if end else start + DEFAULT_WINDOW
    if end <= start:
        raise RequestValidationError.single("to", "end_before_start")
    if end - start > MAX_WINDOW:
        raise RequestValidationError.single("to", "window_too_long", days=MAX_WINDOW.days)
    if not 1 <= limit <= 200:
        raise RequestValidationError.single("limit", "less_than_equal", le=200)
    length = minutes or spec.default_minutes
    if not 5 <= length <= rules.MAX_MINUTES:
        raise RequestValidationError.single(
            "duration", "duration_too_long", hours=rules.MAX_MINUTES // 60
        )
    if staff_id is not None:
        profile = await staff_profile(staff_id)
        if profile is None:
            raise RequestValidationError.single("staff_id", "unknown_staff", staff_id=str(staff_id))
        candidates = [staff_id]
    else:
        if profession is not None and spec.professions and profession not in spec.professions:
            raise RequestValidationError.single("profession", "profession_not_allowed")
        roles = [profession] if profession else list(spec.professions)
        candidates = await staff_ids(roles)
    if beneficiary_id is not None and not await person_exists(beneficiary_id):
        raise RequestValidationError.single(
            "beneficiary_id", "unknown_beneficiary", beneficiary_id=str(beneficiary_id)
        )
    tz = _tz(actor)
    days = await calendar_between(start.astimezone(tz).date(), end.astimezone(tz).date())
    opening = await opening_hours(actor.tenant, unit_id)
    shared_busy = await _busy([beneficiary_id], start, end) if beneficiary_id else []
    found: list[tuple[rules.Interval, UUID]] = []
    for candidate in candidates:
        blockers = [rules.Interval(b.start, b.end) for b in await _busy([candidate], start, end)]
        blockers += [rules.Interval(b.start, b.end) for b in shared_busy]
        blockers += [
            rules.Interval(a.start, a.end) for a in await _absences([candidate], start, end)
        ]
        for slot in rules.free_slots(
            start=start,
            end=end,
            minutes=length,
            step_minutes=step_minutes,
            timezone=str(tz.key),
            opening=opening,
            staff_hours=await staff_working_hours(candidate),
            days=days,
            blockers=blockers,
            limit=limit,
        ):
            found.append((slot, candidate))
    found.sort(key=lambda item: (item[0].start, str(item[1])))
    return [
        {
            "start": s.start,
            "end": s.end,
            "start_local": s.start.astimezone(tz),
            "end_local": s.end.astimezone(tz),
            "staff_id": who,
        }
        for s, who in found[:limit]
    ]


# -- absences --------------------------------------------------------------------------------------


async def create_absence(actor: Actor, staff_id: UUID, data: AbsenceCreate) -> dict[str, Any]:
    async with db.transaction(write=True):
        if not await staff_exists(staff_id):
            raise NotFound()
        absence_id = uuid4()
        await StaffAbsence.insert(
            StaffAbsence(
                id=absence_id,
                staff_id=staff_id,
                kind=data.kind,
                start_at=utc(data.start),
                end_at=utc(data.end),
                note=data.note,
                created_by=actor.user_id,
                created_at=datetime.now(UTC),
            )
        )
        await _audit(actor, "create", "staff_absence", absence_id, kind=data.kind)
        row = await StaffAbsence.select().where(StaffAbsence.id == absence_id).first()
        return _absence_out(cast(dict[str, Any], row))


def _absence_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "staff_id": row["staff_id"],
        "kind": row["kind"],
        "start": utc(row["start_at"]),
        "end": utc(row["end_at"]),
        "note": row["note"],
        "created_at": row["created_at"],
    }


async def list_absences(
    staff_id: UUID,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    if not await staff_exists(staff_id):
        raise NotFound()
    query = StaffAbsence.select().where(StaffAbsence.staff_id == staff_id)
    if start is not None:
        query = query.where(StaffAbsence.end_at > utc(start))
    if end is not None:
        query = query.where(StaffAbsence.start_at < utc(end))
    rows, next_cursor = await keyset(
        query, sort=StaffAbsence.start_at, id_column=StaffAbsence.id, limit=limit, cursor=cursor
    )
    return [_absence_out(r) for r in rows], next_cursor


async def delete_absence(actor: Actor, staff_id: UUID, absence_id: UUID) -> None:
    async with db.transaction(write=True):
        exists = await StaffAbsence.exists().where(
            (StaffAbsence.id == absence_id) & (StaffAbsence.staff_id == staff_id)
        )
        if not exists:
            raise NotFound()
        await StaffAbsence.delete().where(StaffAbsence.id == absence_id)
        await _audit(actor, "delete", "staff_absence", absence_id)


# -- holidays ------------------------------------------------------------------------------------


def _tenant_scope(tenant: Any) -> Any:
    """Run in `tenant`'s context; refuse to read one tenant while serving another."""
    current = current_tenant_id_or_none()
    if current is not None and current != tenant.id:
        raise RuntimeError("scheduling: asked about another tenant than the one in context")
    return tenant_context(tenant.id)


async def tenant_holidays(tenant: Any, year: int) -> list[Day]:
    """The closed days and half-days of `tenant` in `year` (national, local, overrides)."""
    with _tenant_scope(tenant):
        days = tenant_days(year, *await _closed_days(year, year))
    return list(days.values())


async def holiday_on(tenant: Any, day: date) -> Day | None:
    """The special day (closed or half-day) of `tenant` on `day`, if any."""
    with _tenant_scope(tenant):
        return (await calendar_between(day, day)).get(day)


async def is_holiday(tenant: Any, day: date) -> bool:
    """Whether `tenant`'s services are closed all day on `day` (half-days are open)."""
    found = await holiday_on(tenant, day)
    return found is not None and found.closed


def holiday_out(day: Day) -> dict[str, Any]:
    return {
        "date": day.day,
        "name": day.name_el if get_language() == "el" else day.name_en,
        "name_el": day.name_el,
        "name_en": day.name_en,
        "kind": day.kind,
        "source": day.source,
        "id": day.id,
    }


async def create_local_holiday(actor: Actor, data: LocalHolidayCreate) -> dict[str, Any]:
    async with db.transaction(write=True):
        holiday_id = uuid4()
        await LocalHoliday.insert(
            LocalHoliday(
                id=holiday_id,
                day=data.date,
                name_el=data.name_el,
                name_en=data.name_en or data.name_el,
                recurring=data.recurring,
                created_by=actor.user_id,
                created_at=datetime.now(UTC),
            )
        )
        await _audit(actor, "create", "local_holiday", holiday_id)
        return {
            "id": holiday_id,
            "date": data.date,
            "name_el": data.name_el,
            "name_en": data.name_en or data.name_el,
            "recurring": data.recurring,
        }


async def create_override(actor: Actor, data: OverrideCreate) -> dict[str, Any]:
    async with db.transaction(write=True):
        if await HolidayOverride.exists().where(
            (HolidayOverride.day == data.date) & (HolidayOverride.action == data.action)
        ):
            raise Conflict("duplicate_holiday")
        override_id = uuid4()
        await HolidayOverride.insert(
            HolidayOverride(
                id=override_id,
                year=data.date.year,
                day=data.date,
                action=data.action,
                name_el=data.name_el,
                name_en=data.name_en or data.name_el,
                created_by=actor.user_id,
                created_at=datetime.now(UTC),
            )
        )
        await _audit(actor, "create", "holiday_override", override_id, change=data.action)
        return {
            "id": override_id,
            "year": data.date.year,
            "date": data.date,
            "action": data.action,
            "name_el": data.name_el,
            "name_en": data.name_en or data.name_el,
        }


async def delete_holiday(actor: Actor, holiday_id: UUID) -> None:
    """Remove a local day or an override (the national calendar cannot be deleted)."""
    async with db.transaction(write=True):
        if await LocalHoliday.exists().where(LocalHoliday.id == holiday_id):
            await LocalHoliday.delete().where(LocalHoliday.id == holiday_id)
            await _audit(actor, "delete", "local_holiday", holiday_id)
            return
        if await HolidayOverride.exists().where(HolidayOverride.id == holiday_id):
            await HolidayOverride.delete().where(HolidayOverride.id == holiday_id)
            await _audit(actor, "delete", "holiday_override", holiday_id)
            return
        raise NotFound()


async def list_overrides(year: int | None = None) -> list[dict[str, Any]]:
    query = HolidayOverride.select().order_by(HolidayOverride.day)
    if year is not None:
        query = query.where(HolidayOverride.year == year)
    return [
        {
            "id": r["id"],
            "year": r["year"],
            "date": r["day"],
            "action": r["action"],
            "name_el": r["name_el"],
            "name_en": r["name_en"],
        }
        for r in await query
    ]


# -- persons merged and erased (GDPR) --------------------------------------------------------------


async def persons_merged(survivor_id: UUID, merged_id: UUID) -> None:
    await AppointmentParticipant.update({AppointmentParticipant.person_id: survivor_id}).where(
        (AppointmentParticipant.person_id == merged_id)
        & (AppointmentParticipant.kind == "beneficiary")
    )


async def export_person(person_id: UUID) -> dict[str, Any]:
    ids = [r["appointment_id"] for r in await _participant_subquery(person_id, "beneficiary")]
    if not ids:
        return {}
    rows = (
        await Appointment.select(
            Appointment.id,
            Appointment.service,
            Appointment.mode,
            Appointment.start_at,
            Appointment.end_at,
            Appointment.status,
            Appointment.cancel_reason,
        )
        .where(Appointment.id.is_in(ids))
        .order_by(Appointment.start_at)
    )
    return {
        "appointments": [
            {
                **r,
                "id": str(r["id"]),
                "start_at": utc(r["start_at"]).isoformat(),
                "end_at": utc(r["end_at"]).isoformat(),
            }
            for r in rows
        ]
    }


async def erase_person(person_id: UUID) -> list[str]:
    """The appointments stay (staff time, statistics); the person is taken out of them, and
    what could describe them (outcome notes, a home address) is cleared."""
    ids = [r["appointment_id"] for r in await _participant_subquery(person_id, "beneficiary")]
    if ids:
        await Appointment.update(
            {
                Appointment.notes: "",
                Appointment.location_text: "",
                Appointment.updated_at: datetime.now(UTC),
            }
        ).where(Appointment.id.is_in(ids))
    await AppointmentParticipant.delete().where(
        (AppointmentParticipant.person_id == person_id)
        & (AppointmentParticipant.kind == "beneficiary")
    )
    return []
