"""Hook implementations of this module: the only file the core calls into."""

from core.api import Manifest, hookimpl
from plugins.roma_branch.manifest import MANIFEST


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST
