"""`GET /api/v1/t/{tenant}/audit`: administrators only, filters, pagination, isolation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from core.audit import chain
from core.audit.tables import AuditEvent
from tests.core.audit.helpers import add_events, as_tenant
from tests.core.staff.helpers import codes, make_person


@pytest.fixture(autouse=True)
async def _no_seal_left_running() -> AsyncIterator[None]:
    """PostgreSQL seals in the background after a read: let it finish inside the test."""
    yield
    await chain.drain()


async def _list(client: Any, tenant: Any, staff: Any, **params: Any) -> Any:
    response = await client.get(f"{tenant.api}/audit", params=params, headers=staff.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_administrators_read_the_trail_others_get_403_and_are_recorded(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    person = await make_person(client, tenant, social_worker)
    body = await _list(client, tenant, admin, object_type="beneficiary", object_id=person)
    created = [e for e in body["items"] if e["action"] == "create"]
    assert len(created) == 1
    event = created[0]
    assert event["user_id"] == str(social_worker.user_id)
    assert event["outcome"] == "ok" and event["client_address"] == "127.0.0.1"
    assert event["request_id"]
    assert "tenant_id" not in event and "hash" not in event
    # ids and codes only: the person's name is nowhere in the trail
    assert "Παπαδάκη" not in str(body) and "Ελένη" not in str(body)

    refused = await client.get(f"{tenant.api}/audit", headers=social_worker.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    denied = await _list(client, tenant, admin, user_id=str(social_worker.user_id), action="denied")
    assert len(denied["items"]) == 1
    assert denied["items"][0]["outcome"] == "denied"
    assert denied["items"][0]["details"]["status"] == 403
    assert denied["items"][0]["details"]["route"].endswith("/audit")

    # Reading the trail is itself recorded, with the filters used (names only).
    reads = await _list(client, tenant, admin, user_id=str(admin.user_id), object_type="audit")
    assert reads["items"] and reads["items"][0]["action"] == "read"
    assert set(reads["items"][-1]["details"]["filters"]) == {"object_type", "object_id"}


async def test_filters_period_and_cursor_pagination(client: Any, tenant: Any, admin: Any) -> None:
    someone = uuid4()
    base = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
    for day in range(5):
        await add_events(
            tenant.id,
            1,
            at=base + timedelta(days=day),
            user_id=someone,
            action="update" if day % 2 else "export",
            object_type="household",
            object_id=f"h-{day}",
        )
    mine = await _list(client, tenant, admin, user_id=str(someone))
    assert [e["object_id"] for e in mine["items"]] == ["h-4", "h-3", "h-2", "h-1", "h-0"]
    assert mine["next_cursor"] is None

    exports = await _list(client, tenant, admin, user_id=str(someone), action="export")
    assert [e["object_id"] for e in exports["items"]] == ["h-4", "h-2", "h-0"]
    one = await _list(client, tenant, admin, object_type="household", object_id="h-3")
    assert [e["action"] for e in one["items"]] == ["update"]

    period = await _list(
        client,
        tenant,
        admin,
        user_id=str(someone),
        since=(base + timedelta(days=1)).isoformat(),
        until=(base + timedelta(days=3)).isoformat(),  # exclusive
    )
    assert [e["object_id"] for e in period["items"]] == ["h-2", "h-1"]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"user_id": str(someone), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await _list(client, tenant, admin, **params)
        assert len(page["items"]) <= 2
        seen += [e["object_id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["h-4", "h-3", "h-2", "h-1", "h-0"]


async def test_bad_filters_are_422_naming_the_field(client: Any, tenant: Any, admin: Any) -> None:
    async def bad(params: dict[str, Any], lang: str = "en") -> Any:
        response = await client.get(
            f"{tenant.api}/audit",
            params=params,
            headers={**admin.headers, "Accept-Language": lang},
        )
        assert response.status_code == 422, response.text
        return response

    assert [f for f, _ in codes(await bad({"user_id": "not-a-uuid"}))] == ["user_id"]
    assert codes(await bad({"since": "2031-03-01T10:00:00"})) == [("since", "timezone_aware")]
    reversed_ = await bad(
        {"since": "2031-03-02T00:00:00+02:00", "until": "2031-03-01T00:00:00+02:00"}, "el"
    )
    assert codes(reversed_) == [("until", "period_reversed")]
    assert "περιόδου" in reversed_.json()["errors"][0]["message"]
    assert [f for f, _ in codes(await bad({"until": "yesterday"}))] == ["until"]
    assert codes(await bad({"limit": 500})) == [("limit", "less_than_equal")]
    assert codes(await bad({"cursor": "!!!"})) == [("cursor", "invalid")]


async def test_another_tenants_trail_is_never_seen(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, staff_factory: Any
) -> None:
    other_admin = await staff_factory(other_tenant, ["tenant_admin"])
    canary = f"canary-{uuid4()}"
    await add_events(other_tenant.id, 2, object_type="beneficiary", object_id=canary)

    # A's administrator: B's trail is 404 (no membership), and never in A's own list.
    response = await client.get(f"{other_tenant.api}/audit", headers=admin.headers)
    assert response.status_code == 404
    assert canary not in response.text
    assert (await _list(client, tenant, admin, object_id=canary))["items"] == []
    everything = await _list(client, tenant, admin, limit=200)
    assert canary not in str(everything)
    # B's administrator sees B's records.
    theirs = await _list(client, other_tenant, other_admin, object_id=canary)
    assert len(theirs["items"]) == 2


async def test_reading_the_trail_seals_it_in_the_background(
    client: Any, tenant: Any, admin: Any
) -> None:
    await add_events(tenant.id, 3, object_type="sealing-probe")
    first = await _list(client, tenant, admin, object_type="sealing-probe")
    assert len(first["items"]) == 3
    await chain.drain()  # PostgreSQL: the seal that read scheduled; SQLite: sealed inline
    async with as_tenant(tenant.id):
        unsealed = await AuditEvent.count().where(
            AuditEvent.seq.is_null() & (AuditEvent.object_type == "sealing-probe")
        )
    assert unsealed == 0
    again = await _list(client, tenant, admin, object_type="sealing-probe")
    assert sorted(e["seq"] for e in again["items"]) == [1, 2, 3]
    assert (await chain.verify(tenant.id)).ok
