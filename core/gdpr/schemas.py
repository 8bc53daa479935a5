"""Request and response models of the GDPR area (extra fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import invalid
from core.gdpr.retention import ACTIONS, MAX_MONTHS, RECORD_TYPES


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept_retention: bool = Field(
        default=False,
        description="Erase what can be erased even though some records must be kept by law "
        "(they stay, anonymised where their plugin can). Without it such an erasure is 409 "
        "`retention_applies` and nothing changes.",
    )


class RetainedReason(BaseModel):
    code: str | None = Field(description="A stable code where the plugin gave one.")
    message: str = Field(description="Why the records are kept, in the request's language.")


class EraseOut(BaseModel):
    person_id: str
    status: str = Field(description="`erased`, or `erased_with_retention`.")
    anonymised: bool = Field(description="Whether the core person record is anonymised.")
    removed: dict[str, int] = Field(description="Records removed, per record type.")
    remaining: dict[str, int] = Field(
        description="Records still linked to the person (anonymised or retained)."
    )
    retained: list[RetainedReason]


class PersonExport(BaseModel):
    format: str
    version: int
    tenant: str
    person_id: str
    generated_at: str
    data: dict[str, Any]


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_type: str = Field(
        description="`audit_events`, `appointments`, `referrals_closed` or `documents`."
    )
    months: int = Field(description=f"How long records are kept (1 to {MAX_MONTHS} months).")
    action: str = Field(description="`anonymise`, `delete`, `prune` or `keep` (per record type).")

    @field_validator("record_type")
    @classmethod
    def _record_type(cls, value: str) -> str:
        if value not in RECORD_TYPES:
            raise invalid("retention_record_type", allowed=", ".join(RECORD_TYPES))
        return value

    @field_validator("months")
    @classmethod
    def _months(cls, value: int) -> int:
        if not 1 <= value <= MAX_MONTHS:
            raise invalid("months_range", max=MAX_MONTHS)
        return value

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        if value not in ACTIONS:
            raise invalid("retention_action", allowed=", ".join(ACTIONS))
        return value


class RetentionOut(BaseModel):
    record_type: str
    title: str
    months: int
    action: str
    actions: list[str] = Field(description="The actions this record type allows.")
    default: bool = Field(description="True while the tenant has not set its own policy.")
    updated_at: datetime | None = None


class RetentionList(BaseModel):
    items: list[RetentionOut]


class ProcessingActivity(BaseModel):
    code: str
    area: str
    declared: bool = Field(description="False: derived from the module's other declarations.")
    purpose: str
    legal_basis: str
    data_subjects: str
    data_categories: str
    special_categories: bool
    recipients: str
    retention: str
    tables: list[str]


class RetentionRule(BaseModel):
    record_type: str
    months: int
    action: str
    default: bool


class ProcessingRecords(BaseModel):
    tenant: str
    controller: str
    activities: list[ProcessingActivity]
    retention: list[RetentionRule]
