"""The public API of the core for program modules: the only `core` import a module may use.

Everything a module needs is re-exported here; the rest of `core` may change without notice.
An import-linter contract in the test run enforces this boundary. A module that needs more
gets this API extended, so the next module has it too.
"""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from uuid import UUID

from core.audit.writer import record as audit
from core.beneficiaries.composition import HouseholdComposition, MemberFacts, compose
from core.beneficiaries.schemas import BeneficiaryCreate
from core.beneficiaries.services import (
    active_person_ids,
    create_beneficiary,
    get_people,
    get_person,
    household_composition,
    list_beneficiaries,
    person_exists,
    person_ref,
)
from core.beneficiaries.together import (
    PersonInHousehold,
    household_ids_of,
    lock_household,
    people_with_households,
)
from core.casework.consent import consent_in_force_for, current_consent
from core.clock import now as local_now
from core.clock import today as local_today
from core.context import RequestContext
from core.crypto import (
    DecryptionError,
    EncryptedText,
    KeyUnavailable,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
)
from core.db import transaction
from core.documents.services import (
    document_exists,
    list_documents,
    read_document,
    register_owner_type,
    save_document,
)
from core.errors import (
    AppError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RequestValidationError,
    invalid,
)
from core.hookspecs import API_VERSION, hookimpl
from core.i18n import get_language, t
from core.manifest import (
    AgendaEntry,
    CategorySpec,
    Manifest,
    MenuItem,
    Panel,
    PanelItem,
    PermissionSpec,
    ProcessingSpec,
    ReportSpec,
    RoleSpec,
    ServiceSpec,
    Task,
    Tile,
)
from core.pagination import Page, keyset
from core.referrals.services import get_referral, open_referral
from core.refs import AppointmentRef, PersonRef, TenantRef
from core.scheduling.booking import (
    appointments_for_person,
    appointments_for_record,
    book_appointment,
    book_series,
    cancel_appointment,
    find_free_slots,
    get_appointment,
    move_appointment,
    set_appointment_status,
)
from core.scheduling.services import system_actor
from core.schema import Index, tenant_table
from core.selects import select_together
from core.staff.services import (
    get_staff,
    list_staff,
    staff_by_profession,
    staff_exists,
    staff_for_user,
)
from core.text import elot743, fold
from core.web.forms import form_data, parse_form, render_form
from core.web.pages import csrf_token
from core.web.pages import render as render_page
from core.writes import insert_later, inserted, take_each, updated
from tenants.resolution import membership_roles
from tenants.scoping import TenantScoped, current_tenant_id
from tenants.services import get_module_settings as module_settings


async def in_each_tenant(
    fn: Callable[[UUID], Awaitable[None]], *, tenant_ids: Iterable[UUID] | None = None
) -> int:
    """Run `fn(tenant_id)` once per tenant (or for `tenant_ids`), each as that tenant.

    For a module's data migration that needs the tenant, e.g. encrypting values a column
    held in plaintext with each tenant's key (`encrypt` works inside `fn`). Runs in the
    current transaction (the migration's; one is opened otherwise); both walls stay up: the
    scoping context and, on PostgreSQL, row-level security are set for one tenant at a time.
    Returns how many tenants were visited.
    """
    from core import db
    from tenants.scoping import tenant_context
    from tenants.tables import Tenant

    async with db.transaction():
        if tenant_ids is None:
            ids = [r["id"] for r in await Tenant.select(Tenant.id).order_by(Tenant.id)]
        else:
            ids = list(tenant_ids)
        for tenant_id in ids:
            with tenant_context(tenant_id):
                await db.set_rls_tenant(tenant_id)
                await fn(tenant_id)
        await db.set_rls_tenant(None)
    return len(ids)


async def appointments_for_records(
    ctx: RequestContext, module: str, record_type: str, record_ids: Iterable[UUID]
) -> dict[UUID, list[dict[str, Any]]]:
    """The appointments a module attached to several of its records, each record's in time
    order, as `appointments_for_record` answers for one: a constant number of statements for
    a page of records (issue 11), read audited once for them all."""
    from core.scheduling.services import shape
    from core.scheduling.tables import Appointment

    ids = list(dict.fromkeys(record_ids))
    out: dict[UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = (
        await Appointment.select()
        .where(
            (Appointment.module == module)
            & (Appointment.record_type == record_type)
            & Appointment.record_id.is_in(ids)
        )
        .order_by(Appointment.start_at, Appointment.id)
        .output(load_json=True)
    )
    items = await shape(ctx, rows)
    for row, item in zip(rows, items, strict=True):
        out[row["record_id"]].append(item)
    if items:
        await audit(
            ctx,
            "read",
            "appointment",
            "",
            details={"list": True, "ids": [str(i["id"]) for i in items]},
        )
    return out


async def staff_id_for_user(user_id: UUID) -> UUID | None:
    """The id of a login account's staff profile in the current tenant, or None: one indexed
    lookup, for a module that needs only the id ("my visits"), where `staff_for_user` also
    reads units, roles and caseload (issue 11's round-trip budget)."""
    from core.staff.tables import StaffMember

    row = await StaffMember.select(StaffMember.id).where(StaffMember.user_id == user_id).first()
    return None if row is None else row["id"]


__all__ = [
    "API_VERSION",
    "AgendaEntry",
    "AppError",
    "AppointmentRef",
    "BeneficiaryCreate",
    "CategorySpec",
    "Conflict",
    "DecryptionError",
    "EncryptedText",
    "FieldError",
    "Forbidden",
    "HouseholdComposition",
    "Index",
    "KeyUnavailable",
    "Manifest",
    "MemberFacts",
    "MenuItem",
    "NotFound",
    "Page",
    "Panel",
    "PanelItem",
    "PermissionSpec",
    "PersonInHousehold",
    "PersonRef",
    "ProcessingSpec",
    "ReportSpec",
    "RequestContext",
    "RequestValidationError",
    "RoleSpec",
    "ServiceSpec",
    "Task",
    "TenantRef",
    "TenantScoped",
    "Tile",
    "active_person_ids",
    "appointments_for_person",
    "appointments_for_record",
    "appointments_for_records",
    "audit",
    "book_appointment",
    "book_series",
    "cancel_appointment",
    "compose",
    "consent_in_force_for",
    "create_beneficiary",
    "csrf_token",
    "current_consent",
    "current_tenant_id",
    "decrypt",
    "decrypt_bytes",
    "document_exists",
    "elot743",
    "encrypt",
    "encrypt_bytes",
    "find_free_slots",
    "fold",
    "form_data",
    "get_appointment",
    "get_language",
    "get_people",
    "get_person",
    "get_referral",
    "get_staff",
    "hookimpl",
    "household_composition",
    "household_ids_of",
    "in_each_tenant",
    "insert_later",
    "inserted",
    "invalid",
    "keyset",
    "list_beneficiaries",
    "list_documents",
    "list_staff",
    "local_now",
    "local_today",
    "lock_household",
    "membership_roles",
    "module_settings",
    "move_appointment",
    "open_referral",
    "parse_form",
    "people_with_households",
    "person_exists",
    "person_ref",
    "read_document",
    "register_owner_type",
    "render_form",
    "render_page",
    "save_document",
    "select_together",
    "set_appointment_status",
    "staff_by_profession",
    "staff_exists",
    "staff_for_user",
    "staff_id_for_user",
    "system_actor",
    "t",
    "take_each",
    "tenant_table",
    "transaction",
    "updated",
]
