"""Tenant admin: the units page (create, rename, deactivate and reactivate through the staff
service) and revoking a consortium administrator's access; another tenant's unit or grant is
404 and never listed."""

from __future__ import annotations

import re
from typing import Any

import httpx

from core.testing import make_staff, make_tenant
from tests.core.web.conftest import csrf_token, sign_in, unlabelled


async def test_units_create_rename_deactivate_and_revoke_consortium_access(
    client: Any, browser: httpx.AsyncClient
) -> None:
    tenant = await make_tenant()
    admin = await make_staff(tenant, ["tenant_admin"])
    worker = await make_staff(tenant, ["social_worker"])
    other = await make_tenant(prefix="other")
    other_admin = await make_staff(other, ["tenant_admin"])
    foreign = await client.post(
        f"{other.api}/units",
        json={"code": "kapi", "name_el": "Ξένη δομή"},
        headers=other_admin.headers,
    )
    assert foreign.status_code == 201
    foreign_id = foreign.json()["id"]

    await sign_in(browser, admin.username, admin.password)
    page = await browser.get(f"/t/{tenant.slug}/admin/units")
    assert page.status_code == 200 and not unlabelled(page.text)
    assert "Ξένη δομή" not in page.text
    token = csrf_token(page.text)
    bad = await browser.post(
        f"/t/{tenant.slug}/admin/units",
        data={"_csrf_token": token, "code": "Κ Α Π Η", "name_el": "ΚΑΠΗ", "kind": "other"},
    )
    assert bad.status_code == 422 and 'id="unit-code-error"' in bad.text
    created = await browser.post(
        f"/t/{tenant.slug}/admin/units",
        data={
            "_csrf_token": token,
            "code": "kapi",
            "name_el": "ΚΑΠΗ Κέντρου",
            "name_en": "Day centre",
            "kind": "community_centre",
        },
    )
    assert created.status_code == 303, created.text[-2000:]
    again = await browser.post(
        f"/t/{tenant.slug}/admin/units",
        data={"_csrf_token": token, "code": "kapi", "name_el": "Άλλο", "kind": "other"},
    )
    assert again.status_code == 409 and 'id="unit-code-error"' in again.text
    units = (await client.get(f"{tenant.api}/units", headers=admin.headers)).json()["items"]
    assert [(u["code"], u["name_el"], u["kind"]) for u in units] == [
        ("kapi", "ΚΑΠΗ Κέντρου", "community_centre")
    ]
    unit_id = units[0]["id"]
    page = await browser.get(f"/t/{tenant.slug}/admin/units")
    assert "ΚΑΠΗ Κέντρου" in page.text and f'id="unit-{unit_id}-name_el"' in page.text
    empty = await browser.post(
        f"/t/{tenant.slug}/admin/units/{unit_id}/rename",
        data={"_csrf_token": token, "name_el": "", "name_en": ""},
    )
    assert empty.status_code == 422 and f'id="unit-{unit_id}-name_el-error"' in empty.text
    renamed = await browser.post(
        f"/t/{tenant.slug}/admin/units/{unit_id}/rename",
        data={"_csrf_token": token, "name_el": "ΚΑΠΗ Νέας Σμύρνης", "name_en": ""},
    )
    assert renamed.status_code == 303
    off = await browser.post(
        f"/t/{tenant.slug}/admin/units/{unit_id}/active",
        data={"_csrf_token": token, "active": "false"},
    )
    assert off.status_code == 303
    stored = (await client.get(f"{tenant.api}/units/{unit_id}", headers=admin.headers)).json()
    assert stored["name_el"] == "ΚΑΠΗ Νέας Σμύρνης" and stored["active"] is False
    page = await browser.get(f"/t/{tenant.slug}/admin/units")
    assert re.search(r'name="active" value="true"', page.text)  # offered for reactivation
    on = await browser.post(
        f"/t/{tenant.slug}/admin/units/{unit_id}/active",
        data={"_csrf_token": token, "active": "true"},
    )
    assert on.status_code == 303
    assert (await client.get(f"{tenant.api}/units/{unit_id}", headers=admin.headers)).json()[
        "active"
    ]
    # Another tenant's unit: 404 for every action, and left unchanged.
    for action, data in (("rename", {"name_el": "Χ"}), ("active", {"active": "false"})):
        response = await browser.post(
            f"/t/{tenant.slug}/admin/units/{foreign_id}/{action}",
            data={"_csrf_token": token, **data},
        )
        assert response.status_code == 404, action
    theirs = await client.get(f"{other.api}/units/{foreign_id}", headers=other_admin.headers)
    assert theirs.json()["name_el"] == "Ξένη δομή" and theirs.json()["active"] is True

    # A worker cannot manage units.
    async with httpx.AsyncClient(transport=browser._transport, base_url="http://testserver") as w:
        await sign_in(w, worker.username, worker.password)
        assert (await w.get(f"/t/{tenant.slug}/admin/units")).status_code == 403

    # Consortium access: granted, listed with a revoke button, revoked.
    helper = await make_staff(None, [], consortium_admin=True)
    overview = await browser.get(f"/t/{tenant.slug}/admin")
    assert f"/t/{tenant.slug}/admin/units" in overview.text
    grant = await browser.post(
        f"/t/{tenant.slug}/admin/consortium-access",
        data={"_csrf_token": token, "username": helper.username, "hours": "4"},
    )
    assert grant.status_code == 303
    overview = await browser.get(f"/t/{tenant.slug}/admin")
    revoke_path = f"/t/{tenant.slug}/admin/consortium-access/{helper.user_id}/revoke"
    assert revoke_path in overview.text and not unlabelled(overview.text)
    # The same helper granted by the other tenant: this tenant's revoke leaves that alone.
    other_browser = httpx.AsyncClient(transport=browser._transport, base_url="http://testserver")
    async with other_browser:
        await sign_in(other_browser, other_admin.username, other_admin.password)
        their_page = await other_browser.get(f"/t/{other.slug}/admin")
        other_grant = await other_browser.post(
            f"/t/{other.slug}/admin/consortium-access",
            data={
                "_csrf_token": csrf_token(their_page.text),
                "username": helper.username,
                "hours": "4",
            },
        )
        assert other_grant.status_code == 303
    revoked = await browser.post(revoke_path, data={"_csrf_token": token})
    assert revoked.status_code == 303
    accounts = await client.get(f"{tenant.api}/staff-accounts", headers=admin.headers)
    mine = [a for a in accounts.json()["items"] if a["username"] == helper.username]
    assert not mine or not mine[0]["active"]
    overview = await browser.get(f"/t/{tenant.slug}/admin")
    assert revoke_path not in overview.text
    twice = await browser.post(revoke_path, data={"_csrf_token": token})
    assert twice.status_code == 404
    # Revoking a plain staff member, or through another tenant's path: 404.
    plain = await browser.post(
        f"/t/{tenant.slug}/admin/consortium-access/{worker.user_id}/revoke",
        data={"_csrf_token": token},
    )
    assert plain.status_code == 404
    theirs = await client.get(f"{other.api}/staff-accounts", headers=other_admin.headers)
    still = [a for a in theirs.json()["items"] if a["username"] == helper.username]
    assert still and still[0]["active"]
