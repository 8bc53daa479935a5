"""Request and response models of tenancy (they are the forms and the OpenAPI schema)."""

from __future__ import annotations

import re
from datetime import datetime
from itertools import pairwise
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import invalid

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# A municipal service line: a 10-digit Greek number (fixed 2..., mobile 69..., toll-free
# 800..., shared cost 801...) or a short code (1xxx, e.g. 15xxx citizen lines).
PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
NATIONAL_PHONE = re.compile(r"^[2-9]\d{9}$")
SHORT_CODE = re.compile(r"^1\d{2,5}$")
HOURS_HELP = (
    'Weekly spans in the tenant\'s local time, e.g. {"mon": [["08:00", "15:00"]]}; days '
    "mon..sun; a span starts before it ends and the spans of a day do not overlap. Bookings "
    "outside these hours are refused."
)

TenantStatus = Literal["onboarding", "active", "suspended", "archived"]


def validate_slug(value: str) -> str:
    if not SLUG_RE.match(value) or len(value) < 2:
        raise invalid("invalid_slug")
    return value


def validate_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("invalid_timezone") from None
    return value


def validate_hours(value: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Weekly spans, each day's sorted by start; overlapping spans of one day are refused
    (scheduling would otherwise count the overlap twice)."""
    out: dict[str, list[list[str]]] = {}
    for day, spans in value.items():
        if day not in WEEKDAYS or not isinstance(spans, list):
            raise invalid("invalid_hours")
        clean = []
        for span in spans:
            if (
                not isinstance(span, list | tuple)
                or len(span) != 2
                or not all(isinstance(x, str) and HHMM.match(x) for x in span)
                or span[0] >= span[1]
            ):
                raise invalid("invalid_hours")
            clean.append([span[0], span[1]])
        clean.sort()
        for before, after in pairwise(clean):
            if after[0] < before[1]:
                raise invalid("tenant_hours_overlap", day=day)
        out[day] = clean
    return out


def validate_contact_email(value: str) -> str:
    """The service's public address, normalised; empty means none."""
    if not value:
        return ""
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise invalid("invalid_email") from None


def validate_contact_phone(value: str) -> str:
    """A service line: a Greek 10-digit number stored as E.164 (+30...), or a short code
    (1xxx) stored as dialled; empty means none. All-zero and foreign numbers are refused."""
    raw = PHONE_SEPARATORS.sub("", value)
    if not raw:
        return ""
    if SHORT_CODE.match(raw):
        return raw
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    national = raw[3:] if raw.startswith("+30") else raw
    if not NATIONAL_PHONE.match(national):
        raise invalid("invalid_contact_phone")
    return "+30" + national


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AdminAccountIn(Strict):
    """The tenant's first administrator, created with the tenant (or not at all)."""

    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    display_name: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=200)] = ""


class TenantCreate(Strict):
    slug: Annotated[str, Field(min_length=2, max_length=63, description="Never changes.")]
    name: Annotated[str, Field(min_length=2, max_length=200, description="Greek name")]
    name_en: Annotated[str, Field(max_length=200)] = ""
    modules: list[str] = Field(default_factory=list, max_length=50)
    timezone: Annotated[str, Field(max_length=64)] = "Europe/Athens"
    operating_hours: dict[str, Any] | None = None
    contact_email: Annotated[str, Field(max_length=200)] = ""
    contact_phone: Annotated[str, Field(max_length=32)] = ""
    address: Annotated[str, Field(max_length=300)] = ""
    admin: AdminAccountIn | None = Field(
        default=None,
        description="Optional first tenant administrator, created in the same transaction.",
    )

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return validate_slug(value)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("modules")
    @classmethod
    def _modules(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # order kept, duplicates dropped

    @field_validator("operating_hours")
    @classmethod
    def _hours(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else validate_hours(value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return validate_contact_email(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return validate_contact_phone(value)


class TenantUpdate(Strict):
    name: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    name_en: Annotated[str, Field(max_length=200)] | None = None
    status: TenantStatus | None = None
    timezone: Annotated[str, Field(max_length=64)] | None = None
    operating_hours: dict[str, Any] | None = None
    contact_email: Annotated[str, Field(max_length=200)] | None = None
    contact_phone: Annotated[str, Field(max_length=32)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        """Leave a field out to keep it; `null` would be ambiguous (clear it? keep it?)."""
        if value is None:
            raise invalid("null_not_allowed")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else validate_timezone(value)

    @field_validator("operating_hours")
    @classmethod
    def _hours(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else validate_hours(value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else validate_contact_email(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else validate_contact_phone(value)


class ProfileUpdate(Strict):
    """What a tenant administrator keeps up to date: when and how citizens reach the service.

    Names, time zone and status stay with the consortium (`PATCH /api/v1/admin/tenants/...`).
    Only the fields sent change; `""` clears a contact field.
    """

    operating_hours: dict[str, Any] | None = Field(default=None, description=HOURS_HELP)
    contact_email: Annotated[str, Field(max_length=200)] | None = None
    contact_phone: Annotated[str, Field(max_length=32)] | None = Field(
        default=None, description="Greek number (stored as +30...) or a short code (1xxx)."
    )
    address: Annotated[str, Field(max_length=300)] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        if value is None:
            raise invalid("null_not_allowed")
        return value

    @field_validator("operating_hours")
    @classmethod
    def _hours(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if not value:
            raise invalid("invalid_hours")
        return validate_hours(value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else validate_contact_email(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else validate_contact_phone(value)


class ProfileOut(BaseModel):
    """The tenant as its own staff see it: names, time zone, hours and public contacts."""

    slug: str
    name: str = Field(description="In the request's language.")
    name_el: str
    name_en: str
    status: TenantStatus
    timezone: str
    operating_hours: dict[str, Any]
    contact_email: str
    contact_phone: str
    address: str
    modules: list[str]


class TenantOut(BaseModel):
    id: UUID
    slug: str
    name: str
    name_en: str
    status: TenantStatus
    timezone: str
    operating_hours: dict[str, Any]
    modules: list[str]
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TenantDetail(TenantOut):
    """One tenant for the consortium: its record, module settings and head count."""

    module_settings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    members: int = 0


class TenantModuleOut(BaseModel):
    """A module as enabled for one tenant, with its validated settings."""

    module: str
    enabled: bool
    settings: dict[str, Any]


class ModuleInfoOut(BaseModel):
    """An installed program module: what a consortium administrator may enable."""

    slug: str
    title_el: str
    title_en: str
    version: str
    description_el: str = ""
    description_en: str = ""
    builtin: bool
    distribution: str
    roles: list[str] = Field(default_factory=list)
    settings_schema: dict[str, Any]


class EnabledModuleOut(BaseModel):
    """A module enabled for the tenant, as its staff see it."""

    slug: str
    title: str = Field(description="In the request's language.")
    title_el: str
    title_en: str
    version: str
    description: str = ""
    settings_schema: dict[str, Any]


class TenantStats(BaseModel):
    """Usage counts of one tenant: numbers only, never personal data."""

    id: UUID
    slug: str
    status: TenantStatus
    members: int
    modules: list[str]
    rows: dict[str, int] = Field(description="Row count per tenant table.")


class StatsOut(BaseModel):
    tenants: list[TenantStats]
    totals: dict[str, int]


DEFAULT_HOURS: dict[str, list[list[str]]] = {
    day: [["08:00", "15:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}
