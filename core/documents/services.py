"""The document register's services: the only writer of `document` and of the files.

Public for modules: `save_document(...)`, `list_documents(owner_type, owner_id)`,
`document_exists(id)`, `read_document(...)`, and `register_owner_type(...)` for a module whose
records can carry documents.

Who sees a module record's documents: whoever sees the record. A module whose records are
restricted (prosecutor orders: the assigned team and supervisors) registers `visible=`; it is
asked on every upload, list by owner, read, download and deletion, and such documents appear
in the list without an owner only as far as `visible_ids=` allows (never without it).

Order of a save: validate everything (metadata, owner, type by its bytes, size), insert the
row and the audit event, and write the file last; if writing fails, the exception rolls the
transaction back and no file is left. Nothing is stored for a refused upload.

Order of a deletion (one document, or a person's erasure): delete the rows now and the files
after the commit (`core.db.on_commit`), so a request that is refused or fails afterwards
rolls back to rows that still have their files.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

from piccolo.columns.combination import Combinable
from pydantic import ValidationError

from core import db
from core.audit.writer import record
from core.crypto import decrypt, encrypt
from core.documents import storage
from core.documents.config import document_settings
from core.documents.rules import (
    SPECIAL_DOC_TYPES,
    doc_type_allowed,
    module_of,
    safe_filename,
    sniff,
)
from core.documents.schemas import DocumentMeta
from core.documents.tables import Document
from core.errors import AppError, Conflict, FieldError, NotFound, RequestValidationError
from core.i18n import t
from core.pagination import keyset
from tenants.scoping import current_tenant_id

if TYPE_CHECKING:
    from core.context import RequestContext

log = logging.getLogger("merimna.documents")

PERSON = "person"
OwnerCheck = Callable[[UUID], Awaitable[bool]]
VisibleCheck = Callable[[UUID, Any], Awaitable[bool]]
VisibleIds = Callable[[Any], Awaitable[Iterable[UUID] | None]]


@dataclass(frozen=True)
class OwnerType:
    """How to tell whether a module's record may carry (or show) documents for an actor:
    `exists` (tenant-wide records) or `visible` (records only some staff may see)."""

    exists: OwnerCheck | None = None
    visible: VisibleCheck | None = None
    visible_ids: VisibleIds | None = None

    async def admits(self, record_id: UUID, actor: Any) -> bool:
        if self.visible is not None:
            return bool(await self.visible(record_id, actor))
        assert self.exists is not None
        return bool(await self.exists(record_id))


_owner_types: dict[str, OwnerType] = {}


class DocumentTooLarge(AppError):
    status_code = 413
    code = "document_too_large"


def register_owner_type(
    owner_type: str,
    exists: OwnerCheck | None = None,
    *,
    visible: VisibleCheck | None = None,
    visible_ids: VisibleIds | None = None,
) -> None:
    """Let documents be attached to a module's records.

    Give `exists` for records every member of the tenant may know about, or `visible` for
    records only some staff may see; then the documents are exactly as visible as the record.

    Args:
        owner_type: `{module}.{record}` (e.g. `help_at_home.care_plan`); uploads for it are
            accepted only in tenants that enabled the module.
        exists: `async (record_id) -> bool`: whether the record exists in the current tenant.
            Anyone with `documents.read` / `documents.write` may then list, read, upload and
            delete the record's documents (the form of API 1.1, still supported).
        visible: `async (record_id, actor) -> bool` (API 1.2): whether the record exists in
            the current tenant AND the actor may see it; `actor` is the request context
            (`ctx.user_id`, `ctx.has(...)`) or the actor a module passed to `save_document`.
            Asked on upload, on the list by owner, and on reading, downloading and deleting
            one document; False is a 404, as for a record of another tenant.
        visible_ids: `async (actor) -> ids | None` (API 1.2, only with `visible`): the
            records whose documents the actor sees in the list without an owner filter;
            None means all of them. Without it those documents are left out of that list and
            are listed through their record (`?owner_type=...&owner_id=...`). Both are applied
            in the query, before paging, so a page is never cut short.
    """
    if module_of(owner_type) is None:
        raise ValueError("an owner type of a module is `{module}.{record}`")
    if (exists is None) == (visible is None):
        raise ValueError("give either `exists` or `visible`")
    if visible_ids is not None and visible is None:
        raise ValueError("`visible_ids` goes with `visible`")
    _owner_types[owner_type] = OwnerType(exists=exists, visible=visible, visible_ids=visible_ids)


def _now() -> datetime:
    return datetime.now(UTC)


async def _audit(
    actor: Any, action: str, object_id: Any, details: dict[str, Any] | None = None
) -> None:
    await record(cast("RequestContext", actor), action, "document", object_id, details=details)


FILENAME = "document.original_filename"


async def _seal(text: str) -> str:
    return await encrypt(text, FILENAME) or ""


async def _open(token: str) -> str:
    return await decrypt(token, FILENAME) or ""


def _modules(actor: Any) -> frozenset[str]:
    tenant_ref = getattr(actor, "tenant_ref", None)
    return frozenset(tenant_ref.modules) if tenant_ref is not None else frozenset()


def _sees_special(actor: Any) -> bool:
    return bool(getattr(actor, "sees_special_categories", False))


async def owner_exists(
    owner_type: str, owner_id: UUID, modules: Collection[str], actor: Any = None
) -> bool:
    """Whether the owner record exists in the current tenant, its module is enabled and,
    for a module record registered with `visible`, the actor may see it."""
    if owner_type == PERSON:
        from core.beneficiaries.services import person_exists

        return await person_exists(owner_id)
    module = module_of(owner_type)
    registered = _owner_types.get(owner_type)
    if module is None or module not in modules or registered is None:
        return False
    return await registered.admits(owner_id, actor)


def _owner_type_known(owner_type: str, modules: Collection[str]) -> bool:
    if owner_type == PERSON:
        return True
    module = module_of(owner_type)
    return owner_type in _owner_types and module is not None and module in modules


async def _listable(actor: Any) -> Combinable:
    """The condition on owners for a list without an owner: people, records of enabled
    modules registered with `exists`, and of those registered with `visible` only the ids
    `visible_ids` gives (all for None, none without it). Part of the query, so paging holds."""
    modules = _modules(actor)
    open_types = [PERSON]
    restricted: list[Combinable] = []
    for owner_type, registered in sorted(_owner_types.items()):
        if module_of(owner_type) not in modules:
            continue
        if registered.visible is None:
            open_types.append(owner_type)
            continue
        if registered.visible_ids is None:
            continue
        ids = await registered.visible_ids(actor)
        if ids is None:
            open_types.append(owner_type)
            continue
        id_list = sorted({UUID(str(i)) for i in ids})
        if id_list:
            restricted.append(
                (Document.owner_type == owner_type) & Document.owner_id.is_in(id_list)
            )
    condition: Combinable = Document.owner_type.is_in(open_types)
    for extra in restricted:
        condition = condition | extra
    return condition


def _visible(row: dict[str, Any], actor: Any) -> bool:
    if row["doc_type"] in SPECIAL_DOC_TYPES and not _sees_special(actor):
        return False
    module = module_of(row["owner_type"])
    return module is None or module in _modules(actor)


# -- public reads -------------------------------------------------------------------------------


async def document_exists(document_id: UUID) -> bool:
    """Whether the document exists in the current tenant."""
    return bool(await Document.exists().where(Document.id == document_id))


async def document_owner(document_id: UUID) -> tuple[str, UUID]:
    """(owner_type, owner_id) of a document of the current tenant; `NotFound` otherwise."""
    row = (
        await Document.select(Document.owner_type, Document.owner_id)
        .where(Document.id == document_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row["owner_type"], row["owner_id"]


async def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "owner_type": row["owner_type"],
        "owner_id": row["owner_id"],
        "doc_type": row["doc_type"],
        "issue_date": row["issue_date"],
        "expiry_date": row["expiry_date"],
        "original_filename": await _open(row["original_filename"]),
        "content_type": row["content_type"],
        "size": row["size"],
        "uploaded_by": row["uploaded_by"],
        "created_at": row["created_at"],
    }


async def _visible_row(actor: Any, document_id: UUID) -> dict[str, Any]:
    """The document, if the actor may see it: its type, its module, and its owner record
    for a module registered with `visible` (404 otherwise, like another tenant's)."""
    row = await Document.select().where(Document.id == document_id).first()
    if row is None or not _visible(row, actor):
        raise NotFound()
    registered = _owner_types.get(row["owner_type"])
    if (
        registered is not None
        and registered.visible is not None
        and not await registered.visible(row["owner_id"], actor)
    ):
        raise NotFound()
    return dict(row)


async def get_document(actor: Any, document_id: UUID) -> dict[str, Any]:
    """A document's metadata (404 for another tenant's or one the actor may not see)."""
    row = await _visible_row(actor, document_id)
    await _audit(actor, "read", document_id)
    return await _out(row)


async def read_document(actor: Any, document_id: UUID) -> tuple[dict[str, Any], bytes]:
    """Metadata and decrypted content; the read is audited."""
    row = await _visible_row(actor, document_id)
    content = await storage.read(current_tenant_id(), row["id"], row["storage_key"])
    await _audit(actor, "read", document_id, {"content": True})
    return await _out(row), content


async def list_documents(
    owner_type: str,
    owner_id: UUID,
    *,
    actor: Any = None,
) -> list[dict[str, Any]]:
    """Documents of one owner record (metadata, newest first). With an `actor`, only those
    they may see (special types need a role that sees special categories).

    A module calls it for its own record after its own visibility check: the owner type's
    `visible` (`register_owner_type`) is not asked again here."""
    rows = (
        await Document.select()
        .where((Document.owner_type == owner_type) & (Document.owner_id == owner_id))
        .order_by(Document.created_at, ascending=False)
    )
    if actor is not None:
        rows = [r for r in rows if _visible(r, actor)]
    return [await _out(r) for r in rows]


async def list_page(
    actor: Any,
    *,
    owner_type: str | None,
    owner_id: UUID | None,
    doc_type: str | None,
    limit: int | None,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the documents the actor may see, newest first. With an owner, the owner
    must be visible (404 otherwise); without one, only owners `_listable` admits."""
    if owner_id is not None and owner_type is None:
        raise RequestValidationError.single("owner_type", "missing")
    if (
        owner_type is not None
        and owner_id is not None
        and not await owner_exists(owner_type, owner_id, _modules(actor), actor)
    ):
        raise NotFound()
    query = Document.select()
    if owner_id is None:
        query = query.where(await _listable(actor))
    if owner_type is not None:
        query = query.where(Document.owner_type == owner_type)
    if owner_id is not None:
        query = query.where(Document.owner_id == owner_id)
    if doc_type is not None:
        query = query.where(Document.doc_type == doc_type)
    if not _sees_special(actor):
        query = query.where(Document.doc_type.not_in(sorted(SPECIAL_DOC_TYPES)))
    rows, next_cursor = await keyset(
        query,
        sort=Document.created_at,
        id_column=Document.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    items = [await _out(r) for r in rows if _visible(r, actor)]
    await _audit(actor, "read", "", {"list": True, "ids": [str(i["id"]) for i in items]})
    return items, next_cursor


# -- writes -------------------------------------------------------------------------------------


def validate_meta(fields: dict[str, Any], modules: Collection[str]) -> DocumentMeta:
    """Every problem of the metadata at once (422), before anything else is looked at."""
    errors: list[FieldError] = []
    meta: DocumentMeta | None = None
    try:
        meta = DocumentMeta.model_validate(fields)
    except ValidationError as exc:
        errors.extend(RequestValidationError.from_pydantic(exc).errors)
    raw_type = fields.get("owner_type")
    if isinstance(raw_type, str) and raw_type and not _owner_type_known(raw_type, modules):
        errors.append(
            FieldError("owner_type", "unknown_owner_type", t("validation.unknown_owner_type"))
        )
    raw_doc = fields.get("doc_type")
    if isinstance(raw_doc, str) and raw_doc and not doc_type_allowed(raw_doc, modules):
        errors.append(
            FieldError(
                "doc_type", "unknown_doc_type", t("validation.unknown_doc_type", doc_type=raw_doc)
            )
        )
    if (
        meta is not None
        and meta.issue_date is not None
        and meta.expiry_date is not None
        and meta.expiry_date < meta.issue_date
    ):
        errors.append(
            FieldError("expiry_date", "expiry_before_issue", t("validation.expiry_before_issue"))
        )
    if errors or meta is None:
        raise RequestValidationError(errors=errors)
    return meta


def check_content(content: bytes, field: str = "file") -> str:
    """The real content type of the bytes; 413 when too large, 422 when not allowed."""
    limit = document_settings().max_bytes
    if len(content) > limit:
        raise DocumentTooLarge(max_mb=round(limit / (1024 * 1024), 1))
    if not content:
        raise RequestValidationError.single(field, "empty_file")
    kind = sniff(content)
    if kind is None:
        raise RequestValidationError.single(field, "unsupported_file_type")
    return kind


async def save_document(
    actor: Any,
    *,
    owner_type: str,
    owner_id: UUID | str,
    doc_type: str,
    content: bytes,
    filename: str,
    issue_date: date | str | None = None,
    expiry_date: date | str | None = None,
) -> dict[str, Any]:
    """Store one document of an owner record of the current tenant; returns its metadata.

    Args:
        actor: the request context (`ctx`) or a system actor (user_id, request_id, client,
            tenant_ref).
        content: the file's bytes: PDF, PNG or JPEG by their signature, at most
            `MERIMNA_DOCUMENT_MAX_BYTES` (10 MB by default).

    Raises:
        RequestValidationError: bad metadata, expiry before issue, type not allowed (422).
        DocumentTooLarge: 413.
        NotFound: the owner is not the current tenant's, or is a record the actor may not
            see (`register_owner_type(visible=...)`).
    """
    modules = _modules(actor)
    meta = validate_meta(
        {
            "owner_type": owner_type,
            "owner_id": owner_id,
            "doc_type": doc_type,
            "issue_date": issue_date,
            "expiry_date": expiry_date,
        },
        modules,
    )
    if not await owner_exists(meta.owner_type, meta.owner_id, modules, actor):
        raise NotFound()
    content_type = check_content(content)
    tenant_id = current_tenant_id()
    document_id = uuid4()
    key = storage.new_key()
    await Document.insert(
        Document(
            id=document_id,
            owner_type=meta.owner_type,
            owner_id=meta.owner_id,
            doc_type=meta.doc_type,
            issue_date=meta.issue_date,
            expiry_date=meta.expiry_date,
            original_filename=await _seal(safe_filename(filename)),
            content_type=content_type,
            size=len(content),
            storage_key=key,
            uploaded_by=getattr(actor, "user_id", None),
            created_at=_now(),
        )
    )
    await _audit(
        actor,
        "create",
        document_id,
        {
            "owner_type": meta.owner_type,
            "owner_id": str(meta.owner_id),
            "doc_type": meta.doc_type,
            "size": len(content),
        },
    )
    # Last: a failure here rolls the row back, and `write` leaves no partial file behind.
    await storage.write(tenant_id, document_id, key, content)
    row = await Document.select().where(Document.id == document_id).first()
    try:
        assert row is not None
        return await _out(row)
    except BaseException:
        storage.remove(tenant_id, key)
        raise


async def delete_document(actor: Any, document_id: UUID) -> None:
    """Delete a document, and its file once that has committed. A signed consent form still
    referenced by a consent record is kept (409 `document_in_use`)."""
    from core.casework.consent import document_in_use

    row = await _visible_row(actor, document_id)
    if await document_in_use(document_id):
        raise Conflict("document_in_use")
    await Document.delete().where(Document.id == document_id)
    await _audit(
        actor,
        "delete",
        document_id,
        {"owner_type": row["owner_type"], "owner_id": str(row["owner_id"])},
    )
    _remove_after_commit(current_tenant_id(), [row["storage_key"]])


def _remove_after_commit(tenant_id: UUID, keys: list[str]) -> None:
    """Delete files once the deletion of their rows has committed: a request that fails
    later (an erasure refused with 409, a 500) rolls the rows back and keeps its files. If
    the process dies between the commit and the removal, `sweep_orphans` finds them."""
    if not keys:
        return

    def remove() -> None:
        for key in keys:
            storage.remove(tenant_id, key)

    db.on_commit(remove)


async def sweep_orphans(older_than_seconds: float = 3600) -> int:
    """Remove files of the current tenant that no row names (a commit failed after the file
    was written) and stale temporary files; returns how many were removed."""
    tenant_id = current_tenant_id()
    files = storage.stored_keys(tenant_id, older_than_seconds)
    if not files:
        return 0
    known = {r["storage_key"] for r in await Document.select(Document.storage_key)}
    removed = 0
    for key, path in files:
        if path.name.endswith(storage.PART) or key not in known:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d orphan document files", removed)
    return removed


# -- one person's data ---------------------------------------------------------------------------


async def export_person(person_id: Any) -> dict[str, Any]:
    try:
        pid = UUID(str(person_id))
    except ValueError:
        return {}
    items = []
    for doc in await list_documents(PERSON, pid):
        items.append(
            {
                k: (
                    v.isoformat()
                    if hasattr(v, "isoformat")
                    else str(v)
                    if isinstance(v, UUID)
                    else v
                )
                for k, v in doc.items()
            }
        )
    return {"documents": items}


async def erase_person(person_id: Any) -> list[str]:
    """Delete the person's documents, except signed consent forms that consent records (kept
    as proof) still reference; their files go once the erasure has committed."""
    from core.casework.consent import document_in_use

    try:
        pid = UUID(str(person_id))
    except ValueError:
        return []
    tenant_id = current_tenant_id()
    rows = await Document.select(Document.id, Document.storage_key).where(
        (Document.owner_type == PERSON) & (Document.owner_id == pid)
    )
    kept = 0
    removed_keys = []
    for row in rows:
        if await document_in_use(row["id"]):
            kept += 1
            continue
        await Document.delete().where(Document.id == row["id"])
        removed_keys.append(row["storage_key"])
    # Not now: the erasure may still be refused (retention elsewhere) and roll back.
    _remove_after_commit(tenant_id, removed_keys)
    return [t("documents.erase.consent_forms_kept", count=kept)] if kept else []


async def move_person(survivor_id: Any, merged_id: Any) -> None:
    await Document.update({Document.owner_id: UUID(str(survivor_id))}).where(
        (Document.owner_type == PERSON) & (Document.owner_id == UUID(str(merged_id)))
    )
