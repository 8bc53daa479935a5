"""The plugin host: registers core areas and installed modules, and calls their hooks.

Call sites never touch ``pm.hook.<name>`` directly; they use the typed methods here, so the
one place that knows how results are flattened, ordered and gated per tenant is this file.
Tenant hooks go through ``for_tenant``, built on pluggy's ``subset_hook_caller``: the core
areas plus the modules that tenant enabled, nothing else.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import hookspecs
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

if TYPE_CHECKING:
    from core.context import RequestContext

log = logging.getLogger("merimna.plugins")

ENTRY_POINT_GROUP = "merimna.modules"

# Core areas are plugins too, registered through the same hooks as modules (DESIGN.md §2).
CORE_PLUGINS: tuple[str, ...] = (
    "core.platform.hooks",
    "tenants.hooks",
    "core.auth.hooks",
    "core.audit.hooks",
    "core.crypto.hooks",
    "core.beneficiaries.hooks",
    "core.staff.hooks",
    "core.referrals.hooks",
    "core.casework.hooks",
    "core.documents.hooks",
    "core.scheduling.hooks",
    "core.gdpr.hooks",
    "core.reports.hooks",
    "core.web.hooks",
)


class PluginError(RuntimeError):
    """A plugin cannot be loaded: bad manifest, incompatible API version, unknown hook."""


@dataclass(frozen=True)
class ModuleInfo:
    slug: str
    manifest: Manifest
    plugin: Any
    distribution: str
    version: str
    builtin: bool


class PluginHost:
    def __init__(
        self,
        *,
        load_entry_points: bool = True,
        extra_modules: Iterable[tuple[str, Any]] = (),
        blocked: Iterable[str] = (),
        trace: bool = False,
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        for name in blocked:
            self.pm.set_blocked(name)
        self.core_plugins: list[Any] = []
        for dotted in CORE_PLUGINS:
            plugin = importlib.import_module(dotted)
            self.pm.register(plugin, name=dotted)
            self.core_plugins.append(plugin)
            _load_locales(plugin)
        self.modules: dict[str, ModuleInfo] = {}
        if load_entry_points:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if self.pm.is_blocked(ep.name):
                    continue
                dist = ep.dist
                self._register_module(
                    ep.name,
                    ep.load(),
                    distribution=dist.name if dist else ep.value,
                    version=dist.version if dist else "0",
                    builtin=ep.value.startswith("plugins."),
                )
        for name, plugin in extra_modules:
            self._register_module(name, plugin, distribution=name, version="0", builtin=False)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"unknown hook in a plugin: {exc}") from exc
        if trace:
            self.pm.trace.root.setwriter(lambda msg: log.debug("hook %s", msg.rstrip()))
            self.pm.enable_tracing()

    # -- loading ---------------------------------------------------------------------------

    def _register_module(
        self, name: str, plugin: Any, *, distribution: str, version: str, builtin: bool
    ) -> None:
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"module {name!r}: {exc}") from exc
        impl = _impl_of(self.pm, "merimna_manifest", plugin)
        manifest = impl() if impl else None
        if not isinstance(manifest, Manifest):
            self.pm.unregister(plugin)
            raise PluginError(f"module {name!r} has no manifest (hook merimna_manifest)")
        if manifest.slug != name:
            self.pm.unregister(plugin)
            raise PluginError(f"module {name!r} declares slug {manifest.slug!r}")
        if not api_compatible(manifest.api_version):
            self.pm.unregister(plugin)
            raise PluginError(
                f"module {name!r} supports plugin API {manifest.api_version}, "
                f"this Merimna provides {hookspecs.API_VERSION}"
            )
        self.modules[name] = ModuleInfo(name, manifest, plugin, distribution, version, builtin)
        _load_locales(plugin)

    # -- start-up declarations --------------------------------------------------------------

    def piccolo_apps(self) -> list[str]:
        return _flatten(self.pm.hook.merimna_piccolo_apps())

    def roles(self) -> list[RoleSpec]:
        roles = list(_flatten(self.pm.hook.merimna_roles()))
        for info in self.modules.values():
            roles.extend(info.manifest.roles)
        return _unique(roles, "role")

    def permissions(self) -> list[PermissionSpec]:
        perms = list(_flatten(self.pm.hook.merimna_permissions()))
        for info in self.modules.values():
            perms.extend(info.manifest.permissions)
        return _unique(perms, "permission")

    def platform_routes(self) -> list[Any]:
        return _flatten(self.pm.hook.merimna_platform_routes())

    def tenant_routes(self) -> list[tuple[str | None, list[Any]]]:
        """Routes per plugin: (module slug, handlers), slug None for core areas."""
        return self._per_plugin("merimna_tenant_routes")

    def ui_routes(self) -> list[tuple[str | None, list[Any]]]:
        return self._per_plugin("merimna_ui_routes")

    def add_cli(self, group: Any) -> None:
        self.pm.hook.merimna_cli(group=group)

    def export_tables(self) -> list[Any]:
        """Tenant tables of every plugin, core areas first, in restore order."""
        tables: list[Any] = []
        for _slug, result in self._per_plugin("merimna_export_tables", core_first=True):
            tables.extend(result)
        return tables

    def tables_by_plugin(self) -> list[tuple[str, list[Any]]]:
        """(plugin name, its tenant tables): a core area's dotted name or a module's slug."""
        impls = self.pm.hook.merimna_export_tables.get_hookimpls()
        by_plugin = {id(i.plugin): i for i in impls}
        core = [by_plugin[id(p)] for p in self.core_plugins if id(p) in by_plugin]
        modules = sorted(
            (i for i in impls if i.plugin not in self.core_plugins), key=lambda i: i.plugin_name
        )
        out: list[tuple[str, list[Any]]] = []
        for impl in core + modules:
            tables: Any = impl.function() or []
            out.append((impl.plugin_name, list(tables)))
        return out

    def module_slugs(self) -> list[str]:
        return sorted(self.modules)

    def _per_plugin(self, hook: str, core_first: bool = True) -> list[tuple[str | None, Any]]:
        out: list[tuple[str | None, Any]] = []
        impls = getattr(self.pm.hook, hook).get_hookimpls()
        by_plugin = {id(i.plugin): i for i in impls}
        core = [by_plugin[id(p)] for p in self.core_plugins if id(p) in by_plugin]
        modules = [i for i in impls if i.plugin not in self.core_plugins]
        modules.sort(key=lambda i: i.plugin_name)
        for impl in core + modules if core_first else modules + core:
            slug = None if impl.plugin in self.core_plugins else impl.plugin_name
            out.append((slug, impl.function() or []))
        return out

    # -- per tenant ---------------------------------------------------------------------------

    def for_tenant(self, enabled: Iterable[str]) -> TenantHooks:
        return self._tenant_hooks(frozenset(enabled))

    @lru_cache(maxsize=256)  # noqa: B019 - the host lives as long as the process
    def _tenant_hooks(self, enabled: frozenset[str]) -> TenantHooks:
        excluded = [info.plugin for slug, info in self.modules.items() if slug not in enabled]
        return TenantHooks(self, excluded)

    def all_plugins(self) -> TenantHooks:
        """Every plugin, enabled or not: for data that outlives enablement (merge, erase)."""
        return self._tenant_hooks(frozenset(self.modules))


class TenantHooks:
    """Typed calls to the tenant hooks of the core areas and one tenant's enabled modules."""

    def __init__(self, host: PluginHost, excluded: list[Any]) -> None:
        self._host = host
        self._excluded = excluded
        self._callers: dict[str, Any] = {}

    def _caller(self, name: str) -> Any:
        caller = self._callers.get(name)
        if caller is None:
            caller = self._host.pm.subset_hook_caller(name, remove_plugins=self._excluded)
            self._callers[name] = caller
        return caller

    def categories(self) -> list[CategorySpec]:
        return _flatten(self._caller("merimna_categories")())

    def services(self) -> list[ServiceSpec]:
        return _flatten(self._caller("merimna_services")())

    def reports(self) -> list[ReportSpec]:
        return _flatten(self._caller("merimna_reports")())

    async def module_enabled(self, tenant: TenantRef, module: str, settings: Any) -> None:
        await _await_all(
            self._caller("merimna_module_enabled")(tenant=tenant, module=module, settings=settings)
        )

    async def module_disabled(self, tenant: TenantRef, module: str) -> None:
        await _await_all(self._caller("merimna_module_disabled")(tenant=tenant, module=module))

    async def beneficiary_created(self, tenant: TenantRef, person: PersonRef) -> None:
        await _await_all(self._caller("merimna_beneficiary_created")(tenant=tenant, person=person))

    async def persons_merged(self, tenant: TenantRef, survivor_id: Any, merged_id: Any) -> None:
        await _await_all(
            self._caller("merimna_persons_merged")(
                tenant=tenant, survivor_id=survivor_id, merged_id=merged_id
            )
        )

    async def appointment_changed(
        self,
        tenant: TenantRef,
        appointment_id: Any,
        change: str,
        appointment: AppointmentRef | None = None,
    ) -> None:
        await _await_all(
            self._caller("merimna_appointment_changed")(
                tenant=tenant, appointment_id=appointment_id, change=change, appointment=appointment
            )
        )

    async def appointments_tomorrow(
        self, tenant: TenantRef, day: date, appointment_ids: list[Any]
    ) -> None:
        await _await_all(
            self._caller("merimna_appointments_tomorrow")(
                tenant=tenant, day=day, appointment_ids=appointment_ids
            )
        )

    async def export_person(self, tenant: TenantRef, person_id: Any) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for part in await _await_all(
            self._caller("merimna_export_person")(tenant=tenant, person_id=person_id)
        ):
            merged.update(part or {})
        return merged

    async def erase_person(self, tenant: TenantRef, person_id: Any) -> list[str]:
        reasons: list[str] = []
        for part in await _await_all(
            self._caller("merimna_erase_person")(tenant=tenant, person_id=person_id)
        ):
            reasons.extend(part or [])
        return reasons

    async def demo_data(self, tenant: TenantRef, seed: int) -> None:
        await _await_all(self._caller("merimna_demo_data")(tenant=tenant, seed=seed))

    # -- staff web UI (core/web decides what to show; these only collect) -----------------

    def menu_items(self, ctx: RequestContext) -> list[MenuItem]:
        return _flatten(self._caller("merimna_menu_items")(ctx=ctx))

    def home_tiles(self, ctx: RequestContext) -> list[Tile]:
        return _flatten(self._caller("merimna_home_tiles")(ctx=ctx))

    async def person_panels(self, ctx: RequestContext, person_id: Any) -> list[Panel]:
        parts = await _await_all(
            self._caller("merimna_person_panels")(ctx=ctx, person_id=person_id)
        )
        return [panel for part in parts for panel in part or []]

    async def tasks(self, ctx: RequestContext) -> list[Task]:
        parts = await _await_all(self._caller("merimna_tasks")(ctx=ctx))
        return [task for part in parts for task in part or []]

    async def agenda(self, ctx: RequestContext, day: date) -> list[AgendaEntry]:
        parts = await _await_all(self._caller("merimna_agenda")(ctx=ctx, day=day))
        return [entry for part in parts for entry in part or []]


