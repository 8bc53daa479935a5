"""Accounts: creating them and switching them on and off (sign-in, passwords and second
factors are in `services`)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from core import db
from core.auth.passwords import hash_password
from core.auth.policy import MIN_LENGTH_DEVELOPMENT, check_password
from core.auth.sessions import revoke_all_for_user
from core.auth.tables import User
from core.errors import Conflict, RequestValidationError
from core.settings import Settings, get_settings

MIN_PASSWORD_LENGTH = MIN_LENGTH_DEVELOPMENT  # production asks for more (see policy.py)


async def create_user(
    username: str,
    password: str,
    *,
    display_name: str = "",
    email: str = "",
    consortium_admin: bool = False,
    settings: Settings | None = None,
) -> UUID:
    """A new account. In production the password policy applies here too (CLI, onboarding);
    in development the demo's and the tests' passwords are taken as given."""
    username = username.strip()
    if not username or len(username) > 150:
        raise RequestValidationError.single("username", "string_too_short", min_length=1)
    settings = settings or get_settings()
    if settings.is_production:
        check_password(password, settings, field="password", username=username)
    password_hash = await hash_password(password)
    now = datetime.now(UTC)
    user_id = uuid4()
    async with db.transaction():
        if await User.exists().where(User.username == username):
            raise Conflict("duplicate_username")
        await User.insert(
            User(
                id=user_id,
                username=username,
                display_name=display_name,
                email=email,
                password_hash=password_hash,
                is_consortium_admin=consortium_admin,
                active=True,
                password_changed_at=now,
                created_at=now,
            )
        )
    return user_id


async def set_account_active(user_id: UUID, active: bool) -> None:
    """Switch an account on or off (re-hiring someone deactivated everywhere, for instance).

    Switching off also signs the account out everywhere.
    """
    async with db.transaction():
        await User.update({User.active: active}).where(User.id == user_id)
        if not active:
            await revoke_all_for_user(user_id)
