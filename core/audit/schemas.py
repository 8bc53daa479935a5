"""Response models of the audit route: ids and codes only, never names or free text."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AuditEventOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID
    seq: int | None = Field(
        default=None, description="Position in the tenant's hash chain; null until sealed."
    )
    at: datetime
    user_id: UUID | None = None
    action: str = Field(description="create, read, update, delete, export, denied, admin, ...")
    object_type: str
    object_id: str
    outcome: str = Field(description="ok, denied or failed")
    request_id: str
    client_address: str
    details: dict[str, Any] = Field(default_factory=dict, description="Codes and ids only.")


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = None
