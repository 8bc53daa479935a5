"""Consent records: record, list, withdraw, `has_consent`, validation and isolation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.core.staff.helpers import codes, in_tenant, make_person


async def test_record_list_withdraw(
    client: Any, tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    from core.casework.consent import has_consent

    person = await make_person(client, tenant, social_worker)
    url = f"{tenant.api}/beneficiaries/{person}/consents"
    made = await client.post(
        url,
        json={"purpose": "referral", "by_whom": "guardian", "valid_until": "2099-12-31"},
        headers=social_worker.headers,
    )
    assert made.status_code == 201, made.text
    consent = made.json()
    assert consent["status"] == "given" and consent["in_force"] is True
    assert consent["by_whom"] == "guardian"
    assert consent["recorded_by"] == str(social_worker.user_id)
    sms = await client.post(
        url,
        json={"purpose": "notifications_sms", "given_at": "2024-05-02T10:00:00+03:00"},
        headers=social_worker.headers,
    )
    assert sms.status_code == 201

    async with in_tenant(tenant.id):
        assert await has_consent(UUID(person), "referral")
        assert not await has_consent(UUID(person), "research")

    reception = await staff_factory(tenant, ["reception"])
    listed = await client.get(url, headers=reception.headers)
    assert [c["purpose"] for c in listed.json()["items"]] == ["referral", "notifications_sms"]
    only = await client.get(f"{url}?purpose=notifications_sms", headers=reception.headers)
    assert [c["id"] for c in only.json()["items"]] == [sms.json()["id"]]

    withdrawn = await client.post(
        f"{tenant.api}/consents/{consent['id']}/withdraw", headers=social_worker.headers
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["in_force"] is False
    assert withdrawn.json()["withdrawn_by"] == str(social_worker.user_id)
    assert withdrawn.json()["withdrawn_at"] is not None
    again = await client.post(
        f"{tenant.api}/consents/{consent['id']}/withdraw", headers=social_worker.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "consent_already_withdrawn"
    async with in_tenant(tenant.id):
        assert not await has_consent(UUID(person), "referral")
    read = await client.get(f"{tenant.api}/consents/{consent['id']}", headers=social_worker.headers)
    assert read.json()["status"] == "withdrawn"

    volunteer = await staff_factory(tenant, ["volunteer"])
    assert (await client.get(url, headers=volunteer.headers)).status_code == 403


async def test_validation(client: Any, tenant: Any, social_worker: Any) -> None:
    person = await make_person(client, tenant, social_worker)
    url = f"{tenant.api}/beneficiaries/{person}/consents"
    bad = await client.post(
        url,
        json={"purpose": "marketing", "by_whom": "neighbour", "given_at": "2999-01-01T10:00:00Z"},
        headers=social_worker.headers,
    )
    assert bad.status_code == 422
    assert {f for f, _ in codes(bad)} == {"purpose", "by_whom", "given_at"}
    reversed_dates = await client.post(
        url,
        json={
            "purpose": "research",
            "given_at": "2025-05-01T10:00:00+03:00",
            "valid_until": "2025-04-01",
        },
        headers=social_worker.headers,
    )
    assert codes(reversed_dates) == [("valid_until", "valid_until_before_given")]
    expired = await client.post(
        url,
        json={
            "purpose": "research",
            "given_at": "2020-05-01T10:00:00+03:00",
            "valid_until": "2021-04-01",
        },
        headers=social_worker.headers,
    )
    assert expired.status_code == 201 and expired.json()["in_force"] is False
    listed = await client.get(url, headers=social_worker.headers)
    assert len(listed.json()["items"]) == 1


async def test_other_tenant_is_404(
    client: Any, tenant: Any, other_tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    from core.casework.consent import has_consent

    other_worker = await staff_factory(other_tenant, ["social_worker"])
    theirs = await make_person(client, other_tenant, other_worker)
    their_consent = await client.post(
        f"{other_tenant.api}/beneficiaries/{theirs}/consents",
        json={"purpose": "referral"},
        headers=other_worker.headers,
    )
    cid = their_consent.json()["id"]
    for method, path in (
        ("GET", f"/beneficiaries/{theirs}/consents"),
        ("POST", f"/beneficiaries/{theirs}/consents"),
        ("GET", f"/consents/{cid}"),
        ("POST", f"/consents/{cid}/withdraw"),
    ):
        body = {"purpose": "referral"} if path.endswith("/consents") else None
        response = await client.request(
            method,
            tenant.api + path,
            json=body if method == "POST" else None,
            headers=social_worker.headers,
        )
        assert response.status_code == 404, (method, path)
    async with in_tenant(tenant.id):
        assert not await has_consent(UUID(theirs), "referral")
    async with in_tenant(other_tenant.id):
        assert await has_consent(UUID(theirs), "referral")  # untouched, and only one
    listed = await client.get(
        f"{other_tenant.api}/beneficiaries/{theirs}/consents", headers=other_worker.headers
    )
    assert len(listed.json()["items"]) == 1
