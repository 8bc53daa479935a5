"""Tenant administrators and staff accounts: list, deactivate, reset, consortium access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.audit.tables import PlatformAuditEvent
from core.auth.accounts import set_account_active
from tenants.resolution import invalidate_membership
from tenants.services import add_membership
from tenants.tables import Membership
from tests.core.auth.helpers import AUTH, login


async def test_list_staff_accounts(
    client: Any, tenant: Any, admin: Any, social_worker: Any, other_tenant: Any, staff_factory: Any
) -> None:
    stranger = await staff_factory(other_tenant, ["social_worker"])
    response = await client.get(f"{tenant.api}/staff-accounts", headers=admin.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    by_id = {item["user_id"]: item for item in body["items"]}
    assert set(by_id) == {str(admin.user_id), str(social_worker.user_id)}
    assert str(stranger.user_id) not in by_id
    worker = by_id[str(social_worker.user_id)]
    assert (worker["username"], worker["roles"], worker["active"]) == (
        social_worker.username,
        ["social_worker"],
        True,
    )


async def test_list_paginates(client: Any, tenant_factory: Any, staff_factory: Any) -> None:
    town = await tenant_factory()
    boss = await staff_factory(town, ["tenant_admin"])
    for _ in range(3):
        await staff_factory(town, ["reception"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(f"{town.api}/staff-accounts", params=params, headers=boss.headers)
        ).json()
        seen += [i["user_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    too_many = await client.get(
        f"{town.api}/staff-accounts", params={"limit": 500}, headers=boss.headers
    )
    assert too_many.status_code == 422


async def test_social_worker_gets_403_on_staff_accounts(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    for method, path in (
        ("GET", "staff-accounts"),
        ("POST", f"staff-accounts/{social_worker.user_id}/reset-password"),
        ("POST", f"staff-accounts/{social_worker.user_id}/deactivate"),
    ):
        response = await client.request(
            method, f"{tenant.api}/{path}", headers=social_worker.headers
        )
        assert response.status_code == 403, path
        assert response.json()["code"] == "forbidden"


async def test_admin_of_a_cannot_touch_a_member_of_b(
    client: Any, tenant: Any, admin: Any, other_tenant: Any, staff_factory: Any
) -> None:
    member_of_b = await staff_factory(other_tenant, ["social_worker"])
    for action in ("reset-password", "deactivate"):
        response = await client.post(
            f"{tenant.api}/staff-accounts/{member_of_b.user_id}/{action}", headers=admin.headers
        )
        assert response.status_code == 404, action
        assert response.json()["code"] == "not_found"
    # ...and through B's path they are not even a member there.
    response = await client.post(
        f"{other_tenant.api}/staff-accounts/{member_of_b.user_id}/deactivate",
        headers=admin.headers,
    )
    assert response.status_code == 404
    assert (await client.get(f"{AUTH}/me", headers=member_of_b.headers)).status_code == 200


async def test_no_reset_of_an_account_that_works_elsewhere(
    client: Any, tenant: Any, admin: Any, other_tenant: Any, staff_factory: Any
) -> None:
    shared = await staff_factory(tenant, ["social_worker"])
    await add_membership(other_tenant.slug, shared.user_id, ["tenant_admin"])
    response = await client.post(
        f"{tenant.api}/staff-accounts/{shared.user_id}/reset-password", headers=admin.headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "account_managed_elsewhere"


async def test_deactivate_a_member_of_one_tenant(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    response = await client.post(
        f"{tenant.api}/staff-accounts/{social_worker.user_id}/deactivate", headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json() == {
        "user_id": str(social_worker.user_id),
        "membership_active": False,
        "account_active": False,
        "sessions_revoked": 1,
    }
    assert (await client.get(f"{AUTH}/me", headers=social_worker.headers)).status_code == 401
    assert (await login(client, social_worker.username, social_worker.password)).status_code == 401
    listed = (await client.get(f"{tenant.api}/staff-accounts", headers=admin.headers)).json()
    entry = next(i for i in listed["items"] if i["user_id"] == str(social_worker.user_id))
    assert (entry["active"], entry["account_active"]) == (False, False)


async def test_deactivate_keeps_the_account_for_other_tenants(
    client: Any, tenant: Any, admin: Any, other_tenant: Any, staff_factory: Any
) -> None:
    shared = await staff_factory(tenant, ["social_worker"])
    await add_membership(other_tenant.slug, shared.user_id, ["social_worker"])
    response = await client.post(
        f"{tenant.api}/staff-accounts/{shared.user_id}/deactivate", headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["account_active"] is True
    assert (
        await client.get(f"{tenant.api}/staff-accounts", headers=shared.headers)
    ).status_code == 404
    me = (await client.get(f"{AUTH}/me", headers=shared.headers)).json()
    assert [t["slug"] for t in me["tenants"]] == [other_tenant.slug]


async def test_an_admin_cannot_deactivate_themselves(client: Any, tenant: Any, admin: Any) -> None:
    response = await client.post(
        f"{tenant.api}/staff-accounts/{admin.user_id}/deactivate", headers=admin.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "cannot_deactivate_self"


async def test_consortium_access_is_granted_audited_and_expires(
    client: Any, tenant: Any, admin: Any, consortium_admin: Any
) -> None:
    staff_accounts = f"{tenant.api}/staff-accounts"
    assert (await client.get(staff_accounts, headers=consortium_admin.headers)).status_code == 404
    granted = await client.post(
        f"{tenant.api}/consortium-access",
        json={"user_id": str(consortium_admin.user_id), "hours": 4},
        headers=admin.headers,
    )
    assert granted.status_code == 201, granted.text
    body = granted.json()
    assert body["roles"] == ["tenant_admin"]
    assert body["granted_by"] == str(admin.user_id)
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=3, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=4)
    assert (await client.get(staff_accounts, headers=consortium_admin.headers)).status_code == 200

    events = await PlatformAuditEvent.select().where(
        (PlatformAuditEvent.action == "consortium_access_grant")
        & (PlatformAuditEvent.object_id == str(consortium_admin.user_id))
    )
    assert [(e["user_id"], e["tenant_id"]) for e in events] == [(admin.user_id, tenant.id)]

    # Time passes: the grant runs out on its own.
    await Membership.update(
        {Membership.expires_at: datetime.now(UTC) - timedelta(minutes=1)}
    ).where((Membership.tenant_id == tenant.id) & (Membership.user_id == consortium_admin.user_id))
    await invalidate_membership(tenant.slug, consortium_admin.user_id)
    assert (await client.get(staff_accounts, headers=consortium_admin.headers)).status_code == 404


async def test_consortium_access_can_be_revoked(
    client: Any, tenant: Any, admin: Any, consortium_admin: Any
) -> None:
    url = f"{tenant.api}/consortium-access"
    await client.post(
        url,
        json={"user_id": str(consortium_admin.user_id), "hours": 1, "roles": ["reception"]},
        headers=admin.headers,
    )
    assert (await client.get(f"{AUTH}/me", headers=consortium_admin.headers)).json()["tenants"][0][
        "roles"
    ] == ["reception"]
    revoked = await client.delete(f"{url}/{consortium_admin.user_id}", headers=admin.headers)
    assert revoked.status_code == 204
    assert (await client.get(f"{AUTH}/me", headers=consortium_admin.headers)).json()[
        "tenants"
    ] == []
    again = await client.delete(f"{url}/{consortium_admin.user_id}", headers=admin.headers)
    assert again.status_code == 404


async def test_consortium_access_only_for_consortium_admins(
    client: Any, tenant: Any, admin: Any, social_worker: Any, consortium_admin: Any
) -> None:
    url = f"{tenant.api}/consortium-access"
    not_admin = await client.post(
        url, json={"user_id": str(social_worker.user_id), "hours": 2}, headers=admin.headers
    )
    assert not_admin.status_code == 422
    assert [(e["field"], e["code"]) for e in not_admin.json()["errors"]] == [
        ("user_id", "not_consortium_admin")
    ]
    bad = await client.post(
        url,
        json={
            "user_id": str(consortium_admin.user_id),
            "hours": 721,
            "roles": ["consortium_admin"],
        },
        headers=admin.headers,
    )
    assert bad.status_code == 422
    assert {e["field"]: e["code"] for e in bad.json()["errors"]} == {
        "hours": "less_than_equal",
        "roles": "role_not_grantable",
    }
    worker = await client.post(
        url,
        json={"user_id": str(consortium_admin.user_id), "hours": 2},
        headers=social_worker.headers,
    )
    assert worker.status_code == 403


async def test_a_consortium_admin_cannot_extend_their_own_access(
    client: Any, tenant: Any, admin: Any, consortium_admin: Any
) -> None:
    url = f"{tenant.api}/consortium-access"
    await client.post(
        url, json={"user_id": str(consortium_admin.user_id), "hours": 1}, headers=admin.headers
    )
    extend = await client.post(
        url,
        json={"user_id": str(consortium_admin.user_id), "hours": 720},
        headers=consortium_admin.headers,
    )
    assert extend.status_code == 403


async def test_a_deactivated_account_can_be_switched_back_on(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    await client.post(
        f"{tenant.api}/staff-accounts/{social_worker.user_id}/deactivate", headers=admin.headers
    )
    await set_account_active(social_worker.user_id, True)
    await add_membership(tenant.slug, social_worker.user_id, ["social_worker"])
    signed_in = await login(client, social_worker.username, social_worker.password)
    assert signed_in.status_code == 200
    assert [t["slug"] for t in signed_in.json()["tenants"]] == [tenant.slug]
