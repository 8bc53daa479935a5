"""Retention policies per record type and tenant, and the run that applies them.

A few record types, each with a default (months, action) a tenant may change:

* `audit_events`: the audit trail; `prune` goes through `core.audit.chain.prune`, which
  verifies the chain first and keeps a checkpoint so what remains still verifies.
* `appointments`: appointments that ended long ago; `anonymise` clears their free text
  (outcome notes, place, cancellation and override reasons, video link). The rows, times,
  services and participants stay for the statutory counts.
* `referrals_closed`: completed, rejected or cancelled referrals; `anonymise` clears the
  reason, outcome, legal-basis note and the notes of their status history.
* `documents`: documents filed on a person; `delete` removes the row and the encrypted file,
  except signed consent forms a consent record still names (the proof of consent). Kept by
  default: many are part of a statutory file, so a tenant opts in.

Every type can also be set to `keep`. The run visits tenants through
`tenants.maintenance.for_each_tenant` (one tenant at a time, its own transaction, the
platform audit trail records the run) and is a dry run unless asked to apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from dateutil.relativedelta import relativedelta

from core import db
from core.gdpr.tables import RetentionPolicy

KEEP = "keep"


@dataclass(frozen=True)
class RecordType:
    code: str
    title_el: str
    title_en: str
    default_months: int
    default_action: str
    actions: tuple[str, ...]


RECORD_TYPES: dict[str, RecordType] = {
    rt.code: rt
    for rt in (
        RecordType(
            "audit_events",
            "Ίχνος ελέγχου (audit)",
            "Audit trail",
            60,
            "prune",
            ("prune", KEEP),
        ),
        RecordType(
            "appointments",
            "Ραντεβού που έχουν ολοκληρωθεί",
            "Past appointments",
            60,
            "anonymise",
            ("anonymise", KEEP),
        ),
        RecordType(
            "referrals_closed",
            "Κλειστές παραπομπές",
            "Closed referrals",
            60,
            "anonymise",
            ("anonymise", KEEP),
        ),
        RecordType(
            "documents",
            "Έγγραφα φακέλου ατόμου",
            "Documents filed on a person",
            120,
            KEEP,
            ("delete", KEEP),
        ),
    )
}
ACTIONS = ("anonymise", "delete", "prune", KEEP)
CLOSED_REFERRAL = ("completed", "rejected", "cancelled")
MAX_MONTHS = 1200


@dataclass(frozen=True)
class Policy:
    record_type: str
    months: int
    action: str
    is_default: bool
    updated_at: datetime | None = None


@dataclass
class Outcome:
    record_type: str
    action: str
    months: int
    cutoff: datetime
    count: int = 0
    applied: bool = False
    # storage keys of deleted documents: their files go once the deletion has committed
    files: list[str] = field(default_factory=list)


async def policies() -> list[Policy]:
    """The current tenant's policies: its own rows over the defaults, in a stable order."""
    rows = {r["record_type"]: r for r in await RetentionPolicy.select()}
    out = []
    for code, rt in RECORD_TYPES.items():
        row = rows.get(code)
        if row is None:
            out.append(Policy(code, rt.default_months, rt.default_action, True))
        else:
            out.append(Policy(code, row["months"], row["action"], False, row["updated_at"]))
    return out


async def set_policy(record_type: str, months: int, action: str, actor: UUID | None) -> Policy:
    """Write one policy of the current tenant (validated by the caller's schema).

    One upsert on the (tenant, record type) unique key: two administrators saving a tenant's
    first policy at once used to both find no row and both insert, and the second request
    failed with a unique violation (500). Now the later one waits for the first and
    updates its row; the last save wins.
    """
    now = datetime.now(UTC)
    await RetentionPolicy.insert(
        RetentionPolicy(
            id=uuid4(),
            record_type=record_type,
            months=months,
            action=action,
            updated_by=actor,
            updated_at=now,
        )
    ).on_conflict(
        target=(RetentionPolicy.tenant_id, RetentionPolicy.record_type),
        action="DO UPDATE",
        values=[
            RetentionPolicy.months,
            RetentionPolicy.action,
            RetentionPolicy.updated_by,
            RetentionPolicy.updated_at,
        ],
    )
    return Policy(record_type, months, action, False, now)


