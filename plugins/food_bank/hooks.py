"""Hook implementations of this module: the only file the core calls into."""

from core.api import Manifest, hookimpl
from plugins.food_bank.manifest import MANIFEST


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST
