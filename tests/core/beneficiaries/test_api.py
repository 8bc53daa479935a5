"""The beneficiaries HTTP surface: create, read, update, list and search."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from core.beneficiaries.identifiers import make_amka
from tests.core.beneficiaries.conftest import person


async def create(client: Any, tenant: Any, staff: Any, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        f"{tenant.api}/beneficiaries", json=person(**fields), headers=staff.headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_read_patch(client: Any, tenant: Any, social_worker: Any) -> None:
    body = person(
        first_name="Ευάγγελος",
        last_name="Μπαλής",
        sex="male",
        amka=make_amka(date(1980, 5, 17), 11, "male"),
        afm="094259216",
        phone="691 234 5678",
        iban="GR16 0110 1250 0000 0001 2300 695",
        address={"street": "Αθηνάς", "number": "12", "city": "Αθήνα", "postcode": "105 57"},
        categories=["unemployed", "disability"],
        disability_percent=67,
        id_document_type="old_id",
        id_document_number="AB 123456",
    )
    response = await client.post(
        f"{tenant.api}/beneficiaries", json=body, headers=social_worker.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["latin_first_name"] == "Evangelos"
    assert created["latin_last_name"] == "Balis"
    assert created["phone"] == "+306912345678"
    assert created["iban"] == "GR1601101250000000012300695"
    assert created["address"]["postcode"] == "10557"
    assert created["id_document_number"] == "ΑΒ123456"
    assert created["categories"] == ["unemployed", "disability"]
    assert created["disability_percent"] == 67
    assert created["warnings"] == []

    got = await client.get(
        f"{tenant.api}/beneficiaries/{created['id']}", headers=social_worker.headers
    )
    assert got.status_code == 200
    assert got.json()["amka"] == body["amka"]

    patched = await client.patch(
        f"{tenant.api}/beneficiaries/{created['id']}",
        json={"phone": None, "email": "e.balis@example.org", "status": "inactive"},
        headers=social_worker.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["phone"] is None
    assert patched.json()["email"] == "e.balis@example.org"
    assert patched.json()["status"] == "inactive"
    assert patched.json()["first_name"] == "Ευάγγελος"


async def test_422_lists_every_field_in_greek_and_english(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    bad = {
        "first_name": "Ελένη",
        "birth_date": "2999-01-01",
        "amka": "00000000000",
        "afm": "123456781",
        "phone": "12345",
        "iban": "GR1601101250000000012300696",
        "categories": ["no_such_code"],
        "address": {"postcode": "9999"},
    }
    response = await client.post(
        f"{tenant.api}/beneficiaries", json=bad, headers=social_worker.headers
    )
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) >= {
        "last_name",
        "birth_date",
        "amka",
        "afm",
        "phone",
        "iban",
        "categories",
        "address.postcode",
    }
    assert errors["amka"]["code"] == "amka_all_zero"
    assert errors["afm"]["code"] == "invalid_afm"
    assert "ΑΦΜ" in errors["afm"]["message"]
    english = await client.post(
        f"{tenant.api}/beneficiaries",
        json=bad,
        headers={**social_worker.headers, "Accept-Language": "en"},
    )
    messages = {e["field"]: e["message"] for e in english.json()["errors"]}
    assert "AFM" in messages["afm"] and "ΑΦΜ" not in messages["afm"]
    listed = await client.get(f"{tenant.api}/beneficiaries", headers=social_worker.headers)
    assert listed.json()["items"] == []  # nothing stored


async def test_duplicate_amka_is_409_and_other_tenant_may_reuse_it(
    client: Any, tenant: Any, other_tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    first = await create(client, tenant, social_worker)
    again = await client.post(
        f"{tenant.api}/beneficiaries",
        json=person(amka=first["amka"], first_name="Άλλη"),
        headers=social_worker.headers,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_amka"
    assert again.json()["existing_id"] == first["id"]
    other_staff = await staff_factory(other_tenant, ["social_worker"])
    elsewhere = await client.post(
        f"{other_tenant.api}/beneficiaries",
        json=person(amka=first["amka"]),
        headers=other_staff.headers,
    )
    assert elsewhere.status_code == 201
    assert elsewhere.json()["warnings"] == []  # nothing about tenant A leaks
    assert first["id"] not in elsewhere.text


async def test_warnings_for_likely_duplicates(client: Any, tenant: Any, social_worker: Any) -> None:
    first = await create(client, tenant, social_worker, phone="6912345670")
    response = await client.post(
        f"{tenant.api}/beneficiaries",
        json=person(
            first_name="ΕΛΕΝΗ",
            last_name="Παπαδοπουλου",
            phone="+30 6912345670",
            amka=make_amka(date(1981, 1, 2), 77, "female"),
        ),
        headers=social_worker.headers,
    )
    assert response.status_code == 201
    codes = {w["code"]: w for w in response.json()["warnings"]}
    assert first["id"] in codes["possible_duplicate"]["existing_ids"]
    assert first["id"] in codes["same_phone"]["existing_ids"]
    assert "amka_birth_date_mismatch" in codes


async def test_search(client: Any, tenant: Any, social_worker: Any) -> None:
    eleni = await create(
        client,
        tenant,
        social_worker,
        last_name="Παπαδοπούλου-Νικολάου",
        afm="094259216",
        phone="6987654321",
    )
    christos = await create(
        client, tenant, social_worker, first_name="Χρήστος", last_name="Γκεσούλης", sex="male"
    )
    await create(client, tenant, social_worker, first_name="Μαρία", last_name="Ιωάννου")

    async def ids(q: str) -> set[str]:
        response = await client.get(
            f"{tenant.api}/beneficiaries", params={"q": q}, headers=social_worker.headers
        )
        assert response.status_code == 200, response.text
        return {p["id"] for p in response.json()["items"]}

    for q in (
        "papadopoulou",
        "papadopulu",
        "ΠΑΠΑΔΟΠΟΥΛΟΥ",
        "παπαδοπουλου ελενη",
        "Νικολάου",
        "Ελένη Παπαδοπούλου-Νικολάου",
        "nikolaou eleni",
        "elenh",
        "094259216",
        "EL094259216",
        "698 765 4321",
        "+306987654321",
        eleni["amka"],
    ):
        assert await ids(q) == {eleni["id"]}, q
    for q in ("xristos", "christos", "hristos", "Gkesoulis", "gesoulis", "Χρηστος γκεσουλης"):
        assert await ids(q) == {christos["id"]}, q
    assert await ids("Γιώργος") == set()

    short = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": "Π"}, headers=social_worker.headers
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "q"


async def test_pagination(client: Any, tenant: Any, social_worker: Any) -> None:
    for n in range(5):
        await create(client, tenant, social_worker, last_name=f"Αλφα{'α' * n}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get(
                f"{tenant.api}/beneficiaries", params=params, headers=social_worker.headers
            )
        ).json()
        seen += [p["last_name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == 5


async def test_isolation(
    client: Any, tenant: Any, other_tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    other_staff = await staff_factory(other_tenant, ["social_worker"])
    theirs = await create(client, other_tenant, other_staff, last_name="Ξενοπούλου")
    hh = await client.post(
        f"{other_tenant.api}/households", json={"name": "Ξ"}, headers=other_staff.headers
    )
    assert hh.status_code == 201
    for path in (f"beneficiaries/{theirs['id']}", f"households/{hh.json()['id']}"):
        response = await client.get(f"{tenant.api}/{path}", headers=social_worker.headers)
        assert response.status_code == 404
    patch = await client.patch(
        f"{tenant.api}/beneficiaries/{theirs['id']}",
        json={"first_name": "Χ"},
        headers=social_worker.headers,
    )
    assert patch.status_code == 404
    found = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": "Ξενοπούλου"}, headers=social_worker.headers
    )
    assert found.json()["items"] == []
    by_amka = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": theirs["amka"]}, headers=social_worker.headers
    )
    assert by_amka.json()["items"] == []
    households = await client.get(f"{tenant.api}/households", headers=social_worker.headers)
    assert hh.json()["id"] not in households.text
    # The user of tenant A is not a member of tenant B at all.
    response = await client.get(
        f"{other_tenant.api}/beneficiaries/{theirs['id']}", headers=social_worker.headers
    )
    assert response.status_code == 404


async def test_special_categories_hidden_from_reception(
    client: Any, tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    reception = await staff_factory(tenant, ["reception"])
    created = await create(
        client, tenant, social_worker, categories=["roma", "unemployed"], disability_percent=80
    )
    got = (
        await client.get(f"{tenant.api}/beneficiaries/{created['id']}", headers=reception.headers)
    ).json()
    assert got["categories"] == ["unemployed"]
    assert got["disability_percent"] is None
    listed = await client.get(f"{tenant.api}/beneficiaries", headers=reception.headers)
    assert "roma" not in listed.text
    refused = await client.get(
        f"{tenant.api}/beneficiaries", params={"category": "roma"}, headers=reception.headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "category"
    allowed = await client.get(
        f"{tenant.api}/beneficiaries", params={"category": "roma"}, headers=social_worker.headers
    )
    assert [p["id"] for p in allowed.json()["items"]] == [created["id"]]
    cats = (await client.get(f"{tenant.api}/categories", headers=reception.headers)).json()
    codes = {c["code"] for c in cats["items"]}
    assert "unemployed" in codes and "roma" not in codes and "disability" not in codes
    # Reception may neither set a special category nor erase the hidden one by editing.
    denied = await client.post(
        f"{tenant.api}/beneficiaries",
        json=person(categories=["disability"]),
        headers=reception.headers,
    )
    assert denied.status_code == 422
    assert denied.json()["errors"][0]["code"] == "unknown_category"
    edited = await client.patch(
        f"{tenant.api}/beneficiaries/{created['id']}",
        json={"categories": ["homeless"]},
        headers=reception.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["categories"] == ["homeless"]
    full = (
        await client.get(
            f"{tenant.api}/beneficiaries/{created['id']}", headers=social_worker.headers
        )
    ).json()
    assert set(full["categories"]) == {"homeless", "roma"}


async def test_volunteer_cannot_read(client: Any, tenant: Any, staff_factory: Any) -> None:
    volunteer = await staff_factory(tenant, ["volunteer"])
    response = await client.get(f"{tenant.api}/beneficiaries", headers=volunteer.headers)
    assert response.status_code == 403


@pytest.mark.pg
async def test_concurrent_same_amka_one_wins(client: Any, tenant: Any, social_worker: Any) -> None:
    body = person()
    responses = await asyncio.gather(
        *[
            client.post(
                f"{tenant.api}/beneficiaries",
                json={**body, "first_name": name},
                headers=social_worker.headers,
            )
            for name in ("Άννα", "Μαρία", "Σοφία")
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409]
    winner = next(r.json() for r in responses if r.status_code == 201)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "duplicate_amka"
            assert r.json()["existing_id"] == winner["id"]


async def test_reads_and_writes_are_audited(client: Any, tenant: Any, social_worker: Any) -> None:
    from core import db
    from core.audit.tables import AuditEvent
    from tenants.scoping import tenant_context

    created = await create(client, tenant, social_worker)
    await client.get(f"{tenant.api}/beneficiaries/{created['id']}", headers=social_worker.headers)
    with tenant_context(tenant.id):
        async with db.transaction(write=False):
            await db.set_rls_tenant(tenant.id)
            events = await AuditEvent.select(AuditEvent.action).where(
                (AuditEvent.object_type == "beneficiary") & (AuditEvent.object_id == created["id"])
            )
    assert {e["action"] for e in events} >= {"create", "read"}


async def test_openapi_documents_the_bodies(client: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    paths = [p for p in document["paths"] if p.endswith("/beneficiaries")]
    assert paths
    post = document["paths"][paths[0]]["post"]
    assert "requestBody" in post
    assert "BeneficiaryCreate" in str(post["requestBody"])
