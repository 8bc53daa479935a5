"""Bulk import (all rows or none), core reports, export/erasure and demo data."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from core import db
from core.beneficiaries.identifiers import make_afm, make_amka
from core.refs import TenantRef
from tenants.scoping import tenant_context
from tests.core.beneficiaries.test_api import create

HEADER = [
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "amka",
    "afm",
    "phone",
    "address.street",
    "address.city",
    "address.postcode",
    "categories",
]


def rows(n: int, start: int = 0) -> list[list[str]]:
    out = []
    for i in range(start, start + n):
        birth = date(1950 + i % 60, 1 + i % 12, 1 + i % 28)
        out.append(
            [
                "Γιώργος",
                f"Παπαδάκης{chr(0x3B1 + i % 20)}",
                birth.isoformat(),
                "male",
                make_amka(birth, 2 * i, "male"),
                make_afm(20_000_000 + i),
                f"69{i:08d}",
                "Ερμού",
                "Αθήνα",
                "105 63",
                "unemployed;min_income",
            ]
        )
    return out


def write_csv(path: Path, data: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(data)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run_cli(*args: str) -> Any:
    from core.cli import build_cli

    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


async def in_tenant(tenant_id: Any, fn: Any) -> Any:
    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            return await fn()


async def count_people(tenant_id: Any) -> int:
    from core.beneficiaries.tables import Beneficiary

    return await in_tenant(tenant_id, lambda: Beneficiary.count())  # type: ignore[no-any-return]


async def test_import_all_or_nothing(tenant: Any, tmp_path: Path) -> None:
    from core.beneficiaries.cli import import_file
    from core.cli import CLIError

    good = rows(30)
    bad = [
        *good[:10],
        [*good[10][:4], "01013099999", *good[10][5:]],
        *good[11:15],
        [*good[15][:2], "not-a-date", *good[15][3:]],
        *good[16:],
    ]
    path = write_csv(tmp_path / "bad.csv", bad)
    with pytest.raises(CLIError) as info:
        await import_file(tenant.slug, path, quiet=True)
    assert "2 error(s) in 2 row(s)" in str(info.value)
    assert await count_people(tenant.id) == 0

    dup = write_csv(tmp_path / "dup.csv", [*good[:3], good[1]])
    with pytest.raises(CLIError):
        await import_file(tenant.slug, dup, quiet=True)
    assert await count_people(tenant.id) == 0

    ok = write_csv(tmp_path / "ok.csv", good)
    assert await import_file(tenant.slug, ok, quiet=True) == 30
    assert await count_people(tenant.id) == 30

    again = write_csv(tmp_path / "again.csv", rows(3, start=29))  # row 29 exists already
    with pytest.raises(CLIError):
        await import_file(tenant.slug, again, quiet=True)
    assert await count_people(tenant.id) == 30


async def test_import_unknown_column_and_tenant(tenant: Any, tmp_path: Path) -> None:
    from core.beneficiaries.cli import import_file
    from core.cli import CLIError

    path = write_csv(tmp_path / "x.csv", [["a", "b"]], header=["first_name", "nickname"])
    with pytest.raises(CLIError):
        await import_file(tenant.slug, path, quiet=True)
    with pytest.raises(CLIError, match="unknown tenant"):
        await import_file("no-such-tenant", path, quiet=True)


def test_import_cli_help() -> None:
    result = run_cli("import", "beneficiaries", "--help")
    assert result.exit_code == 0
    assert "--tenant" in result.output


async def test_imported_people_are_searchable(
    client: Any, tenant: Any, social_worker: Any, tmp_path: Path
) -> None:
    from core.beneficiaries.cli import import_file

    data = rows(5)
    await import_file(tenant.slug, write_csv(tmp_path / "s.csv", data), quiet=True)
    response = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": data[2][4]}, headers=social_worker.headers
    )
    assert [p["amka"] for p in response.json()["items"]] == [data[2][4]]
    response = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": "giorgos"}, headers=social_worker.headers
    )
    assert len(response.json()["items"]) == 5


def viewer(special: bool) -> Any:
    return SimpleNamespace(sees_special_categories=special, language="el")


async def test_reports(
    client: Any, tenant: Any, other_tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    from core.beneficiaries.reports import REPORTS, NoParams, OnDate, Year

    await create(
        client,
        tenant,
        social_worker,
        categories=["roma", "unemployed"],
        sex="female",
        birth=date(2000, 1, 1),
    )
    await create(
        client,
        tenant,
        social_worker,
        categories=["unemployed"],
        sex="male",
        birth=date(1950, 1, 1),
        amka=make_amka(date(1950, 1, 1), 4, "male"),
    )
    other_staff = await staff_factory(other_tenant, ["social_worker"])
    await create(client, other_tenant, other_staff, categories=["homeless"], sex="male")
    reports = {r.id: r for r in REPORTS}

    by_cat = await in_tenant(
        tenant.id, lambda: reports["core.beneficiaries_by_category"].run(viewer(True), NoParams())
    )
    assert {r["category"]: r["count"] for r in by_cat} == {"roma": 1, "unemployed": 2}
    hidden = await in_tenant(
        tenant.id, lambda: reports["core.beneficiaries_by_category"].run(viewer(False), NoParams())
    )
    assert {r["category"] for r in hidden} == {"unemployed"}

    by_age = await in_tenant(
        tenant.id,
        lambda: reports["core.beneficiaries_by_sex_age"].run(
            viewer(False), OnDate(on=date(2026, 6, 30))
        ),
    )
    cells = {(r["sex"], r["age_band"]): r["count"] for r in by_age}
    assert cells[("female", "18-29")] == 1 and cells[("male", "65+")] == 1
    assert sum(cells.values()) == 2  # tenant B's person is not counted

    year = date.today().year
    monthly = await in_tenant(
        tenant.id,
        lambda: reports["core.registrations_per_month"].run(viewer(False), Year(year=year)),
    )
    assert len(monthly) == 12 and sum(r["count"] for r in monthly) == 2

    listed = await client.get(f"{tenant.api}/reports", headers=social_worker.headers)
    if listed.status_code == 200:
        ids = {r["id"] for r in listed.json()["items"]}
        assert "core.beneficiaries_by_category" in ids


async def test_export_and_erase(client: Any, tenant: Any, social_worker: Any, admin: Any) -> None:
    from core.beneficiaries.gdpr import erase_person, export_person

    someone = await create(
        client, tenant, social_worker, categories=["roma"], afm="094259216", phone="6933333333"
    )
    exported = await in_tenant(tenant.id, lambda: export_person(someone["id"]))
    assert exported["beneficiary"]["afm"] == "094259216"
    reasons = await in_tenant(tenant.id, lambda: erase_person(someone["id"]))
    assert reasons == []
    after = (
        await client.get(
            f"{tenant.api}/beneficiaries/{someone['id']}", headers=social_worker.headers
        )
    ).json()
    assert after["afm"] is None and after["amka"] is None and after["phone"] is None
    assert after["first_name"] != "Ελένη" and after["categories"] == ["roma"]
    assert after["birth_date"].endswith("-01-01")
    found = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": "094259216"}, headers=social_worker.headers
    )
    assert found.json()["items"] == []

    a = await create(client, tenant, social_worker)
    b = await create(client, tenant, social_worker, amka=None)
    await client.post(
        f"{tenant.api}/beneficiaries/{a['id']}/merge",
        json={"duplicate_id": b["id"]},
        headers=admin.headers,
    )
    kept = await in_tenant(tenant.id, lambda: erase_person(b["id"]))
    assert kept and "merged" in kept[0]


async def test_demo_data_is_valid_and_deterministic(tenant_factory: Any) -> None:
    from core.beneficiaries.demo import load_demo
    from core.beneficiaries.tables import Beneficiary, Household

    results = []
    for _ in range(2):
        t = await tenant_factory(["roma_branch"], prefix="chios")
        ref = TenantRef(id=t.id, slug="chios", modules=frozenset(t.modules))
        await in_tenant(t.id, lambda ref=ref: load_demo(ref, 42))
        people = await in_tenant(
            t.id,
            lambda: Beneficiary.select(
                Beneficiary.last_name,
                Beneficiary.amka,
                Beneficiary.categories,
                Beneficiary.address_city,
            ).output(load_json=True),
        )
        households = await in_tenant(t.id, lambda: Household.count())
        results.append((sorted((p["last_name"], p["amka"] or "") for p in people), households))
        assert 60 <= len(people) <= 200
        assert any("roma" in p["categories"] for p in people)
        assert all(p["address_city"] == "Χίος" for p in people)
        assert households > 0
    assert results[0] == results[1]
