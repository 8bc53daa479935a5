"""The request context handed to every tenant route, and the middleware that builds it.

For a tenant route the middleware, in this order: authenticates, resolves the tenant from the
path, checks membership (404 otherwise, so a municipality's existence is not confirmed to
strangers), opens the request's transaction, sets the tenant for the scoping layer and for
row-level security, and runs the handler. The response is held until the transaction ends:
committed for a success, rolled back for any status >= 400, so a refused request never
leaves half a write behind. Refusals are then audited in a transaction of their own.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import Headers
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core import db
from core.auth.sessions import Principal, decode_token, principal_of, session_cache_key
from core.errors import AppError, Forbidden, NotFound, ServiceUnavailable, Unauthorized
from core.i18n import get_language, negotiate, set_language
from core.plugin_host import PluginHost, TenantHooks, get_host
from core.refs import TenantRef
from core.settings import get_settings
from core.store import get_store
from core.web import csrf
from tenants.resolution import (
    TenantInfo,
    ensure_tenant_version,
    membership_roles,
    resolve_tenant,
    version_key,
)
from tenants.scoping import reset_tenant, set_tenant

log = logging.getLogger("merimna.request")

request_id_var: ContextVar[str] = ContextVar("merimna_request_id", default="")
SESSION_COOKIE = "merimna_session"


@dataclass(frozen=True)
class RequestContext:
    """Who is asking, for which municipality, with which rights."""

    tenant: TenantInfo
    principal: Principal
    roles: frozenset[str]
    permissions: frozenset[str]
    hooks: TenantHooks
    request_id: str
    client: str
    language: str
    special_category_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def tenant_ref(self) -> TenantRef:
        return self.tenant.ref

    @property
    def user_id(self) -> uuid.UUID:
        return self.principal.user_id

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        """403: for an area or action the role lacks (CONTRACT.md)."""
        if permission not in self.permissions:
            raise Forbidden()

    def require_visible(self, permission: str) -> None:
        """404: where the mere existence of a record would reveal something."""
        if permission not in self.permissions:
            raise NotFound()

    @property
    def sees_special_categories(self) -> bool:
        return bool(self.roles & self.special_category_roles)


class PermissionTable:
    """Role -> permissions, built once from every plugin's declarations."""

    def __init__(self, host: PluginHost) -> None:
        self.by_role: dict[str, set[str]] = {}
        permissions = host.permissions()
        for perm in permissions:
            for role in perm.roles:
                self.by_role.setdefault(role, set()).add(perm.code)
        known = {perm.code for perm in permissions}
        for spec in host.roles():
            unknown = sorted(set(spec.grants) - known)
            if unknown:
                raise ValueError(f"role {spec.code!r} is granted unknown permissions: {unknown}")
            self.by_role.setdefault(spec.code, set()).update(spec.grants)
        self.special_roles = frozenset(r.code for r in host.roles() if r.sees_special_categories)
        self.known_roles = frozenset(r.code for r in host.roles())

    def for_roles(self, roles: frozenset[str]) -> frozenset[str]:
        out: set[str] = set()
        for role in roles:
            out |= self.by_role.get(role, set())
        return frozenset(out)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def bearer_or_cookie(headers: Headers) -> tuple[str | None, str]:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), "token"
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return value, "cookie"
    return None, ""