def cutoff_for(months: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - relativedelta(months=months)


# -- one record type each: count what is due, and (when applying) act on it ---------------------


async def _appointments(cutoff: datetime, apply: bool) -> int:
    from core.scheduling.tables import Appointment

    due = (Appointment.end_at < cutoff) & (
        (Appointment.notes != "")
        | (Appointment.location_text != "")
        | (Appointment.cancel_reason != "")
        | (Appointment.override_reason != "")
        | Appointment.video_link.is_not_null()
    )
    count = int(await Appointment.count().where(due))
    if apply and count:
        await Appointment.update(
            {
                Appointment.notes: "",
                Appointment.location_text: "",
                Appointment.cancel_reason: "",
                Appointment.override_reason: "",
                Appointment.video_link: None,
                Appointment.updated_at: datetime.now(UTC),
            }
        ).where(due)
    return count


async def _referrals(cutoff: datetime, apply: bool) -> int:
    from core.referrals.tables import Referral, ReferralStatusChange

    closed = Referral.status.is_in(list(CLOSED_REFERRAL)) & (Referral.updated_at < cutoff)
    ids = [r["id"] for r in await Referral.select(Referral.id).where(closed)]
    if not ids:
        return 0
    with_text = (
        (Referral.reason != "") | (Referral.outcome != "") | (Referral.legal_basis_note != "")
    )
    texts = {r["id"] for r in await Referral.select(Referral.id).where(closed & with_text)}
    history = {
        r["referral_id"]
        for r in await ReferralStatusChange.select(ReferralStatusChange.referral_id).where(
            ReferralStatusChange.referral_id.is_in(ids) & (ReferralStatusChange.note != "")
        )
    }
    due = sorted(texts | history)
    if apply and due:
        await Referral.update(
            {Referral.reason: "", Referral.outcome: "", Referral.legal_basis_note: ""}
        ).where(Referral.id.is_in(due))
        await ReferralStatusChange.update({ReferralStatusChange.note: ""}).where(
            ReferralStatusChange.referral_id.is_in(due)
        )
    return len(due)


async def _documents(cutoff: datetime, apply: bool, files: list[str]) -> int:
    from core.casework.tables import Consent
    from core.documents.services import PERSON
    from core.documents.tables import Document

    rows = await Document.select(Document.id, Document.storage_key).where(
        (Document.owner_type == PERSON) & (Document.created_at < cutoff)
    )
    in_use = {
        r["document_id"]
        for r in await Consent.select(Consent.document_id).where(
            Consent.document_id.is_in([r["id"] for r in rows] or [uuid4()])
        )
    }
    due = [r for r in rows if r["id"] not in in_use]
    if apply and due:
        await Document.delete().where(Document.id.is_in([r["id"] for r in due]))
        files.extend(r["storage_key"] for r in due)
    return len(due)


async def _audit_due(cutoff: datetime) -> int:
    from core.audit.tables import AuditEvent

    return int(
        await AuditEvent.count().where(AuditEvent.seq.is_not_null() & (AuditEvent.at < cutoff))
    )


async def _plan(apply: bool, now: datetime) -> list[Outcome]:
    """Inside one tenant's transaction: what each policy would do, done when applying
    (except the audit prune, which takes a transaction and a lock of its own)."""
    out = []
    for policy in await policies():
        cutoff = cutoff_for(policy.months, now)
        outcome = Outcome(policy.record_type, policy.action, policy.months, cutoff)
        if policy.action != KEEP:
            if policy.record_type == "appointments":
                outcome.count = await _appointments(cutoff, apply)
            elif policy.record_type == "referrals_closed":
                outcome.count = await _referrals(cutoff, apply)
            elif policy.record_type == "documents":
                outcome.count = await _documents(cutoff, apply, outcome.files)
            elif policy.record_type == "audit_events":
                outcome.count = await _audit_due(cutoff)
            outcome.applied = apply and policy.record_type != "audit_events"
        out.append(outcome)
    return out


async def run(
    slugs: list[str] | None,
    *,
    apply: bool,
    actor: UUID | None = None,
    now: datetime | None = None,
) -> list[tuple[Any, list[Outcome]]]:
    """Apply (or, by default, only count) every active tenant's retention policies.

    Returns `(tenant, outcomes)` per tenant visited. Each tenant's changes commit in its own
    transaction; files of deleted documents are removed after that commit, so a rollback
    never leaves a row without its file. Applying leaves one platform audit event per tenant
    with the counts, besides the run's own maintenance event.
    """
    from core.audit.chain import prune
    from core.audit.writer import record_platform
    from core.documents import storage
    from tenants.maintenance import for_each_tenant
    from tenants.scoping import tenant_context

    now = now or datetime.now(UTC)

    async def visit(tenant: Any) -> list[Outcome]:
        return await _plan(apply, now)

    results = await for_each_tenant(
        "retention_apply" if apply else "retention_dry_run",
        actor,
        visit,
        slugs=slugs,
        statuses=("onboarding", "active", "suspended"),
        write=apply,
    )
    if not apply:
        return results
    for tenant, outcomes in results:
        for outcome in outcomes:
            for key in outcome.files:
                storage.remove(tenant.id, key)
            if outcome.record_type == "audit_events" and outcome.action == "prune":
                outcome.count = (await prune(tenant.id, outcome.cutoff)).deleted
                outcome.applied = True
        with tenant_context(tenant.id):
            async with db.transaction():
                await record_platform(
                    "retention",
                    user_id=actor,
                    tenant_id=tenant.id,
                    object_type="tenant",
                    object_id=tenant.id,
                    details={
                        o.record_type: {"action": o.action, "count": o.count}
                        for o in outcomes
                        if o.action != KEEP
                    },
                )
    return results
