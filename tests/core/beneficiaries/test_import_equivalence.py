"""People imported from a CSV are stored, and found by search, exactly as the same people
created one by one through the API.

Tenant A imports a file; tenant B gets the same people by `POST /beneficiaries`. Every
column of the person (ids, times and authors aside), their search tokens, their category
rows and the answers to a set of searches (Greek with and without accents, Latin, AMKA, AFM,
phone, two words) must be the same in both tenants, and A's searches never list B's people.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from core.beneficiaries.identifiers import make_afm, make_amka
from tests.core.beneficiaries.test_import_reports import in_tenant

ADDRESS = ("street", "number", "city", "postcode")
NOT_COMPARED = {"id", "tenant_id", "created_at", "updated_at", "created_by", "updated_by"}


def people() -> list[dict[str, Any]]:
    """Bodies as the API takes them; names differ in their sort keys (no ties in lists)."""

    def born(y: int, m: int, d: int) -> date:
        return date(y, m, d)

    out: list[dict[str, Any]] = [
        {
            "first_name": "Ευάγγελος",
            "last_name": "Μπαλής",
            "birth_date": born(1980, 5, 17),
            "sex": "male",
            "amka": make_amka(born(1980, 5, 17), 11, "male"),
            "afm": "094259216",
            "phone": "691 234 5678",
            "id_document_type": "old_id",
            "id_document_number": "AB 123456",
            "categories": ["unemployed", "disability"],
            "disability_percent": 67,
        },
        {
            "first_name": "Γεώργιος",
            "last_name": "Παπαδόπουλος-Κωνσταντίνου",
            "birth_date": born(1955, 1, 2),
            "amka": make_amka(born(1955, 1, 2), 3, "male"),
            "phone": "+30 210 1234567",
            "other_phones": ["6977777777", "+44 20 7946 0000"],
            "address": {"street": "Ερμού", "number": "12Α", "city": "Αθήνα", "postcode": "105 63"},
        },
        {
            "first_name": "Μαρία-Ελένη",
            "last_name": "Οικονόμου",
            "birth_date": born(1991, 12, 31),
            "sex": "female",
            "amka": make_amka(born(1991, 12, 31), 8, "female"),
            "afm": make_afm(12_345_678),
            "email": "Maria.Oikonomou@Example.org",
            "iban": "GR16 0110 1250 0000 0001 2300 695",
            "father_name": "Νικόλαος",
            "mother_name": "Ζωή",
            "categories": ["min_income"],
        },
        {
            "first_name": "Σπυρίδων",
            "last_name": "Ξενάκης",
            "latin_first_name": "Spyros",
            "latin_last_name": "Xenakis",
            "birth_date": born(1970, 3, 4),
            "personal_number": f"12A{make_afm(23_456_789)}",
            "preferred_language": "en",
        },
        {"first_name": "Ιωάννης", "last_name": "Γιαννόπουλος", "birth_date": born(2001, 6, 7)},
        {
            "first_name": "Ευφροσύνη",
            "last_name": "Καϊάφα",
            "birth_date": born(1948, 8, 9),
            "amka": make_amka(born(1948, 8, 9), 20, "female"),
            "id_document_type": "passport",
            "id_document_number": "XK9876543",
            "categories": ["roma", "unemployed"],
        },
        {
            "first_name": "Ντίνος",
            "last_name": "Ντ'Αλέσιο",
            "birth_date": born(1966, 10, 11),
            "phone": "6944444444",
        },
        {
            "first_name": "John",
            "last_name": "Smith",
            "birth_date": born(1985, 2, 28),
            "amka": make_amka(born(1985, 2, 28), 5, "male"),
            "sex": "male",
        },
        {
            "first_name": "Αλέξης",
            "last_name": "Τσίπρας",
            "birth_date": born(1974, 7, 28),
            "afm": make_afm(34_567_890),
            "id_document_type": "new_id",
            "id_document_number": "AB1234567",
        },
    ]
    for body in out:
        body["birth_date"] = body["birth_date"].isoformat()
    return out


def write_csv(path: Path, bodies: list[dict[str, Any]]) -> Path:
    fields: list[str] = []
    for body in bodies:
        for name in body:
            if name == "address":
                fields += [f"address.{p}" for p in ADDRESS if f"address.{p}" not in fields]
            elif name not in fields:
                fields.append(name)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=fields)
        out.writeheader()
        for body in bodies:
            row: dict[str, str] = {}
            for name, value in body.items():
                if name == "address":
                    row.update({f"address.{p}": value.get(p, "") for p in ADDRESS})
                elif isinstance(value, list):
                    row[name] = ";".join(value)
                else:
                    row[name] = str(value)
            out.writerow(row)
    return path


async def stored(tenant_id: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Per person (by name): the columns, the token rows and the category codes."""
    from core.beneficiaries.tables import (
        Beneficiary,
        BeneficiaryCategory,
        BeneficiarySearchToken,
    )

    async def read() -> tuple[list[dict[str, Any]], ...]:
        return (
            await Beneficiary.select().output(load_json=True),
            await BeneficiarySearchToken.select(),
            await BeneficiaryCategory.select(),
        )

    rows, tokens, categories = await in_tenant(tenant_id, read)
    key = {r["id"]: (r["last_name"], r["first_name"]) for r in rows}
    out = {
        key[r["id"]]: {
            "row": {k: v for k, v in r.items() if k not in NOT_COMPARED},
            "tokens": set(),
            "categories": set(),
        }
        for r in rows
    }
    for t in tokens:
        rest = tuple(sorted((k, v) for k, v in t.items() if k not in ("id", "tenant_id")))
        out[key[t["beneficiary_id"]]]["tokens"].add(
            tuple((k, v) for k, v in rest if k != "beneficiary_id")
        )
    for c in categories:
        out[key[c["beneficiary_id"]]]["categories"].add(c["code"])
    return out


