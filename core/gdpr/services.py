"""A person's data export and erasure, through every plugin's hooks, in the request's
transaction.

Both reach every installed plugin (`PluginHost.all_plugins()`), not only the modules the
tenant has enabled today: records a module wrote while it was enabled are still the person's
data, and still the municipality's to disclose or erase.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from core.audit.writer import record, record_if_rolled_back
from core.beneficiaries.services import get_person
from core.beneficiaries.tables import Beneficiary
from core.context import RequestContext
from core.errors import Conflict
from core.i18n import t
from core.plugin_host import TenantHooks, get_host

EXPORT_FORMAT = "merimna.person-export"
EXPORT_VERSION = 1


def _hooks() -> TenantHooks:
    return get_host().all_plugins()


def plain(value: Any) -> Any:
    """JSON-ready: ids and dates as strings, nested containers converted."""
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


async def export_person(ctx: RequestContext, person_id: UUID) -> dict[str, Any]:
    """One JSON document of everything core and the modules hold on the person."""
    await get_person(person_id)  # NotFound for another tenant's id or an unknown one
    data = await _hooks().export_person(tenant=ctx.tenant_ref, person_id=person_id)
    await record(ctx, "export", "beneficiary", person_id, details={"sections": sorted(data)})
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "tenant": ctx.tenant.slug,
        "person_id": str(person_id),
        "generated_at": datetime.now(UTC).isoformat(),
        "data": plain(data),
    }


def counts(data: Any, prefix: str = "") -> dict[str, int]:
    """Records per record type in an export (`family_center.cases`: 2): lists count their
    items, a dict of scalars counts as one record, a dict of containers is a namespace."""
    out: dict[str, int] = {}
    if not isinstance(data, dict):
        return out
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            out[name] = len(value)
        elif isinstance(value, dict):
            if value and all(isinstance(v, dict | list) for v in value.values()):
                out.update(counts(value, f"{name}."))
            else:
                out[name] = 1 if value else 0
    return out


def retained_reason(reason: str) -> dict[str, str | None]:
    """A plugin's reason as `{code, message}`: plugins return either a message already in
    the request's language or a message key (`food_bank.pickups_teba_audit`)."""
    looks_like_code = " " not in reason and "." in reason
    if looks_like_code:
        message = t(reason)
        if message == reason:
            message = t("gdpr.erase.retained_code", code=reason)
        return {"code": reason, "message": message}
    return {"code": None, "message": reason}


async def erase_person(
    ctx: RequestContext, person_id: UUID, accept_retention: bool
) -> dict[str, Any]:
    """Erase the person through every plugin, in the request's one transaction.

    Where a plugin keeps records under a legal retention duty the answer is 409
    `retention_applies` with the reasons, and the request's rollback undoes every change the
    other plugins made meanwhile (files of deleted documents go only after a commit); the
    refusal is audited (`erase`, outcome `denied`, with the reasons) after that rollback.
    With `accept_retention` the erasable part goes, the retained records stay (anonymised
    where the plugin can), and the answer lists both.
    """
    person = await get_person(person_id)
    if person["status"] == "merged":
        raise Conflict("gdpr_merged", extra={"merged_into": str(person["merged_into"])})
    hooks = _hooks()
    before = counts(await hooks.export_person(tenant=ctx.tenant_ref, person_id=person_id))
    reasons = await hooks.erase_person(tenant=ctx.tenant_ref, person_id=person_id)
    retained = [retained_reason(r) for r in reasons]
    if retained and not accept_retention:
        # The 409 rolls the request back, and an audit event with it: write it afterwards.
        record_if_rolled_back(
            ctx,
            "erase",
            "beneficiary",
            person_id,
            details={
                "reason": "retention_applies",
                "retained": [r["code"] or r["message"] for r in retained],
            },
        )
        raise Conflict("retention_applies", extra={"retained": retained})
    after = counts(await hooks.export_person(tenant=ctx.tenant_ref, person_id=person_id))
    removed = {k: n - after.get(k, 0) for k, n in before.items() if n > after.get(k, 0)}
    remaining = {k: n for k, n in after.items() if n}
    anonymised = (
        await Beneficiary.select(Beneficiary.anonymised_at)
        .where(Beneficiary.id == person_id)
        .first()
    )
    await record(
        ctx,
        "erase",
        "beneficiary",
        person_id,
        details={
            "retained": [r["code"] or "text" for r in retained],
            "removed": removed,
        },
    )
    return {
        "person_id": str(person_id),
        "status": "erased_with_retention" if retained else "erased",
        "anonymised": bool(anonymised and anonymised["anonymised_at"]),
        "removed": removed,
        "remaining": remaining,
        "retained": retained,
    }
