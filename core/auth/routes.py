"""HTTP of the auth area: `/api/v1/auth/*` (platform) and staff accounts inside a tenant."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.auth import services
from core.auth.guards import principal_from
from core.auth.schemas import (
    ConsortiumAccessIn,
    ConsortiumAccessOut,
    DeactivatedOut,
    LoginIn,
    LoginOut,
    MeOut,
    MfaChallengeOut,
    MfaCodeIn,
    MfaConfirmOut,
    MfaEnrollOut,
    MfaLoginIn,
    PasswordChangeIn,
    PasswordResetIn,
    ResetLinkOut,
    StaffAccountOut,
)
from core.auth.sessions import Principal
from core.context import SESSION_COOKIE, RequestContext, client_address
from core.pagination import Page
from core.settings import Settings, get_settings

TAGS = ["auth"]


def _settings(request: Request[Any, Any, Any]) -> Settings:
    """The app's own settings (tests build apps with tighter limits), else the process's."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def _client(request: Request[Any, Any, Any]) -> services.Client:
    return services.Client(
        address=client_address(request.scope),
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
    )


def _session_cookie(token: str, max_age: int, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )


def _clear_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        path="/",
        max_age=0,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )


def _too_many(exc: services.TooManyAttempts) -> Response[Any]:
    """429 with Retry-After (the app's error handler sets no headers for AppError)."""
    return Response(
        exc.body(), status_code=exc.status_code, headers={"Retry-After": str(exc.retry_after)}
    )


def _signed_in_response(signed: services.SignedIn, settings: Settings) -> Response[LoginOut]:
    body = LoginOut(
        access_token=signed.token,
        expires_at=signed.expires_at,
        user=signed.user,
        tenants=signed.tenants,
        mfa_enrolment_required=signed.enrolment_only,
    )
    cookies = []
    if signed.kind == "cookie":
        cookies.append(_session_cookie(signed.token, settings.token_ttl_seconds, settings))
    return Response(body, status_code=200, cookies=cookies)


async def _principal(request: Request[Any, Any, Any]) -> Principal:
    return await principal_from(request, allow_enrolment=True)


# -- /api/v1/auth ---------------------------------------------------------------------------


@post(
    "/login",
    status_code=200,
    summary="Sign in with username and password",
    description='200 with a bearer token, or `{"mfa_required": true, "mfa_token"}` when '
    "the account has a second factor (complete with POST /api/v1/auth/mfa). Wrong "
    "credentials, an unknown user and a temporarily locked account all answer the same "
    "401 `invalid_credentials`. Too many attempts per account or address: 429 "
    '`rate_limited` with Retry-After. `"cookie": true` also sets the UI session cookie.',
)
async def login(request: Request[Any, Any, Any], data: JSONBody[LoginIn]) -> Response[Any]:
    settings = _settings(request)
    try:
        result = await services.login(
            data.username,
            data.password,
            settings=settings,
            client=_client(request),
            cookie=data.cookie,
        )
    except services.TooManyAttempts as exc:
        return _too_many(exc)
    if isinstance(result, services.MfaChallenge):
        return Response(
            MfaChallengeOut(mfa_token=result.token, expires_at=result.expires_at), status_code=200
        )
    return _signed_in_response(result, settings)


@post(
    "/mfa",
    status_code=200,
    summary="Complete a sign-in with the second factor",
    description="`code`: the 6-digit code of the authenticator app, or a recovery code "
    "(each works once).",
)
async def login_mfa(request: Request[Any, Any, Any], data: JSONBody[MfaLoginIn]) -> Response[Any]:
    settings = _settings(request)
    try:
        signed = await services.complete_mfa(
            data.mfa_token,
            data.code,
            settings=settings,
            client=_client(request),
            cookie=data.cookie,
        )
    except services.TooManyAttempts as exc:
        return _too_many(exc)
    return _signed_in_response(signed, settings)


