"""Hook implementations of this module: the only file the core calls into."""

from __future__ import annotations

from core.api import Manifest, hookimpl
from plugins.help_at_home.manifest import MANIFEST


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["plugins.help_at_home.piccolo_app"]
