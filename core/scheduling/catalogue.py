"""The core's bookable services (modules add theirs through the same `merimna_services` hook).

Professions are role codes: an empty tuple lets any staff member deliver the service.
"""

from __future__ import annotations

from core.manifest import ServiceSpec

_COUNSELLORS = ("social_worker", "psychologist")
_CARE = ("social_worker", "nurse", "health_visitor", "psychologist", "roma_mediator")

CORE_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        code="core.intake",
        title_el="Πρώτη συνέντευξη (υποδοχή αιτήματος)",
        title_en="Intake interview",
        default_minutes=45,
        modes=("in_person", "phone", "video"),
        professions=("social_worker", "psychologist", "roma_mediator"),
    ),
    ServiceSpec(
        code="core.counselling",
        title_el="Συμβουλευτική συνεδρία",
        title_en="Counselling session",
        default_minutes=50,
        modes=("in_person", "phone", "video"),
        professions=_COUNSELLORS,
    ),
    ServiceSpec(
        code="core.home_visit",
        title_el="Κατ' οίκον επίσκεψη",
        title_en="Home visit",
        default_minutes=60,
        modes=("home_visit",),
        professions=_CARE,
    ),
    ServiceSpec(
        code="core.social_report",
        title_el="Κοινωνική έρευνα / έκθεση",
        title_en="Social inquiry",
        default_minutes=60,
        modes=("in_person", "home_visit"),
        professions=("social_worker",),
    ),
    ServiceSpec(
        code="core.accompaniment",
        title_el="Συνοδεία σε υπηρεσία",
        title_en="Accompaniment to a service",
        default_minutes=120,
        modes=("in_person",),
        professions=(),
    ),
    ServiceSpec(
        code="core.meeting",
        title_el="Συνάντηση / ομάδα",
        title_en="Meeting or group session",
        default_minutes=60,
        modes=("in_person", "video"),
        professions=(),
        group=True,
    ),
    ServiceSpec(
        code="core.phone_call",
        title_el="Τηλεφωνική επικοινωνία",
        title_en="Phone call",
        default_minutes=15,
        modes=("phone",),
        professions=(),
    ),
)


def module_of(code: str) -> str | None:
    """`core.x` -> None; `food_bank.pickup` -> `food_bank`."""
    prefix = code.split(".", 1)[0]
    return None if prefix == "core" else prefix
