"""The Family Support Centre module as data."""

from core.api import Manifest
from plugins.family_center.settings import Settings

MANIFEST = Manifest(
    slug="family_center",
    title_el="Κέντρο Στήριξης Οικογένειας",
    title_en="Family Support Centre",
    version="0.1.0",
    settings_model=Settings,
)
