"""Hook implementations of the beneficiaries area: the only file the plugin host calls."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import CategorySpec, PermissionSpec, ReportSpec
from core.platform.roles import STAFF
from core.refs import TenantRef


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.beneficiaries.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="beneficiaries.read",
            title_el="Ανάγνωση μητρώου ωφελουμένων",
            title_en="Read the beneficiary registry",
            roles=STAFF,
        ),
        PermissionSpec(
            code="beneficiaries.write",
            title_el="Καταχώριση ωφελουμένων",
            title_en="Register and edit beneficiaries",
            roles=STAFF,
        ),
        PermissionSpec(
            code="beneficiaries.merge",
            title_el="Συγχώνευση διπλοεγγραφών",
            title_en="Merge duplicate beneficiaries",
            roles=("tenant_admin",),
        ),
        PermissionSpec(
            code="beneficiaries.categories",
            title_el="Διαχείριση κατηγοριών",
            title_en="Manage beneficiary categories",
            roles=("tenant_admin",),
        ),
    ]


@hookimpl
def merimna_categories() -> list[CategorySpec]:
    from core.beneficiaries.categories import CORE_CATEGORIES

    return list(CORE_CATEGORIES)


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.beneficiaries.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from core.beneficiaries.reports import REPORTS

    return list(REPORTS)


@hookimpl
def merimna_cli(group: Any) -> None:
    from core.beneficiaries.cli import add_commands

    add_commands(group)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.beneficiaries.tables import (
        Beneficiary,
        BeneficiaryCategory,
        BeneficiarySearchToken,
        CategoryCode,
        Household,
        HouseholdMember,
    )

    return [
        CategoryCode,
        Household,
        Beneficiary,
        HouseholdMember,
        BeneficiaryCategory,
        BeneficiarySearchToken,
    ]


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.beneficiaries.gdpr import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.beneficiaries.gdpr import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    from core.beneficiaries.demo import load_demo

    return load_demo(tenant, seed)
