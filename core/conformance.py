"""The module checklist, as code: what every program module must satisfy (hassfest-style).

Used by the conformance suite (`core/conformance_tests.py`), which this repository runs for
every installed module and the test kit runs with `pytest --merimna-module NAME` for anyone's
module. Each check returns a list of problems
in plain words; an empty list means the module conforms.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from piccolo.conf.apps import AppConfig, Finder

from core.plugin_host import ModuleInfo
from tenants.scoping import tenant_tables


def module_folder(info: ModuleInfo) -> Path:
    return Path(inspect.getfile(info.plugin)).parent


def check_manifest(info: ModuleInfo) -> list[str]:
    problems = []
    manifest = info.manifest
    folder = module_folder(info).name
    # Built-in modules live in plugins/<slug>/; a package of its own is merimna_<slug>.
    if folder not in (manifest.slug, f"merimna_{manifest.slug}"):
        problems.append(f"slug {manifest.slug!r} differs from its folder {folder!r}")
    for attribute in ("title_el", "title_en", "version"):
        if not getattr(manifest, attribute):
            problems.append(f"manifest.{attribute} is empty")
    for name, field in manifest.settings_model.model_fields.items():
        if field.is_required():
            problems.append(f"setting {name!r} has no default")
        if not field.description:
            problems.append(f"setting {name!r} has no description")
    for role in manifest.roles:
        if not role.title_el or not role.title_en:
            problems.append(f"role {role.code!r} lacks a Greek or English title")
    return problems


def _hook_result(info: ModuleInfo, hook: str) -> list[Any]:
    impl = [i for i in info.plugin.__dict__.values() if getattr(i, "__name__", "") == hook]
    return list(impl[0]()) if impl else []


def module_apps(info: ModuleInfo) -> list[AppConfig]:
    dotted: list[str] = _hook_result(info, "merimna_piccolo_apps")
    registry = Finder().get_app_registry()
    return [
        c
        for c in registry.app_configs.values()
        if any(d.startswith(c.app_name) or d.endswith(f"{c.app_name}.piccolo_app") for d in dotted)
    ]


def check_tables(apps: list[AppConfig]) -> list[str]:
    problems = []
    for app in apps:
        scoped = set(tenant_tables(app.table_classes))
        for table in app.table_classes:
            if table not in scoped:
                problems.append(f"table {table._meta.tablename!r} is not tenant-scoped")
    return problems


def check_exported(info: ModuleInfo) -> list[str]:
    """Every tenant table goes into a tenant's export archive (`merimna_export_tables`)."""
    exported = {table._meta.tablename for table in _hook_result(info, "merimna_export_tables")}
    return [
        f"table {table._meta.tablename!r} is not listed by merimna_export_tables"
        for app in module_apps(info)
        for table in tenant_tables(app.table_classes)
        if table._meta.tablename not in exported
    ]


async def check_migrations(apps: list[AppConfig]) -> list[str]:
    """Tables changed without a migration (what `piccolo migrations new --auto` would write)."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    problems = []
    for app in apps:
        statements = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=app)
        if sum(len(s.statements) for s in statements):
            problems.append(f"app {app.app_name!r} has table changes without a migration")
    return problems


def check_locales(folder: Path) -> list[str]:
    locales = folder / "locales"
    if not locales.is_dir():
        return []
    catalogues: dict[str, dict[str, Any]] = {}
    for lang in ("el", "en"):
        path = locales / f"{lang}.json"
        if not path.exists():
            return [f"locales/{lang}.json is missing"]
        catalogues[lang] = json.loads(path.read_text(encoding="utf-8"))
    from core.i18n import conflicts

    problems = conflicts(locales)
    for key in sorted(set(catalogues["el"]) ^ set(catalogues["en"])):
        problems.append(f"message {key!r} exists in one language only")
    for lang, catalogue in catalogues.items():
        problems += [f"message {k!r} is empty in {lang}" for k, v in catalogue.items() if not v]
    return problems
