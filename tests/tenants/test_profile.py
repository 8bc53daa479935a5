"""A tenant's own record: `GET|PATCH /api/v1/t/{tenant}/profile` (hours and contacts)."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from core.audit.tables import AuditEvent
from core.scheduling.services import opening_hours
from tenants.resolution import resolve_tenant
from tenants.schemas import DEFAULT_HOURS
from tenants.tables import Tenant
from tests.tenants.conftest import ADMIN, in_tenant

HOURS = {"mon": [["13:00", "17:00"], ["08:00", "12:00"]], "sat": [["09:00", "13:00"]]}


async def _row(tenant_id: Any) -> dict[str, Any]:
    return await (  # type: ignore[no-any-return]
        Tenant.select(
            Tenant.operating_hours, Tenant.contact_email, Tenant.contact_phone, Tenant.address
        )
        .where(Tenant.id == tenant_id)
        .first()
        .output(load_json=True)
    )


async def test_members_read_and_administrators_change_the_profile(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    url = f"{tenant.api}/profile"
    read = await client.get(url, headers=social_worker.headers)
    assert read.status_code == 200, read.text
    body = read.json()
    assert (body["slug"], body["name"], body["timezone"]) == (
        tenant.slug,
        "Δήμος Δοκιμής",
        "Europe/Athens",
    )
    assert body["operating_hours"] == DEFAULT_HOURS
    english = await client.get(url, headers={**social_worker.headers, "Accept-Language": "en"})
    assert english.json()["name"] == "Test"
    # Warm the cached tenant that scheduling reads its hours from.
    assert (await resolve_tenant(tenant.slug)).operating_hours == DEFAULT_HOURS  # type: ignore[union-attr]

    changed = await client.patch(
        url,
        json={
            "operating_hours": HOURS,
            "contact_email": "Koinoniki@Example.GR",
            "contact_phone": "210 123 4567",
            "address": "Πλατεία Δημαρχείου 1, 152 31",
        },
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    out = changed.json()
    assert out["operating_hours"] == {
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]],
        "sat": [["09:00", "13:00"]],
    }
    assert (out["contact_email"], out["contact_phone"]) == ("Koinoniki@example.gr", "+302101234567")
    stored = await _row(tenant.id)
    assert stored["contact_phone"] == "+302101234567"
    assert stored["operating_hours"] == out["operating_hours"]
    # Only the fields sent change; a short code is kept as dialled; "" clears.
    again = await client.patch(
        url, json={"contact_phone": "15 900", "address": ""}, headers=admin.headers
    )
    assert again.status_code == 200
    stored = await _row(tenant.id)
    assert (stored["contact_phone"], stored["address"]) == ("15900", "")
    assert stored["contact_email"] == "Koinoniki@example.gr"

    # The next request (and scheduling) sees the new hours: the cache was invalidated.
    info = await resolve_tenant(tenant.slug)
    assert info is not None and info.operating_hours == out["operating_hours"]
    hours = await opening_hours(info)
    assert hours[0] == ((time(8), time(12)), (time(13), time(17)))
    assert hours[1] == () and hours[5] == ((time(9), time(13)),)
    assert (await client.get(url, headers=social_worker.headers)).json()["contact_phone"] == "15900"

    async def events() -> list[dict[str, Any]]:
        return await (  # type: ignore[no-any-return]
            AuditEvent.select(AuditEvent.user_id, AuditEvent.details)
            .where(AuditEvent.object_type == "tenant_profile")
            .order_by(AuditEvent.at)
            .output(load_json=True)
        )

    trail = await in_tenant(tenant.id, events)
    assert [e["details"]["fields"] for e in trail] == [
        ["address", "contact_email", "contact_phone", "operating_hours"],
        ["address", "contact_phone"],
    ]
    assert {e["user_id"] for e in trail} == {admin.user_id}


async def test_other_roles_may_read_but_not_change(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    refused = await client.patch(
        f"{tenant.api}/profile", json={"address": "Αλλού"}, headers=social_worker.headers
    )
    assert refused.status_code == 403
    assert (await _row(tenant.id))["address"] == ""


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (
            {"operating_hours": {"mon": [["08:00", "12:00"], ["11:00", "15:00"]]}},
            "operating_hours",
            "tenant_hours_overlap",
        ),
        ({"operating_hours": {"mon": [["15:00", "08:00"]]}}, "operating_hours", "invalid_hours"),
        ({"operating_hours": {"someday": []}}, "operating_hours", "invalid_hours"),
        ({"operating_hours": {}}, "operating_hours", "invalid_hours"),
        ({"contact_phone": "0000000000"}, "contact_phone", "invalid_contact_phone"),
        ({"contact_phone": "+44 20 7946 0958"}, "contact_phone", "invalid_contact_phone"),
        ({"contact_email": "not-an-address"}, "contact_email", "invalid_email"),
        ({"address": "x" * 301}, "address", "string_too_long"),
        ({"address": None}, "address", "null_not_allowed"),
        ({"name": "Δήμος Άλλος"}, "name", "extra_forbidden"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_stores_nothing(
    client: Any, tenant: Any, admin: Any, body: Any, field: str, code: str
) -> None:
    before = await _row(tenant.id)
    response = await client.patch(f"{tenant.api}/profile", json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert errors[0]["message"] and errors[0]["message"] != f"validation.{code}"
    assert await _row(tenant.id) == before


async def test_every_offending_field_is_listed_in_english(
    client: Any, tenant: Any, admin: Any
) -> None:
    response = await client.patch(
        f"{tenant.api}/profile",
        json={"contact_phone": "12", "contact_email": "@", "address": "ok"},
        headers={**admin.headers, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"contact_phone", "contact_email"}
    assert "contact phone is not valid" in errors["contact_phone"]
    assert (await _row(tenant.id))["address"] == ""
    malformed = await client.patch(
        f"{tenant.api}/profile",
        content=b'{"address": ',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_json"


async def test_another_tenants_profile_is_404(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, consortium_admin: Any
) -> None:
    url = f"{other_tenant.api}/profile"
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    refused = await client.patch(url, json={"address": "Εισβολή"}, headers=admin.headers)
    assert refused.status_code == 404
    assert (await _row(other_tenant.id))["address"] == ""
    # Consortium administrators manage the record through /admin, never as a member.
    assert (await client.get(url, headers=consortium_admin.headers)).status_code == 404
    own = await client.get(f"{tenant.api}/profile", headers=admin.headers)
    assert own.json()["slug"] == tenant.slug


async def test_consortium_updates_are_validated_the_same_way(
    client: Any, tenant: Any, consortium_admin: Any
) -> None:
    url = f"{ADMIN}/tenants/{tenant.slug}"
    bad = await client.patch(
        url,
        json={"contact_phone": "abc", "operating_hours": {"tue": [["08:00", "10:00"]] * 2}},
        headers=consortium_admin.headers,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"contact_phone", "operating_hours"}
    good = await client.patch(
        url, json={"contact_phone": "0030 2310 123456"}, headers=consortium_admin.headers
    )
    assert good.status_code == 200
    assert good.json()["contact_phone"] == "+302310123456"
