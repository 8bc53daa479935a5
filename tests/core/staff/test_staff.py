"""Staff profiles and units: CRUD, permissions, validation, isolation, public functions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.core.staff.helpers import codes, in_tenant

HOURS = {"mon": [["08:00", "15:00"]], "wed": [["08:00", "12:00"], ["13:00", "16:00"]]}


async def make_unit(client: Any, tenant: Any, admin: Any, code: str = "kk", **extra: Any) -> dict:
    body = {
        "code": code,
        "name_el": "Κέντρο Κοινότητας",
        "name_en": "Community Centre",
        "kind": "community_centre",
        **extra,
    }
    response = await client.post(f"{tenant.api}/units", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_units_crud_and_permissions(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    unit = await make_unit(client, tenant, admin, operating_hours={"mon": [["07:00", "15:00"]]})
    assert unit["operating_hours"] == {"mon": [["07:00", "15:00"]]}
    assert unit["active"] is True

    dup = await client.post(
        f"{tenant.api}/units", json={"code": "kk", "name_el": "Άλλο"}, headers=admin.headers
    )
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate_unit_code"

    bad = await client.post(
        f"{tenant.api}/units",
        json={
            "code": "Κ Κ",
            "name_el": "",
            "kind": "castle",
            "operating_hours": {"mon": [["15:00", "08:00"]]},
        },
        headers=admin.headers,
    )
    assert bad.status_code == 422
    assert {f for f, _ in codes(bad)} == {"code", "name_el", "kind", "operating_hours"}

    forbidden = await client.post(
        f"{tenant.api}/units", json={"code": "x", "name_el": "X"}, headers=social_worker.headers
    )
    assert forbidden.status_code == 403

    listed = await client.get(f"{tenant.api}/units", headers=social_worker.headers)
    assert listed.status_code == 200
    assert [u["code"] for u in listed.json()["items"]] == ["kk"]

    patched = await client.patch(
        f"{tenant.api}/units/{unit['id']}",
        json={"name_en": "Chios Community Centre", "operating_hours": None, "active": False},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["operating_hours"] is None
    assert patched.json()["active"] is False
    assert patched.json()["name_el"] == "Κέντρο Κοινότητας"
    assert (
        await client.patch(
            f"{tenant.api}/units/{unit['id']}", json={"code": "y"}, headers=admin.headers
        )
    ).status_code == 422
    assert (
        await client.patch(
            f"{tenant.api}/units/{unit['id']}", json={"active": True}, headers=social_worker.headers
        )
    ).status_code == 403
    inactive = await client.get(f"{tenant.api}/units?active=true", headers=admin.headers)
    assert inactive.json()["items"] == []


async def test_staff_crud_roles_and_hours(
    client: Any, tenant: Any, admin: Any, social_worker: Any, staff_factory: Any
) -> None:
    unit = await make_unit(client, tenant, admin)
    created = await client.post(
        f"{tenant.api}/staff",
        json={
            "user_id": str(social_worker.user_id),
            "display_name": "Μαρία Παπαδοπούλου",
            "profession": "social_worker",
            "unit_ids": [unit["id"]],
            "working_hours": HOURS,
            "email": "m.papadopoulou@example.org",
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    staff = created.json()
    assert staff["roles"] == ["social_worker"]
    assert staff["username"] == social_worker.username
    assert [u["code"] for u in staff["units"]] == ["kk"]
    assert staff["working_hours"] == HOURS
    assert staff["weekly_minutes"] == 7 * 60 + 4 * 60 + 3 * 60

    driver = await client.post(
        f"{tenant.api}/staff",
        json={"display_name": "Σπυρίδων Λιάπης", "profession": "nurse"},
        headers=admin.headers,
    )
    assert driver.status_code == 201, driver.text
    assert driver.json()["user_id"] is None and driver.json()["roles"] == []

    again = await client.post(
        f"{tenant.api}/staff",
        json={"user_id": str(social_worker.user_id), "profession": "social_worker"},
        headers=admin.headers,
    )
    assert again.status_code == 409 and again.json()["existing_id"] == staff["id"]

    bad = await client.post(
        f"{tenant.api}/staff",
        json={
            "display_name": "Χ",
            "profession": "astronaut",
            "working_hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]},
        },
        headers=admin.headers,
    )
    assert bad.status_code == 422
    assert ("working_hours", "hours_overlap") in codes(bad)
    bad = await client.post(
        f"{tenant.api}/staff",
        json={"display_name": "Χ", "profession": "astronaut"},
        headers=admin.headers,
    )
    assert codes(bad) == [("profession", "unknown_profession")]
    assert (
        await client.post(
            f"{tenant.api}/staff",
            json={"display_name": "Χ", "profession": "tenant_admin"},
            headers=admin.headers,
        )
    ).status_code == 422

    assert (
        await client.post(
            f"{tenant.api}/staff",
            json={"display_name": "Χ", "profession": "nurse"},
            headers=social_worker.headers,
        )
    ).status_code == 403

    read = await client.get(f"{tenant.api}/staff/{staff['id']}", headers=social_worker.headers)
    assert read.status_code == 200 and read.json()["display_name"] == "Μαρία Παπαδοπούλου"

    patched = await client.patch(
        f"{tenant.api}/staff/{staff['id']}",
        json={"working_hours": {"fri": [["08:00", "14:00"]]}, "unit_ids": [], "phone": None},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["working_hours"] == {"fri": [["08:00", "14:00"]]}
    assert patched.json()["units"] == []
    assert patched.json()["display_name"] == "Μαρία Παπαδοπούλου"
    nulled = await client.patch(
        f"{tenant.api}/staff/{staff['id']}", json={"display_name": None}, headers=admin.headers
    )
    assert codes(nulled) == [("display_name", "required_not_null")]

    # a second account may not take over the first one's profile owner
    other = await staff_factory(tenant, ["psychologist"])
    moved = await client.patch(
        f"{tenant.api}/staff/{driver.json()['id']}",
        json={"user_id": str(social_worker.user_id)},
        headers=admin.headers,
    )
    assert moved.status_code == 409
    linked = await client.patch(
        f"{tenant.api}/staff/{driver.json()['id']}",
        json={"user_id": str(other.user_id)},
        headers=admin.headers,
    )
    assert linked.status_code == 200 and linked.json()["roles"] == ["psychologist"]

    # display name defaults to the account's
    third = await staff_factory(tenant, ["nurse"])
    made = await client.post(
        f"{tenant.api}/staff",
        json={"user_id": str(third.user_id), "profession": "nurse"},
        headers=admin.headers,
    )
    assert made.status_code == 201 and made.json()["display_name"] == third.username


async def test_staff_list_filters_and_pages(client: Any, tenant: Any, admin: Any) -> None:
    unit = await make_unit(client, tenant, admin)
    for name, profession, units in (
        ("Άλφα", "nurse", [unit["id"]]),
        ("Βήτα", "psychologist", []),
        ("Γάμμα", "nurse", [unit["id"]]),
    ):
        response = await client.post(
            f"{tenant.api}/staff",
            json={"display_name": name, "profession": profession, "unit_ids": units},
            headers=admin.headers,
        )
        assert response.status_code == 201
    first = await client.get(f"{tenant.api}/staff?limit=2", headers=admin.headers)
    assert [s["display_name"] for s in first.json()["items"]] == ["Άλφα", "Βήτα"]
    cursor = first.json()["next_cursor"]
    second = await client.get(f"{tenant.api}/staff?limit=2&cursor={cursor}", headers=admin.headers)
    assert [s["display_name"] for s in second.json()["items"]] == ["Γάμμα"]
    assert second.json()["next_cursor"] is None
    by_unit = await client.get(f"{tenant.api}/staff?unit_id={unit['id']}", headers=admin.headers)
    assert [s["display_name"] for s in by_unit.json()["items"]] == ["Άλφα", "Γάμμα"]
    nurses = await client.get(f"{tenant.api}/staff?profession=psychologist", headers=admin.headers)
    assert [s["display_name"] for s in nurses.json()["items"]] == ["Βήτα"]


async def test_other_tenant_is_404_and_never_listed(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, staff_factory: Any
) -> None:
    other_admin = await staff_factory(other_tenant, ["tenant_admin"])
    other_user = await staff_factory(other_tenant, ["social_worker"])
    theirs_unit = await make_unit(client, other_tenant, other_admin, code="theirs")
    theirs = await client.post(
        f"{other_tenant.api}/staff",
        json={"display_name": "Ξένη", "profession": "nurse"},
        headers=other_admin.headers,
    )
    staff_id = theirs.json()["id"]

    for method, path, body in (
        ("GET", f"/staff/{staff_id}", None),
        ("PATCH", f"/staff/{staff_id}", {"active": False}),
        ("GET", f"/units/{theirs_unit['id']}", None),
        ("PATCH", f"/units/{theirs_unit['id']}", {"active": False}),
    ):
        response = await client.request(method, tenant.api + path, json=body, headers=admin.headers)
        assert response.status_code == 404, (method, path)
    # another tenant's user or unit in a body: 404, nothing stored
    for body in (
        {"user_id": str(other_user.user_id), "profession": "social_worker"},
        {"display_name": "Χ", "profession": "nurse", "unit_ids": [theirs_unit["id"]]},
    ):
        response = await client.post(f"{tenant.api}/staff", json=body, headers=admin.headers)
        assert response.status_code == 404
    assert (await client.get(f"{tenant.api}/staff", headers=admin.headers)).json()["items"] == []
    assert (await client.get(f"{tenant.api}/units", headers=admin.headers)).json()["items"] == []
    # and A's admin is a stranger to B
    assert (await client.get(f"{other_tenant.api}/staff", headers=admin.headers)).status_code == 404
    still = await client.get(f"{other_tenant.api}/staff/{staff_id}", headers=other_admin.headers)
    assert still.json()["active"] is True


async def test_public_functions(
    client: Any, tenant: Any, admin: Any, social_worker: Any, other_tenant: Any
) -> None:
    from core.errors import NotFound
    from core.staff import services

    created = await client.post(
        f"{tenant.api}/staff",
        json={
            "user_id": str(social_worker.user_id),
            "profession": "social_worker",
            "working_hours": HOURS,
        },
        headers=admin.headers,
    )
    staff_id = UUID(created.json()["id"])
    async with in_tenant(tenant.id):
        assert await services.staff_exists(staff_id)
        assert (await services.get_staff(staff_id))["profession"] == "social_worker"
        assert (await services.staff_for_user(social_worker.user_id))["id"] == staff_id
        assert await services.staff_for_user(admin.user_id) is None
        assert await services.working_hours(staff_id) == HOURS
    async with in_tenant(other_tenant.id):
        assert not await services.staff_exists(staff_id)
        assert await services.staff_for_user(social_worker.user_id) is None
        for call in (services.get_staff, services.working_hours):
            try:
                await call(staff_id)
            except NotFound:
                pass
            else:
                raise AssertionError(f"{call.__name__} crossed tenants")


async def test_demo_staffing_of_chios(client: Any, tenant_factory: Any, staff_factory: Any) -> None:
    """merimna_demo_data: Chios gets its Community Centre, Roma branch and seven staff."""
    from core.auth.accounts import create_user
    from core.settings import get_settings
    from core.staff.demo import demo_logins, load_demo
    from core.staff.services import list_staff, list_units
    from tenants.resolution import load_tenant
    from tenants.services import add_membership

    tenant = await tenant_factory(modules=["roma_branch"])
    for login, role in (("admin", "tenant_admin"), ("social", "social_worker")):
        user_id = await create_user(f"{login}@{tenant.slug}", "demo-password")
        await add_membership(tenant.slug, user_id, [role])
    info = await load_tenant(tenant.slug)
    assert info is not None
    async with in_tenant(tenant.id):
        await load_demo(info.ref, 1, plan_of="chios")
        units = await list_units()
        people, _ = await list_staff(limit=50)
    assert {u["kind"] for u in units} == {"community_centre", "roma_branch"}
    assert all(u["operating_hours"]["mon"] == [["07:00", "15:00"]] for u in units)
    professions = sorted(p["profession"] for p in people)
    assert professions == sorted(
        ["social_worker"] * 3
        + ["employment_officer", "roma_mediator", "pedagogue", "psychologist", "health_visitor"]
    )
    assert all(p["working_hours"]["fri"] == [["07:00", "15:00"]] for p in people)
    logins = dict(demo_logins("chios"))
    assert logins["maria.papadopoulou@chios"] == "social_worker"

    # the logins work with the demo password and carry their roles
    login = await client.post(
        "/api/v1/auth/login",
        json={
            "username": f"maria.papadopoulou@{tenant.slug}",
            "password": get_settings().demo_password,
        },
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await client.get(f"{tenant.api}/staff?profession=roma_mediator", headers=headers)
    assert me.status_code == 200
    assert me.json()["items"][0]["roles"] == ["roma_mediator"]
