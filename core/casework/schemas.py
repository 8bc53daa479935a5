"""Request and response models of casework: consent records and case notes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import invalid
from core.pagination import Page

Purpose = Literal[
    "referral", "data_sharing", "notifications_sms", "notifications_email", "research", "other"
]
ByWhom = Literal["self", "guardian", "legal_representative"]
ConsentBasis = Literal["consent", "explicit_consent"]
Confidentiality = Literal["normal", "profession", "named"]

NOTE_MAX = 20_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- consent ------------------------------------------------------------------------------


class ConsentCreate(Strict):
    purpose: Purpose
    given_at: datetime | None = Field(
        default=None, description="When it was given (ISO 8601 with offset); default now."
    )
    valid_until: date | None = Field(default=None, description="Last day it is valid.")
    by_whom: ByWhom = Field(default="self", description="Who gave it.")
    legal_basis: ConsentBasis = Field(
        default="consent",
        description="consent: GDPR art. 6(1)(a); explicit_consent: art. 9(2)(a), for special "
        "categories of data.",
    )
    document_id: UUID | None = Field(
        default=None, description="The signed form, a document of this person."
    )

    @field_validator("given_at")
    @classmethod
    def _given_at(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise invalid("timezone_aware")
        if value > datetime.now(UTC):
            raise invalid("consent_in_future")
        return value


class ConsentOut(BaseModel):
    id: UUID
    person_id: UUID
    purpose: str
    status: str
    in_force: bool = Field(description="Given, not withdrawn, not expired.")
    given_at: datetime
    valid_until: date | None
    withdrawn_at: datetime | None
    by_whom: str
    legal_basis: str
    document_id: UUID | None
    recorded_by: UUID | None
    withdrawn_by: UUID | None
    created_at: datetime


class ConsentPage(Page[ConsentOut]):
    pass


# -- notes ----------------------------------------------------------------------------------


def _note_date(value: date | None) -> date | None:
    if value is not None and value > datetime.now(UTC).date():
        raise invalid("note_date_future")
    return value


class NoteCreate(Strict):
    body: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)]
    note_date: date | None = Field(default=None, description="Default: today.")
    confidentiality: Confidentiality = Field(
        default="normal",
        description="normal: staff who read the registry; profession: holders of "
        "`profession`; named: the author and `named_user_ids`.",
    )
    profession: Annotated[str, Field(max_length=64)] | None = Field(
        default=None,
        description="For `profession` notes: one of the author's roles (default: the "
        "author's profession).",
    )
    named_user_ids: list[UUID] = Field(default_factory=list, max_length=50)

    _date = field_validator("note_date")(_note_date)


class NoteUpdate(Strict):
    body: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)] | None = None
    note_date: date | None = None
    confidentiality: Confidentiality | None = None
    profession: Annotated[str, Field(max_length=64)] | None = None
    named_user_ids: list[UUID] | None = Field(default=None, max_length=50)

    _date = field_validator("note_date")(_note_date)


class NoteOut(BaseModel):
    id: UUID
    person_id: UUID
    author_id: UUID
    note_date: date
    confidentiality: str
    profession: str | None
    named_user_ids: list[UUID]
    body: str
    created_at: datetime
    updated_at: datetime


class NotePage(Page[NoteOut]):
    pass
