"""A tenant with the Roma branch, its staff by role, people, and a second tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

from core.testing import Staff, TenantFixture, csrf_of, make_staff, make_tenant, sign_in

BASE = "/modules/roma_branch"


@dataclass
class World:
    tenant: TenantFixture
    admin: Staff
    worker: Staff  # social worker
    mediator: Staff
    pedagogue: Staff
    reception: Staff  # core role outside the branch
    person: UUID
    child: UUID

    def url(self, path: str) -> str:
        return f"{self.tenant.api}{BASE}{path}"


async def make_person(client: Any, tenant: TenantFixture, staff: Staff, **fields: Any) -> UUID:
    body = {"first_name": "Μαρία", "last_name": "Αθανασίου", "birth_date": "1990-05-02", **fields}
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def make_world(client: Any) -> World:
    tenant = await make_tenant(["roma_branch"])
    admin = await make_staff(tenant, ["tenant_admin"])
    worker = await make_staff(tenant, ["social_worker"])
    mediator = await make_staff(tenant, ["roma_mediator"])
    pedagogue = await make_staff(tenant, ["pedagogue"])
    reception = await make_staff(tenant, ["reception"])
    person = await make_person(client, tenant, admin)
    child = await make_person(client, tenant, admin, first_name="Γιάννης", birth_date="2016-09-01")
    return World(tenant, admin, worker, mediator, pedagogue, reception, person, child)


def codes(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


# -- the staff pages ----------------------------------------------------------------------------

DAY = "2027-03-02"  # a Tuesday, no holiday: accompaniments are booked at 10:00 on it


@asynccontextmanager
async def signed_in(app: Any, staff: Staff) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client (own cookie jar) signed in through the login form as `staff`."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        r = await sign_in(http, staff.username, staff.password)
        assert r.status_code in (200, 302, 303), r.text[:300]
        yield http


async def token_of(http: httpx.AsyncClient, url: str) -> str:
    """The CSRF token of the session, read from a page's form."""
    page = await http.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return csrf_of(page.text)


async def api(client: Any, w: World, staff: Staff, path: str, body: dict[str, Any]) -> Any:
    r = await client.post(w.url(path), json=body, headers=staff.headers)
    assert r.status_code in (200, 201), (path, r.text)
    return r.json()


async def mediator_profile(client: Any, w: World) -> str:
    """The mediator's staff profile (accompaniments book a staff member)."""
    r = await client.post(
        f"{w.tenant.api}/staff",
        json={"profession": "roma_mediator", "user_id": str(w.mediator.user_id)},
        headers=w.admin.headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def make_records(client: Any, w: World) -> dict[str, Any]:
    """One record of every kind, made through the API: the ids the pages are opened with."""
    ids: dict[str, Any] = {"person": str(w.person), "child": str(w.child)}
    ids["mediator_staff"] = await mediator_profile(client, w)
    ids["reception"] = (
        await api(
            client,
            w,
            w.admin,
            "/reception",
            {
                "person_id": str(w.person),
                "visited_on": "2026-02-02",
                "request_type": "civil_registry",
                "outcome": "pending",
                "follow_up": "Φέρνει πιστοποιητικό",
            },
        )
    )["id"]
    ids["accompaniment"] = (
        await api(
            client,
            w,
            w.admin,
            "/accompaniments",
            {
                "person_id": str(w.person),
                "agency": "kep",
                "purpose": "Πιστοποιητικό οικογενειακής κατάστασης",
                "start": f"{DAY}T12:00:00+02:00",
                "mediator_staff_id": ids["mediator_staff"],
            },
        )
    )["id"]
    application = await api(
        client,
        w,
        w.admin,
        "/applications",
        {"person_id": str(w.person), "benefit": "housing", "adults": 1, "minors": 0},
    )
    ids["application"] = application["id"]
    ids["item"] = application["checklist"][0]["id"]
    ids["seeker"] = (
        await api(
            client,
            w,
            w.admin,
            "/job-seekers",
            {"person_id": str(w.person), "education": "isced_1_2", "skills": ["αποθήκη"]},
        )
    )["id"]
    ids["employer"] = (await api(client, w, w.admin, "/employers", {"name": "Ψυγεία Χίου"}))["id"]
    ids["vacancy"] = (
        await api(
            client,
            w,
            w.admin,
            "/vacancies",
            {"employer_id": ids["employer"], "title": "Αποθηκάριος", "skills": ["αποθήκη"]},
        )
    )["id"]
    ids["placement"] = (
        await api(
            client,
            w,
            w.admin,
            "/placements",
            {
                "seeker_id": ids["seeker"],
                "employer_id": ids["employer"],
                "vacancy_id": ids["vacancy"],
                "start_date": "2026-01-15",
            },
        )
    )["id"]
    ids["school"] = (
        await api(
            client,
            w,
            w.admin,
            "/school-records",
            {"child_id": str(w.child), "school_year": "2025-2026", "enrolment_status": "enrolled"},
        )
    )["id"]
    return ids
