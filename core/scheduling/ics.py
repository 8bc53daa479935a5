"""Per-staff calendar feeds: `GET /ics/{secret}.ics`, unauthenticated, revocable.

A phone's calendar app cannot sign in, so the feed URL itself is the credential: 256 random
bits, shown once, stored only as a SHA-256 in a platform table (`scheduling_ics_feed`) that
maps it to one (tenant, staff member). The URL names no tenant, so that one lookup crosses
tenants by design; everything after it runs inside the tenant found (scoping and row-level
security). Rotating replaces the secret, revoking deletes it: the old URL answers 404 at
once. The feed shows a service, a time, a kind of place and beneficiaries' initials, never
names, addresses, notes or links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from core import db
from core.errors import Forbidden, NotFound
from core.i18n import get_language, t
from core.scheduling import services
from core.scheduling.tables import Appointment, AppointmentParticipant, IcsFeed
from tenants.scoping import current_tenant_id, tenant_context

PAST = timedelta(days=14)
FUTURE = timedelta(days=120)
MAX_EVENTS = 1000


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def _may_manage(actor: services.Actor, staff_id: UUID) -> None:
    if not await services.staff_exists(staff_id):
        raise NotFound()
    if actor.has(services.ADMIN):
        return
    if await services.staff_for_user(actor.user_id) != staff_id:
        raise Forbidden()


async def create_secret(actor: services.Actor, staff_id: UUID) -> dict[str, Any]:
    """A new feed secret for a staff member (the old one, if any, stops working)."""
    await _may_manage(actor, staff_id)
    tenant_id = current_tenant_id()
    secret = secrets.token_urlsafe(32)
    async with db.transaction(write=True):
        await IcsFeed.delete().where(
            (IcsFeed.tenant_id == tenant_id) & (IcsFeed.staff_id == staff_id)
        )
        await IcsFeed.insert(
            IcsFeed(
                id=uuid4(),
                secret_hash=secret_hash(secret),
                tenant_id=tenant_id,
                staff_id=staff_id,
                created_by=actor.user_id,
                created_at=datetime.now(UTC),
            )
        )
        await services._audit(actor, "create", "ics_feed", staff_id)
    return {"url": f"/ics/{secret}.ics", "secret": secret, "staff_id": staff_id}


async def revoke_secret(actor: services.Actor, staff_id: UUID) -> None:
    await _may_manage(actor, staff_id)
    tenant_id = current_tenant_id()
    async with db.transaction(write=True):
        where = (IcsFeed.tenant_id == tenant_id) & (IcsFeed.staff_id == staff_id)
        if not await IcsFeed.exists().where(where):
            raise NotFound()
        await IcsFeed.delete().where(where)
        await services._audit(actor, "delete", "ics_feed", staff_id)


async def feed(secret: str, *, request_id: str = "", client: str = "") -> bytes:
    """The iCalendar document for a secret; `NotFound` for an unknown or revoked one."""
    if not 20 <= len(secret) <= 100:
        raise NotFound()
    row = await IcsFeed.select().where(IcsFeed.secret_hash == secret_hash(secret)).first()
    if row is None:
        raise NotFound()
    from tenants.tables import Tenant

    tenant = (
        await Tenant.select(Tenant.slug, Tenant.status).where(Tenant.id == row["tenant_id"]).first()
    )
    if tenant is None or tenant["status"] != "active":
        raise NotFound()
    actor = await services.system_actor(tenant["slug"], request_id=request_id or "ics")
    actor = services.SystemActor(
        actor.tenant,
        actor.hooks,
        request_id=actor.request_id,
        client=client or "ics",
        roles=frozenset(),
    )
    staff_id = row["staff_id"]
    with tenant_context(row["tenant_id"]):
        async with db.transaction(write=True):
            await db.set_rls_tenant(row["tenant_id"])
            if not await services.staff_exists(staff_id):
                raise NotFound()
            body = await _calendar(actor, staff_id)
            await services._audit(actor, "read", "ics_feed", staff_id)
    return body


async def _calendar(actor: services.SystemActor, staff_id: UUID) -> bytes:
    now = datetime.now(UTC)
    tz = ZoneInfo(actor.tenant.timezone)
    lang = get_language()
    mine = AppointmentParticipant.select(AppointmentParticipant.appointment_id).where(
        (AppointmentParticipant.person_id == staff_id) & (AppointmentParticipant.kind == "staff")
    )
    rows = (
        await Appointment.select(
            Appointment.id,
            Appointment.service,
            Appointment.mode,
            Appointment.location_kind,
            Appointment.start_at,
            Appointment.end_at,
            Appointment.status,
            Appointment.updated_at,
        )
        .where(
            Appointment.id.is_in(mine)
            & (Appointment.start_at >= now - PAST)
            & (Appointment.start_at < now + FUTURE)
            & (Appointment.status != "cancelled")
        )
        .order_by(Appointment.start_at)
        .limit(MAX_EVENTS)
    )
    catalogue = services.services_of(actor)
    cal = Calendar()
    cal.add("prodid", "-//Merimna//scheduling//EL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", t("scheduling.ics.calendar_name"))
    cal.add("x-wr-timezone", str(tz.key))
    for r in rows:
        beneficiaries = await AppointmentParticipant.select(AppointmentParticipant.person_id).where(
            (AppointmentParticipant.appointment_id == r["id"])
            & (AppointmentParticipant.kind == "beneficiary")
        )
        marks = [await services.person_initials(b["person_id"]) for b in beneficiaries]
        marks = [m for m in marks if m]
        title = services.service_title(catalogue.get(r["service"]), r["service"])
        many = len(marks) > 3
        who = t("scheduling.ics.people", count=len(marks)) if many else ", ".join(marks)
        event = Event()
        event.add("uid", f"{r['id']}@merimna")
        event.add("dtstamp", now)
        event.add("dtstart", services.utc(r["start_at"]))
        event.add("dtend", services.utc(r["end_at"]))
        event.add("summary", f"{title} · {who}" if who else title)
        place = r["location_kind"]
        if place:
            event.add("location", t(f"scheduling.location.{place}", lang))
        event.add("categories", [t(f"scheduling.mode.{r['mode']}", lang)])
        event.add("status", "CONFIRMED")
        event.add("last-modified", services.utc(r["updated_at"]))
        cal.add_component(event)
    return cal.to_ical()
