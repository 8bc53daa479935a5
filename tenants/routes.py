"""HTTP of tenancy: the consortium's `/api/v1/admin/*` and a tenant's own `modules` routes.

Consortium routes are platform routes: no tenant middleware, so the `require_consortium_admin`
guard authenticates (401 without a valid session, 403 for anyone but a consortium
administrator, and that refusal is audited). They manage tenants whatever their status, so a
suspended tenant can still be resumed here.

Inside a tenant, `modules/{module}/settings` is mounted once per installed module as a static
path. Litestar's router does not backtrack: a request for `/modules/help_at_home/settings`
enters the static `help_at_home` node of that module's own router and never reaches a
`/modules/{module}/settings` path-parameter route next to it. Static paths share the node,
so both the module's routes and these work.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, Router, delete, get, patch, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body, FromPath, FromQuery, JSONBody

from core import db
from core.auth.sessions import Principal, authenticate
from core.context import RequestContext, bearer_or_cookie, client_address
from core.errors import AppError, FieldError, Forbidden, RequestValidationError, Unauthorized
from core.i18n import t
from core.pagination import Page, check_limit, decode_cursor, encode_cursor
from core.plugin_host import get_host
from tenants import services
from tenants.schemas import (
    EnabledModuleOut,
    ModuleInfoOut,
    ProfileOut,
    ProfileUpdate,
    StatsOut,
    TenantCreate,
    TenantDetail,
    TenantModuleOut,
    TenantOut,
    TenantUpdate,
)
from tenants.services import Actor

ADMIN_TAGS = ["consortium"]
MODULE_TAGS = ["modules"]
SETTINGS_PERMISSION = "modules.settings"
PROFILE_PERMISSION = "tenant.admin"
PROFILE_TAGS = ["tenant"]
SETTINGS_BODY = Body(
    title="Settings",
    description="The module's settings object, validated by its settings model "
    "(see GET /api/v1/admin/modules for each model's JSON schema).",
)


# -- errors ---------------------------------------------------------------------------------


def _pydantic_errors(exc: BaseException) -> list[dict[str, Any]] | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        errors = getattr(current, "errors", None)
        if callable(errors):
            try:
                errors = errors()
            except Exception:
                errors = None
        if (
            isinstance(errors, list)
            and errors
            and all(isinstance(e, dict) and "type" in e for e in errors)
        ):
            return errors
        current = current.__cause__ or current.__context__
    return None


def body_errors(request: Request[Any, Any, Any], exc: ClientException) -> Response[Any]:
    """400 `malformed_json` for a body that is not JSON; 422 naming every field with its own
    code (`extra_forbidden`, `string_too_long`...) for one that does not validate.

    Litestar turns a JSON decoding error into a bare 400, and decodes pydantic bodies itself
    keeping generic messages only; the exceptions it wraps still say what happened.
    """
    if isinstance(exc.__cause__, SerializationException):
        failure = AppError("malformed_json", status_code=400)
        return Response(failure.body(), status_code=400)
    errors = _pydantic_errors(exc) if isinstance(exc, ValidationException) else None
    if errors is None:
        from core.app import handle_exception

        return handle_exception(request, exc)
    fields = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        code = str(err.get("type", "invalid"))
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
        message = t(f"validation.{code}", **ctx)
        if message == f"validation.{code}":
            message = str(err.get("msg") or t("validation.invalid"))
        fields.append(FieldError(".".join(loc) or "body", code, message))
    failure = RequestValidationError(errors=fields)
    return Response(failure.body(), status_code=failure.status_code)


BODY_ERRORS: dict[Any, Any] = {ClientException: body_errors}


# -- consortium guard -----------------------------------------------------------------------


async def require_consortium_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard of `/api/v1/admin/*`: 401 without a session, 403 unless consortium admin.

    The principal is left in `scope["state"]["principal"]` for the `actor` dependency.
    """
    token, _kind = bearer_or_cookie(connection.headers)
    principal = await authenticate(token)
    if principal is None:
        raise Unauthorized()
    if principal.enrolment_only:  # production administrator who must enrol MFA first
        raise Forbidden("mfa_required")
    if not principal.is_consortium_admin:
        await _audit_refusal(connection, principal)
        raise Forbidden()
    connection.scope.setdefault("state", {})["principal"] = principal


