"""Delivery channels of notifications: e-mail over SMTP, SMS through a provider interface.

A channel either delivers a message or raises `DeliveryError`; the dispatcher turns that
into a retry with back-off, so a provider that is down loses nothing. Development uses the
log-only channels (nothing leaves the machine); production sets `MERIMNA_SMTP_HOST` and
`MERIMNA_SMS_PROVIDER_URL`. Logs never carry a whole address or phone number.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from core.settings import Settings

log = logging.getLogger("merimna.notifications")

TIMEOUT_SECONDS = 10.0


class DeliveryError(Exception):
    """The channel could not deliver now; the message stays in the outbox for a retry."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    reference: str  # the outbox row's id: the provider's idempotency key


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    async def send(self, message: Message) -> None: ...


def masked(address: str) -> str:
    """`+30691***678`, `e***@example.org`: enough to tell messages apart in a log."""
    if "@" in address:
        user, _, domain = address.partition("@")
        return f"{user[:1]}***@{domain}"
    return f"{address[:5]}***{address[-3:]}" if len(address) > 8 else "***"


@dataclass(frozen=True)
class SmtpEmail:
    """E-mail through an SMTP relay (the municipality's or the consortium's)."""

    host: str
    port: int
    sender: str
    name: str = "email"

    async def send(self, message: Message) -> None:
        try:
            await asyncio.to_thread(self._send, message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp: {type(exc).__name__}") from exc

    def _send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Message-ID"] = f"<{message.reference}@merimna>"
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(email)


@dataclass(frozen=True)
class HttpSms:
    """An SMS provider reached by POSTing JSON `{"to", "text", "reference"}` to a URL.

    Any 2xx answer is a delivery; anything else (or no answer) is retried later. Providers
    with another API get an adapter of their own with the same `send`.
    """

    url: str
    name: str = "sms"

    async def send(self, message: Message) -> None:
        import httpx

        payload = {"to": message.to, "text": message.body, "reference": message.reference}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
                response = await http.post(self.url, json=payload)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"sms provider: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"sms provider: HTTP {response.status_code}")


@dataclass(frozen=True)
class LogOnly:
    """Development: the message is logged (address masked), not sent."""

    name: str

    async def send(self, message: Message) -> None:
        log.info("%s (log only) to %s: %s", self.name, masked(message.to), message.subject)


def channels_from(settings: Settings) -> dict[str, Channel]:
    email: Channel = (
        SmtpEmail(settings.smtp_host, settings.smtp_port, settings.smtp_from)
        if settings.smtp_host
        else LogOnly("email")
    )
    sms: Channel = (
        HttpSms(settings.sms_provider_url) if settings.sms_provider_url else LogOnly("sms")
    )
    return {"email": email, "sms": sms}
