"""Reminders: the outbox, what goes into it, and the dispatcher that empties it.

Queueing happens in the scheduling area's own implementations of
`merimna_appointment_changed` and `merimna_appointments_tomorrow`, inside the transaction of
the booking (or of the daily job): a message exists exactly when its cause was committed.
The dispatcher (`merimna notifications send`, from cron or a timer) claims due rows with a
lease, sends them outside any transaction, and records the outcome; a failed delivery is
retried with exponential back-off, a row whose process died is retried when its lease ends.
Several dispatchers may run at once: on PostgreSQL they skip each other's locked rows, on
SQLite claims are serialised by the write transaction.

Only staff and beneficiaries who agreed get messages: beneficiaries by consent purpose
`notifications_sms` / `notifications_email` (`core.casework.consent.has_consent`, asked
when queueing and again when sending, so a withdrawal stops what is still queued). Texts
to beneficiaries name no service (an SMS about a "psychological session" on a shared phone
is a disclosure); texts to staff carry beneficiaries' initials only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from piccolo.utils.encoding import dump_json

from core import db
from core.i18n import LANGUAGES, t
from core.refs import AppointmentRef
from core.scheduling.channels import Channel, DeliveryError, Message, channels_from
from core.scheduling.tables import Appointment, AppointmentParticipant, Notification
from tenants.scoping import current_tenant_id, tenant_context

log = logging.getLogger("merimna.notifications")

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
CONSENT = {"sms": "notifications_sms", "email": "notifications_email"}


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


# -- consent ----------------------------------------------------------------------------------


async def has_consent(person_id: UUID, channel: str) -> bool:
    """Whether the beneficiary agreed to messages on `channel`; no consent records, no
    messages."""
    from core.casework.consent import has_consent as consent_in_force

    return await consent_in_force(person_id, CONSENT[channel])


# -- queueing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message to queue: who gets it, on which channel, from which template."""

    channel: str
    recipient_kind: str
    recipient_id: UUID
    template: str
    payload: Mapping[str, Any]
    dedupe_key: str | None = None


async def enqueue_all(messages: Sequence[Outgoing], *, now: datetime | None = None) -> None:
    """Queue messages in the current tenant's outbox with one statement, sent as late as the
    transaction allows (`core.db.write_later`: on PostgreSQL usually with the COMMIT, so the
    reminders of a booking cost no round trip of their own). A repeated `dedupe_key` is a
    no-op."""
    if not messages:
        return
    now = now or datetime.now(UTC)
    tenant = current_tenant_id()
    args: list[Any] = []
    for m in messages:
        args += [tenant, uuid4(), m.channel, m.recipient_kind, m.recipient_id, m.template]
        args += [dump_json(dict(m.payload)), m.dedupe_key, "pending", 0, now, "", now]
    values = ", ".join([_ROW] * len(messages))
    await db.write_later(f"{_INSERT} VALUES {values} ON CONFLICT DO NOTHING", *args)


_INSERT = (
    'INSERT INTO "notification_outbox" ("tenant_id", "id", "channel", "recipient_kind", '
    '"recipient_id", "template", "payload", "dedupe_key", "status", "attempts", '
    '"next_attempt_at", "last_error", "created_at")'
)
_ROW = "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"


async def _people(appointment_id: UUID) -> dict[str, list[UUID]]:
    rows = await AppointmentParticipant.select(
        AppointmentParticipant.kind, AppointmentParticipant.person_id
    ).where(AppointmentParticipant.appointment_id == appointment_id)
    out: dict[str, list[UUID]] = {"staff": [], "beneficiary": []}
    for r in rows:
        out[r["kind"]].append(r["person_id"])
    return out


