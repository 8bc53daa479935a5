"""Onboarding and the lifecycle of tenants: the only writer of the tenancy tables.

Each operation is one transaction, so onboarding either creates the tenant, its modules with
validated settings and its first administrator, or nothing at all. Consortium actions are
recorded in the platform audit trail inside that transaction (ids and codes only), and the
cached view of the tenant (`tenants.resolution`) is forgotten once the transaction is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ValidationError

from core import db
from core.audit.writer import record, record_platform
from core.errors import Conflict, FieldError, NotFound, RequestValidationError
from core.i18n import get_language, t
from core.pagination import keyset
from core.plugin_host import get_host
from tenants.resolution import (
    TenantInfo,
    enabled_module_settings,
    invalidate_membership,
    invalidate_tenant,
    load_tenant,
)
from tenants.schemas import (
    DEFAULT_HOURS,
    EnabledModuleOut,
    ModuleInfoOut,
    ProfileOut,
    ProfileUpdate,
    StatsOut,
    TenantCreate,
    TenantDetail,
    TenantOut,
    TenantStats,
    TenantUpdate,
)
from tenants.scoping import tenant_context
from tenants.tables import Membership, Tenant, TenantModule

if TYPE_CHECKING:
    from core.context import RequestContext


@dataclass(frozen=True)
class Actor:
    """Who acts on the platform, for its audit trail: an id and where the request came from."""

    user_id: UUID | None = None
    request_id: str = ""
    client: str = ""
    via: str = "api"  # api | cli | system


SYSTEM = Actor(via="system")


async def audit(
    actor: Actor,
    action: str,
    tenant_id: UUID | None,
    *,
    object_type: str = "tenant",
    object_id: Any = "",
    details: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> None:
    """One platform audit event (ids and codes only), in the current transaction."""
    async with db.transaction():
        await record_platform(
            action,
            user_id=actor.user_id,
            tenant_id=tenant_id,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            request_id=actor.request_id,
            client=actor.client,
            details={"via": actor.via, **(details or {})},
        )


# -- modules --------------------------------------------------------------------------------


def settings_model(module: str) -> type[BaseModel]:
    info = get_host().modules.get(module)
    if info is None:
        raise NotFound("unknown_module", module=module)
    return info.manifest.settings_model


def validate_module_settings(module: str, raw: Any, field: str = "settings") -> BaseModel:
    """The module's settings model, validated; 422 naming `settings.<field>` otherwise."""
    host = get_host()
    info = host.modules.get(module)
    if info is None:
        raise RequestValidationError.single("module", "unknown_module", module=module)
    if raw is not None and not isinstance(raw, dict):
        raise RequestValidationError.single(field, "dict_type")
    try:
        return info.manifest.settings_model.model_validate(raw or {})
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc, prefix=field) from None


def installed_modules() -> list[ModuleInfoOut]:
    out = []
    for slug, info in sorted(get_host().modules.items()):
        manifest = info.manifest
        out.append(
            ModuleInfoOut(
                slug=slug,
                title_el=manifest.title_el,
                title_en=manifest.title_en,
                version=manifest.version,
                description_el=manifest.description_el,
                description_en=manifest.description_en,
                builtin=info.builtin,
                distribution=info.distribution,
                roles=[r.code for r in manifest.roles],
                settings_schema=manifest.settings_model.model_json_schema(),
            )
        )
    return out


def enabled_modules(tenant: TenantInfo) -> list[EnabledModuleOut]:
    """The tenant's enabled modules that are installed here, titled in the request's language."""
    english = get_language() == "en"
    out = []
    host = get_host()
    for slug in sorted(tenant.modules):
        info = host.modules.get(slug)
        if info is None:  # enabled once, uninstalled since: nothing to show
            continue
        manifest = info.manifest
        out.append(
            EnabledModuleOut(
                slug=slug,
                title=manifest.title_en if english else manifest.title_el,
                title_el=manifest.title_el,
                title_en=manifest.title_en,
                version=manifest.version,
                description=manifest.description_en if english else manifest.description_el,
                settings_schema=manifest.settings_model.model_json_schema(),
            )
        )
    return out