def _load_locales(plugin: Any) -> None:
    """A plugin's messages live in `locales/{el,en}.json` beside its hooks module."""
    from pathlib import Path

    from core.i18n import load_catalogue_dir

    path = getattr(plugin, "__file__", None)
    if path:
        folder = Path(path).parent / "locales"
        if folder.is_dir():
            load_catalogue_dir(folder)


def api_compatible(spec: str) -> bool:
    try:
        return Version(hookspecs.API_VERSION) in SpecifierSet(spec.replace(" ", ""))
    except InvalidSpecifier:
        return False


def _impl_of(pm: pluggy.PluginManager, hook: str, plugin: Any) -> Any:
    for impl in getattr(pm.hook, hook).get_hookimpls():
        if impl.plugin is plugin:
            return impl.function
    return None


def _flatten(results: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    # pluggy returns last-registered first; reverse so core areas come first.
    for result in reversed(list(results)):
        if result:
            out.extend(result)
    return out


def _unique(specs: list[Any], kind: str) -> list[Any]:
    seen: dict[str, Any] = {}
    for spec in specs:
        if spec.code in seen and seen[spec.code] != spec:
            raise PluginError(f"{kind} {spec.code!r} is declared twice, differently")
        seen[spec.code] = spec
    return list(seen.values())


async def _await_all(results: Iterable[Any]) -> list[Any]:
    """Await hook results one at a time: pluggy is synchronous, and PostgreSQL refuses
    concurrent queries on one transaction's connection."""
    out = []
    for result in reversed(list(results)):
        if inspect.isawaitable(result):
            result = await result
        out.append(result)
    return out


_HOST: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide host (built on first use; the app and the CLI share it)."""
    global _HOST
    if _HOST is None:
        from core.settings import get_settings

        _HOST = PluginHost(trace=get_settings().trace_plugins)
    return _HOST


def set_host(host: PluginHost | None) -> None:
    global _HOST
    _HOST = host


__all__ = ["ModuleInfo", "PluginError", "PluginHost", "TenantHooks", "get_host"]
