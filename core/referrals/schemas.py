"""Request and response models of referrals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from core.pagination import Page

Kind = Literal["internal", "external"]
AgencyType = Literal[
    "mental_health_service",
    "employment_service",
    "hospital",
    "school",
    "prosecutor",
    "other_municipality",
    "other",
]
Urgency = Literal["normal", "urgent"]
LegalBasis = Literal["consent", "legal_obligation", "vital_interest"]
Status = Literal["draft", "sent", "accepted", "rejected", "completed", "cancelled"]
Direction = Literal["outgoing", "incoming"]

REASON_MAX = 2000
NOTE_MAX = 2000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReferralCreate(Strict):
    person_id: UUID
    kind: Kind = Field(
        description="internal: a module or unit of this municipality; external: another agency."
    )
    direction: Direction = Field(
        default="outgoing",
        description="outgoing: we refer the person on; incoming: the agency (external) or "
        "`source_unit_id` (internal) referred the person to us, to `target_module` / "
        "`target_unit_id`.",
    )
    source_unit_id: UUID | None = Field(
        default=None, description="The unit that refers (outgoing) or that referred (incoming)."
    )
    assigned_staff_id: UUID | None = Field(
        default=None, description="The staff member who handles it on our side."
    )
    target_module: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="internal: a module enabled for the tenant."
    )
    target_unit_id: UUID | None = Field(default=None, description="internal: one of the units.")
    agency_type: AgencyType | None = Field(default=None, description="external: required.")
    agency_name: Annotated[str, Field(max_length=300)] = Field(
        default="", description="external: required (e.g. the mental health centre's name)."
    )
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)] = Field(
        description="Stored encrypted."
    )
    urgency: Urgency = "normal"
    legal_basis: LegalBasis = Field(
        default="consent",
        description="External referrals need a consent in force for purpose `referral` "
        "unless the basis is `legal_obligation` or `vital_interest`.",
    )
    legal_basis_note: Annotated[str, Field(max_length=NOTE_MAX)] = Field(
        default="", description="E.g. the prosecutor's order it answers. Stored encrypted."
    )
    consent_id: UUID | None = Field(
        default=None,
        description="The consent record; when omitted, the person's consent in force for "
        "`referral` is used.",
    )
    due_date: date | None = None
    status: Literal["draft", "sent"] | None = Field(
        default=None,
        description="Start as a draft or send at once; default: `draft` for outgoing ones, "
        "`sent` (received, awaiting acceptance) for incoming ones.",
    )


class ReferralUpdate(Strict):
    due_date: date | None = Field(default=None, description="The deadline; null clears it.")
    urgency: Urgency | None = None
    assigned_staff_id: UUID | None = Field(
        default=None, description="A staff member of this tenant; null unassigns."
    )


class StatusChangeIn(Strict):
    status: Status
    note: Annotated[str, Field(max_length=NOTE_MAX)] = Field(
        default="", description="Stored encrypted."
    )
    outcome: Annotated[str, Field(max_length=NOTE_MAX)] | None = Field(
        default=None, description="The referral's outcome (e.g. on completed or rejected)."
    )


class StatusChangeOut(BaseModel):
    from_status: str | None
    to_status: str
    note: str
    changed_by: UUID | None
    changed_at: datetime


class ReferralOut(BaseModel):
    id: UUID
    person_id: UUID
    kind: str
    direction: str
    source_unit_id: UUID | None
    assigned_staff_id: UUID | None
    target_module: str | None
    target_unit_id: UUID | None
    agency_type: str | None
    agency_name: str
    reason: str
    urgency: str
    legal_basis: str
    legal_basis_note: str
    consent_id: UUID | None
    status: str
    due_date: date | None
    overdue: bool = Field(description="Still open (draft, sent, accepted) past its due date.")
    outcome: str
    source_module: str | None
    record_type: str | None
    record_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class ReferralDetail(ReferralOut):
    history: list[StatusChangeOut]


class ReferralPage(Page[ReferralOut]):
    pass