async def test_imported_people_equal_people_created_one_by_one(
    client: Any,
    tenant: Any,
    other_tenant: Any,
    social_worker: Any,
    staff_factory: Any,
    tmp_path: Path,
) -> None:
    from core.beneficiaries.cli import import_file

    bodies = people()
    assert await import_file(tenant.slug, write_csv(tmp_path / "p.csv", bodies), quiet=True) == 9
    staff_b = await staff_factory(other_tenant, ["social_worker"])
    for body in bodies:
        response = await client.post(
            f"{other_tenant.api}/beneficiaries", json=body, headers=staff_b.headers
        )
        assert response.status_code == 201, response.text

    imported, created = await stored(tenant.id), await stored(other_tenant.id)
    assert len(imported) == len(bodies) and imported.keys() == created.keys()
    for name in imported:
        assert imported[name]["row"] == created[name]["row"], name
        assert imported[name]["tokens"] == created[name]["tokens"], name
        assert imported[name]["tokens"]  # every person is findable
        assert imported[name]["categories"] == created[name]["categories"], name

    queries = [
        "παπαδ",
        "ΠΑΠΑΔΟΠΟΥΛΟΣ",
        "papadopoulos",
        "μπαλη",
        "balis",
        "evangelos balis",
        "Ευάγγελος Μπαλής",
        "κωνσταντινου",
        "οικονομου μαρια",
        "maria",
        "xenak",
        "spyros",
        "smith",
        "καιαφα",
        "kaiafa",
        "ντ αλεσιο",
        "tsipras",
        bodies[0]["amka"],
        "094259216",
        "EL094259216",
        "6912345678",
        "+30 210 1234567",
        "6977777777",
    ]
    from core.beneficiaries.tables import Beneficiary

    own = {
        str(r["id"]) for r in await in_tenant(tenant.id, lambda: Beneficiary.select(Beneficiary.id))
    }
    found_any = 0
    for q in queries:
        answers = []
        for t, staff in ((tenant, social_worker), (other_tenant, staff_b)):
            response = await client.get(
                f"{t.api}/beneficiaries", params={"q": q}, headers=staff.headers
            )
            assert response.status_code == 200, (q, response.text)
            answers.append(response.json()["items"])
        names = [[(p["last_name"], p["first_name"]) for p in items] for items in answers]
        assert names[0] == names[1], q
        assert {p["id"] for p in answers[0]} <= own, q  # never another tenant's people
        found_any += bool(names[0])
    assert found_any == len(queries)  # every query finds someone, in both tenants alike
