"""The pages of the staff UI that core owns: signing in and out, the second factor, the
tenant picker, the tenant home and the reports.

Signing in reuses `core.auth.services` (limits, lockout, audit, sessions) exactly as the JSON
API does; these handlers only translate between forms and those services. The session lives
in the HttpOnly cookie `merimna_session`, without Max-Age: it ends when the browser closes, and
the server ends it after `MERIMNA_TOKEN_TTL_SECONDS` whatever the browser does; a page asked
for with a dead session leads back to the login page with a message (`core.web.middleware`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from core import clock
from core.auth import services
from core.auth.sessions import Principal, authenticate
from core.context import SESSION_COOKIE, RequestContext, client_address
from core.errors import AppError, Conflict, RequestValidationError
from core.i18n import t
from core.manifest import AgendaEntry, Task, Tile
from core.plugin_host import get_host
from core.settings import Settings, get_settings
from core.web.forms import parse_form, render_form
from core.web.pages import csrf_token, localized, render, tenant_href, user_view

MFA_COOKIE = "merimna_mfa"


# -- forms ----------------------------------------------------------------------------------


class LoginForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: str = Field(
        max_length=150,
        title="Username",
        json_schema_extra={
            "label_el": "Όνομα χρήστη",
            "label_en": "Username",
            "autocomplete": "username",
        },
    )
    password: SecretStr = Field(
        max_length=256,
        title="Password",
        json_schema_extra={
            "label_el": "Κωδικός πρόσβασης",
            "label_en": "Password",
            "autocomplete": "current-password",
        },
    )


class CodeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str = Field(
        max_length=40,
        title="Verification code",
        json_schema_extra={
            "label_el": "Κωδικός επαλήθευσης",
            "label_en": "Verification code",
            "help_el": "6 ψηφία από την εφαρμογή επαλήθευσης ή ένας κωδικός ανάκτησης.",
            "help_en": "6 digits from the authenticator app, or a recovery code.",
            "autocomplete": "one-time-code",
        },
    )


class NewPasswordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    new_password: SecretStr = Field(
        max_length=256,
        title="New password",
        json_schema_extra={
            "label_el": "Νέος κωδικός πρόσβασης",
            "label_en": "New password",
            "help_el": "Όχι ένας συνηθισμένος κωδικός ούτε το όνομα χρήστη σας.",
            "help_en": "Not a common password, and not your username.",
            "autocomplete": "new-password",
        },
    )


# -- helpers --------------------------------------------------------------------------------


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def _client(request: Request[Any, Any, Any]) -> services.Client:
    return services.Client(
        address=client_address(request.scope),
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
    )


def _cookie(key: str, value: str, settings: Settings, **extra: Any) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path=extra.pop("path", "/"),
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        **extra,
    )


def _session_cookie(token: str, settings: Settings) -> Cookie:
    # No Max-Age: a browser session cookie (shared office computers); the server's TTL
    # ends the session in any case.
    return _cookie(SESSION_COOKIE, token, settings)


def _expired(key: str, settings: Settings, path: str = "/") -> Cookie:
    return _cookie(key, "", settings, path=path, max_age=0)


def safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in; anything else (another site) is dropped."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\r\n\\") or target.split("?")[0] in ("/", "/login", "/logout"):
        return None
    return target


async def _principal(request: Request[Any, Any, Any]) -> Principal | None:
    """The signed-in user of a page outside any tenant (the cookie only: pages are for
    browsers; a bearer token is for the API)."""
    return await authenticate(request.cookies.get(SESSION_COOKIE))


def _login_redirect(request: Request[Any, Any, Any], *, expired: bool) -> Redirect:
    params = {"next": request.url.path}
    if expired:
        params["reason"] = "expired"
    return Redirect(f"/login?{urlencode(params)}", status_code=303)


def _has_route(request: Request[Any, Any, Any], path: str) -> bool:
    return any(route.path.rstrip("/") == path.rstrip("/") for route in request.app.routes)


async def landing(
    request: Request[Any, Any, Any], user_id: Any, *, consortium_admin: bool, enrolment: bool
) -> str:
    """Where a signed-in user starts: the MFA enrolment when it is due, the consortium
    console for its administrators, their one tenant, or the tenant picker."""
    if enrolment:
        return "/account/mfa"
    if consortium_admin and _has_route(request, "/admin"):
        return "/admin/"
    access = [a for a in await services.tenant_access(user_id) if a.status == "active"]
    if len(access) == 1:
        return f"/t/{access[0].slug}/"
    return "/tenants"


# -- signing in -----------------------------------------------------------------------------


async def _login_page(
    request: Request[Any, Any, Any],
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    notice: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    next_path = safe_next(request.query_params.get("next")) or ""
    if values is not None and hasattr(values, "get"):
        next_path = safe_next(values.get("next")) or next_path
    form = render_form(
        LoginForm,
        action="/login",
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.login.submit"),
        hidden={"next": next_path} if next_path else None,
        id_prefix="login",
    )
    return await render(
        request,
        "login.html",
        title=t("web.login.title"),
        form=form,
        message=message,
        info=notice,
        status_code=status_code,
        headers=headers,
    )


@get(["/", "/login"], name="web.login")
async def login_page(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = await _principal(request)
    if principal is not None:
        target = await landing(
            request,
            principal.user_id,
            consortium_admin=principal.is_consortium_admin,
            enrolment=principal.enrolment_only,
        )
        if not principal.enrolment_only:
            target = safe_next(request.query_params.get("next")) or target
        return Redirect(target, status_code=303)
    reason = request.query_params.get("reason", "")
    notice = t(f"web.login.reason.{reason}") if reason else ""
    if notice.startswith("web.login.reason."):
        notice = ""
    return await _login_page(request, notice=notice)


@post("/login", name="web.login.submit", status_code=200)
async def login_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    data = await request.form()
    settings = _settings(request)
    try:
        form = parse_form(LoginForm, data)
    except RequestValidationError as exc:
        return await _login_page(request, values=data, errors=exc, status_code=422)
    try:
        result = await services.login(
            form.username,
            form.password.get_secret_value(),
            settings=settings,
            client=_client(request),
            cookie=True,
        )
    except services.TooManyAttempts as exc:
        return await _login_page(
            request,
            values=data,
            message=exc.detail,
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except AppError as exc:
        return await _login_page(
            request, values=data, message=exc.detail, status_code=exc.status_code
        )
    next_path = safe_next(data.get("next"))
    if isinstance(result, services.MfaChallenge):
        query = f"?{urlencode({'next': next_path})}" if next_path else ""
        pending = _cookie(
            MFA_COOKIE, result.token, settings, path="/login", max_age=services.MFA_TOKEN_TTL
        )
        return Redirect(f"/login/mfa{query}", status_code=303, cookies=[pending])
    return await _signed_in(request, result, next_path)


async def _signed_in(
    request: Request[Any, Any, Any], signed: services.SignedIn, next_path: str | None
) -> Redirect:
    settings = _settings(request)
    target = await landing(
        request,
        signed.user.id,
        consortium_admin=signed.user.is_consortium_admin,
        enrolment=signed.enrolment_only,
    )
    if next_path and not signed.enrolment_only:
        target = next_path
    cookies = [_session_cookie(signed.token, settings), _expired(MFA_COOKIE, settings, "/login")]
    return Redirect(target, status_code=303, cookies=cookies)


async def _mfa_page(
    request: Request[Any, Any, Any],
    *,
    errors: Any = None,
    message: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    next_path = safe_next(request.query_params.get("next"))
    action = "/login/mfa" + (f"?{urlencode({'next': next_path})}" if next_path else "")
    form = render_form(
        CodeForm,
        action=action,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.mfa.submit"),
        id_prefix="mfa",
    )
    return await render(
        request,
        "login_mfa.html",
        title=t("web.mfa.title"),
        form=form,
        message=message,
        status_code=status_code,
        headers=headers,
    )


@get("/login/mfa", name="web.login.mfa")
async def mfa_page(request: Request[Any, Any, Any]) -> Response[Any]:
    if not request.cookies.get(MFA_COOKIE):
        return Redirect("/login?reason=mfa_expired", status_code=303)
    return await _mfa_page(request)


@post("/login/mfa", name="web.login.mfa.submit", status_code=200)
async def mfa_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    settings = _settings(request)
    token = request.cookies.get(MFA_COOKIE)
    if not token:
        return Redirect("/login?reason=mfa_expired", status_code=303)
    data = await request.form()
    try:
        form = parse_form(CodeForm, data)
        signed = await services.complete_mfa(
            token, form.code, settings=settings, client=_client(request), cookie=True
        )
    except RequestValidationError as exc:
        return await _mfa_page(request, errors=exc, status_code=422)
    except services.TooManyAttempts as exc:
        return await _mfa_page(
            request,
            message=exc.detail,
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except AppError as exc:
        if exc.code == "mfa_token_invalid":
            return Redirect(
                "/login?reason=mfa_expired",
                status_code=303,
                cookies=[_expired(MFA_COOKIE, settings, "/login")],
            )
        return await _mfa_page(request, message=exc.detail, status_code=exc.status_code)
    return await _signed_in(request, signed, safe_next(request.query_params.get("next")))


@post("/logout", name="web.logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    settings = _settings(request)
    tokens = [
        token
        for token in (request.cookies.get(SESSION_COOKIE), request.cookies.get(MFA_COOKIE))
        if token
    ]
    await services.logout(tokens, _client(request))
    return Redirect(
        "/login?reason=logged_out",
        status_code=303,
        cookies=[_expired(SESSION_COOKIE, settings), _expired(MFA_COOKIE, settings, "/login")],
    )


# -- outside a tenant, signed in --------------------------------------------------------------


@get("/tenants", name="web.tenants")
async def tenant_picker(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request, expired=SESSION_COOKIE in request.cookies)
    if principal.enrolment_only:
        return Redirect("/account/mfa", status_code=303)
    access = await services.tenant_access(principal.user_id)
    return await render(
        request,
        "tenants.html",
        user=await user_view(principal.user_id),
        title=t("web.tenants.title"),
        tenants=access,
        admin_href="/admin/"
        if principal.is_consortium_admin and _has_route(request, "/admin")
        else "",
    )


async def _account_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    *,
    step: str,
    form: Markup | None = None,
    status_code: int = 200,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    return await render(
        request,
        "account_mfa.html",
        user=await user_view(principal.user_id),
        title=t("web.account.mfa.title"),
        step=step,
        form=form,
        enrolment_required=principal.enrolment_only,
        status_code=status_code,
        cookies=cookies or [],
        **context,
    )


def _code_form(
    request: Request[Any, Any, Any], action: str, submit: str, errors: Any = None
) -> Markup:
    return render_form(
        CodeForm,
        action=action,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=submit,
        id_prefix="code",
    )


@get("/account/mfa", name="web.account.mfa")
async def account_mfa(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request, expired=SESSION_COOKIE in request.cookies)
    info = await services.me(principal)
    if info["mfa_enabled"]:
        form = _code_form(request, "/account/mfa/disable", t("web.account.mfa.disable"))
        return await _account_page(request, principal, step="enabled", form=form)
    done = request.query_params.get("done") == "disabled"
    return await _account_page(request, principal, step="start", done=done)


@post("/account/mfa/enrol", name="web.account.mfa.enrol", status_code=200)
async def account_mfa_enrol(request: Request[Any, Any, Any]) -> Response[Any]:
    from core.web.qr import qr_svg

    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request, expired=SESSION_COOKIE in request.cookies)
    try:
        secret, uri = await services.enrol_mfa(
            principal, settings=_settings(request), client=_client(request)
        )
    except Conflict:
        return Redirect("/account/mfa", status_code=303)
    form = _code_form(request, "/account/mfa/confirm", t("web.account.mfa.confirm"))
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return await _account_page(
        request,
        principal,
        step="scan",
        form=form,
        qr=Markup(qr_svg(uri, t("web.account.mfa.qr_label"))),
        secret=grouped,
    )


@post("/account/mfa/confirm", name="web.account.mfa.confirm", status_code=200)
async def account_mfa_confirm(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request, expired=SESSION_COOKIE in request.cookies)
    settings = _settings(request)
    data = await request.form()
    try:
        form = parse_form(CodeForm, data)
        codes, replacement = await services.confirm_mfa(
            principal, form.code, settings=settings, client=_client(request)
        )
    except RequestValidationError as exc:
        retry = _code_form(request, "/account/mfa/confirm", t("web.account.mfa.confirm"), exc)
        return await _account_page(request, principal, step="retry", form=retry, status_code=422)
    except services.TooManyAttempts as exc:
        retry = _code_form(request, "/account/mfa/confirm", t("web.account.mfa.confirm"))
        return await _account_page(
            request, principal, step="retry", form=retry, message=exc.detail, status_code=429
        )
    except Conflict:
        return Redirect("/account/mfa", status_code=303)
    cookies = []
    if replacement is not None:
        cookies.append(_session_cookie(replacement.token, settings))
        principal = await authenticate(replacement.token) or principal
    # Shown once: the page is never cached (security headers) and codes are stored hashed.
    return await _account_page(
        request,
        principal,
        step="codes",
        codes=codes,
        continue_href=await landing(
            request,
            principal.user_id,
            consortium_admin=principal.is_consortium_admin,
            enrolment=False,
        ),
        cookies=cookies,
    )


@post("/account/mfa/disable", name="web.account.mfa.disable", status_code=200)
async def account_mfa_disable(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request, expired=SESSION_COOKIE in request.cookies)
    data = await request.form()
    try:
        form = parse_form(CodeForm, data)
        await services.disable_mfa(
            principal, form.code, settings=_settings(request), client=_client(request)
        )
    except RequestValidationError as exc:
        retry = _code_form(request, "/account/mfa/disable", t("web.account.mfa.disable"), exc)
        return await _account_page(request, principal, step="enabled", form=retry, status_code=422)
    except services.TooManyAttempts as exc:
        retry = _code_form(request, "/account/mfa/disable", t("web.account.mfa.disable"))
        return await _account_page(
            request, principal, step="enabled", form=retry, message=exc.detail, status_code=429
        )
    except Conflict:
        pass
    return Redirect("/account/mfa?done=disabled", status_code=303)


@get("/reset-password/{token:str}", name="web.reset_password")
async def reset_password_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return await _reset_page(request, token)


async def _reset_page(
    request: Request[Any, Any, Any], token: str, errors: Any = None, status_code: int = 200
) -> Template:
    form = render_form(
        NewPasswordForm,
        action=f"/reset-password/{token}",
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.reset.submit"),
        id_prefix="reset",
    )
    return await render(
        request,
        "reset_password.html",
        title=t("web.reset.title"),
        form=form,
        status_code=status_code,
    )


@post("/reset-password/{token:str}", name="web.reset_password.submit", status_code=200)
async def reset_password_submit(
    request: Request[Any, Any, Any], token: FromPath[str]
) -> Response[Any]:
    data = await request.form()
    try:
        form = parse_form(NewPasswordForm, data)
        await services.reset_password(
            token,
            form.new_password.get_secret_value(),
            settings=_settings(request),
            client=_client(request),
        )
    except RequestValidationError as exc:
        return await _reset_page(request, token, exc, status_code=422)
    return Redirect("/login?reason=password_reset", status_code=303)


def platform_router() -> Router:
    """A new router per app (Litestar does not share handlers between applications)."""
    return Router(
        path="/",
        route_handlers=[
            login_page,
            login_submit,
            mfa_page,
            mfa_submit,
            logout,
            tenant_picker,
            account_mfa,
            account_mfa_enrol,
            account_mfa_confirm,
            account_mfa_disable,
            reset_password_page,
            reset_password_submit,
        ],
        include_in_schema=False,
    )


# -- inside a tenant (/t/{tenant}/...) --------------------------------------------------------


def _greeting(name: str, tz: str) -> str:
    hour = datetime.now(ZoneInfo(tz)).hour
    key = "web.home.greeting.morning" if 4 <= hour < 13 else "web.home.greeting.evening"
    return t(key, name=name)


def home_tiles(ctx: RequestContext) -> list[dict[str, str]]:
    """Tiles from the hook, plus one from the manifest of each enabled module without one."""
    offered: list[Tile] = list(ctx.hooks.home_tiles(ctx))
    tiles = [tile for tile in offered if tile.permission is None or ctx.has(tile.permission)]
    # A module that offers a tile the user may not see gets no fallback tile either: even its
    # name would tell staff outside it that the municipality runs it (a Roma branch, say).
    covered = {tile.module for tile in offered if tile.module}
    out = [
        {
            "title": localized(tile, "title"),
            "description": localized(tile, "description"),
            "href": tenant_href(ctx.tenant.slug, tile.path),
            "order": str(tile.order).zfill(6),
        }
        for tile in tiles
    ]
    modules = get_host().modules
    for slug in sorted(ctx.tenant.modules - covered):
        info = modules.get(slug)
        if info is None or not any(ctx.has(p.code) for p in info.manifest.permissions):
            continue
        out.append(
            {
                "title": localized(info.manifest, "title"),
                "description": localized(info.manifest, "description"),
                "href": "",
                "order": "zzzzzz",
            }
        )
    out.sort(key=lambda tile: (tile["order"], tile["title"]))
    return out


def _task_view(ctx: RequestContext, task: Task, today: date) -> dict[str, Any]:
    return {
        "title": task.title,
        "href": tenant_href(ctx.tenant.slug, task.path),
        "due": task.due.strftime("%d/%m/%Y") if task.due else "",
        "due_iso": task.due.isoformat() if task.due else "",
        "overdue": bool(task.due and task.due < today),
    }


def _agenda_view(ctx: RequestContext, entry: AgendaEntry, tz: ZoneInfo) -> dict[str, Any]:
    start = entry.start.astimezone(tz)
    end = entry.end.astimezone(tz) if entry.end else None
    return {
        "time": start.strftime("%H:%M") + (f"–{end.strftime('%H:%M')}" if end else ""),
        "datetime": entry.start.isoformat(),
        "title": entry.title,
        "detail": entry.detail,
        "href": tenant_href(ctx.tenant.slug, entry.path),
    }


@get("/", name="web.tenant.home")
async def tenant_home(
    request: Request[Any, Any, Any], ctx: NamedDependency[RequestContext]
) -> Template:
    tz = clock.zone(ctx.tenant)
    today = datetime.now(tz).date()
    tasks = await ctx.hooks.tasks(ctx)
    tasks.sort(key=lambda task: (task.due is None, task.due or today, task.title))
    agenda = await ctx.hooks.agenda(ctx, today)
    agenda.sort(key=lambda entry: entry.start)
    user = await user_view(ctx.user_id)
    return await render(
        request,
        "home.html",
        ctx=ctx,
        user=user,
        title=t("web.home.title"),
        greeting=_greeting(user.name if user else ctx.principal.username, str(tz)),
        tiles=home_tiles(ctx),
        tasks=[_task_view(ctx, task, today) for task in tasks],
        agenda=[_agenda_view(ctx, entry, tz) for entry in agenda],
        today=today,
    )


@get("/reports", name="web.tenant.reports")
async def reports_page(
    request: Request[Any, Any, Any], ctx: NamedDependency[RequestContext]
) -> Template:
    from core.reports.service import title_of, visible_reports

    reports = sorted(
        (
            {"title": title_of(spec), "href": f"reports/{spec.id}", "id": spec.id}
            for spec in visible_reports(ctx)
        ),
        key=lambda item: item["title"],
    )
    return await render(
        request, "reports.html", ctx=ctx, title=t("web.reports.title"), reports=reports
    )


@get("/reports/{report_id:str}", name="web.tenant.report")
async def report_page(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[RequestContext],
    report_id: FromPath[str],
) -> Template:
    from core.audit.writer import record
    from core.reports.rendering import chart_for, to_html_table
    from core.reports.service import find_report, run_report, title_of, titled_columns

    spec = find_report(ctx, report_id)
    query = request.query_params
    submitted = any(key != "lang" for key in query)
    errors: RequestValidationError | None = None
    params = None
    try:
        params = parse_form(spec.params_model, query)
    except RequestValidationError as exc:
        errors = exc if submitted else None
    title = title_of(spec)
    columns = titled_columns(spec)
    rows: list[dict[str, Any]] | None = None
    downloads: dict[str, str] = {}
    if params is not None:
        rows = await run_report(ctx, spec, params)
        await record(ctx, "read", "report", spec.id, details={"format": "html", "rows": len(rows)})
        kept = [(k, v) for k, v in query.multi_items() if k != "lang"]
        api = f"/api/v1/t/{ctx.tenant.slug}/reports/{spec.id}"
        downloads = {fmt: f"{api}?{urlencode([*kept, ('format', fmt)])}" for fmt in ("csv", "xlsx")}
    form = None
    if spec.params_model.model_fields:
        path = request.url.path
        form = render_form(
            spec.params_model,
            action=path,
            method="get",
            values=query if submitted else None,
            errors=errors,
            submit_label=t("web.reports.run"),
            attrs={
                "hx-get": path,
                "hx-target": "#report",
                "hx-select": "#report",
                "hx-swap": "outerHTML",
                "hx-push-url": "true",
            },
            id_prefix="param",
        )
    return await render(
        request,
        "report.html",
        ctx=ctx,
        title=title,
        report_id=spec.id,
        form=form,
        rows=rows,
        table=Markup(to_html_table(columns, rows)) if rows else None,
        chart=Markup(chart_for(columns, rows, title)) if rows else None,
        downloads=downloads,
        status_code=422 if errors else 200,
    )


def tenant_router() -> Router:
    return Router(path="/", route_handlers=[tenant_home, reports_page, report_page])
