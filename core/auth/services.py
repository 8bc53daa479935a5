"""Signing in and out, second factors, passwords and staff accounts.

The only writer of the auth tables (through `accounts` and `sessions` for the basics). Every
credential check goes through the login limiter and the lockout counter, and every outcome
is written to the platform audit trail with the user's id only: never a username, never a
password, and no id at all for a username that does not exist.

Lockout answers exactly like a wrong password (401 `invalid_credentials`, after the same
argon2 work): a distinct answer would tell a stranger which usernames exist. The message says
that repeated failures lock the account for a while, so a locked-out colleague knows to wait.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from core import db
from core.audit.writer import record, record_platform
from core.auth import mfa
from core.auth.passwords import hash_password, needs_rehash, verify_password
from core.auth.policy import check_password
from core.auth.ratelimit import get_limiter
from core.auth.rules import is_locked, locked_until, must_enrol_mfa
from core.auth.schemas import (
    ConsortiumAccessIn,
    ConsortiumAccessOut,
    DeactivatedOut,
    StaffAccountOut,
    TenantAccessOut,
    UserOut,
)
from core.auth.sessions import (
    Principal,
    authenticate,
    create_session,
    decode_token,
    revoke,
    revoke_all_for_user,
    set_enrolment_only,
)
from core.auth.tables import PasswordReset, User
from core.context import RequestContext
from core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    RequestValidationError,
    Unauthorized,
)
from core.i18n import t
from core.pagination import Page, keyset
from core.settings import Settings
from tenants.resolution import invalidate_membership
from tenants.services import add_membership
from tenants.tables import Membership, Tenant

log = logging.getLogger("merimna.auth")

MFA_TOKEN_TTL = 300
RESET_TTL = timedelta(hours=24)
MFA_KINDS = ("mfa", "mfa_cookie")
SESSION_KINDS = ("token", "cookie")


@dataclass(frozen=True)
class Client:
    """Where a request comes from, for the limiter and the audit trail."""

    address: str
    request_id: str


class TooManyAttempts(RateLimited):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            detail=t("auth.rate_limited", seconds=retry_after), extra={"retry_after": retry_after}
        )


def invalid_credentials() -> AppError:
    return Unauthorized("invalid_credentials", detail=t("auth.invalid_credentials"))


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    kind: str
    user: UserOut
    tenants: list[TenantAccessOut]
    enrolment_only: bool


@dataclass(frozen=True)
class MfaChallenge:
    token: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _stored_time(value: Any) -> datetime | None:
    """A time from raw SQL: a datetime on PostgreSQL, its stored text on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _audit(
    action: str,
    user_id: UUID | None,
    client: Client,
    *,
    outcome: str = "ok",
    tenant_id: UUID | None = None,
    object_type: str = "",
    object_id: Any = "",
    details: dict[str, Any] | None = None,
) -> None:
    await record_platform(
        action,
        user_id=user_id,
        tenant_id=tenant_id,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        request_id=client.request_id,
        client=client.address,
        details=details,
    )


def _for_update(query: Any) -> Any:
    """Lock the row on PostgreSQL (SQLite serialises writers with its own lock)."""
    return query.lock_rows() if db.is_postgres() else query


# -- who the user is ------------------------------------------------------------------------


