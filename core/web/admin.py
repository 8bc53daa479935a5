"""Tenant administration pages: staff accounts and roles (invite, reset password, deactivate
with caseload handover), operating hours and extra holidays, each enabled module's settings
(a form rendered from the module's own settings model) and time-limited access for a
consortium administrator.

Every action calls the service the JSON API calls (`core.auth`, `core.staff`,
`core.scheduling`, `tenants.services`), so permissions, validation and audit are the same.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from core import clock
from core.context import RequestContext
from core.errors import AppError, FieldError, NotFound, RequestValidationError
from core.i18n import get_language, t
from core.plugin_host import get_host
from core.web.forms import parse_form, render_form
from core.web.pages import csrf_token, localized, render

Ctx = NamedDependency[RequestContext]
MANAGE = "accounts.manage"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _root(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/admin"


def _label(key: str) -> dict[str, Any]:
    return {
        "label_el": t(f"web.admin.field.{key}", "el"),
        "label_en": t(f"web.admin.field.{key}", "en"),
    }


def _roles() -> tuple[str, ...]:
    return tuple(sorted(r.code for r in get_host().roles() if r.code != "consortium_admin"))


def _invite_model() -> type[BaseModel]:
    roles = _roles()
    role_labels: dict[str, Any] = {
        lang: {r.code: localized(r, "title", lang) or r.code for r in get_host().roles()}
        for lang in ("el", "en")
    }
    from typing import Literal

    return create_model(
        "InviteForm",
        __config__=ConfigDict(extra="ignore"),
        username=(
            str,
            Field(
                min_length=3,
                max_length=150,
                json_schema_extra={**_label("username"), "autocomplete": "off"},
            ),
        ),
        display_name=(
            str,
            Field(min_length=2, max_length=200, json_schema_extra=_label("display_name")),
        ),
        email=(
            str,
            Field(
                default="", max_length=200, json_schema_extra={**_label("email"), "widget": "email"}
            ),
        ),
        roles=(
            list[Literal[roles]],  # type: ignore[valid-type]
            Field(
                min_length=1,
                json_schema_extra={
                    **_label("roles"),
                    "options_el": role_labels["el"],
                    "options_en": role_labels["en"],
                },
            ),
        ),
    )


class GrantForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: str = Field(
        min_length=1,
        max_length=150,
        json_schema_extra={
            "label_el": "Όνομα χρήστη διαχειριστή κοινοπραξίας",
            "label_en": "Consortium administrator's username",
        },
    )
    hours: int = Field(
        default=8,
        ge=1,
        le=720,
        json_schema_extra={"label_el": "Διάρκεια (ώρες)", "label_en": "Duration (hours)"},
    )


class HolidayForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    date: dt.date = Field(json_schema_extra={"label_el": "Ημερομηνία", "label_en": "Date"})
    name_el: str = Field(
        min_length=2,
        max_length=200,
        json_schema_extra={"label_el": "Ονομασία", "label_en": "Name (Greek)"},
    )
    name_en: str = Field(
        default="",
        max_length=200,
        json_schema_extra={"label_el": "Ονομασία (αγγλικά)", "label_en": "Name (English)"},
    )
    recurring: bool = Field(
        default=False, json_schema_extra={"label_el": "Κάθε χρόνο", "label_en": "Every year"}
    )


def _hours_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        day: (
            str,
            Field(
                default="",
                max_length=40,
                json_schema_extra={
                    "label_el": t(f"web.calendar.weekday.{i}", "el"),
                    "label_en": t(f"web.calendar.weekday.{i}", "en"),
                    "help_el": "π.χ. 08:00-15:00 ή 08:00-12:00, 17:00-20:00· κενό: κλειστά"
                    if i == 0
                    else "",
                    "help_en": "e.g. 08:00-15:00 or 08:00-12:00, 17:00-20:00; empty: closed"
                    if i == 0
                    else "",
                },
            ),
        )
        for i, day in enumerate(WEEKDAYS)
    }
    return create_model("HoursForm", __config__=ConfigDict(extra="ignore"), **fields)


HoursForm = _hours_model()


def _hours_text(hours: dict[str, Any]) -> dict[str, str]:
    return {day: ", ".join(f"{a}-{b}" for a, b in hours.get(day) or []) for day in WEEKDAYS}


def _hours_value(form: BaseModel) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        text = str(getattr(form, day) or "").strip()
        if not text:
            continue
        spans = []
        for part in text.split(","):
            start, _, end = part.strip().partition("-")
            if not start or not end:
                raise RequestValidationError.single(day, "invalid_hours")
            spans.append([start.strip(), end.strip()])
        out[day] = spans
    return out


# -- the overview page --------------------------------------------------------------------------


async def _overview(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    invite_values: Any = None,
    invite_errors: Any = None,
    grant_errors: Any = None,
    grant_values: Any = None,
    message: str = "",
    notice: str = "",
    reset_url: str = "",
    status_code: int = 200,
) -> Template:
    from core.auth import services as auth
    from core.staff import services as staff

    accounts = (await auth.list_staff_accounts(ctx, limit=200, cursor=None)).items
    profiles, _ = await staff.list_staff(active=True, limit=200)
    by_user = {p["user_id"]: p for p in profiles if p["user_id"]}
    token = csrf_token(request.scope)
    modules = [
        {"slug": slug, "title": localized(get_host().modules[slug].manifest, "title")}
        for slug in sorted(ctx.tenant.modules)
        if slug in get_host().modules
    ]
    return await render(
        request,
        "admin/overview.html",
        ctx=ctx,
        title=t("web.admin.title"),
        accounts=[
            {
                "user_id": str(a.user_id),
                "username": a.username,
                "name": a.display_name or a.username,
                "roles": ", ".join(a.roles),
                "active": a.active,
                "consortium": a.is_consortium_admin,
                "expires": a.expires_at.strftime("%d/%m/%Y %H:%M") if a.expires_at else "",
                "caseload": (by_user.get(a.user_id) or {}).get("caseload", 0),
                "self": a.user_id == ctx.user_id,
            }
            for a in accounts
        ],
        colleagues=[{"id": str(p["id"]), "name": p["display_name"]} for p in profiles],
        invite_form=render_form(
            _invite_model(),
            action=f"{_root(ctx)}/invite",
            values=invite_values,
            errors=invite_errors,
            csrf_token=token,
            submit_label=t("web.admin.invite"),
            id_prefix="invite",
        ),
        grant_form=render_form(
            GrantForm,
            action=f"{_root(ctx)}/consortium-access",
            values=grant_values,
            errors=grant_errors,
            csrf_token=token,
            submit_label=t("web.admin.grant"),
            id_prefix="grant",
        ),
        modules=modules,
        message=message,
        notice=notice,
        reset_url=reset_url,
        status_code=status_code,
    )


@get("/admin", name="web.admin")
async def overview(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(MANAGE)
    done = request.query_params.get("done", "")
    notice = t(f"web.admin.done.{done}") if done else ""
    return await _overview(request, ctx, notice="" if notice.startswith("web.") else notice)


@post("/admin/invite", name="web.admin.invite", status_code=200)
async def invite(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    from core.audit.writer import record
    from core.auth import accounts
    from core.auth import services as auth
    from tenants import services as tenants

    ctx.require(MANAGE)
    data = await request.form()
    try:
        form: Any = parse_form(_invite_model(), data)
        user_id = await accounts.create_user(
            form.username,
            secrets.token_urlsafe(24),  # never told to anyone: the link sets the real one
            display_name=form.display_name,
            email=form.email,
        )
        await tenants.add_membership(
            ctx.tenant.slug, user_id, list(form.roles), granted_by=ctx.user_id
        )
        await record(ctx, "create", "membership", user_id, details={"roles": list(form.roles)})
        url, _ = await auth.issue_reset_link(ctx, user_id)
    except RequestValidationError as exc:
        return await _overview(request, ctx, invite_values=data, invite_errors=exc, status_code=422)
    except AppError as exc:
        errors = {"username": exc.detail} if exc.code == "duplicate_username" else None
        if errors is None:
            raise
        return await _overview(
            request, ctx, invite_values=data, invite_errors=errors, status_code=409
        )
    return await _overview(
        request,
        ctx,
        notice=t("web.admin.invited", username=form.username),
        reset_url=_absolute(request, url),
    )


def _absolute(request: Request[Any, Any, Any], path: str) -> str:
    return str(request.base_url).rstrip("/") + path


@post("/admin/accounts/{user_id:uuid}/reset-password", name="web.admin.reset", status_code=200)
async def reset(
    request: Request[Any, Any, Any], ctx: Ctx, user_id: FromPath[UUID]
) -> Response[Any]:
    from core.auth import services as auth

    ctx.require(MANAGE)
    url, _ = await auth.issue_reset_link(ctx, user_id)
    return await _overview(
        request, ctx, notice=t("web.admin.reset_issued"), reset_url=_absolute(request, url)
    )


@post("/admin/accounts/{user_id:uuid}/deactivate", name="web.admin.deactivate", status_code=200)
async def deactivate(
    request: Request[Any, Any, Any], ctx: Ctx, user_id: FromPath[UUID]
) -> Response[Any]:
    from core.auth import services as auth
    from core.staff import services as staff
    from core.staff.schemas import StaffUpdate

    ctx.require(MANAGE)
    data = await request.form()
    profile = await staff.staff_for_user(user_id)
    try:
        if profile is not None and profile.get("active"):
            handover = (data.get("handover_to") or "").strip()
            try:
                target = UUID(handover) if handover else None
            except ValueError:
                raise RequestValidationError.single("handover_to", "uuid_parsing") from None
            await staff.update_staff(
                ctx,
                profile["id"],
                StaffUpdate(active=False, handover_to=target),
                ctx.tenant.modules,
            )
        await auth.deactivate_member(ctx, user_id)
    except RequestValidationError as exc:
        return await _overview(request, ctx, message=exc.errors[0].message, status_code=422)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        return await _overview(request, ctx, message=exc.detail, status_code=exc.status_code)
    return Redirect(f"{_root(ctx)}?done=deactivated", status_code=303)


@post("/admin/consortium-access", name="web.admin.grant", status_code=200)
async def grant(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    from core.auth import services as auth
    from core.auth.schemas import ConsortiumAccessIn
    from core.auth.tables import User

    ctx.require(MANAGE)
    data = await request.form()
    try:
        form = parse_form(GrantForm, data)
        row = await User.select(User.id).where(User.username == form.username.strip()).first()
        if row is None:
            raise RequestValidationError.single("username", "not_consortium_admin")
        try:
            await auth.grant_consortium_access(
                ctx, ConsortiumAccessIn(user_id=row["id"], hours=form.hours)
            )
        except RequestValidationError as exc:
            raise RequestValidationError(
                errors=[type(e)("username", e.code, e.message) for e in exc.errors]
            ) from None
    except RequestValidationError as exc:
        return await _overview(request, ctx, grant_values=data, grant_errors=exc, status_code=422)
    return Redirect(f"{_root(ctx)}?done=granted", status_code=303)


# -- hours and holidays ---------------------------------------------------------------------------


async def _hours_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    hours_values: Any = None,
    hours_errors: Any = None,
    holiday_values: Any = None,
    holiday_errors: Any = None,
    status_code: int = 200,
) -> Template:
    from core.scheduling import services as scheduling
    from tenants import services as tenants

    profile = await tenants.get_profile(ctx.tenant)
    if hours_values is None:
        hours_values = _hours_text(profile.operating_hours or {})
    year = clock.today(ctx.tenant).year
    holidays = [
        d
        for y in (year, year + 1)
        for d in await scheduling.tenant_holidays(ctx.tenant, y)
        if d.source != "national"
    ]
    token = csrf_token(request.scope)
    return await render(
        request,
        "admin/hours.html",
        ctx=ctx,
        title=t("web.admin.hours"),
        hours_form=render_form(
            HoursForm,
            action=f"{_root(ctx)}/hours",
            values=hours_values,
            errors=hours_errors,
            csrf_token=token,
            submit_label=t("web.admin.save"),
            id_prefix="hours",
        ),
        holiday_form=render_form(
            HolidayForm,
            action=f"{_root(ctx)}/holidays",
            values=holiday_values,
            errors=holiday_errors,
            csrf_token=token,
            submit_label=t("web.admin.add_holiday"),
            id_prefix="holiday",
        ),
        holidays=[
            {
                "date": d.day.strftime("%d/%m/%Y"),
                "name": (d.name_en if get_language() == "en" else "") or d.name_el,
            }
            for d in holidays
        ],
        saved=request.query_params.get("saved", ""),
        status_code=status_code,
    )


@get("/admin/hours", name="web.admin.hours")
async def hours_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require("tenant.admin")
    return await _hours_page(request, ctx)


@post("/admin/hours", name="web.admin.hours.save", status_code=200)
async def save_hours(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    from tenants import services as tenants
    from tenants.schemas import ProfileUpdate

    ctx.require("tenant.admin")
    data = await request.form()
    try:
        form = parse_form(HoursForm, data)
        try:
            update = ProfileUpdate(operating_hours=_hours_value(form))
        except Exception as exc:
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            raise RequestValidationError.single("mon", "invalid_hours") from None
        await tenants.update_profile(ctx, update)
    except RequestValidationError as exc:
        return await _hours_page(request, ctx, hours_values=data, hours_errors=exc, status_code=422)
    return Redirect(f"{_root(ctx)}/hours?saved=hours", status_code=303)


@post("/admin/holidays", name="web.admin.holidays.add", status_code=200)
async def add_holiday(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    from core.scheduling import services as scheduling
    from core.scheduling.schemas import LocalHolidayCreate

    ctx.require("scheduling.admin")
    data = await request.form()
    try:
        form = parse_form(HolidayForm, data)
        await scheduling.create_local_holiday(ctx, LocalHolidayCreate(**form.model_dump()))
    except RequestValidationError as exc:
        return await _hours_page(
            request, ctx, holiday_values=data, holiday_errors=exc, status_code=422
        )
    except AppError as exc:
        return await _hours_page(
            request,
            ctx,
            holiday_values=data,
            holiday_errors={"date": exc.detail},
            status_code=exc.status_code,
        )
    return Redirect(f"{_root(ctx)}/hours?saved=holiday", status_code=303)


# -- module settings ----------------------------------------------------------------------


async def _module_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    module: str,
    *,
    values: Any = None,
    errors: Any = None,
    status_code: int = 200,
) -> Template:
    from tenants import services as tenants

    model = tenants.settings_model(module)
    if values is None:
        values = await tenants.get_module_settings(ctx.tenant, module)
    info = get_host().modules[module]
    return await render(
        request,
        "admin/module.html",
        ctx=ctx,
        title=localized(info.manifest, "title"),
        form=render_form(
            model,
            action=f"{_root(ctx)}/modules/{module}",
            values=values,
            errors=errors,
            csrf_token=csrf_token(request.scope),
            submit_label=t("web.admin.save"),
            id_prefix="settings",
        ),
        saved=request.query_params.get("saved") == "1",
        status_code=status_code,
    )


def _enabled(ctx: RequestContext, module: str) -> None:
    if module not in ctx.tenant.modules or module not in get_host().modules:
        raise NotFound()


@get("/admin/modules/{module:str}", name="web.admin.module")
async def module_page(request: Request[Any, Any, Any], ctx: Ctx, module: FromPath[str]) -> Template:
    ctx.require("modules.settings")
    _enabled(ctx, module)
    return await _module_page(request, ctx, module)


@post("/admin/modules/{module:str}", name="web.admin.module.save", status_code=200)
async def save_module(
    request: Request[Any, Any, Any], ctx: Ctx, module: FromPath[str]
) -> Response[Any]:
    from tenants import services as tenants

    ctx.require("modules.settings")
    _enabled(ctx, module)
    data = await request.form()
    model = tenants.settings_model(module)
    current = (await tenants.get_module_settings(ctx.tenant, module)).model_dump(mode="json")
    try:
        parsed = parse_form(model, data)
        # Fields the form cannot show (nested objects) keep their stored values.
        await tenants.update_module_settings(
            ctx, module, {**current, **parsed.model_dump(mode="json", include=set(_shown(model)))}
        )
    except RequestValidationError as exc:
        return await _module_page(request, ctx, module, values=data, errors=exc, status_code=422)
    return Redirect(f"{_root(ctx)}/modules/{module}?saved=1", status_code=303)


# -- units -----------------------------------------------------------------------------------------

UNITS = "staff.manage"
UNIT_KINDS = (
    "community_centre",
    "roma_branch",
    "family_support_centre",
    "help_at_home_unit",
    "social_welfare",
    "food_bank",
    "other",
)


def _unit_model(*, create: bool) -> type[BaseModel]:
    """Create (code, names, kind) or rename (names): the API's `UnitCreate`/`UnitUpdate`
    validate what is submitted; this model only renders and collects."""
    from typing import Literal

    fields: dict[str, Any] = {}
    if create:
        fields["code"] = (
            str,
            Field(
                min_length=1,
                max_length=64,
                json_schema_extra={
                    **_label("unit_code"),
                    "help_el": t("web.admin.help.unit_code", "el"),
                    "help_en": t("web.admin.help.unit_code", "en"),
                    "autocomplete": "off",
                },
            ),
        )
    fields["name_el"] = (
        str,
        Field(min_length=1, max_length=200, json_schema_extra=_label("name_el")),
    )
    fields["name_en"] = (
        str,
        Field(default="", max_length=200, json_schema_extra=_label("name_en")),
    )
    if create:
        fields["kind"] = (
            Literal[UNIT_KINDS],  # type: ignore[valid-type]
            Field(
                default="other",
                json_schema_extra={
                    **_label("unit_kind"),
                    **{
                        f"options_{lang}": {k: t(f"staff.unit_kind.{k}", lang) for k in UNIT_KINDS}
                        for lang in ("el", "en")
                    },
                },
            ),
        )
    return create_model(
        "UnitCreateForm" if create else "UnitRenameForm",
        __config__=ConfigDict(extra="ignore"),
        **fields,
    )


async def _units_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    create_values: Any = None,
    create_errors: Any = None,
    rename: tuple[UUID, Any, Any] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Template:
    from core.staff import services as staff

    token = csrf_token(request.scope)
    lang = get_language()
    units = []
    for u in await staff.list_units():
        own = rename is not None and rename[0] == u["id"]
        units.append(
            {
                "id": str(u["id"]),
                "code": u["code"],
                "name": u[f"name_{lang}"] or u["name_el"],
                "kind": t(f"staff.unit_kind.{u['kind']}"),
                "active": u["active"],
                "open": own,
                "form": render_form(
                    _unit_model(create=False),
                    action=f"{_root(ctx)}/units/{u['id']}/rename",
                    values=rename[1]
                    if own and rename
                    else {"name_el": u["name_el"], "name_en": u["name_en"]},
                    errors=rename[2] if own and rename else None,
                    csrf_token=token,
                    submit_label=t("web.admin.unit_rename"),
                    id_prefix=f"unit-{u['id']}",
                ),
            }
        )
    units.sort(key=lambda u: (not u["active"], u["name"].lower()))
    return await render(
        request,
        "admin/units.html",
        ctx=ctx,
        title=t("web.admin.units"),
        units=units,
        create_form=render_form(
            _unit_model(create=True),
            action=f"{_root(ctx)}/units",
            values=create_values,
            errors=create_errors,
            csrf_token=token,
            submit_label=t("web.admin.unit_create"),
            id_prefix="unit",
        ),
        notice=notice,
        status_code=status_code,
    )


@get("/admin/units", name="web.admin.units")
async def units_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(UNITS)
    done = request.query_params.get("done", "")
    notice = t(f"web.admin.done.{done}") if done else ""
    return await _units_page(request, ctx, notice="" if notice.startswith("web.") else notice)


def _unit_errors(exc: AppError) -> RequestValidationError:
    if isinstance(exc, RequestValidationError):
        return exc
    return RequestValidationError(errors=[FieldError("code", exc.code, exc.detail)])


@post("/admin/units", name="web.admin.units.create", status_code=200)
async def create_unit(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    from core.staff import services as staff
    from core.staff.schemas import UnitCreate

    ctx.require(UNITS)
    data = await request.form()
    try:
        form: Any = parse_form(_unit_model(create=True), data)
        try:
            body = UnitCreate(
                code=form.code.strip(), name_el=form.name_el, name_en=form.name_en, kind=form.kind
            )
        except ValidationError as exc:
            raise RequestValidationError.from_pydantic(exc) from None
        await staff.create_unit(ctx, body)
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return await _units_page(
            request,
            ctx,
            create_values=data,
            create_errors=_unit_errors(exc),
            status_code=exc.status_code,
        )
    return Redirect(f"{_root(ctx)}/units?done=unit_created", status_code=303)


@post("/admin/units/{unit_id:uuid}/rename", name="web.admin.units.rename", status_code=200)
async def rename_unit(
    request: Request[Any, Any, Any], ctx: Ctx, unit_id: FromPath[UUID]
) -> Response[Any]:
    from core.staff import services as staff
    from core.staff.schemas import UnitUpdate

    ctx.require(UNITS)
    await staff.get_unit(unit_id)  # another tenant's unit: 404 before anything else
    data = await request.form()
    try:
        form: Any = parse_form(_unit_model(create=False), data)
        try:
            body = UnitUpdate(name_el=form.name_el, name_en=form.name_en)
        except ValidationError as exc:
            raise RequestValidationError.from_pydantic(exc) from None
        await staff.update_unit(ctx, unit_id, body)
    except RequestValidationError as exc:
        return await _units_page(request, ctx, rename=(unit_id, data, exc), status_code=422)
    return Redirect(f"{_root(ctx)}/units?done=unit_renamed", status_code=303)


@post("/admin/units/{unit_id:uuid}/active", name="web.admin.units.active", status_code=200)
async def unit_active(
    request: Request[Any, Any, Any], ctx: Ctx, unit_id: FromPath[UUID]
) -> Response[Any]:
    """Deactivate (or reactivate) a unit: it stays in history, it is no longer offered."""
    from core.staff import services as staff
    from core.staff.schemas import UnitUpdate

    ctx.require(UNITS)
    await staff.get_unit(unit_id)
    data = await request.form()
    active = (data.get("active") or "").lower() == "true"
    await staff.update_unit(ctx, unit_id, UnitUpdate(active=active))
    done = "unit_activated" if active else "unit_deactivated"
    return Redirect(f"{_root(ctx)}/units?done={done}", status_code=303)


@post("/admin/consortium-access/{user_id:uuid}/revoke", name="web.admin.revoke", status_code=200)
async def revoke(
    request: Request[Any, Any, Any], ctx: Ctx, user_id: FromPath[UUID]
) -> Response[Any]:
    """End a consortium administrator's access to this tenant before it expires."""
    from core.auth import services as auth

    ctx.require(MANAGE)
    await auth.revoke_consortium_access(ctx, user_id)  # not theirs to revoke here: 404
    return Redirect(f"{_root(ctx)}?done=revoked", status_code=303)


def _shown(model: type[BaseModel]) -> list[str]:
    from core.web.forms import shape_of

    return [name for name, info in model.model_fields.items() if shape_of(info).kind != "other"]


def admin_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            overview,
            invite,
            reset,
            deactivate,
            grant,
            hours_page,
            save_hours,
            add_holiday,
            module_page,
            save_module,
            units_page,
            create_unit,
            rename_unit,
            unit_active,
            revoke,
        ],
    )