async def _audit_refusal(
    connection: ASGIConnection[Any, Any, Any, Any], principal: Principal
) -> None:
    state = connection.scope.get("state", {})
    try:
        async with db.transaction():
            await services.audit(
                Actor(
                    user_id=principal.user_id,
                    request_id=str(state.get("request_id", "")),
                    client=client_address(connection.scope),
                ),
                "denied",
                None,
                object_type="route",
                object_id="admin",
                outcome="denied",
                details={"status": 403, "method": connection.scope.get("method", "")},
            )
    except Exception:  # the refusal must reach the client even if auditing fails
        import logging

        logging.getLogger("merimna.audit").exception("could not audit a consortium refusal")


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    principal: Principal = request.scope["state"]["principal"]
    return Actor(
        user_id=principal.user_id,
        request_id=str(request.scope["state"].get("request_id", "")),
        client=client_address(request.scope),
    )


ActorDep = NamedDependency[Actor]


# -- /api/v1/admin --------------------------------------------------------------------------


@get("/tenants", summary="List tenants", description="Ordered by slug; `status` filters.")
async def list_tenants(
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
    status: FromQuery[Literal["onboarding", "active", "suspended", "archived"] | None] = None,
) -> Page[TenantOut]:
    items, next_cursor = await services.list_tenants(limit=limit, cursor=cursor, status=status)
    return Page[TenantOut](items=items, next_cursor=next_cursor)


@post(
    "/tenants",
    status_code=201,
    summary="Onboard a tenant",
    description="`slug`: lowercase ASCII letters, digits and hyphens; it never changes. "
    "`modules` are enabled with their default settings. `admin` (optional) creates the "
    "tenant's first administrator in the same transaction: if that fails, no tenant is "
    "created. 409 `duplicate_slug` / `duplicate_username`.",
)
async def create_tenant(actor: ActorDep, data: JSONBody[TenantCreate]) -> TenantOut:
    return await services.create_tenant(data, actor=actor)


@get("/tenants/{slug:str}", summary="One tenant, with its module settings and head count")
async def read_tenant(slug: FromPath[str]) -> TenantDetail:
    return await services.tenant_detail(slug)


@patch("/tenants/{slug:str}", summary="Change a tenant's record (the slug never changes)")
async def update_tenant(
    actor: ActorDep, slug: FromPath[str], data: JSONBody[TenantUpdate]
) -> TenantOut:
    return await services.update_tenant(slug, data, actor=actor)


@post(
    "/tenants/{slug:str}/suspend",
    status_code=200,
    summary="Suspend a tenant",
    description="Its staff get 403 `tenant_suspended` until it is resumed; data is kept.",
)
async def suspend_tenant(actor: ActorDep, slug: FromPath[str]) -> TenantOut:
    return await services.set_status(slug, "suspended", actor=actor)


@post("/tenants/{slug:str}/resume", status_code=200, summary="Resume a suspended tenant")
async def resume_tenant(actor: ActorDep, slug: FromPath[str]) -> TenantOut:
    return await services.set_status(slug, "active", actor=actor)


@put(
    "/tenants/{slug:str}/modules/{module:str}",
    summary="Enable a module for a tenant, or replace its settings",
    description="The body is the module's settings object (`{}` for the defaults), "
    "validated by its settings model: 422 names `settings.<field>`. 201 when the module "
    "was newly enabled, 200 when only its settings changed.",
)
async def enable_module(
    actor: ActorDep,
    slug: FromPath[str],
    module: FromPath[str],
    data: Annotated[Any, SETTINGS_BODY] = None,
) -> Response[TenantModuleOut]:
    settings, newly = await services.enable_module(slug, module, data, actor=actor)
    out = TenantModuleOut(module=module, enabled=True, settings=settings.model_dump(mode="json"))
    return Response(out, status_code=201 if newly else 200)


@delete(
    "/tenants/{slug:str}/modules/{module:str}",
    status_code=204,
    summary="Disable a module for a tenant",
    description="Its data is kept; enabling it again brings it back. 404 when not enabled.",
)
async def disable_module(actor: ActorDep, slug: FromPath[str], module: FromPath[str]) -> None:
    await services.disable_module(slug, module, actor=actor)


@get(
    "/stats",
    summary="Usage per tenant",
    description="Members, enabled modules and row counts per tenant table; no personal data. "
    "`tenant` (repeatable) narrows it to those slugs; totals are over the tenants listed.",
)
async def stats(actor: ActorDep, tenant: FromQuery[list[str] | None] = None) -> StatsOut:
    return await services.usage_stats(actor, slugs=tenant)


