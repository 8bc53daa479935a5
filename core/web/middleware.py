"""The staff UI's middleware: the page's language, and HTML instead of JSON for people.

Every refusal in this application is a JSON error body, which is right for the API and
useless in a browser. For a page path (anything but `/api`, `/schema`, probes, calendar feeds
and static files) this middleware turns such an answer into what a person needs: the login
page when the session is missing or has expired (with the page to come back to), the MFA
enrolment page when an administrator must enrol a second factor first, and otherwise an
HTML error page in the page's language with the same status code.

It sits inside `RequestIdMiddleware` (which negotiates the API's language) and outside the
tenant middleware and Litestar's CSRF middleware, whose refusal it also renders.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import Forbidden
from core.i18n import _language, get_language, set_language, t
from core.settings import Settings, get_settings
from core.web.csrf import EXCLUDE, cookie_value
from core.web.language import language_cookie, page_language, query_language
from core.web.pages import error_page

NOT_PAGES = re.compile(EXCLUDE)
SESSION_COOKIE = "merimna_session"  # core.context.SESSION_COOKIE (not imported: no cycle)


def is_page(path: str) -> bool:
    return NOT_PAGES.match(path) is None


def login_redirect(scope: Scope, *, expired: bool) -> str:
    params: list[tuple[str, str]] = []
    if scope.get("method", "GET") == "GET":
        query = scope.get("query_string", b"").decode("latin-1")
        raw = scope.get("raw_path") or str(scope.get("path", "/")).encode()
        path = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        target = path + (f"?{query}" if query else "")
        if target not in ("/", "/login"):
            params.append(("next", target))
    if expired:
        params.append(("reason", "expired"))
    return "/login" + (f"?{urlencode(params)}" if params else "")


def _settings(scope: Scope) -> Settings:
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


class WebMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = is_page(scope["path"])
        chosen = query_language(scope)
        lang = page_language(scope) if page else (chosen or get_language())
        token = set_language(lang)
        remember = page and chosen is not None
        started = False
        held: Message | None = None
        chunks: list[bytes] = []

        async def relay(message: Message) -> None:
            nonlocal started, held
            if message["type"] == "http.response.start":
                started = True
                if remember:
                    cookie = language_cookie(lang, secure=_settings(scope).is_production)
                    MutableScopeHeaders.from_message(message).add(
                        "set-cookie", cookie.to_header(header="")
                    )
                if page and message["status"] >= 400 and _is_json(message):
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                start, held = held, None
                await self._page_for_error(scope, start, b"".join(chunks), send)
                return
            await send(message)

        try:
            await self.app(scope, receive, relay)
        except Exception as exc:
            if started:
                raise
            await self._respond(scope, receive, relay, exc)
        finally:
            _language.reset(token)  # type: ignore[arg-type]

    async def _respond(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """An exception from the layers below (Litestar's CSRF check raises one), answered
        here so that the answer passes through `relay` like any other."""
        from core.app import handle_exception  # the app's own error shape (no import cycle)

        if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
            exc = Forbidden("csrf_failed")
        request: Request[Any, Any, Any] = Request(scope, receive)
        response = handle_exception(request, exc)
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)

    async def _page_for_error(self, scope: Scope, start: Any, body: bytes, send: Send) -> None:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        status = int(start["status"])
        code = str(data.get("code") or "")
        detail = str(data.get("detail") or t("web.error.title"))
        keep: list[tuple[bytes, bytes]] = [
            (bytes(k), bytes(v))
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-type", b"content-length")
        ]
        had_session = cookie_value(Headers.from_scope(scope), SESSION_COOKIE) is not None
        location = None
        if status == 401:
            location = login_redirect(scope, expired=had_session)
        elif status == 403 and code == "mfa_required":
            location = "/account/mfa"
        if location is not None:
            keep.append((b"location", location.encode()))
            if status == 401 and had_session:  # a dead session: drop it from the browser
                keep.append(
                    (
                        b"set-cookie",
                        f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax".encode(),
                    )
                )
            keep.append((b"content-length", b"0"))
            await _send(send, 303, keep, b"")
            return
        html = error_page(scope, status, code, detail)
        keep.append((b"content-type", b"text/html; charset=utf-8"))
        keep.append((b"content-length", str(len(html)).encode()))
        await _send(send, status, keep, html)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    end: Any = {"type": "http.response.body", "body": body}
    await send(start)
    await send(end)


def _is_json(message: Any) -> bool:
    for key, value in message.get("headers", []):
        if key.lower() == b"content-type":
            return bytes(value).startswith(b"application/json") or b"+json" in bytes(value)
    return False


def not_routed(request: Request[Any, Any, Any], exc: Exception) -> Any:
    """App-level handler for 404/405 raised before any middleware ran (no route matched):
    an HTML page on page paths, the API's JSON everywhere else."""
    from litestar import Response

    from core.app import handle_exception

    scope = request.scope
    if not is_page(scope["path"]):
        return handle_exception(request, exc)
    token = set_language(page_language(scope))
    try:
        status = int(getattr(exc, "status_code", 404))
        code = "not_found" if status == 404 else "method_not_allowed"
        html = error_page(scope, status, code, t(f"error.{code}"))
    finally:
        _language.reset(token)  # type: ignore[arg-type]
    return Response(html, status_code=status, media_type="text/html; charset=utf-8")
