"""Accounts and sessions (platform tables: a user may work for several municipalities)."""

from piccolo.columns import JSON, UUID, BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.table import Table


class User(Table, tablename="app_user"):
    id = UUID(primary_key=True)
    username = Varchar(length=150, unique=True)
    display_name = Varchar(length=200, default="")
    email = Varchar(length=200, default="")
    password_hash = Varchar(length=255, secret=True)
    is_consortium_admin = Boolean(default=False)
    active = Boolean(default=True)
    # TOTP secret encrypted with the master key; recovery codes stored as hashes.
    mfa_secret = Varchar(length=255, default="", secret=True)
    mfa_enabled = Boolean(default=False)
    recovery_codes = JSON(default=[])
    # Last TOTP time step accepted: a code is never accepted twice (RFC 6238, section 5.2).
    mfa_last_step = BigInt(default=0)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    password_changed_at = Timestamptz()
    created_at = Timestamptz()


class AuthSession(Table, tablename="auth_session"):
    """A signed-in session (bearer token or UI cookie); revocation survives a Redis loss."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    kind = Varchar(length=16, default="token")  # token | cookie | mfa
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    client_address = Varchar(length=64, default="")
    # Production administrators without a second factor: the session may only reach
    # /api/v1/auth/* (to enrol one); every other route answers 403 `mfa_required`.
    enrolment_only = Boolean(default=False)


class PasswordReset(Table, tablename="password_reset"):
    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    token_hash = Varchar(length=128, unique=True)
    created_by = UUID(null=True, default=None)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
