"""The Community Centre Roma branch module as data."""

from core.api import Manifest, PermissionSpec
from plugins.roma_branch.settings import Settings

SLUG = "roma_branch"

# The branch's staff (FACTS.md §4.3) and tenant administrators. Every record of this module
# reveals ethnic origin (GDPR art. 9): anyone else gets 404, never 403, for all of it.
BRANCH_STAFF = (
    "tenant_admin",
    "social_worker",
    "psychologist",
    "pedagogue",
    "health_visitor",
    "employment_officer",
    "roma_mediator",
)

ACCESS = f"{SLUG}.access"
RECEPTION = f"{SLUG}.reception"
ACCOMPANY = f"{SLUG}.accompany"
APPLICATIONS = f"{SLUG}.applications"
JOBS = f"{SLUG}.jobs"
SCHOOL = f"{SLUG}.school"
ESF = f"{SLUG}.esf"


def _perm(code: str, el: str, en: str, roles: tuple[str, ...]) -> PermissionSpec:
    return PermissionSpec(code=code, title_el=el, title_en=en, roles=roles)


PERMISSIONS = (
    _perm(
        ACCESS,
        "Πρόσβαση στα αρχεία του Παραρτήματος Ρομά",
        "Access the Roma branch's records",
        BRANCH_STAFF,
    ),
    _perm(RECEPTION, "Καταγραφή υποδοχής", "Record reception contacts", BRANCH_STAFF),
    _perm(
        ACCOMPANY,
        "Συνοδεία σε υπηρεσίες",
        "Accompaniment to public services",
        ("tenant_admin", "roma_mediator", "social_worker", "health_visitor", "psychologist"),
    ),
    _perm(
        APPLICATIONS,
        "Υποστήριξη αιτήσεων παροχών",
        "Support benefit applications",
        ("tenant_admin", "roma_mediator", "social_worker"),
    ),
    _perm(
        JOBS,
        "Τράπεζα θέσεων εργασίας",
        "Job bank",
        ("tenant_admin", "employment_officer", "roma_mediator", "social_worker"),
    ),
    _perm(
        SCHOOL,
        "Σχολική παρακολούθηση",
        "School follow-up",
        ("tenant_admin", "pedagogue", "roma_mediator", "social_worker", "psychologist"),
    ),
    _perm(
        ESF,
        "Δελτία συμμετεχόντων ΕΚΤ",
        "ESF participant records",
        ("tenant_admin", "social_worker", "roma_mediator", "employment_officer"),
    ),
)

MANIFEST = Manifest(
    slug=SLUG,
    title_el="Παράρτημα Ρομά Κέντρου Κοινότητας",
    title_en="Community Centre Roma branch",
    version="1.0.0",
    description_el=(
        "Υποδοχή, συνοδεία, υποστήριξη αιτήσεων παροχών, τράπεζα θέσεων εργασίας, σχολική "
        "παρακολούθηση και δείκτες ΕΚΤ."
    ),
    description_en=(
        "Reception, accompaniment, benefit application support, job bank, school follow-up "
        "and ESF indicators."
    ),
    permissions=PERMISSIONS,
    settings_model=Settings,
)
