"""Writing the audit trail.

Successful actions are recorded inside the request's transaction (they vanish with a rolled
back write, as they should). Refusals and failures are recorded in a transaction of their
own after the request's has been rolled back, so the evidence of a probe survives.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from piccolo.utils.encoding import dump_json

from core import db
from tenants.scoping import current_tenant_id, tenant_context

if TYPE_CHECKING:
    from litestar.types import Scope

    from core.context import RequestContext

log = logging.getLogger("merimna.audit")


async def record(
    ctx: RequestContext,
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event for the current tenant, inside the current transaction.

    Written on nearly every request, so the statement is fixed SQL rather than a Piccolo
    insert composed each time; the tenant is the scoping context's, as `TenantScoped.insert`
    stamps it (and on PostgreSQL row-level security checks it). `seq` and `hash` are left for
    the chain sequencer, as before. In a request's transaction on PostgreSQL it is sent
    with the COMMIT (`core.db.write_later`): the audit append costs no round trip of its own,
    and stays in the transaction, before any statement that follows it.
    """
    await db.write_later(
        _INSERT_EVENT,
        current_tenant_id(),
        uuid4(),
        datetime.now(UTC),
        ctx.user_id,
        action,
        object_type,
        str(object_id or ""),
        outcome,
        ctx.request_id,
        ctx.client,
        dump_json(details or {}),  # as Piccolo serialises a JSON column
        "",
    )


_INSERT_EVENT = (
    'INSERT INTO "audit_event" ("tenant_id", "id", "at", "user_id", "action", "object_type", '
    '"object_id", "outcome", "request_id", "client_address", "details", "hash") '
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


async def record_refusal(ctx: RequestContext, scope: Scope, status: int) -> None:
    """A 403/404 inside a tenant: written in its own transaction, after the rollback."""
    try:
        with tenant_context(ctx.tenant.id):
            async with db.transaction(write=True, tenant=ctx.tenant.id):
                await record(
                    ctx,
                    "denied",
                    "route",
                    "",
                    outcome="denied",
                    details={
                        "status": status,
                        "method": scope.get("method", ""),
                        "route": _route_template(scope),
                    },
                )
    except Exception:  # the refusal itself must still reach the client
        log.exception("could not audit a refusal")


def record_if_rolled_back(
    ctx: RequestContext,
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    outcome: str = "denied",
    details: dict[str, Any] | None = None,
) -> None:
    """Audit a refusal a service decides (a 409 of its own, say), once the request's
    transaction has rolled back: an event recorded inside it would vanish with the rollback.
    Call it just before raising; written in a transaction of its own, as `record_refusal`.
    """
    tenant_id = current_tenant_id()

    async def write() -> None:
        with tenant_context(tenant_id):
            async with db.transaction(write=True):
                await db.set_rls_tenant(tenant_id)
                await record(ctx, action, object_type, object_id, outcome=outcome, details=details)

    db.on_rollback(write)


async def record_platform(
    action: str,
    *,
    user_id: UUID | None,
    tenant_id: UUID | None = None,
    object_type: str = "",
    object_id: Any = "",
    outcome: str = "ok",
    request_id: str = "",
    client: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """A consortium-level event (onboarding, module changes, maintenance paths); deferred as
    the tenant's events are (`db.write_later`)."""
    await db.write_later(
        _INSERT_PLATFORM_EVENT,
        uuid4(),
        datetime.now(UTC),
        user_id,
        tenant_id,
        action,
        object_type,
        str(object_id or ""),
        outcome,
        request_id,
        client,
        dump_json(details or {}),
    )


_INSERT_PLATFORM_EVENT = (
    'INSERT INTO "platform_audit_event" ("id", "at", "user_id", "tenant_id", "action", '
    '"object_type", "object_id", "outcome", "request_id", "client_address", "details") '
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


def _route_template(scope: Scope) -> str:
    handler = scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    return sorted(paths)[0] if paths else ""
