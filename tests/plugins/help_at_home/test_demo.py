"""Demo data of Help at Home: applications, assessments and care plans for the older people
of a tenant, visits booked through the core calendar; the same seed gives the same caseload."""

from __future__ import annotations

from typing import Any

from core import db
from core.refs import TenantRef
from core.testing import make_staff, make_tenant
from plugins.help_at_home import hooks
from plugins.help_at_home.tables import Application, Assessment, CarePlan, Visit
from tenants.scoping import tenant_context
from tests.plugins.help_at_home.conftest import _person, _profile


async def test_demo_data_builds_a_caseload(client: Any) -> None:
    town = await make_tenant(["help_at_home"], prefix="hah-demo")
    admin = await make_staff(town, ["tenant_admin"])
    staff = {}
    for role in ("nurse", "home_helper", "home_helper"):
        who = await make_staff(town, [role])
        staff.setdefault(role, []).append(await _profile(client, town, admin, who, role))
    people = (
        ("Αγγελική", "1939-04-03"),
        ("Βασίλειος", "1944-09-21"),
        ("Δέσποινα", "1948-12-01"),
        ("Ευάγγελος", "1952-06-30"),
        ("Ζωή", "1990-02-02"),
    )
    for index, (first, birth) in enumerate(people):
        await _person(
            client,
            town,
            admin,
            first_name=first,
            last_name="Καραγιάννη",
            birth_date=birth,
            address={
                "street": "Ερμού",
                "number": str(index + 1),
                "postcode": f"1055{index}",
                "city": "Αθήνα",
            },
        )
    ref = TenantRef(id=town.id, slug=town.slug, modules=frozenset({"help_at_home"}))
    async with db.transaction():
        with tenant_context(town.id):
            await db.set_rls_tenant(town.id)
            booked = await hooks.merimna_demo_data(tenant=ref, seed=11)
            apps = await Application.select()
            assessments = await Assessment.count()
            plans = await CarePlan.select()
            visits = await Visit.select(Visit.staff_id, Visit.status)
    assert len(apps) == 4  # the four people aged 65 or more
    assert assessments == 12
    assert {a["decision"] for a in apps} <= {"eligible", "not_eligible", "incomplete"}
    assert plans, "at least one care plan"
    assert booked == len([v for v in visits if v["status"] in ("planned", "done")])
    assert booked > 0
    ours = {*staff["nurse"], *staff["home_helper"]}
    assert {str(v["staff_id"]) for v in visits} <= ours
    other = await make_tenant(["help_at_home"], prefix="hah-demo-other")
    async with db.transaction():
        with tenant_context(other.id):
            await db.set_rls_tenant(other.id)
            assert await Visit.count() == 0