async def _appointment(appointment_id: UUID) -> AppointmentRef | None:
    row = (
        await Appointment.select(
            Appointment.start_at, Appointment.end_at, Appointment.series_id, Appointment.status
        )
        .where(Appointment.id == appointment_id)
        .first()
    )
    if row is None:
        return None
    people = await _people(appointment_id)
    return AppointmentRef(
        id=appointment_id,
        start=_utc(row["start_at"]),
        end=_utc(row["end_at"]),
        status=row["status"],
        series_id=row["series_id"],
        staff_ids=tuple(people["staff"]),
        beneficiary_ids=tuple(people["beneficiary"]),
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def on_appointment_changed(
    appointment_id: UUID, change: str, appointment: AppointmentRef | None = None
) -> None:
    """Queue the messages an appointment's booking, move or cancellation calls for.

    `appointment` is the appointment after the change when the caller had it at hand;
    otherwise it is read here."""
    if change not in ("created", "moved", "cancelled"):
        return
    ref = appointment or await _appointment(appointment_id)
    if ref is None or ref.start < datetime.now(UTC):
        return  # gone, or nothing to remind of in the past
    template = f"appointment_{change}"
    # A series books many occurrences at once: one message for the whole series.
    scope = (
        f"series:{ref.series_id}"
        if ref.series_id and change != "moved"
        else (f"appointment:{appointment_id}:{ref.start.isoformat()}")
    )
    payload = {"appointment_id": str(appointment_id)}
    if ref.series_id:
        payload["series_id"] = str(ref.series_id)
    messages = [
        Outgoing(
            "email", "staff", staff_id, template, payload, f"{template}:{scope}:staff:{staff_id}"
        )
        for staff_id in ref.staff_ids
    ]
    agreed = await consents(ref.beneficiary_ids)
    messages += [
        Outgoing(
            channel,
            "beneficiary",
            person_id,
            template,
            payload,
            f"{template}:{scope}:{channel}:{person_id}",
        )
        for person_id in ref.beneficiary_ids
        for channel in ("sms", "email")
        if (person_id, channel) in agreed
    ]
    await enqueue_all(messages)


async def consents(person_ids: Sequence[UUID]) -> set[tuple[UUID, str]]:
    """The (person, channel) pairs whose messages the beneficiaries agreed to, in one
    statement."""
    from core.casework.consent import consents_in_force

    agreed = await consents_in_force(person_ids, list(CONSENT.values()))
    channel_of = {purpose: channel for channel, purpose in CONSENT.items()}
    return {(person, channel_of[purpose]) for person, purpose in agreed}


async def on_tomorrow(day: date, appointment_ids: Sequence[UUID]) -> None:
    """Reminders for tomorrow: one per beneficiary and appointment, one agenda per staff."""
    agenda: dict[UUID, list[str]] = {}
    people_of = {
        appointment_id: await _people(appointment_id) for appointment_id in appointment_ids
    }
    agreed = await consents(
        sorted({p for people in people_of.values() for p in people["beneficiary"]}, key=str)
    )
    messages: list[Outgoing] = []
    for appointment_id, people in people_of.items():
        for staff_id in people["staff"]:
            agenda.setdefault(staff_id, []).append(str(appointment_id))
        messages += [
            Outgoing(
                channel,
                "beneficiary",
                person_id,
                "appointment_reminder",
                {"appointment_id": str(appointment_id)},
                f"reminder:{appointment_id}:{day}:{channel}:{person_id}",
            )
            for person_id in people["beneficiary"]
            for channel in ("sms", "email")
            if (person_id, channel) in agreed
        ]
    messages += [
        Outgoing(
            "email",
            "staff",
            staff_id,
            "staff_agenda",
            {"date": day.isoformat(), "appointment_ids": ids},
            f"agenda:{day}:{staff_id}",
        )
        for staff_id, ids in agenda.items()
    ]
    await enqueue_all(messages)


async def tomorrow_ids(tenant_tz: str, today: date) -> tuple[date, list[UUID]]:
    tz = ZoneInfo(tenant_tz)
    day = today + timedelta(days=1)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    rows = (
        await Appointment.select(Appointment.id)
        .where(
            (Appointment.start_at >= start)
            & (Appointment.start_at < end)
            & Appointment.status.is_in(["scheduled", "confirmed"])
        )
        .order_by(Appointment.start_at)
    )
    return day, [r["id"] for r in rows]


# -- the daily job ------------------------------------------------------------------------------


async def _tenants(slug: str | None = None) -> list[dict[str, Any]]:
    from tenants.tables import Tenant

    query = Tenant.select(Tenant.id, Tenant.slug, Tenant.name, Tenant.timezone).where(
        Tenant.status == "active"
    )
    if slug:
        query = query.where(Tenant.slug == slug)
    return list(await query.order_by(Tenant.slug))


async def run_daily(today: date | None = None, slug: str | None = None) -> dict[str, int]:
    """Announce tomorrow's appointments for every active tenant; returns counts per tenant."""
    from core.plugin_host import get_host
    from tenants.resolution import resolve_tenant

    host = get_host()
    counts: dict[str, int] = {}
    for row in await _tenants(slug):
        tenant = await resolve_tenant(row["slug"])
        if tenant is None:
            continue
        local_today = today or datetime.now(ZoneInfo(tenant.timezone)).date()
        with tenant_context(tenant.id):
            async with db.transaction(write=True):
                await db.set_rls_tenant(tenant.id)
                day, ids = await tomorrow_ids(tenant.timezone, local_today)
                await host.for_tenant(tenant.modules).appointments_tomorrow(
                    tenant=tenant.ref, day=day, appointment_ids=ids
                )
        counts[row["slug"]] = len(ids)
    return counts


# -- sending -------------------------------------------------------------------------------------


@dataclass
class DispatchStats:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, retry later {self.retry}, failed {self.failed}, "
            f"skipped {self.skipped}"
        )


