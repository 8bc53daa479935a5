"""Reminders: the two scheduling hooks, the outbox, and delivery to a local SMTP sink and a
local fake SMS endpoint (with retries and back-off while the provider is down)."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

from core.hookspecs import hookimpl
from core.plugin_host import get_host
from core.scheduling.channels import HttpSms, SmtpEmail
from core.scheduling.notifications import backoff, dispatch_due, run_daily
from core.scheduling.tables import Notification
from tests.core.scheduling.helpers import MONDAY, book, in_tenant, make_person, make_world


class _Spy:
    """A plugin that records what the two scheduling events tell it."""

    changes: list[tuple[str, str]] = []
    tomorrow: list[tuple[str, list[str]]] = []

    @staticmethod
    @hookimpl
    def merimna_appointment_changed(tenant: Any, appointment_id: Any, change: str) -> None:
        _Spy.changes.append((str(appointment_id), change))

    @staticmethod
    @hookimpl
    def merimna_appointments_tomorrow(tenant: Any, day: Any, appointment_ids: list[Any]) -> None:
        _Spy.tomorrow.append((day.isoformat(), [str(i) for i in appointment_ids]))


class SmtpSink:
    """A minimal local SMTP server that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write((line + "\r\n").encode())

        say("220 sink ESMTP")
        await writer.drain()
        while line := await reader.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                say("250-sink")
                say("250 8BITMIME")
            elif verb == "DATA":
                say("354 go on")
                await writer.drain()
                data: list[bytes] = []
                while (chunk := await reader.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                parsed = message_from_bytes(b"".join(data), policy=policy.default)
                body = parsed.get_body()
                text = body.get_content() if body is not None else ""
                self.messages.append(f"To: {parsed['To']}\nSubject: {parsed['Subject']}\n{text}")
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                await writer.drain()
                break
            else:
                say("250 ok")
            await writer.drain()
        writer.close()


class FakeSms:
    """A local HTTP endpoint standing in for an SMS provider; `status` is what it answers."""

    def __init__(self) -> None:
        self.status = 503
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                if outer.status == 200:
                    outer.received.append(body)
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/send"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


async def _outbox(tenant_id: UUID) -> list[dict[str, Any]]:
    async with in_tenant(tenant_id):
        rows = await Notification.select().order_by(Notification.created_at).output(load_json=True)
    return list(rows)


def test_backoff_doubles_up_to_a_ceiling() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == timedelta(hours=6)


async def test_hooks_outbox_and_delivery(client: Any) -> None:
    world = await make_world(client)
    tenant_id = world.tenant.id
    # One beneficiary agreed to SMS, the other to nothing.
    consenting = await make_person(
        client, world.tenant, world.worker, "Άννα", "Δημητρίου", phone="6912345678"
    )
    response = await client.post(
        f"{world.api}/beneficiaries/{consenting}/consents",
        json={"purpose": "notifications_sms"},
        headers=world.worker.headers,
    )
    assert response.status_code == 201, response.text

    host = get_host()
    _Spy.changes.clear()
    _Spy.tomorrow.clear()
    host.pm.register(_Spy, name="scheduling-spy")
    host._tenant_hooks.cache_clear()
    try:
        first = await book(client, world, beneficiary_id=str(consenting))
        second = await book(client, world, start="12:00", end="13:00")
        moved = await client.post(
            f"{world.api}/appointments/{second['id']}/move",
            json={"start": f"{MONDAY}T14:00:00+02:00"},
            headers=world.worker.headers,
        )
        assert moved.status_code == 200, moved.text
        cancelled = await client.post(
            f"{world.api}/appointments/{second['id']}/cancel",
            json={"reason": "Ακύρωση από τον ωφελούμενο"},
            headers=world.worker.headers,
        )
        assert cancelled.status_code == 200, cancelled.text
        # A refused booking announces nothing.
        await book(client, world, expect=409, beneficiary_id=str(world.person2))
        # The daily job, the day before; twice, which must be harmless.
        for _ in range(2):
            await run_daily(MONDAY - timedelta(days=1), world.tenant.slug)
    finally:
        host.pm.unregister(name="scheduling-spy")
        host._tenant_hooks.cache_clear()

    assert _Spy.changes == [
        (first["id"], "created"),
        (second["id"], "created"),
        (second["id"], "moved"),
        (second["id"], "cancelled"),
    ]
    # Cancelled appointments are not tomorrow's.
    assert _Spy.tomorrow == [(MONDAY.isoformat(), [first["id"]])] * 2

    rows = await _outbox(tenant_id)
    kinds = sorted((r["template"], r["channel"], r["recipient_kind"]) for r in rows)
    assert kinds == sorted(
        [
            ("appointment_created", "email", "staff"),
            ("appointment_created", "sms", "beneficiary"),
            ("appointment_created", "email", "staff"),
            ("appointment_moved", "email", "staff"),
            ("appointment_cancelled", "email", "staff"),
            ("appointment_reminder", "sms", "beneficiary"),
            ("staff_agenda", "email", "staff"),
        ]
    )  # the person without consent gets nothing; the repeated daily run added nothing
    assert all(r["recipient_id"] != world.person for r in rows)
    assert not any("Δημητρίου" in json.dumps(r["payload"]) for r in rows)

    sink, sms = SmtpSink(), FakeSms()
    await sink.start()
    try:
        channels: Any = {
            "email": SmtpEmail("127.0.0.1", sink.port, "noreply@test"),
            "sms": HttpSms(sms.url),
        }
        now = datetime.now(UTC)
        # SMS provider down: e-mails go, SMS stay queued for a retry after back-off. The
        # "created" and "moved" messages of the appointment cancelled since are skipped.
        stats = await dispatch_due(channels=channels, now=now, slug=world.tenant.slug)
        assert (stats.sent, stats.retry, stats.failed, stats.skipped) == (3, 2, 0, 2), stats
        assert len(sink.messages) == 3
        assert all("To: worker@example.org" in m for m in sink.messages)
        assert any("Ά.Δ." in m for m in sink.messages), sink.messages
        # Initials only in staff messages, never the full name.
        assert not any("Δημητρίου" in m or "Papad" in m for m in sink.messages)
        pending = [r for r in await _outbox(tenant_id) if r["status"] == "pending"]
        assert len(pending) == 2
        assert all(r["attempts"] == 1 and r["last_error"] for r in pending)
        # Not due yet: nothing happens before the back-off has passed.
        sms.status = 200
        again = await dispatch_due(channels=channels, now=now, slug=world.tenant.slug)
        assert again.sent == 0 and not sms.received
        later = await dispatch_due(
            channels=channels, now=now + timedelta(minutes=2), slug=world.tenant.slug
        )
        assert later.sent == 2, later
        assert {m["to"] for m in sms.received} == {"+306912345678"}
        # A beneficiary's SMS names no service.
        assert not any("Συμβουλευτική" in m["text"] for m in sms.received)
        statuses = sorted(r["status"] for r in await _outbox(tenant_id))
        assert statuses == ["sent"] * 5 + ["skipped"] * 2
    finally:
        await sink.stop()
        sms.stop()
