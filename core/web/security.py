"""Security headers on every response (pages, API, static files, errors).

Added in a `before_send` hook, which sees every response the application sends, even a 404
for a path no route matches. A header a handler already set is left as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from core.settings import Settings

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Swagger UI starts with an inline script and styles some elements inline; the interactive
# docs get this relaxed policy, and nothing else does. Its assets are still local.
SCHEMA_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def headers_for(path: str, *, production: bool) -> dict[str, str]:
    headers = {
        "content-security-policy": SCHEMA_CSP if path.startswith("/schema") else CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "permissions-policy": PERMISSIONS_POLICY,
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
    }
    if not path.startswith("/static/"):
        # Pages and API answers hold personal data: no copy in a shared computer's cache.
        headers["cache-control"] = "no-store"
    if production:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return headers


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    production = settings.is_production

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in headers_for(str(scope.get("path", "")), production=production).items():
            if name not in headers:
                headers[name] = value

    return before_send