async def _claim(now: datetime, limit: int) -> list[dict[str, Any]]:
    query = (
        Notification.select()
        .where((Notification.status == "pending") & (Notification.next_attempt_at <= now))
        .order_by(Notification.next_attempt_at)
        .limit(limit)
        .output(load_json=True)
    )
    if db.is_postgres():
        query = query.lock_rows("UPDATE", skip_locked=True)
    rows = list(await query)
    for r in rows:
        await Notification.update(
            {Notification.attempts: r["attempts"] + 1, Notification.next_attempt_at: now + LEASE}
        ).where(Notification.id == r["id"])
        r["attempts"] += 1
    return rows


async def dispatch_due(
    *,
    channels: Mapping[str, Channel] | None = None,
    now: datetime | None = None,
    limit: int = 200,
    slug: str | None = None,
) -> DispatchStats:
    """Send what is due in every active tenant's outbox (or one tenant's)."""
    from core.settings import get_settings

    channels = channels or channels_from(get_settings())
    stats = DispatchStats()
    for row in await _tenants(slug):
        tenant_id, moment = row["id"], now or datetime.now(UTC)
        with tenant_context(tenant_id):
            async with db.transaction(write=True):
                await db.set_rls_tenant(tenant_id)
                claimed = await _claim(moment, limit)
            for item in claimed:
                await _deliver(row, item, channels, moment, stats)
    return stats


async def _deliver(
    tenant: dict[str, Any],
    item: dict[str, Any],
    channels: Mapping[str, Channel],
    now: datetime,
    stats: DispatchStats,
) -> None:
    tenant_id = tenant["id"]
    async with db.transaction(write=False):
        await db.set_rls_tenant(tenant_id)
        message = await render(tenant, item)
    outcome: dict[Any, Any]
    if message is None:
        outcome = {Notification.status: "skipped"}
        stats.skipped += 1
    else:
        try:
            await channels[item["channel"]].send(message)
        except DeliveryError as exc:
            error = str(exc)[:300]
            stats.errors.append(error)
            if item["attempts"] >= MAX_ATTEMPTS:
                outcome = {Notification.status: "failed", Notification.last_error: error}
                stats.failed += 1
            else:
                outcome = {
                    Notification.next_attempt_at: now + backoff(item["attempts"]),
                    Notification.last_error: error,
                }
                stats.retry += 1
        else:
            outcome = {
                Notification.status: "sent",
                Notification.sent_at: datetime.now(UTC),
                Notification.last_error: "",
            }
            stats.sent += 1
    async with db.transaction(write=True):
        await db.set_rls_tenant(tenant_id)
        await Notification.update(outcome).where(Notification.id == item["id"])


