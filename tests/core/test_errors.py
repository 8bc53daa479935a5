"""The error body of CONTRACT.md for what the framework refuses before a handler runs."""

from __future__ import annotations

from typing import Any

from core.testing import make_staff, make_tenant


async def test_a_missing_query_parameter_is_a_422_naming_it(client: Any) -> None:
    tenant = await make_tenant([])
    staff = await make_staff(tenant, ["social_worker"])
    for lang, message in (("el", "Το πεδίο είναι υποχρεωτικό."), ("en", "This field is required.")):
        response = await client.get(
            f"{tenant.api}/availability/slots",
            headers={**staff.headers, "Accept-Language": lang},
        )
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["code"] == "validation_error"
        [error] = body["errors"][:1]
        assert error["code"] == "missing" and error["message"] == message
        assert error["field"] == "service"


async def test_a_body_that_is_not_json_is_a_400(client: Any) -> None:
    tenant = await make_tenant([])
    staff = await make_staff(tenant, ["social_worker"])
    response = await client.post(
        f"{tenant.api}/beneficiaries",
        content=b"{not json",
        headers={**staff.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"
