"""What this module is, as data: the core validates it at start-up."""

from core.api import Manifest, PermissionSpec

from merimna_social_grocery.settings import Settings

SLUG = "social_grocery"
READ = f"{SLUG}.read"
WRITE = f"{SLUG}.write"

MANIFEST = Manifest(
    slug=SLUG,
    title_el="Κοινωνικό Παντοπωλείο",
    title_en="Social grocery",
    version="0.1.0",
    api_version=">=1.1,<2",
    permissions=(
        PermissionSpec(
            code=READ,
            title_el="Προβολή καταχωρίσεων",
            title_en="View entries",
            roles=("tenant_admin", "social_worker", "psychologist", "reception"),
        ),
        PermissionSpec(
            code=WRITE,
            title_el="Καταχώριση",
            title_en="Record entries",
            roles=("tenant_admin", "social_worker"),
        ),
    ),
    settings_model=Settings,
)