@get("/modules", summary="Installed program modules, with their settings' JSON schema")
async def installed_modules() -> Page[ModuleInfoOut]:
    return Page[ModuleInfoOut](items=services.installed_modules(), next_cursor=None)


ADMIN_HANDLERS = [
    list_tenants,
    create_tenant,
    read_tenant,
    update_tenant,
    suspend_tenant,
    resume_tenant,
    enable_module,
    disable_module,
    stats,
    installed_modules,
]


def admin_router() -> Router:
    """A new router per app; every route is for consortium administrators only."""
    return Router(
        path="/api/v1/admin",
        route_handlers=ADMIN_HANDLERS,
        guards=[require_consortium_admin],
        dependencies={"actor": Provide(provide_actor, sync_to_thread=False)},
        exception_handlers=BODY_ERRORS,
        tags=ADMIN_TAGS,
        security=[{"bearer": []}],
    )


# -- /api/v1/t/{tenant}/modules ---------------------------------------------------------------


@get(
    "/modules",
    tags=MODULE_TAGS,
    summary="Modules enabled for this tenant",
    description="Titles in the request's language, version and settings schema.",
)
async def list_enabled_modules(
    ctx: NamedDependency[RequestContext],
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Page[EnabledModuleOut]:
    size = check_limit(limit)
    items = services.enabled_modules(ctx.tenant)
    if cursor:
        values = decode_cursor(cursor)
        after = str(values[0]) if values else ""
        items = [i for i in items if i.slug > after]
    page, rest = items[:size], items[size:]
    return Page[EnabledModuleOut](
        items=page, next_cursor=encode_cursor([page[-1].slug]) if rest else None
    )


def settings_handlers(module: str) -> list[Any]:
    """GET and PUT `/modules/{module}/settings` for one installed module (static paths)."""
    opt = {"merimna_module": module}  # the tenant middleware: 404 unless enabled

    @get(
        f"/modules/{module}/settings",
        tags=MODULE_TAGS,
        opt=opt,
        summary=f"Settings of {module} for this tenant",
        description="Tenant administrators (`modules.settings`); 404 when not enabled.",
    )
    async def read_settings(ctx: NamedDependency[RequestContext]) -> dict[str, Any]:
        ctx.require(SETTINGS_PERMISSION)
        settings = await services.get_module_settings(ctx.tenant, module)
        return settings.model_dump(mode="json")  # type: ignore[no-any-return]

    @put(
        f"/modules/{module}/settings",
        tags=MODULE_TAGS,
        opt=opt,
        exception_handlers=BODY_ERRORS,
        summary=f"Change the settings of {module} for this tenant",
        description="The whole settings object (fields left out take their defaults), "
        "validated by the module's settings model: 422 names `settings.<field>`. Audited.",
    )
    async def write_settings(
        ctx: NamedDependency[RequestContext], data: Annotated[Any, SETTINGS_BODY] = None
    ) -> dict[str, Any]:
        ctx.require(SETTINGS_PERMISSION)
        settings = await services.update_module_settings(ctx, module, data)
        return settings.model_dump(mode="json")  # type: ignore[no-any-return]

    return [read_settings, write_settings]


# -- /api/v1/t/{tenant}/profile ---------------------------------------------------------------


@get(
    "/profile",
    tags=PROFILE_TAGS,
    summary="This tenant: names, time zone, operating hours, public contact details",
    description="Every member may read it (no personal data).",
)
async def read_profile(ctx: NamedDependency[RequestContext]) -> ProfileOut:
    return await services.get_profile(ctx.tenant)


@patch(
    "/profile",
    tags=PROFILE_TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Change this tenant's operating hours or contact details",
    description="Tenant administrators (`tenant.admin`, 403 otherwise). Only the fields sent "
    "change; bookings outside the new hours are refused from the next request. Audited.",
)
async def update_profile(
    ctx: NamedDependency[RequestContext], data: JSONBody[ProfileUpdate]
) -> ProfileOut:
    ctx.require(PROFILE_PERMISSION)
    return await services.update_profile(ctx, data)


def tenant_handlers() -> list[Any]:
    handlers: list[Any] = [list_enabled_modules, read_profile, update_profile]
    for module in get_host().module_slugs():
        handlers.extend(settings_handlers(module))
    return handlers
