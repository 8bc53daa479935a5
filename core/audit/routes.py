"""`GET /api/v1/t/{tenant}/audit`: the tenant's audit trail, for tenant administrators only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from core.audit import chain
from core.audit.schemas import AuditEventOut, AuditPage
from core.audit.tables import AuditEvent
from core.audit.writer import record
from core.context import RequestContext
from core.errors import RequestValidationError
from core.pagination import check_limit, keyset

Ctx = NamedDependency[RequestContext]


@get(
    "/audit",
    tags=["audit"],
    summary="The tenant's audit trail",
    description="Newest first; tenant administrators only (403 for other roles). Filters: "
    "`user_id`, `object_type`, `object_id`, `action`, `outcome`, and the period `since` "
    "(inclusive) / `until` (exclusive), ISO 8601 with offset. Records hold ids and codes "
    "only. `seq` is the record's place in the tamper-evident chain (null until the "
    "sequencer seals it; reading this list seals pending records too). The read itself "
    "is recorded (action `read`, object type `audit`, the names of the filters used).",
)
async def list_audit(
    ctx: Ctx,
    user_id: FromQuery[UUID | None] = None,
    object_type: FromQuery[str | None] = None,
    object_id: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    outcome: FromQuery[str | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> AuditPage:
    ctx.require("audit.read")
    check_limit(limit)
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise RequestValidationError.single(name, "timezone_aware")
    if since is not None and until is not None and until < since:
        raise RequestValidationError.single("until", "period_reversed")
    await chain.seal_on_read(ctx.tenant.id)
    # Who looked at the trail is part of the trail. Written before the query: on SQLite a
    # deferred transaction that writes first takes the writer lock instead of failing later.
    filters: dict[str, tuple[Any, Any]] = {
        "user_id": (AuditEvent.user_id, user_id),
        "object_type": (AuditEvent.object_type, object_type),
        "object_id": (AuditEvent.object_id, object_id),
        "action": (AuditEvent.action, action),
        "outcome": (AuditEvent.outcome, outcome),
        "since": (None, since),
        "until": (None, until),
    }
    used = [name for name, (_, value) in filters.items() if value is not None]
    # (the names of the filters, never their values: those could be anything)
    await record(ctx, "read", "audit", "", details={"filters": used})
    query = AuditEvent.select()
    for column, value in filters.values():
        if column is not None and value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    rows, next_cursor = await keyset(
        query.output(load_json=True),
        sort=AuditEvent.at,
        id_column=AuditEvent.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    items = [
        AuditEventOut(**{k: v for k, v in r.items() if k not in ("tenant_id", "hash")})
        for r in rows
    ]
    return AuditPage(items=items, next_cursor=next_cursor)


ROUTES: list[Any] = [list_audit]