async def get_module_settings(tenant: TenantInfo, module: str) -> BaseModel:
    """The tenant's settings of an enabled module (cached), validated by its model.

    404 when the module is unknown here or not enabled for the tenant.
    """
    if module not in tenant.modules or module not in get_host().modules:
        raise NotFound()
    stored = (await enabled_module_settings(tenant)).get(module)
    if stored is None:  # the cached tenant is a moment older than its settings
        raise NotFound()
    return validate_module_settings(module, stored)


async def update_module_settings(ctx: RequestContext, module: str, raw: Any) -> BaseModel:
    """A tenant administrator changes an enabled module's settings (whole object, as PUT)."""
    if module not in ctx.tenant.modules or module not in get_host().modules:
        raise NotFound()
    settings = validate_module_settings(module, raw)
    before = await get_module_settings(ctx.tenant, module)
    async with db.transaction():
        await TenantModule.update(
            {
                TenantModule.settings: settings.model_dump(mode="json"),
                TenantModule.updated_at: datetime.now(UTC),
            }
        ).where(
            (TenantModule.tenant_id == ctx.tenant.id)
            & (TenantModule.module == module)
            & (TenantModule.enabled == True)  # noqa: E712
        )
        await record(
            ctx,
            "update",
            "module_settings",
            module,
            details={"module": module, "fields": _changed(before, settings)},
        )
    await invalidate_tenant(ctx.tenant.slug)
    return settings


def _changed(before: BaseModel, after: BaseModel) -> list[str]:
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


async def _enable(tenant_id: UUID, slug: str, module: str, settings: BaseModel) -> bool:
    """Enable (or re-configure) a module inside the caller's transaction; True if newly on."""
    existing = (
        await TenantModule.select(TenantModule.id, TenantModule.enabled)
        .where((TenantModule.tenant_id == tenant_id) & (TenantModule.module == module))
        .first()
    )
    values = settings.model_dump(mode="json")
    now = datetime.now(UTC)
    if existing:
        await TenantModule.update(
            {
                TenantModule.enabled: True,
                TenantModule.settings: values,
                TenantModule.updated_at: now,
            }
        ).where(TenantModule.id == existing["id"])
    else:
        await TenantModule.insert(
            TenantModule(
                id=uuid4(),
                tenant_id=tenant_id,
                module=module,
                enabled=True,
                settings=values,
                updated_at=now,
            )
        )
    newly = not (existing and existing["enabled"])
    if newly:
        tenant = await load_tenant(slug)
        if tenant is None:
            raise NotFound()
        with tenant_context(tenant_id):
            await db.set_rls_tenant(tenant_id)
            await (
                get_host()
                .for_tenant(tenant.modules)
                .module_enabled(tenant=tenant.ref, module=module, settings=settings)
            )
    return newly


async def enable_module(
    slug: str, module: str, raw_settings: Any, *, actor: Actor = SYSTEM
) -> tuple[BaseModel, bool]:
    """Enable a module with these settings, or replace the settings of an enabled one.

    Returns the validated settings and whether the module was newly enabled.
    """
    settings_model(module)  # 404 for a module that is not installed
    settings = validate_module_settings(module, raw_settings)
    try:
        async with db.transaction():
            row = await get_tenant_row(slug)
            newly = await _enable(row["id"], slug, module, settings)
            await audit(
                actor,
                "module.enable" if newly else "module.settings",
                row["id"],
                object_type="module",
                object_id=module,
                details={"module": module},
            )
    finally:
        await invalidate_tenant(slug)
    return settings, newly


