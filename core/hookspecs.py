# mypy: disable-error-code="empty-body"
"""Every extension point of Merimna, in one file: the plugin author's reference.

Words
-----
* **plugin**: any package registered with the plugin manager, core areas included.
* **module**: a plugin with a manifest, which a tenant can enable, configure and disable
  (help_at_home, family_center, roma_branch, food_bank, and third-party ones).
* **tenant**: a municipality (Δήμος); **consortium**: the operator hosting many tenants.

How hooks are called
--------------------
* Start-up hooks are called once per process for every registered plugin.
* Tenant hooks are called through ``PluginHost.for_tenant(tenant)`` and reach the core areas
  plus only the modules that tenant has enabled; a module never asks "am I enabled?".
* Hooks return declarations (routes, reports, services...) and keep I/O in services. Where a
  hook does I/O it returns an awaitable, which the host awaits one at a time, in order.
* Implementations may accept a subset of a spec's arguments, so specs can gain arguments
  without breaking plugins; arguments are never removed. Call sites pass keywords only.

Bump ``API_VERSION``'s major number for any incompatible change; a test compares the specs
with a recorded signature and fails when they change without a bump.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from litestar.types import ControllerRouterHandler
    from piccolo.table import Table

    from core.context import RequestContext
    from core.manifest import (
        AgendaEntry,
        CategorySpec,
        Manifest,
        MenuItem,
        Panel,
        PermissionSpec,
        ReportSpec,
        RoleSpec,
        ServiceSpec,
        Task,
        Tile,
    )
    from core.refs import AppointmentRef, PersonRef, TenantRef

PROJECT = "merimna"
# The version of the whole plugin API: these hooks and `core.api`. A compatible addition to
# either bumps the minor number (1.2: `register_owner_type(visible=, visible_ids=)`; 1.3:
# `merimna_appointment_changed(appointment=...)`; 1.4: `select_together`, `take_each`,
# `insert_later`, `lock_household`, `people_with_households`, `household_ids_of`,
# `appointments_for_records`, `staff_id_for_user`, `inserted`, `updated`: few-round-trip
# reads and writes).
API_VERSION = "1.4"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------------------------
# Start-up: what a plugin is and what it brings (called once, for every plugin)
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def merimna_manifest() -> Manifest | None:
    """Declare the plugin as a module a tenant can enable.

    Returns:
        The module's frozen manifest (slug, titles, version, settings model, roles,
        permissions, categories), or None for core areas, which are always on.

    Called when: the plugin is registered, once per process; the host validates the manifest
    and refuses a module whose ``api_version`` range excludes ``API_VERSION``.
    """


@hookspec
def merimna_piccolo_apps() -> list[str]:
    """Name the Piccolo apps (dotted paths of ``piccolo_app`` modules) the plugin owns.

    Returns:
        Dotted module paths, each with an ``APP_CONFIG``; their migrations run with
        ``merimna migrate`` in dependency order.

    Called when: building the migration registry, for every installed plugin, enabled or not
    (a table exists for every tenant; enabling a module never changes the schema).
    """


@hookspec
def merimna_roles() -> list[RoleSpec]:
    """Declare staff roles (core areas; modules declare theirs in the manifest).

    Returns:
        Role specs whose codes are unique across all plugins.

    Called when: the host builds the role registry at start-up.
    """


@hookspec
def merimna_permissions() -> list[PermissionSpec]:
    """Declare permissions and the roles that hold them by default.

    Returns:
        Permission specs; modules may also list them in the manifest.

    Called when: the host builds the permission registry at start-up.
    """


@hookspec
def merimna_platform_routes() -> list[ControllerRouterHandler]:
    """Contribute routes outside any tenant (authentication, consortium administration).

    Returns:
        Litestar controllers, routers or handlers mounted at the application root.

    Called when: the app is built; core areas only (modules live inside tenants).
    """


@hookspec
def merimna_tenant_routes() -> list[ControllerRouterHandler]:
    """Contribute JSON API routes inside a tenant.

    Returns:
        Litestar controllers or handlers. A core area's are mounted under
        ``/api/v1/t/{tenant}/``; a module's under ``/api/v1/t/{tenant}/modules/{slug}/``,
        where they answer 404 for tenants that have not enabled the module. Handlers receive
        the typed request context as the ``ctx`` dependency.

    Called when: the app is built, once per plugin.
    """


@hookspec
def merimna_ui_routes() -> list[ControllerRouterHandler]:
    """Contribute staff web pages inside a tenant.

    Returns:
        Litestar handlers mounted under ``/t/{tenant}/`` (core) or ``/t/{tenant}/{slug}/``
        (modules), gated like the API routes.

    Called when: the app is built, once per plugin.
    """


@hookspec
def merimna_cli(group: click.Group) -> None:
    """Add sub-commands to the ``merimna`` command line.

    Args:
        group: the root click group; add commands or sub-groups to it.

    Called when: the CLI starts, for every plugin.
    """


@hookspec
def merimna_export_tables() -> list[type[Table]]:
    """List the plugin's tenant-owned tables in the order rows must be restored.

    Returns:
        Piccolo table classes mixing in ``TenantScoped``. ``merimna tenants export`` dumps
        every row of one tenant from them; ``tenants import`` restores them in this order;
        ``tenants delete`` removes them in reverse.

    Called when: exporting, importing or deleting a whole tenant, and by the schema
    invariants test (every tenant table must be listed by its plugin).
    """


# ---------------------------------------------------------------------------------------------
# Per tenant: declarations that depend on which modules the tenant enabled
# ---------------------------------------------------------------------------------------------


@hookspec
def merimna_categories() -> list[CategorySpec]:
    """Declare beneficiary category codes (``{module}.{code}`` for modules).

    Returns:
        Category specs; ``special=True`` marks codes that reveal special categories of data.

    Called when: validating a beneficiary's categories and listing them, for the tenant's
    enabled modules (via ``for_tenant``).
    """


@hookspec
def merimna_services() -> list[ServiceSpec]:
    """Declare bookable services (a counselling session, a nurse's visit, a pickup slot).

    Returns:
        Service specs with codes ``core.{name}`` or ``{module}.{name}``.

    Called when: listing ``services`` and validating a booking, for the tenant's enabled
    modules (via ``for_tenant``).
    """


@hookspec
def merimna_reports() -> list[ReportSpec]:
    """Declare reports (id ``{module}.{name}``) that core renders as JSON, CSV, XLSX and HTML.

    Returns:
        Report specs; their ``run`` queries tenant-scoped tables only.

    Called when: listing and running reports, for the tenant's enabled modules.
    """


# ---------------------------------------------------------------------------------------------
# Lifecycle events (tenant-scoped; implementations may return an awaitable)
# ---------------------------------------------------------------------------------------------


@hookspec
def merimna_module_enabled(tenant: TenantRef, module: str, settings: Any) -> Awaitable[None] | None:
    """React to a module being enabled for a tenant (seed defaults, schedule jobs).

    Args:
        tenant: the tenant, already in context for scoped queries.
        module: the slug that was enabled (implementations compare it with their own).
        settings: the validated settings model instance.

    Called when: a consortium administrator enables a module, inside the same transaction,
    for the core areas and the module itself.
    """


@hookspec
def merimna_module_disabled(tenant: TenantRef, module: str) -> Awaitable[None] | None:
    """React to a module being disabled for a tenant. Data is kept, never deleted.

    Args:
        tenant: the tenant, in context.
        module: the slug that was disabled.

    Called when: a consortium administrator disables a module, inside its transaction.
    """


@hookspec
def merimna_beneficiary_created(tenant: TenantRef, person: PersonRef) -> Awaitable[None] | None:
    """React to a new beneficiary in the registry.

    Args:
        tenant: the tenant, in context.
        person: id and categories of the new person (no names: hooks get ids and codes).

    Called when: a beneficiary is created through the API or an import, inside that
    transaction, for the tenant's enabled modules.
    """


@hookspec
def merimna_persons_merged(
    tenant: TenantRef, survivor_id: Any, merged_id: Any
) -> Awaitable[None] | None:
    """Move a module's records from a merged duplicate to the surviving person.

    Args:
        tenant: the tenant, in context.
        survivor_id: the UUID of the person that remains.
        merged_id: the UUID of the duplicate being merged away.

    Called when: a tenant administrator merges two people, inside that transaction, for
    every plugin with tables (enabled or not: data outlives enablement).
    """


@hookspec
def merimna_appointment_changed(
    tenant: TenantRef, appointment_id: Any, change: str, appointment: AppointmentRef | None
) -> Awaitable[None] | None:
    """React to an appointment being booked, moved or cancelled (reminders, a module's own
    record attached to it).

    Args:
        tenant: the tenant, in context.
        appointment_id: the UUID of the appointment; read it with the scheduling services
            (hooks get ids, never names).
        change: ``"created"``, ``"moved"`` or ``"cancelled"``. A series calls the hook once
            per occurrence booked, moved or cancelled.
        appointment: the appointment after the change (times in UTC, status, series, staff
            and beneficiary ids), when the caller has it at hand (a single booking does), so
            that the reaction need not read it back; None otherwise (API 1.3).

    Called when: a booking, move or cancellation succeeds (API, a module through
    ``core.api``, the demo), inside its transaction, so work queued here (the scheduling
    area's notification outbox) commits or rolls back with it; for the core areas and the
    tenant's enabled modules.
    """


@hookspec
def merimna_appointments_tomorrow(
    tenant: TenantRef, day: date, appointment_ids: list[Any]
) -> Awaitable[None] | None:
    """The daily "tomorrow's appointments" event.

    Args:
        tenant: the tenant, in context.
        day: tomorrow, in the tenant's time zone.
        appointment_ids: the UUIDs of tomorrow's appointments that are not cancelled, in
            time order (possibly empty).

    Called when: ``merimna notifications daily`` runs (once a day, from cron or a timer),
    once per active tenant, inside that tenant's transaction, for the core areas and the
    tenant's enabled modules. Running it twice for one day must be harmless.
    """


# ---------------------------------------------------------------------------------------------
# One person's data: access requests and erasure (GDPR art. 15 and 17)
# ---------------------------------------------------------------------------------------------


@hookspec
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Awaitable[dict[str, Any]] | None:
    """Return everything the plugin holds on one person, for a subject-access export.

    Args:
        tenant: the tenant, in context.
        person_id: the person's UUID.

    Returns:
        An awaitable of a JSON-serialisable dict keyed by record type; restricted clinical
        notes are left out where the law allows.

    Called when: a person's data is exported, for every plugin with tables.
    """


@hookspec
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Awaitable[list[str]] | None:
    """Erase or anonymise one person's records, or say why some must be kept.

    Args:
        tenant: the tenant, in context.
        person_id: the person's UUID.

    Returns:
        An awaitable of reasons records were retained (empty when all were erased).

    Called when: a person's data is erased, inside one transaction, for every plugin.
    """


# ---------------------------------------------------------------------------------------------
# Demo consortium
# ---------------------------------------------------------------------------------------------


@hookspec
def merimna_demo_data(tenant: TenantRef, seed: int) -> Awaitable[None] | None:
    """Fill a demo tenant with realistic synthetic records.

    Args:
        tenant: the demo tenant, in context (its enabled modules are the ones called).
        seed: a per-tenant seed, so ``merimna demo --reset`` gives the same data again.

    Called when: ``merimna demo`` loads the demo consortium; core areas first, then the
    tenant's enabled modules, each inside the tenant's loading transaction.
    """


# ---------------------------------------------------------------------------------------------
# Staff web UI (tenant-scoped: called through ``for_tenant`` for the page's tenant)
# ---------------------------------------------------------------------------------------------
# Paths in the returned specs are relative to the tenant's UI root ``/t/{tenant}/``. The
# request context ``ctx`` (tenant, user, roles, permissions, language) is the same object
# route handlers receive. These hooks arrived with API_VERSION 1.1.


@hookspec
def merimna_menu_items(ctx: RequestContext) -> list[MenuItem]:
    """Contribute entries to the navigation bar of the staff UI.

    Args:
        ctx: the request context of the page being rendered.

    Returns:
        Menu items; core hides those whose ``permission`` the user lacks and sorts the rest
        by ``order`` (core's own: home 0, reports 900).

    Called when: any staff page inside a tenant is rendered, for the core areas and the
    tenant's enabled modules.
    """


@hookspec
def merimna_home_tiles(ctx: RequestContext) -> list[Tile]:
    """Contribute tiles to the tenant home page (a module's entry point, with a short text).

    Args:
        ctx: the request context of the home page.

    Returns:
        Tiles, sorted by ``order``; those whose ``permission`` the user lacks are hidden. An
        enabled module that contributes no tile still gets one built from its manifest.

    Called when: the tenant home ``/t/{tenant}/`` is rendered, for the core areas and the
    tenant's enabled modules.
    """


@hookspec
def merimna_person_panels(
    ctx: RequestContext, person_id: Any
) -> Awaitable[list[Panel]] | list[Panel] | None:
    """Contribute panels to a person's page (a module's profile, open cases, last visits).

    Args:
        ctx: the request context; hide what ``ctx.roles`` may not see (return no panel rather
            than an empty one when the mere existence of the record is sensitive).
        person_id: the UUID of the beneficiary whose page is shown, already checked to be
            in the current tenant and visible to the user.

    Returns:
        Panels (or an awaitable of them, for implementations that query their tables), sorted
        by ``order``.

    Called when: a person's page is rendered, inside the request's transaction, for the core
    areas and the tenant's enabled modules, one implementation at a time.
    """


@hookspec
def merimna_tasks(ctx: RequestContext) -> Awaitable[list[Task]] | list[Task] | None:
    """List the signed-in user's open tasks (reassessments due, deadlines, missing documents).

    Args:
        ctx: the request context; ``ctx.user_id`` is the user whose tasks are wanted.

    Returns:
        Tasks (or an awaitable of them); core sorts them by due date, undated last.

    Called when: the tenant home's "my open tasks" panel is rendered, inside the request's
    transaction, for the core areas and the tenant's enabled modules.
    """


@hookspec
def merimna_agenda(ctx: RequestContext, day: date) -> Awaitable[list[AgendaEntry]] | None:
    """List the signed-in user's appointments on one day.

    Args:
        ctx: the request context; ``ctx.user_id`` is the staff member.
        day: the calendar day in the tenant's time zone (``ctx.tenant.timezone``).

    Returns:
        An awaitable of agenda entries (timestamps with an offset); core sorts them by start.

    Called when: the tenant home's "today's appointments" panel is rendered, inside the
    request's transaction, for the core areas and the tenant's enabled modules.
    """
