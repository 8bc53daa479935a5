"""Liveness, readiness and the OpenAPI document."""

from typing import Any


async def test_health(client: Any) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_database_and_cache(client: Any) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["state"] == "ok"
    assert body["cache"]["state"] in ("ok", "memory")


async def test_openapi_document(client: Any) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/health" in response.json()["paths"]


async def test_unknown_tenant_is_404_in_greek(client: Any, social_worker: Any) -> None:
    response = await client.get("/api/v1/t/no-such-town/modules", headers=social_worker.headers)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["detail"] == "Δεν βρέθηκε."
