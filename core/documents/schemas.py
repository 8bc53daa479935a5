"""Models of the document register: the upload form, its metadata and the answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ConfigDict, Field

from core.pagination import Page


@dataclass
class DocumentUpload:
    """The multipart form of `POST /documents` (every part but `file` is text)."""

    file: UploadFile | None = None
    owner_type: str | None = None
    owner_id: str | None = None
    doc_type: str | None = None
    issue_date: str | None = None
    expiry_date: str | None = None


class DocumentMeta(BaseModel):
    """The metadata of an upload, validated (from the form or from a module's call)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    owner_type: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="`person`, or a module's record type `{module}.{record}`."
    )
    owner_id: UUID
    doc_type: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="id_card, tax_assessment, medical_certificate, disability_decision, "
        "prosecutor_order, residence_proof, consent_form, other, or `{module}.{code}`."
    )
    issue_date: date | None = None
    expiry_date: date | None = None


class DocumentOut(BaseModel):
    id: UUID
    owner_type: str
    owner_id: UUID
    doc_type: str
    issue_date: date | None
    expiry_date: date | None
    original_filename: str
    content_type: str
    size: int
    uploaded_by: UUID | None
    created_at: datetime


class DocumentPage(Page[DocumentOut]):
    pass
