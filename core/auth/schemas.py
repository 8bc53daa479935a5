"""Request and response models of the auth area (the forms and the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import invalid

# Roles a tenant may not hand out through a consortium access grant.
NOT_GRANTABLE = frozenset({"consortium_admin"})


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests -------------------------------------------------------------------------------


class LoginIn(In):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)
    cookie: bool = Field(default=False, description="Also set the staff UI session cookie.")


class MfaLoginIn(In):
    mfa_token: str = Field(min_length=1, max_length=200)
    code: str = Field(
        min_length=1,
        max_length=64,
        description="A 6-digit code from the authenticator app, or a recovery code.",
    )
    cookie: bool = False


class MfaCodeIn(In):
    code: str = Field(min_length=1, max_length=64)


class PasswordChangeIn(In):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordResetIn(In):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=1024)


class ConsortiumAccessIn(In):
    user_id: UUID
    hours: int = Field(ge=1, le=720, description="How long the access lasts (1 to 720 hours).")
    roles: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Roles in this tenant; `tenant_admin` when omitted.",
    )

    @field_validator("roles")
    @classmethod
    def _grantable(cls, roles: list[str] | None) -> list[str] | None:
        if roles is None:
            return None
        for role in roles:
            if role in NOT_GRANTABLE:
                raise invalid("role_not_grantable", role=role)
        return list(dict.fromkeys(roles))


# -- responses ------------------------------------------------------------------------------


class UserOut(BaseModel):
    id: UUID
    username: str
    display_name: str
    is_consortium_admin: bool


class TenantAccessOut(BaseModel):
    slug: str
    name: str
    name_en: str = ""
    roles: list[str]
    status: str = "active"
    expires_at: datetime | None = None


class LoginOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserOut
    tenants: list[TenantAccessOut]
    mfa_enrolment_required: bool = Field(
        default=False,
        description="Production administrator without a second factor: the token only reaches "
        "/api/v1/auth/* until one is enrolled (POST /api/v1/auth/mfa/enroll, then confirm).",
    )


class MfaChallengeOut(BaseModel):
    mfa_required: Literal[True] = True
    mfa_token: str
    expires_at: datetime


class MeOut(BaseModel):
    user: UserOut
    tenants: list[TenantAccessOut]
    mfa_enabled: bool
    mfa_enrolment_required: bool
    session_kind: str


class MfaEnrollOut(BaseModel):
    secret: str
    otpauth_uri: str


class MfaConfirmOut(BaseModel):
    mfa_enabled: Literal[True] = True
    recovery_codes: list[str] = Field(description="Shown once; each works once.")
    # A session that was limited to enrolment is replaced by a full one.
    access_token: str | None = None
    token_type: Literal["bearer"] | None = None
    expires_at: datetime | None = None


class ResetLinkOut(BaseModel):
    reset_url: str
    expires_at: datetime


class StaffAccountOut(BaseModel):
    user_id: UUID
    username: str
    display_name: str
    roles: list[str]
    active: bool
    account_active: bool
    membership_active: bool
    expires_at: datetime | None = None
    is_consortium_admin: bool
    mfa_enabled: bool


class DeactivatedOut(BaseModel):
    user_id: UUID
    membership_active: bool
    account_active: bool
    sessions_revoked: int


class ConsortiumAccessOut(BaseModel):
    user_id: UUID
    roles: list[str]
    expires_at: datetime
    granted_by: UUID