async def disable_module(slug: str, module: str, *, actor: Actor = SYSTEM) -> None:
    """Switch a module off for a tenant; its data stays (enabling it again brings it back)."""
    settings_model(module)
    try:
        async with db.transaction():
            row = await get_tenant_row(slug)
            tenant = await load_tenant(slug)
            if tenant is None or module not in tenant.modules:
                raise NotFound("module_not_enabled", module=module)
            await TenantModule.update(
                {TenantModule.enabled: False, TenantModule.updated_at: datetime.now(UTC)}
            ).where((TenantModule.tenant_id == row["id"]) & (TenantModule.module == module))
            with tenant_context(row["id"]):
                await db.set_rls_tenant(row["id"])
                await (
                    get_host()
                    .for_tenant(tenant.modules)
                    .module_disabled(tenant=tenant.ref, module=module)
                )
            await audit(
                actor,
                "module.disable",
                row["id"],
                object_type="module",
                object_id=module,
                details={"module": module},
            )
    finally:
        await invalidate_tenant(slug)


# -- tenants --------------------------------------------------------------------------------


async def get_tenant_row(slug: str) -> dict[str, Any]:
    row = await Tenant.select().where(Tenant.slug == slug).first().output(load_json=True)
    if row is None:
        raise NotFound()
    return row  # type: ignore[no-any-return]


async def tenant_out(row: dict[str, Any]) -> TenantOut:
    return (await tenants_out([row]))[0]


async def tenants_out(rows: list[dict[str, Any]]) -> list[TenantOut]:
    """Tenant rows with their enabled modules, in one query for the whole page."""
    ids = [r["id"] for r in rows]
    by_tenant: dict[Any, list[str]] = {i: [] for i in ids}
    if ids:
        modules = await TenantModule.select(TenantModule.tenant_id, TenantModule.module).where(
            TenantModule.tenant_id.is_in(ids) & (TenantModule.enabled == True)  # noqa: E712
        )
        for m in modules:
            by_tenant[m["tenant_id"]].append(m["module"])
    return [TenantOut(**{**r, "modules": sorted(by_tenant[r["id"]])}) for r in rows]


async def list_tenants(
    *, limit: int | None = None, cursor: str | None = None, status: str | None = None
) -> tuple[list[TenantOut], str | None]:
    query = Tenant.select().output(load_json=True)
    if status:
        query = query.where(Tenant.status == status)
    rows, next_cursor = await keyset(
        query, sort=Tenant.slug, id_column=Tenant.id, limit=limit, cursor=cursor
    )
    return await tenants_out(rows), next_cursor


async def tenant_detail(slug: str) -> TenantDetail:
    row = await get_tenant_row(slug)
    out = await tenant_out(row)
    settings_rows = (
        await TenantModule.select(TenantModule.module, TenantModule.settings)
        .where((TenantModule.tenant_id == row["id"]) & (TenantModule.enabled == True))  # noqa: E712
        .output(load_json=True)
    )
    members = await Membership.count().where(
        (Membership.tenant_id == row["id"]) & (Membership.active == True)  # noqa: E712
    )
    return TenantDetail(
        **out.model_dump(),
        module_settings={r["module"]: r["settings"] or {} for r in settings_rows},
        members=members,
    )