@post("/logout", status_code=204, summary="Revoke the presented session and clear the cookie")
async def logout(request: Request[Any, Any, Any]) -> Response[None]:
    tokens = []
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        tokens.append(auth[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        tokens.append(cookie)
    await services.logout(tokens, _client(request))
    return Response(None, status_code=204, cookies=[_clear_cookie(_settings(request))])


@get("/me", summary="The signed-in user and the tenants they work in")
async def me(request: Request[Any, Any, Any]) -> MeOut:
    principal = await _principal(request)
    return MeOut(**await services.me(principal))


@post(
    "/password",
    status_code=204,
    summary="Change one's own password",
    description="Other sessions of the account are revoked; this one stays.",
)
async def change_password(
    request: Request[Any, Any, Any], data: JSONBody[PasswordChangeIn]
) -> Response[None]:
    principal = await _principal(request)
    try:
        await services.change_password(
            principal,
            data.current_password,
            data.new_password,
            settings=_settings(request),
            client=_client(request),
        )
    except services.TooManyAttempts as exc:
        return _too_many(exc)
    return Response(None, status_code=204)


@post(
    "/reset-password",
    status_code=204,
    summary="Set a new password with a one-time link",
    description="The token of a reset link from a tenant administrator; it works once, for "
    "24 hours, and every session of the account is revoked.",
)
async def reset_password(request: Request[Any, Any, Any], data: JSONBody[PasswordResetIn]) -> None:
    await services.reset_password(
        data.token, data.new_password, settings=_settings(request), client=_client(request)
    )


@post(
    "/mfa/enroll",
    status_code=200,
    summary="Start enrolling an authenticator app",
    description="Returns the TOTP secret and an otpauth:// URI (for a QR code); confirm "
    "with a code to turn the second factor on.",
)
async def mfa_enroll(request: Request[Any, Any, Any]) -> MfaEnrollOut:
    principal = await _principal(request)
    secret, uri = await services.enrol_mfa(
        principal, settings=_settings(request), client=_client(request)
    )
    return MfaEnrollOut(secret=secret, otpauth_uri=uri)


@post(
    "/mfa/confirm",
    status_code=200,
    summary="Turn the second factor on",
    description="Returns 10 recovery codes, shown this once. A session that was limited to "
    "enrolment is replaced: use the new access_token.",
)
async def mfa_confirm(request: Request[Any, Any, Any], data: JSONBody[MfaCodeIn]) -> Response[Any]:
    principal = await _principal(request)
    settings = _settings(request)
    try:
        codes, signed = await services.confirm_mfa(
            principal, data.code, settings=settings, client=_client(request)
        )
    except services.TooManyAttempts as exc:
        return _too_many(exc)
    body = MfaConfirmOut(recovery_codes=codes)
    cookies = []
    if signed is not None:
        body.access_token, body.token_type, body.expires_at = (
            signed.token,
            "bearer",
            signed.expires_at,
        )
        if signed.kind == "cookie":
            cookies.append(_session_cookie(signed.token, settings.token_ttl_seconds, settings))
    return Response(body, status_code=200, cookies=cookies)


@delete(
    "/mfa",
    status_code=204,
    summary="Turn the second factor off",
    description='Needs a current code (or a recovery code) in the body: `{"code"}`.',
)
async def mfa_disable(request: Request[Any, Any, Any], data: JSONBody[MfaCodeIn]) -> Response[None]:
    principal = await _principal(request)
    try:
        await services.disable_mfa(
            principal, data.code, settings=_settings(request), client=_client(request)
        )
    except services.TooManyAttempts as exc:
        return _too_many(exc)
    return Response(None, status_code=204)


def auth_router() -> Router:
    """A new router per app (handlers are not shared between two applications)."""
    return Router(
        path="/api/v1/auth",
        route_handlers=[
            login,
            login_mfa,
            logout,
            me,
            change_password,
            reset_password,
            mfa_enroll,
            mfa_confirm,
            mfa_disable,
        ],
        tags=TAGS,
    )


# -- /api/v1/t/{tenant}/... (tenant administrators) ---------------------------------------


@get(
    "/staff-accounts",
    tags=TAGS,
    summary="Staff accounts of this tenant",
    description="Every membership of the tenant with its account (tenant administrators).",
)
async def list_staff_accounts(
    ctx: NamedDependency[RequestContext],
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Page[StaffAccountOut]:
    return await services.list_staff_accounts(ctx, limit=limit, cursor=cursor)


@post(
    "/staff-accounts/{user_id:uuid}/reset-password",
    tags=TAGS,
    status_code=201,
    summary="Create a one-time password reset link (24 h)",
)
async def issue_reset_link(
    ctx: NamedDependency[RequestContext], user_id: FromPath[UUID]
) -> ResetLinkOut:
    url, expires = await services.issue_reset_link(ctx, user_id)
    return ResetLinkOut(reset_url=url, expires_at=expires)


@post(
    "/staff-accounts/{user_id:uuid}/deactivate",
    tags=TAGS,
    status_code=200,
    summary="Deactivate a member in this tenant",
    description="The account itself is deactivated (and signed out everywhere) when no "
    "other tenant still has the user.",
)
async def deactivate(
    ctx: NamedDependency[RequestContext], user_id: FromPath[UUID]
) -> DeactivatedOut:
    return await services.deactivate_member(ctx, user_id)


@post(
    "/consortium-access",
    tags=TAGS,
    status_code=201,
    summary="Grant a consortium administrator time-limited access",
    description="`hours` 1 to 720; `roles` default to tenant_admin. Audited.",
)
async def grant_consortium_access(
    ctx: NamedDependency[RequestContext], data: JSONBody[ConsortiumAccessIn]
) -> ConsortiumAccessOut:
    return await services.grant_consortium_access(ctx, data)


@delete(
    "/consortium-access/{user_id:uuid}",
    tags=TAGS,
    status_code=204,
    summary="Revoke a consortium administrator's access",
)
async def revoke_consortium_access(
    ctx: NamedDependency[RequestContext], user_id: FromPath[UUID]
) -> None:
    await services.revoke_consortium_access(ctx, user_id)


TENANT_HANDLERS = [
    list_staff_accounts,
    issue_reset_link,
    deactivate,
    grant_consortium_access,
    revoke_consortium_access,
]
