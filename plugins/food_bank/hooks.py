"""Hook implementations of this module: the only file the core calls into."""

from __future__ import annotations

from typing import Any

from core.api import Manifest, hookimpl
from plugins.food_bank.manifest import MANIFEST


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["plugins.food_bank.piccolo_app"]


@hookimpl
def merimna_export_tables() -> list[Any]:
    from plugins.food_bank.tables import TENANT_TABLES

    return list(TENANT_TABLES)
