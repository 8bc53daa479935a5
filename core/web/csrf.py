"""CSRF protection of the staff UI's forms, and of the JSON API when a browser calls it.

Forms carry the double-submit token of Litestar's CSRF middleware: a signed cookie
(`merimna_csrf`) and the same token in the hidden field `_csrf_token`. The JSON API is
excluded from that middleware because API clients authenticate with bearer tokens, which a
foreign site cannot make a browser send. But the API also accepts the session cookie (so that
report downloads work from a page), and a cookie does travel with a forged request: a
state-changing API request authenticated by the cookie must therefore carry the token in the
`x-csrftoken` header (`core.context.TenantMiddleware` checks it with `api_request_ok`).
"""

from __future__ import annotations

import hashlib
import hmac

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Headers
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash

from core.settings import Settings

COOKIE = "merimna_csrf"
HEADER = "x-csrftoken"
FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths the form middleware leaves alone: bearer-token API (checked by TenantMiddleware
# instead), the OpenAPI pages, probes, calendar feeds and static assets.
EXCLUDE = r"^/(api|schema|health|ready|ics|static)(/|$)"


def secret(settings: Settings) -> str:
    """A key of its own, derived from `MERIMNA_SECRET_KEY` (never the session-signing key)."""
    return hmac.new(settings.secret_key.encode(), b"merimna/csrf/v1", hashlib.sha256).hexdigest()


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=secret(settings),
        cookie_name=COOKIE,
        header_name=HEADER,
        cookie_secure=settings.is_production,
        # Readable by the page's own scripts (the OpenAPI UI copies it into the header);
        # it proves nothing without the matching field or header.
        cookie_httponly=False,
        cookie_samesite="lax",
        exclude=EXCLUDE,
    )


def _unsigned(token: str, key: str) -> str | None:
    if len(token) <= CSRF_SECRET_LENGTH:
        return None
    raw, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=raw, secret=key)
    return raw if hmac.compare_digest(signature, expected) else None


def cookie_value(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def api_request_ok(headers: Headers, settings: Settings) -> bool:
    """True when the `x-csrftoken` header matches the CSRF cookie (both signed by us)."""
    sent = headers.get(HEADER)
    cookie = cookie_value(headers, COOKIE)
    if not sent or not cookie:
        return False
    key = secret(settings)
    a, b = _unsigned(sent, key), _unsigned(cookie, key)
    return a is not None and b is not None and hmac.compare_digest(a, b)
