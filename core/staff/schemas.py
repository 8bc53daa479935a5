"""Request and response models of the staff area (the forms and the OpenAPI schema)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import invalid
from core.pagination import Page
from core.staff.rules import clean_hours

UnitKind = Literal[
    "community_centre",
    "roma_branch",
    "family_support_centre",
    "help_at_home_unit",
    "social_welfare",
    "food_bank",
    "other",
]
UNIT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
PHONE = re.compile(r"^\+?[0-9 ()-]{5,32}$")

HOURS_HELP = (
    'Weekly spans in the tenant\'s local time, e.g. {"mon": [["08:00", "15:00"]]}; '
    "days mon..sun; spans of a day must not overlap."
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _hours(value: Any) -> Any:
    return None if value is None else clean_hours(value)


def _email(value: str) -> str:
    if not value:
        return ""
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise invalid("invalid_email") from None


def _phone(value: str) -> str:
    if value and not PHONE.match(value):
        raise invalid("invalid_staff_phone")
    return value


# -- units --------------------------------------------------------------------------------


class UnitCreate(Strict):
    code: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="Short stable code (lowercase letters, digits, - and _), unique in "
            "the tenant; it never changes.",
        ),
    ]
    name_el: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] = ""
    kind: UnitKind = "other"
    operating_hours: dict[str, Any] | None = Field(
        default=None, description=HOURS_HELP + " null: the tenant's operating hours."
    )
    active: bool = True

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not UNIT_CODE.match(value):
            raise invalid("invalid_unit_code")
        return value

    @field_validator("operating_hours")
    @classmethod
    def _operating_hours(cls, value: Any) -> Any:
        return _hours(value)


class UnitUpdate(Strict):
    name_el: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    name_en: Annotated[str, Field(max_length=200)] | None = None
    kind: UnitKind | None = None
    operating_hours: dict[str, Any] | None = Field(default=None, description=HOURS_HELP)
    active: bool | None = None

    @field_validator("operating_hours")
    @classmethod
    def _operating_hours(cls, value: Any) -> Any:
        return _hours(value)


class UnitOut(BaseModel):
    id: UUID
    code: str
    name_el: str
    name_en: str
    kind: str
    operating_hours: dict[str, list[list[str]]] | None
    active: bool
    created_at: datetime
    updated_at: datetime


class UnitPage(Page[UnitOut]):
    pass


# -- staff --------------------------------------------------------------------------------


class StaffCreate(Strict):
    user_id: UUID | None = Field(
        default=None,
        description="The login account (a member of this tenant); null for staff without "
        "a login. One profile per account.",
    )
    display_name: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="Defaults to the account's display name."
    )
    profession: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="A role code: social_worker, psychologist, or a role of an enabled module."
    )
    unit_ids: list[UUID] = Field(default_factory=list, max_length=50)
    working_hours: dict[str, Any] = Field(default_factory=dict, description=HOURS_HELP)
    email: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=32)] = ""
    active: bool = True

    @field_validator("working_hours")
    @classmethod
    def _wh(cls, value: Any) -> Any:
        return clean_hours(value)

    @field_validator("email")
    @classmethod
    def _em(cls, value: str) -> str:
        return _email(value)

    @field_validator("phone")
    @classmethod
    def _ph(cls, value: str) -> str:
        return _phone(value)


class StaffUpdate(Strict):
    user_id: UUID | None = Field(default=None, description="null unlinks the login account.")
    display_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    profession: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    unit_ids: list[UUID] | None = Field(default=None, max_length=50)
    working_hours: dict[str, Any] | None = Field(default=None, description=HOURS_HELP)
    email: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=32)] | None = None
    active: bool | None = None
    handover_to: UUID | None = Field(
        default=None,
        description="Another active staff member who takes over this one's caseload (the "
        "people they are the case worker of). Required when deactivating someone with a "
        "caseload (422 `handover_required`).",
    )

    @field_validator("working_hours")
    @classmethod
    def _wh(cls, value: Any) -> Any:
        return None if value is None else clean_hours(value)

    @field_validator("email")
    @classmethod
    def _em(cls, value: str | None) -> str | None:
        return None if value is None else _email(value)

    @field_validator("phone")
    @classmethod
    def _ph(cls, value: str | None) -> str | None:
        return None if value is None else _phone(value)


class UnitBrief(BaseModel):
    id: UUID
    code: str
    name_el: str
    name_en: str


class StaffOut(BaseModel):
    id: UUID
    user_id: UUID | None
    username: str | None = Field(default=None, description="The login, when there is one.")
    display_name: str
    profession: str
    roles: list[str] = Field(description="Roles of the account in this tenant (membership).")
    units: list[UnitBrief]
    working_hours: dict[str, list[list[str]]]
    weekly_minutes: int
    caseload: int = Field(
        default=0, description="Active people this staff member is the case worker of."
    )
    email: str
    phone: str
    active: bool
    created_at: datetime
    updated_at: datetime


class StaffPage(Page[StaffOut]):
    pass


class CaseloadPerson(BaseModel):
    id: UUID
    first_name: str
    last_name: str
    birth_date: date
    status: str


class CaseloadPage(Page[CaseloadPerson]):
    pass