async def user_out(user_id: UUID) -> UserOut:
    row = (
        await User.select(User.id, User.username, User.display_name, User.is_consortium_admin)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise Unauthorized()
    return UserOut(**row)


async def tenant_access(user_id: UUID) -> list[TenantAccessOut]:
    """The tenants the user can work in now: active, unexpired, tenant not archived."""
    rows = (
        await Membership.select(Membership.tenant_id, Membership.roles, Membership.expires_at)
        .where(
            (Membership.user_id == user_id) & (Membership.active == True)  # noqa: E712
        )
        .output(load_json=True)
    )
    now = _now()
    rows = [r for r in rows if _current({**r, "active": True}, now)]
    if not rows:
        return []
    tenants = await Tenant.select(
        Tenant.id, Tenant.slug, Tenant.name, Tenant.name_en, Tenant.status
    ).where(Tenant.id.is_in([r["tenant_id"] for r in rows]))
    by_id = {t_["id"]: t_ for t_ in tenants}
    out = []
    for row in rows:
        tenant = by_id.get(row["tenant_id"])
        if tenant is None or tenant["status"] == "archived":
            continue
        out.append(
            TenantAccessOut(
                slug=tenant["slug"],
                name=tenant["name"],
                name_en=tenant["name_en"],
                roles=list(row["roles"] or []),
                status=tenant["status"],
                expires_at=row["expires_at"],
            )
        )
    return sorted(out, key=lambda a: a.slug)


# -- signing in -----------------------------------------------------------------------------


async def _register_failure(user_id: UUID, now: datetime) -> tuple[int, bool]:
    """One more consecutive failure; lock with back-off from the fifth. Returns (n, locked)."""
    async with db.transaction():
        await User.update({User.failed_logins: User.failed_logins + 1}).where(User.id == user_id)
        row = await User.select(User.failed_logins).where(User.id == user_id).first()
        failures = int(row["failed_logins"]) if row else 0
        until = locked_until(failures, now)
        if until is not None:
            await User.update({User.locked_until: until}).where(User.id == user_id)
    return failures, until is not None


async def _limit(settings: Settings, client: Client, username: str) -> None:
    verdict = await get_limiter().check_login(settings, username=username, address=client.address)
    if not verdict.allowed:
        if verdict.first_refusal:  # one event per window, not one per hammering request
            await _audit(
                "login", None, client, outcome="denied", details={"reason": "rate_limited"}
            )
        raise TooManyAttempts(verdict.retry_after)


async def login(
    username: str, password: str, *, settings: Settings, client: Client, cookie: bool
) -> SignedIn | MfaChallenge:
    username = username.strip()
    await _limit(settings, client, username)
    row = (
        await User.select(
            User.id, User.password_hash, User.active, User.mfa_enabled, User.locked_until
        )
        .where(User.username == username)
        .first()
    )
    # Always one argon2 verification, so "no such user" takes as long as "wrong password".
    ok = await verify_password(row["password_hash"] if row else None, password)
    now = _now()
    if row is None:
        await _audit("login", None, client, outcome="failed", details={"reason": "unknown_user"})
        raise invalid_credentials()
    user_id: UUID = row["id"]
    if is_locked(_aware(row["locked_until"]), now):
        await _audit("login", user_id, client, outcome="failed", details={"reason": "locked"})
        raise invalid_credentials()
    if not ok:
        failures, locked = await _register_failure(user_id, now)
        await _audit(
            "login",
            user_id,
            client,
            outcome="failed",
            details={"reason": "bad_password", "failures": failures, "locked": locked},
        )
        raise invalid_credentials()
    if not row["active"]:
        await _audit("login", user_id, client, outcome="failed", details={"reason": "inactive"})
        raise invalid_credentials()
    await get_limiter().succeeded(username=username, address=client.address)
    if needs_rehash(row["password_hash"]):
        new_hash = await hash_password(password)
        await User.update({User.password_hash: new_hash}).where(User.id == user_id)
    if row["mfa_enabled"]:
        # The failure counter is only cleared once the second factor is through too.
        async with db.transaction():
            token, expires = await create_session(
                user_id,
                kind="mfa_cookie" if cookie else "mfa",
                client=client.address,
                ttl_seconds=MFA_TOKEN_TTL,
            )
            await _audit(
                "login",
                user_id,
                client,
                outcome="pending",
                details={"method": "password", "next": "mfa"},
            )
        return MfaChallenge(token, expires)
    return await _signed_in(
        user_id, settings=settings, client=client, cookie=cookie, method="password"
    )


async def _signed_in(
    user_id: UUID,
    *,
    settings: Settings,
    client: Client,
    cookie: bool,
    method: str,
    replaces: UUID | None = None,
) -> SignedIn:
    """A brand-new session (never a reused id): the end of every successful sign-in."""
    user = await user_out(user_id)
    tenants = await tenant_access(user_id)
    mfa_row = await User.select(User.mfa_enabled).where(User.id == user_id).first()
    enrolment_only = must_enrol_mfa(
        production=settings.is_production,
        mfa_enabled=bool(mfa_row and mfa_row["mfa_enabled"]),
        consortium_admin=user.is_consortium_admin,
        roles_per_tenant=[a.roles for a in tenants],
    )
    kind = "cookie" if cookie else "token"
    async with db.transaction():
        if replaces is not None:
            await revoke(replaces)
        await User.update({User.failed_logins: 0, User.locked_until: None}).where(
            User.id == user_id
        )
        token, expires = await create_session(
            user_id, kind=kind, client=client.address, enrolment_only=enrolment_only
        )
        await _audit(
            "login",
            user_id,
            client,
            object_type="session",
            object_id=decode_token(token),
            details={"method": method, "session": kind, "mfa_enrolment_required": enrolment_only},
        )
    return SignedIn(token, expires, kind, user, tenants, enrolment_only)


def _second_factor(
    row: dict[str, Any], code: str, settings: Settings
) -> tuple[str | None, dict[Any, Any]]:
    """Which factor `code` is (totp / recovery_code) and the row changes that spend it."""
    if row["mfa_secret"]:
        try:
            secret = mfa.open_secret(row["mfa_secret"], row["id"], settings)
        except mfa.SealError:
            log.error("a TOTP secret does not open: was MERIMNA_MASTER_KEY changed?")
        else:
            step = mfa.totp_step(secret, code, after_step=int(row["mfa_last_step"] or 0))
            if step is not None:
                return "totp", {User.mfa_last_step: step}
    stored = row["recovery_codes"]
    hashes = list(stored if isinstance(stored, list) else [])
    used = mfa.match_recovery_code(code, hashes)
    if used is not None:
        hashes.remove(used)
        return "recovery_code", {User.recovery_codes: hashes}
    return None, {}


async def _user_for_update(user_id: UUID) -> dict[str, Any] | None:
    query = User.select(
        User.id,
        User.username,
        User.active,
        User.locked_until,
        User.mfa_enabled,
        User.mfa_secret,
        User.mfa_last_step,
        User.recovery_codes,
        User.is_consortium_admin,
    ).where(User.id == user_id)
    rows = await _for_update(query).output(load_json=True)
    return rows[0] if rows else None


async def complete_mfa(
    mfa_token: str, code: str, *, settings: Settings, client: Client, cookie: bool
) -> SignedIn:
    principal = await authenticate(mfa_token, kinds=MFA_KINDS)
    if principal is None:
        raise Unauthorized("mfa_token_invalid")
    await _limit(settings, client, principal.username)
    now = _now()
    outcome: str
    async with db.transaction():
        row = await _user_for_update(principal.user_id)
        if row is None or not row["active"]:
            outcome = "inactive"
        elif is_locked(_aware(row["locked_until"]), now):
            outcome = "locked"
        elif not row["mfa_enabled"]:
            outcome = "mfa_disabled"
        else:
            method, changes = _second_factor(row, code, settings)
            outcome = method or "bad_code"
            if changes:
                await User.update(changes).where(User.id == principal.user_id)
    if outcome not in ("totp", "recovery_code"):
        details: dict[str, Any] = {"reason": outcome, "step": "mfa"}
        if outcome == "bad_code":
            details["failures"], details["locked"] = await _register_failure(principal.user_id, now)
        await _audit("login", principal.user_id, client, outcome="failed", details=details)
        raise Unauthorized("mfa_invalid")
    await get_limiter().succeeded(username=principal.username, address=client.address)
    if outcome == "recovery_code":
        await _audit("mfa_recovery_code_used", principal.user_id, client)
    return await _signed_in(
        principal.user_id,
        settings=settings,
        client=client,
        cookie=cookie or principal.kind == "mfa_cookie",
        method=outcome,
        replaces=principal.session_id,
    )


async def logout(tokens: list[str], client: Client) -> None:
    """Revoke every session presented (bearer and cookie); nothing to do is not an error."""
    seen: set[UUID] = set()
    for token in tokens:
        principal = await authenticate(token, kinds=SESSION_KINDS + MFA_KINDS)
        if principal is None or principal.session_id in seen:
            continue
        seen.add(principal.session_id)
        async with db.transaction():
            await revoke(principal.session_id)
            await _audit(
                "logout",
                principal.user_id,
                client,
                object_type="session",
                object_id=principal.session_id,
            )


# -- passwords ------------------------------------------------------------------------------


async def change_password(
    principal: Principal, current: str, new: str, *, settings: Settings, client: Client
) -> int:
    """Returns how many other sessions were revoked."""
    check_password(new, settings, field="new_password", username=principal.username)
    await _limit(settings, client, principal.username)
    row = await User.select(User.password_hash).where(User.id == principal.user_id).first()
    if row is None:
        raise Unauthorized()
    if not await verify_password(row["password_hash"], current):
        await _audit(
            "password_change",
            principal.user_id,
            client,
            outcome="failed",
            details={"reason": "wrong_password"},
        )
        raise RequestValidationError.single("current_password", "wrong_password")
    await get_limiter().succeeded(username=principal.username, address=client.address)
    if current == new:
        raise RequestValidationError.single("new_password", "same_password")
    new_hash = await hash_password(new)
    async with db.transaction():
        await User.update(
            {
                User.password_hash: new_hash,
                User.password_changed_at: _now(),
                User.failed_logins: 0,
                User.locked_until: None,
            }
        ).where(User.id == principal.user_id)
        revoked = await revoke_all_for_user(principal.user_id, keep=principal.session_id)
        await _audit(
            "password_change", principal.user_id, client, details={"sessions_revoked": revoked}
        )
    return revoked


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def reset_password(
    token: str, new_password: str, *, settings: Settings, client: Client
) -> None:
    """Spend a one-time reset token: new password, lock cleared, every session revoked."""
    now = _now()
    reset = (
        await PasswordReset.select(
            PasswordReset.id, PasswordReset.user_id, PasswordReset.expires_at, PasswordReset.used_at
        )
        .where(PasswordReset.token_hash == _token_hash(token.strip()))
        .first()
    )
    expires = _aware(reset["expires_at"]) if reset else None
    if reset is None or reset["used_at"] is not None or expires is None or expires <= now:
        await _audit(
            "password_reset", None, client, outcome="failed", details={"reason": "invalid_token"}
        )
        raise RequestValidationError.single("token", "invalid_token")
    user = await User.select(User.username, User.active).where(User.id == reset["user_id"]).first()
    if user is None or not user["active"]:
        raise RequestValidationError.single("token", "invalid_token")
    check_password(new_password, settings, field="new_password", username=user["username"])
    new_hash = await hash_password(new_password)
    async with db.transaction():
        spent = (
            await PasswordReset.update({PasswordReset.used_at: now})
            .where((PasswordReset.id == reset["id"]) & PasswordReset.used_at.is_null())
            .returning(PasswordReset.id)
        )
        if not spent:  # another request spent it a moment ago
            raise RequestValidationError.single("token", "invalid_token")
        await User.update(
            {
                User.password_hash: new_hash,
                User.password_changed_at: now,
                User.failed_logins: 0,
                User.locked_until: None,
            }
        ).where(User.id == reset["user_id"])
        revoked = await revoke_all_for_user(reset["user_id"])
        await _audit(
            "password_reset",
            reset["user_id"],
            client,
            object_type="password_reset",
            object_id=reset["id"],
            details={"sessions_revoked": revoked},
        )


# -- second factor --------------------------------------------------------------------------


async def enrol_mfa(principal: Principal, *, settings: Settings, client: Client) -> tuple[str, str]:
    """A new TOTP secret, sealed; it counts only once confirmed with a code."""
    row = (
        await User.select(User.username, User.mfa_enabled)
        .where(User.id == principal.user_id)
        .first()
    )
    if row is None:
        raise Unauthorized()
    if row["mfa_enabled"]:
        raise Conflict("mfa_already_enabled")
    secret = mfa.new_secret()
    async with db.transaction():
        await User.update(
            {User.mfa_secret: mfa.seal_secret(secret, principal.user_id, settings)}
        ).where(User.id == principal.user_id)
        await _audit("mfa_enrol", principal.user_id, client)
    return secret, mfa.provisioning_uri(secret, row["username"])


async def confirm_mfa(
    principal: Principal, code: str, *, settings: Settings, client: Client
) -> tuple[list[str], SignedIn | None]:
    """Turn the second factor on; returns the recovery codes (shown once) and, when the
    session was limited to enrolment, the full session that replaces it."""
    await _limit(settings, client, principal.username)
    codes = mfa.new_recovery_codes()
    async with db.transaction():
        row = await _user_for_update(principal.user_id)
        if row is None:
            raise Unauthorized()
        if row["mfa_enabled"]:
            raise Conflict("mfa_already_enabled")
        if not row["mfa_secret"]:
            raise Conflict("mfa_not_enrolled")
        try:
            secret = mfa.open_secret(row["mfa_secret"], principal.user_id, settings)
        except mfa.SealError:
            raise Conflict("mfa_not_enrolled") from None
        step = mfa.totp_step(secret, code, after_step=int(row["mfa_last_step"] or 0))
        if step is not None:
            await User.update(
                {
                    User.mfa_enabled: True,
                    User.mfa_last_step: step,
                    User.recovery_codes: [mfa.hash_recovery_code(c) for c in codes],
                }
            ).where(User.id == principal.user_id)
            await _audit("mfa_enable", principal.user_id, client)
    if step is None:
        await _audit(
            "mfa_enable",
            principal.user_id,
            client,
            outcome="failed",
            details={"reason": "bad_code"},
        )
        raise RequestValidationError.single("code", "mfa_invalid")
    await get_limiter().succeeded(username=principal.username, address=client.address)
    replacement = None
    if principal.enrolment_only:
        # More rights now: a new session id rather than an upgraded one.
        replacement = await _signed_in(
            principal.user_id,
            settings=settings,
            client=client,
            cookie=principal.kind == "cookie",
            method="mfa_enrolment",
            replaces=principal.session_id,
        )
    return codes, replacement


async def disable_mfa(
    principal: Principal, code: str, *, settings: Settings, client: Client
) -> None:
    """Turn the second factor off with a current code (or a recovery code)."""
    await _limit(settings, client, principal.username)
    async with db.transaction():
        row = await _user_for_update(principal.user_id)
        if row is None:
            raise Unauthorized()
        if not row["mfa_enabled"]:
            raise Conflict("mfa_not_enabled")
        method, _changes = _second_factor(row, code, settings)
        if method is not None:
            # A later enrolment has a new secret: its codes start afresh.
            await User.update(
                {
                    User.mfa_enabled: False,
                    User.mfa_secret: "",
                    User.recovery_codes: [],
                    User.mfa_last_step: 0,
                }
            ).where(User.id == principal.user_id)
            # A production administrator without a factor is back to enrolment-only.
            tenants = await tenant_access(principal.user_id)
            if must_enrol_mfa(
                production=settings.is_production,
                mfa_enabled=False,
                consortium_admin=bool(row["is_consortium_admin"]),
                roles_per_tenant=[a.roles for a in tenants],
            ):
                await set_enrolment_only(principal.session_id, True)
            await _audit("mfa_disable", principal.user_id, client, details={"method": method})
    if method is None:
        await _audit(
            "mfa_disable",
            principal.user_id,
            client,
            outcome="failed",
            details={"reason": "bad_code"},
        )
        raise RequestValidationError.single("code", "mfa_invalid")
    await get_limiter().succeeded(username=principal.username, address=client.address)


async def me(principal: Principal) -> dict[str, Any]:
    row = await User.select(User.mfa_enabled).where(User.id == principal.user_id).first()
    return {
        "user": await user_out(principal.user_id),
        "tenants": await tenant_access(principal.user_id),
        "mfa_enabled": bool(row and row["mfa_enabled"]),
        "mfa_enrolment_required": principal.enrolment_only,
        "session_kind": principal.kind,
    }


# -- staff accounts of a tenant (tenant administrators) -------------------------------------
# These run inside the tenant request's transaction (TenantMiddleware).


async def list_staff_accounts(
    ctx: RequestContext, *, limit: int | None, cursor: str | None
) -> Page[StaffAccountOut]:
    ctx.require("accounts.manage")
    query = (
        Membership.select(
            Membership.id,
            Membership.user_id,
            Membership.roles,
            Membership.active,
            Membership.expires_at,
            Membership.created_at,
        )
        .where(Membership.tenant_id == ctx.tenant.id)
        .output(load_json=True)
    )
    rows, next_cursor = await keyset(
        query, sort=Membership.created_at, id_column=Membership.id, limit=limit, cursor=cursor
    )
    users: dict[UUID, dict[str, Any]] = {}
    if rows:
        found = await User.select(
            User.id,
            User.username,
            User.display_name,
            User.active,
            User.is_consortium_admin,
            User.mfa_enabled,
        ).where(User.id.is_in([r["user_id"] for r in rows]))
        users = {u["id"]: u for u in found}
    now = _now()
    items = []
    for row in rows:
        user = users.get(row["user_id"])
        if user is None:
            continue
        expires = _aware(row["expires_at"])
        current = bool(row["active"]) and (expires is None or expires > now)
        items.append(
            StaffAccountOut(
                user_id=row["user_id"],
                username=user["username"],
                display_name=user["display_name"],
                roles=list(row["roles"] or []),
                active=current and bool(user["active"]),
                account_active=bool(user["active"]),
                membership_active=bool(row["active"]),
                expires_at=expires,
                is_consortium_admin=bool(user["is_consortium_admin"]),
                mfa_enabled=bool(user["mfa_enabled"]),
            )
        )
    await record(ctx, "read", "staff_accounts", "", details={"count": len(items)})
    return Page[StaffAccountOut](items=items, next_cursor=next_cursor)


async def _membership(ctx: RequestContext, user_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Membership.select(
            Membership.id, Membership.active, Membership.expires_at, Membership.roles
        )
        .where((Membership.tenant_id == ctx.tenant.id) & (Membership.user_id == user_id))
        .first()
        .output(load_json=True)
    )
    return row


def _current(row: dict[str, Any], now: datetime) -> bool:
    expires = _aware(row["expires_at"])
    return bool(row["active"]) and (expires is None or expires > now)


async def _other_memberships(user_id: UUID, tenant_id: UUID) -> list[dict[str, Any]]:
    """The user's current memberships in other tenants."""
    rows = await Membership.select(
        Membership.tenant_id, Membership.active, Membership.expires_at
    ).where(
        (Membership.user_id == user_id)
        & (Membership.tenant_id != tenant_id)
        & (Membership.active == True)  # noqa: E712
    )
    now = _now()
    return [r for r in rows if _current(r, now)]


async def _account_and_other_tenants(
    user_id: UUID, tenant_id: UUID, actor_id: UUID
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The account (active, consortium admin?) and its current memberships in tenants other
    than `tenant_id`, each with the actor's own membership there (`mine`, or None): what
    `issue_reset_link` checks, in one statement."""
    rows = await db.fetch(
        "SELECT u.active, u.is_consortium_admin, m.tenant_id, m.active AS m_active, "
        "m.expires_at AS m_expires, mine.roles AS my_roles, mine.active AS my_active, "
        "mine.expires_at AS my_expires FROM app_user u "
        "LEFT JOIN membership m ON m.user_id = u.id AND m.tenant_id <> {} AND m.active = {} "
        "LEFT JOIN membership mine ON mine.tenant_id = m.tenant_id AND mine.user_id = {} "
        "WHERE u.id = {}",
        tenant_id,
        True,
        actor_id,
        user_id,
    )
    if not rows:
        return None, []
    now = _now()
    user = {
        "active": bool(rows[0]["active"]),
        "is_consortium_admin": bool(rows[0]["is_consortium_admin"]),
    }
    others = []
    for r in rows:
        if r["tenant_id"] is None or not _current(
            {"active": r["m_active"], "expires_at": _stored_time(r["m_expires"])}, now
        ):
            continue
        mine = None
        if r["my_active"] is not None:
            roles = r["my_roles"]
            roles = json.loads(roles or "[]") if isinstance(roles, str) else roles
            mine = {
                "roles": list(roles or []),
                "active": r["my_active"],
                "expires_at": _stored_time(r["my_expires"]),
            }
        others.append({"tenant_id": r["tenant_id"], "mine": mine})
    return user, others


async def _set_membership_inactive(ctx: RequestContext, membership_id: UUID, user_id: UUID) -> None:
    # tenants.services has no "remove membership" yet; this is the one direct write.
    await Membership.update({Membership.active: False}).where(Membership.id == membership_id)
    await invalidate_membership(ctx.tenant.slug, user_id)


async def issue_reset_link(ctx: RequestContext, user_id: UUID) -> tuple[str, datetime]:
    """A one-time link (24 h) for a member of this tenant; only its hash is stored.

    A tenant administrator may only reset an account that no one else administers: not a
    consortium administrator's, and not one that also works in a tenant the caller does not
    administer (else an administrator of one municipality could take over an account that
    holds rights in another).
    """
    ctx.require("accounts.manage")
    now = _now()
    membership = await _membership(ctx, user_id)
    if membership is None or not _current(membership, now):
        raise NotFound()
    user, others = await _account_and_other_tenants(user_id, ctx.tenant.id, ctx.user_id)
    if user is None or not user["active"]:
        raise NotFound()
    if user["is_consortium_admin"]:
        raise Forbidden("account_managed_elsewhere")
    for other in others:
        mine = other["mine"]
        if mine is None or not _current(mine, now) or "tenant_admin" not in mine["roles"]:
            raise Forbidden("account_managed_elsewhere")
    token = secrets.token_urlsafe(32)
    expires = now + RESET_TTL
    async with db.transaction():
        # Only the newest link works.
        await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.user_id == user_id) & PasswordReset.used_at.is_null()
        )
        await PasswordReset.insert(
            PasswordReset(
                id=uuid4(),
                user_id=user_id,
                token_hash=_token_hash(token),
                created_by=ctx.user_id,
                expires_at=expires,
            )
        )
        await record(ctx, "create", "password_reset", user_id)
        await record_platform(
            "password_reset_issued",
            user_id=ctx.user_id,
            tenant_id=ctx.tenant.id,
            object_type="user",
            object_id=user_id,
            request_id=ctx.request_id,
            client=ctx.client,
        )
    return f"/reset-password/{token}", expires


async def deactivate_member(ctx: RequestContext, user_id: UUID) -> DeactivatedOut:
    """Membership off in this tenant; the account too when no other tenant still has them."""
    ctx.require("accounts.manage")
    membership = await _membership(ctx, user_id)
    if membership is None:
        raise NotFound()
    if user_id == ctx.user_id:
        raise Conflict("cannot_deactivate_self")
    user = (
        await User.select(User.active, User.is_consortium_admin).where(User.id == user_id).first()
    )
    if user is None:
        raise NotFound()
    await _set_membership_inactive(ctx, membership["id"], user_id)
    account_active = bool(user["active"])
    revoked = 0
    if (
        account_active
        and not user["is_consortium_admin"]
        and not await _other_memberships(user_id, ctx.tenant.id)
    ):
        await User.update({User.active: False}).where(User.id == user_id)
        revoked = await revoke_all_for_user(user_id)
        account_active = False
    details = {
        "account_deactivated": account_active != bool(user["active"]),
        "sessions_revoked": revoked,
    }
    await record(ctx, "update", "membership", user_id, details={"deactivated": True, **details})
    await record_platform(
        "staff_deactivate",
        user_id=ctx.user_id,
        tenant_id=ctx.tenant.id,
        object_type="user",
        object_id=user_id,
        request_id=ctx.request_id,
        client=ctx.client,
        details=details,
    )
    return DeactivatedOut(
        user_id=user_id,
        membership_active=False,
        account_active=account_active,
        sessions_revoked=revoked,
    )


async def grant_consortium_access(
    ctx: RequestContext, data: ConsortiumAccessIn
) -> ConsortiumAccessOut:
    """A time-limited membership for a consortium administrator, granted by the tenant.

    A consortium administrator cannot grant (or extend) such access, even while holding a
    tenant_admin grant: the tenant's own administrators decide.
    """
    ctx.require("accounts.manage")
    if ctx.principal.is_consortium_admin:
        raise Forbidden()
    user = (
        await User.select(User.active, User.is_consortium_admin)
        .where(User.id == data.user_id)
        .first()
    )
    if user is None or not user["is_consortium_admin"] or not user["active"]:
        raise RequestValidationError.single("user_id", "not_consortium_admin")
    roles = data.roles or ["tenant_admin"]
    expires = _now() + timedelta(hours=data.hours)
    await add_membership(
        ctx.tenant.slug, data.user_id, roles, expires_at=expires, granted_by=ctx.user_id
    )
    details = {"roles": roles, "hours": data.hours, "expires_at": expires.isoformat()}
    await record(ctx, "grant", "consortium_access", data.user_id, details=details)
    await record_platform(
        "consortium_access_grant",
        user_id=ctx.user_id,
        tenant_id=ctx.tenant.id,
        object_type="user",
        object_id=data.user_id,
        request_id=ctx.request_id,
        client=ctx.client,
        details=details,
    )
    return ConsortiumAccessOut(
        user_id=data.user_id, roles=roles, expires_at=expires, granted_by=ctx.user_id
    )


async def revoke_consortium_access(ctx: RequestContext, user_id: UUID) -> None:
    ctx.require("accounts.manage")
    user = await User.select(User.is_consortium_admin).where(User.id == user_id).first()
    membership = await _membership(ctx, user_id)
    if (
        user is None
        or not user["is_consortium_admin"]
        or membership is None
        or not membership["active"]
    ):
        raise NotFound()
    await _set_membership_inactive(ctx, membership["id"], user_id)
    await record(ctx, "revoke", "consortium_access", user_id)
    await record_platform(
        "consortium_access_revoke",
        user_id=ctx.user_id,
        tenant_id=ctx.tenant.id,
        object_type="user",
        object_id=user_id,
        request_id=ctx.request_id,
        client=ctx.client,
    )
