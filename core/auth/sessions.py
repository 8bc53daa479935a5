"""Signed, expiring session tokens backed by a database row.

The token carries the session id and expiry, signed with `MERIMNA_SECRET_KEY`; the row says
whether it was revoked. The row is cached in the store, and the database stays the truth, so
losing Redis logs nobody in and nobody out.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from core.auth.tables import AuthSession, User
from core.settings import get_settings
from core.store import get_store

CACHE_TTL = 120
FORGET_AGAIN_AFTER = 1.0


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    username: str
    is_consortium_admin: bool
    session_id: UUID
    kind: str
    # Production administrator without a second factor: only /api/v1/auth/* is allowed.
    enrolment_only: bool = False


def _sign(payload: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def encode_token(session_id: UUID, expires_at: datetime) -> str:
    payload = f"{session_id.hex}.{int(expires_at.timestamp())}"
    return f"{payload}.{_sign(payload)}"


def decode_token(token: str) -> UUID | None:
    """The session id of a well-signed, unexpired token; None otherwise."""
    try:
        sid_hex, exp, sig = token.split(".")
        payload = f"{sid_hex}.{exp}"
        if not hmac.compare_digest(sig, _sign(payload)):
            return None
        if int(exp) < datetime.now(UTC).timestamp():
            return None
        return UUID(hex=sid_hex)
    except (ValueError, AttributeError):
        return None


async def create_session(
    user_id: UUID,
    *,
    kind: str = "token",
    client: str = "",
    ttl_seconds: int | None = None,
    enrolment_only: bool = False,
) -> tuple[str, datetime]:
    """A new session with a new random id: a login never reuses one (no session fixation)."""
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_seconds or get_settings().token_ttl_seconds)
    session_id = uuid4()
    await AuthSession.insert(
        AuthSession(
            id=session_id,
            user_id=user_id,
            kind=kind,
            created_at=now,
            expires_at=expires,
            client_address=client[:64],
            enrolment_only=enrolment_only,
        )
    )
    return encode_token(session_id, expires), expires


def _cache_key(session_id: UUID) -> str:
    return f"session:{session_id.hex}"


def session_cache_key(session_id: UUID) -> str:
    """The store key of a session's cached row (read with other keys by `core.context`)."""
    return _cache_key(session_id)


async def authenticate(
    token: str | None, *, kinds: tuple[str, ...] = ("token", "cookie")
) -> Principal | None:
    if not token:
        return None
    session_id = decode_token(token)
    if session_id is None:
        return None
    cached = await get_store().get_json(_cache_key(session_id))
    return await principal_of(session_id, cached, kinds=kinds)


async def principal_of(
    session_id: UUID, cached: dict[str, Any] | None, *, kinds: tuple[str, ...] = ("token", "cookie")
) -> Principal | None:
    """The principal of a well-signed token's session, given its cached row if the caller
    already read it from the store (None: not cached, read the database and cache it)."""
    if cached is None:
        cached = await _load(session_id)
        if cached is None:
            return None
    if not cached["valid"] or cached["kind"] not in kinds:
        return None
    # The row's expiry is the truth too: a session can be cut short without a new token.
    if float(cached.get("exp", 0)) <= datetime.now(UTC).timestamp():
        return None
    return Principal(
        UUID(cached["user_id"]),
        cached["username"],
        cached["admin"],
        session_id,
        cached["kind"],
        bool(cached.get("enrol", False)),
    )


async def _load(session_id: UUID) -> dict[str, Any] | None:
    row = (
        await AuthSession.select(
            AuthSession.user_id,
            AuthSession.kind,
            AuthSession.revoked_at,
            AuthSession.expires_at,
            AuthSession.enrolment_only,
        )
        .where(AuthSession.id == session_id)
        .first()
    )
    if row is None:
        return None
    user = (
        await User.select(User.username, User.is_consortium_admin, User.active)
        .where(User.id == row["user_id"])
        .first()
    )
    valid = bool(user and user["active"] and row["revoked_at"] is None)
    cached = {
        "valid": valid,
        "user_id": str(row["user_id"]),
        "username": user["username"] if user else "",
        "admin": bool(user and user["is_consortium_admin"]),
        "kind": row["kind"],
        "exp": _aware(row["expires_at"]).timestamp(),
        "enrol": bool(row["enrolment_only"]),
    }
    await get_store().set_json(_cache_key(session_id), cached, CACHE_TTL)
    return cached


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def set_enrolment_only(session_id: UUID, value: bool) -> None:
    await AuthSession.update({AuthSession.enrolment_only: value}).where(
        AuthSession.id == session_id
    )
    await _forget([session_id])


async def revoke(session_id: UUID) -> None:
    await AuthSession.update({AuthSession.revoked_at: datetime.now(UTC)}).where(
        AuthSession.id == session_id
    )
    await _forget([session_id])


async def revoke_all_for_user(user_id: UUID, *, keep: UUID | None = None) -> int:
    """Revoke every live session of the user (but `keep`); returns how many were revoked."""
    where = (AuthSession.user_id == user_id) & AuthSession.revoked_at.is_null()
    if keep is not None:
        where = where & (AuthSession.id != keep)
    rows = await AuthSession.select(AuthSession.id).where(where)
    await AuthSession.update({AuthSession.revoked_at: datetime.now(UTC)}).where(where)
    await _forget([r["id"] for r in rows])
    return len(rows)


_pending: set[asyncio.Task[None]] = set()


async def _forget(session_ids: list[UUID]) -> None:
    """Drop cached sessions now, and once more a moment later.

    These writes usually run inside a transaction that commits after this call; a request
    authenticating in between reads the old row and could cache it for CACHE_TTL. The second
    deletion, after the commit, closes that window.
    """
    if not session_ids:
        return
    keys = [_cache_key(sid) for sid in session_ids]
    await get_store().delete(*keys)

    async def again() -> None:
        await asyncio.sleep(FORGET_AGAIN_AFTER)
        await get_store().delete(*keys)

    task = asyncio.get_running_loop().create_task(again())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
