"""Who is calling a route outside any tenant: the principal, and the consortium guard.

Tenant routes get their principal from `core.context.TenantMiddleware`. Platform routes
(`/api/v1/auth/*`, `/api/v1/admin/*`) use these helpers. A session limited to MFA enrolment
(production administrator without a second factor) passes only where `allow_enrolment=True`,
i.e. the auth routes themselves; everywhere else it gets 403 `mfa_required`.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.auth.sessions import Principal, authenticate
from core.context import bearer_or_cookie
from core.errors import Forbidden, Unauthorized
from core.settings import Settings, get_settings
from core.web import csrf


def _settings(connection: ASGIConnection[Any, Any, Any, Any]) -> Settings:
    settings = getattr(connection.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


async def principal_from(
    connection: ASGIConnection[Any, Any, Any, Any], *, allow_enrolment: bool = False
) -> Principal:
    token, how = bearer_or_cookie(connection.headers)
    principal = await authenticate(token)
    if principal is None:
        raise Unauthorized()
    # Same rule as TenantMiddleware: a state-changing request authenticated by the session
    # cookie (which a forged cross-site request carries too) needs the CSRF header.
    if (
        how == "cookie"
        and connection.scope.get("method", "GET") not in csrf.SAFE_METHODS
        and not csrf.api_request_ok(connection.headers, _settings(connection))
    ):
        raise Forbidden("csrf_failed")
    if principal.enrolment_only and not allow_enrolment:
        raise Forbidden("mfa_required")
    return principal


async def consortium_admin_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Litestar guard for `/api/v1/admin/*`: a consortium administrator with a full session.

    The principal is left in `connection.scope["state"]["principal"]` for the handler.
    """
    principal = await principal_from(connection)
    if not principal.is_consortium_admin:
        raise Forbidden()
    connection.scope.setdefault("state", {})["principal"] = principal
