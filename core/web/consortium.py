"""Consortium console: the tenants, an onboarding wizard (details, modules, first
administrator, then each module's settings), suspend and resume, and usage statistics with
a chart. For consortium administrators only: anyone else gets the same 404 as for a page
that does not exist (the console's existence is no secret, but nothing here is theirs).

These pages call `tenants.services`, as the `/api/v1/admin` routes do, with the same actor
for the platform audit trail; statistics are numbers only, never personal data.
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, SecretStr, create_model

from core.auth.sessions import Principal, authenticate
from core.context import SESSION_COOKIE, client_address
from core.errors import AppError, NotFound, RequestValidationError
from core.i18n import get_language, t
from core.plugin_host import get_host
from core.web.forms import parse_form, render_form, shape_of
from core.web.pages import csrf_token, localized, render, user_view

ROOT = "/admin"


async def _admin(request: Request[Any, Any, Any]) -> Principal:
    from core.errors import Forbidden, Unauthorized

    principal = await authenticate(request.cookies.get(SESSION_COOKIE))
    if principal is None:
        raise Unauthorized()
    if principal.enrolment_only:
        raise Forbidden("mfa_required")
    if not principal.is_consortium_admin:
        raise NotFound()
    return principal


def _actor(request: Request[Any, Any, Any], principal: Principal) -> Any:
    from tenants.services import Actor

    return Actor(
        user_id=principal.user_id,
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
        client=client_address(request.scope),
    )


def _label(key: str) -> dict[str, Any]:
    return {
        "label_el": t(f"web.consortium.field.{key}", "el"),
        "label_en": t(f"web.consortium.field.{key}", "en"),
    }


def _module_labels() -> dict[str, Any]:
    modules = get_host().modules
    return {
        f"options_{lang}": {
            slug: localized(info.manifest, "title", lang) for slug, info in modules.items()
        }
        for lang in ("el", "en")
    }


def _wizard_model() -> type[BaseModel]:
    slugs = tuple(sorted(get_host().modules)) or ("",)
    return create_model(
        "OnboardingForm",
        __config__=ConfigDict(extra="ignore"),
        slug=(
            str,
            Field(
                min_length=2,
                max_length=63,
                json_schema_extra={
                    **_label("slug"),
                    "help_el": t("web.consortium.help.slug", "el"),
                    "help_en": t("web.consortium.help.slug", "en"),
                    "autocomplete": "off",
                },
            ),
        ),
        name=(str, Field(min_length=2, max_length=200, json_schema_extra=_label("name"))),
        name_en=(str, Field(default="", max_length=200, json_schema_extra=_label("name_en"))),
        modules=(
            list[Literal[slugs]],  # type: ignore[valid-type]
            Field(
                default_factory=list, json_schema_extra={**_label("modules"), **_module_labels()}
            ),
        ),
        admin_username=(
            str,
            Field(
                default="",
                max_length=150,
                json_schema_extra={**_label("admin_username"), "autocomplete": "off"},
            ),
        ),
        admin_password=(
            SecretStr,
            Field(
                default=SecretStr(""),
                max_length=1024,
                json_schema_extra={**_label("admin_password"), "autocomplete": "new-password"},
            ),
        ),
    )


async def _page(
    request: Request[Any, Any, Any], principal: Principal, template: str, **context: Any
) -> Template:
    return await render(request, template, user=await user_view(principal.user_id), **context)


# -- tenants ----------------------------------------------------------------------------------


@get(["/admin", "/admin/"], name="web.consortium")
async def tenants_page(request: Request[Any, Any, Any]) -> Template:
    from tenants import services

    principal = await _admin(request)
    items, _ = await services.list_tenants(limit=200)
    notice = request.query_params.get("done", "")
    return await _page(
        request,
        principal,
        "consortium/tenants.html",
        title=t("web.consortium.title"),
        tenants=[
            {
                "slug": x.slug,
                "name": (x.name_en if get_language() == "en" else "") or x.name,
                "status": x.status,
                "status_text": t(f"web.consortium.status.{x.status}"),
                "modules": ", ".join(
                    localized(get_host().modules[m].manifest, "title")
                    for m in x.modules
                    if m in get_host().modules
                ),
            }
            for x in items
        ],
        notice=t(f"web.consortium.done.{notice}")
        if notice in ("suspended", "resumed", "created")
        else "",
    )


@get("/admin/tenants/new", name="web.consortium.new")
async def new_tenant(request: Request[Any, Any, Any]) -> Template:
    principal = await _admin(request)
    return await _wizard(request, principal)


async def _wizard(
    request: Request[Any, Any, Any],
    principal: Principal,
    *,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    form = render_form(
        _wizard_model(),
        action=f"{ROOT}/tenants/new",
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.consortium.create"),
        id_prefix="tenant",
    )
    return await _page(
        request,
        principal,
        "consortium/new.html",
        title=t("web.consortium.new"),
        form=form,
        status_code=status_code,
    )


@post("/admin/tenants/new", name="web.consortium.create", status_code=200)
async def create_tenant(request: Request[Any, Any, Any]) -> Response[Any]:
    from tenants import services
    from tenants.schemas import AdminAccountIn, TenantCreate

    principal = await _admin(request)
    data = await request.form()
    try:
        form: Any = parse_form(_wizard_model(), data)
        password = form.admin_password.get_secret_value()
        if bool(form.admin_username.strip()) != bool(password):
            missing = "admin_password" if form.admin_username.strip() else "admin_username"
            raise RequestValidationError.single(missing, "missing")
        try:
            payload = TenantCreate(
                slug=form.slug,
                name=form.name,
                name_en=form.name_en,
                modules=list(form.modules),
                admin=AdminAccountIn(username=form.admin_username.strip(), password=password)
                if password
                else None,
            )
        except Exception as exc:
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            raise RequestValidationError.from_pydantic(exc) from None
        await services.create_tenant(payload, actor=_actor(request, principal))
    except RequestValidationError as exc:
        return await _wizard(request, principal, values=data, errors=exc, status_code=422)
    except AppError as exc:
        field = {"duplicate_slug": "slug", "duplicate_username": "admin_username"}.get(exc.code)
        if field is None:
            raise
        return await _wizard(
            request, principal, values=data, errors={field: exc.detail}, status_code=exc.status_code
        )
    return Redirect(f"{ROOT}/tenants/{payload.slug}?created=1", status_code=303)


# -- one tenant: modules and their settings, suspend/resume ----------------------------------------


@get("/admin/tenants/{slug:str}", name="web.consortium.tenant")
async def tenant_page(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    principal = await _admin(request)
    return await _tenant_page(request, principal, slug)


async def _tenant_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    slug: str,
    *,
    failed: str = "",
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    from tenants import services

    detail = await services.tenant_detail(slug)
    token = csrf_token(request.scope)
    modules = []
    for module, info in sorted(get_host().modules.items()):
        enabled = module in detail.modules
        model = services.settings_model(module)
        current = detail.module_settings.get(module) if enabled else None
        form = render_form(
            model,
            action=f"{ROOT}/tenants/{slug}/modules/{module}",
            values=values
            if failed == module
            else (model.model_validate(current) if current else None),
            errors=errors if failed == module else None,
            csrf_token=token,
            submit_label=t("web.consortium.save_module") if enabled else t("web.consortium.enable"),
            id_prefix=f"m-{module}",
        )
        modules.append(
            {
                "slug": module,
                "title": localized(info.manifest, "title"),
                "enabled": enabled,
                "form": form,
                "open": failed == module,
            }
        )
    return await _page(
        request,
        principal,
        "consortium/tenant.html",
        title=detail.name,
        tenant=detail,
        status_text=t(f"web.consortium.status.{detail.status}"),
        modules=modules,
        created=request.query_params.get("created") == "1",
        saved=request.query_params.get("saved", ""),
        status_code=status_code,
    )


@post(
    "/admin/tenants/{slug:str}/modules/{module:str}", name="web.consortium.module", status_code=200
)
async def save_module(
    request: Request[Any, Any, Any], slug: FromPath[str], module: FromPath[str]
) -> Response[Any]:
    from tenants import services

    principal = await _admin(request)
    model = services.settings_model(module)  # 404 for a module that is not installed
    await services.get_tenant_row(slug)  # 404 for an unknown tenant
    data = await request.form()
    try:
        parsed = parse_form(model, data)
        detail = await services.tenant_detail(slug)
        # Fields the form cannot show (nested objects) keep their stored values.
        current = detail.module_settings.get(module) or {}
        shown = {n for n, i in model.model_fields.items() if shape_of(i).kind != "other"}
        await services.enable_module(
            slug,
            module,
            {**current, **parsed.model_dump(mode="json", include=shown)},
            actor=_actor(request, principal),
        )
    except RequestValidationError as exc:
        return await _tenant_page(
            request, principal, slug, failed=module, values=data, errors=exc, status_code=422
        )
    return Redirect(f"{ROOT}/tenants/{slug}?saved={module}", status_code=303)


@post(
    "/admin/tenants/{slug:str}/modules/{module:str}/disable",
    name="web.consortium.module.off",
    status_code=303,
)
async def disable_module(
    request: Request[Any, Any, Any], slug: FromPath[str], module: FromPath[str]
) -> Redirect:
    from tenants import services

    principal = await _admin(request)
    await services.disable_module(slug, module, actor=_actor(request, principal))
    return Redirect(f"{ROOT}/tenants/{slug}?saved={module}", status_code=303)


@post("/admin/tenants/{slug:str}/{action:str}", name="web.consortium.status", status_code=303)
async def change_status(
    request: Request[Any, Any, Any], slug: FromPath[str], action: FromPath[str]
) -> Redirect:
    from tenants import services

    principal = await _admin(request)
    target = {"suspend": "suspended", "resume": "active"}.get(action)
    if target is None:
        raise NotFound()
    await services.set_status(slug, target, actor=_actor(request, principal))
    return Redirect(
        f"{ROOT}/?done={'suspended' if target == 'suspended' else 'resumed'}", status_code=303
    )


# -- usage statistics ------------------------------------------------------------------------------


@get("/admin/stats", name="web.consortium.stats")
async def stats_page(request: Request[Any, Any, Any]) -> Template:
    from core.reports.rendering import bar_chart_svg
    from tenants import services

    principal = await _admin(request)
    slugs = request.query_params.getall("tenant", []) or None
    stats = await services.usage_stats(_actor(request, principal), slugs=slugs)
    rows: list[dict[str, Any]] = [
        {
            "slug": s.slug,
            "status": t(f"web.consortium.status.{s.status}"),
            "members": s.members,
            "modules": len(s.modules),
            "people": s.rows.get("beneficiary", 0),
            "appointments": s.rows.get("appointment", 0),
        }
        for s in stats.tenants
    ]
    chart_title = t("web.consortium.chart_people")
    chart = bar_chart_svg(
        [r["slug"] for r in rows], [float(r["people"]) for r in rows], title=chart_title
    )
    members_chart = bar_chart_svg(
        [r["slug"] for r in rows],
        [float(r["members"]) for r in rows],
        title=t("web.consortium.chart_members"),
    )
    return await _page(
        request,
        principal,
        "consortium/stats.html",
        title=t("web.consortium.stats"),
        rows=rows,
        chart=Markup(chart),
        chart_title=chart_title,
        members_chart=Markup(members_chart),
        totals=stats.totals,
    )


def consortium_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            tenants_page,
            new_tenant,
            create_tenant,
            stats_page,
            tenant_page,
            save_module,
            disable_module,
            change_status,
        ],
        include_in_schema=False,
    )