class RequestIdMiddleware:
    """Request id and language for every request (logs, errors, audit)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        rid = headers.get("x-request-id") or uuid.uuid4().hex
        rid = rid[:64]
        token = request_id_var.set(rid)
        lang_token = set_language(negotiate(headers.get("accept-language")))
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            from core.i18n import _language

            _language.reset(lang_token)  # type: ignore[arg-type]


class _Rollback(Exception):
    pass


async def _error(send: Send, exc: AppError) -> None:
    body = json.dumps(exc.body(), ensure_ascii=False).encode()
    start: Any = {
        "type": "http.response.start",
        "status": exc.status_code,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)


class TenantMiddleware:
    """Authenticate, resolve tenant and membership, and run the handler in one transaction."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            ctx = await self._context(scope)
        except AppError as exc:
            await _error(send, exc)
            return
        except OSError as exc:  # database unreachable
            log.warning("database unavailable: %s", type(exc).__name__)
            await _error(send, ServiceUnavailable())
            return
        scope["state"]["ctx"] = ctx
        write = scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS")
        held: list[Message] = []
        status = 500

        async def hold(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            held.append(message)

        tenant_token = set_tenant(ctx.tenant.id)
        try:
            try:
                async with db.transaction(write=write, tenant=ctx.tenant.id):
                    await self.app(scope, receive, hold)
                    if status >= 400:
                        raise _Rollback()
            except _Rollback:
                pass
            except OSError as exc:
                log.warning("database unavailable: %s", type(exc).__name__)
                held = []
                await _error(send, ServiceUnavailable())
                return
            if status in (403, 404):
                from core.audit.writer import record_refusal

                await record_refusal(ctx, scope, status)
        finally:
            reset_tenant(tenant_token)
        for message in held:
            await send(message)

    async def _context(self, scope: Scope) -> RequestContext:
        host = get_host()
        app_state = scope["app"].state
        headers = Headers.from_scope(scope)
        token, kind = bearer_or_cookie(headers)
        session_id = decode_token(token) if token else None
        if session_id is None:
            raise Unauthorized()
        slug = scope["path_params"].get("tenant", "")
        # ONE store round trip per request: the session's cached row and the tenant's cache
        # version together; the tenant and the membership then come from this process's
        # cache when that version still holds (tenants/resolution.py).
        fetched = await get_store().get_many([session_cache_key(session_id), version_key(slug)])
        cached_session: Any = None
        version: str | None = None
        if fetched is not None:
            raw_session, raw_version = fetched
            cached_session = None if raw_session is None else json.loads(raw_session)
            version = None if raw_version is None else raw_version.decode()
        principal = await principal_of(session_id, cached_session)
        if principal is None:
            raise Unauthorized()
        # CSRF for the JSON API (core/web/csrf.py): the API also accepts the UI's session
        # cookie, which a browser sends with a forged cross-site request too. A state-changing
        # /api/ request authenticated by the cookie (not by a bearer token) must carry the
        # CSRF token in the `x-csrftoken` header. UI forms are checked by Litestar's
        # CSRF middleware instead (hidden field `_csrf_token`).
        if (
            kind == "cookie"
            and scope.get("method", "GET") not in csrf.SAFE_METHODS
            and scope["path"].startswith("/api/")
            and not csrf.api_request_ok(headers, getattr(app_state, "settings", get_settings()))
        ):
            raise Forbidden("csrf_failed")
        # MFA enrolment pending (core/auth): a production administrator without a second
        # factor holds a session that only reaches /api/v1/auth/* until they enrol one.
        if principal.enrolment_only:
            raise Forbidden("mfa_required")
        tenant = await resolve_tenant(slug, version=version)
        if tenant is None or tenant.status == "archived":
            raise NotFound()
        if version is None and fetched is not None:
            # No token yet (first request, expiry, flushed store): create one for the next
            # requests, only for a tenant that exists (a probe must not create keys). This
            # request's answers were read without it and are not cached locally.
            await ensure_tenant_version(slug)
        roles = await membership_roles(tenant, principal.user_id, version=version)
        if roles is None:
            raise NotFound()
        if tenant.status == "suspended":
            raise Forbidden("tenant_suspended")
        perms: PermissionTable = app_state.permissions
        module = scope["state"].get("module") or _module_of_path(scope)
        if module and module not in tenant.modules:
            raise NotFound()
        return RequestContext(
            tenant=tenant,
            principal=principal,
            roles=roles,
            permissions=perms.for_roles(roles),
            hooks=host.for_tenant(tenant.modules),
            request_id=scope["state"].get("request_id", ""),
            client=client_address(scope),
            language=get_language(),
            special_category_roles=perms.special_roles,
        )


def _module_of_path(scope: Scope) -> str | None:
    """`/api/v1/t/{tenant}/modules/{slug}/...` and `/t/{tenant}/{slug}/...` name a module."""
    handler = scope.get("route_handler")
    opt: dict[str, Any] = getattr(handler, "opt", None) or {}
    module = opt.get("merimna_module")
    return module if isinstance(module, str) else None


def provide_ctx(request: Request) -> RequestContext:
    """The `ctx` dependency of tenant routes (built by `TenantMiddleware`)."""
    return request.scope["state"]["ctx"]  # type: ignore[no-any-return]
