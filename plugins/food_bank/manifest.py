"""The food, clothing and toy bank as data: slug, titles, roles, permissions, settings."""

from core.api import Manifest, PermissionSpec, RoleSpec
from plugins.food_bank.settings import Settings

COORDINATOR = "food_bank_coordinator"
WAREHOUSE = "warehouse_keeper"

READ = "food_bank.read"
STOCK = "food_bank.stock"
MANAGE = "food_bank.manage"
ELIGIBILITY = "food_bank.eligibility"
DISTRIBUTE = "food_bank.distribute"
OVERRIDE = "food_bank.override"
REPORTS = "food_bank.reports"

_ADMINS = ("tenant_admin", COORDINATOR)

MANIFEST = Manifest(
    slug="food_bank",
    title_el="Τράπεζα τροφίμων, ένδυσης και παιχνιδιών",
    title_en="Food, clothing and toy bank",
    version="1.0.0",
    description_el="Απόθεμα με παρτίδες και λήξεις, δωρεές, επιλεξιμότητα νοικοκυριών, "
    "διανομές (ΤΕΒΑ, κοινωνικό παντοπωλείο) και σχολικά σνακ.",
    description_en="Stock with lots and expiry, donations, household eligibility, "
    "distributions (TEBA, social grocery) and school snack packs.",
    roles=(
        RoleSpec(
            code=COORDINATOR,
            title_el="Υπεύθυνος/η τράπεζας τροφίμων",
            title_en="Food bank coordinator",
        ),
        RoleSpec(code=WAREHOUSE, title_el="Αποθηκάριος", title_en="Warehouse keeper"),
    ),
    permissions=(
        PermissionSpec(
            code=READ,
            title_el="Προβολή τράπεζας τροφίμων",
            title_en="View the food bank",
            roles=(*_ADMINS, WAREHOUSE, "social_worker", "reception", "volunteer"),
        ),
        PermissionSpec(
            code=STOCK,
            title_el="Διαχείριση αποθήκης και δωρεών",
            title_en="Manage stock and donations",
            roles=(*_ADMINS, WAREHOUSE),
        ),
        PermissionSpec(
            code=MANAGE,
            title_el="Κατάλογος ειδών και ημέρες διανομής",
            title_en="Catalogue and distribution days",
            roles=_ADMINS,
        ),
        PermissionSpec(
            code=ELIGIBILITY,
            title_el="Έλεγχος επιλεξιμότητας",
            title_en="Check eligibility",
            roles=(*_ADMINS, "social_worker"),
        ),
        PermissionSpec(
            code=DISTRIBUTE,
            title_el="Καταγραφή διανομών",
            title_en="Record distributions",
            roles=(*_ADMINS, "social_worker", "reception", "volunteer"),
        ),
        PermissionSpec(
            code=OVERRIDE,
            title_el="Εξαίρεση από το όριο συχνότητας",
            title_en="Override the visit limit",
            roles=(*_ADMINS, "social_worker"),
        ),
        PermissionSpec(
            code=REPORTS,
            title_el="Αναφορές τράπεζας τροφίμων",
            title_en="Food bank reports",
            roles=(*_ADMINS, "social_worker"),
        ),
    ),
    settings_model=Settings,
)
