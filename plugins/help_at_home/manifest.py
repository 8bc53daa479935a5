"""The Help at Home module as data: titles, roles it adds and the permissions it defines."""

from core.api import Manifest, PermissionSpec, RoleSpec
from plugins.help_at_home.settings import Settings

SLUG = "help_at_home"

# Who does what in a unit (FACTS.md §3.3): the social worker assesses and plans, the nurse
# visits and records vital signs, family helpers and the driver do the rounds.
COORDINATORS = ("tenant_admin", "social_worker")
CLINICAL = ("tenant_admin", "social_worker", "nurse")
FIELD_STAFF = ("tenant_admin", "social_worker", "nurse", "home_helper", "driver")

MANIFEST = Manifest(
    slug=SLUG,
    title_el="Βοήθεια στο Σπίτι",
    title_en="Help at Home",
    version="0.1.0",
    description_el="Αξιολόγηση, επιλεξιμότητα, σχέδια φροντίδας, επαναλαμβανόμενες κατ' οίκον "
    "επισκέψεις και πρόγραμμα εργασίας για ηλικιωμένους και ΑμεΑ.",
    description_en="Assessment, eligibility, care plans, recurring home visits and rosters "
    "for older and disabled people.",
    roles=(
        RoleSpec(code="home_helper", title_el="Οικογενειακός/ή βοηθός", title_en="Home helper"),
        RoleSpec(code="driver", title_el="Οδηγός", title_en="Driver"),
    ),
    permissions=(
        PermissionSpec(
            code="help_at_home.read",
            title_el="Βοήθεια στο Σπίτι: ανάγνωση",
            title_en="Help at Home: read",
            roles=CLINICAL,
        ),
        PermissionSpec(
            code="help_at_home.manage",
            title_el="Βοήθεια στο Σπίτι: αιτήσεις, σχέδια φροντίδας, συμβάντα",
            title_en="Help at Home: applications, care plans, incidents",
            roles=COORDINATORS,
        ),
        PermissionSpec(
            code="help_at_home.assess",
            title_el="Βοήθεια στο Σπίτι: αξιολογήσεις",
            title_en="Help at Home: assessments",
            roles=CLINICAL,
        ),
        PermissionSpec(
            code="help_at_home.health",
            title_el="Βοήθεια στο Σπίτι: στοιχεία υγείας",
            title_en="Help at Home: health details",
            roles=CLINICAL,
        ),
        PermissionSpec(
            code="help_at_home.visits",
            title_el="Βοήθεια στο Σπίτι: επισκέψεις και πρόγραμμα",
            title_en="Help at Home: visits and rosters",
            roles=FIELD_STAFF,
        ),
        PermissionSpec(
            code="help_at_home.vitals",
            title_el="Βοήθεια στο Σπίτι: καταγραφή ζωτικών σημείων",
            title_en="Help at Home: record vital signs",
            roles=("nurse",),
        ),
    ),
    settings_model=Settings,
)
