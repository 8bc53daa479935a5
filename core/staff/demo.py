"""Demo staffing of the five demo municipalities, taken from their source pages.

* chalandri: a Family Support Centre staffed by a social worker and a psychologist.
* kordelio-evosmos: a Social Support Centre (counselling, parents' school, family planning,
  employment support office).
* athens: psychosocial services and the Child Protection Team, plus the food bank.
* chios: the Community Centre with its Roma branch: 2 social workers, 1 employment officer,
  1 Roma mediator, 1 pedagogue, 1 psychologist, 1 health visitor; Mon–Fri 07:00–15:00.
* demo-welfare: a Social Welfare Department with Help at Home (social worker, nurse, home
  helpers, a driver without a login), a food bank, two Roma support centres and a KSOI.

The tenant's `admin@SLUG` and `social@SLUG` accounts (created by the demo command) get
profiles too; every other login is `first.last@SLUG` with the demo password. Roles of a module
are used only when the module declares them (and is enabled for the tenant).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from core.auth.accounts import create_user
from core.auth.tables import User
from core.plugin_host import get_host
from core.refs import TenantRef
from core.settings import get_settings
from core.staff.services import allowed_professions
from core.staff.tables import StaffMember, StaffUnit, Unit
from core.text import elot743
from tenants.services import add_membership

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name_el: str
    name_en: str
    kind: str
    hours: tuple[str, str] | None = None  # None: the tenant's operating hours


@dataclass(frozen=True)
class DemoStaff:
    first: str
    last: str
    profession: str
    units: tuple[str, ...]
    hours: tuple[str, str] = ("08:00", "15:00")
    # "admin" / "social": the demo command's accounts; "login": an own account; "none"
    account: str = "login"
    roles: tuple[str, ...] = field(default=())  # membership roles; default: (profession,)

    @property
    def display_name(self) -> str:
        return f"{self.first} {self.last}"


CH = ("07:00", "15:00")

DEMO: dict[str, tuple[tuple[DemoUnit, ...], tuple[DemoStaff, ...]]] = {
    "chalandri": (
        (
            DemoUnit(
                "ksoi",
                "Κέντρο Στήριξης Οικογένειας Χαλανδρίου",
                "Chalandri Family Support Centre",
                "family_support_centre",
            ),
            DemoUnit(
                "kentro-koinotitas",
                "Κέντρο Κοινότητας Χαλανδρίου",
                "Chalandri Community Centre",
                "community_centre",
            ),
        ),
        (
            DemoStaff(
                "Αικατερίνη",
                "Λαμπροπούλου",
                "social_worker",
                ("kentro-koinotitas", "ksoi"),
                account="admin",
            ),
            DemoStaff("Ελένη", "Κωνσταντίνου", "social_worker", ("ksoi",), account="social"),
            DemoStaff("Νικόλαος", "Γεωργίου", "psychologist", ("ksoi",)),
        ),
    ),
    "kordelio-evosmos": (
        (
            DemoUnit(
                "kks-evosmou",
                "Κέντρο Κοινωνικής Στήριξης Ευόσμου",
                "Evosmos Social Support Centre",
                "other",
            ),
        ),
        (
            DemoStaff(
                "Δημήτριος", "Αναστασίου", "social_worker", ("kks-evosmou",), account="admin"
            ),
            DemoStaff("Σοφία", "Παπαδάκη", "social_worker", ("kks-evosmou",), account="social"),
            DemoStaff("Ιωάννα", "Μιχαηλίδου", "psychologist", ("kks-evosmou",)),
            DemoStaff("Παναγιώτης", "Δημητρίου", "pedagogue", ("kks-evosmou",)),
            DemoStaff("Χριστίνα", "Αθανασίου", "health_visitor", ("kks-evosmou",)),
            DemoStaff("Γεώργιος", "Βασιλείου", "employment_officer", ("kks-evosmou",)),
        ),
    ),
    "athens": (
        (
            DemoUnit("opa", "Ομάδα Προστασίας Ανηλίκων", "Child Protection Team", "other"),
            DemoUnit(
                "psychokoinoniki",
                "Υπηρεσίες Ψυχοκοινωνικής Στήριξης",
                "Psychosocial Support Services",
                "family_support_centre",
            ),
            DemoUnit(
                "trapeza-trofimon",
                "Τράπεζα Τροφίμων Δήμου Αθηναίων",
                "Athens Food Bank",
                "food_bank",
            ),
        ),
        (
            DemoStaff(
                "Μαρία", "Αλεξίου", "social_worker", ("opa", "psychokoinoniki"), account="admin"
            ),
            DemoStaff("Αναστασία", "Νικολάου", "social_worker", ("opa",), account="social"),
            DemoStaff(
                "Κωνσταντίνος",
                "Παππάς",
                "social_worker",
                ("opa",),
                roles=("social_worker", "child_protection_officer"),
            ),
            DemoStaff("Βασιλική", "Σταματοπούλου", "social_worker", ("opa",)),
            DemoStaff("Αθανάσιος", "Ιωάννου", "psychologist", ("opa", "psychokoinoniki")),
            DemoStaff("Ευαγγελία", "Χριστοδούλου", "psychologist", ("psychokoinoniki",)),
            DemoStaff("Σταυρούλα", "Μαυρίδου", "pedagogue", ("psychokoinoniki",)),
            DemoStaff("Ιωάννης", "Καραγιάννης", "reception", ("trapeza-trofimon",)),
        ),
    ),
    "chios": (
        (
            DemoUnit(
                "kentro-koinotitas",
                "Κέντρο Κοινότητας Χίου",
                "Chios Community Centre",
                "community_centre",
                CH,
            ),
            DemoUnit(
                "parartima-roma",
                "Παράρτημα Ρομά Κέντρου Κοινότητας Χίου",
                "Roma branch of the Chios Community Centre",
                "roma_branch",
                CH,
            ),
        ),
        (
            DemoStaff(
                "Ευστράτιος",
                "Χατζηγεωργίου",
                "social_worker",
                ("kentro-koinotitas",),
                CH,
                account="admin",
            ),
            DemoStaff(
                "Ειρήνη", "Φραγκούλη", "social_worker", ("kentro-koinotitas",), CH, account="social"
            ),
            DemoStaff(
                "Μαρία",
                "Παπαδοπούλου",
                "social_worker",
                ("kentro-koinotitas", "parartima-roma"),
                CH,
            ),
            DemoStaff(
                "Μιχαήλ",
                "Σταθόπουλος",
                "employment_officer",
                ("kentro-koinotitas", "parartima-roma"),
                CH,
            ),
            DemoStaff("Αντώνιος", "Καλογεράκης", "roma_mediator", ("parartima-roma",), CH),
            DemoStaff("Αγγελική", "Ζαφειρίου", "pedagogue", ("kentro-koinotitas",), CH),
            DemoStaff("Θεοδώρα", "Κουτσουράδη", "psychologist", ("kentro-koinotitas",), CH),
            DemoStaff(
                "Παρασκευή",
                "Μανωλάκη",
                "health_visitor",
                ("kentro-koinotitas", "parartima-roma"),
                CH,
            ),
        ),
    ),
    "demo-welfare": (
        (
            DemoUnit(
                "koinoniki-pronoia",
                "Τμήμα Κοινωνικής Πρόνοιας",
                "Social Welfare Department",
                "social_welfare",
            ),
            DemoUnit(
                "voitheia-sto-spiti",
                "Βοήθεια στο Σπίτι",
                "Help at Home unit",
                "help_at_home_unit",
                ("07:00", "15:00"),
            ),
            DemoUnit(
                "trapeza",
                "Τράπεζα Τροφίμων, Ένδυσης και Παιχνιδιών",
                "Food, Clothing and Toy Bank",
                "food_bank",
            ),
            DemoUnit(
                "roma-agios-athanasios",
                "Κέντρο Στήριξης Ρομά Αγίου Αθανασίου",
                "Agios Athanasios Roma Support Centre",
                "roma_branch",
            ),
            DemoUnit(
                "roma-neochtista",
                "Κέντρο Στήριξης Ρομά Νεόχτιστων",
                "Neochtista Roma Support Centre",
                "roma_branch",
            ),
            DemoUnit(
                "ksoi",
                "Κέντρο Στήριξης Οικογένειας",
                "Family Support Centre",
                "family_support_centre",
            ),
        ),
        (
            DemoStaff(
                "Ιωάννα", "Πετροπούλου", "social_worker", ("koinoniki-pronoia",), account="admin"
            ),
            DemoStaff(
                "Γεωργία",
                "Αντωνίου",
                "social_worker",
                ("koinoniki-pronoia", "voitheia-sto-spiti"),
                account="social",
            ),
            DemoStaff(
                "Ελευθερία", "Σαββίδου", "nurse", ("voitheia-sto-spiti",), ("07:00", "15:00")
            ),
            DemoStaff(
                "Πολυξένη", "Ραφαηλίδου", "home_helper", ("voitheia-sto-spiti",), ("07:00", "14:00")
            ),
            DemoStaff(
                "Καλλιόπη", "Τσακίρη", "home_helper", ("voitheia-sto-spiti",), ("07:00", "14:00")
            ),
            DemoStaff(
                "Σπυρίδων",
                "Λιάπης",
                "driver",
                ("voitheia-sto-spiti",),
                ("07:00", "14:00"),
                account="none",
            ),
            DemoStaff("Χαράλαμπος", "Οικονόμου", "psychologist", ("ksoi",)),
            DemoStaff("Δέσποινα", "Κυριακίδου", "social_worker", ("ksoi", "trapeza")),
            DemoStaff(
                "Αριστείδης",
                "Μπαλής",
                "roma_mediator",
                ("roma-agios-athanasios", "roma-neochtista"),
            ),
            DemoStaff("Ζωή", "Πολυχρόνη", "reception", ("trapeza",)),
        ),
    ),
}


def username_for(person: DemoStaff, slug: str) -> str:
    if person.account in ("admin", "social"):
        return f"{person.account}@{slug}"
    first = elot743(person.first).lower()
    last = elot743(person.last).lower()
    return f"{first}.{last}@{slug}"


def demo_logins(slug: str) -> list[tuple[str, str]]:
    """(login, role) of the demo accounts this area creates for a tenant, for printing."""
    _units, people = DEMO.get(slug, ((), ()))
    return [
        (username_for(p, slug), ",".join(p.roles or (p.profession,)))
        for p in people
        if p.account == "login"
    ]


def _demo_email(person: DemoStaff, slug: str) -> str:
    if person.account == "none":
        return ""
    local = username_for(person, slug).split("@")[0]
    return f"{local}@{slug}.example.org"


def _weekly(span: tuple[str, str] | None) -> dict[str, list[list[str]]] | None:
    if span is None:
        return None
    return {day: [[span[0], span[1]]] for day in WEEKDAYS}


async def _user(username: str, display_name: str, password: str) -> UUID:
    row = await User.select(User.id).where(User.username == username).first()
    if row:
        return row["id"]  # type: ignore[no-any-return]
    return await create_user(username, password, display_name=display_name)


async def load_demo(tenant: TenantRef, seed: int, *, plan_of: str | None = None) -> None:
    """Units, profiles and logins of one demo tenant (inside the tenant's loading
    transaction, tenant in context). Tenants without a plan get nothing.

    Args:
        plan_of: the demo slug whose staffing to load (default: the tenant's own slug).
    """
    plan = DEMO.get(plan_of or tenant.slug)
    if plan is None:
        return
    units, people = plan
    known_roles = {r.code for r in get_host().roles()}
    professions = allowed_professions(tenant.modules)
    password = get_settings().demo_password
    now = datetime.now(UTC)
    unit_ids: dict[str, UUID] = {}
    for unit in units:
        unit_ids[unit.code] = uuid4()
        await Unit.insert(
            Unit(
                id=unit_ids[unit.code],
                code=unit.code,
                name_el=unit.name_el,
                name_en=unit.name_en,
                kind=unit.kind,
                operating_hours=_weekly(unit.hours),
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    for person in people:
        if person.profession not in professions:
            continue  # a module role its module does not declare (yet), or not enabled
        user_id: UUID | None = None
        if person.account in ("admin", "social"):
            row = (
                await User.select(User.id)
                .where(User.username == username_for(person, tenant.slug))
                .first()
            )
            user_id = row["id"] if row else None
        elif person.account == "login":
            roles = [r for r in (person.roles or (person.profession,)) if r in known_roles]
            user_id = await _user(username_for(person, tenant.slug), person.display_name, password)
            await add_membership(tenant.slug, user_id, roles)
        staff_id = uuid4()
        await StaffMember.insert(
            StaffMember(
                id=staff_id,
                user_id=user_id,
                display_name=person.display_name,
                profession=person.profession,
                email=_demo_email(person, tenant.slug),
                working_hours=_weekly(person.hours) or {},
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
        links = [
            StaffUnit(id=uuid4(), staff_id=staff_id, unit_id=unit_ids[c])
            for c in person.units
            if c in unit_ids
        ]
        if links:
            await StaffUnit.insert(*links)
