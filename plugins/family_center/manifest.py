"""The Family Support Centre module as data: slug, titles, roles, permissions, settings."""

from core.api import Manifest, PermissionSpec, RoleSpec
from plugins.family_center.settings import Settings

SLUG = "family_center"

READ = "family_center.read"  # the administrative case file, programmes, reports
COUNSEL = "family_center.counsel"  # open cases, record sessions, write clinical notes
GROUPS = "family_center.groups"  # group programmes, school workshops, volunteers
PROTECTION = "family_center.protection"  # prosecutor orders and social investigations
# Every prosecutor order, not only those the user is assigned to: the head of the social
# service, who registers incoming orders and shares them out among the team.
SUPERVISE = "family_center.protection.supervise"

MANIFEST = Manifest(
    slug=SLUG,
    title_el="Κέντρο Στήριξης Οικογένειας",
    title_en="Family Support Centre",
    version="1.0.0",
    description_el="Συμβουλευτική ατόμων, ζευγαριών και οικογενειών, ομάδες και βιωματικά "
    "εργαστήρια, παραπομπές και κοινωνικές έρευνες με εισαγγελική εντολή.",
    description_en="Counselling of individuals, couples and families, groups and workshops, "
    "referrals and social investigations ordered by prosecutors.",
    roles=(
        RoleSpec(
            code="child_protection_officer",
            title_el="Στέλεχος Ομάδας Προστασίας Ανηλίκων",
            title_en="Child protection officer",
            sees_special_categories=True,
            # An investigation needs the children's records, the calendar and the order's
            # documents, as a social worker of the core would.
            grants=(
                "beneficiaries.read",
                "documents.read",
                "documents.write",
                "referrals.read",
                "scheduling.read",
                "scheduling.write",
            ),
        ),
    ),
    permissions=(
        PermissionSpec(
            code=READ,
            title_el="Κέντρο Στήριξης Οικογένειας: ανάγνωση",
            title_en="Family Support Centre: read",
            roles=(
                "tenant_admin",
                "social_worker",
                "psychologist",
                "pedagogue",
                "child_protection_officer",
            ),
        ),
        PermissionSpec(
            code=COUNSEL,
            title_el="Συμβουλευτική: περιστατικά, συνεδρίες και σημειώσεις",
            title_en="Counselling: cases, sessions and notes",
            roles=("social_worker", "psychologist"),
        ),
        PermissionSpec(
            code=GROUPS,
            title_el="Ομάδες, εργαστήρια και εθελοντές",
            title_en="Groups, workshops and volunteers",
            roles=("tenant_admin", "social_worker", "psychologist", "pedagogue"),
        ),
        PermissionSpec(
            code=PROTECTION,
            title_el="Εισαγγελικές εντολές και κοινωνικές έρευνες",
            title_en="Prosecutor orders and social investigations",
            roles=("tenant_admin", "social_worker", "psychologist", "child_protection_officer"),
        ),
        PermissionSpec(
            code=SUPERVISE,
            title_el="Εποπτεία όλων των εισαγγελικών εντολών (όχι μόνο των χρεωμένων)",
            title_en="Supervise every prosecutor order (not only those assigned)",
            roles=("tenant_admin",),
        ),
    ),
    settings_model=Settings,
)
