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
    version="1.0.0",
    description_el="Κάρτες δικαιούχων με εισοδηματικά κριτήρια και μηνιαίοι πόντοι αγορών.",
    description_en="Beneficiary cards by income criteria and monthly shopping points.",
    api_version=">=1.1,<2",
    permissions=(
        PermissionSpec(
            code=READ,
            title_el="Προβολή καρτών και επισκέψεων",
            title_en="View cards and visits",
            roles=("tenant_admin", "social_worker", "psychologist", "reception"),
        ),
        PermissionSpec(
            code=WRITE,
            title_el="Αποφάσεις καρτών και καταχώριση επισκέψεων",
            title_en="Decide cards and record visits",
            roles=("tenant_admin", "social_worker"),
        ),
    ),
    settings_model=Settings,
)
