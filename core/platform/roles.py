"""The core roles of CONTRACT.md and the core permissions they hold by default."""

from core.manifest import PermissionSpec, RoleSpec

CORE_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        code="consortium_admin",
        title_el="Διαχειριστής κοινοπραξίας",
        title_en="Consortium administrator",
    ),
    RoleSpec(
        code="tenant_admin",
        title_el="Διαχειριστής φορέα",
        title_en="Tenant administrator",
        sees_special_categories=True,
    ),
    RoleSpec(
        code="social_worker",
        title_el="Κοινωνικός λειτουργός",
        title_en="Social worker",
        sees_special_categories=True,
    ),
    RoleSpec(
        code="psychologist",
        title_el="Ψυχολόγος",
        title_en="Psychologist",
        sees_special_categories=True,
    ),
    RoleSpec(
        code="nurse", title_el="Νοσηλευτής/τρια", title_en="Nurse", sees_special_categories=True
    ),
    RoleSpec(
        code="health_visitor",
        title_el="Επισκέπτης/τρια υγείας",
        title_en="Health visitor",
        sees_special_categories=True,
    ),
    RoleSpec(code="pedagogue", title_el="Παιδαγωγός", title_en="Pedagogue"),
    RoleSpec(
        code="employment_officer", title_el="Σύμβουλος απασχόλησης", title_en="Employment officer"
    ),
    RoleSpec(
        code="roma_mediator",
        title_el="Διαμεσολαβητής/τρια Ρομά",
        title_en="Roma mediator",
        sees_special_categories=True,
    ),
    RoleSpec(code="reception", title_el="Υποδοχή", title_en="Reception"),
    RoleSpec(code="volunteer", title_el="Εθελοντής/τρια", title_en="Volunteer"),
)

STAFF = (
    "tenant_admin",
    "social_worker",
    "psychologist",
    "nurse",
    "health_visitor",
    "pedagogue",
    "employment_officer",
    "roma_mediator",
    "reception",
)
PROFESSIONALS = tuple(r for r in STAFF if r not in ("reception",))

CORE_PERMISSIONS: tuple[PermissionSpec, ...] = (
    PermissionSpec(
        code="tenant.admin",
        title_el="Διαχείριση φορέα",
        title_en="Administer the tenant",
        roles=("tenant_admin",),
    ),
    PermissionSpec(
        code="audit.read",
        title_el="Ανάγνωση ιχνών ελέγχου",
        title_en="Read the audit trail",
        roles=("tenant_admin",),
    ),
    PermissionSpec(
        code="modules.settings",
        title_el="Ρυθμίσεις ενοτήτων",
        title_en="Module settings",
        roles=("tenant_admin",),
    ),
    PermissionSpec(
        code="reports.read", title_el="Αναφορές", title_en="Reports", roles=PROFESSIONALS
    ),
)
