"""The Community Centre Roma branch module as data."""

from core.api import Manifest
from plugins.roma_branch.settings import Settings

MANIFEST = Manifest(
    slug="roma_branch",
    title_el="Παράρτημα Ρομά Κέντρου Κοινότητας",
    title_en="Community Centre Roma branch",
    version="0.1.0",
    settings_model=Settings,
)
