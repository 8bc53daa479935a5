"""HTTP routes of the document register (`documents.read` / `documents.write`, staff)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery

from core.context import RequestContext
from core.documents import services
from core.documents.config import MULTIPART_OVERHEAD, document_settings
from core.documents.rules import EXTENSIONS
from core.documents.schemas import DocumentOut, DocumentPage, DocumentUpload
from core.errors import FieldError, RequestValidationError
from core.i18n import t
from core.staff.http import BODY_ERRORS

Ctx = NamedDependency[RequestContext]
TAGS = ["documents"]
READ = "documents.read"
WRITE = "documents.write"


@post(
    "/documents",
    tags=TAGS,
    exception_handlers=BODY_ERRORS,
    request_max_body_size=document_settings().max_bytes + MULTIPART_OVERHEAD,
    summary="Upload a document",
    description="multipart/form-data: `file` (PDF, PNG or JPEG, recognised by its bytes; "
    "at most 10 MB unless configured otherwise: 413 `document_too_large`), `owner_type` "
    "(`person` or a module's record type), `owner_id`, `doc_type`, `issue_date` and "
    "`expiry_date` (ISO dates; expiry before issue is 422). The file is stored encrypted. "
    "An owner that is not this tenant's, or a module record the user may not see, is 404; "
    "nothing is stored for a refused upload.",
)
async def upload(
    ctx: Ctx,
    data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> DocumentOut:
    ctx.require(WRITE)
    fields: dict[str, Any] = {
        "owner_type": data.owner_type,
        "owner_id": data.owner_id,
        "doc_type": data.doc_type,
        "issue_date": data.issue_date or None,
        "expiry_date": data.expiry_date or None,
    }
    meta_errors: list[FieldError] = []
    try:
        services.validate_meta(fields, ctx.tenant.modules)
    except RequestValidationError as exc:
        meta_errors = exc.errors
    if data.file is None or not hasattr(data.file, "read"):
        meta_errors.append(FieldError("file", "missing", t("validation.missing")))
    if meta_errors or data.file is None:
        raise RequestValidationError(errors=meta_errors)
    content = await data.file.read()
    saved = await services.save_document(
        ctx, content=content, filename=data.file.filename or "", **fields
    )
    return DocumentOut(**saved)


@get(
    "/documents",
    tags=TAGS,
    summary="List documents",
    description="Filters: `owner_type` and `owner_id` (an owner that is not this tenant's, or "
    "a module record the user may not see, is 404), `doc_type`. Newest first. Without "
    "`owner_id`, documents of restricted module records (e.g. prosecutor orders) are listed "
    "only for the records the user may see, or only through their record.",
)
async def list_documents(
    ctx: Ctx,
    owner_type: FromQuery[str | None] = None,
    owner_id: FromQuery[UUID | None] = None,
    doc_type: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> DocumentPage:
    ctx.require(READ)
    rows, next_cursor = await services.list_page(
        ctx,
        owner_type=owner_type,
        owner_id=owner_id,
        doc_type=doc_type,
        limit=limit,
        cursor=cursor,
    )
    return DocumentPage(items=[DocumentOut(**r) for r in rows], next_cursor=next_cursor)


@get("/documents/{document_id:uuid}", tags=TAGS, summary="A document's metadata")
async def read_document(ctx: Ctx, document_id: FromPath[UUID]) -> DocumentOut:
    ctx.require(READ)
    return DocumentOut(**await services.get_document(ctx, document_id))


@get(
    "/documents/{document_id:uuid}/content",
    tags=TAGS,
    summary="Download a document",
    description="The decrypted file, as an attachment. Audited.",
)
async def download(ctx: Ctx, document_id: FromPath[UUID]) -> Response[bytes]:
    ctx.require(READ)
    meta, content = await services.read_document(ctx, document_id)
    name = meta["original_filename"] or f"document{EXTENSIONS.get(meta['content_type'], '')}"
    fallback = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in name)
    return Response(
        content,
        media_type=meta["content_type"],
        headers={
            "Content-Disposition": f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@delete(
    "/documents/{document_id:uuid}",
    tags=TAGS,
    status_code=204,
    summary="Delete a document and its file",
    description="409 `document_in_use` for a signed consent form a consent record names.",
)
async def remove(ctx: Ctx, document_id: FromPath[UUID]) -> None:
    ctx.require(WRITE)
    await services.delete_document(ctx, document_id)


ROUTES: list[Any] = [upload, list_documents, read_document, download, remove]
