"""The Litestar application: core areas and modules mounted through the plugin host."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from pydantic import ValidationError

from core import db
from core.context import PermissionTable, RequestIdMiddleware, TenantMiddleware, provide_ctx
from core.errors import AppError, FieldError, RequestValidationError
from core.i18n import t
from core.logs import configure as configure_logging
from core.openapi import FormAwareSchemaPlugin
from core.plugin_host import PluginHost, get_host
from core.settings import Settings, get_settings
from core.store import get_store
from core.web.config import web_setup

log = logging.getLogger("merimna.app")

TENANT_API = "/api/v1/t/{tenant:str}"
TENANT_UI = "/t/{tenant:str}"


def create_app(settings: Settings | None = None, host: PluginHost | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.check_production()
    configure_logging(settings.log_level)
    host = host or get_host()

    tenant_handlers: list[Any] = []
    for slug, handlers in host.tenant_routes():
        if slug is None:
            tenant_handlers.extend(handlers)
        elif handlers:
            tenant_handlers.append(
                Router(
                    path=f"/modules/{slug}",
                    route_handlers=handlers,
                    opt={"merimna_module": slug},
                    tags=[slug],
                )
            )
    tenant_api = Router(
        path=TENANT_API,
        route_handlers=tenant_handlers,
        middleware=[TenantMiddleware],
        dependencies={"ctx": Provide(provide_ctx, sync_to_thread=False)},
        security=[{"bearer": []}],
    )
    ui_handlers: list[Any] = []
    for slug, handlers in host.ui_routes():
        if slug is None:
            ui_handlers.extend(handlers)
        elif handlers:
            ui_handlers.append(
                Router(path=f"/{slug}", route_handlers=handlers, opt={"merimna_module": slug})
            )
    # Staff web UI (core/web): templates of core and every plugin, /static, CSRF on forms,
    # HTML error pages, security headers on every response, Swagger UI served locally.
    web = web_setup(settings, host)
    routes: list[Any] = [*host.platform_routes(), tenant_api, *web.route_handlers]
    if ui_handlers:
        routes.append(
            Router(
                path=TENANT_UI,
                route_handlers=ui_handlers,
                middleware=[TenantMiddleware],
                dependencies={"ctx": Provide(provide_ctx, sync_to_thread=False)},
                include_in_schema=False,
            )
        )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start(settings)
        try:
            yield
        finally:
            await db.stop()
            await get_store().close()

    app = Litestar(
        route_handlers=routes,
        lifespan=[lifespan],
        middleware=[DefineMiddleware(RequestIdMiddleware), *web.middleware],
        exception_handlers={Exception: handle_exception, **web.exception_handlers},
        template_config=web.template_config,
        csrf_config=web.csrf_config,
        before_send=web.before_send,
        stores=get_store().registry(),
        plugins=[FormAwareSchemaPlugin()],
        openapi_config=OpenAPIConfig(
            title="Merimna API",
            version="1.0",
            description="Social services of Greek municipalities: one API for every tenant.",
            path="/schema",
            render_plugins=[web.swagger],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        debug=False,
    )
    app.state.permissions = PermissionTable(host)
    app.state.host = host
    app.state.settings = settings
    return app


def _pydantic_cause(exc: BaseException) -> ValidationError | None:
    """The pydantic error behind Litestar's ValidationException, if a body model failed.

    Litestar flattens pydantic's errors into strings; the original, with each error's type,
    is kept in the exception chain, and gives the 422 its stable per-field codes.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ValidationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '([^']+)'")


def _spurious(entry: dict[str, Any]) -> bool:
    """A parameter Litestar lists as failed only because it could not re-read it.

    When it explains a failed request, Litestar re-reads every parameter; once the OpenAPI
    schema has been generated it reports the router's own path parameters (`tenant`), which
    routing has already matched, with a KeyError's text as the message ("'tenant'").
    """
    return str(entry.get("source")) in ("path", "ParamType.PATH") and entry.get("message") == repr(
        entry.get("key")
    )


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    err: AppError
    if isinstance(exc, AppError):
        return Response(exc.body(), status_code=exc.status_code, headers=exc.headers)
    if isinstance(exc, ValidationException):
        cause = _pydantic_cause(exc)
        if cause is not None:
            err = RequestValidationError.from_pydantic(cause)
            return Response(err.body(), status_code=err.status_code)
        missing = MISSING_PARAMETER.match(str(exc.detail))
        if missing:  # Litestar names a missing query/path/header parameter only in its detail
            err = RequestValidationError(
                errors=[FieldError(missing.group(1), "missing", t("validation.missing"))]
            )
            return Response(err.body(), status_code=err.status_code)
        fields = [
            FieldError(str(e.get("key") or "body"), "invalid", str(e.get("message", "")))
            for e in (exc.extra or [])
            if isinstance(e, dict) and not _spurious(e)
        ]
        if not fields or any(f.field == "body" for f in fields):
            err = AppError("malformed_json", status_code=400)
        else:
            for f in fields:
                f.message = t("validation.invalid")
            err = RequestValidationError(errors=fields)
        return Response(err.body(), status_code=err.status_code)
    if isinstance(exc, SerializationException):
        err = AppError("malformed_json", status_code=400)
        return Response(err.body(), status_code=400)
    if isinstance(exc, NotFoundException):
        return Response(AppError("not_found", status_code=404).body(), status_code=404)
    if isinstance(exc, NotAuthorizedException):
        return Response(AppError("unauthorized", status_code=401).body(), status_code=401)
    if isinstance(exc, PermissionDeniedException):
        return Response(AppError("forbidden", status_code=403).body(), status_code=403)
    if isinstance(exc, HTTPException) and str(exc.detail).startswith("JSON is malformed"):
        err = AppError("malformed_json", status_code=400)
        return Response(err.body(), status_code=400)
    if isinstance(exc, HTTPException):
        code = {
            405: "method_not_allowed",
            413: "payload_too_large",
            429: "rate_limited",
            503: "service_unavailable",
        }.get(exc.status_code, "bad_request")
        err = AppError(code, status_code=exc.status_code)
        return Response(err.body(), status_code=exc.status_code, headers=exc.headers)
    if isinstance(exc, OSError | ConnectionError):
        err = AppError("service_unavailable", status_code=503)
        log.warning("dependency unavailable: %s", type(exc).__name__)
        return Response(err.body(), status_code=503)
    log.exception("unhandled error", exc_info=exc)
    err = AppError("internal", status_code=500)
    return Response(err.body(), status_code=500)