# -- texts ---------------------------------------------------------------------------------------


async def _recipient(item: dict[str, Any]) -> tuple[str, str] | None:
    """(address, language) of the recipient on the item's channel; None: do not send."""
    from core.scheduling import services

    recipient_id = item["recipient_id"]
    if item["recipient_kind"] == "staff":
        profile = await services.staff_profile(recipient_id)
        if profile is None:
            return None
        address = profile.email if item["channel"] == "email" else profile.phone
        return (address, "el") if address else None
    contacts = await services.person_contacts(recipient_id)
    if not contacts or contacts.get("status") in ("merged", "deceased"):
        return None
    if not await has_consent(recipient_id, item["channel"]):
        return None
    address = str(
        (contacts.get("email") if item["channel"] == "email" else contacts.get("phone")) or ""
    )
    lang = str(contacts.get("preferred_language") or "el")
    return (address, lang if lang in LANGUAGES else "el") if address else None


async def render(tenant: dict[str, Any], item: dict[str, Any]) -> Message | None:
    """The message for one outbox row, or None when it should not be sent (no address, no
    consent any more, appointment gone)."""
    from core.scheduling import services

    found = await _recipient(item)
    if found is None:
        return None
    address, lang = found
    tz = ZoneInfo(tenant.get("timezone") or "Europe/Athens")
    payload = item["payload"] or {}
    template = item["template"]
    params: dict[str, Any] = {"tenant": tenant["name"]}
    if template == "staff_agenda":
        ids = [UUID(i) for i in payload.get("appointment_ids", [])]
        if not ids:
            return None
        rows = (
            await Appointment.select()
            .where(Appointment.id.is_in(ids))
            .order_by(Appointment.start_at)
        )
        lines = []
        for r in rows:
            if r["status"] == "cancelled":
                continue
            lines.append(await _staff_line(r, tz, lang))
        if not lines:
            return None
        params.update(
            date=date.fromisoformat(payload["date"]).strftime("%d/%m/%Y"),
            lines="\n".join(lines),
            count=len(lines),
        )
    else:
        row = (
            await Appointment.select()
            .where(Appointment.id == UUID(payload["appointment_id"]))
            .first()
        )
        if row is None:
            return None
        if template != "appointment_cancelled" and row["status"] == "cancelled":
            return None
        start = services.utc(row["start_at"]).astimezone(tz)
        params.update(date=start.strftime("%d/%m/%Y"), time=start.strftime("%H:%M"))
        if item["recipient_kind"] == "staff":
            template = f"staff_{template}"
            params["line"] = await _staff_line(row, tz, lang)
    subject = t(f"scheduling.notify.{template}.subject", lang, **params)
    body = t(f"scheduling.notify.{template}.body", lang, **params)
    return Message(to=address, subject=subject, body=body, reference=str(item["id"]))


async def _staff_line(row: dict[str, Any], tz: ZoneInfo, lang: str) -> str:
    from core.scheduling import services

    start = services.utc(row["start_at"]).astimezone(tz)
    people = await _people(row["id"])
    who = ", ".join(
        [i for i in [await services.person_initials(p) for p in people["beneficiary"]] if i]
    )
    mode = t(f"scheduling.mode.{row['mode']}", lang)
    return f"{start.strftime('%H:%M')} {_title(row['service'], lang)} ({mode}) {who}".rstrip()


def _title(code: str, lang: str) -> str:
    from core.plugin_host import get_host

    for spec in get_host().all_plugins().services():
        if spec.code == code:
            return spec.title_el if lang == "el" else spec.title_en
    return code