def _is_unique_violation(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text or "integrity" in text


async def create_tenant(
    data: TenantCreate, *, status: str = "active", actor: Actor = SYSTEM
) -> TenantOut:
    """Onboard a municipality: the tenant, its modules and (optionally) its first
    administrator, in one transaction."""
    host = get_host()
    unknown = [m for m in data.modules if m not in host.modules]
    if unknown:
        raise RequestValidationError.single("modules", "unknown_module", module=unknown[0])
    settings = {m: validate_module_settings(m, {}) for m in data.modules}
    now = datetime.now(UTC)
    tenant_id = uuid4()
    try:
        async with db.transaction():
            if await Tenant.exists().where(Tenant.slug == data.slug):
                raise Conflict("duplicate_slug", errors=[_slug_taken()])
            try:
                await Tenant.insert(
                    Tenant(
                        id=tenant_id,
                        slug=data.slug,
                        name=data.name,
                        name_en=data.name_en,
                        status=status,
                        timezone=data.timezone,
                        operating_hours=data.operating_hours or DEFAULT_HOURS,
                        contact_email=data.contact_email,
                        contact_phone=data.contact_phone,
                        address=data.address,
                        created_at=now,
                        updated_at=now,
                    )
                )
            except Exception as exc:  # a concurrent onboarding of the same slug won
                if _is_unique_violation(exc):
                    raise Conflict("duplicate_slug", errors=[_slug_taken()]) from None
                raise
            for module, model in settings.items():
                await _enable(tenant_id, data.slug, module, model)
            admin_id = None
            if data.admin is not None:
                admin_id = await _first_admin(data, actor)
            await audit(
                actor,
                "tenant.create",
                tenant_id,
                object_id=tenant_id,
                details={
                    "modules": list(data.modules),
                    "admin_user_id": str(admin_id) if admin_id else None,
                },
            )
    finally:
        await invalidate_tenant(data.slug)
    return await tenant_out(await get_tenant_row(data.slug))


def _slug_taken() -> FieldError:
    return FieldError("slug", "duplicate_slug", t("error.duplicate_slug"))


async def _first_admin(data: TenantCreate, actor: Actor) -> UUID:
    from core.auth.accounts import create_user

    admin = data.admin
    assert admin is not None
    try:
        user_id = await create_user(
            admin.username, admin.password, display_name=admin.display_name, email=admin.email
        )
    except RequestValidationError as exc:
        for error in exc.errors:
            error.field = f"admin.{error.field}"
        raise
    except Conflict as exc:
        if exc.code == "duplicate_username":
            raise Conflict(
                "duplicate_username",
                errors=[
                    FieldError(
                        "admin.username", "duplicate_username", t("error.duplicate_username")
                    )
                ],
            ) from None
        raise
    await add_membership(data.slug, user_id, ["tenant_admin"], granted_by=actor.user_id)
    return user_id


async def update_tenant(slug: str, data: TenantUpdate, *, actor: Actor = SYSTEM) -> TenantOut:
    """Change a tenant's record; the slug never changes."""
    changes = data.model_dump(exclude_unset=True)
    try:
        async with db.transaction():
            row = await get_tenant_row(slug)
            if changes:
                values = {getattr(Tenant, k): v for k, v in changes.items()}
                values[Tenant.updated_at] = datetime.now(UTC)
                await Tenant.update(values).where(Tenant.id == row["id"])
                await audit(
                    actor,
                    "tenant.update",
                    row["id"],
                    object_id=row["id"],
                    details={"fields": sorted(changes)},
                )
    finally:
        await invalidate_tenant(slug)
    return await tenant_out(await get_tenant_row(slug))


async def set_status(slug: str, status: str, *, actor: Actor = SYSTEM) -> TenantOut:
    """Suspend (staff get 403 `tenant_suspended`) or resume a tenant."""
    action = {"suspended": "tenant.suspend", "active": "tenant.resume"}.get(status, "tenant.status")
    try:
        async with db.transaction():
            row = await get_tenant_row(slug)
            await Tenant.update(
                {Tenant.status: status, Tenant.updated_at: datetime.now(UTC)}
            ).where(Tenant.id == row["id"])
            await audit(
                actor,
                action,
                row["id"],
                object_id=row["id"],
                details={"from": row["status"], "to": status},
            )
    finally:
        await invalidate_tenant(slug)
    return await tenant_out(await get_tenant_row(slug))


# -- a tenant's own profile (hours, contacts) ---------------------------------------------------


async def get_profile(tenant: TenantInfo) -> ProfileOut:
    """The tenant's record as its staff see it (names in the request's language)."""
    row = await get_tenant_row(tenant.slug)
    return _profile(row, tenant.modules)


def _profile(row: dict[str, Any], modules: frozenset[str]) -> ProfileOut:
    english = get_language() == "en"
    return ProfileOut(
        slug=row["slug"],
        name=(row["name_en"] or row["name"]) if english else row["name"],
        name_el=row["name"],
        name_en=row["name_en"],
        status=row["status"],
        timezone=row["timezone"],
        operating_hours=row["operating_hours"] or DEFAULT_HOURS,
        contact_email=row["contact_email"],
        contact_phone=row["contact_phone"],
        address=row["address"],
        modules=sorted(modules),
    )


async def update_profile(ctx: RequestContext, data: ProfileUpdate) -> ProfileOut:
    """A tenant administrator changes the hours or public contacts; audited in the tenant's
    trail (field names only). Runs in the request's transaction; the cached tenant (whose
    hours scheduling reads) is forgotten."""
    changes = data.model_dump(exclude_unset=True)
    async with db.transaction():
        row = await get_tenant_row(ctx.tenant.slug)
        changed = sorted(k for k, v in changes.items() if row[k] != v)
        if changed:
            values: dict[Any, Any] = {getattr(Tenant, k): changes[k] for k in changed}
            values[Tenant.updated_at] = datetime.now(UTC)
            await Tenant.update(values).where(Tenant.id == ctx.tenant.id)
            await record(
                ctx, "update", "tenant_profile", ctx.tenant.id, details={"fields": changed}
            )
        row = await get_tenant_row(ctx.tenant.slug)
    await invalidate_tenant(ctx.tenant.slug)
    return _profile(row, ctx.tenant.modules)


# -- memberships ------------------------------------------------------------------------------


async def add_membership(
    slug: str,
    user_id: UUID,
    roles: list[str],
    *,
    expires_at: datetime | None = None,
    granted_by: UUID | None = None,
) -> None:
    known = {r.code for r in get_host().roles()}
    bad = [r for r in roles if r not in known]
    if bad:
        raise RequestValidationError.single("roles", "unknown_role", role=bad[0])
    async with db.transaction():
        row = await get_tenant_row(slug)
        existing = (
            await Membership.select(Membership.id)
            .where((Membership.tenant_id == row["id"]) & (Membership.user_id == user_id))
            .first()
        )
        if existing:
            await Membership.update(
                {
                    Membership.roles: roles,
                    Membership.active: True,
                    Membership.expires_at: expires_at,
                }
            ).where(Membership.id == existing["id"])
        else:
            await Membership.insert(
                Membership(
                    id=uuid4(),
                    tenant_id=row["id"],
                    user_id=user_id,
                    roles=roles,
                    active=True,
                    expires_at=expires_at,
                    granted_by=granted_by,
                    created_at=datetime.now(UTC),
                )
            )
    await invalidate_membership(slug, user_id)


async def member_count(tenant_id: UUID) -> int:
    return await Membership.count().where(  # type: ignore[no-any-return]
        (Membership.tenant_id == tenant_id) & (Membership.active == True)  # noqa: E712
    )


# -- consortium statistics --------------------------------------------------------------------


async def usage_stats(actor: Actor = SYSTEM, *, slugs: list[str] | None = None) -> StatsOut:
    """Per-tenant usage counts (members, modules, rows per tenant table): numbers only.

    Tenant tables are counted through the maintenance path, one tenant at a time inside its
    own context, so row-level security stays on.
    """
    from piccolo.query.functions.aggregate import Count

    from tenants.maintenance import for_each_tenant

    tables = get_host().export_tables()
    members = {
        r["tenant_id"]: r["count"]
        for r in await Membership.select(Membership.tenant_id, Count())
        .where(Membership.active == True)  # noqa: E712
        .group_by(Membership.tenant_id)
    }

    async def count_rows(_tenant: TenantInfo) -> dict[str, int]:
        return {t._meta.tablename: await t.count() for t in tables}

    visited = await for_each_tenant(
        "stats",
        actor.user_id,
        count_rows,
        slugs=slugs,
        request_id=actor.request_id,
        client=actor.client,
    )
    items = [
        TenantStats(
            id=tenant.id,
            slug=tenant.slug,
            status=tenant.status,  # type: ignore[arg-type]
            members=members.get(tenant.id, 0),
            modules=sorted(tenant.modules),
            rows=rows,
        )
        for tenant, rows in visited
    ]
    totals: dict[str, int] = {
        "tenants": len(items),
        "members": sum(i.members for i in items),
        "rows": sum(sum(i.rows.values()) for i in items),
    }
    for status in ("onboarding", "active", "suspended", "archived"):
        totals[status] = sum(1 for i in items if i.status == status)
    return StatsOut(tenants=items, totals=totals)
